"""The walk through a worksheet: what to pick next, what a scan means, what is done.

No Textual here: the walkthrough screen shows a :class:`PickProgress` and forwards
the picker's scans and keys to it. Every change is written to the store (a
``StateDB``: ``add_pick``, ``undo_pick``, ``set_item_state``,
``set_current_item``) *before* it changes what the walk shows, so what the screen
acknowledges is already saved: reopening the worksheet, also after a crash, lands
on the same item with the same counts.

Two terminals may walk one worksheet on one store. The store checks every pick
against its own count (every terminal's picks) as it writes it: a pick past what
the item needs, or a unit taken back below none, is refused there, the walk takes
the store's count, and the picker is told that the item was picked elsewhere.

How it works:

- Items are walked in pick-path order: by category (in the order the worksheet
  lists its ``categoriesIds``), then by name. Skipped items go to the end, in the
  order they were skipped.
- What an item still needs is its ``originalQuantity`` minus what the server
  already counts as completed (picked, rejected or replaced); local picks count
  against that.
- Worksheet items carry no EAN: :meth:`PickProgress.load_barcodes` joins them by
  id (= SKU) to the items of the worksheet's orders and builds the
  :class:`~pickterm.scan.ScanIndex` scans are matched with.
- A scan of the current item confirms one unit (or the ``N*`` prefixed quantity);
  a misread, an unknown code, another item's code, or more units than the item
  still needs is a blocking :class:`Outcome` and nothing is counted.
- A scale label (variable-measure weight) of a weighed item is checked against
  the weight the order expects (its unit multiplier, in kg): outside the
  tolerance (``ScanSettings.weight_tolerance``, ±10% by default), or 0 kg
  whatever is expected, it is a blocking error. What is recorded is what the
  label says.
- Undo takes back the last action of any kind made in this walk (a confirmation,
  a unit added or removed by key, a skip, a short), newest first; past those
  (after a restart) it takes back the last recorded confirmation. An undo never
  leaves an item with fewer than no units, or more than it needs.
- The walk is finished when every item is done or short: a skipped item is
  still to pick.

Codes, not words: an :class:`Outcome` has a :class:`Code` and the numbers and names
as fields; the UI words it (:mod:`pickterm.widgets.walk_words`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, Protocol

from pickterm.api.models import Order, OrderItem, Worksheet, WorksheetItem
from pickterm.scan import ItemKeys, Scan, ScanIndex, ScanSettings
from pickterm.store.state import ItemTotal, PickEvent, PickRefused, StateError, WorksheetProgress

if TYPE_CHECKING:
    from pickterm.jsonvalue import JSONValue

__all__ = [
    "SHORT_REASONS",
    "STATE_SYMBOLS",
    "Code",
    "Counts",
    "ItemCodes",
    "Outcome",
    "PickProgress",
    "PickStore",
    "Summary",
    "WalkItem",
]

SHORT_REASONS = ("out of stock", "damaged", "not found", "expired", "other")
"""Why an item was picked short, as the picker chooses it (stored in English, worded by the UI)."""

# Every state has a symbol (and, in the UI, a word): never colour alone.
STATE_SYMBOLS = {"done": "✔", "partial": "◐", "short": "✘", "skipped": "»", "todo": "○"}
SETTLED = frozenset({"done", "short", "skipped"})  # not visited again by the walk (skipped: at the end)
FINISHED = frozenset({"done", "short"})  # nothing left to do: the worksheet is complete when all are

OutcomeKind = Literal["pick", "info", "error"]


def _units(value: float | None) -> int:
    """A quantity of the API (a float) as whole units, never rounding a part away."""
    if not value or value <= 0:
        return 0
    return int(math.ceil(value - 1e-9))


def _natural(text: str) -> tuple[int | str, ...]:
    """``"2" < "10"``: digit runs compare as numbers."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text) if part)


