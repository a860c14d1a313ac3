"""The base of the list screens (shipments, worksheets, outbox): a summary line over a list.

A list screen names its list (``LIST_NAME``: the ids ``#NAME-summary`` and ``#NAME-list``
inside ``#body``), says which entries it shows (:meth:`ListScreen.listed`) and how each is
known (:meth:`ListScreen.entry_id`), and puts them on screen with
:meth:`ListScreen.show_list`. Up/Down choose; Enter calls :meth:`ListScreen.open_highlighted`.
A scanner's burst answers nothing here (:class:`~pickterm.widgets.scan_input.BurstGuard`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static

from pickterm.screens.base import BaseScreen
from pickterm.widgets.pick_list import PickList
from pickterm.widgets.scan_input import BurstGuard


class ListScreen(BurstGuard, BaseScreen):
    """A summary line over a list of entries, the list focused."""

    LIST_NAME: ClassVar[str] = "list"

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static("", id=f"{self.LIST_NAME}-summary")
            yield PickList(id=f"{self.LIST_NAME}-list")

    @property
    def choices(self) -> PickList:
        return self.query_one(f"#{self.LIST_NAME}-list", PickList)

    def on_mount(self) -> None:
        # Textual calls the on_mount of every class in the MRO: a DataScreen's loads after this.
        self.choices.focus()

    def listed(self) -> Iterable[Any]:
        """The entries on screen now (empty before the first load)."""
        return ()

    def entry_id(self, entry: Any) -> str:
        """The id of an entry's line in the list."""
        raise NotImplementedError

    def show_list(self, summary: str, entries: Iterable[Any], content: Callable[[Any], Content]) -> None:
        """The summary line, and one line (``content``) per entry."""
        self.query_one(f"#{self.LIST_NAME}-summary", Static).update(Content(summary))
        self.choices.show_entries((self.entry_id(entry), content(entry)) for entry in entries)

    def highlighted(self) -> Any:
        """The highlighted entry (None when there is none)."""
        ident = self.choices.highlighted_id
        if ident is None:
            return None
        return next((entry for entry in self.listed() if self.entry_id(entry) == ident), None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.open_highlighted()

    def open_highlighted(self) -> None:
        """Enter on an entry."""
