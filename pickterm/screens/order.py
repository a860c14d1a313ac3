"""One order: its notes, details, items by state, packages and payment; keys to its worksheets,
shipments, tracking and facility.

The order resource itself carries no notes in the API contract: the notes about an order are
those its worksheets attach to its items (``orderSource[].notes``, "notes related to this
order-item link"). They load after the order, from its worksheets, and show first. Notes the
server might send on the order or its items are shown too. All of it is server text: literal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from pickterm.i18n import N_, _, decimal, ngettext
from pickterm.screens.base import DataScreen
from pickterm.stylesheets import css
from pickterm.widgets.common import KeyValues, literal, status_content, status_text, styled_literal
from pickterm.widgets.keys import bind
from pickterm.widgets.scan_input import BurstGuard
from pickterm.widgets.text import block, heading, labelled

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient

WIDE = 120  # from here, details and items side by side
NARROW = 80  # below this the footer cannot show every key: the body says them
KEYS_HINT = N_(
    "{worksheets} worksheets · {shipments} shipments · {tracking} tracking · {facility} facility · {help} help"
)

GROUP_TITLES = {
    "to pick": N_("To pick"),
    "picked": N_("Picked"),
    "rejected": N_("Rejected"),
    "replaced": N_("Replaced"),
}


def group_count(state: str, n: int) -> str:
    """``3 picked``: how many items of an order are in a state, in the plural form ``n`` takes."""
    words = {
        "to pick": ngettext("{n} to pick", "{n} to pick", n),
        "picked": ngettext("{n} picked", "{n} picked", n),
        "rejected": ngettext("{n} rejected", "{n} rejected", n),
        "replaced": ngettext("{n} replaced", "{n} replaced", n),
    }
    return words[state].format(n=n)


def minutes(value: float | None) -> str:
    """Minutes (decimal) as read: ``28 min``, ``11.3 min``; ``-`` when absent."""
    if value is None:
        return "-"
    return decimal(f"{value:.1f}".removesuffix(".0")) + " min"


def order_rows(order: Any) -> list[tuple[str, Any]]:
    """The order's details as label/value rows."""
    from pickterm.api.models import format_api_datetime

    rows: list[tuple[str, Any]] = [
        (_("Order"), order.order_id),
        (_("Sequence"), order.sequence),
        (_("Status"), status_content(order.status, code=True)),
        (_("Created"), format_api_datetime(order.created_at)),
        (_("Updated"), format_api_datetime(order.updated_at)),
        (_("Ship by"), format_api_datetime(order.shipping_estimated_date_min)),
        (_("Picking"), minutes(order.picking_time)),
        (_("Packing"), minutes(order.packing_time)),
        (_("Shipping"), minutes(order.shipping_time)),
    ]
    if order.delivered_date:
        rows.append((_("Delivered"), format_api_datetime(order.delivered_date)))
    if order.is_invoiced:
        rows.append((_("Invoiced"), Content.styled(_("✔ yes"), "$success")))
        for invoice in order.invoices:
            rows.append((_("Invoice"), f"{invoice.invoice_key} · {order.money(invoice.invoice_total)}"))
        if len(order.invoices) > 1:
            rows.append((_("Invoiced total"), order.money(order.invoice_total)))
    else:
        rows.append((_("Invoiced"), Content.styled(_("✘ not invoiced"), "bold $warning")))
    if order.tags:
        rows.append((_("Tags"), ", ".join(order.tags)))
    return rows


def picture_rows(picture: Any) -> list[tuple[str, Any]]:
    """What the order's picture adds to its details: how many worksheets and shipments, and
    its facility; "-" for what could not be read (the screen works without it)."""
    facility = picture.facility
    return [
        (_("Worksheets"), "-" if picture.worksheets is None else str(len(picture.worksheets))),
        (_("Shipments"), "-" if picture.shipments is None else str(len(picture.shipments))),
        (_("Facility"), (facility.name or facility.id) if facility is not None else picture.facility_id),
    ]


def status_line(order: Any) -> Content:
    """What a picker reads first on a small screen: the status, and whether it is invoiced."""
    invoiced = Content.styled(_("✔ yes"), "$success") if order.is_invoiced else None
    if invoiced is None:
        return Content.assemble(
            status_content(order.status), " · ", Content.styled(_("✘ not invoiced"), "bold $warning")
        )
    return Content.assemble(status_content(order.status), " · ", _("Invoiced"), ": ", invoiced)


def item_block(order: Any, item: Any, state: str) -> Content:
    """One item: its name, then quantity, EAN and price; replacements and reasons below."""
    lines = [
        styled_literal(item.name, "bold"),
        literal(f"{item.quantity_text()} · EAN {item.ean or '-'} · {order.money(item.line_price)}", multiline=False),
    ]
    if state == "replaced":
        names = [replacement.name if (replacement := order.item(rid)) else rid for rid in item.replaced_by or []]
        lines.append(labelled(_("replaced by"), ", ".join(names) or "-"))
    for reason in item.reasons or []:
        text = " — ".join(part for part in (reason.reason_type, reason.reason_detail) if part) or _("no reason given")
        lines.append(labelled(_("reason"), text))
    return block(lines)


