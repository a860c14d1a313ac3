"""The packing station's rules, without a screen: which package a scan counts for, when a
package is packed, when its label may print, and when it is done.

The packages are the server's (the shipments' ``packages[]``, with items, EAN and quantity);
the check is local and stored after every step (:class:`~pickterm.store.state.StateDB`'s pack
events), so a session resumes after ``kill -9`` from the store alone. Every answer is an
:class:`Outcome` with a ``code`` (see :data:`OUTCOMES`) and data; the screens word them.

A package goes: packing -> packed (every unit scanned) -> printed (a label sent) -> done (its
label's barcode, the shipment's tracking number, scanned on the box). A label is printed once
on its own; again only when asked (a reprint, counted), and before the package is packed only
with a reason (a forced print), which the store keeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from pickterm.api.models import Label, Order, Shipment
from pickterm.labels import LabelData, LabelError, fetch_label
from pickterm.printers import Printer, PrintError, send_job
from pickterm.scan import ScanSettings, is_valid_gtin, normalize_gtin
from pickterm.store.state import PackEvent, PackRefused, StateDB

__all__ = [
    "OUTCOMES",
    "Outcome",
    "PackItem",
    "PackPackage",
    "PackSession",
    "HISTORY_KINDS",
    "HistoryEntry",
    "ShipmentPrints",
    "build_packages",
    "choose_label",
    "pack_history",
    "record_shipment_print",
    "shipment_prints",
]

# code -> meaning. Blocking ones (the screen stops the packer until Esc) are in BLOCKING.
OUTCOMES = {
    "counted": "a unit counted for the current package",
    "packed": "the unit completed the package",
    "item_complete": "every unit of that item is already in the box",
    "wrong_package": "the item belongs to another package",
    "not_in_order": "the code is no item of this order",
    "bad_check_digit": "a misread: the check digit is wrong",
    "bad_scan": "the scan cannot be read",
    "label_confirmed": "the label scanned is this package's: the package is done",
    "label_wrong": "the label scanned belongs to another package or shipment",
    "label_not_printed": "a tracking number scanned before this package's label printed",
    "label_unpacked": "the label scanned on a box that is not fully packed (units were taken back)",
    "no_ean": "the item has no EAN: it is confirmed by key, never by a scan",
    "all_done": "every package of the order is done",
    "undone": "the last unit was taken back",
    "nothing_to_undo": "nothing to take back",
    "not_packed": "the package is not fully packed: a label needs a reason",
    "already_printed": "the label printed already: a reprint must be asked",
    "printed": "the label was sent to the printer",
    "no_label": "the package's shipment has no label to print yet (none with an address to fetch it from)",
    "label_failed": "the label could not be fetched",
    "print_failed": "the printer did not take the job (kept; nothing printed)",
    "print_uncertain": "the job may have printed",
    "refused": "another terminal counted that unit first",
}
BLOCKING = frozenset(
    {
        "item_complete",
        "wrong_package",
        "not_in_order",
        "bad_check_digit",
        "bad_scan",
        "label_wrong",
        "label_not_printed",
        "label_unpacked",
        "no_ean",
        "refused",
    }
)


@dataclass(frozen=True)
class PackItem:
    """One line of a package: ``key`` is unique within the package."""

    key: str
    name: str
    ean: str | None
    quantity: int


@dataclass(frozen=True)
class PackPackage:
    """One box to pack: its items, what the server says of it, its shipment and labels."""

    package_id: str
    shipment_id: str
    tracking: str | None
    items: tuple[PackItem, ...]
    weight: str | None = None
    dimensions: str | None = None
    description: str | None = None
    labels: tuple[Label, ...] = ()
    status: str | None = None

    @property
    def units(self) -> int:
        return sum(item.quantity for item in self.items)


def _same_code(a: str, b: str) -> bool:
    if a.isdigit() and b.isdigit():
        return a.lstrip("0") == b.lstrip("0")
    return a.strip().upper() == b.strip().upper()


def build_packages(order: Order | None, shipments: Iterable[Shipment]) -> list[PackPackage]:
    """The order's packages from its shipments (items with EAN and quantity), in shipment
    order; the order's own ``packages[]`` lends its status."""
    status = {p.id: p.status for p in (order.packages if order is not None else [])}
    packages: list[PackPackage] = []
    seen: set[str] = set()
    for shipment in shipments:
        for index, package in enumerate(shipment.packages, start=1):
            package_id = package.id or f"{shipment.id}#{index}"
            if package_id in seen:  # one package id in two shipments: each box is its own
                package_id = f"{package_id}@{shipment.id}"
            seen.add(package_id)
            items = []
            for number, item in enumerate(package.items, start=1):
                quantity = int(item.quantity or 0)
                if quantity <= 0:
                    continue
                ean = item.ean.strip() if item.ean and item.ean.strip() else None
                items.append(PackItem(key=item.id or f"#{number}", name=item.name or "", ean=ean, quantity=quantity))
            dims = package.dimensions
            dimensions = None
            if dims is not None and any((dims.width, dims.length, dims.height)):
                dimensions = " x ".join(v or "?" for v in (dims.length, dims.width, dims.height))
            packages.append(
                PackPackage(
                    package_id=package_id,
                    shipment_id=shipment.id,
                    tracking=shipment.service_id,
                    items=tuple(items),
                    weight=package.weight,
                    dimensions=dimensions,
                    description=package.description,
                    labels=tuple(shipment.labels),
                    status=status.get(package_id),
                )
            )
    return packages


