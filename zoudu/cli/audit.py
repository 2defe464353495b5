"""``zoudu audit --month YYYY-MM [--format table/json/csv] [--cadre ID]``.

Opens the workspace, makes one library call, renders. Exit status: 0 when no
violation is at error level, 1 when some is or when the month's hash chain is broken
(the result cannot be trusted), 2 for bad usage (via ZouduError).
Rich is imported only for the table.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Optional

import typer

from zoudu.cli.common import warn_placeholders, workspace
from zoudu.errors import ZouduError, visible
from zoudu.i18n import _

part = typer.Typer()

FORMATS = ("table", "json", "csv")
CSV_COLUMNS = ("month", "cadre", "name", "rule", "severity", "date", "slot", "week", "required", "actual",
               "message", "evidence", "status")  # status: standing | appealed | overturned


@part.command()
def audit(
    month: str = typer.Option(..., "--month", help=_("The month to audit, YYYY-MM.")),
    fmt: str = typer.Option("table", "--format", help=_("table, json or csv.")),
    cadre: Optional[str] = typer.Option(None, "--cadre", help=_("Only this cadre (id or unique name).")),
    anomalies: bool = typer.Option(False, "--anomalies", help=_(
        "Show only the anomalies: patterns to ask about, not violations (the JSON always carries them).")),
) -> None:
    """Check a month against every rule; violations, per-cadre summary and supervisor liability."""
    if fmt not in FORMATS:
        raise ZouduError(_("--format must be table, json or csv, not '{value}'").format(value=fmt))
    if anomalies and fmt != "table":
        raise ZouduError(_("--anomalies shows a table; the JSON of the audit always carries them under "
                           "'anomalies'"))
    import gc

    gc.disable()  # many small objects, no cycles, and the process ends here (see audit_month)
    ws = workspace()
    if fmt == "table":
        from zoudu.memo.stages import audit_month
        from zoudu.render.audit import render_audit

        result = audit_month(ws, month, cadre, days=False)  # no output here shows the day-by-day calendar
        if anomalies:
            from zoudu.render.anomalies import render_anomalies

            render_anomalies(result, ws.roster)
        else:
            render_audit(result, ws.roster)
            if result.anomalies:
                print(visible(_("{n} anomaly(ies) to look into (questions, not violations): "
                                "'zoudu audit --month {month} --anomalies'").format(
                    n=len(result.anomalies), month=result.month)))
        notices, untrusted, code = result.notices, result.untrusted, result.exit_code
    else:
        from zoudu.memo.stages import rendered

        # a closed month's JSON or CSV is remembered whole (zoudu.memo.stages.rendered)
        shown = rendered(ws, month, cadre, fmt, _json_text if fmt == "json" else _csv_text)
        sys.stdout.write(_with_placeholders(shown.text, ws.settings) if fmt == "json" else shown.text)
        notices, untrusted, code = shown.notices, shown.untrusted, shown.exit_code
    warn_placeholders(ws)
    for notice in notices:
        # the table shows its notices; a broken hash chain is said on stderr whatever the format
        if fmt != "table" or notice == untrusted:
            print(visible(f"zoudu: {_('warning')}: {notice}"), file=sys.stderr)
    if sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__:
        # The real command line, all said: leave without freeing the audit's million small
        # objects one by one (a tenth of a second at 64× a township month).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise typer.Exit(code)


def _with_placeholders(text: str, settings) -> str:
    """The JSON with init's placeholders still in rules.yaml said in it: ``placeholders`` (the keys) and a
    line in ``notices``. The kept rendering is of the audit alone; rules.yaml is read as it stands now."""
    from zoudu.ledger.create import placeholder_names, placeholders

    found = placeholders(settings)
    if not found:
        return text
    data = json.loads(text)
    data["placeholders"] = {key: value for key, value in found}
    data["notices"] = list(data.get("notices", ())) + placeholder_names(settings)
    return json.dumps(data, ensure_ascii=False) + "\n"


def _json_text(result) -> str:
    from zoudu.audit import to_json

    return json.dumps(to_json(result), ensure_ascii=False) + "\n"


def _csv_text(result) -> str:
    import io

    out = io.StringIO()
    write_csv(result, out)
    return out.getvalue()


def write_csv(result, out) -> None:
    """One row per violation; each notice (unknown calendar year, missing file) is a row too,
    with rule and severity ``notice``, so that none is lost when the CSV travels alone and
    counting warnings still gives the JSON's; a broken hash chain is a notice at severity
    ``error`` (it makes the exit status 1). Evidence items are one per line inside the cell."""
    names = {c.cadre: c.name for c in result.cadres}
    from zoudu.render.csvsafe import Writer  # the notice's writer: formulas neutralised, CR/LF quoted

    writer = Writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for notice in result.notices:
        severity = "error" if notice == result.untrusted else "notice"  # a broken hash chain: exit 1
        writer.writerow((result.month, "", "", "notice", severity, "", "", "", "", "", notice, "", ""))
    for v in result.violations:
        writer.writerow((
            result.month, v.cadre or "", names.get(v.cadre, "") if v.cadre else "", v.rule, v.severity,
            v.date.isoformat() if v.date else "", v.slot or "", v.week or "",
            "" if v.required is None else v.required, "" if v.actual is None else v.actual,
            v.message, "\n".join((*v.evidence, *v.trace)), v.status,
        ))
