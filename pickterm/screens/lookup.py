"""Home: one field for a typed or scanned id. (Minimal frame version; the lookup issue fleshes it out.)"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from pickterm.ids import classify
from pickterm.screens.base import BaseScreen


class LookupScreen(BaseScreen):
    TITLE = "Lookup"

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Input(placeholder="Scan or type an id", id="lookup-input")
            yield Static("", id="lookup-understood", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        target = classify(event.value)
        self.query_one("#lookup-understood", Static).update(target.understood)
        if target.kind == "order":
            self.app.open_order(target.ident)
