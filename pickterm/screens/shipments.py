"""The shipments of an order: status, carrier, tracking number, packages, items, delivered date.

Enter opens the highlighted shipment in full; t opens the tracking form of the order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.content import Content

from pickterm.i18n import N_, _, ngettext
from pickterm.screens.base import DataScreen
from pickterm.screens.list_base import ListScreen
from pickterm.stylesheets import css
from pickterm.widgets.common import literal, status_content, styled_literal
from pickterm.widgets.keys import bind
from pickterm.widgets.text import block, labelled

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient
    from pickterm.api.models import ShipmentSummary


def count(value: float | None, word: str) -> str:
    """``1 package``, ``3 items``, ``2.5 items``; ``? items`` when unknown."""
    n = 2 if value is None else value
    text = ngettext("{n} package", "{n} packages", n) if word == "package" else ngettext("{n} item", "{n} items", n)
    return text.format(n="?" if value is None else f"{value:g}")


def shipment_content(shipment: Any) -> Content:
    """One shipment as stacked lines, readable at 40 columns."""
    from pickterm.api.models import format_api_datetime

    carrier = shipment.carrier_name or shipment.carrier_id or _("carrier unknown")
    lines = [
        Content.assemble(status_content(shipment.status), " · ", literal(carrier)),
        Content.assemble(
            Content.styled(_("tracking") + " ", "dim"), styled_literal(shipment.service_id or "-", "bold")
        ),
        Content(f"{count(shipment.packages_quantity, 'package')} · {count(shipment.items_quantity, 'item')}"),
    ]
    if shipment.delivered_date:
        lines.append(labelled(_("delivered"), format_api_datetime(shipment.delivered_date)))
    elif shipment.courier_name:
        lines.append(labelled(_("courier"), shipment.courier_name))
    return block(lines)


def summary_text(shipments: list[Any]) -> tuple[str, str]:
    """The summary line over the list, and the count for the header."""
    count = ngettext("{n} shipment", "{n} shipments", len(shipments)).format(n=len(shipments))
    if not shipments:
        return _("No shipments for this order yet."), count
    delivered = sum(1 for s in shipments if (s.status or "").upper() == "DELIVERED")
    delivered_text = ngettext("{count}, {n} delivered · Enter opens", "{count}, {n} delivered · Enter opens", delivered)
    return delivered_text.format(count=count, n=delivered), count


class ShipmentsScreen(ListScreen, DataScreen):
    TITLE = N_("Shipments")
    HELP = N_(
        "The shipments of this order: status, carrier, tracking number, packages, items and "
        "delivered date. Up/Down choose; Enter opens the shipment in full; t opens the tracking "
        "form to mark the order delivered."
    )
    CSS_PATH = css("shipments")
    LIST_NAME = "shipments"
    BINDINGS = [
        bind("shipments.open", "open_shipment"),
        bind("shipments.tracking", "tracking"),
    ]

    def __init__(self, order_id: str) -> None:
        super().__init__(subtitle=_("order {id}").format(id=order_id))
        self.order_id = order_id

    def on_screen_resume(self) -> None:
        # Back from a shipment or the tracking form: show what changed (from the client's cache).
        if self.data is not None:
            self.reload()

    async def fetch(self, client: PickPackClient, fresh: bool) -> Any:
        return await client.list_shipments(self.order_id, fresh=fresh)

    def listed(self) -> list[Any]:
        return self.data or []

    def entry_id(self, entry: ShipmentSummary) -> str:
        return entry.id

    def show(self, data: Any) -> None:
        summary, count = summary_text(data)
        self.set_subtitle(_("order {id}").format(id=self.order_id) + f" · {count}")
        self.show_list(summary, data, shipment_content)

    def open_highlighted(self) -> None:
        self.action_open_shipment()

    def action_open_shipment(self) -> None:
        shipment = self.highlighted()
        if shipment is not None:
            self.pickapp.open("shipment", shipment.id)

    def action_tracking(self) -> None:
        self.pickapp.open("track", self.order_id)
