"""A keyboard list of choices that stops at its ends instead of wrapping around.

Up on the first choice posts :class:`PickList.TopReached`, so a screen can hand the
focus back to the field above the list (the lookup screen does).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class PickList(OptionList):
    """An OptionList that does not wrap: down stops at the last choice, up at the first."""

    class TopReached(Message):
        """Up was pressed on the first choice."""

        def __init__(self, pick_list: PickList) -> None:
            super().__init__()
            self.pick_list = pick_list

    def _enabled(self) -> list[int]:
        return [index for index, option in enumerate(self.options) if not option.disabled]

    def show_entries(self, entries: Iterable[tuple[str, Content]]) -> None:
        """Replace the choices with ``(id, content)`` entries, separated by rules, keeping the highlight."""
        previous = self.highlighted
        self.clear_options()
        options: list[Option | None] = []
        for index, (ident, content) in enumerate(entries):
            if index:
                options.append(None)
            options.append(Option(content, id=ident))
        self.add_options(options)
        if previous is not None and previous < self.option_count and not self.get_option_at_index(previous).disabled:
            self.highlighted = previous
        else:
            self.highlight_first()

    @property
    def highlighted_id(self) -> str | None:
        """The id of the highlighted choice, if any."""
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    def highlight_first(self) -> None:
        """Put the highlight on the first choice that can be picked."""
        enabled = self._enabled()
        self.highlighted = enabled[0] if enabled else None

    def action_cursor_up(self) -> None:
        enabled = self._enabled()
        if not enabled or self.highlighted is None or self.highlighted <= enabled[0]:
            self.post_message(self.TopReached(self))
            return
        self.highlighted = max(index for index in enabled if index < self.highlighted)

    def action_cursor_down(self) -> None:
        enabled = self._enabled()
        if not enabled:
            return
        if self.highlighted is None:
            self.highlighted = enabled[0]
            return
        later = [index for index in enabled if index > self.highlighted]
        if later:
            self.highlighted = later[0]