# What each kind of printer prefers, best first.
_PREFERENCE = {"tcp": ("ZPL", "TEXT", "BASE64"), "cups": ("ZPL", "PDF", "BASE64", "TEXT")}
_PREFERENCE["file"] = _PREFERENCE["cups"]


def choose_label(labels: Iterable[Label], printer: Printer) -> Label | None:
    """The label of a shipment to print on ``printer``: ZPL first; a PDF only where CUPS or a
    file can take it. None when none fits."""
    by_type: dict[str, Label] = {}
    for label in labels:
        kind = (label.type or "").strip().upper()
        if label.url and kind not in by_type:
            by_type[kind] = label
    for kind in _PREFERENCE[printer.kind]:
        if kind in by_type:
            return by_type[kind]
    return next((label for label in labels if label.url), None)


@dataclass(frozen=True)
class Outcome:
    """What a step did: ``code`` (a key of :data:`OUTCOMES`), the package it concerns (its
    index), the item, and other data (``other`` package index, ``count`` of prints...)."""

    code: str
    package: int | None = None
    item: PackItem | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.code in BLOCKING


@dataclass
class _PackageState:
    units: dict[str, int] = field(default_factory=dict)
    manual: set[str] = field(default_factory=set)
    prints: int = 0
    uncertain: bool = False
    confirmed: bool = False
    reasons: list[str] = field(default_factory=list)


