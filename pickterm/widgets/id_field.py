"""The field a scanner types an id into, at home: a :class:`~pickterm.widgets.scan_input.ScanField`
that keeps the id it hands on, wholly selected.

A wedge scanner's keys of several scans can arrive in one read. The terminator is handled
among the keys in the order they came (by ScanField), so the id submitted is exactly what
came before it, and the whole text is selected at once: the next scan of the same burst
replaces it instead of running into it.
"""

from __future__ import annotations

from typing import Any

from pickterm.widgets.scan_input import ScanField


def tab_ends_scans(app: Any) -> bool:
    """Whether the profile's scanners end a code with Tab (``scan_terminator = "tab"``)."""
    return getattr(getattr(app, "settings", None), "scan_terminator", "enter") == "tab"


class IdField(ScanField):
    """The lookup field. A scan is submitted (``Input.Submitted``) and stays, selected, so that
    the screen shows what it looks up and a new scan replaces it. Focus selects its text too,
    except when typing that began in the list is handed over to it."""

    _continue_typing = False

    def _ends_scan(self, key: str) -> bool:
        # Asked at each key: the profile (and with it the terminator) can change while the app runs.
        return tab_ends_scans(self.app) if key == "tab" else super()._ends_scan(key)

    def _end_scan(self) -> None:
        self._scanned(self.value)
        self.select_all()

    def _scanned(self, value: str) -> None:
        self.post_message(self.Submitted(self, value))

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
