"""Home: one field for a typed or scanned id, the recent lookups, and (in demo mode) sample ids.

This is the first frame the app draws, so it stays light: no API, httpx or pydantic
imports here. The recent lookups and samples load in a worker once the services are ready.

Scans at home (docs/ARCHITECTURE.md, "The scanner's rules"):

- An id is fetched before its screen opens: a lookup that fails stays here with its error.
- Whenever home is shown, and at every terminator, the field's whole text is selected, so a
  new scan replaces the old id and never appends to it. The field itself handles the
  terminator, in the order the keys came, so the id submitted is exactly what preceded it.
- Tab ends a scan when the profile says ``scan_terminator = "tab"``; otherwise it moves the focus.
- One lookup at a time: ids that arrive while one is being looked up (several scans in one
  burst, as after an SSH stall) are reported as not counted, and the first one opens. The
  first is what the picker scanned at home; the rest were scanned at a screen that was not
  there yet, so no guess is made about which of them they meant.
- Esc abandons a lookup under way: it is cancelled with its request, the next id starts at
  once, and the abandoned one's answer, should it still come, is dropped (each lookup carries
  its generation; only the current one shows a result or an error). F5 tries the last failed
  lookup again, as its error says.
- A product barcode is no id: home says so, and offers the worksheets opened on this
  terminal that hold the product.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static
from textual.widgets.option_list import Option

from pickterm.i18n import N_, _, ngettext
from pickterm.ids import classify, order_id_without_suffix, product_barcode
from pickterm.screens.base import BaseScreen
from pickterm.stylesheets import css
from pickterm.widgets.common import literal, styled_literal
from pickterm.widgets.footer import AppFooter
from pickterm.widgets.id_field import IdField, tab_ends_scans
from pickterm.widgets.keys import bind
from pickterm.widgets.pick_list import PickList

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient

RECENT_SHOWN = 10
# Below this width a list entry puts its description under the id.
NARROW = 60
HINT = N_("Order, worksheet, tracking or shipment")

# The sandbox's sample groups, and the kind of id each holds.
SAMPLE_KINDS = {
    "orders": "order",
    "worksheets": "worksheet",
    "shipments": "shipment",
    "tracking_numbers": "tracking",
    "facilities": "facility",
}
KIND_LABELS = {
    "order": N_("order"),
    "worksheet": N_("worksheet"),
    "shipment": N_("shipment"),
    "tracking": N_("tracking no."),
    "facility": N_("facility"),
}


def recent_kind(kind: str, ident: str) -> str:
    """A recent shipment was opened by its UUID or by its tracking number: tell which by its form."""
    if kind == "shipment":
        return "shipment" if classify(ident).kind == "shipment" else "tracking"
    return kind


async def painted(app: App[None]) -> None:
    """Let home draw what was just made ready before a worker thread takes the CPU (start-up)."""
    await asyncio.sleep(0)  # the workers waiting for it run first
    # The home screen's lists read the store in a thread of their own: wait for them too (a
    # second at most), or the API layer's imports would take the CPU while the list is drawn.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 1.0
    while loop.time() < deadline and any(w.group == "lookup-lists" and not w.is_finished for w in app.workers):
        await asyncio.sleep(0.005)
    drawn = asyncio.Event()
    app.call_after_refresh(drawn.set)
    await drawn.wait()


def _is_not_found(exc: BaseException) -> bool:
    from pickterm.api.errors import NotFoundError  # loaded by the time a lookup fails

    return isinstance(exc, NotFoundError)


def _is_upc_a(ident: str) -> bool:
    from pickterm.scan import is_valid_gtin  # pure module, no I/O

    return len(ident) == 12 and is_valid_gtin(ident)


class LookupScreen(BaseScreen):
    TITLE = N_("Lookup")
    HELP = N_(
        "Scan or type an order id, worksheet id, shipment id, tracking number or facility id, then Enter. "
        "A package's id opens its order's pack screen when the order was packed or opened on this terminal. "
        "Down moves into the recent lookups (and, in demo mode, the sample ids); Enter opens one, "
        "up from the top returns to the field. Esc clears the field and the error, and abandons a lookup under way. "
        "An id that is not found stays here with the error; F5 tries it again. A product barcode scanned "
        "here is named as such, with the worksheets opened on this terminal that hold it. "
        "One id at a time: ids scanned while one is looked up are not counted."
    )
    CSS_PATH = css("lookup")
    BINDINGS = [
        bind("lookup.clear", "clear"),
        bind("lookup.recent", "to_list", show=False),
        bind("lookup.tab", "tab_terminator", described=False, show=False),  # not priority: after the keys before it
        bind("refresh", "refresh", description=N_("Retry"), show=False),  # the failed lookup: its error names the key
    ]

    def __init__(self) -> None:
        super().__init__(subtitle=N_("scan or type an id"))
        # option id -> (kind, ident) for the entries of the list
        self._targets: dict[str, tuple[str, str]] = {}
        self._recent: list[tuple[str, str]] = []
        self._samples: dict[str, list[tuple[str, str]]] = {}
        # What a product barcode scanned here offers: (kind, ident, label), and the list's title.
        self._offers: list[tuple[str, str, str]] = []
        self._offers_title = ""
        self._narrow = False
        self._store_notice = False  # the error panel shows that the local store is unavailable
        # The id being looked up: while it is set, other ids are not counted.
        self._looking: str | None = None
        # Counts the lookups started or abandoned: a lookup's answer is shown only while it is
        # still the current one (an abandoned lookup's late answer is dropped).
        self._generation = 0
        # The last lookup that failed (kind, ident, understood): F5 tries it again.
        self._failed_lookup: tuple[str, str, str] | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield IdField(placeholder=_("Scan or type an id"), id="lookup-input")
            yield Static(Content(_(HINT)), id="lookup-understood")
            yield PickList(id="lookup-list")

    @property
    def field(self) -> IdField:
        return self.query_one("#lookup-input", IdField)

    @property
    def choices(self) -> PickList:
        return self.query_one("#lookup-list", PickList)

    def on_mount(self) -> None:
        self.field.focus()
        self.query_one(AppFooter).hold()  # home is mounted once, at start-up: its lists are drawn first
        self.load_lists()
        # The store opened or failed since: the recent lookups (or why there are none) change.
        self.watch(self.app, "store_status", self._store_changed, init=False)

    def _store_changed(self, _status: str) -> None:
        self.load_lists()

    def on_screen_resume(self) -> None:
        # Coming back from a screen: what was just opened is now the newest recent lookup,
        # and the next scan replaces the old id.
        if self.is_mounted:
            self.field.focus()
            self.field.select_all()
            self.load_lists()

    # ------------------------------------------------------------ the field

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._offers:
            self._set_offers([], "")
        target = classify(event.value)
        understood = target.understood
        if target.kind == "tracking" and (gtin := product_barcode(target.ident)):
            understood = _("Product barcode {code} ({gtin})").format(code=target.ident, gtin=gtin)
        self._say(understood if event.value.strip() else _(HINT), bad=bool(event.value.strip()) and not target.ok)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.look_up_text(event.value)

    def action_tab_terminator(self) -> None:
        """Tab (when the field does not have it) moves the focus, or ends a scan typed into the
        field while the list had the focus, for scanners set to send Tab."""
        if not tab_ends_scans(self.app):
            self.app.action_focus_next()
        elif self.field.value.strip():
            self.field.select_all()
            self.look_up_text(self.field.value)

    def look_up_text(self, text: str) -> None:
        """A submitted id (the value as submitted, never the field's later value): opened once found.

        The field is left alone here: more keys of a burst may already be in it.
        """
        target = classify(text)
        if not target.ok:
            self._say(target.understood, bad=True)
            self.app.bell()
            return
        if self._looking is not None or not self.is_active:
            self._not_counted(target.ident)
            return
        self.workers.cancel_group(self, "product")
        self._failed_lookup = None  # F5 retries what failed last, and this is newer
        if target.kind == "tracking" and (gtin := product_barcode(target.ident)):
            self.find_product(target.ident, gtin)
            return
        self.look_up(target.kind, target.ident, target.understood)

    def open_entry(self, kind: str, ident: str) -> None:
        """An entry of the list: looked up as a typed id is."""
        if self._looking is not None or not self.is_active:
            self._not_counted(ident)
            return
        self.look_up(kind, ident, ident)

    def look_up(self, kind: str, ident: str, understood: str) -> None:
        self._looking = ident  # at once: a scan right behind this one is not counted
        self._generation += 1
        self._failed_lookup = None
        self.error_panel.clear()
        self._set_offers([], "")
        self._say(f"→ {understood}…")
        self._look_up(kind, ident, understood, self._generation)

    def abandon_lookup(self) -> bool:
        """Esc while an id is looked up: the lookup is cancelled (its request with it) and its
        answer, should one still come, is dropped. Whether there was one."""
        if self._looking is None:
            return False
        self._generation += 1
        self.workers.cancel_group(self, "lookup")
        self.notify(_("✘ Not opened: {what}").format(what=self._looking), severity="warning", markup=False)
        self._looking = None
        return True

    @work(group="lookup", exclusive=True, exit_on_error=False)
    async def _look_up(self, kind: str, ident: str, understood: str, generation: int) -> None:
        from pickterm.resolve import fetch_target

        try:
            client = await self.pickapp.client()
            settings = self.pickapp.services.settings
            found = await fetch_target(
                client,
                kind,
                ident,
                state=self.pickapp.services.state,
                facility_hint=settings.default_facility if settings is not None else None,
            )
        except Exception as exc:  # shown here, never raised: home stays with the error
            if generation != self._generation:  # abandoned meanwhile: its error is no news
                return
            if kind == "worksheet" and _is_not_found(exc) and _is_upc_a(ident):
                self.find_product(ident, "UPC-A")  # twelve digits: no worksheet, but a product barcode
            elif kind == "shipment" and _is_not_found(exc):  # a package's id has the same form
                await self._find_package(ident, understood, generation)
            else:
                self._failed_lookup = (kind, ident, understood)
                self._failed(ident, understood, exc)
        else:
            if generation != self._generation:  # abandoned meanwhile: it does not open
                return
            self._say(f"→ {understood}")
            self.pickapp.open(kind, ident, found=found)  # the screen shows what was just fetched
        finally:
            if generation == self._generation:
                self._looking = None

    async def _find_package(self, ident: str, understood: str, generation: int) -> None:
        """A UUID that is no shipment's may be a package's: its order's pack screen, on it, when an
        order packed or opened on this terminal holds it (the API finds no order by a package)."""
        from pickterm.resolve import PackageNotFound, fetch_target

        try:
            found = await fetch_target(await self.pickapp.client(), "package", ident, state=self.pickapp.services.state)
        except Exception as exc:
            if generation != self._generation:
                return
            self._failed_lookup = ("shipment", ident, understood)
            if not isinstance(exc, PackageNotFound):
                self._failed(ident, understood, exc)
                return
            self.error_panel.show_message(
                _(
                    "✘ No shipment has this id, nor does a package of the orders packed or opened on this "
                    "terminal (the server finds no order by a package's id). Scan the order id or the "
                    "label's tracking number."
                )
            )
            self._say(_("✘ Not opened: {what}").format(what=understood), bad=True)
            self.app.bell()
        else:
            if generation != self._generation:
                return
            package = _("Package {id}: its order's pack screen").format(id=ident)
            self._say(f"→ {package}")
            self.pickapp.open("package", ident, found=found)

    def action_refresh(self) -> None:
        """F5: the last lookup that failed, again (its error says F5 retries)."""
        failed = self._failed_lookup
        if failed is None or self._looking is not None:
            return
        self.look_up(*failed)

    def _failed(self, ident: str, understood: str, exc: BaseException) -> None:
        hint = None
        if _is_not_found(exc) and order_id_without_suffix(ident):
            hint = _("An order id ends in -NN: try {id}-01 (its suffix).").format(id=ident)
        self.error_panel.show_error(exc, hint=hint)
        self._say(_("✘ Not opened: {what}").format(what=understood), bad=True)
        self.app.bell()

    def _not_counted(self, ident: str) -> None:
        if self._looking:
            first = _("{id} opens first (Esc abandons it)").format(id=self._looking)
        else:
            first = _("another screen has opened")
        self.notify(
            _("Not counted: {id}. One id at a time: {reason}.").format(id=ident, reason=first),
            severity="warning",
            markup=False,
        )
        self.app.bell()

    @work(group="product", exclusive=True, exit_on_error=False)
    async def find_product(self, code: str, gtin: str) -> None:
        """A product barcode at home: say so, and offer the worksheets opened here that hold it."""
        from pickterm.resolve import worksheets_holding

        self.error_panel.clear()
        self.app.bell()
        said = _("✘ {code} is a product barcode ({gtin}), no id.").format(code=code, gtin=gtin)
        self._say(said + " " + _("Looking in the worksheets opened here…"), bad=True)
        try:
            client = await self.pickapp.client()
            search = await worksheets_holding(client, self.pickapp.services.state, code)
        except Exception as exc:  # the store or the API: shown, the field stays usable
            self.error_panel.show_error(exc)
            self._say(said, bad=True)
            return
        lines = [said]
        holdings = search.holdings
        count = len({h.worksheet_id for h in holdings})
        if count:
            if count == 1:
                lines.append(_("Held by a worksheet opened here: Down, Enter opens."))
            else:
                lines.append(_("Held by {n} worksheets opened here: Down, Enter opens.").format(n=count))
        else:
            lines.append(_("No worksheet opened here holds it: scan it in its worksheet."))
        if search.unreadable:
            lines.append(
                ngettext(
                    "{n} worksheet could not be read.", "{n} worksheets could not be read.", search.unreadable
                ).format(n=search.unreadable)
            )
        offers = [
            (
                "worksheet",
                h.worksheet_id,
                ngettext("{name} · {n} left", "{name} · {n} left", h.left).format(name=h.name, n=h.left),
            )
            for h in holdings
        ]
        if order_id_without_suffix(code) and await self._order_exists(client, f"{code}-01"):
            lines.append(_("Or the order {id}-01?").format(id=code))
            offers.append(("order", f"{code}-01", _("order")))
        offers.append(("tracking", code, _("look up as tracking no.")))
        self._say(" ".join(lines), bad=True)
        self._set_offers(offers, _("Barcode {code}").format(code=code))

    def _say(self, text: str, *, bad: bool = False) -> None:
        understood = self.query_one("#lookup-understood", Static)
        understood.update(Content(text))
        understood.set_class(bad, "-bad")

    def action_clear(self) -> None:
        """Esc: abandon the lookup under way, empty the field and put the focus back on it; a
        lookup's error goes with it (F5 then has nothing to retry), the store's notice stays."""
        self.abandon_lookup()
        self.field.value = ""
        self.field.focus()
        self._failed_lookup = None
        if self._offers:
            self._set_offers([], "")
        self._say(_(HINT))
        if not self._store_notice:
            self.error_panel.clear()

    # ------------------------------------------------------------ the list

    def action_to_list(self) -> None:
        """Down from the field moves into the list."""
        if self.choices.option_count:
            self.choices.focus()
            self.choices.highlight_first()

    def on_pick_list_top_reached(self, event: PickList.TopReached) -> None:
        event.stop()
        self.choices.highlighted = None
        self.field.focus()

    def on_option_list_option_selected(self, event: PickList.OptionSelected) -> None:
        event.stop()
        target = self._targets.get(event.option.id or "")
        if target is not None:
            self.open_entry(*target)

    def on_key(self, event: events.Key) -> None:
        # A scan (or typing) while the field has no focus goes into it: nothing is lost.
        if self.focused is not self.field and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self.choices.highlighted = None
            self.field.continue_with(event.character)

    @work(exclusive=True, group="lookup-lists", exit_on_error=False)
    async def load_lists(self) -> None:
        store, services = self.pickapp.store, self.pickapp.services
        await store.ready.wait()  # the lists need the store, not the sandbox nor the API layer
        if services.state is None and store.error is not None:
            reason = getattr(store.error, "reason", store.error)
            self.error_panel.show_message(
                _(
                    "⚠ No local store: {reason}. Lookups work; recent lookups, progress and outbox are off until it opens."
                ).format(reason=reason)
            )
            self._store_notice = True
        elif self._store_notice:  # the store is back: its notice goes, a lookup's error stays
            self.error_panel.clear()
            self._store_notice = False
        recent = []
        if services.state is not None:
            try:  # off the event loop: a busy store never holds up the field
                recent = await store.recent(RECENT_SHOWN)
            except Exception as exc:  # the list is a convenience: say so, keep the field usable
                self.notify(
                    _("Could not read the recent lookups: {error}").format(error=exc), severity="warning", markup=False
                )
        self._fill([(recent_kind(r.kind, r.ident), r.ident) for r in recent], services.demo_samples())
        for footer in self.query(AppFooter):  # held at start-up until the lists are drawn
            self.call_after_refresh(footer.release)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self._fill()

    @staticmethod
    async def _order_exists(client: PickPackClient, order_id: str) -> bool:
        """Whether an order id with the suffix added is found (a barcode that was an order id after all)."""
        try:
            await client.get_order(order_id)
        except Exception:  # not found, or the API is down: no offer
            return False
        return True

    def _set_offers(self, offers: list[tuple[str, str, str]], title: str) -> None:
        self._offers, self._offers_title = offers, title
        self._fill()

    def _fill(
        self, recent: list[tuple[str, str]] | None = None, samples: dict[str, list[tuple[str, str]]] | None = None
    ) -> None:
        """(Re)build the list: recent lookups first, then the demo ids."""
        if recent is not None:
            self._recent = recent
        if samples is not None:
            self._samples = samples
        choices = self.choices
        had_focus = self.focused is choices
        self._targets = {}
        sections: list[tuple[str, list[tuple[str, str, str, str]]]] = [  # (title, [(option id, kind, ident, label)])
            (
                self._offers_title,
                [(f"offer-{index}", kind, ident, label) for index, (kind, ident, label) in enumerate(self._offers)],
            ),
            (
                _("Recent lookups"),
                [
                    (f"recent-{index}", kind, ident, _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind)
                    for index, (kind, ident) in enumerate(self._recent)
                ],
            ),
            (
                _("Demo ids"),
                [
                    (f"sample-{group}-{index}", kind, ident, label)
                    for group, kind in SAMPLE_KINDS.items()
                    for index, (ident, label) in enumerate(self._samples.get(group, []))
                ],
            ),
        ]
        width = min(max((len(entry[2]) for _title, entries in sections for entry in entries), default=0), 36)
        options: list[Option] = []
        for title, entries in sections:
            if entries:
                options.append(Option(Content.styled(title, "bold"), disabled=True))
            for option_id, kind, ident, label in entries:
                self._targets[option_id] = (kind, ident)
                options.append(Option(_entry(ident, label, None if self._narrow else width), id=option_id))
        choices.clear_options()
        choices.add_options(options)
        choices.display = bool(options)
        if had_focus:
            choices.highlight_first()


def _entry(ident: str, label: str, width: int | None) -> Content:
    """One entry: the id, then its dimmed description (below it when narrow); both literal."""
    if width is None:
        return Content.assemble(literal(ident, multiline=False), "\n", styled_literal(label, "dim"))
    return Content.assemble(literal(ident.ljust(width), multiline=False), "  ", styled_literal(label, "dim"))
