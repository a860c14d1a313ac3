"""The layer rules of the code, checked on every import statement of pickterm/.

The source of each module is parsed (``ast``), so an import inside a function, a method,
a ``try`` or an ``if`` counts as much as one at the top, and so does
``importlib.import_module("...")`` or ``__import__("...")`` with a literal name.

- The core (``api``, ``store``, ``scan``, ``picking``, ``ids``, ``status``, ``sandbox``, ``services``, and
  every other module outside the UI) never imports Textual. Only ``pickterm.app``,
  ``pickterm.screens`` and ``pickterm.widgets`` may.
- The core never imports the UI (app, screens, widgets, commands).
- Widgets never import screens.
- Nothing imports ``pickterm.app`` except the entry points (``cli``, ``__main__``,
  ``commands.app``); an import under ``if TYPE_CHECKING:`` only names a type and is allowed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "pickterm"

# The Textual-free core named by the design; each must exist, so a rename cannot hide one.
CORE = (
    "pickterm.api",
    "pickterm.store",
    "pickterm.scan",
    "pickterm.picking",
    "pickterm.ids",
    "pickterm.status",
    "pickterm.sandbox",
    "pickterm.services",
)
UI = ("pickterm.app", "pickterm.screens", "pickterm.widgets")
ENTRY_POINTS = ("pickterm.cli", "pickterm.__main__", "pickterm.commands.app")


@dataclass(frozen=True)
class Import:
    importer: str  # dotted name of the module that imports
    target: str  # dotted name of what is imported (a module, or module.name for ``from m import name``)
    line: int
    type_only: bool  # under ``if TYPE_CHECKING:``

    def __str__(self) -> str:
        kind = " (type checking only)" if self.type_only else ""
        return f"{self.importer}:{self.line} imports {self.target}{kind}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(importer: str, is_package: bool, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, module] if module else base)


def imports_of(path: Path, root: Path = PACKAGE_DIR) -> list[Import]:
    """Every import in one source file, wherever it sits in the file."""
    importer = module_name(path, root)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_only)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(importer, alias.name, node.lineno, type_only) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(importer, is_package, node.module, node.level)
            found.append(Import(importer, base, node.lineno, type_only))
            found.extend(Import(importer, f"{base}.{alias.name}", node.lineno, type_only) for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append(Import(importer, node.args[0].value, node.lineno, type_only))
        for child in ast.iter_child_nodes(node):
            visit(child, type_only)

    visit(tree, False)
    return found


def all_imports(root: Path = PACKAGE_DIR) -> list[Import]:
    return [imp for path in sorted(root.rglob("*.py")) for imp in imports_of(path, root)]


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def textual_in_core(imports: list[Import]) -> list[Import]:
    return [i for i in imports if within(i.target, ("textual",)) and not within(i.importer, UI)]


def ui_in_core(imports: list[Import]) -> list[Import]:
    ui = (*UI, "pickterm.commands")
    return [i for i in imports if within(i.importer, CORE) and within(i.target, ui)]


def screens_in_widgets(imports: list[Import]) -> list[Import]:
    return [i for i in imports if within(i.importer, ("pickterm.widgets",)) and within(i.target, ("pickterm.screens",))]


def app_imported_below_entry_points(imports: list[Import]) -> list[Import]:
    return [
        i
        for i in imports
        if within(i.target, ("pickterm.app",))
        and not i.type_only
        and i.importer not in ENTRY_POINTS
        and i.importer != "pickterm.app"
    ]


def test_the_core_modules_exist():
    names = {module_name(p, PACKAGE_DIR) for p in PACKAGE_DIR.rglob("*.py")}
    assert [core for core in CORE if core not in names] == []


def test_only_the_ui_imports_textual():
    assert [str(i) for i in textual_in_core(all_imports())] == []


def test_the_core_does_not_import_the_ui():
    assert [str(i) for i in ui_in_core(all_imports())] == []


def test_widgets_do_not_import_screens():
    assert [str(i) for i in screens_in_widgets(all_imports())] == []


def test_only_the_entry_points_import_the_app():
    assert [str(i) for i in app_imported_below_entry_points(all_imports())] == []


PLANTED = '''
"""A module that hides its imports."""
from typing import TYPE_CHECKING
import importlib

if TYPE_CHECKING:
    from pickterm.app import PickTermApp

def later():
    try:
        from textual.widgets import Static
    except ImportError:
        pass

class Walk:
    def method(self):
        import textual

def dynamic():
    return importlib.import_module("textual.app")

def upward():
    from .. import app
    from ..screens.lookup import LookupScreen
'''


@pytest.fixture
def planted_tree(tmp_path: Path) -> Path:
    root = tmp_path / "pickterm"
    (root / "widgets").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "widgets" / "__init__.py").write_text("")
    (root / "picking.py").write_text(
        PLANTED.replace("from .. import", "from . import").replace("..screens", ".screens")
    )
    (root / "widgets" / "hidden.py").write_text(PLANTED)
    return root


def test_imports_inside_functions_methods_and_try_blocks_are_seen(planted_tree: Path):
    found = textual_in_core(all_imports(planted_tree))
    assert sorted((i.importer, i.line) for i in found if i.target in ("textual", "textual.widgets", "textual.app")) == [
        ("pickterm.picking", 11),
        ("pickterm.picking", 17),
        ("pickterm.picking", 20),
    ]


def test_relative_imports_of_the_app_and_of_screens_are_seen(planted_tree: Path):
    imports = all_imports(planted_tree)
    assert {(i.importer, i.line) for i in app_imported_below_entry_points(imports)} == {
        ("pickterm.picking", 23),
        ("pickterm.widgets.hidden", 23),
    }
    assert {(i.importer, i.line) for i in screens_in_widgets(imports)} == {("pickterm.widgets.hidden", 24)}


def imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_starting_the_app_does_not_load_the_api_layer_first():
    modules = imported_after(
        "from pickterm.cli import build_app_parser; build_app_parser(); import pickterm.app, pickterm.screens.lookup"
    )
    for heavy in ("httpx", "pydantic", "pickterm.api", "sqlite3"):
        assert heavy not in modules, f"{heavy} is imported before the first frame"
