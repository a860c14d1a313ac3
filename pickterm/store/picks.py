"""Pick progress in the local store: every pick (a scan or a typed quantity) as an event,
each item's state (todo, skipped, short) and where the walk stands, per worksheet. A pick is
checked against the store's own count in the transaction that writes it, so two terminals on
one store never count past an item's need."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from pickterm.store.database import Database, now_iso

__all__ = ["ITEM_STATES", "ItemProgress", "ItemTotal", "PickEvent", "PickLog", "PickRefused", "WorksheetProgress"]

ITEM_STATES = ("todo", "skipped", "short")
_PICK_EVENT_COLUMNS = "id, worksheet_id, item_id, units, weight_kg, code, created_at"  # PickEvent's fields


@dataclass
class ItemProgress:
    """What the picker has done for one item of a worksheet."""

    item_id: str
    units: int = 0
    weight_kg: float | None = None
    state: str = "todo"  # "todo" | "skipped" | "short"
    reason: str | None = None
    skip_seq: int = 0
    updated_at: str | None = None


@dataclass
class WorksheetProgress:
    """The local walkthrough state of one worksheet."""

    worksheet_id: str
    current_item: str | None = None
    items: dict[str, ItemProgress] = field(default_factory=dict)

    def item(self, item_id: str) -> ItemProgress:
        """The progress of an item (a fresh todo one when nothing was recorded)."""
        return self.items.get(item_id) or ItemProgress(item_id=item_id)


class PickEvent(NamedTuple):
    """One recorded pick (a scan or a typed quantity)."""

    id: int
    worksheet_id: str
    item_id: str
    units: int
    weight_kg: float | None
    code: str | None
    created_at: str


class ItemTotal(NamedTuple):
    """What the store counts for one item of a worksheet: every terminal's picks together."""

    units: int = 0
    weight_kg: float | None = None


class PickRefused(Exception):
    """A pick, or the undo of one, that the store's own count does not allow: more units than
    the item needs, or fewer than none (another terminal on the same store counted first).
    Nothing was written; ``total`` is the store's count."""

    def __init__(self, item_id: str, total: ItemTotal) -> None:
        super().__init__(f"item {item_id}: the store counts {total.units} unit(s)")
        self.item_id = item_id
        self.total = total