def _listed(value: JSONValue) -> list[JSONValue]:
    """A value the server sends as a list, or as one value (a note as its text), or not at all."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def note_texts(notes: Iterable[object]) -> list[str]:
    """The text of every note (``Note`` models, dicts or strings), tolerant of what the server sends."""
    texts: list[str] = []
    for note in notes or ():
        if isinstance(note, str):
            text = note
        elif isinstance(note, dict):
            text = note.get("content") or ""
        else:
            text = getattr(note, "content", None) or ""
        if isinstance(text, str) and text.strip() and text.strip() not in texts:
            texts.append(text.strip())
    return texts


@dataclass(frozen=True)
class ItemCodes:
    """What an item is scanned by: its EAN, else its SKU (or reference code)."""

    ean: str | None
    sku: str
    reference_code: str | None


@dataclass
class WalkItem:
    """One worksheet item as the walk sees it: the server's numbers and the local picks."""

    id: str
    name: str
    category: str
    category_id: str
    temperature: str | None
    reference_code: str | None
    quantity: int  # units on the worksheet
    server_picked: int  # what the server already counts as picked
    server_done: int  # picked + rejected + replaced on the server
    split: list[tuple[str, int]] = field(default_factory=list)  # units per order
    # From the order items (after load_barcodes):
    ean: str | None = None
    sku: str | None = None
    weighable: bool = False
    unit_of_measure: str | None = None
    expected_kg: float | None = None  # a weighed item's expected weight per unit (the order's unit multiplier)
    notes: list[str] = field(default_factory=list)  # the orders' notes on this item (server text)
    # Local progress:
    units: int = 0
    weight_kg: float | None = None
    state: str = "todo"  # "todo" | "skipped" | "short" (the store's states)
    reason: str | None = None
    skip_seq: int = 0

    @classmethod
    def from_worksheet(cls, item: WorksheetItem) -> WalkItem:
        picked = _units(item.picked_quantity)
        if item.completed_quantity is not None:
            done = _units(item.completed_quantity)
        else:
            done = picked + _units(item.rejected_quantity) + _units(item.replaced_quantity)
        first = item.categories[0] if item.categories else None
        return cls(
            id=item.id,
            name=item.name or item.id,
            category=item.category,
            category_id=(first.id or first.name or "") if first else "",
            temperature=item.temperature,
            reference_code=item.reference_code,
            quantity=_units(item.original_quantity),
            server_picked=picked,
            server_done=done,
            split=[(order_id, _units(qty)) for order_id, qty in item.split_by_order()],
            notes=note_texts(note for src in item.order_source for note in _listed(src.notes)),
        )

    @property
    def need(self) -> int:
        """Units this walk has to pick (the worksheet's, less what the server completed)."""
        return max(0, self.quantity - self.server_done)

    @property
    def left(self) -> int:
        """Units still to pick."""
        return max(0, self.need - self.units)

    @property
    def picked(self) -> int:
        """Units picked here, at most what was needed."""
        return min(self.units, self.need)

    @property
    def status(self) -> str:
        """done, partial, short, skipped or todo."""
        if self.state == "short":
            return "short"
        if self.units >= self.need:
            return "done"
        if self.state == "skipped":
            return "skipped"
        return "partial" if self.units > 0 else "todo"

    @property
    def settled(self) -> bool:
        """Done, short or skipped: the walk does not come back to it before the others."""
        return self.status in SETTLED

    @property
    def finished(self) -> bool:
        """Done or short: nothing is left to do for it (a skipped item still waits)."""
        return self.status in FINISHED

    @property
    def codes(self) -> ItemCodes:
        """What to scan for this item."""
        return ItemCodes(self.ean or None, self.sku or self.id, self.reference_code)

    @property
    def has_barcode(self) -> bool:
        return bool(self.ean)


class Code(StrEnum):
    """What a scan or a key did (the UI words it)."""

    COUNTED = "counted"
    REMOVED = "removed"
    MOVED = "moved"  # another item is current (nothing to say)
    NO_ITEMS = "no-items"  # the worksheet has no items
    MISREAD = "misread"
    BARCODES_NOT_LOADED = "barcodes-not-loaded"
    WRONG_ITEM = "wrong-item"
    UNKNOWN_CODE = "unknown-code"
    ZERO_WEIGHT = "zero-weight"
    WRONG_WEIGHT = "wrong-weight"
    TOO_MANY = "too-many"
    NOTHING_TO_REMOVE = "nothing-to-remove"
    PICKED_ELSEWHERE = "picked-elsewhere"  # another terminal counted first: not counted
    NOT_REMOVED_ELSEWHERE = "not-removed-elsewhere"
    NOT_UNDONE_ELSEWHERE = "not-undone-elsewhere"
    NOT_UNDONE_GONE = "not-undone-gone"  # refused for an item the worksheet no longer has
    NOTHING_TO_SKIP = "nothing-to-skip"
    SKIP_DONE = "skip-done"  # the item is complete: nothing to skip
    SKIPPED = "skipped"
    NOTHING_TO_SHORT = "nothing-to-short"
    SHORT_DONE = "short-done"  # the item is complete: it cannot be short
    SHORT = "short"
    NOTHING_TO_UNDO = "nothing-to-undo"
    NO_CONFIRMATION_LEFT = "no-confirmation-left"
    UNDONE = "undone"  # a pick taken back
    UNDONE_GONE = "undone-gone"  # a pick of an item the worksheet no longer has
    UNDONE_STATE = "undone-state"  # a skip or a short taken back
    WALK_EMPTY = "walk-empty"  # no item to move to
    LAST_ITEM = "last-item"
    FIRST_ITEM = "first-item"
    NO_SUCH_ITEM = "no-such-item"
    NOT_SAVED = "not-saved"  # the store refused the write


