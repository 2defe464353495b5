"""Cadres as a clerk types them: several names in one argument, a badge number, a near miss.

``李卫东，王秀兰`` and ``李卫东、王秀兰`` are two names (the clerk's comma and the
enumeration comma); a name that is nobody's but close to someone's gets
"did you mean" (difflib), so a typo costs one look, not a search of the roster.
"""

from __future__ import annotations

import difflib
import re

from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.model import Cadre, Roster

_SEPARATORS = re.compile(r"[，、,;；]")
BADGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


def split_names(tokens: list[str]) -> list[str]:
    """Each argument split at ``，`` ``、`` ``,`` ``；``; blanks dropped."""
    found: list[str] = []
    for token in tokens:
        found.extend(part.strip() for part in _SEPARATORS.split(token) if part.strip())
    return found


def suggestion(roster: Roster, token: str) -> str | None:
    """The one name or id on the roster closest to ``token``, if any is close."""
    names = sorted({c.name for c in roster.cadres} | {c.id for c in roster.cadres})
    close = difflib.get_close_matches(token, names, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown(roster: Roster, token: str) -> ZouduError:
    """The error for a cadre nobody is, with "did you mean" when a name is close."""
    message = _("unknown cadre: '{cadre}' (not an id or name on the roster)").format(cadre=token)
    near = suggestion(roster, token)
    if near:
        message += _("; did you mean {name}?").format(name=near)
    return ZouduError(message)


def check_badge(roster: Roster, badge: str | None, cadre_id: str) -> str | None:
    """A terminal number (考勤号码): letters and digits, on nobody else's card."""
    if badge is None:
        return None
    badge = badge.strip()
    if not BADGE.fullmatch(badge) or not badge.isascii():
        raise ZouduError(_("'{badge}' is not a valid badge number (letters and digits, at most 32)").format(
            badge=badge))
    normal = normal_badge(badge)  # kept as typed ("0042"); compared without leading zeros
    other = next((c for c in roster.cadres if c.badge and normal_badge(c.badge) == normal and c.id != cadre_id), None)
    if other is not None:
        raise ZouduError(_("badge {badge} is already {name}'s ({id})").format(badge=badge, name=other.name,
                                                                             id=other.id))
    return badge


def normal_badge(badge: str) -> str:
    """Terminals pad numbers (``00012``): compared without the leading zeros."""
    stripped = badge.strip().lstrip("0")
    return stripped or "0"


def by_badge(roster: Roster) -> dict[str, Cadre]:
    return {normal_badge(c.badge): c for c in roster.cadres if c.badge}


def rule_id(text: str, allowed: tuple[str, ...]) -> str:
    """A rule id as typed: the id itself, or its label (``饮酒``, ``drinking``) when it names one rule."""
    if text in allowed:
        return text
    import gettext

    from zoudu.rulebook import BY_ID
    from zoudu.i18n import DOMAIN, LOCALE_DIR

    chinese = gettext.translation(DOMAIN, LOCALE_DIR, languages=["zh_CN"], fallback=True)
    typed = text.strip().lower()
    fits = []
    for rule in allowed:
        english = BY_ID[rule].label if rule in BY_ID else rule
        said = (english.lower(), chinese.gettext(english).lower(), rule.split(".")[-1])
        if typed and any(typed == s for s in said):
            return rule
        if typed and any(typed in s for s in said):
            fits.append(rule)
    if len(fits) == 1:
        return fits[0]
    raise ZouduError(_("--rule must be one of {rules}, not '{rule}'").format(rules=", ".join(allowed), rule=text))
