"""The field a scanner types an id into, at home: it ends a scan at the terminator itself.

A wedge scanner's keys of several scans can arrive in one read. The terminator is handled
here, among the keys in the order they came, so the id submitted is exactly what came
before it, and the whole text is selected at once: the next scan of the same burst replaces
it instead of running into it.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


def tab_ends_scans(app) -> bool:
    """Whether the profile's scanners end a code with Tab (``scan_terminator = "tab"``)."""
    return getattr(getattr(app, "settings", None), "scan_terminator", "enter") == "tab"


class IdField(Input):
    """The lookup field. Focus selects its text (a new scan replaces the old id), except when
    typing that began in the list is handed over to it."""

    _continue_typing = False

    async def _on_key(self, event: events.Key) -> None:
        # The terminator is handled here, among the keys in the order they came: the id
        # submitted is exactly what came before it (not what the field holds once the screen
        # gets to it), and selecting it makes the next scan of the same burst replace it.
        if event.key == "enter" or (event.key == "tab" and tab_ends_scans(self.app)):
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.value))
            self.select_all()

    def continue_with(self, text: str) -> None:
        """Start the field afresh with ``text`` (typed while the list had the focus) and focus it.

        Keys that arrive before the focus has moved are added to what came before.
        """
        text = self.value + text if self._continue_typing else text
        self.value = text
        self.cursor_position = len(text)
        self._continue_typing = True
        self.focus()

    def on_focus(self) -> None:
        # Runs before Input's own focus handler, which would select the text typed so far.
        if self._continue_typing:
            self._continue_typing = False
            self.select_on_focus = False
            self.call_next(setattr, self, "select_on_focus", True)
