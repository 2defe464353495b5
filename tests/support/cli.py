"""The command line as a clerk runs it, and the one-line refusal every bad input gets."""

from __future__ import annotations

import hashlib

from tests.support.workspace import set_phone


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


THREE = (
    ("c001", "--name", "刘书记", "--team"),
    ("c002", "--name", "黄乡长", "--team", "--supervisor", "c001"),
    ("c003", "--name", "张伟", "--supervisor", "c001", "--village", "石庄村"),
)


def keyed_township(cli, root, key: dict[str, str], sign_ins: tuple[str, ...]):
    """The township of ``township_by_cli`` with c003's approved sign-ins at ``sign_ins`` and its key pair."""
    township_by_cli(cli, root)
    for at in sign_ins:
        r = cli("checkin", "c003", "--at", at, "--approver", "c001", "--reason", "停电", root=root)
        assert r.returncode == 0, r.stderr
    assert cli("keys", "init", root=root, env=key).returncode == 0
    return root


def township_by_cli(cli, root, cadres=THREE, records_from="2026-01-01"):
    """A workspace made as a clerk makes one: ``init`` with names (records kept from ``records_from``),
    then ``roster add`` (serving from 2026-01-01).

    The default: c001 the party secretary; c002 on the team under c001; c003 a cadre under c001 (石庄村)."""
    r = cli("init", str(root), "--township", "石庄乡", "--county", "崇仁县", "--from", records_from)
    assert r.returncode == 0, r.stderr
    set_phone(root)  # as a clerk does before the first publish
    for args in cadres:
        r = cli("roster", "add", *args, "--since", "2026-01-01", root=root)
        assert r.returncode == 0, r.stderr
    return root
