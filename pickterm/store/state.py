"""Local state in one SQLite database: pick progress, recent lookups, the outbox.

``state.db`` lives under the user state dir; ``--demo`` uses ``demo-state.db`` so demo
scans never mix with real ones. WAL mode and a 5 s busy timeout make two processes
of the same user safe at once; every write is one short ``BEGIN IMMEDIATE``
transaction, committed before the call returns. The schema version is
``PRAGMA user_version``; :data:`MIGRATIONS` only ever grows, and each runs when the
schema lacks its mark (:data:`MIGRATION_MARKS`).

The API is synchronous and thread-safe (one connection behind a lock): the app calls
it from worker threads or directly.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pickterm.i18n import _
from pickterm.store import private_dir, state_path

if TYPE_CHECKING:
    from pickterm.jsonvalue import JSONObject

__all__ = [
    "FACILITY_TTL",
    "ITEM_STATES",
    "MIGRATIONS",
    "MIGRATION_MARKS",
    "RECENT_KINDS",
    "ItemProgress",
    "ItemTotal",
    "PACK_KINDS",
    "PackEvent",
    "PackRefused",
    "PickEvent",
    "PickRefused",
    "Recent",
    "StateDB",
    "StateError",
    "WorksheetProgress",
    "now_iso",
    "state_path",
]

ITEM_STATES = ("todo", "skipped", "short")
RECENT_KINDS = ("order", "worksheet", "shipment")
RECENT_LIMIT = 50
FACILITY_TTL = 24 * 3600.0  # seconds a cached facility is used without asking the server
FACILITIES_KEPT = 20
BUSY_TIMEOUT_MS = 5000
# unit: scanned into a package; manual: an item without EAN confirmed by key; print, reprint,
# forced (a label for a package not fully packed, with its reason); print_uncertain (a job
# that may have printed); confirm (the label's barcode scanned on the box).
PACK_KINDS = ("unit", "manual", "print", "reprint", "forced", "print_uncertain", "confirm")
_PACK_EVENT_COLUMNS = "id, order_id, package_id, kind, item_key, units, code, reason, undone_at, created_at"
_PICK_EVENT_COLUMNS = "id, worksheet_id, item_id, units, weight_kg, code, created_at"  # PickEvent's fields

# Forward migrations. Never edit one that shipped: append a new one, with its mark in
# MIGRATION_MARKS.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE pick_event (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        worksheet_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        units INTEGER NOT NULL,
        weight_kg REAL,
        code TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX pick_event_by_worksheet ON pick_event (worksheet_id, id);
    CREATE TABLE item_state (
        worksheet_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'todo',
        reason TEXT,
        skip_seq INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (worksheet_id, item_id)
    );
    CREATE TABLE worksheet_state (
        worksheet_id TEXT PRIMARY KEY,
        current_item TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE recent (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ident TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        UNIQUE (kind, ident)
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        state TEXT NOT NULL DEFAULT 'pending',
        sent_at TEXT,
        claimed_by TEXT,
        lease_until REAL,
        attempt_started_at TEXT
    );
    CREATE INDEX outbox_by_state ON outbox (state, id);
    """,
    # The outbox's target (where an entry may be sent), when it was settled, and the
    # server's answer or what reconciling found (states: pending, sent, failed,
    # uncertain, superseded).
    """
    ALTER TABLE outbox ADD COLUMN profile TEXT;
    ALTER TABLE outbox ADD COLUMN api_url TEXT;
    ALTER TABLE outbox ADD COLUMN auth_url TEXT;
    ALTER TABLE outbox ADD COLUMN settled_at TEXT;
    ALTER TABLE outbox ADD COLUMN answer TEXT;
    CREATE INDEX outbox_by_order ON outbox (order_id, id);
    """,
    # Recent lookups belong to the profile they were made in. Those made before have no profile
    # (NULL): every profile lists them, until one opens that id again and it becomes its own.
    """
    CREATE TABLE recent_of_profile (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        profile TEXT,
        kind TEXT NOT NULL,
        ident TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        UNIQUE (profile, kind, ident)
    );
    INSERT INTO recent_of_profile (seq, profile, kind, ident, opened_at)
        SELECT seq, NULL, kind, ident, opened_at FROM recent ORDER BY seq;
    DROP TABLE recent;
    ALTER TABLE recent_of_profile RENAME TO recent;
    """,
    # Facilities as the server last sent them (a cache: facilities change rarely), so an
    # order's picture needs no round trip for its facility.
    """
    CREATE TABLE facility_cache (
        facility_id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        fetched_at REAL NOT NULL
    );
    """,
    # Packing progress: every scan of a unit into a package, every label printed (or that may
    # have printed) and every label confirmed, as events of one order. An undone unit keeps its
    # row (undone_at set): the history shows it.
    """
    CREATE TABLE pack_event (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id TEXT NOT NULL,
        package_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        item_key TEXT,
        units INTEGER NOT NULL DEFAULT 0,
        code TEXT,
        reason TEXT,
        undone_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX pack_event_by_order ON pack_event (order_id, id);
    """,
]

# What each migration leaves in the schema (a table, or "table.column"), which no later one
# removes: a migration runs when its mark is missing, whatever user_version says. Builds
# made side by side once numbered theirs differently (a database at user_version 3 may hold
# the facility cache and not the recent lookups' profile), so the number alone cannot tell.
MIGRATION_MARKS: tuple[str, ...] = ("pick_event", "outbox.profile", "recent.profile", "facility_cache", "pack_event")