@dataclass(frozen=True)
class Outcome:
    """What a scan or a key did: a code and its data. ``blocking`` ones must be acknowledged
    by the picker."""

    kind: OutcomeKind
    code: Code
    scanned: str = ""  # what was scanned
    item_id: str | None = None
    name: str = ""  # the item's name (server text), or the id when there is no item
    codes: ItemCodes | None = None  # what the expected item is scanned by
    units: int = 0  # the units of the scan, the key or the undo
    picked: int = 0  # the item's units picked here, after
    need: int = 0  # the units it needs
    left: int = 0  # the units still to pick
    stored: int = 0  # what the store counts, when another terminal changed the item first
    weight_kg: float | None = None  # a scale label's weight
    expected_kg: float | None = None  # the weight the order expects for the scan (None: unknown)
    tolerance: float = 0.0  # the weight tolerance (a fraction)
    other_name: str = ""  # the item the scanned code is, when it is another one
    other_status: str = ""
    missing: int = 0  # orders whose barcodes could not be loaded
    error: str = ""  # why a scan was misread, or the store refused
    reason: str = ""  # a short reason (one of SHORT_REASONS)
    state: str = ""  # the state an undo took back
    status: str = ""  # the item's status after
    moved: bool = False  # the current item changed
    finished: bool = False  # this made every item settled
    # The screen action that helps next ("items": the item list, "refresh": load again); the
    # screen names its key (the core names no key).
    action: str = ""

    @property
    def blocking(self) -> bool:
        return self.kind == "error"


@dataclass(frozen=True)
class Counts:
    items_done: int
    items_total: int
    units_done: int
    units_total: int


@dataclass(frozen=True)
class Summary:
    """Every item by what became of it."""

    done: list[WalkItem]
    short: list[WalkItem]
    skipped: list[WalkItem]
    open: list[WalkItem]  # to do or partial
    counts: Counts
    notes: list[str] = field(default_factory=list)  # the worksheet's notes

    @property
    def settled(self) -> bool:
        """Every item done or short: skipped ones are not settled."""
        return not self.open and not self.skipped


class PickStore(Protocol):
    """What the walk writes to and reads from: a :class:`~pickterm.store.state.StateDB`."""

    def add_pick(
        self,
        worksheet_id: str,
        item_id: str,
        units: int,
        weight_kg: float | None = None,
        code: str | None = None,
        *,
        limit: int | None = None,
    ) -> tuple[int, ItemTotal]: ...

    def undo_pick(
        self, worksheet_id: str, event_id: int | None = None, *, limits: Mapping[str, int] | None = None
    ) -> tuple[PickEvent, ItemTotal] | None: ...

    def item_total(self, worksheet_id: str, item_id: str) -> ItemTotal: ...

    def set_item_state(self, worksheet_id: str, item_id: str, state: str, reason: str | None = None) -> None: ...

    def set_current_item(self, worksheet_id: str, item_id: str | None) -> None: ...


# A walk's action, for undo: (kind, item id, state and reason before, pick event id).
_Action = tuple[Literal["pick", "state"], str, tuple[str, str | None] | None, int | None]


