"""The outbox: tracking writes are stored before they are sent, and marked sent only
once the server accepted them. Nothing typed is lost, also not on kill -9.

Life of an entry::

    add() -> pending --send()--> sent           (2xx: the server accepted it)
                      \\-------> pending         (offline, timeout, 429, 5xx, key rejected)
                      \\-------> failed          (4xx business answer: message, code, requestId kept)
    failed --retry()/update_payload()--> pending;  discard() removes an entry.

Exactly once: the client never retries the PATCH. Before sending, an entry is
*claimed* in a committed transaction (a conditional UPDATE: still pending and not
claimed by a live sender; ``attempts`` +1, a lease of :data:`LEASE_SECONDS`). The
outcome is recorded only by the claim's owner. So an entry recorded as sent is never
sent again, two processes never send the same entry at once, and an entry whose
sender died mid-flight (its claim's process is gone, or the lease ran out) is sent
again by the next flush.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pickterm.api import errors
from pickterm.api.errors import PickPackError
from pickterm.api.models import TrackingResult, TrackingUpdate
from pickterm.store.state import StateDB, now_iso

__all__ = ["LEASE_SECONDS", "Outbox", "OutboxEntry", "OutboxError", "SendOutcome", "error_from_record", "run_retries"]

log = logging.getLogger("pickterm.store.outbox")

LEASE_SECONDS = 120.0  # longer than any single PATCH can take (token fetch + request timeouts)
KEEP_SENT_DAYS = 30
# Errors after which the rest of a flush would fail the same way: stop and retry later.
_STOP_FLUSH = (errors.OfflineError, errors.RateLimitedError, errors.AuthenticationError)


class OutboxError(Exception):
    """An outbox action that cannot be done (one sentence)."""


def error_from_record(record: dict[str, Any] | None) -> PickPackError | None:
    """Rebuild the error an entry recorded (``PickPackError.as_dict()``)."""
    if not record:
        return None
    cls = getattr(errors, str(record.get("kind")), None)
    if not (isinstance(cls, type) and issubclass(cls, PickPackError)):
        cls = PickPackError
    return cls(
        record.get("message") or "",
        status=record.get("status"),
        code=record.get("code"),
        request_id=record.get("requestId"),
    )


@dataclass(frozen=True)
class OutboxEntry:
    """One stored tracking write."""

    id: int
    order_id: str
    payload: dict[str, Any]
    created_at: str
    attempts: int
    last_error: dict[str, Any] | None
    state: str
    sent_at: str | None
    claimed_by: str | None = None
    lease_until: float | None = None
    attempt_started_at: str | None = None

    @property
    def update(self) -> TrackingUpdate:
        """The stored payload as a TrackingUpdate (to edit it in the form)."""
        return TrackingUpdate.model_validate(self.payload)

    @property
    def error(self) -> PickPackError | None:
        return error_from_record(self.last_error)

    @property
    def error_text(self) -> str | None:
        """``Not found: The order must be invoiced ... (code ORA0001B, requestId ...)``."""
        error = self.error
        return None if error is None else str(error)

    @property
    def in_flight(self) -> bool:
        """True while a live sender holds this entry (it may reach the server right now)."""
        return self.claimed_by is not None and not _claim_is_stale(self.claimed_by, self.lease_until, time.time())

    @property
    def summary(self) -> str:
        """A short description of the write: ``delivered 2025-02-13T02:00:00.000Z, 2 events``."""
        parts = []
        if self.payload.get("deliveredDate"):
            parts.append(f"delivered {self.payload['deliveredDate']}")
        events = self.payload.get("events") or []
        if events:
            parts.append(f"{len(events)} event{'s' if len(events) != 1 else ''}")
        return ", ".join(parts) or "empty"


@dataclass(frozen=True)
class SendOutcome:
    """What one send did. ``skipped`` means it was not attempted (not pending, or another
    sender holds it); ``state`` is then the entry's current state."""

    state: str  # "sent" | "pending" | "failed"
    entry: OutboxEntry
    error: PickPackError | None = None
    result: TrackingResult | None = None
    skipped: bool = False


_COLUMNS = (
    "id, order_id, payload, created_at, attempts, last_error, state, sent_at,"
    " claimed_by, lease_until, attempt_started_at"
)


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    values = list(row)
    values[2] = json.loads(values[2])
    values[5] = json.loads(values[5]) if values[5] else None
    return OutboxEntry(*values)


