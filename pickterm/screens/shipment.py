"""One shipment in full: status, carrier, courier, tracking URL, sender and receiver,
a timeline of notes and evidences, packages with their items, and labels.

Reached by the internal UUID (``by="internal"``) or the carrier's tracking number
(``by="external"``). ``a`` toggles an auto-refresh that polls no faster than every
30 s: the server caches each shipment that long, so asking sooner only costs quota.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from pickterm.i18n import N_, _
from pickterm.screens.base import DataScreen
from pickterm.stylesheets import css
from pickterm.widgets.common import KeyValues, literal, status_content, status_text, styled_literal
from pickterm.widgets.keys import bind
from pickterm.widgets.scan_input import BurstGuard
from pickterm.widgets.text import heading

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient

# The server caches a shipment for 30 s: polling faster only costs quota.
MIN_REFRESH_SECONDS = 30.0

_NOTE_STYLE = {"ERROR": ("✘", "bold $error"), "COMMENT": ("•", "$foreground")}


def _date(value: str | None) -> str:
    from pickterm.api.models import format_api_datetime

    return format_api_datetime(value)


def _number(value: Any) -> str:
    return "-" if value in (None, "") else (f"{value:g}" if isinstance(value, float) else str(value))


def party_text(party: Any) -> str:
    """``Name, City, STATE, COUNTRY ZIP`` (what is known)."""
    if party is None:
        return "-"
    place = " ".join(p for p in (party.country, party.zip_code) if p)
    return ", ".join(p for p in (party.name, party.city, party.state, place) if p) or "-"


Lines = list[tuple[int, Content]]  # (indent level, line): continuation lines keep the indent


def timeline_lines(shipment: Any) -> Lines:
    """Notes and evidences by date, oldest first; the note type as a word."""
    lines: Lines = []
    for when, kind, entry in shipment.timeline():
        if kind == "evidence":
            symbol, style = "▣", "$accent"
            word = f"EVIDENCE {entry.type}" if entry.type else "EVIDENCE"
        else:
            word = (entry.type or "NOTE").upper()
            symbol, style = _NOTE_STYLE.get(word, ("•", "$foreground"))
        head: list[str | Content] = [
            styled_literal(_date(when) if when else _("no date"), "bold"),
            " ",
            styled_literal(f"{symbol} {word}", style),
        ]
        if entry.author:
            head += [" ", Content.styled(_("by") + " ", "dim"), literal(entry.author)]
        lines.append((0, Content.assemble(*head)))
        lines.append((1, literal(entry.content or "-")))
    return lines or [(0, Content.styled(_("No notes or evidences yet."), "dim"))]


def packages_lines(shipment: Any) -> Lines:
    """Each package: envelope, size, weight, then its items."""
    lines: Lines = []
    total = len(shipment.packages)
    for number, package in enumerate(shipment.packages, 1):
        numbered = _("Package {n}/{total}").format(n=number, total=total)
        title = " · ".join(p for p in (numbered, package.envelope, package.description) if p)
        lines.append((0, styled_literal(title, "bold")))
        dims = package.dimensions
        if dims is not None and (dims.width or dims.length or dims.height):
            size = f"W {dims.width or '?'} × L {dims.length or '?'} × H {dims.height or '?'}"
        else:
            size = "-"
        lines.append(
            (
                1,
                Content.assemble(
                    Content.styled(_("size") + " ", "dim"),
                    literal(size),
                    Content.styled(" · " + _("weight") + " ", "dim"),
                    literal(package.weight or "-"),
                ),
            )
        )
        for item in package.items:
            text = Content.assemble(f"{_number(item.quantity)} × ", literal(item.name or item.id or "-"))
            if item.ean:
                text = Content.assemble(text, Content.styled(" EAN ", "dim"), literal(item.ean))
            lines.append((1, text))
        if not package.items:
            lines.append((1, Content.styled(_("no items listed"), "dim")))
    return lines or [(0, Content.styled(_("No packages."), "dim"))]


def labels_lines(shipment: Any) -> Lines:
    lines: Lines = []
    for label in shipment.labels:
        lines.append(
            (
                0,
                Content.assemble(
                    styled_literal(label.type or "LABEL", "bold"), " ", literal(label.name or label.id or "")
                ),
            )
        )
        lines.append((1, literal(label.url or "-")))
    return lines or [(0, Content.styled(_("No labels."), "dim"))]


def summary_rows(shipment: Any) -> list[tuple[str, Any]]:
    agent = shipment.agent
    service = " · ".join(p for p in (shipment.carrier_service_type, shipment.type) if p)
    return [
        (_("Status"), status_content(shipment.status, code=True)),
        (_("Tracking no."), shipment.service_id),
        (_("Carrier"), shipment.carrier_name or shipment.carrier_id),
        (_("Service"), service),
        (_("Courier"), agent.name if agent else None),
        (_("Vehicle"), agent.vehicle if agent else None),
        (_("Tracking URL"), shipment.tracking_url),
        (_("Delivered"), _date(shipment.delivered_date) if shipment.delivered_date else _("not yet")),
        (_("Order"), shipment.order_id),
        (_("Payment"), shipment.payment_method),
        (_("Comments"), shipment.comments),
        (_("Internal id"), shipment.id),
    ]


def party_rows(shipment: Any) -> list[tuple[str, Any]]:
    sender, receiver = shipment.sender, shipment.receiver
    return [
        (_("Sender"), party_text(sender)),
        (_("Pickup"), _date(sender.pickup_date) if sender and sender.pickup_date else None),
        (_("Receiver"), party_text(receiver)),
        (_("Delivery by"), _date(receiver.delivery_date) if receiver and receiver.delivery_date else None),
    ]


class ShipmentScreen(BurstGuard, DataScreen):
    RECENT = "shipment"
    TITLE = N_("Shipment")
    HELP = N_(
        "One shipment in full: status, carrier, courier, tracking URL, sender and receiver, the "
        "timeline of notes and evidences, packages with their items, and labels. a turns the "
        "auto-refresh on or off (every 30 s at most: the server caches shipments that long). "
        "o opens the order; t opens its tracking form. Up/Down/PgUp/PgDn scroll."
    )
    CSS_PATH = css("shipment")
    BINDINGS = [
        bind("shipment.auto_refresh", "toggle_auto_refresh"),
        bind("shipment.order", "order"),
        bind("shipment.tracking", "tracking"),
        bind("shipment.pack", "pack", show=False),  # help and the palette list it
    ]

    def __init__(
        self,
        shipment_id: str,
        by: Literal["internal", "external"] = "internal",
        *,
        refresh_seconds: float = MIN_REFRESH_SECONDS,
    ) -> None:
        what = _("tracking no.") if by == "external" else "id"
        super().__init__(subtitle=f"{what} {shipment_id}")
        self.shipment_id = shipment_id
        self.by = by
        # Never faster than the server's cache: 30 s.
        self.refresh_seconds = max(MIN_REFRESH_SECONDS, float(refresh_seconds))
        self.refresh_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="auto-refresh")
        with VerticalScroll(id="body"), Vertical(id="shipment-sections"):
            with Vertical(classes="section", id="section-summary"):
                yield KeyValues(id="shipment-summary")
                yield KeyValues(id="shipment-parties")
            with Vertical(classes="section", id="section-timeline"):
                yield Static(heading(_("Timeline")), classes="section-title")
                yield Vertical(id="shipment-timeline", classes="lines")
            with Vertical(classes="section", id="section-packages"):
                yield Static(heading(_("Packages")), classes="section-title")
                yield Vertical(id="shipment-packages", classes="lines")
            with Vertical(classes="section", id="section-labels"):
                yield Static(heading(_("Labels")), classes="section-title")
                yield Vertical(id="shipment-labels", classes="lines")

    def on_mount(self) -> None:
        self._show_auto_refresh()
        self.query_one("#body").focus()
        super().on_mount()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 120, "-wide")

    def recent_ident(self) -> str:
        return self.shipment_id

    async def fetch(self, client: PickPackClient, fresh: bool) -> Any:
        return await client.get_shipment(self.shipment_id, by=self.by, fresh=fresh)

    def show(self, data: Any) -> None:
        shipment = data
        self.set_subtitle(f"{shipment.service_id or shipment.id} · {status_text(shipment.status)}")
        self.query_one("#shipment-summary", KeyValues).set_rows(summary_rows(shipment))
        self.query_one("#shipment-parties", KeyValues).set_rows(party_rows(shipment))
        with self.app.batch_update():
            self._fill("#shipment-timeline", timeline_lines(shipment))
            self._fill("#shipment-packages", packages_lines(shipment))
            self._fill("#shipment-labels", labels_lines(shipment))

    def _fill(self, selector: str, lines: Lines) -> None:
        container = self.query_one(selector, Vertical)
        container.remove_children()
        container.mount_all([Static(text, classes=f"line indent-{level}") for level, text in lines])

    # ------------------------------------------------------------ auto-refresh

    @property
    def auto_refresh_on(self) -> bool:
        return self.refresh_timer is not None

    def action_toggle_auto_refresh(self) -> None:
        if self.refresh_timer is None:
            self.refresh_timer = self.set_interval(self.refresh_seconds, self.poll, name="shipment-auto-refresh")
        else:
            self.refresh_timer.stop()
            self.refresh_timer = None
        self._show_auto_refresh()

    def _show_auto_refresh(self) -> None:
        state = _("on") if self.auto_refresh_on else _("off")
        line = Content.assemble(
            _("auto-refresh every {seconds} s: ").format(seconds=f"{self.refresh_seconds:g}"),
            Content.styled(state, "bold $success" if self.auto_refresh_on else "bold"),
            Content.styled("  (a)", "dim"),
        )
        self.query_one("#auto-refresh", Static).update(line)
        self.query_one("#auto-refresh").set_class(self.auto_refresh_on, "-on")

    @work(exclusive=True, group="load", exit_on_error=False)
    async def poll(self) -> None:
        """One quiet fresh fetch (no loading indicator); errors go to the error panel."""
        try:
            client = await self.pickapp.client()
            data = await self.fetch(client, fresh=True)
        except Exception as exc:
            self.show_failure(exc)
            return
        self.error_panel.clear()
        self.data = data
        self.show(data)

    def on_screen_suspend(self) -> None:
        if self.refresh_timer is not None:
            self.refresh_timer.pause()

    def on_screen_resume(self) -> None:
        if self.refresh_timer is not None:
            self.refresh_timer.resume()

    # ------------------------------------------------------------ links

    def action_pack(self) -> None:
        """The packing station for this shipment's order."""
        if self.data is not None and self.data.order_id:
            self.pickapp.open("pack", self.data.order_id)

    def action_order(self) -> None:
        if self.data is not None and self.data.order_id:
            self.pickapp.open("order", self.data.order_id)

    def action_tracking(self) -> None:
        if self.data is not None and self.data.order_id:
            self.pickapp.open("track", self.data.order_id)
