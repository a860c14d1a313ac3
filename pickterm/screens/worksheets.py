"""The worksheets of an order: status, items and units, progress, delivery window, facility.

Empty worksheets (a known VTEX race) are listed and said to be empty, never hidden.
Enter opens the picker's walkthrough of the highlighted worksheet. What this terminal
recorded in a walk (the API has no endpoint for picks) shows beside the server's counts.

A scan here is no answer: its Enter does not open a worksheet, it is reported as not
counted (:class:`~pickterm.widgets.scan_input.BurstGuard`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.content import Content

from pickterm.i18n import N_, _, ngettext
from pickterm.screens.base import DataScreen
from pickterm.screens.list_base import ListScreen
from pickterm.stylesheets import css
from pickterm.widgets.common import status_content, styled_literal
from pickterm.widgets.keys import bind
from pickterm.widgets.text import block, labelled

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient
    from pickterm.api.models import WorksheetSummary

EMPTY_TEXT = N_("empty — no items (known VTEX race)")


def units(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def window_text(window: Any) -> str:
    """``2025-02-11 16:32`` or ``2025-02-11 16:32 – 2025-02-11 18:00``; ``-`` when absent."""
    from pickterm.api.models import format_api_datetime

    if window is None or not (window.min_date or window.max_date):
        return "-"
    low, high = format_api_datetime(window.min_date), format_api_datetime(window.max_date)
    return low if low == high or not window.max_date else f"{low} – {high}"


def local_text(progress: Any) -> str:
    """What this terminal recorded for a worksheet: ``here: 5 units picked · 1 short · 1 skipped``;
    empty when nothing was."""
    if progress is None:
        return ""
    items = list(progress.items.values())
    units_here = sum(max(0, i.units) for i in items)
    parts = []
    if units_here:
        parts.append(ngettext("{n} unit picked", "{n} units picked", units_here).format(n=units_here))
    short = sum(1 for i in items if i.state == "short")
    skipped = sum(1 for i in items if i.state == "skipped")
    if short:
        parts.append(ngettext("{n} short", "{n} short", short).format(n=short))
    if skipped:
        parts.append(ngettext("{n} skipped", "{n} skipped", skipped).format(n=skipped))
    return _("here: {what}").format(what=" · ".join(parts)) if parts else ""


def worksheet_content(ws: Any, facility_name: str | None, progress: Any = None) -> Content:
    """One worksheet as stacked lines: readable at 40 columns."""
    lines = [Content.assemble(styled_literal(ws.worksheet_id, "bold"), "  ", status_content(ws.status))]
    if ws.is_empty:
        lines.append(Content.styled(_(EMPTY_TEXT), "bold $warning"))
    else:
        lines.append(
            Content(
                ngettext("{n} item", "{n} items", ws.items_quantity or 0).format(n=units(ws.items_quantity))
                + " · "
                + ngettext("{n} unit", "{n} units", ws.units_quantity or 0).format(n=units(ws.units_quantity))
            )
        )
        lines.append(
            Content(
                _("completed {completed}/{total} · packed {packed}/{total}").format(
                    completed=units(ws.completed_units_quantity),
                    packed=units(ws.packed_units_quantity),
                    total=units(ws.units_quantity),
                )
            )
        )
    here = local_text(progress)
    if here:
        lines.append(Content.styled(here, "bold $accent"))
    lines.append(labelled(_("window"), window_text(ws.delivery_window)))
    facility = facility_name or ws.facility_id or "-"
    lines.append(labelled(_("facility"), facility))
    return block(lines)


def summary_text(worksheets: list[Any]) -> tuple[str, str]:
    """The summary line over the list, and the count for the header (empty ones named)."""
    empty = sum(1 for ws in worksheets if ws.is_empty)
    count = ngettext("{n} worksheet", "{n} worksheets", len(worksheets)).format(n=len(worksheets))
    line = ngettext("{count}, {n} empty", "{count}, {n} empty", empty).format(count=count, n=empty) if empty else count
    return (line if worksheets else _("No worksheets for this order yet.")), line


class WorksheetsScreen(ListScreen, DataScreen):
    TITLE = N_("Worksheets")
    HELP = N_(
        "The worksheets this order is picked in, each with its status, items and units, progress, "
        "delivery window and facility. Empty ones (a known VTEX race) are listed as empty. "
        "Up/Down choose; Enter opens the picking walkthrough; f opens the facility. "
        '"here:" is what this terminal recorded in the walkthrough (the server does not know it yet).'
    )
    NOT_COUNTED_HINT = N_("open a worksheet (Enter) to scan its items")
    CSS_PATH = css("worksheets")
    LIST_NAME = "worksheets"
    BINDINGS = [
        bind("worksheets.open", "open_worksheet"),
        bind("worksheets.facility", "facility"),
    ]

    def __init__(self, order_id: str) -> None:
        super().__init__(subtitle=_("order {id}").format(id=order_id))
        self.order_id = order_id

    async def fetch(self, client: PickPackClient, fresh: bool) -> Any:
        worksheets = await client.list_worksheets(self.order_id, fresh=fresh)
        facility_ids = list(dict.fromkeys(ws.facility_id for ws in worksheets if ws.facility_id))
        found = await asyncio.gather(
            *(client.get_facility(fid, fresh=fresh) for fid in facility_ids), return_exceptions=True
        )
        # A facility that cannot be read is shown by its id: the worksheets still matter.
        names = {
            fid: f.name
            for fid, f in zip(facility_ids, found, strict=True)
            if not isinstance(f, BaseException) and f.name
        }
        return worksheets, names

    def _local(self, worksheet_id: str) -> Any:
        """What this terminal recorded for a worksheet (None when the store cannot say)."""
        state = self.pickapp.services.state
        if state is None:
            return None
        try:
            return state.load_progress(worksheet_id)
        except Exception:  # the server's counts still show
            return None

    def on_screen_resume(self) -> None:
        if self.data is not None:  # back from a walk: its progress changed
            self.show(self.data)

    def listed(self) -> list[Any]:
        return self.data[0] if self.data is not None else []

    def entry_id(self, entry: WorksheetSummary) -> str:
        return entry.worksheet_id

    def show(self, data: Any) -> None:
        worksheets, names = data
        summary, line = summary_text(worksheets)
        self.set_subtitle(_("order {id}").format(id=self.order_id) + f" · {line}")
        self.show_list(
            summary,
            worksheets,
            lambda ws: worksheet_content(ws, names.get(ws.facility_id or ""), self._local(ws.worksheet_id)),
        )

    def open_highlighted(self) -> None:
        self.action_open_worksheet()

    def action_open_worksheet(self) -> None:
        ws = self.highlighted()
        if ws is not None:
            self.pickapp.open("worksheet", ws.worksheet_id)

    def action_facility(self) -> None:
        ws = self.highlighted()
        if ws is None:
            return
        if not ws.facility_id:
            self.notify(_("This worksheet names no facility."), severity="warning", markup=False)
            return
        self.pickapp.open("facility", ws.facility_id)
