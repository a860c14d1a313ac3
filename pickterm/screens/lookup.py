"""Home: one field for a typed or scanned id, the recent lookups, and (in demo mode) sample ids.

This is the first frame the app draws, so it stays light: no API, httpx or pydantic
imports here. The recent lookups and samples load in a worker once the services are ready.
"""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static
from textual.widgets.option_list import Option

from pickterm.app import css
from pickterm.ids import classify
from pickterm.screens.base import BaseScreen
from pickterm.widgets.common import literal, styled_literal
from pickterm.widgets.pick_list import PickList

RECENT_SHOWN = 10
# Below this width a list entry puts its description under the id.
NARROW = 60
HINT = "Order, worksheet, tracking or shipment"

# The sandbox's sample groups, and the kind of id each holds.
SAMPLE_KINDS = {
    "orders": "order",
    "worksheets": "worksheet",
    "shipments": "shipment",
    "tracking_numbers": "tracking",
    "facilities": "facility",
}
KIND_LABELS = {
    "order": "order",
    "worksheet": "worksheet",
    "shipment": "shipment",
    "tracking": "tracking no.",
    "facility": "facility",
}


def recent_kind(kind: str, ident: str) -> str:
    """A recent shipment was opened by its UUID or by its tracking number: tell which by its form."""
    if kind == "shipment":
        return "shipment" if classify(ident).kind == "shipment" else "tracking"
    return kind


def open_target(app, kind: str, ident: str) -> None:
    """Open the screen for an id of a known kind."""
    if kind == "order":
        app.open_order(ident)
    elif kind == "worksheet":
        app.open_worksheet(ident)
    elif kind == "shipment":
        app.open_shipment(ident, by="internal")
    elif kind == "tracking":
        app.open_shipment(ident, by="external")
    elif kind == "facility":
        app.open_facility(ident)


class IdField(Input):
    """The lookup field. Focus selects its text (a new scan replaces the old id), except when
    typing that began in the list is handed over to it."""

    _continue_typing = False

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


class LookupScreen(BaseScreen):
    TITLE = "Lookup"
    HELP = (
        "Scan or type an order id, worksheet id, shipment id, tracking number or facility id, then Enter. "
        "Down moves into the recent lookups (and, in demo mode, the sample ids); Enter opens one, "
        "up from the top returns to the field. Esc clears the field."
    )
    CSS_PATH = css("lookup")
    BINDINGS = [
        Binding("escape", "clear", "Clear"),
        Binding("down", "to_list", "Recent", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(subtitle="scan or type an id")
        # option id -> (kind, ident) for the entries of the list
        self._targets: dict[str, tuple[str, str]] = {}
        self._recent: list[tuple[str, str]] = []
        self._samples: dict[str, list[tuple[str, str]]] = {}
        self._narrow = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield IdField(placeholder="Scan or type an id", id="lookup-input")
            yield Static(Content(HINT), id="lookup-understood")
            yield PickList(id="lookup-list")

    @property
    def field(self) -> IdField:
        return self.query_one("#lookup-input", IdField)

    @property
    def choices(self) -> PickList:
        return self.query_one("#lookup-list", PickList)

    def on_mount(self) -> None:
        self.field.focus()
        self.load_lists()

    def on_screen_resume(self) -> None:
        # Coming back from a screen: what was just opened is now the newest recent lookup.
        if self.is_mounted:
            self.load_lists()

    # ------------------------------------------------------------ the field

    def on_input_changed(self, event: Input.Changed) -> None:
        target = classify(event.value)
        self._say(target.understood if event.value.strip() else HINT,
                  bad=bool(event.value.strip()) and not target.ok)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        target = classify(event.value)
        if not target.ok:
            self._say(target.understood, bad=True)
            self.app.bell()
            return
        self._say(f"→ {target.understood}")
        open_target(self.app, target.kind, target.ident)

    def _say(self, text: str, *, bad: bool = False) -> None:
        understood = self.query_one("#lookup-understood", Static)
        understood.update(Content(text))
        understood.set_class(bad, "-bad")

    def action_clear(self) -> None:
        """Esc: empty the field and put the focus back on it."""
        self.field.value = ""
        self.field.focus()

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
            open_target(self.app, *target)

    def on_key(self, event: events.Key) -> None:
        # A scan (or typing) while the list has the focus goes into the field: nothing is lost.
        if self.focused is self.choices and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self.choices.highlighted = None
            self.field.continue_with(event.character)

    @work(exclusive=True, group="lookup-lists", exit_on_error=False)
    async def load_lists(self) -> None:
        if await self.app.ready() is not None:
            return
        recent = []
        if self.app.state is not None:
            try:
                recent = self.app.state.recent(limit=RECENT_SHOWN)
            except Exception as exc:  # the list is a convenience: say so, keep the field usable
                self.notify(f"Could not read the recent lookups: {exc}", severity="warning", markup=False)
        samples = self.app.sandbox.samples() if self.app.demo and self.app.sandbox is not None else {}
        self._fill([(recent_kind(r.kind, r.ident), r.ident) for r in recent], samples)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self._fill()

    def _fill(self, recent: list[tuple[str, str]] | None = None,
              samples: dict[str, list[tuple[str, str]]] | None = None) -> None:
        """(Re)build the list: recent lookups first, then the demo ids."""
        if recent is not None:
            self._recent = recent
        if samples is not None:
            self._samples = samples
        choices = self.choices
        had_focus = self.focused is choices
        self._targets = {}
        sections: list[tuple[str, list[tuple[str, str, str, str]]]] = [  # (title, [(option id, kind, ident, label)])
            ("Recent lookups", [(f"recent-{index}", kind, ident, KIND_LABELS.get(kind, kind))
                                for index, (kind, ident) in enumerate(self._recent)]),
            ("Demo ids", [(f"sample-{group}-{index}", kind, ident, label)
                          for group, kind in SAMPLE_KINDS.items()
                          for index, (ident, label) in enumerate(self._samples.get(group, []))]),
        ]
        width = min(max((len(entry[2]) for _, entries in sections for entry in entries), default=0), 36)
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
