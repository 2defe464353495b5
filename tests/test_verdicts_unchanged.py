"""Every verdict and every printed figure stays byte-for-byte what tests/golden/ holds.

The outputs of `audit`, `publish` and `dossier` for the demo months and for generated
months with hostile text (tools/golden.py). A change that alters a verdict on purpose
regenerates the golden files (`python tools/golden.py save`) in the same commit and
says why.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import golden  # noqa: E402


def test_audit_publish_and_dossier_give_the_golden_bytes():
    got = golden.outputs()
    saved = {str(p.relative_to(golden.GOLDEN)): p.read_bytes() for p in golden.GOLDEN.rglob("*") if p.is_file()}
    assert sorted(got) == sorted(saved)
    differ = [name for name in got if got[name] != saved[name]]
    assert not differ, f"outputs changed: {differ} (python tools/golden.py check)"