def _owner() -> str:
    """A claim token: host, process id and a random part (unique per attempt)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _process_gone(pid: int) -> bool:
    """True when no process ``pid`` runs here (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _claim_is_stale(claimed_by: str | None, lease_until: float | None, now: float) -> bool:
    """A claim no one will finish: lease over, or its process on this host is gone."""
    if claimed_by is None:
        return True
    if lease_until is None or lease_until < now:
        return True
    host, _, rest = claimed_by.partition(":")
    pid = rest.partition(":")[0]
    return host == socket.gethostname() and pid.isdigit() and _process_gone(int(pid))


class Outbox:
    """The tracking writes of one state database."""

    def __init__(self, db: StateDB, *, lease_seconds: float = LEASE_SECONDS) -> None:
        self.db = db
        self.lease_seconds = lease_seconds

    # ------------------------------------------------------------ reading

    def get(self, entry_id: int) -> OutboxEntry | None:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else _entry(row)

    def list(self, states: Iterable[str] = ("pending", "failed")) -> list[OutboxEntry]:
        """Entries in the given states, oldest first."""
        states = tuple(states)
        marks = ", ".join("?" for _ in states) or "NULL"
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE state IN ({marks}) ORDER BY id", states
            ).fetchall()
        return [_entry(row) for row in rows]

    def counts(self) -> tuple[int, int]:
        """``(pending, failed)``."""
        with self.db.read() as conn:
            rows = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        return int(rows.get("pending", 0)), int(rows.get("failed", 0))

    # ------------------------------------------------------------ changing

    def add(self, order_id: str, update: TrackingUpdate) -> OutboxEntry:
        """Store a tracking write as pending (committed before anything is sent)."""
        order_id = str(order_id).strip()
        if not order_id:
            raise ValueError("An order id is required")
        payload = update.to_payload()
        if not payload:
            raise ValueError("Nothing to send: give a delivered date and/or at least one event")
        with self.db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO outbox (order_id, payload, created_at) VALUES (?, ?, ?)",
                (order_id, json.dumps(payload), now_iso()),
            )
            entry_id = int(cursor.lastrowid or 0)
            cutoff = time.time() - KEEP_SENT_DAYS * 86400
            conn.execute(
                "DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?",
                (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(cutoff)),),
            )
            row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row)

    def discard(self, entry_id: int) -> OutboxEntry:
        """Remove an entry for good (refused while it is being sent)."""
        with self.db.write() as conn:
            entry = self._locked_get(conn, entry_id)
            if entry.in_flight:
                raise OutboxError(f"Outbox entry #{entry_id} is being sent right now; try again in a moment")
            conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))
        return entry

    def retry(self, entry_id: int) -> OutboxEntry:
        """Put a failed entry back to pending, as it is (the next send or flush tries it)."""
        with self.db.write() as conn:
            entry = self._locked_get(conn, entry_id)
            if entry.state == "sent":
                raise OutboxError(f"Outbox entry #{entry_id} was already accepted by the server")
            conn.execute("UPDATE outbox SET state = 'pending' WHERE id = ?", (entry_id,))
        return self._require(entry_id)

    def update_payload(self, entry_id: int, update: TrackingUpdate) -> OutboxEntry:
        """Replace what an unsent entry will send (after editing it); it becomes pending again."""
        payload = update.to_payload()
        if not payload:
            raise ValueError("Nothing to send: give a delivered date and/or at least one event")
        with self.db.write() as conn:
            entry = self._locked_get(conn, entry_id)
            if entry.state == "sent":
                raise OutboxError(f"Outbox entry #{entry_id} was already accepted by the server")
            if entry.in_flight:
                raise OutboxError(f"Outbox entry #{entry_id} is being sent right now; try again in a moment")
            conn.execute(
                "UPDATE outbox SET payload = ?, state = 'pending', last_error = NULL WHERE id = ?",
                (json.dumps(payload), entry_id),
            )
        return self._require(entry_id)

    def _locked_get(self, conn: Any, entry_id: int) -> OutboxEntry:
        row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise OutboxError(f"There is no outbox entry #{entry_id}")
        return _entry(row)

    def _require(self, entry_id: int) -> OutboxEntry:
        entry = self.get(entry_id)
        if entry is None:
            raise OutboxError(f"There is no outbox entry #{entry_id}")
        return entry

    # ------------------------------------------------------------ sending

    def _claim(self, entry_id: int) -> tuple[OutboxEntry | None, str]:
        """Claim a pending entry for one attempt; (None, owner) when it cannot be claimed."""
        owner = _owner()
        now = time.time()
        with self.db.write() as conn:
            entry = self._locked_get(conn, entry_id)
            if entry.state != "pending":
                return None, owner
            stale = entry.claimed_by if _claim_is_stale(entry.claimed_by, entry.lease_until, now) else None
            if entry.claimed_by is not None and stale is not None:
                log.info("outbox entry #%s: the previous attempt was interrupted; sending again", entry_id)
            cursor = conn.execute(
                "UPDATE outbox SET claimed_by = ?, lease_until = ?, attempts = attempts + 1,"
                " attempt_started_at = ?"
                " WHERE id = ? AND state = 'pending'"
                " AND (claimed_by IS NULL OR lease_until < ? OR claimed_by = ?)",
                (owner, now + self.lease_seconds, now_iso(), entry_id, now, stale),
            )
            if cursor.rowcount != 1:
                return None, owner
        return self._require(entry_id), owner

    def _finish(self, entry_id: int, owner: str, state: str, error: PickPackError | None) -> None:
        """Record the outcome of our attempt (only while we still own the claim)."""
        with self.db.write() as conn:
            if state == "pending" and error is None:  # interrupted: keep what we knew
                conn.execute(
                    "UPDATE outbox SET claimed_by = NULL, lease_until = NULL WHERE id = ? AND claimed_by = ?",
                    (entry_id, owner),
                )
                return
            conn.execute(
                "UPDATE outbox SET state = ?, last_error = ?, sent_at = ?, claimed_by = NULL,"
                " lease_until = NULL WHERE id = ? AND claimed_by = ?",
                (
                    state,
                    None if error is None else json.dumps(error.as_dict()),
                    now_iso() if state == "sent" else None,
                    entry_id,
                    owner,
                ),
            )

    async def send(self, entry_id: int, client: Any) -> SendOutcome:
        """Try to deliver one pending entry; never raises a PickPackError."""
        entry, owner = self._claim(entry_id)
        if entry is None:
            current = self._require(entry_id)
            return SendOutcome(state=current.state, entry=current, error=current.error, skipped=True)
        state = "pending"
        error: PickPackError | None = None
        result: TrackingResult | None = None
        try:
            result = await client.set_order_delivery(entry.order_id, entry.update)
            state = "sent"
        except PickPackError as exc:
            error = exc
            state = "pending" if exc.transient or isinstance(exc, errors.AuthenticationError) else "failed"
        finally:
            # Also on cancellation or a bug: release the claim, keep the entry pending.
            self._finish(entry_id, owner, state, error)
        log.info("outbox entry #%s for order %s: %s", entry_id, entry.order_id, state)
        return SendOutcome(state=state, entry=self._require(entry_id), error=error, result=result)

    async def submit(self, client: Any, order_id: str, update: TrackingUpdate) -> SendOutcome:
        """Store a tracking write, then try to send it."""
        entry = self.add(order_id, update)
        return await self.send(entry.id, client)

    async def flush(self, client: Any) -> list[SendOutcome]:
        """Send every pending entry, oldest first. Stops early when the network is down,
        the server rate-limits or the key is rejected (the rest would fail the same way)."""
        outcomes: list[SendOutcome] = []
        for entry in self.list(("pending",)):
            outcome = await self.send(entry.id, client)
            if outcome.skipped:
                continue
            outcomes.append(outcome)
            if isinstance(outcome.error, _STOP_FLUSH):
                break
        return outcomes


