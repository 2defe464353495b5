"""No function in zoudu/ is longer than 60 lines (its `def` line to its last, nested functions and
methods counted on their own too): a longer one is split into named steps that read as what they do."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "zoudu"
LIMIT = 60


def long_functions(root: Path, limit: int = LIMIT) -> list[str]:
    """"file:line name (n lines)" of every function under ``root`` longer than ``limit`` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{path.relative_to(root.parent).as_posix()}:{node.lineno} {node.name} "
                                 f"({length} lines)")
    return found


def test_no_function_in_zoudu_is_over_60_lines():
    assert long_functions(PACKAGE) == []


def test_the_check_finds_a_long_function_and_a_long_method(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(LIMIT - 1))
    (package / "short.py").write_text(f"def fits():\n{body}", encoding="utf-8")
    (package / "long.py").write_text(
        f"def too_long():\n{body}    return 0\n\n\nclass C:\n    async def method(self):\n"
        + "".join(f"        y{i} = {i}\n" for i in range(LIMIT)), encoding="utf-8")
    assert long_functions(package) == ["pkg/long.py:1 too_long (61 lines)", "pkg/long.py:65 method (61 lines)"]
