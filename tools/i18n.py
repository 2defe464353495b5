"""Translation catalogs: check that every message has Chinese, and compile them.

The sources are ``po/zh_CN/*.po`` (one per area, so parts of the code can be
translated independently); they are merged and compiled into the one catalog
gettext reads, ``zoudu/locale/zh_CN/LC_MESSAGES/zoudu.mo``, which is committed
so that installing zoudu needs no build step.

    python tools/i18n.py missing   # messages in the code with no translation
    python tools/i18n.py compile   # merge po/zh_CN/*.po into zoudu.mo
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO_DIR = ROOT / "po" / "zh_CN"
MO_PATH = ROOT / "zoudu" / "locale" / "zh_CN" / "LC_MESSAGES" / "zoudu.mo"
KEYWORDS = {"_": None, "N_": None}


def code_messages() -> dict[str, str]:
    """msgid -> first place it is used."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT / "zoudu", method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
    ):
        if isinstance(message, str):
            found.setdefault(message, f"zoudu/{filename}:{lineno}")
    found.update({m: w for m, w in command_docstrings().items() if m not in found})
    return found


def command_docstrings() -> dict[str, str]:
    """The docstring of every command in zoudu/cli/: the summary its help page shows, said through the catalog."""
    import ast
    import inspect

    found: dict[str, str] = {}
    for path in sorted((ROOT / "zoudu" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "command"
                    for d in node.decorator_list):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    found.setdefault(inspect.cleandoc(doc), f"zoudu/cli/{path.name}:{node.lineno}")
    return found


def merged() -> Catalog:
    catalog = Catalog(locale="zh_CN", domain="zoudu", project="zoudu", charset="utf-8")
    for po in sorted(PO_DIR.glob("*.po")):
        with open(po, "rb") as fh:
            for message in read_po(fh, locale="zh_CN"):
                if message.id and message.string:
                    if message.id in catalog and catalog[message.id].string != message.string:
                        raise SystemExit(f"{po}: '{message.id}' is translated differently in two files")
                    catalog.add(message.id, message.string)
    return catalog


def compiled() -> bytes:
    out = io.BytesIO()
    write_mo(out, merged(), use_fuzzy=False)
    return out.getvalue()


def missing() -> dict[str, str]:
    catalog = merged()
    return {m: where for m, where in code_messages().items() if m not in catalog}


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "missing":
        gaps = missing()
        for message, where in gaps.items():
            print(f"{where}: {message!r}")
        return 1 if gaps else 0
    if command == "compile":
        MO_PATH.parent.mkdir(parents=True, exist_ok=True)
        MO_PATH.write_bytes(compiled())
        print(f"wrote {MO_PATH.relative_to(ROOT)}")
        return 0
    if command == "template":
        # Print a po stub for the messages still missing, to fill in by hand.
        for message, where in missing().items():
            escaped = message.replace("\\", "\\\\").replace('"', '\\"')
            print(f"#: {where}\nmsgid \"{escaped}\"\nmsgstr \"\"\n")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