def _has(conn: sqlite3.Connection, mark: str) -> bool:
    table, _dot, column = mark.partition(".")
    columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})").fetchall()}
    return bool(columns) and (not column or column in columns)


class StateError(Exception):
    """The state database cannot be used (one sentence naming the file). ``busy`` is True
    when another process held it locked: trying again later may work. ``reason`` is the
    cause alone, without the file (for a narrow screen)."""

    def __init__(self, message: str, *, busy: bool = False, reason: str | None = None) -> None:
        super().__init__(message)
        self.busy = busy
        self.reason = reason or message


def _is_busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _disk_full(path: Path, exc: sqlite3.Error) -> bool:
    """True when SQLite failed because the disk (of ``path``) is full: SQLITE_FULL, or an
    I/O error while almost no space is left (SQLite reports a full disk that way too)."""
    if "full" in str(exc):
        return True
    if "I/O" not in str(exc):
        return False
    try:
        return shutil.disk_usage(path.parent).free < 1 << 20
    except OSError:
        return False


def now_iso() -> str:
    """The current UTC time as ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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


class Recent(NamedTuple):
    """A recently opened order, worksheet or shipment."""

    kind: str
    ident: str
    opened_at: str


class StateDB:
    """The local state database. Open with :meth:`open`; close with :meth:`close` (or ``with``)."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._conn = connection
        self._lock = threading.RLock()

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, demo: bool = False, path: Path | None = None) -> StateDB:
        """Open (creating and migrating as needed) the real or demo database."""
        path = Path(path) if path is not None else state_path(demo)
        try:
            private_dir(path.parent)
            if not path.exists():  # private from the start; -wal and -shm inherit the mode
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(
                _("State database {path} cannot be opened ({error})").format(path=path, error=exc), reason=str(exc)
            ) from None
        db = cls(path, conn)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            db._migrate()
        except StateError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            if _is_busy(exc):
                raise db._error(exc) from None
            raise StateError(
                _("State database {path} is unusable ({error})").format(path=path, error=exc), reason=str(exc)
            ) from None
        return db

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> StateDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        with self.write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StateError(
                    _(
                        "State database {path} was written by a newer pickterm (schema {version}); upgrade pickterm to use it"
                    ).format(path=self.path, version=version)
                )
            for migration, mark in zip(MIGRATIONS, MIGRATION_MARKS, strict=True):
                if not _has(conn, mark):
                    for statement in migration.split(";"):
                        if statement.strip():
                            conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")

    def data_version(self) -> int:
        """A number that changes whenever another connection (another pickterm, the CLI)
        commits to the database; cheap to poll (no lock, no read of the tables)."""
        with self._lock:
            try:
                return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------ transactions

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taken up front (BEGIN IMMEDIATE) so the
        busy timeout applies; committed on exit, rolled back on error. SQLite
        failures surface as :class:`StateError`."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc) from exc
                raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs."""
        with self._lock:
            try:
                self._conn.execute("BEGIN")
                try:
                    yield self._conn
                finally:
                    if self._conn.in_transaction:
                        self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    def _error(self, exc: sqlite3.Error) -> StateError:
        if _is_busy(exc):
            return StateError(
                _(
                    "State database {path} is busy: another pickterm kept it locked for more than {seconds} s; try again"
                ).format(path=self.path, seconds=BUSY_TIMEOUT_MS // 1000),
                busy=True,
                reason=_("another pickterm holds it locked"),
            )
        if _disk_full(self.path, exc):
            return StateError(
                _("State database {path}: the disk is full; free some space").format(path=self.path),
                reason=_("the disk is full"),
            )
        return StateError(
            _("State database {path} failed ({error})").format(path=self.path, error=exc), reason=str(exc)
        )

    @classmethod
    def open_readonly(cls, demo: bool = False, path: Path | None = None) -> StateDB:
        """Open an existing database for reading only: no migration, no write
        transaction, so it works on a read-only file or while another process holds the
        write lock. Raises StateError when there is no database yet."""
        path = Path(path) if path is not None else state_path(demo)
        if not path.exists():
            raise StateError(_("State database {path} does not exist yet").format(path=path))
        try:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise StateError(_("State database {path} cannot be read ({error})").format(path=path, error=exc)) from None
        return cls(path, conn)

    # ------------------------------------------------------------ pick progress

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

    def record_pick(
        self,
        worksheet_id: str,
        item_id: str,
        units: int,
        weight_kg: float | None = None,
        code: str | None = None,
        *,
        limit: int | None = None,
    ) -> int:
        """Record one pick; returns its event id (committed before returning). See :meth:`add_pick`."""
        return self.add_pick(worksheet_id, item_id, units, weight_kg, code, limit=limit)[0]

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

    def undo_last_pick(self, worksheet_id: str) -> PickEvent | None:
        """Remove and return the most recent pick of a worksheet (None when there is none)."""
        undone = self.undo_pick(worksheet_id)
        return undone[0] if undone is not None else None

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

    # ------------------------------------------------------------ recent lookups

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

    # ------------------------------------------------------------ pack progress

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