class PickProgress:
    """The state of one worksheet's walk, and every action on it.

    ``store`` is a ``StateDB`` (or None: nothing is saved, for previews and tests).
    ``progress`` is what ``store.load_progress`` returned for the worksheet.
    """

    def __init__(
        self,
        worksheet: Worksheet,
        *,
        store: PickStore | None = None,
        progress: WorksheetProgress | None = None,
        settings: ScanSettings | None = None,
    ) -> None:
        self.worksheet = worksheet
        self.worksheet_id = worksheet.worksheet_id
        self.store = store
        self.settings = settings or ScanSettings()
        self.notes = note_texts(n for a in worksheet.picker_assignment for n in (a.notes or []))
        # This walk's actions, for undo, newest last.
        self._history: list[_Action] = []
        self.items: dict[str, WalkItem] = {}
        for ws_item in worksheet.items:
            if ws_item.id not in self.items:
                self.items[ws_item.id] = WalkItem.from_worksheet(ws_item)
        if progress is not None:
            for item_id, local in progress.items.items():
                item = self.items.get(item_id)
                if item is None:
                    continue
                item.units = max(0, local.units)
                item.weight_kg = local.weight_kg
                item.state = local.state
                item.reason = local.reason
                item.skip_seq = local.skip_seq
        ranks = {cid: n for n, cid in enumerate(worksheet.categories_ids)}

        def path_key(item: WalkItem) -> tuple[int, tuple[int | str, ...], str, str, str]:
            rank = ranks.get(item.category_id, len(ranks))
            return (rank, _natural(item.category_id), item.category.casefold(), item.name.casefold(), item.id)

        self._path = sorted(self.items, key=lambda i: path_key(self.items[i]))
        self.walk: list[str] = []
        self._position: dict[str, int] = {}
        self._reorder()
        self.index: ScanIndex | None = None
        self.missing_orders: list[str] = []
        # Running totals, kept up to date item by item (a scan never walks every item).
        self._units_total = sum(item.quantity for item in self.items.values())
        self._items_done = self._units_done = self._open = 0
        for item in self.items.values():
            self._tally(item, +1)
        remembered = progress.current_item if progress is not None else None
        if remembered is not None and remembered in self.items:
            self.current_id: str | None = remembered
        else:
            self.current_id = self._first_open()

    # ------------------------------------------------------------ barcodes

    def worksheet_keys(self) -> list[ItemKeys]:
        """What the worksheet alone says an item is scanned by: its SKU and reference code."""
        return [ItemKeys(item_id=i.id, sku=i.id, reference_code=i.reference_code) for i in self.items.values()]

    def load_barcodes(self, orders: Iterable[Order], missing: Iterable[str] = ()) -> None:
        """Join the items to the orders' items (EAN, SKU, reference code, weighable) and
        build the scan index. ``missing`` names orders that could not be fetched."""
        by_order: dict[str, dict[str, OrderItem]] = {}
        for order in orders:
            by_order[order.order_id] = {item.id: item for _, item in order.all_items()}
        keys = self.worksheet_keys()
        for item in self.items.values():
            for order_id in [o for o, _qty in item.split] or list(by_order):
                order_item = by_order.get(order_id, {}).get(item.id)
                if order_item is None:
                    continue
                keys.append(
                    ItemKeys(
                        item_id=item.id,
                        ean=order_item.ean,
                        sku=order_item.sku or order_item.id,
                        reference_code=order_item.reference_code,
                    )
                )
                item.ean = item.ean or order_item.ean
                item.sku = item.sku or order_item.sku
                item.weighable = item.weighable or order_item.weighable_product
                item.unit_of_measure = item.unit_of_measure or order_item.unit_of_measure
                if order_item.weighable_product and item.expected_kg is None:
                    multiplier = order_item.unit_multiplier
                    if isinstance(multiplier, (int, float)) and multiplier > 0:
                        item.expected_kg = float(multiplier)
        self.missing_orders = list(missing)
        self.index = ScanIndex(keys, layout=self.settings.layout)

    @property
    def index_ready(self) -> bool:
        return self.index is not None

    # ------------------------------------------------------------ reading

    @property
    def current(self) -> WalkItem | None:
        return self.items.get(self.current_id) if self.current_id else None

    def position(self, item_id: str | None = None) -> int:
        """0-based place of an item (the current one by default) in the walk."""
        return self._position.get(item_id or self.current_id or "", -1)

    def counts(self) -> Counts:
        total = self._units_total
        return Counts(self._items_done, len(self.items), min(self._units_done, total), total)

    def _tally(self, item: WalkItem, sign: int) -> None:
        """Add (+1) or take away (-1) what ``item`` contributes to the running totals."""
        status = item.status
        self._items_done += sign * (status == "done")
        self._units_done += sign * (item.server_done + item.picked)
        self._open += sign * (status not in FINISHED)

    @contextmanager
    def _changing(self, item: WalkItem) -> Iterator[None]:
        """Keep the totals right around a change of ``item``."""
        self._tally(item, -1)
        try:
            yield
        finally:
            self._tally(item, +1)

    @property
    def all_settled(self) -> bool:
        """Every item done or short (a skipped one is still to pick)."""
        return self._open == 0

    def summary(self) -> Summary:
        groups: dict[str, list[WalkItem]] = {"done": [], "short": [], "skipped": [], "open": []}
        for item_id in self.walk:
            item = self.items[item_id]
            status = item.status
            groups[status if status in SETTLED else "open"].append(item)
        return Summary(
            groups["done"], groups["short"], groups["skipped"], groups["open"], self.counts(), notes=list(self.notes)
        )

    def next_open_after(self, item_id: str | None) -> str | None:
        """The item the walk goes to after ``item_id`` is settled (None when nothing is open)."""
        return self._next_open(item_id or "")

    # ------------------------------------------------------------ scans

    def evaluate(self, raw: str) -> Outcome:
        """What a scan would do, without doing it."""
        scan = self.settings.parse(raw)
        return self._evaluate(scan, raw)

    def _evaluate(self, scan: Scan, raw: str) -> Outcome:
        item = self.current
        shown = scan.code or raw.strip()
        if item is None:
            return Outcome("error", Code.NO_ITEMS, scanned=shown)
        if not scan.ok:
            return Outcome(
                "error", Code.MISREAD, scanned=shown, name=item.name, codes=item.codes, error=scan.error or ""
            )
        if self.index is None:
            return Outcome("error", Code.BARCODES_NOT_LOADED, scanned=shown, name=item.name, codes=item.codes)
        matches = self.index.lookup(scan)
        if item.id not in matches:
            if matches:
                other = self.items[matches[0]]
                return Outcome(
                    "error",
                    Code.WRONG_ITEM,
                    scanned=shown,
                    name=item.name,
                    codes=item.codes,
                    other_name=other.name,
                    other_status=other.status,
                    item_id=other.id,
                    action="items",
                )
            missing = len(self.missing_orders)
            return Outcome(
                "error",
                Code.UNKNOWN_CODE,
                scanned=shown,
                name=item.name,
                codes=item.codes,
                missing=missing,
                action="refresh" if missing else "",
            )
        if scan.weight_kg is not None:
            wrong_weight = self._check_weight(item, scan, shown)
            if wrong_weight is not None:
                return wrong_weight
        return self._check_quantity(item, scan.quantity, weight_kg=scan.weight_kg, scanned=shown)

    def _check_weight(self, item: WalkItem, scan: Scan, shown: str) -> Outcome | None:
        """A scale label's weight: never 0, and within the tolerance of what the order expects."""
        weight = scan.weight_kg or 0.0
        expected = item.expected_kg * scan.quantity if item.expected_kg is not None else None
        tolerance = self.settings.weight_tolerance

        def refused(code: Code) -> Outcome:
            return Outcome(
                "error",
                code,
                scanned=shown,
                name=item.name,
                weight_kg=weight,
                expected_kg=expected,
                tolerance=tolerance,
                item_id=item.id,
            )

        if weight <= 0:
            return refused(Code.ZERO_WEIGHT)
        if expected is None or abs(weight - expected) <= expected * tolerance + 1e-9:
            return None
        return refused(Code.WRONG_WEIGHT)

    def _check_quantity(
        self, item: WalkItem, units: int, *, weight_kg: float | None = None, scanned: str = ""
    ) -> Outcome:
        if units > item.left:
            self._refresh(item)  # another terminal may have taken units back: the store's count decides
        if units > item.left:
            return Outcome(
                "error",
                Code.TOO_MANY,
                scanned=scanned,
                name=item.name,
                picked=item.picked,
                need=item.need,
                left=item.left,
                item_id=item.id,
                units=units,
            )
        return Outcome("pick", Code.COUNTED, scanned=scanned, item_id=item.id, units=units, weight_kg=weight_kg)

    def scan(self, raw: str) -> Outcome:
        """Handle one scan: count it (saved first) or say why not."""
        scan = self.settings.parse(raw)
        outcome = self._evaluate(scan, raw)
        if outcome.kind != "pick":
            return outcome
        return self._pick(outcome.item_id or "", outcome.units, weight_kg=outcome.weight_kg, code=scan.code)

    def add_unit(self) -> Outcome:
        """Confirm one unit of the current item by key (for items without a barcode)."""
        item = self.current
        if item is None:
            return Outcome("info", Code.NO_ITEMS)
        outcome = self._check_quantity(item, 1)
        if outcome.kind != "pick":
            return outcome
        return self._pick(item.id, 1, code=None)

    def remove_unit(self) -> Outcome:
        """Take back one unit of the current item (its share of any recorded weight too)."""
        item = self.current
        if item is None or item.units <= 0:
            return Outcome("info", Code.NOTHING_TO_REMOVE)
        weight = None
        if item.weight_kg is not None:
            weight = -round(item.weight_kg / item.units, 6)
        total: ItemTotal | None = None
        event_id = None
        try:
            if self.store is not None:
                event_id, total = self.store.add_pick(self.worksheet_id, item.id, -1, weight_kg=weight, code=None)
        except PickRefused as refused:
            return self._changed_elsewhere(item, refused.total, Code.NOT_REMOVED_ELSEWHERE)
        except Exception as exc:
            return _not_saved(exc)
        with self._changing(item):
            self._apply(item, -1, weight, total)
        self._history.append(("pick", item.id, None, event_id))
        return Outcome(
            "info", Code.REMOVED, name=item.name, picked=item.picked, need=item.need, item_id=item.id, units=-1
        )

    def _pick(self, item_id: str, units: int, *, weight_kg: float | None = None, code: str | None) -> Outcome:
        item = self.items[item_id]
        was_settled = self.all_settled
        before = (item.state, item.reason) if item.state != "todo" else None
        total: ItemTotal | None = None
        event_id = None
        try:
            if self.store is not None:
                event_id, total = self.store.add_pick(
                    self.worksheet_id, item_id, units, weight_kg=weight_kg, code=code, limit=item.need
                )
                if item.state != "todo":
                    self.store.set_item_state(self.worksheet_id, item_id, "todo")
        except PickRefused as refused:
            return self._changed_elsewhere(item, refused.total, Code.PICKED_ELSEWHERE, scanned=code or "")
        except Exception as exc:
            return _not_saved(exc)
        self._history.append(("pick", item_id, before, event_id))
        with self._changing(item):
            if item.state != "todo":
                item.state, item.reason, item.skip_seq = "todo", None, 0
                self._reorder()
            self._apply(item, units, weight_kg, total)
        status = item.status
        moved = self._advance(item_id) if status == "done" else False
        return Outcome(
            "pick",
            Code.COUNTED,
            scanned=code or "",
            name=item.name,
            picked=item.picked,
            need=item.need,
            status=status,
            item_id=item_id,
            units=units,
            weight_kg=weight_kg,
            moved=moved,
            finished=not was_settled and self.all_settled,
        )

    def _apply(self, item: WalkItem, units: int, weight_kg: float | None, stored: ItemTotal | None = None) -> None:
        """Count ``units`` (and ``weight_kg``) for ``item``; with ``stored`` (the store's count
        after the write, every terminal's picks) the item takes that count instead."""
        if stored is not None:
            item.units = max(0, stored.units)
            weight = stored.weight_kg
            item.weight_kg = round(weight, 6) if weight is not None and item.units > 0 and weight > 1e-9 else None
            return
        item.units = max(0, item.units + units)
        if weight_kg is not None:
            total = (item.weight_kg or 0.0) + weight_kg
            item.weight_kg = round(total, 6) if item.units > 0 and total > 1e-9 else None

    def _refresh(self, item: WalkItem) -> None:
        """Take the store's count of ``item`` (every terminal's picks), when it can be read."""
        if self.store is None:
            return
        try:
            stored = self.store.item_total(self.worksheet_id, item.id)
        except Exception:  # the write that follows says what is wrong with the store
            return
        with self._changing(item):
            self._apply(item, 0, None, stored)

    def _changed_elsewhere(self, item: WalkItem, stored: ItemTotal, code: Code, *, scanned: str = "") -> Outcome:
        """The store refused a pick or an undo: another terminal changed ``item`` first. The
        walk takes the store's count (and moves on when that completes the item); a blocking
        outcome says so."""
        was_done = item.status == "done"
        with self._changing(item):
            self._apply(item, 0, None, stored)
        if item.status == "done" and not was_done:
            self._advance(item.id)
        return Outcome(
            "error",
            code,
            scanned=scanned,
            name=item.name,
            stored=stored.units,
            need=item.need,
            item_id=item.id,
            moved=item.id != self.current_id,
        )

    # ------------------------------------------------------------ states

    def _record_state(self, item: WalkItem, state: str, reason: str | None = None) -> Outcome | None:
        """Store an item's new state and remember the old one for undo; an Outcome when the store refused."""
        before = (item.state, item.reason)
        try:
            if self.store is not None:
                self.store.set_item_state(self.worksheet_id, item.id, state, reason)
        except Exception as exc:
            return _not_saved(exc)
        self._history.append(("state", item.id, before, None))
        return None

    def skip(self) -> Outcome:
        """Pick the current item later: it moves to the end of the walk."""
        item = self.current
        if item is None:
            return Outcome("info", Code.NOTHING_TO_SKIP)
        if item.status == "done":
            return Outcome("info", Code.SKIP_DONE, name=item.name, item_id=item.id)
        was_settled = self.all_settled
        after = self._next_open(item.id)
        refused = self._record_state(item, "skipped")
        if refused is not None:
            return refused
        with self._changing(item):
            item.state, item.reason = "skipped", None
            item.skip_seq = max((i.skip_seq for i in self.items.values()), default=0) + 1
        self._reorder()
        moved = self._go(after or self._first_open() or item.id)
        return Outcome(
            "info",
            Code.SKIPPED,
            name=item.name,
            item_id=item.id,
            moved=moved,
            finished=not was_settled and self.all_settled,
        )

    def short(self, reason: str) -> Outcome:
        """Mark the current item short (fewer units than ordered) for ``reason``."""
        item = self.current
        if item is None:
            return Outcome("info", Code.NOTHING_TO_SHORT)
        if item.status == "done":
            return Outcome("info", Code.SHORT_DONE, name=item.name, item_id=item.id)
        was_settled = self.all_settled
        refused = self._record_state(item, "short", reason)
        if refused is not None:
            return refused
        reorder = item.state == "skipped"
        with self._changing(item):
            item.state, item.reason, item.skip_seq = "short", reason, 0
        if reorder:
            self._reorder()
        moved = self._advance(item.id)
        return Outcome(
            "info",
            Code.SHORT,
            name=item.name,
            picked=item.picked,
            need=item.need,
            reason=reason,
            item_id=item.id,
            moved=moved,
            finished=not was_settled and self.all_settled,
        )

    def undo(self) -> Outcome:
        """Take back the last action of this walk (a confirmation, a unit by key, a skip, a
        short) and go back to its item; with none left, the last recorded confirmation."""
        event_id = None
        if self._history:
            kind, item_id, before, event_id = self._history[-1]
            if kind == "state" and before is not None:  # a state action always has the one before
                return self._undo_state(item_id, before)
        if self.store is None:
            return Outcome("info", Code.NOTHING_TO_UNDO)
        limits = {i: item.need for i, item in self.items.items()}
        try:
            undone = self.store.undo_pick(self.worksheet_id, event_id, limits=limits)
        except PickRefused as refused:
            if self._history:
                self._history.pop()  # it can never be undone now: the next undo goes further back
            item = self.items.get(refused.item_id)
            if item is None:
                return Outcome("error", Code.NOT_UNDONE_GONE, name=refused.item_id)
            return self._changed_elsewhere(item, refused.total, Code.NOT_UNDONE_ELSEWHERE)
        except Exception as exc:
            return _not_saved(exc)
        before = None
        if self._history:
            before = self._history.pop()[2]
        if undone is None:
            return Outcome("info", Code.NO_CONFIRMATION_LEFT)
        event, stored = undone
        item = self.items.get(event.item_id)
        if item is None:  # recorded for an item the worksheet no longer has
            return Outcome("info", Code.UNDONE_GONE, name=event.item_id, units=-event.units)
        with self._changing(item):
            self._apply(item, -event.units, -event.weight_kg if event.weight_kg is not None else None, stored)
        if before is not None:  # the confirmation had brought a skipped or short item back: it is again
            try:
                self._restore_state(item, before)
            except Exception as exc:
                return _not_saved(exc)
        moved = self._go(item.id)
        return Outcome(
            "info",
            Code.UNDONE,
            name=item.name,
            picked=item.picked,
            need=item.need,
            item_id=item.id,
            units=-event.units,
            moved=moved,
        )

    def _undo_state(self, item_id: str, before: tuple[str, str | None]) -> Outcome:
        item = self.items[item_id]
        undone = item.state
        try:
            self._restore_state(item, before)
        except Exception as exc:
            return _not_saved(exc)
        self._history.pop()
        moved = self._go(item.id)
        return Outcome(
            "info",
            Code.UNDONE_STATE,
            name=item.name,
            state=undone,
            status=item.status,
            item_id=item.id,
            moved=moved,
        )

    def _restore_state(self, item: WalkItem, before: tuple[str, str | None]) -> None:
        """Put an item back in the state it had (saved first)."""
        state, reason = before
        if self.store is not None:
            self.store.set_item_state(self.worksheet_id, item.id, state, reason)
        with self._changing(item):
            item.state, item.reason = state, (reason if state != "todo" else None)
            # A skipped item goes back to the end, as the store numbers it.
            item.skip_seq = max((i.skip_seq for i in self.items.values()), default=0) + 1 if state == "skipped" else 0
        self._reorder()

    # ------------------------------------------------------------ moving

    def next(self) -> Outcome:
        return self._step(+1)

    def previous(self) -> Outcome:
        return self._step(-1)

    def _step(self, delta: int) -> Outcome:
        if not self.walk:
            return Outcome("info", Code.WALK_EMPTY)
        target = self.position() + delta
        if not 0 <= target < len(self.walk):
            return Outcome("info", Code.LAST_ITEM if delta > 0 else Code.FIRST_ITEM, action="items")
        self._go(self.walk[target])
        return Outcome("info", Code.MOVED, item_id=self.current_id, moved=True)

    def open(self, item_id: str) -> Outcome:
        """Make any item the current one (from the list)."""
        if item_id not in self.items:
            return Outcome("info", Code.NO_SUCH_ITEM, name=item_id)
        moved = self._go(item_id)
        return Outcome("info", Code.MOVED, item_id=item_id, moved=moved)

    def _go(self, item_id: str | None) -> bool:
        """Make ``item_id`` current and remember it in the store. True when it changed."""
        if item_id is None or item_id == self.current_id:
            return False
        if self.store is not None:
            try:
                self.store.set_current_item(self.worksheet_id, item_id)
            except Exception:  # where the picker stands is a convenience: the move still happens
                pass
        self.current_id = item_id
        return True

    def _advance(self, from_id: str) -> bool:
        """After an item is settled: the next open item, else the first skipped one."""
        return self._go(self._next_open(from_id) or self._first_skipped())

    def _next_open(self, from_id: str) -> str | None:
        """The next to-do or partial item after ``from_id`` in the walk (wrapping round)."""
        start = self._position.get(from_id, -1)
        count = len(self.walk)
        for step in range(1, count + 1):
            item_id = self.walk[(start + step) % count]
            if item_id != from_id and not self.items[item_id].settled:
                return item_id
        return None

    def _first_open(self) -> str | None:
        for item_id in self.walk:
            if not self.items[item_id].settled:
                return item_id
        return self._first_skipped() or (self.walk[0] if self.walk else None)

    def _first_skipped(self) -> str | None:
        for item_id in self.walk:
            if self.items[item_id].status == "skipped":
                return item_id
        return None

    def _reorder(self) -> None:
        skipped = sorted(
            (i for i in self._path if self.items[i].state == "skipped"), key=lambda i: self.items[i].skip_seq
        )
        self.walk = [i for i in self._path if self.items[i].state != "skipped"] + skipped
        self._position = {item_id: n for n, item_id in enumerate(self.walk)}


def _not_saved(exc: BaseException) -> Outcome:
    # A StateError's reason is the cause alone ("another pickterm holds it locked"), without the file.
    error = exc.reason if isinstance(exc, StateError) else str(exc)
    return Outcome("error", Code.NOT_SAVED, error=error)
