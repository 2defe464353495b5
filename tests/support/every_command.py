"""A township whose names GBK cannot print, and every command run on it (tests of the console and encodings)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.support.workspace import run_cli

TODAY = dt.date.today().isoformat()
CADRE = "王😀"      # GBK has no emoji
VILLAGE = "𠮷村"    # nor 𠮷 (U+20BB7)
WITNESS = "𠮷大娘"


def make_township(base: Path) -> Path:
    """A township whose names hold characters GBK lacks, with a month of entries and a punch export."""
    root = base / "w"
    env = {"XDG_CONFIG_HOME": str(base / "config")}
    assert run_cli("init", str(root), "--township", "𠮷庄乡", "--county", "崇仁县").returncode == 0
    for args in (("c001", "--name", "刘书记", "--team"),
                 ("c003", "--name", CADRE, "--supervisor", "c001", "--village", VILLAGE)):
        assert run_cli("roster", "add", *args, "--since", "2026-01-01", root=root).returncode == 0
    for args in (("checkin", "c003", "--at", "2026-11-03T08:00"),
                 ("village", "c003", "--village", VILLAGE, "--witness", WITNESS, "--at", "2026-11-03T10:00",
                  "--note", "走访😀农户")):
        r = run_cli(*args, root=root)
        assert r.returncode == 0, r.stderr
    assert run_cli("keys", "init", root=root, env=env).returncode == 0
    (base / "打卡.csv").write_text(f"员工,日期,时间\n{CADRE},{TODAY},07:59\n", encoding="utf-8")
    return root


def help_pages() -> list[tuple[str, ...]]:
    from zoudu.cli.app import app

    pages: list[tuple[str, ...]] = [("--help",)]
    for command in app.registered_commands:
        pages.append((command.name or command.callback.__name__.replace("_", "-"), "--help"))
    for group in app.registered_groups:
        pages.append((group.name, "--help"))
        for command in group.typer_instance.registered_commands:
            pages.append((group.name, command.name or command.callback.__name__.replace("_", "-"), "--help"))
    return pages


# (arguments, the exit codes a clerk may see), in this order. The private key is under $XDG_CONFIG_HOME.
COMMANDS: list[tuple[tuple[str, ...], set[int]]] = [
    (("checkin", "c003", "--at", "2026-11-04T08:00"), {0}),
    (("village", "c003", "--village", VILLAGE, "--witness", WITNESS, "--at", "2026-11-04T10:00"), {0}),
    (("checkin", CADRE + "x", "--at", "2026-11-04T08:00"), {2}),  # an unknown cadre, named back
    (("roster", "list"), {0}),
    (("audit", "--month", "2026-11"), {0, 1}),
    (("audit", "--month", "2026-11", "--format", "json"), {0, 1}),
    (("audit", "--month", "2026-11", "--format", "csv"), {0, 1}),
    (("audit", "--month", "2026-11", "--cadre", "c003"), {0, 1}),
    (("verify",), {0}),
    (("log", "--month", "2026-11"), {0}),
    (("log", "--id", "2026-11-0002"), {0}),
    (("dossier", "c003"), {0}),
    (("dossier", "c003", "--format", "json"), {0}),
    (("publish", "--month", "2026-11"), {0}),
    (("publish", "--month", "2026-11", "--format", "html"), {0}),
    (("publish", "--month", "2026-11", "--format", "md"), {0}),
    (("publish", "--month", "2026-11", "--format", "csv"), {0}),
    (("import", "{csv}", "--format", "csv", "--map", "name=员工,date=日期,clock=时间", "--dry-run"), {0}),
    (("keys", "init"), {2}),  # made with the township: never replaced
    (("seal", "--month", "2026-11"), {0, 2}),  # sealed once; a second seal of the month may be refused
    (("verify", "--pubkey", "{root}/keys/township.pub"), {0}),
    (("rules", "diff", "2026-11"), {0, 1}),
    (("void", "2026-11-0099", "--reason", "录错😀"), {2}),
]
FILE_FORMATS = {"html", "md", "csv"}  # publish writes these as UTF-8 files, console or not


def commands(root: Path) -> list[tuple[tuple[str, ...], set[int]]]:
    """Every command with its paths filled in."""
    out = []
    for args, codes in COMMANDS:
        out.append((tuple(a.replace("{csv}", str(root.parent / "打卡.csv")).replace("{root}", str(root))
                          for a in args), codes))
    return out
