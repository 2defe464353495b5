"""The README and the clerk's guide are true: the README opens with the two commands and stays short, the
guide's day in the township runs, the seal quoted checks out, every command has help and is in the guide."""

from __future__ import annotations

import re
import shlex
import subprocess

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
GUIDE = (REPO / "docs" / "guide.md").read_text(encoding="utf-8")
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").glob("*.md")))
FIRST_TWO = """# zoudu 走读

```sh
python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/zoudu audit --month 2026-11
```
```sh
bash tools/test.sh
```
"""


def test_the_readme_opens_with_the_two_commands_and_stays_short():
    assert README.startswith(FIRST_TWO)
    assert len(README.splitlines()) <= 150


def day_in_the_township() -> list[list[str]]:
    block = GUIDE.split("## A day in the township", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = []
    for line in block.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line.startswith(("zoudu ", "sed ")):
            words = shlex.split(line)
            lines.append(words[1:] if words[0] == "zoudu" else words)
    return lines


def test_the_guide_s_day_runs_in_order(cli, tmp_path):
    steps = day_in_the_township()
    assert steps[0][0] == "init" and len(steps) > 15
    assert ["keys", "init"] in steps, "the day sets up the signing key"
    key = {"ZOUDU_KEY": str(tmp_path / "secret" / "township.key")}  # never in the tester's own config folder
    for args in steps:
        if args[0] == "sed":  # editing rules.yaml, as the README says: the real supervision phone
            subprocess.run(args, cwd=tmp_path, check=True)
            continue
        root = None if args[0] == "init" else tmp_path / "石庄乡"
        if args[0] == "init":
            args = ["init", str(tmp_path / args[1]), *args[2:]]
        if "-o" in args:
            args[args.index("-o") + 1] = str(tmp_path / args[args.index("-o") + 1])
        r = cli(*args, root=root, lang="", env=key)
        allowed = (0, 1) if args[0] == "audit" else (0,)
        assert r.returncode in allowed, (args, r.stdout[-500:], r.stderr)
        assert "Traceback" not in r.stderr
    assert (tmp_path / "公示.html").is_file()


def test_the_seal_quoted_in_the_docs_is_the_demo_s(cli):
    seals = set(re.findall(r"zoudu verify --sealed (\S+?)`", README + DOCS))
    assert seals
    for seal in seals:
        r = cli("verify", "--sealed", seal, root=REPO)
        assert r.returncode == 0, r.stdout + r.stderr


def test_every_command_has_help(cli):
    for command in ("init", "roster", "checkin", "village", "leave", "inspect", "report", "evaluate", "void",
                    "audit", "publish", "dossier", "verify"):
        r = cli(command, "--help")
        assert r.returncode == 0 and "Usage" in r.stdout, command
        assert f"zoudu {command}" in GUIDE, command
