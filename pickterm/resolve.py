"""What a lookup at home finds, before any screen opens; and which worksheets opened on this
terminal hold a product barcode. No Textual here.

Home fetches what an id names first and opens its screen only once it was found: a lookup that
fails stays on home with its error (the screen then reads the same answer from the client's
30 s cache, so nothing is asked twice). A product barcode scanned at home is no id; the
worksheets this terminal has local pick progress for are searched for it with the walk's own
matching rules (:class:`pickterm.picking.PickProgress`), so home offers exactly what the
walkthrough would accept.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

__all__ = ["Holding", "ProductSearch", "fetch_target", "worksheets_holding", "worksheets_opened_here"]

WORKSHEETS_SEARCHED = 10
"""How many of the worksheets opened here (most recently touched first) a product is looked for in."""


async def fetch_target(client: Any, kind: str, ident: str) -> Any:
    """Fetch what an id of a known kind names (raises the client's PickPackError when it fails)."""
    if kind == "order":
        return await client.get_order(ident)
    if kind == "worksheet":
        return await client.get_worksheet(ident)
    if kind == "shipment":
        return await client.get_shipment(ident, by="internal")
    if kind == "tracking":
        return await client.get_shipment(ident, by="external")
    if kind == "facility":
        return await client.get_facility(ident)
    raise ValueError(f"no lookup for ids of kind {kind!r}")


def worksheets_opened_here(state: Any, limit: int = WORKSHEETS_SEARCHED) -> list[str]:
    """Worksheets with local pick progress in the state database, most recently touched first.

    Reads the store's pick-progress tables (``worksheet_state``, ``item_state``, ``pick_event``)
    through its public read snapshot.
    """
    with state.read() as conn:
        rows = conn.execute(
            "SELECT worksheet_id, MAX(touched) AS last FROM ("
            " SELECT worksheet_id, updated_at AS touched FROM worksheet_state"
            " UNION ALL SELECT worksheet_id, updated_at FROM item_state"
            " UNION ALL SELECT worksheet_id, created_at FROM pick_event"
            ") GROUP BY worksheet_id ORDER BY last DESC, worksheet_id LIMIT ?",
            (limit,),
        ).fetchall()
    return [row[0] for row in rows]


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


async def worksheets_holding(client: Any, state: Any, code: str, *, limit: int = WORKSHEETS_SEARCHED) -> ProductSearch:
    """The items of the worksheets opened on this terminal that ``code`` (a product barcode) matches."""
    from pickterm.picking import PickProgress
    from pickterm.scan import parse_scan

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
