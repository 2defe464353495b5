"""User-facing text through gettext: Simplified Chinese by default, English on request.

Message ids are English; ``zoudu/locale/zh_CN/LC_MESSAGES/zoudu.mo`` translates them.
The language is chosen once per process: ``--lang``, else ``$ZOUDU_LANG``, else the
``locale`` of ``rules.yaml``, else Chinese.
"""

from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

DOMAIN = "zoudu"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "zh_hans": "zh_CN", "en": "en"}

_translation: _gettext.NullTranslations | None = None
_lang = "zh_CN"
_explicit: str | None = None  # set from --lang or $ZOUDU_LANG; beats rules.yaml


def normalise(lang: str) -> str | None:
    """'zh', 'zh_CN', 'zh-CN.UTF-8', 'en_US' -> 'zh_CN' / 'en'; None if unknown."""
    key = lang.strip().split(".")[0].lower()
    if key in LANGUAGES:
        return LANGUAGES[key]
    if key.startswith("en"):
        return "en"
    if key.startswith("zh"):
        return "zh_CN"
    return None


def _load(lang: str) -> _gettext.NullTranslations:
    global _lang
    _lang = lang
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def set_explicit(lang: str | None) -> None:
    """Language from the command line or the environment (highest priority)."""
    global _explicit, _translation
    # An unknown --lang is refused later, in the language the environment asks for.
    chosen = normalise(lang) if lang else None
    env = os.environ.get("ZOUDU_LANG")
    _explicit = chosen or (normalise(env) if env else None)
    _translation = _load(_explicit) if _explicit else None


def set_workspace_default(lang: str) -> None:
    """The workspace's ``locale``: used unless --lang or $ZOUDU_LANG said otherwise."""
    global _translation
    if _explicit is None:
        _translation = _load(normalise(lang) or "zh_CN")


def current() -> str:
    """'en' or 'zh_CN': the language messages are printed in now."""
    return _lang


def _(message: str) -> str:
    global _translation
    if _translation is None:
        _translation = _load(_explicit or "zh_CN")
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Marks a message for extraction; translated later where it is shown."""
    return message
