"""Local state in one SQLite database: pick progress, pack progress, recent lookups, the
facility cache and the outbox's table.

``state.db`` lives under the user state dir; ``--demo`` uses ``demo-state.db`` so demo
scans never mix with real ones. WAL mode and a 5 s busy timeout make two processes
of the same user safe at once; every write is one short ``BEGIN IMMEDIATE``
transaction, committed before the call returns (``database``). The schema is
:data:`MIGRATIONS`, which only ever grows; each runs when the schema lacks its mark
(:data:`MIGRATION_MARKS`), and ``PRAGMA user_version`` tells a database of a newer pickterm.

:class:`StateDB` is the parts together, each in its module with its tables' SQL: ``picks``
(:class:`PickLog`), ``packs`` (:class:`PackLog`), ``lookups`` (:class:`Lookups`); their
names are re-exported here. The outbox is ``outbox``, on a StateDB.

The API is synchronous and thread-safe (one connection behind a lock): the app calls
it from worker threads or directly.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from pickterm.i18n import _
from pickterm.store import database, private_dir, state_path
from pickterm.store.database import StateError, now_iso
from pickterm.store.lookups import FACILITY_TTL, RECENT_KINDS, Lookups, Recent
from pickterm.store.packs import PACK_KINDS, PackEvent, PackLog, PackRefused
from pickterm.store.picks import (
    ITEM_STATES,
    ItemProgress,
    ItemTotal,
    PickEvent,
    PickLog,
    PickRefused,
    WorksheetProgress,
)

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


class StateDB(PickLog, PackLog, Lookups):
    """The local state database. Open with :meth:`open`; close with :meth:`close` (or ``with``)."""

    @classmethod
    def open(cls, demo: bool = False, path: Path | None = None) -> StateDB:
        """Open (creating and migrating as needed) the real or demo database."""
        path = Path(path) if path is not None else state_path(demo)
        try:
            private_dir(path.parent)
            if not path.exists():  # private from the start; -wal and -shm inherit the mode
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(
                path, timeout=database.BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StateError(
                _("State database {path} cannot be opened ({error})").format(path=path, error=exc), reason=str(exc)
            ) from None
        db = cls(path, conn)
        try:
            conn.execute(f"PRAGMA busy_timeout = {database.BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            db._migrate()
        except StateError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            if database.is_busy(exc):
                raise db._error(exc) from None
            raise StateError(
                _("State database {path} is unusable ({error})").format(path=path, error=exc), reason=str(exc)
            ) from None
        return db

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
                timeout=database.BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise StateError(_("State database {path} cannot be read ({error})").format(path=path, error=exc)) from None
        return cls(path, conn)
