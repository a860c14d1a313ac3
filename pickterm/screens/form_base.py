"""The base of the form screens (tracking, setup): labelled fields checked as they are typed.

Up/Down and Enter move between fields as Tab does (a scanner's Enter never sends), the
layout narrows below 60 columns (the ``-narrow`` class), and leaving with changes not
sent or saved is asked first (:attr:`FormScreen.LEAVE_QUESTION`).
"""

from __future__ import annotations

from typing import ClassVar

from textual.widgets import Input

from pickterm.screens.base import LeaveGuard
from pickterm.widgets.fields import FormField
from pickterm.widgets.keys import bind

NARROW = 60  # below this many columns a field's label stands above it


class FormScreen(LeaveGuard):
    """A screen of :class:`~pickterm.widgets.fields.FormField`\\ s."""

    BINDINGS = [
        bind("form.next", "app.focus_next", show=False, priority=True),
        bind("form.prev", "app.focus_previous", show=False, priority=True),
    ]
    # Asked before leaving a form with changes that were not sent or saved.
    LEAVE_QUESTION: ClassVar[str] = "Leave and drop the changes?"

    def fields(self) -> list[FormField]:
        return list(self.query(FormField))

    def invalid_fields(self, *, recheck: bool = True) -> list[FormField]:
        """The fields whose values are not valid, in order (``recheck=False`` trusts each field's last check)."""
        return [field for field in self.fields() if not (field.validate().ok if recheck else field.ok)]

    @property
    def has_unsent_changes(self) -> bool:
        """Whether leaving now would drop something typed."""
        return False

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field moves on, as Tab does (a scanner's Enter never sends)."""
        event.stop()
        self.focus_next()

    async def confirm_leave(self) -> bool:
        """Ask before dropping what was typed and not sent or saved."""
        if self.leaving or not self.has_unsent_changes:
            return True
        return await self.ask_to_leave(self.LEAVE_QUESTION)
