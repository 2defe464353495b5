"""Every user-facing message speaks Chinese, and the shipped catalog is the compiled po files."""

from __future__ import annotations

import gettext
import re
import sys

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import i18n as catalog_tool  # noqa: E402


def test_every_message_in_the_code_has_a_chinese_translation():
    missing = catalog_tool.missing()
    assert not missing, "untranslated: " + "; ".join(f"{w}: {m!r}" for m, w in list(missing.items())[:20])


def test_translations_keep_every_placeholder():
    for message in catalog_tool.merged():
        if message.id:
            wanted = set(re.findall(r"\{(\w*)\}", message.id))
            assert set(re.findall(r"\{(\w*)\}", message.string)) == wanted, message.id


def test_the_shipped_mo_file_is_the_compiled_po_files():
    with open(catalog_tool.MO_PATH, "rb") as fh:
        shipped = gettext.GNUTranslations(fh)._catalog
    merged = {m.id: m.string for m in catalog_tool.merged() if m.id}
    shipped = {k: v for k, v in shipped.items() if k}
    assert shipped == merged, "run: python tools/i18n.py compile"


def test_language_choice(cli, tmp_path):
    root = tmp_path / "w"
    assert cli("init", str(root), lang="en").returncode == 0
    zh = cli("checkin", "nobody", root=root, lang="")
    en = cli("--lang", "en", "checkin", "nobody", root=root, lang="")
    env = cli("checkin", "nobody", root=root, lang="en")
    assert "未" in zh.stderr or "不" in zh.stderr
    assert "unknown cadre" in en.stderr and "unknown cadre" in env.stderr
    rules = root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("locale: zh_CN", "locale: en"), encoding="utf-8")
    assert "unknown cadre" in cli("checkin", "nobody", root=root, lang="").stderr
    assert "unknown cadre" not in cli("--lang", "zh", "checkin", "nobody", root=root, lang="").stderr
