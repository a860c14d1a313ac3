"""The shipments of an order: status, carrier, tracking number, packages, items, delivered date.

Enter opens the highlighted shipment in full; t opens the tracking form of the order.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static

from pickterm.screens.base import DataScreen
from pickterm.stylesheets import css
from pickterm.widgets.common import literal, status_content, styled_literal
from pickterm.widgets.pick_list import PickList
from pickterm.widgets.scan_input import BurstGuard
from pickterm.widgets.text import block, labelled


def count(value: float | None, word: str) -> str:
    """``1 package``, ``3 items``, ``2.5 items``; ``? items`` when unknown."""
    if value is None:
        return f"? {word}s"
    return f"{value:g} {word}{'' if value == 1 else 's'}"


def shipment_content(shipment: Any) -> Content:
    """One shipment as stacked lines, readable at 40 columns."""
    from pickterm.api.models import format_api_datetime

    carrier = shipment.carrier_name or shipment.carrier_id or "carrier unknown"
    lines = [
        Content.assemble(status_content(shipment.status), " · ", literal(carrier)),
        Content.assemble(Content.styled("tracking ", "dim"), styled_literal(shipment.service_id or "-", "bold")),
        Content(f"{count(shipment.packages_quantity, 'package')} · {count(shipment.items_quantity, 'item')}"),
    ]
    if shipment.delivered_date:
        lines.append(labelled("delivered", format_api_datetime(shipment.delivered_date)))
    elif shipment.courier_name:
        lines.append(labelled("courier", shipment.courier_name))
    return block(lines)


class ShipmentsScreen(BurstGuard, DataScreen):
    TITLE = "Shipments"
    HELP = (
        "The shipments of this order: status, carrier, tracking number, packages, items and "
        "delivered date. Up/Down choose; Enter opens the shipment in full; t opens the tracking "
        "form to mark the order delivered."
    )
    CSS_PATH = css("shipments")
    BINDINGS = [
        Binding("enter", "open_shipment", "Open"),
        Binding("t", "tracking", "Tracking"),
    ]

    def __init__(self, order_id: str) -> None:
        super().__init__(subtitle=f"order {order_id}")
        self.order_id = order_id

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static("", id="shipments-summary")
            yield PickList(id="shipments-list")

    @property
    def choices(self) -> PickList:
        return self.query_one("#shipments-list", PickList)

    def on_mount(self) -> None:
        self.choices.focus()
        super().on_mount()

    def on_screen_resume(self) -> None:
        # Back from a shipment or the tracking form: show what changed (from the client's cache).
        if self.data is not None:
            self.reload()

    async def fetch(self, client: Any, fresh: bool) -> Any:
        return await client.list_shipments(self.order_id, fresh=fresh)

    def show(self, data: Any) -> None:
        shipments = data
        delivered = sum(1 for s in shipments if (s.status or "").upper() == "DELIVERED")
        summary = f"{len(shipments)} shipment{'s' if len(shipments) != 1 else ''}, {delivered} delivered"
        self.set_subtitle(f"order {self.order_id} · {len(shipments)} shipment{'s' if len(shipments) != 1 else ''}")
        self.query_one("#shipments-summary", Static).update(
            Content(f"{summary} · Enter opens" if shipments else "No shipments for this order yet.")
        )
        self.choices.show_entries((shipment.id, shipment_content(shipment)) for shipment in shipments)

    def _highlighted(self) -> Any:
        ident = self.choices.highlighted_id
        if self.data is None or ident is None:
            return None
        return next((s for s in self.data if s.id == ident), None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open_shipment()

    def action_open_shipment(self) -> None:
        shipment = self._highlighted()
        if shipment is not None:
            self.pickapp.open_shipment(shipment.id, by="internal")

    def action_tracking(self) -> None:
        self.pickapp.open_tracking(self.order_id)
