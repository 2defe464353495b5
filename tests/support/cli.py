"""The command line as a clerk runs it, and the one-line refusal every bad input gets."""

from __future__ import annotations

import hashlib


def snapshot(root) -> dict[str, str]:
    """Every file of the workspace, by its SHA-256 (the lock file aside)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


def refused(cli, root, *args, message: str) -> None:
    """Bad input: exit 2, one line naming the problem, nothing written."""
    before = snapshot(root)
    r = cli(*args, root=root)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert snapshot(root) == before
