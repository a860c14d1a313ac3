"""The service layers never import Textual, and the first frame does not wait for the API layer."""

from __future__ import annotations

import subprocess
import sys

import pytest


def imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("module", ["pickterm.api", "pickterm.store.config", "pickterm.store.state", "pickterm.store.outbox", "pickterm.scan", "pickterm.sandbox", "pickterm.connect"])
def test_service_layers_do_not_import_textual(module):
    modules = imported_after(f"import {module}")
    assert module in modules
    assert not any(name == "textual" or name.startswith("textual.") for name in modules)


def test_starting_the_app_does_not_load_the_api_layer_first():
    modules = imported_after("from pickterm.cli import build_app_parser; build_app_parser(); import pickterm.app, pickterm.screens.lookup")
    for heavy in ("httpx", "pydantic", "pickterm.api", "sqlite3"):
        assert heavy not in modules, f"{heavy} is imported before the first frame"
