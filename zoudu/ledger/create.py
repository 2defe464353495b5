"""``zoudu init``: a new workspace with the seed's policy, headed with the township's own names."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.ledger.roster import HEADER as ROSTER_HEADER
from zoudu.ledger.rules_template import DEFAULT_RULES_YAML
from zoudu.ledger.workspace import LEDGERS, ROSTER, RULES

# What init writes when nobody said the names; audit and publish warn while they stand.
PLACEHOLDER_TOWNSHIP = "（未填写乡镇名）"
PLACEHOLDER_COUNTY = "（未填写县名）"


def rules_text(township: str | None, county: str | None, records_from: dt.date | None = None) -> str:
    """The default rules.yaml with these names (placeholders when not given), never the demo's, and the
    day records start when given (nothing before it is audited)."""
    text = DEFAULT_RULES_YAML
    if records_from is not None:
        text = text.replace("\ntimezone:", "\n" + RECORDS_FROM.format(day=records_from.isoformat()) + "\ntimezone:", 1)
    for key, value, placeholder in (("township", township, PLACEHOLDER_TOWNSHIP),
                                    ("county", county, PLACEHOLDER_COUNTY)):
        name = _name(value, key) if value is not None else placeholder
        # Letters as they are; anything else in JSON's double quotes, a YAML double-quoted scalar.
        plain = all(ch.isalnum() or ch in "（）·" for ch in name)
        written = name if plain else json.dumps(name, ensure_ascii=False)
        text = re.sub(rf"(?m)^{key}: \S+", lambda _m: f"{key}: {written}", text, count=1)
    return text


RECORDS_FROM = ("records_from: {day}    # 台账起始日: 此日之前不核查 (zoudu init --from 可指定)")


def _name(value: str, key: str) -> str:
    value = value.strip()
    what = _("township name") if key == "township" else _("county name")
    if not value:
        raise ZouduError(_("{what} must not be empty").format(what=what))
    if len(value) > 100 or any(ch in value for ch in "\n\r\t") or any(ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0
                                                                       for ch in value):
        raise ZouduError(_("{what} must be one short line of text").format(what=what))
    return value


def placeholders(settings) -> list[tuple[str, str]]:
    """(key in rules.yaml, its value) for each name or number still as ``zoudu init`` wrote it."""
    from zoudu.ledger.settings import PLACEHOLDER_PHONE

    return [(key, value) for key, value, placeholder in (
        ("township", settings.township, PLACEHOLDER_TOWNSHIP),
        ("county", settings.county, PLACEHOLDER_COUNTY),
        ("supervision_phone", settings.supervision_phone, PLACEHOLDER_PHONE),
    ) if value.strip() == placeholder]


def placeholder_names(settings) -> list[str]:
    """Warnings for a workspace still headed with init's placeholders (audit says them; publish refuses)."""
    found = placeholders(settings)
    if not found:
        return []
    return [_("rules.yaml still has the placeholder that 'zoudu init' wrote for {keys}: write the real "
              "township, county and supervision phone before the notice is published").format(
        keys=", ".join(f"{key} ({value})" for key, value in found))]


def refuse_placeholders(settings) -> None:
    """Placeholders never reach the notice board: ZouduError naming the keys still to be written."""
    found = placeholders(settings)
    if found:
        raise ZouduError(_("refusing to publish: rules.yaml still has the placeholder that 'zoudu init' wrote for "
                           "{keys}; write the real value(s) in rules.yaml first").format(
            keys=", ".join(f"{key} ({value})" for key, value in found)))


def init_workspace(target: Path, township: str | None = None, county: str | None = None,
                   records_from: dt.date | None = None) -> None:
    """Refuses to overwrite: an existing rules.yaml or ledgers/ stops it before any write.
    ``records_from``: the first day audited, written into rules.yaml (None: no such key)."""
    for existing in (target / RULES, target / LEDGERS):
        if existing.exists():
            raise ZouduError(_("a workspace already exists here; nothing was changed"), str(existing))
    if target.exists() and not target.is_dir():
        raise ZouduError(_("is a file, not a folder"), str(target))
    rules = rules_text(township, county, records_from)
    try:
        target.mkdir(parents=True, exist_ok=True)
        (target / LEDGERS).mkdir()
        (target / ROSTER).write_text(ROSTER_HEADER, encoding="utf-8")
        (target / RULES).write_text(rules, encoding="utf-8")
    except OSError as e:
        raise ZouduError(_("cannot create the workspace: {error}").format(error=e.strerror), str(target)) from None
