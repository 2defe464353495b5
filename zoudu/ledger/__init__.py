"""Storage and recording: workspace, rules.yaml, roster, the ledger line format, append and lock, hash chain, verify."""
