"""A yes/no question as a modal dialog: Enter or y confirms, Esc or n declines.

A scan never answers it (:class:`~pickterm.widgets.scan_input.BurstGuard`): the Enter
that ends a scanner's burst is reported as "not counted", and y or n inside a burst
answer nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from pickterm.widgets.scan_input import BurstGuard


class ConfirmScreen(BurstGuard, ModalScreen[bool]):
    BINDINGS = [
        # Not priority: the keys typed before them are weighed first (a scan's Enter is no yes).
        Binding("enter,y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape,f3", "answer(False)", "No", priority=True),
    ]
    NOT_COUNTED_HINT = "answer with y or n"

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.question), id="dialog-question")
            not_counted = Static("", id="not-counted")
            not_counted.display = False
            yield not_counted
            yield Static(Content(f"Enter/y: {self.yes}   Esc/n: {self.no}"), id="dialog-keys")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