def order_blocks(order: Any) -> list[tuple[str, Content]]:
    """Items grouped as to pick / picked / rejected / replaced, then packages and payment.

    Each block is (CSS class, text): ``group`` for a section title, ``entry`` for an item,
    package or payment, ``entry-sub`` for what belongs to the entry above it.
    """
    entries = order.all_items()
    counts = {state: sum(1 for s, _item in entries if s == state) for state in GROUP_TITLES}
    summary = " · ".join(group_count(s, n) for s, n in counts.items())
    blocks = [("group", heading(_("Items"))), ("entry", Content(summary))]
    for state, title in GROUP_TITLES.items():
        if counts[state]:
            blocks.append(("group", heading(f"{_(title)} ({counts[state]})")))
            blocks += [("entry", item_block(order, item, state)) for s, item in entries if s == state]
    blocks.append(("group", heading(_("Packages ({n})").format(n=len(order.packages)))))
    if not order.packages:
        blocks.append(("entry", Content(_("none yet"))))
    for package in order.packages:
        blocks.append(("entry", block([status_content(package.status), literal(package.id)])))
        names = [item.name if (item := order.item(item_id)) else item_id for item_id in package.items_ids]
        blocks.append(
            (
                "entry-sub",
                block(literal(f"· {name}", multiline=False) for name in names) if names else Content(_("no items")),
            )
        )
    blocks.append(("group", heading(_("Payment"))))
    if not order.payment:
        blocks.append(("entry", Content(_("none"))))
    for payment in order.payment:
        blocks.append(
            (
                "entry",
                block(
                    [
                        literal(f"{payment.payment_name or '-'} · {payment.currency.code or '-'}", multiline=False),
                        labelled(_("payment id"), payment.payment_id),
                        labelled(_("transaction"), payment.transaction_id),
                    ]
                ),
            )
        )
    return blocks


Note = tuple[str | None, Any]  # (what it is about: an item's name, or None for the order; the note)


def note_fields(note: Any) -> tuple[str, str, str, str]:
    """(type, content, author, date) of a note sent as an object, a model, or plain text."""
    if isinstance(note, dict):

        def get(key: str) -> str:
            value = note.get(key)
            return "" if value is None else str(value)
    elif isinstance(note, str):
        return ("", note, "", "")
    else:

        def get(key: str) -> str:
            value = getattr(note, key, None)
            return "" if value is None else str(value)

    return (get("type"), get("content"), get("author"), get("date"))


def _extra_notes(model: Any) -> list[Any]:
    """Notes the server sent on a model the contract gives none (kept by its unknown fields)."""
    notes = (getattr(model, "model_extra", None) or {}).get("notes")
    return list(notes) if isinstance(notes, list) else []


def order_notes(order: Any, worksheets: list[Any]) -> list[Note]:
    """Every note about this order: its own, its items', then what its worksheets attach to its
    items; each once."""
    notes: list[Note] = [(None, note) for note in _extra_notes(order)]
    notes += [(item.name, note) for _, item in order.all_items() for note in _extra_notes(item)]
    for worksheet in worksheets:
        for item in [*worksheet.items, *worksheet.picked_items, *worksheet.rejected_items, *worksheet.replaced_items]:
            for source in item.order_source:
                if source.order_id == order.order_id:
                    notes += [(item.name or item.id, note) for note in source.notes]
    unique: list[Note] = []
    seen: set[tuple[str | None, tuple[str, str, str, str]]] = set()
    for subject, note in notes:
        key = (subject, note_fields(note))
        if key not in seen:
            seen.add(key)
            unique.append((subject, note))
    return unique


def note_blocks(notes: list[Note]) -> list[tuple[str, Content]]:
    """The notes as (CSS class, text) blocks: the note, then its type, author and date, dimmed."""
    from pickterm.api.models import format_api_datetime

    blocks = [("group", heading(_("Notes ({n})").format(n=len(notes))))]
    for subject, note in notes:
        kind, content, author, date = note_fields(note)
        text = literal(content or "-")
        if subject:
            text = Content.assemble(Content.styled(subject, "bold"), ": ", text)
        about = " · ".join(part for part in (kind, author, format_api_datetime(date) if date else "") if part)
        blocks.append(("entry", block([text, Content.styled(about, "dim")]) if about else text))
    return blocks


