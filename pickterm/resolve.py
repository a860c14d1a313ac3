"""What a lookup at home finds, before any screen opens; an order's whole picture; and which
worksheets opened on this terminal hold a product barcode. No Textual here.

Home fetches what an id names first and opens its screen only once it was found: a lookup that
fails stays on home with its error. An order is fetched as its whole picture
(:func:`order_picture`), which home hands to the order screen: nothing is asked twice. Other
screens read the same answer from the client's 30 s cache.

An order's picture is the order, its worksheets, its shipments and its facility. The worksheets
and shipments need only the order id, so they are asked together with the order. The facility's
id is known ahead (the profile's ``default_facility``, else the facility this terminal cached
last) and the facility itself comes from the local store's cache (a day, see
:data:`pickterm.store.state.FACILITY_TTL`) or is asked with the order: one round trip for the
whole picture. Only when the worksheets name another facility is it asked after them. A product barcode scanned at home is no id; the
worksheets this terminal has local pick progress for are searched for it with the walk's own
matching rules (:class:`pickterm.picking.PickProgress`), so home offers exactly what the
walkthrough would accept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeAlias, TypeVar

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient
    from pickterm.api.models import Facility, Order, Shipment, ShipmentSummary, WorksheetSummary
    from pickterm.jsonvalue import JSONObject
    from pickterm.store.state import StateDB

__all__ = [
    "FETCHERS",
    "Holding",
    "OrderPicture",
    "PackageFound",
    "PackageNotFound",
    "ProductSearch",
    "facility_of",
    "fetch_one",
    "fetch_target",
    "order_picture",
    "order_shipments",
    "package_order",
    "worksheets_holding",
    "worksheets_opened_here",
]

WORKSHEETS_SEARCHED = 10
"""How many of the worksheets opened here (most recently touched first) a product is looked for in."""

ORDERS_SEARCHED = 10
"""How many orders packed or opened here a package id is looked for in (the API finds no order by it)."""


Fetch = Callable[["PickPackClient", str], Awaitable[object]]
"""How one resource of a kind is fetched by its id (raises the client's PickPackError)."""

FETCHERS: dict[str, Fetch] = {
    "order": lambda client, ident: client.get_order(ident),
    "worksheet": lambda client, ident: client.get_worksheet(ident),
    "shipment": lambda client, ident: client.get_shipment(ident, by="internal"),
    "tracking": lambda client, ident: client.get_shipment(ident, by="external"),
    "facility": lambda client, ident: client.get_facility(ident),
    "worksheets": lambda client, ident: client.list_worksheets(ident),  # of an order
    "shipments": lambda client, ident: client.list_shipments(ident),  # of an order
}
"""Each kind of id (:func:`pickterm.ids.classify`) and of list, and how it is fetched."""


async def fetch_one(client: PickPackClient, kind: str, ident: str) -> object:
    """The resource an id of ``kind`` names, as the server sent it (``pickterm get``)."""
    fetch = FETCHERS.get(kind)
    if fetch is None:
        raise ValueError(f"no lookup for ids of kind {kind!r}")
    return await fetch(client, ident)


async def fetch_target(
    client: PickPackClient, kind: str, ident: str, *, state: StateDB | None = None, facility_hint: str | None = None
) -> object:
    """What home fetches for an id of a known kind, for its screen to show as is (raises the
    client's PickPackError when it fails): an order as its whole picture (:class:`OrderPicture`),
    the others as :func:`fetch_one` does."""
    if kind == "order":
        return await order_picture(client, ident, state=state, facility_hint=facility_hint)
    if kind == "package":  # the API has no lookup by a package's id: the store says where to look
        return await package_order(client, state, ident)
    return await fetch_one(client, kind, ident)


async def order_shipments(
    client: PickPackClient, order_id: str, *, fresh: bool = False
) -> tuple[Order, list[Shipment]]:
    """An order and its shipments, each in full (their packages, items and labels): what packing needs."""
    order, summaries = await asyncio.gather(
        client.get_order(order_id, fresh=fresh), client.list_shipments(order_id, fresh=fresh)
    )
    shipments = await asyncio.gather(*(client.get_shipment(s.id, fresh=fresh) for s in summaries))
    return order, list(shipments)


@dataclass
class PackageFound:
    """The order a package id belongs to, with its shipments (:func:`order_shipments`)."""

    package_id: str
    order_id: str
    order: Order
    shipments: list[Shipment]


class PackageNotFound(LookupError):
    """No order packed or opened on this terminal has a package of that id (``searched``: how many were looked at)."""

    def __init__(self, package_id: str, searched: int) -> None:
        super().__init__(f"no order packed or opened here has a package {package_id} ({searched} searched)")
        self.package_id = package_id
        self.searched = searched


def _holds_package(shipments: list[Shipment], package_id: str) -> bool:
    return any(package.id == package_id for shipment in shipments for package in shipment.packages)


async def package_order(client: PickPackClient, state: StateDB | None, package_id: str) -> PackageFound:
    """The order of a package, by the package's id.

    The API has no way to find an order by one of its packages (no endpoint or filter takes a
    package id), so the orders this terminal knows are searched: first those it packed that
    package for (the store's pack events), then the orders opened here most recently, at most
    :data:`ORDERS_SEARCHED`. Raises :class:`PackageNotFound` when none holds it."""
    candidates: list[str] = []
    if state is not None:
        packed = await _quietly(state.pack_orders, package_id, ORDERS_SEARCHED) or []
        recent = await _quietly(state.recent, 3 * ORDERS_SEARCHED) or []
        for order_id in [*packed, *(r.ident for r in recent if r.kind == "order")]:
            if order_id not in candidates:
                candidates.append(order_id)
    candidates = candidates[:ORDERS_SEARCHED]
    results = await asyncio.gather(*(order_shipments(client, o) for o in candidates), return_exceptions=True)
    for order_id, result in zip(candidates, results, strict=True):
        if not isinstance(result, BaseException) and _holds_package(result[1], package_id):
            return PackageFound(package_id, order_id, result[0], result[1])
    raise PackageNotFound(package_id, len(candidates))


@dataclass
class OrderPicture:
    """An order with its worksheets (summaries), shipments and facility. Only the order is
    required: what else could not be read is None, with its error beside it."""

    order: Order
    worksheets: list[WorksheetSummary] | None
    shipments: list[ShipmentSummary] | None
    facility: Facility | None = None
    worksheets_error: BaseException | None = None
    shipments_error: BaseException | None = None
    facility_error: BaseException | None = None

    @property
    def facility_id(self) -> str | None:
        """The facility of the first worksheet that names one."""
        return next((ws.facility_id for ws in self.worksheets or [] if ws.facility_id), None)

    @property
    def problems(self) -> list[str]:
        """The order's unreadable records (the order screen names them)."""
        return list(getattr(self.order, "problems", []))


_BACKGROUND: set[asyncio.Future[None]] = set()  # cache writes under way: kept until done
T = TypeVar("T")
P = ParamSpec("P")


async def _quietly(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
    """A store call off the event loop; None when the store fails (its cache is a convenience)."""
    try:
        return await asyncio.to_thread(call, *args, **kwargs)
    except Exception:
        return None


def _keep(state: StateDB | None, facility: Facility) -> None:
    """Cache a facility in the store, without waiting for it: a busy store never holds up a picture."""
    if state is not None:
        task = asyncio.ensure_future(
            _quietly(state.cache_facility, facility.id, facility.model_dump(mode="json", by_alias=True))
        )
        _BACKGROUND.add(task)
        task.add_done_callback(_BACKGROUND.discard)


def _cached(body: JSONObject | None) -> Facility | None:
    """A facility as the store kept it; None when there is none, or it no longer reads."""
    from pickterm.api.models import Facility

    if body is None:
        return None
    try:
        return Facility.model_validate(body)
    except ValueError:
        return None


async def facility_of(
    client: PickPackClient, state: StateDB | None, facility_id: str, *, fresh: bool = False
) -> Facility:
    """A facility: from the local store's cache when cached less than a day ago (unless
    ``fresh``: F5), else from the server, then cached."""
    if state is not None and not fresh:
        ahead = await _quietly(state.facility_ahead, facility_id)
        facility = _cached(ahead[1] if ahead else None)
        if facility is not None:
            return facility
    return await _fetch_facility(client, state, facility_id, fresh)


async def _fetch_facility(client: PickPackClient, state: StateDB | None, facility_id: str, fresh: bool) -> Facility:
    facility = await client.get_facility(facility_id, fresh=fresh)
    _keep(state, facility)
    return facility


_Task: TypeAlias = (
    "asyncio.Future[Order] | asyncio.Future[list[WorksheetSummary]] | asyncio.Future[list[ShipmentSummary]]"
    " | asyncio.Future[Facility]"
)
"""The requests an order's picture starts."""


async def order_picture(
    client: PickPackClient,
    order_id: str,
    *,
    state: StateDB | None = None,
    facility_hint: str | None = None,
    fresh: bool = False,
) -> OrderPicture:
    """The order's whole picture, in one round trip when its facility is known ahead.

    ``facility_hint``: the profile's default facility; without one, the facility this terminal
    cached last. ``fresh`` (F5) asks the server for all of it, the facility too. Raises what
    fetching the order raised; the worksheets, shipments or facility failing only leaves them
    out (with their errors). Cancelled, it cancels every request it started."""
    hint, cached = facility_hint, None
    if state is not None:  # first (it never waits for a busy store): then every request leaves together
        ahead = await _quietly(state.facility_ahead, facility_hint)
        if ahead is not None:
            hint, cached = ahead[0], None if fresh else _cached(ahead[1])
    order_task = asyncio.ensure_future(client.get_order(order_id, fresh=fresh))
    worksheets_task = asyncio.ensure_future(client.list_worksheets(order_id, fresh=fresh))
    shipments_task = asyncio.ensure_future(client.list_shipments(order_id, fresh=fresh))
    tasks: list[_Task] = [order_task, worksheets_task, shipments_task]
    try:
        facility_task = None
        if hint and cached is None:  # asked together with the order
            facility_task = asyncio.ensure_future(_fetch_facility(client, state, hint, fresh))
            tasks.append(facility_task)
        order = await order_task
        worksheets, shipments = await asyncio.gather(worksheets_task, shipments_task, return_exceptions=True)
        picture = OrderPicture(
            order,
            None if isinstance(worksheets, BaseException) else worksheets,
            None if isinstance(shipments, BaseException) else shipments,
            worksheets_error=worksheets if isinstance(worksheets, BaseException) else None,
            shipments_error=shipments if isinstance(shipments, BaseException) else None,
        )
        facility_id = picture.facility_id
        if facility_id is not None:
            try:
                if facility_id == hint and cached is not None:
                    picture.facility = cached
                elif facility_id == hint and facility_task is not None:
                    picture.facility = await facility_task
                else:  # not the one known ahead: asked now
                    picture.facility = await facility_of(client, state, facility_id, fresh=fresh)
            except Exception as exc:
                picture.facility_error = exc
        return picture
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # none is left running, none unretrieved


def worksheets_opened_here(state: StateDB, limit: int = WORKSHEETS_SEARCHED) -> list[str]:
    """Worksheets with local pick progress in the state database, most recently touched first
    (the store's :meth:`~pickterm.store.state.StateDB.worksheets_touched`)."""
    return list(state.worksheets_touched(limit))


@dataclass(frozen=True)
class Holding:
    """An item of a worksheet opened here that a product barcode scans as."""

    worksheet_id: str
    item_id: str
    name: str
    left: int  # units still to pick on this terminal


@dataclass
class ProductSearch:
    holdings: list[Holding]
    searched: int  # worksheets looked at
    unreadable: int  # worksheets that could not be fetched (offline, gone)


async def worksheets_holding(
    client: PickPackClient, state: StateDB | None, code: str, *, limit: int = WORKSHEETS_SEARCHED
) -> ProductSearch:
    """The items of the worksheets opened on this terminal that ``code`` (a product barcode) matches."""
    from pickterm.picking import PickProgress
    from pickterm.scan import parse_scan

    if state is None:  # no local store: no worksheet was opened here that it knows of
        return ProductSearch([], 0, 0)
    scan = parse_scan(code)
    worksheet_ids = await asyncio.to_thread(worksheets_opened_here, state, limit)
    holdings: list[Holding] = []
    unreadable = 0
    for worksheet_id in worksheet_ids:
        try:
            worksheet = await client.get_worksheet(worksheet_id)
        except Exception:  # offline or gone: counted, the others are still searched
            unreadable += 1
            continue
        results = await asyncio.gather(*(client.get_order(o) for o in worksheet.order_ids), return_exceptions=True)
        orders = [result for result in results if not isinstance(result, BaseException)]
        progress = await asyncio.to_thread(state.load_progress, worksheet_id)
        walk = PickProgress(worksheet, progress=progress)
        walk.load_barcodes(orders)
        for item_id in walk.index.lookup(scan) if walk.index is not None else []:
            item = walk.items[item_id]
            holdings.append(Holding(worksheet_id, item_id, item.name, item.left))
    return ProductSearch(holdings, len(worksheet_ids), unreadable)
