"""One SQLite file of the local store: one connection behind a lock, short transactions
(:meth:`Database.write`, :meth:`Database.read`) whose SQLite failures surface as
:class:`StateError`, one sentence naming the file. The schema is not here: ``state`` holds the
migrations and opens the file; ``picks``, ``packs`` and ``lookups`` hold their tables' SQL.
No Textual in here."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from pickterm.i18n import _

__all__ = ["BUSY_TIMEOUT_MS", "Database", "StateError", "is_busy", "now_iso"]

BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process's lock


class StateError(Exception):
    """The state database cannot be used (one sentence naming the file). ``busy`` is True
    when another process held it locked: trying again later may work. ``reason`` is the
    cause alone, without the file (for a narrow screen)."""

    def __init__(self, message: str, *, busy: bool = False, reason: str | None = None) -> None:
        super().__init__(message)
        self.busy = busy
        self.reason = reason or message


def is_busy(exc: sqlite3.Error) -> bool:
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


class Database:
    """The connection to one state database, and its transactions."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._conn = connection
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        if is_busy(exc):
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
