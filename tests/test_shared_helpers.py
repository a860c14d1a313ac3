"""The tests' helpers are written once: none is copied from one test file into another.

A helper (a function or fixture of a test module that is not itself a test) with the same
decorators, arguments and body as one in another module is a copy, whatever its name: it
belongs in apphelpers.py (a fixture in conftest.py), imported where it is used.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return body[1:]
    return body


def helpers(path: Path) -> list[tuple[str, str]]:
    """(name, what the helper is without its name and docstring) for each helper of a module."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("test_"):
            shape = ast.Module(body=_without_docstring(node.body), type_ignores=[])
            parts = (type(node).__name__, *map(ast.dump, node.decorator_list), ast.dump(node.args), ast.dump(shape))
            found.append((node.name, "\n".join(parts)))
    return found


def copies(folder: Path) -> list[list[str]]:
    """Helpers defined alike in more than one module of ``folder``, as ``module:name``."""
    where: dict[str, list[str]] = defaultdict(list)
    for path in sorted(folder.glob("*.py")):
        for name, shape in helpers(path):
            where[shape].append(f"{path.stem}:{name}")
    return [sites for sites in where.values() if len({site.split(":")[0] for site in sites}) > 1]


def test_no_helper_is_copied_across_test_files():
    assert copies(TESTS) == []


def test_a_copy_is_seen_under_another_name(tmp_path: Path):
    (tmp_path / "test_one.py").write_text("def preview(screen):\n    return str(screen.query_one('#preview'))\n")
    (tmp_path / "test_two.py").write_text(
        'def shown(screen):\n    """What it shows."""\n    return str(screen.query_one(\'#preview\'))\n'
    )
    (tmp_path / "test_three.py").write_text("def preview(screen):\n    return str(screen.query_one('#other'))\n")
    assert copies(tmp_path) == [["test_one:preview", "test_two:shown"]]
