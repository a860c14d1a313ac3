"""What home looks up from the local store: the recent lookups of each profile, and the
facilities as the server last sent them (a cache with a TTL, so an order's picture needs no
round trip for its facility)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NamedTuple

from pickterm.store.database import Database, now_iso

if TYPE_CHECKING:
    from pickterm.jsonvalue import JSONObject

__all__ = ["FACILITY_TTL", "RECENT_KINDS", "Lookups", "Recent"]

RECENT_KINDS = ("order", "worksheet", "shipment")
RECENT_LIMIT = 50
FACILITY_TTL = 24 * 3600.0  # seconds a cached facility is used without asking the server
FACILITIES_KEPT = 20


class Recent(NamedTuple):
    """A recently opened order, worksheet or shipment."""

    kind: str
    ident: str
    opened_at: str


class Lookups(Database):
    """The recent lookups and facility cache part of :class:`pickterm.store.state.StateDB`."""

    def add_recent(self, kind: str, ident: str, profile: str | None = None) -> None:
        """Put an order, worksheet or shipment at the top of ``profile``'s recent list (keeps 50
        a profile). The same id from before lookups had a profile becomes this profile's."""
        if kind not in RECENT_KINDS:
            raise ValueError(f"recent kind must be one of {', '.join(RECENT_KINDS)}, not {kind!r}")
        with self.write() as conn:
            conn.execute(
                "DELETE FROM recent WHERE kind = ? AND ident = ? AND (profile IS ? OR profile IS NULL)",
                (kind, ident, profile),
            )
            conn.execute(
                "INSERT INTO recent (profile, kind, ident, opened_at) VALUES (?, ?, ?, ?)",
                (profile, kind, ident, now_iso()),
            )
            conn.execute(
                "DELETE FROM recent WHERE profile IS ? AND seq NOT IN"
                " (SELECT seq FROM recent WHERE profile IS ? ORDER BY seq DESC LIMIT ?)",
                (profile, profile, RECENT_LIMIT),
            )

    def recent(self, limit: int = RECENT_LIMIT, profile: str | None = None) -> list[Recent]:
        """``profile``'s recent lookups (with those from before lookups had a profile), newest
        first; without ``profile``, every profile's."""
        where, args = ("WHERE profile IS ? OR profile IS NULL", (profile,)) if profile is not None else ("", ())
        with self.read() as conn:
            rows = conn.execute(
                f"SELECT kind, ident, opened_at FROM recent {where} ORDER BY seq DESC LIMIT ?", (*args, limit)
            ).fetchall()
        return [Recent(*row) for row in rows]

    # ------------------------------------------------------------ facility cache

    def cache_facility(self, facility_id: str, body: JSONObject, *, now: float | None = None) -> None:
        """Keep a facility as the server sent it (JSON), newest first; keeps the last 20."""
        import json  # here, not with the module: the home screen opens the store before it needs JSON

        fetched_at = time.time() if now is None else now
        with self.write() as conn:
            conn.execute(
                "INSERT INTO facility_cache (facility_id, body, fetched_at) VALUES (?, ?, ?)"
                " ON CONFLICT (facility_id) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
                (facility_id, json.dumps(body), fetched_at),
            )
            conn.execute(
                "DELETE FROM facility_cache WHERE facility_id NOT IN"
                " (SELECT facility_id FROM facility_cache ORDER BY fetched_at DESC LIMIT ?)",
                (FACILITIES_KEPT,),
            )

    def facility_ahead(
        self, facility_id: str | None = None, *, max_age: float = FACILITY_TTL, now: float | None = None
    ) -> tuple[str | None, JSONObject | None]:
        """The facility an order most likely belongs to, before the order says: ``facility_id``
        (the profile's default), else the one cached most recently; with its body as the server
        sent it when cached less than ``max_age`` seconds ago, else None.

        A cache never waits for the store: while another call of this process holds it (a
        write waiting for another process's lock), this answers (facility_id, None) at once.
        Reading never waits for another process (WAL)."""
        import json

        if not self._lock.acquire(blocking=False):
            return facility_id, None
        try:
            with self.read() as conn:
                if facility_id is None:
                    last = conn.execute(
                        "SELECT facility_id FROM facility_cache ORDER BY fetched_at DESC LIMIT 1"
                    ).fetchone()
                    facility_id = None if last is None else str(last[0])
                row = conn.execute(
                    "SELECT body, fetched_at FROM facility_cache WHERE facility_id = ?", (facility_id,)
                ).fetchone()
        finally:
            self._lock.release()
        now = time.time() if now is None else now
        if row is None or not 0 <= now - row[1] < max_age:
            return facility_id, None
        try:
            body = json.loads(row[0])
        except ValueError:
            return facility_id, None
        return facility_id, body if isinstance(body, dict) else None
