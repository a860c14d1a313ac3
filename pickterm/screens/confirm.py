"""A yes/no question as a modal dialog: Enter or y confirms, Esc or n declines."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("enter,y", "answer(True)", "Yes", priority=True),
        Binding("escape,n,f3", "answer(False)", "No", priority=True),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.question), id="dialog-question")
            yield Static(Content(f"Enter/y: {self.yes}   Esc/n: {self.no}"), id="dialog-keys")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


async def ask_to_leave(screen: Any, question: str, *, yes: str = "Leave", no: str = "Stay") -> bool:
    """The body of a form's ``confirm_leave``: ask with a ConfirmScreen (the app calls it in a worker)."""
    answer = bool(await screen.app.push_screen_wait(ConfirmScreen(question, yes=yes, no=no)))
    if answer:
        screen.leaving = True
    return answer