class PackSession:
    """The packing of one order on this terminal, read from and written to the store."""

    def __init__(
        self, order_id: str, packages: list[PackPackage], db: StateDB, settings: ScanSettings | None = None
    ) -> None:
        self.order_id = order_id
        self.packages = packages
        self.db = db
        self.settings = settings or ScanSettings()
        self.current = 0
        self.reload()

    # ---------------------------------------------------------------- state

    def reload(self) -> None:
        """Read everything from the store again (another terminal, a restart)."""
        self._state = {p.package_id: _PackageState() for p in self.packages}
        for event in self.db.pack_events(self.order_id):
            self._apply(event)
        self.current = self._first_open()

    def _apply(self, event: PackEvent) -> None:
        state = self._state.get(event.package_id)
        if state is None:
            return
        if event.kind in ("unit", "manual"):
            if event.undone_at is None and event.item_key is not None:
                state.units[event.item_key] = state.units.get(event.item_key, 0) + event.units
                if event.kind == "manual":
                    state.manual.add(event.item_key)
        elif event.kind in ("print", "reprint", "forced"):
            state.prints += 1
            state.uncertain = False
            if event.reason:
                state.reasons.append(event.reason)
        elif event.kind == "print_uncertain":
            state.uncertain = True
        elif event.kind == "confirm":
            state.confirmed = True

    def refresh(self) -> None:
        """Read the store again (a label printed from the command line meanwhile), staying on
        the current package."""
        current = self.current
        self.reload()
        self.current = current

    def _first_open(self) -> int:
        for index, package in enumerate(self.packages):
            if not self._state[package.package_id].confirmed:
                return index
        return max(0, len(self.packages) - 1)

    def units_of(self, index: int, item: PackItem) -> int:
        return self._state[self.packages[index].package_id].units.get(item.key, 0)

    def packed_units(self, index: int) -> int:
        package = self.packages[index]
        return sum(min(self.units_of(index, item), item.quantity) for item in package.items)

    def is_packed(self, index: int) -> bool:
        """Every unit of the package is in the box (a package with no items never is)."""
        package = self.packages[index]
        return bool(package.items) and self.packed_units(index) >= package.units

    def prints(self, index: int) -> int:
        """How many times the package's label was sent to a printer."""
        return self._state[self.packages[index].package_id].prints

    def uncertain(self, index: int) -> bool:
        """The last job for this label may have printed (a dropped connection)."""
        return self._state[self.packages[index].package_id].uncertain

    def is_done(self, index: int) -> bool:
        return self._state[self.packages[index].package_id].confirmed

    def all_done(self) -> bool:
        return bool(self.packages) and all(self.is_done(i) for i in range(len(self.packages)))

    def is_manual(self, index: int, item: PackItem) -> bool:
        return item.key in self._state[self.packages[index].package_id].manual

    def progress(self) -> tuple[int, int, int, int]:
        """(current package number, packages, units packed in it, its units)."""
        if not self.packages:
            return 0, 0, 0, 0
        package = self.packages[self.current]
        return self.current + 1, len(self.packages), self.packed_units(self.current), package.units

    def select(self, index: int) -> None:
        if 0 <= index < len(self.packages):
            self.current = index

    # ---------------------------------------------------------------- scans

    def _find(self, code: str) -> list[tuple[int, PackItem]]:
        found = []
        for index, package in enumerate(self.packages):
            for item in package.items:
                if item.ean and _same_code(item.ean, code):
                    found.append((index, item))
        return found

    def _is_tracking(self, code: str) -> list[int]:
        return [i for i, p in enumerate(self.packages) if p.tracking and _same_code(p.tracking, code)]

    def scan(self, raw: str) -> Outcome:
        """One scan into the current package (or of a label's barcode)."""
        if not self.packages:
            return Outcome("not_in_order", data={"code": raw.strip()})
        parsed = self.settings.parse(raw)
        code = parsed.code
        trackings = self._is_tracking(code) if code else []
        if trackings:
            return self._confirm_label(code, trackings)
        if not parsed.ok:
            kind = "bad_check_digit" if parsed.kind == "gtin" else "bad_scan"
            return Outcome(kind, self.current, data={"code": code, "error": parsed.error})
        found = self._find(normalize_gtin(code) if code.isdigit() and is_valid_gtin(code) else code)
        if not found:
            return Outcome("not_in_order", self.current, data={"code": code})
        mine = [item for index, item in found if index == self.current]
        if not mine:
            other = found[0][0]
            return Outcome("wrong_package", self.current, found[0][1], {"code": code, "other": other})
        index = self.current
        for item in mine:
            have = self.units_of(index, item)
            if have + parsed.quantity <= item.quantity:
                try:
                    self.db.add_pack_units(
                        self.order_id,
                        self.packages[index].package_id,
                        item.key,
                        parsed.quantity,
                        item.quantity,
                        code=code,
                    )
                except PackRefused:
                    self.reload()
                    self.current = index
                    return Outcome("refused", index, item, {"code": code})
                state = self._state[self.packages[index].package_id]
                state.units[item.key] = have + parsed.quantity
                return Outcome("packed" if self.is_packed(index) else "counted", index, item, {"code": code})
        return Outcome("item_complete", index, mine[0], {"code": code})

    def _confirm_label(self, code: str, trackings: list[int]) -> Outcome:
        index = self.current
        if index not in trackings:
            return Outcome("label_wrong", index, data={"code": code, "other": trackings[0]})
        if self.prints(index) == 0 and not self.uncertain(index):
            return Outcome("label_not_printed", index, data={"code": code})
        if self.is_done(index):
            return Outcome("label_confirmed", index, data={"code": code, "again": True})
        if not self.is_packed(index) and not self._state[self.packages[index].package_id].reasons:
            return Outcome("label_unpacked", index, data={"code": code})
        package = self.packages[index]
        self.db.add_pack_event(self.order_id, package.package_id, "confirm", code=code)
        self._state[package.package_id].confirmed = True
        if self.all_done():
            return Outcome("all_done", index, data={"code": code})
        self.current = self._first_open()
        return Outcome("label_confirmed", index, data={"code": code, "next": self.current})

    def confirm_without_ean(self, item: PackItem) -> Outcome:
        """Count the remaining units of an item that has no EAN, by a deliberate key (recorded)."""
        index = self.current
        if item.ean:
            return Outcome("no_ean", index, item)
        missing = item.quantity - self.units_of(index, item)
        if missing <= 0:
            return Outcome("item_complete", index, item)
        package_id = self.packages[index].package_id
        try:
            self.db.add_pack_units(self.order_id, package_id, item.key, missing, item.quantity, kind="manual")
        except PackRefused:
            self.reload()
            return Outcome("refused", index, item)
        state = self._state[package_id]
        state.units[item.key] = item.quantity
        state.manual.add(item.key)
        return Outcome("packed" if self.is_packed(index) else "counted", index, item)

    def undo(self) -> Outcome:
        """Take back the last unit (of a package whose label is not confirmed)."""
        event = self.db.undo_last_pack_unit(self.order_id)
        if event is None:
            return Outcome("nothing_to_undo", self.current)
        self.reload()
        index = next((i for i, p in enumerate(self.packages) if p.package_id == event.package_id), self.current)
        self.current = index
        item = next((it for it in self.packages[index].items if it.key == event.item_key), None)
        return Outcome("undone", index, item, {"units": event.units})

    # ---------------------------------------------------------------- labels

    def may_print(self, index: int, *, reprint: bool = False, reason: str | None = None) -> Outcome | None:
        """None when the label may be sent now; else why not (not_packed, already_printed)."""
        again = reprint and bool(self.prints(index) or self.uncertain(index))
        if not self.is_packed(index) and not (reason and reason.strip()) and not again:
            return Outcome("not_packed", index)
        if (self.prints(index) or self.uncertain(index)) and not reprint:
            return Outcome("already_printed", index, data={"count": self.prints(index)})
        return None

    async def print_label(
        self,
        index: int,
        printer: Printer,
        *,
        reprint: bool = False,
        reason: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Outcome:
        """Fetch the package's label and send it to ``printer``, under the rules of
        :meth:`may_print`. A job the printer did not take is kept (print_failed: nothing
        printed, try again); one that may have printed counts as printed for the next ask.
        The store is read first: a label printed meanwhile from the command line counts."""
        self.refresh()
        refused = self.may_print(index, reprint=reprint, reason=reason)
        if refused is not None:
            return refused
        package = self.packages[index]
        label = choose_label(package.labels, printer)
        if label is None:
            return Outcome("no_label", index)
        try:
            fetched: LabelData = await fetch_label(label, transport=transport)
        except LabelError as exc:
            return Outcome("label_failed", index, data={"error": exc.code, "detail": exc.detail})
        try:
            where = await asyncio.to_thread(
                send_job, printer, fetched.data, fetched.print_type, f"{package.shipment_id}-{package.package_id}"
            )
        except PrintError as exc:
            data = {"error": exc.code, "detail": exc.detail, "problems": exc.status.problems if exc.status else ()}
            if exc.maybe_printed:
                self.db.add_pack_event(self.order_id, package.package_id, "print_uncertain", code=exc.code)
                self._state[package.package_id].uncertain = True
                return Outcome("print_uncertain", index, data=data)
            return Outcome("print_failed", index, data=data)
        again = bool(self.prints(index) or self.uncertain(index))
        forced = not self.is_packed(index) and not again
        kind = "reprint" if again else "forced" if forced else "print"
        self.db.add_pack_event(
            self.order_id, package.package_id, kind, code=where, reason=reason.strip() if forced and reason else None
        )
        kept = reason.strip() if forced and reason else None
        self._apply(PackEvent(0, self.order_id, package.package_id, kind, None, 0, where, kept, None, ""))
        return Outcome("printed", index, data={"count": self.prints(index), "where": where, "kind": kind})


@dataclass(frozen=True)
class ShipmentPrints:
    """How often a shipment's label printed, as the store has it: ``package_ids`` are the
    shipment's packages as the pack screen counts them (the shipment's own id when it has none),
    ``count`` the most prints of one of them, ``uncertain`` a job of one may have printed."""

    order_id: str
    package_ids: tuple[str, ...]
    count: int
    uncertain: bool

    @property
    def printed(self) -> bool:
        return bool(self.count or self.uncertain)


def shipment_prints(db: StateDB, order_id: str, packages: Iterable[PackPackage], shipment_id: str) -> ShipmentPrints:
    """The prints of a shipment's label recorded for its packages (by the pack screen or the
    command line)."""
    ids = tuple(p.package_id for p in packages if p.shipment_id == shipment_id) or (shipment_id,)
    states = {package_id: _PackageState() for package_id in ids}
    for event in db.pack_events(order_id):
        state = states.get(event.package_id)
        if state is None:
            continue
        if event.kind in ("print", "reprint", "forced"):
            state.prints += 1
            state.uncertain = False
        elif event.kind == "print_uncertain":
            state.uncertain = True
    return ShipmentPrints(
        order_id,
        ids,
        max(state.prints for state in states.values()),
        any(state.uncertain for state in states.values()),
    )


def record_shipment_print(db: StateDB, prints: ShipmentPrints, where: str, *, uncertain: bool = False) -> None:
    """Keep a print of a shipment's label (sent to ``where``, or one that may have printed) for
    each of its packages: a print, or a reprint of a label printed before."""
    kind = "print_uncertain" if uncertain else "reprint" if prints.printed else "print"
    for package_id in prints.package_ids:
        db.add_pack_event(prints.order_id, package_id, kind, code=where)


HISTORY_KINDS = ("manual", "print", "reprint", "forced", "print_uncertain", "confirm")
"""The pack events an order's packing history lists: every step but a unit scanned (the
progress line counts those)."""


@dataclass(frozen=True)
class HistoryEntry:
    """One step of an order's packing history (the screens and ``label history`` word it).

    ``kind`` is a pack event kind of :data:`HISTORY_KINDS`; ``package`` the package's number
    among the order's (None when the packages are not known); ``prints`` the label's prints
    so far for a print, reprint or forced print (the second print is 2); ``code`` where a label
    went, the printer's error, or the tracking number scanned; ``reason`` a forced print's;
    ``undone`` an item confirmed by key and taken back since."""

    at: str  # UTC, ISO 8601 (as the store keeps it)
    kind: str
    package_id: str
    package: int | None
    item_key: str | None
    item_name: str | None
    units: int
    code: str | None
    reason: str | None
    prints: int
    undone: bool


def pack_history(db: StateDB, order_id: str, packages: Iterable[PackPackage] = ()) -> list[HistoryEntry]:
    """What was done while packing an order on this terminal, oldest first: items confirmed by
    key, labels printed (counted), forced with their reason, that may have printed, confirmed."""
    known = {p.package_id: (number, p) for number, p in enumerate(packages, start=1)}
    prints: dict[str, int] = {}
    entries = []
    for event in db.pack_events(order_id):
        if event.kind not in HISTORY_KINDS:
            continue
        number, package = known.get(event.package_id, (None, None))
        if event.kind in ("print", "reprint", "forced"):
            prints[event.package_id] = prints.get(event.package_id, 0) + 1
        item = next((i for i in package.items if i.key == event.item_key), None) if package else None
        entries.append(
            HistoryEntry(
                at=event.created_at,
                kind=event.kind,
                package_id=event.package_id,
                package=number,
                item_key=event.item_key,
                item_name=item.name if item is not None else None,
                units=event.units,
                code=event.code,
                reason=event.reason,
                prints=prints.get(event.package_id, 0),
                undone=event.undone_at is not None,
            )
        )
    return entries
