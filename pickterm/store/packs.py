"""Pack progress in the local store: every unit scanned into a package, every label printed
(or that may have printed) and every label confirmed on its box, as events of one order. An
undone unit keeps its row (``undone_at`` set), so the packing history shows it."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from pickterm.store.database import Database, now_iso

__all__ = ["PACK_KINDS", "PackEvent", "PackLog", "PackRefused"]

# unit: scanned into a package; manual: an item without EAN confirmed by key; print, reprint,
# forced (a label for a package not fully packed, with its reason); print_uncertain (a job
# that may have printed); confirm (the label's barcode scanned on the box).
PACK_KINDS = ("unit", "manual", "print", "reprint", "forced", "print_uncertain", "confirm")
_PACK_EVENT_COLUMNS = "id, order_id, package_id, kind, item_key, units, code, reason, undone_at, created_at"


class PackEvent(NamedTuple):
    """One recorded packing step (see :data:`PACK_KINDS`)."""

    id: int
    order_id: str
    package_id: str
    kind: str
    item_key: str | None
    units: int
    code: str | None
    reason: str | None
    undone_at: str | None
    created_at: str


class PackRefused(Exception):
    """A unit the store's count does not allow (the item is complete: another terminal on the
    same store scanned it first). Nothing was written; ``units`` is the store's count."""

    def __init__(self, package_id: str, item_key: str, units: int) -> None:
        super().__init__(f"package {package_id}, item {item_key}: the store counts {units} unit(s)")
        self.package_id = package_id
        self.item_key = item_key
        self.units = units


class PackLog(Database):
    """The pack progress part of :class:`pickterm.store.state.StateDB`."""

    def add_pack_units(
        self,
        order_id: str,
        package_id: str,
        item_key: str,
        units: int,
        limit: int,
        *,
        kind: str = "unit",
        code: str | None = None,
    ) -> PackEvent:
        """Record ``units`` of an item scanned (or, ``kind="manual"``, confirmed by key) into a
        package, checked against ``limit`` in the same transaction: PackRefused when the
        store's count would pass it."""
        with self.write() as conn:
            (done,) = conn.execute(
                "SELECT COALESCE(SUM(units), 0) FROM pack_event WHERE order_id = ? AND package_id = ?"
                " AND item_key = ? AND kind IN ('unit', 'manual') AND undone_at IS NULL",
                (order_id, package_id, item_key),
            ).fetchone()
            if done + units > limit:
                raise PackRefused(package_id, item_key, int(done))
            return self._insert_pack_event(conn, order_id, package_id, kind, item_key, units, code, None)

    def add_pack_event(
        self, order_id: str, package_id: str, kind: str, *, code: str | None = None, reason: str | None = None
    ) -> PackEvent:
        """Record a print, reprint, forced print, job that may have printed or label confirmed."""
        if kind not in PACK_KINDS:
            raise ValueError(f"unknown pack event kind {kind!r}")
        with self.write() as conn:
            return self._insert_pack_event(conn, order_id, package_id, kind, None, 0, code, reason)

    @staticmethod
    def _insert_pack_event(
        conn: sqlite3.Connection,
        order_id: str,
        package_id: str,
        kind: str,
        item_key: str | None,
        units: int,
        code: str | None,
        reason: str | None,
    ) -> PackEvent:
        row = conn.execute(
            "INSERT INTO pack_event (order_id, package_id, kind, item_key, units, code, reason, created_at)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_PACK_EVENT_COLUMNS}",
            (order_id, package_id, kind, item_key, units, code, reason, now_iso()),
        ).fetchone()
        return PackEvent(*row)

    def undo_last_pack_unit(self, order_id: str) -> PackEvent | None:
        """Take back the order's last unit (scanned or confirmed by key) of a package whose
        label is not confirmed yet; None when there is none."""
        with self.write() as conn:
            row = conn.execute(
                f"SELECT {_PACK_EVENT_COLUMNS} FROM pack_event AS e WHERE order_id = ? AND kind IN ('unit', 'manual')"
                " AND undone_at IS NULL AND NOT EXISTS (SELECT 1 FROM pack_event AS c WHERE c.order_id = e.order_id"
                " AND c.package_id = e.package_id AND c.kind = 'confirm') ORDER BY id DESC LIMIT 1",
                (order_id,),
            ).fetchone()
            if row is None:
                return None
            stamp = now_iso()
            conn.execute("UPDATE pack_event SET undone_at = ? WHERE id = ?", (stamp, row[0]))
            event = PackEvent(*row)
            return event._replace(undone_at=stamp)

    def pack_orders(self, package_id: str, limit: int = 10) -> list[str]:
        """The orders a package of that id was packed for on this store, most recent first."""
        with self.read() as conn:
            rows = conn.execute(
                "SELECT order_id FROM pack_event WHERE package_id = ? OR substr(package_id, 1, ?) = ?"
                " GROUP BY order_id ORDER BY MAX(id) DESC LIMIT ?",
                (package_id, len(package_id) + 1, f"{package_id}@", limit),
            ).fetchall()
        return [str(row[0]) for row in rows]

    def pack_events(self, order_id: str) -> list[PackEvent]:
        """Every packing step recorded for an order, undone ones included, oldest first."""
        with self.read() as conn:
            rows = conn.execute(
                f"SELECT {_PACK_EVENT_COLUMNS} FROM pack_event WHERE order_id = ? ORDER BY id", (order_id,)
            ).fetchall()
        return [PackEvent(*row) for row in rows]