async def run_retries(
    client: Any,
    outbox: Outbox,
    *,
    stop: asyncio.Event,
    base_delay: float = 5.0,
    max_delay: float = 300.0,
    on_change: Callable[[], Any] | None = None,
    wake: asyncio.Event | None = None,
) -> None:
    """Background retry loop for the app: flush while entries are pending, backing off
    exponentially (with jitter) while sends keep failing, until ``stop`` is set (or the
    task is cancelled; an interrupted send stays pending).

    ``on_change()`` (sync or async) runs after every flush that attempted something, so
    the caller can refresh its "N pending" display; setting ``wake`` flushes right away.
    """
    delay = base_delay
    while not stop.is_set():
        try:
            outcomes = await outbox.flush(client) if outbox.counts()[0] else []
        except Exception:  # e.g. the state database is busy: keep the loop alive, try later
            log.exception("outbox retry failed")
            outcomes, delay = [], min(delay * 2, max_delay)
        else:
            if any(o.state == "pending" and o.error is not None for o in outcomes):
                delay = min(delay * 2, max_delay)
            else:
                delay = base_delay
        if outcomes and on_change is not None:
            maybe = on_change()
            if inspect.isawaitable(maybe):
                await maybe
        await _wait_any(stop, wake, random.uniform(delay / 2, delay))
        if wake is not None:
            wake.clear()


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event | None, timeout: float) -> None:
    """Sleep until ``stop`` or ``wake`` is set, or ``timeout`` seconds pass."""
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
