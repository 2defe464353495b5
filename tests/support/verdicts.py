"""The audit and the notice as a clerk reads them through the CLI.

November 2026: Monday 2 to Sunday 8 is ISO week 45. The test township (``make_workspace``):
c001 the party secretary, c002 on the team under c001, c003 under c001 assigned 石庄村,
c004 under c002 assigned 富溪村.
"""

from __future__ import annotations

import csv
import io
import json

MONTH = "2026-11"


def run(cli, ws, *args, lang="zh"):
    r = cli(*args, root=ws.root, lang=lang)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


def new_id(r) -> str:
    return r.stdout.splitlines()[0].split()[0]


def audit_json(cli, ws, month=MONTH) -> dict:
    r = cli("audit", "--month", month, "--format", "json", root=ws.root)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def found(obj, cadre=None, rule=None, date=None, slot=None) -> list[dict]:
    return [v for v in obj["violations"] if (cadre is None or v["cadre"] == cadre)
            and (rule is None or v["rule"] == rule) and (date is None or v["date"] == date)
            and (slot is None or v["slot"] == slot)]


def cadre_of(obj, cadre) -> dict:
    (c,) = [c for c in obj["cadres"] if c["cadre"] == cadre]
    return c


def week_of(obj, cadre, label) -> dict:
    (w,) = [w for w in cadre_of(obj, cadre)["weeks"] if w["week"] == label]
    return w


def sheet_row(cli, ws, cadre, month=MONTH, date="2026-12-01") -> dict[str, str]:
    """The cadre's row of the published CSV sheet, by its Chinese column names."""
    sheet = run(cli, ws, "publish", "--month", month, "--format", "csv", "--date", date).stdout
    rows = list(csv.reader(io.StringIO(sheet.lstrip("\ufeff"))))
    header = next(row for row in rows if row and row[0] == "编号")
    return dict(zip(header, next(row for row in rows if row and row[0] == cadre)))
