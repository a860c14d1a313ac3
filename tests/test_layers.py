"""The layer rules of the code (docs/ARCHITECTURE.md, "Layers"), checked on every import
statement of pickterm/.

The source of each module is parsed (``ast``), so an import inside a function, a method,
a ``try`` or an ``if`` counts as much as one at the top, and so does
``importlib.import_module("...")`` or ``__import__("...")`` with a literal name.

The UI is ``pickterm.app``, ``pickterm.screens`` and ``pickterm.widgets``; every other module
is checked, whatever its name, so a module added later is covered without naming it here.

- Only the UI imports Textual.
- Nothing outside the UI imports the UI, except the entry points (``cli``, ``__main__``,
  ``commands.app``), which start the App.
- The core (every module outside the UI, the commands and the entry points) never imports the
  commands or the entry points.
- The commands never import ``pickterm.cli`` (nor ``__main__``): what they share with it lives
  in ``pickterm.commands._options``.
- Widgets never import screens.
- Nothing imports ``pickterm.app`` except the entry points; an import under
  ``if TYPE_CHECKING:`` only names a type and is allowed.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "pickterm"

UI = ("pickterm.app", "pickterm.screens", "pickterm.widgets")
ENTRY_POINTS = ("pickterm.cli", "pickterm.__main__", "pickterm.commands.app")
COMMANDS = ("pickterm.commands",)

# The core that docs/ARCHITECTURE.md names; each must exist and be core, so a rename cannot
# hide one. The rules cover every module outside the UI, named here or not.
NAMED_CORE = (
    "pickterm.api",
    "pickterm.store",
    "pickterm.sandbox",
    "pickterm.scan",
    "pickterm.picking",
    "pickterm.ids",
    "pickterm.status",
    "pickterm.resolve",
    "pickterm.services",
    "pickterm.connect",
    "pickterm.tracking_input",
    "pickterm.keymap",
    "pickterm.offloop",
    "pickterm.text",
    "pickterm.i18n",
    "pickterm.stylesheets",
)


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


def is_core(module: str) -> bool:
    """Every module that is not UI, a command or an entry point."""
    return not within(module, UI) and not within(module, COMMANDS) and module not in ENTRY_POINTS


def modules(root: Path = PACKAGE_DIR) -> list[str]:
    return sorted(module_name(path, root) for path in root.rglob("*.py"))


def textual_outside_the_ui(imports: list[Import]) -> list[Import]:
    return [i for i in imports if within(i.target, ("textual",)) and not within(i.importer, UI)]


def ui_outside_the_ui(imports: list[Import]) -> list[Import]:
    return [
        i for i in imports if within(i.target, UI) and not within(i.importer, UI) and i.importer not in ENTRY_POINTS
    ]


def commands_in_core(imports: list[Import]) -> list[Import]:
    above = (*COMMANDS, *ENTRY_POINTS)
    return [i for i in imports if is_core(i.importer) and within(i.target, above)]


def cli_in_commands(imports: list[Import]) -> list[Import]:
    return [
        i for i in imports if within(i.importer, COMMANDS) and within(i.target, ("pickterm.cli", "pickterm.__main__"))
    ]


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


RULES = (
    textual_outside_the_ui,
    ui_outside_the_ui,
    commands_in_core,
    cli_in_commands,
    screens_in_widgets,
    app_imported_below_entry_points,
)


def broken(imports: list[Import]) -> set[tuple[str, int]]:
    """(importer, line) of every import that breaks a rule."""
    return {(i.importer, i.line) for rule in RULES for i in rule(imports)}


def test_the_named_core_modules_exist_and_are_core():
    names = set(modules())
    assert [core for core in NAMED_CORE if core not in names or not is_core(core)] == []
    assert [name for name in (*UI, *ENTRY_POINTS) if name not in names] == []


def test_only_the_ui_imports_textual():
    assert [str(i) for i in textual_outside_the_ui(all_imports())] == []


def test_nothing_but_the_entry_points_imports_the_ui():
    assert [str(i) for i in ui_outside_the_ui(all_imports())] == []


def test_the_core_does_not_import_the_commands_or_the_entry_points():
    assert [str(i) for i in commands_in_core(all_imports())] == []


def test_the_commands_do_not_import_the_cli():
    assert [str(i) for i in cli_in_commands(all_imports())] == []


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
    found = textual_outside_the_ui(all_imports(planted_tree))
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


@pytest.fixture
def copied_tree(tmp_path: Path) -> Path:
    """A copy of pickterm/'s sources, to plant imports in."""
    root = tmp_path / "pickterm"
    for path in PACKAGE_DIR.rglob("*.py"):
        copy = root / path.relative_to(PACKAGE_DIR)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def plant(root: Path, relative: str, code: str) -> int:
    """Add ``code`` at the end of the module at ``relative`` (made if missing); returns the line
    number its first line has there."""
    path = root / relative
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(before + code, encoding="utf-8")
    return before.count("\n") + 1


def test_the_copied_tree_breaks_no_rule(copied_tree: Path):
    assert broken(all_imports(copied_tree)) == set()