class OrderScreen(BurstGuard, DataScreen):
    RECENT = "order"
    TITLE = N_("Order")
    HELP = N_(
        "One order: its notes, status, times, invoices, its items by state (to pick, picked, rejected, replaced), "
        "packages and payment. Arrows and PgUp/PgDn scroll. w, s, t and f open its worksheets, shipments, "
        "tracking and facility."
    )
    CSS_PATH = css("order")
    BINDINGS = [
        bind("order.worksheets", "worksheets"),
        bind("order.shipments", "shipments"),
        bind("order.tracking", "tracking"),
        bind("order.facility", "facility"),
        bind("order.pack", "pack", show=False),  # the footer is full at 80 columns: help and the palette list it
    ]

    def __init__(self, order_id: str, picture: Any = None) -> None:
        """``picture``: the order's picture (:class:`pickterm.resolve.OrderPicture`) as home fetched it."""
        super().__init__(subtitle=order_id, preloaded=picture)
        self.order_id = order_id
        self.picture: Any = None  # the order's whole picture (pickterm.resolve.OrderPicture) once loaded
        self._fresh = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static("", id="order-status")
            keys = {
                name: self.pickapp.key_words(f"order.{name}")
                for name in ("worksheets", "shipments", "tracking", "facility")
            }
            yield Static(Content(_(KEYS_HINT).format(help=self.pickapp.key_words("help"), **keys)), id="order-keys")
            yield Vertical(id="order-notes")
            yield KeyValues(id="order-details")
            yield Vertical(id="order-items")

    def on_mount(self) -> None:
        self.query_one("#body").focus()
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")
        self.set_class(event.size.width < NARROW, "-narrow")
        self._place_details()

    def _place_details(self) -> None:
        """On a small screen the picker reads the status, then the items: the times and the
        invoice come after the items. From 80 columns they are above (or beside) them."""
        body = self.query_one("#body")
        details, items = self.query_one("#order-details"), self.query_one("#order-items")
        after = self.has_class("-narrow")
        if after and body.children.index(details) < body.children.index(items):
            body.move_child(details, after=items)
        elif not after and body.children.index(details) > body.children.index(items):
            body.move_child(details, before=items)

    def recent_ident(self) -> str:
        return self.order_id

    async def fetch(self, client: PickPackClient, fresh: bool) -> Any:
        from pickterm.resolve import order_picture

        self._fresh = fresh  # the notes are read as fresh as the order (F5)
        settings = self.pickapp.services.settings
        return await order_picture(
            client,
            self.order_id,
            state=self.pickapp.services.state,
            facility_hint=settings.default_facility if settings is not None else None,
            fresh=fresh,
        )

    def show(self, picture: Any) -> None:
        order = picture.order
        self.picture, self.data = picture, order  # the screen's data is the order; the rest beside it
        self.set_subtitle(f"{order.order_id} · {status_text(order.status)}")
        self.query_one("#order-details", KeyValues).set_rows(order_rows(order) + picture_rows(picture))
        self.query_one("#order-status", Static).update(status_line(order))
        items = self.query_one("#order-items", Vertical)
        items.remove_children()
        items.mount_all(Static(text, classes=cls) for cls, text in order_blocks(order))
        self.load_notes(picture, self._fresh)

    @work(exclusive=True, group="notes", exit_on_error=False)
    async def load_notes(self, picture: Any, fresh: bool = False) -> None:
        """The notes of the order's worksheets about its items (cached by the client for 30 s)."""
        import asyncio

        order = picture.order
        blocks: list[tuple[str, Content]] = []
        try:
            client = await self.pickapp.client()
            summaries = picture.worksheets
            if summaries is None:  # the picture could not list them: asked again
                summaries = await client.list_worksheets(self.order_id, fresh=fresh)
            ids = list(dict.fromkeys(summary.worksheet_id for summary in summaries))
            worksheets = await asyncio.gather(*(client.get_worksheet(ws_id, fresh=fresh) for ws_id in ids))
        except Exception as exc:  # the order is shown all the same; the missing notes are said
            worksheets = []
            blocks = [
                (
                    "entry",
                    Content.styled(
                        _("The notes of its worksheets could not be read: {error}").format(error=exc), "dim"
                    ),
                )
            ]
        notes = order_notes(order, list(worksheets))
        if notes:
            blocks = note_blocks(notes) + blocks
        elif blocks:
            blocks.insert(0, ("group", heading(_("Notes"))))
        container = self.query_one("#order-notes", Vertical)
        await container.remove_children()
        await container.mount_all(Static(text, classes=cls) for cls, text in blocks)
        container.display = bool(blocks)

    def action_worksheets(self) -> None:
        self.pickapp.open("worksheets", self.order_id)

    def action_shipments(self) -> None:
        self.pickapp.open("shipments", self.order_id)

    def action_tracking(self) -> None:
        self.pickapp.open("track", self.order_id)

    def action_pack(self) -> None:
        self.pickapp.open("pack", self.order_id)

    def action_facility(self) -> None:
        self.open_facility()

    @work(exclusive=True, group="facility", exit_on_error=False)
    async def open_facility(self) -> None:
        """The facility of the order's first worksheet that names one."""
        known = self.picture.facility_id if self.picture is not None else None
        if known is not None:
            self.pickapp.open("facility", known)
            return
        try:
            client = await self.pickapp.client()
            worksheets = await client.list_worksheets(self.order_id)
        except Exception as exc:  # shown, never raised
            self.notify(_("Could not find the facility: {error}").format(error=exc), severity="error", markup=False)
            return
        facility_id = next((ws.facility_id for ws in worksheets if ws.facility_id), None)
        if facility_id is None:
            self.notify(_("No worksheet of this order names a facility yet."), severity="warning", markup=False)
            return
        self.pickapp.open("facility", facility_id)