class PickLog(Database):
    """The pick progress part of :class:`pickterm.store.state.StateDB`."""

    def load_progress(self, worksheet_id: str) -> WorksheetProgress:
        """Everything recorded for a worksheet: current item, per-item units, weight and state."""
        with self.read() as conn:
            row = conn.execute(
                "SELECT current_item FROM worksheet_state WHERE worksheet_id = ?", (worksheet_id,)
            ).fetchone()
            states = conn.execute(
                "SELECT item_id, state, reason, skip_seq, updated_at FROM item_state WHERE worksheet_id = ?",
                (worksheet_id,),
            ).fetchall()
            sums = conn.execute(
                "SELECT item_id, SUM(units), SUM(weight_kg), MAX(created_at) FROM pick_event"
                " WHERE worksheet_id = ? GROUP BY item_id",
                (worksheet_id,),
            ).fetchall()
        progress = WorksheetProgress(worksheet_id=worksheet_id, current_item=row[0] if row else None)
        for item_id, state, reason, skip_seq, updated_at in states:
            progress.items[item_id] = ItemProgress(
                item_id=item_id, state=state, reason=reason, skip_seq=skip_seq, updated_at=updated_at
            )
        for item_id, units, weight, last_pick in sums:
            item = progress.items.setdefault(item_id, ItemProgress(item_id=item_id))
            item.units = int(units or 0)
            item.weight_kg = None if weight is None else round(float(weight), 6)
            if item.updated_at is None or (last_pick and last_pick > item.updated_at):
                item.updated_at = last_pick
        return progress

    @staticmethod
    def _item_total(conn: sqlite3.Connection, worksheet_id: str, item_id: str) -> ItemTotal:
        units, weight = conn.execute(
            "SELECT COALESCE(SUM(units), 0), SUM(weight_kg) FROM pick_event WHERE worksheet_id = ? AND item_id = ?",
            (worksheet_id, item_id),
        ).fetchone()
        return ItemTotal(int(units), None if weight is None else round(float(weight), 6))

    @staticmethod
    def _allowed(units: int, limit: int | None) -> bool:
        """Whether an item may count ``units`` in the store: never fewer than none, never more than ``limit``."""
        return units >= 0 and (limit is None or units <= limit)

    def item_total(self, worksheet_id: str, item_id: str) -> ItemTotal:
        """What the store counts for an item now, whoever recorded it."""
        with self.read() as conn:
            return self._item_total(conn, worksheet_id, item_id)

    def add_pick(
        self,
        worksheet_id: str,
        item_id: str,
        units: int,
        weight_kg: float | None = None,
        code: str | None = None,
        *,
        limit: int | None = None,
    ) -> tuple[int, ItemTotal]:
        """Record one pick (``units`` < 0 takes units back) and return its event id and the
        item's count after it. The count is checked and the pick written in one transaction,
        so two terminals on one store never count past it: :class:`PickRefused` (nothing
        written) when the item would count fewer than none, or more than ``limit`` (the units
        it needs) when given and the pick adds units."""
        if int(units) != units:
            raise ValueError(f"units must be a whole number, not {units!r}")
        with self.write() as conn:
            total = self._item_total(conn, worksheet_id, item_id)
            after = total.units + int(units)
            if not self._allowed(after, limit if units > 0 else None):
                raise PickRefused(item_id, total)
            cursor = conn.execute(
                "INSERT INTO pick_event (worksheet_id, item_id, units, weight_kg, code, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (worksheet_id, item_id, int(units), weight_kg, code, now_iso()),
            )
            return int(cursor.lastrowid or 0), self._item_total(conn, worksheet_id, item_id)

    def undo_pick(
        self, worksheet_id: str, event_id: int | None = None, *, limits: Mapping[str, int] | None = None
    ) -> tuple[PickEvent, ItemTotal] | None:
        """Remove the pick ``event_id`` (else the most recent of the worksheet) and return it
        with its item's count after it; None when there is no such pick (any more). Checked and
        removed in one transaction: :class:`PickRefused` (nothing removed) when the item would
        then count fewer than none, or more than its entry in ``limits`` (the units each item
        needs) when the undo adds units (the undo of a unit taken back)."""
        with self.write() as conn:
            if event_id is None:
                row = conn.execute(
                    f"SELECT {_PICK_EVENT_COLUMNS} FROM pick_event WHERE worksheet_id = ? ORDER BY id DESC LIMIT 1",
                    (worksheet_id,),
                ).fetchone()
            else:
                row = conn.execute(
                    f"SELECT {_PICK_EVENT_COLUMNS} FROM pick_event WHERE worksheet_id = ? AND id = ?",
                    (worksheet_id, event_id),
                ).fetchone()
            if row is None:
                return None
            event = PickEvent(*row)
            total = self._item_total(conn, worksheet_id, event.item_id)
            limit = limits.get(event.item_id) if limits is not None and event.units < 0 else None
            if not self._allowed(total.units - event.units, limit):
                raise PickRefused(event.item_id, total)
            conn.execute("DELETE FROM pick_event WHERE id = ?", (event.id,))
            return event, self._item_total(conn, worksheet_id, event.item_id)

    def pick_events(self, worksheet_id: str) -> list[PickEvent]:
        """Every recorded pick of a worksheet, oldest first."""
        with self.read() as conn:
            rows = conn.execute(
                f"SELECT {_PICK_EVENT_COLUMNS} FROM pick_event WHERE worksheet_id = ? ORDER BY id",
                (worksheet_id,),
            ).fetchall()
        return [PickEvent(*row) for row in rows]

    def worksheets_touched(self, limit: int) -> list[str]:
        """The worksheets with pick progress here (a pick, an item state or where the walk
        stands), most recently touched first; at most ``limit``."""
        with self.read() as conn:
            rows = conn.execute(
                "SELECT worksheet_id, MAX(touched) AS last FROM ("
                " SELECT worksheet_id, updated_at AS touched FROM worksheet_state"
                " UNION ALL SELECT worksheet_id, updated_at FROM item_state"
                " UNION ALL SELECT worksheet_id, created_at FROM pick_event"
                ") GROUP BY worksheet_id ORDER BY last DESC, worksheet_id LIMIT ?",
                (limit,),
            ).fetchall()
        return [str(row[0]) for row in rows]

    def set_item_state(self, worksheet_id: str, item_id: str, state: str, reason: str | None = None) -> None:
        """Mark an item todo, skipped or short. Skipping gives it the next skip_seq of the
        worksheet (skipped items go to the end, in skip order); todo clears the reason."""
        if state not in ITEM_STATES:
            raise ValueError(f"item state must be one of {', '.join(ITEM_STATES)}, not {state!r}")
        with self.write() as conn:
            if state == "skipped":
                skip_seq = conn.execute(
                    "SELECT COALESCE(MAX(skip_seq), 0) + 1 FROM item_state WHERE worksheet_id = ?",
                    (worksheet_id,),
                ).fetchone()[0]
            else:
                skip_seq = 0
            if state == "todo":
                reason = None
            conn.execute(
                "INSERT INTO item_state (worksheet_id, item_id, state, reason, skip_seq, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (worksheet_id, item_id) DO UPDATE SET"
                " state = excluded.state, reason = excluded.reason, skip_seq = excluded.skip_seq,"
                " updated_at = excluded.updated_at",
                (worksheet_id, item_id, state, reason, skip_seq, now_iso()),
            )

    def set_current_item(self, worksheet_id: str, item_id: str | None) -> None:
        """Remember where the picker is in a worksheet."""
        with self.write() as conn:
            conn.execute(
                "INSERT INTO worksheet_state (worksheet_id, current_item, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (worksheet_id) DO UPDATE SET current_item = excluded.current_item,"
                " updated_at = excluded.updated_at",
                (worksheet_id, item_id, now_iso()),
            )

    def reset_progress(self, worksheet_id: str) -> None:
        """Forget everything recorded for a worksheet."""
        with self.write() as conn:
            for table in ("pick_event", "item_state", "worksheet_state"):
                conn.execute(f"DELETE FROM {table} WHERE worksheet_id = ?", (worksheet_id,))
