"""A yes/no question as a modal dialog: y confirms, n or Esc declines.

Enter is no answer: a barcode scanner ends every scan with Enter, so a scan that
arrives while the question is open must never say yes. Characters typed before an
Enter (a scan) are reported as "not counted", and a y or n that is part of such a
burst does not answer either (only a y or n typed on its own does).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape,f3", "answer(False)", "No", priority=True),
        # Not priority: an Enter comes after the characters typed before it.
        Binding("enter,tab", "blocked_scan", show=False),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no
        self.typed = ""
        self.ignored: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.question), id="dialog-question")
            yield Static("", id="dialog-ignored")
            yield Static(Content(f"y: {self.yes}   n/Esc: {self.no}"), id="dialog-keys")

    def on_key(self, event: events.Key) -> None:
        if not (event.is_printable and event.character):
            return
        event.stop()
        event.prevent_default()
        if not self.typed and event.character.lower() in ("y", "n"):
            self.action_answer(event.character.lower() == "y")
            return
        self.typed += event.character

    def action_blocked_scan(self) -> None:
        """A scan (characters, then Enter) or a lone Enter: no answer; say so."""
        typed, self.typed = self.typed, ""
        self.ignored.append(typed.strip() or "(Enter)")
        self.app.bell()
        note = self.query_one("#dialog-ignored", Static)
        note.update(Content.assemble(Content.styled("Not counted: ", "bold"), Content(self.ignored[-1]),
                                     Content(" — press y or n")))
        note.display = True

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