def test_textual_and_the_screens_planted_in_resolve_are_seen(copied_tree: Path):
    code = "\ndef planted():\n    from textual.widgets import Static\n    from pickterm.screens import lookup\n"
    first = plant(copied_tree, "resolve.py", code)
    imports = all_imports(copied_tree)
    assert {(i.importer, i.line) for i in textual_outside_the_ui(imports)} == {("pickterm.resolve", first + 2)}
    assert {(i.importer, i.line) for i in ui_outside_the_ui(imports)} == {("pickterm.resolve", first + 3)}
    assert broken(imports) == {("pickterm.resolve", first + 2), ("pickterm.resolve", first + 3)}


def test_textual_and_a_widget_planted_in_keymap_are_seen(copied_tree: Path):
    first = plant(copied_tree, "keymap.py", "\nimport textual.binding\nfrom .widgets.keys import bind\n")
    imports = all_imports(copied_tree)
    assert {(i.importer, i.line) for i in textual_outside_the_ui(imports)} == {("pickterm.keymap", first + 1)}
    assert {(i.importer, i.line) for i in ui_outside_the_ui(imports)} == {("pickterm.keymap", first + 2)}
    assert broken(imports) == {("pickterm.keymap", first + 1), ("pickterm.keymap", first + 2)}


def test_the_cli_planted_in_a_command_is_seen(copied_tree: Path):
    get = plant(
        copied_tree, "commands/get.py", "\ndef planted():\n    from pickterm.cli import add_connection_options\n"
    )
    keys = plant(copied_tree, "commands/keys.py", "\nfrom .. import cli\n")
    imports = all_imports(copied_tree)
    assert {(i.importer, i.line) for i in cli_in_commands(imports)} == {
        ("pickterm.commands.get", get + 2),
        ("pickterm.commands.keys", keys + 1),
    }
    assert broken(imports) == {("pickterm.commands.get", get + 2), ("pickterm.commands.keys", keys + 1)}


def test_a_new_core_module_is_checked_without_naming_it(copied_tree: Path):
    (copied_tree / "labels").mkdir()
    plant(copied_tree, "labels/__init__.py", "")
    code = "import textual\nfrom pickterm.widgets.common import ErrorPanel\nfrom pickterm.commands import get\n"
    plant(copied_tree, "labels/printer.py", code)
    plant(copied_tree, "courier.py", code)
    assert "pickterm.labels.printer" not in NAMED_CORE and "pickterm.courier" not in NAMED_CORE
    assert broken(all_imports(copied_tree)) == {
        (module, line) for module in ("pickterm.labels.printer", "pickterm.courier") for line in (1, 2, 3)
    }


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


# What ``pickterm`` does before it takes the screen over: the App's ``run`` prints the modules
# imported by then and ends the process instead of starting.
UNTIL_RUN = """
import os, sys
from pickterm.app import PickTermApp
def run(self, *args, **kwargs):
    print(" ".join(sorted(sys.modules)), flush=True)
    os._exit(0)
PickTermApp.run = run
from pickterm.cli import main
sys.exit(f"pickterm ended before App.run: {{main({argv!r})}}")
"""


@pytest.mark.parametrize("argv", [["--demo"], []], ids=["demo", "profile"])
def test_reading_the_settings_does_not_load_the_api_layer_before_the_screen(argv):
    """``pickterm --demo`` takes the profile's keys and language, ``pickterm`` the whole profile
    (checked: a broken file is one line and exit 2) before ``App.run``, without the API layer."""
    from pickterm.store.config import config_path, save_setting, set_api_key

    set_api_key("k-123", "work")
    for key, value in (
        ("api_url", "https://api.example.com/v1"),
        ("auth_url", "https://auth.example.com"),
        ("keymap", "no-fkeys"),
        ("language", "es"),
        ("scan_layout", "price:2-7:7-12"),
        ("default_profile", "work"),
    ):
        save_setting(key, value, "work")
    with config_path().open("a", encoding="utf-8") as handle:
        handle.write('\n[profiles.work.keys]\n"walk.short" = "ctrl+k"\n')
    run = subprocess.run([sys.executable, "-c", UNTIL_RUN.format(argv=argv)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    modules = set(run.stdout.split())
    for heavy in ("httpx", "pydantic", "pickterm.api", "sqlite3"):
        assert heavy not in modules, f"{heavy} is imported before the screen is taken over"


ROOT = PACKAGE_DIR.parent
CITATION = re.compile(r'docs/ARCHITECTURE\.md, "([^"]+)"')
OUTSIDE_DESIGN = re.compile(r'\bDESIGN(\.md|\s+")')  # a design file the repository does not hold


def test_the_code_cites_sections_of_the_architecture_doc_in_the_repository():
    """Docstrings cite docs/ARCHITECTURE.md by a section it has; nothing cites a design file the
    repository does not hold; the README's layout points to the doc."""
    sections = set(re.findall(r"^## (.+)$", (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8"), re.M))
    sources = sorted([*PACKAGE_DIR.rglob("*.py"), *(ROOT / "tests").glob("*.py")])
    cited: dict[str, str] = {}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not OUTSIDE_DESIGN.search(text), path.relative_to(ROOT)
        cited.update({section: path.name for section in CITATION.findall(text)})
    assert cited, "no docstring cites docs/ARCHITECTURE.md"
    assert {section: name for section, name in cited.items() if section not in sections} == {}
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    assert "docs/ARCHITECTURE.md" in layout
