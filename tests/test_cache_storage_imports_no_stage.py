"""The cache package is layered (docs/architecture.md#caches): the storage the ledger's readers call
(``zoudu.memo.store``, ``zoudu.memo.states``) and the package itself import nothing of the audit,
publishing or the ledger, not even inside a function; only ``zoudu.memo.stages`` reaches the
stages it wraps, and only the commands import it. So the ledger and the cache make no import circle."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import REPO

MEMO = REPO / "zoudu" / "memo"
STORAGE = ("__init__.py", "store.py", "states.py")
ALLOWED = {"zoudu.system", "zoudu.memo", "zoudu.memo.store"}


def zoudu_imports(path) -> set[str]:
    """Every zoudu module ``path`` names in an import, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: a relative import"
            if node.module == "zoudu":  # from zoudu import system: the module zoudu.system
                found |= {f"zoudu.{a.name}" for a in node.names}
            else:
                found.add(node.module or "")
    return {name for name in found if name == "zoudu" or name.startswith("zoudu.")}


def test_the_storage_imports_only_the_system_layer():
    for name in STORAGE:
        assert zoudu_imports(MEMO / name) <= ALLOWED, (name, zoudu_imports(MEMO / name) - ALLOWED)
    assert zoudu_imports(MEMO / "__init__.py") == set()


def test_the_storage_loads_no_stage():
    """Imported alone (as the ledger's readers import it), the storage loads no audit, publish or ledger module."""
    code = ("import sys, zoudu.memo.store, zoudu.memo.states\n"
            "print('\\n'.join(m for m in sys.modules if m.startswith(('zoudu.audit', 'zoudu.publish', 'zoudu.ledger'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, encoding="utf-8",
                         check=True)
    assert out.stdout.strip() == ""


def test_only_the_commands_import_the_wrapped_stages():
    for path in (REPO / "zoudu").rglob("*.py"):
        if MEMO in path.parents:
            continue
        if "zoudu.memo.stages" in zoudu_imports(path) or "stages" in _names_from_memo(path):
            assert path.relative_to(REPO / "zoudu").parts[0] == "cli", path.relative_to(REPO)


def _names_from_memo(path) -> set[str]:
    """What ``from zoudu.memo import ...`` takes in ``path``."""
    return {a.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module == "zoudu.memo" for a in node.names}
