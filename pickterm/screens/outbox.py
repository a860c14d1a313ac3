"""The outbox: tracking writes not yet accepted by the server.

Pending writes are retried in the background; failed ones (the server refused them)
stay here, with the server's message, code and requestId, until the user retries,
edits or discards them.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static

from pickterm.app import css
from pickterm.screens.base import BaseScreen
from pickterm.widgets.common import literal, styled_literal
from pickterm.widgets.pick_list import PickList
from pickterm.widgets.text import block, labelled

_STATE_STYLE = {"pending": ("⟳ pending", "bold $warning"), "failed": ("✘ failed", "bold $error")}


def entry_content(entry: Any) -> Content:
    """One outbox entry as stacked lines, readable at 40 columns."""
    from pickterm.api.models import format_api_datetime

    word, style = _STATE_STYLE.get(entry.state, (entry.state, "bold"))
    lines = [
        Content.assemble(Content.styled(f"#{entry.id} ", "dim"), styled_literal(entry.order_id, "bold"),
                         "  ", Content.styled(word, style)),
        labelled("created", format_api_datetime(entry.created_at)),
        Content.assemble(Content.styled("attempts: ", "dim"), str(entry.attempts),
                         Content.styled(" · ", "dim"), literal(entry.summary)),
    ]
    error = entry.error
    if error is not None:
        lines.append(Content.assemble(Content.styled("✘ ", "bold $error"), literal(error.sentence)))
        if error.message and error.message != error.sentence:
            lines.append(literal(error.message))
        details = " · ".join(part for part in (
            f"code {error.code}" if error.code else "",
            f"requestId {error.request_id}" if error.request_id else "",
        ) if part)
        if details:
            lines.append(literal(details))
    return block(lines)


class OutboxScreen(BaseScreen):
    TITLE = "Outbox"
    HELP = (
        "Tracking writes the server has not accepted yet. Pending ones are retried in the "
        "background; failed ones were refused and show the server's message, code and requestId. "
        "r sends the highlighted write now, e edits it in the tracking form, d discards it."
    )
    CSS_PATH = css("outbox")
    BINDINGS = [
        Binding("r", "retry", "Retry"),
        Binding("e", "edit", "Edit"),
        Binding("d", "discard", "Discard"),
        Binding("f5", "refresh", "Refresh", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(subtitle="tracking writes")
        self.entries: list[Any] = []

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static("", id="outbox-summary")
            yield PickList(id="outbox-list")

    @property
    def choices(self) -> PickList:
        return self.query_one("#outbox-list", PickList)

    def on_mount(self) -> None:
        self.choices.focus()
        # The background retries change the counts: show what they did.
        self.watch(self.app, "outbox_counts", self._counts_changed, init=False)
        self.load()

    def _counts_changed(self, counts: tuple[int, int]) -> None:
        if self.is_current:
            self.load()

    def on_screen_resume(self) -> None:
        # Back from the tracking form, or the background retries changed something.
        if self.is_mounted:
            self.load()

    def action_refresh(self) -> None:
        self.load()

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load(self) -> None:
        await self.app.ready()
        outbox = self.app.outbox
        if outbox is None:
            self.error_panel.show_message("✘ The local store could not be opened: the outbox is not available.")
            return
        try:
            self.entries = outbox.list(("pending", "failed"))
        except Exception as exc:
            self.error_panel.show_error(exc, "F5 tries again.")
            return
        self.app.refresh_outbox_counts()
        self._show()

    def _show(self) -> None:
        entries = self.entries
        pending = sum(1 for e in entries if e.state == "pending")
        failed = len(entries) - pending
        if entries:
            summary = f"{pending} pending · {failed} failed"
        else:
            summary = "The outbox is empty: every tracking write was accepted."
        self.query_one("#outbox-summary", Static).update(Content(summary))
        self.choices.show_entries((str(entry.id), entry_content(entry)) for entry in entries)

    def _highlighted(self) -> Any:
        ident = self.choices.highlighted_id
        return next((e for e in self.entries if str(e.id) == ident), None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    # ------------------------------------------------------------ actions

    def action_edit(self) -> None:
        entry = self._highlighted()
        if entry is not None:
            self.app.open_tracking(entry.order_id, entry.id)

    def action_retry(self) -> None:
        entry = self._highlighted()
        if entry is not None:
            self._retry(entry.id)

    @work(exclusive=True, group="retry", exit_on_error=False)
    async def _retry(self, entry_id: int) -> None:
        outbox = self.app.outbox
        try:
            client = await self.app.client()
            entry = outbox.get(entry_id)
            if entry is not None and entry.state == "failed":
                outbox.retry(entry_id)
            outcome = await outbox.send(entry_id, client)
        except Exception as exc:
            self.error_panel.show_error(exc, "The write is kept; r tries again.")
            self.load()
            return
        if outcome.skipped:
            self.notify(f"#{entry_id} is being sent right now; try again in a moment.",
                        severity="warning", markup=False)
        elif outcome.state == "sent":
            self.error_panel.clear()
            self.notify(f"✔ #{entry_id} sent: order {outcome.entry.order_id} is marked delivered.", markup=False)
        elif outcome.state == "pending":
            reason = outcome.error.sentence if outcome.error is not None else "not sent"
            self.notify(f"⟳ #{entry_id} still pending ({reason}); it is retried in the background.",
                        severity="warning", markup=False)
        else:
            self.app.bell()
            self.notify(f"✘ #{entry_id} refused again: e edits it, d discards it.",
                        severity="error", markup=False)
        self.load()

    def action_discard(self) -> None:
        entry = self._highlighted()
        if entry is not None:
            self._discard(entry)

    @work(exclusive=True, group="discard", exit_on_error=False)
    async def _discard(self, entry: Any) -> None:
        from pickterm.screens.confirm import ConfirmScreen

        question = (f"Discard outbox entry #{entry.id} for order {entry.order_id} ({entry.summary})? "
                    "It will never be sent.")
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Discard", no="Keep")):
            return
        try:
            self.app.outbox.discard(entry.id)
        except Exception as exc:
            self.error_panel.show_error(exc, "Nothing was discarded.")
        else:
            self.notify(f"#{entry.id} discarded.", markup=False)
        self.load()
