"""The outbox: tracking writes are stored before they are sent, and marked sent only
once the server accepted them. Nothing typed is lost, also not on kill -9.

Life of an entry::

    add() -> pending --send()--> sent        (2xx: the server accepted it)
                      \\-------> pending      (not sent: offline, 429, 5xx, key rejected)
                      \\-------> failed       (4xx business answer, or a write that can never
                                              leave, e.g. an unusable id: reason kept)
                      \\-------> uncertain    (sent, answer unknown: timeout after the request
                                              left, sender killed, accepted but not recorded)
    uncertain --reconcile()--> sent | pending     (delivered date read back with GET /orders/{id})
    failed|uncertain --retry()--> pending;  pending|failed|uncertain --supersede()--> superseded
    discard() removes an entry.

What is guaranteed:

* **Stored first.** A write is committed before anything is sent; it is never lost.
* **In order.** An entry is sent only when no older entry for the same order and target
  is pending, failed or uncertain: a newer write queues behind an older one and never
  overtakes it. The user may supersede the older one (kept in the history, never sent).
* **To its target.** Each entry records the profile, API URL and auth URL it was written
  for (:class:`Target`) and is sent only by a client of that same target; entries of
  other targets are neither sent nor dropped.
* **Never sent twice by pickterm.** The API has no idempotency key, so a request whose
  answer never arrived may or may not have been applied. Such an entry becomes
  *uncertain* and is never re-sent on its own. When it carries a delivered date,
  :meth:`Outbox.reconcile` reads the order back: the date is there, so it is settled as
  sent. It is not: a delivered date alone goes back to pending (sending a date again is
  harmless: it is set, not added); a write with events stays uncertain. An uncertain
  write with events "may have been sent": a person decides (``retry`` or ``discard``),
  seeing what the order shows now.
* **Honest records.** Recording the server's answer is retried a few times; when it still
  fails the caller is told the write was accepted but not recorded (the entry then
  becomes uncertain, and is never re-sent blindly).

Claims: before sending, an entry is *claimed* in a committed transaction (a conditional
UPDATE: still pending and not claimed; ``attempts`` +1, a lease of
:data:`LEASE_SECONDS`). The outcome is recorded only by the claim's owner. A claim whose
process is gone or whose lease ran out marks the entry uncertain.

One state, one word: :func:`entry_state` alone says what an entry is now (a pending entry
being sent is ``sending``; one whose sender is gone is ``uncertain`` at once, before a
flush records it so), and every list, summary and count (:class:`OutboxCounts`) uses it.
A write is uncertain only when its PATCH may have left: a failure before it (getting a
token) leaves it pending.
"""

from __future__ import annotations

import asyncio
import builtins
import inspect
import json
import logging
import os
import random
import socket
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import urlsplit

from pickterm.api import errors
from pickterm.api.errors import PickPackError
from pickterm.api.models import TrackingResult, TrackingUpdate
from pickterm.i18n import _, ngettext
from pickterm.ids import order_id_problem
from pickterm.store.database import StateError, now_iso
from pickterm.store.state import StateDB

if TYPE_CHECKING:
    from pickterm.api.models import Order
    from pickterm.jsonvalue import JSONObject

__all__ = [
    "LEASE_SECONDS",
    "InvalidOrderIdError",
    "Outbox",
    "OutboxEntry",
    "OutboxCounts",
    "OutboxError",
    "SendOutcome",
    "Target",
    "entry_state",
    "error_from_record",
    "run_retries",
]

log = logging.getLogger("pickterm.store.outbox")

LEASE_SECONDS = 120.0  # longer than any single PATCH can take (token fetch + request timeouts)
KEEP_SENT_DAYS = 30
STATES = ("pending", "sent", "failed", "uncertain", "superseded")  # as stored
SENDING = "sending"  # a pending entry a live sender holds right now (never stored)
OPEN_STATES = ("pending", "failed", "uncertain")  # a newer write for the order waits behind these
RECORD_PAUSES = (0.25, 1.0)  # pauses between attempts to record an answer (3 attempts in all)
# Errors after which the rest of a flush would fail the same way: stop and retry later.
_STOP_FLUSH = (errors.OfflineError, errors.RateLimitedError, errors.AuthenticationError)


def _stops_flush(error: PickPackError | None) -> bool:
    """True after an error the rest of a flush would meet too (also no token at all)."""
    return error is not None and (isinstance(error, _STOP_FLUSH) or not error.request_left)


# Why an entry became uncertain (stored in ``answer``; the words live in the commands and screens).
INTERRUPTED, NO_ANSWER, NOT_RECORDED = "interrupted", "no-answer", "not-recorded"


class OutboxError(Exception):
    """An outbox action that cannot be done (one sentence)."""


def _refuse_settled(entry: OutboxEntry) -> None:
    """An entry the server accepted, or that was superseded, is never changed (only kept as history)."""
    if entry.state == "sent":
        raise OutboxError(f"Outbox entry #{entry.id} was already accepted by the server")
    if entry.state == "superseded":
        raise OutboxError(f"Outbox entry #{entry.id} was superseded; it is kept only as history")


def _refuse_in_flight(entry: OutboxEntry) -> None:
    """An entry being sent right now is not changed under its sender."""
    if entry.in_flight:
        raise OutboxError(f"Outbox entry #{entry.id} is being sent right now; try again in a moment")


class InvalidOrderIdError(ValueError):
    """The id cannot be an order id: refused before anything is stored (one sentence)."""


def error_from_record(record: JSONObject | None) -> PickPackError | None:
    """Rebuild the error an entry recorded (``PickPackError.as_dict()``)."""
    if not record:
        return None
    cls = getattr(errors, str(record.get("kind")), None)
    if not (isinstance(cls, type) and issubclass(cls, PickPackError)):
        cls = _LocalProblem if record.get("kind") == "LocalProblem" else PickPackError
    message, status, code, request_id = (record.get(k) for k in ("message", "status", "code", "requestId"))
    return cls(
        str(message or ""),
        status=status if isinstance(status, int) else None,
        code=code if isinstance(code, str) else None,
        request_id=request_id if isinstance(request_id, str) else None,
    )


class _LocalProblem(PickPackError):
    """A write that cannot leave this machine as it is (retrying cannot fix it)."""

    sentence = "Cannot be sent"
    hint = "Discard it and type the write again with a valid order id."

    def as_dict(self) -> JSONObject:
        return {**super().as_dict(), "kind": "LocalProblem"}


class TrackingClient(Protocol):
    """What the outbox needs of an API client (:class:`pickterm.api.client.PickPackClient`); its
    ``profile``, when it has one, is part of the target."""

    @property
    def api_url(self) -> str: ...

    @property
    def auth_url(self) -> str: ...

    async def get_order(self, order_id: str, *, fresh: bool = False) -> Order: ...

    async def set_order_delivery(self, order_id: str, update: TrackingUpdate) -> TrackingResult: ...


@dataclass(frozen=True)
class Target:
    """Where an entry may be sent: the profile and both URLs it was written for."""

    profile: str
    api_url: str
    auth_url: str

    @classmethod
    def of(cls, client: TrackingClient) -> Target:
        """The target a client sends to (``client.profile``, ``api_url``, ``auth_url``)."""
        return cls(str(getattr(client, "profile", None) or "default"), str(client.api_url), str(client.auth_url))

    def __str__(self) -> str:
        host = urlsplit(self.api_url).netloc or self.api_url
        return f"{self.profile} @ {host}"


@dataclass(frozen=True)
class OutboxEntry:
    """One stored tracking write."""

    id: int
    order_id: str
    payload: JSONObject
    created_at: str
    attempts: int
    last_error: JSONObject | None
    state: str
    sent_at: str | None
    claimed_by: str | None = None
    lease_until: float | None = None
    attempt_started_at: str | None = None
    profile: str | None = None
    api_url: str | None = None
    auth_url: str | None = None
    settled_at: str | None = None
    answer: JSONObject | None = None

    @property
    def target(self) -> Target | None:
        """Where this entry may be sent (None for an entry stored before targets were kept)."""
        if self.profile is None or self.api_url is None or self.auth_url is None:
            return None
        return Target(self.profile, self.api_url, self.auth_url)

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
    def status(self) -> str:
        """What this entry is now (:func:`entry_state`): the one word every view uses."""
        return entry_state(self)

    @property
    def uncertain_reason(self) -> str | None:
        """For an uncertain entry: ``interrupted``, ``no-answer`` or ``not-recorded``."""
        if self.status != "uncertain":
            return None
        if self.state != "uncertain":  # its sender is gone, not yet recorded so
            return INTERRUPTED
        return str((self.answer or {}).get("uncertain") or INTERRUPTED)

    @property
    def checkable(self) -> bool:
        """True when reading the order back can tell whether this write was applied (it
        sets a delivered date)."""
        return bool(self.payload.get("deliveredDate"))

    @property
    def awaits_decision(self) -> bool:
        """An uncertain entry only a person can settle ("may have been sent"): events only,
        or events whose delivered date the order did not show when read back."""
        if self.status != "uncertain":
            return False
        if not self.checkable:
            return True
        return bool(self.payload.get("events") and (self.answer or {}).get("reconciled"))

    @property
    def summary(self) -> str:
        """A short description of the write: ``delivered 2025-02-13T02:00:00.000Z, 2 events``."""
        parts = []
        if self.payload.get("deliveredDate"):
            parts.append(_("delivered {date}").format(date=self.payload["deliveredDate"]))
        events = self.payload.get("events")
        if isinstance(events, list) and events:
            parts.append(ngettext("{n} event", "{n} events", len(events)).format(n=len(events)))
        return ", ".join(parts) or _("empty")


def entry_state(entry: OutboxEntry, now: float | None = None) -> str:
    """What an entry is now, in one code: ``pending``, ``sending``, ``failed``,
    ``uncertain`` ("may have been sent"), ``sent`` or ``superseded``.

    The stored state, except for a pending entry that is claimed: ``sending`` while its
    sender lives, ``uncertain`` once the sender is gone or its lease ran out (its PATCH may
    have left; the next flush records it so). Lists, summaries and counts all ask here.
    """
    if entry.state != "pending" or entry.claimed_by is None:
        return entry.state
    stale = _claim_is_stale(entry.claimed_by, entry.lease_until, time.time() if now is None else now)
    return "uncertain" if stale else SENDING


class OutboxCounts(NamedTuple):
    """How many open entries are in each state (:func:`entry_state`)."""

    pending: int = 0
    sending: int = 0
    failed: int = 0
    uncertain: int = 0

    @classmethod
    def of(cls, entries: Iterable[OutboxEntry]) -> OutboxCounts:
        """Count ``entries`` by their state now (settled ones are not counted)."""
        states = [entry.status for entry in entries]
        return cls(*(states.count(field) for field in cls._fields))

    @property
    def waiting(self) -> int:
        """Writes not sent yet that pickterm sends on its own (pending or being sent)."""
        return self.pending + self.sending


@dataclass(frozen=True)
class SendOutcome:
    """What one send (or one reconcile) did.

    ``skipped`` means it was not attempted (not pending, another sender holds it, it waits
    behind ``blocked_by``, or it belongs to another target); ``state`` is then the entry's
    current state. ``recorded`` is False when the server's answer could not be stored
    (``record_error`` says why): with ``state == "sent"`` the write was accepted.
    """

    state: str  # "sent" | "pending" | "failed" | "uncertain"
    entry: OutboxEntry
    error: PickPackError | None = None
    result: TrackingResult | None = None
    skipped: bool = False
    blocked_by: OutboxEntry | None = None
    recorded: bool = True
    record_error: StateError | None = None
    reconciled: bool = False


_BASE_COLUMNS = (
    "id",
    "order_id",
    "payload",
    "created_at",
    "attempts",
    "last_error",
    "state",
    "sent_at",
    "claimed_by",
    "lease_until",
    "attempt_started_at",
)
_TARGET_COLUMNS = ("profile", "api_url", "auth_url", "settled_at", "answer")
_COLUMNS = ", ".join(_BASE_COLUMNS + _TARGET_COLUMNS)


def _entry(row: tuple[Any, ...]) -> OutboxEntry:  # type: ignore[explicit-any]  # a row as sqlite3 gives it (typed Any)
    values = list(row)
    values[2] = json.loads(values[2])
    values[5] = json.loads(values[5]) if values[5] else None
    if len(values) > 15:
        values[15] = json.loads(values[15]) if values[15] else None
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


def _instant(text: object) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _outcome_state(exc: PickPackError) -> str:
    """Where an entry goes after the client raised ``exc`` for its PATCH."""
    if not exc.request_left:
        return "pending"  # it failed before the PATCH left (e.g. no token): send it later
    if isinstance(exc, (errors.NoAnswerError, errors.InvalidResponseError)):
        return "uncertain"  # the request left; whether it was applied is unknown
    if exc.transient or isinstance(exc, errors.AuthenticationError):
        return "pending"  # it was not applied: send it again later
    return "failed"


class Outbox:
    """The tracking writes of one state database."""

    def __init__(
        self,
        db: StateDB,
        *,
        lease_seconds: float = LEASE_SECONDS,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.db = db
        self.lease_seconds = lease_seconds
        self._sleep = sleep
        self._columns: str | None = None

    # ------------------------------------------------------------ reading

    def _select(self, conn: sqlite3.Connection) -> str:
        """The column list (NULL for the target columns of a database not yet migrated,
        which a read-only opening can meet)."""
        if self._columns is None:
            have = {row[1] for row in conn.execute("PRAGMA table_info(outbox)").fetchall()}
            self._columns = ", ".join(
                name if name in have else f"NULL AS {name}" for name in _BASE_COLUMNS + _TARGET_COLUMNS
            )
        return self._columns

    def get(self, entry_id: int) -> OutboxEntry | None:
        with self.db.read() as conn:
            row = conn.execute(f"SELECT {self._select(conn)} FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else _entry(row)

    def list(self, states: Iterable[str] = ("pending", "failed", "uncertain")) -> list[OutboxEntry]:
        """Entries in the given states, oldest first."""
        states = tuple(states)
        marks = ", ".join("?" for _ in states) or "NULL"
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {self._select(conn)} FROM outbox WHERE state IN ({marks}) ORDER BY id", states
            ).fetchall()
        return [_entry(row) for row in rows]

    def history(self, limit: int = 100) -> builtins.list[OutboxEntry]:
        """Settled entries (sent, failed, uncertain, superseded), newest first."""
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT {self._select(conn)} FROM outbox WHERE state != 'pending'"
                " ORDER BY COALESCE(settled_at, sent_at, created_at) DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [_entry(row) for row in rows]

    def counts_by_state(self, profile: str | None = None) -> dict[str, int]:
        """How many entries are in each state of :func:`entry_state` (every state named,
        0 when none); with ``profile``, only those written for it (and those stored before
        entries had a target)."""
        where, args = (" AND (profile IS ? OR profile IS NULL)", (profile,)) if profile is not None else ("", ())
        with self.db.read() as conn:
            rows = dict(
                conn.execute(
                    f"SELECT state, COUNT(*) FROM outbox WHERE state IN ('sent', 'superseded'){where} GROUP BY state",
                    args,
                )
            )
        return {
            "sent": int(rows.get("sent", 0)),
            "superseded": int(rows.get("superseded", 0)),
            **self.counts(profile)._asdict(),
        }

    def counts(self, profile: str | None = None) -> OutboxCounts:
        """The open entries by state now: pending, sending, failed, uncertain. ``profile``: as
        :meth:`counts_by_state`."""
        entries = self.list(OPEN_STATES)
        if profile is not None:
            entries = [entry for entry in entries if entry.profile is None or entry.profile == profile]
        return OutboxCounts.of(entries)

    def blocker(self, entry: OutboxEntry) -> OutboxEntry | None:
        """The oldest open entry for the same order and target that ``entry`` waits behind."""
        with self.db.read() as conn:
            return self._blocker(conn, entry)

    def _blocker(self, conn: sqlite3.Connection, entry: OutboxEntry) -> OutboxEntry | None:
        marks = ", ".join("?" for _ in OPEN_STATES)
        row = conn.execute(
            f"SELECT {self._select(conn)} FROM outbox WHERE order_id = ? AND id < ? AND state IN ({marks})"
            " AND profile IS ? AND api_url IS ? AND auth_url IS ? ORDER BY id LIMIT 1",
            (entry.order_id, entry.id, *OPEN_STATES, entry.profile, entry.api_url, entry.auth_url),
        ).fetchone()
        return None if row is None else _entry(row)

    # ------------------------------------------------------------ changing

    def add(self, order_id: str, update: TrackingUpdate, target: Target | None = None) -> OutboxEntry:
        """Store a tracking write as pending for ``target`` (committed before anything is
        sent). An id that cannot be an order id raises :class:`InvalidOrderIdError` and
        stores nothing."""
        order_id = str(order_id).strip()
        problem = order_id_problem(order_id)
        if problem is not None:
            raise InvalidOrderIdError(problem[0].upper() + problem[1:])
        payload = update.to_payload()
        if not payload:
            raise ValueError("Nothing to send: give a delivered date and/or at least one event")
        with self.db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO outbox (order_id, payload, created_at, profile, api_url, auth_url)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    order_id,
                    json.dumps(payload),
                    now_iso(),
                    None if target is None else target.profile,
                    None if target is None else target.api_url,
                    None if target is None else target.auth_url,
                ),
            )
            entry_id = int(cursor.lastrowid or 0)
            cutoff = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - KEEP_SENT_DAYS * 86400))
            conn.execute(
                "DELETE FROM outbox WHERE state IN ('sent', 'superseded')"
                " AND COALESCE(settled_at, sent_at, created_at) < ?",
                (cutoff,),
            )
            row = conn.execute(f"SELECT {self._select(conn)} FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row)

    def discard(self, entry_id: int) -> OutboxEntry:
        """Remove an entry for good (refused while it is being sent)."""
        with self.db.write() as conn:
            entry = self._locked_get(conn, entry_id)
            _refuse_in_flight(entry)
            conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))
        return entry

    def retry(self, entry_id: int, target: Target | None = None) -> OutboxEntry:
        """Put a failed or uncertain entry back to pending, as it is (the next send or
        flush tries it; for an uncertain one this is the user's decision to resend).
        An entry stored without a target takes ``target``."""
        with self.db.write() as conn:
            entry = self._locked_get(conn, entry_id)
            _refuse_settled(entry)
            _refuse_in_flight(entry)
            conn.execute(
                "UPDATE outbox SET state = 'pending', settled_at = NULL, claimed_by = NULL, lease_until = NULL"
                " WHERE id = ?",
                (entry_id,),
            )
            if entry.target is None and target is not None:
                conn.execute(
                    "UPDATE outbox SET profile = ?, api_url = ?, auth_url = ? WHERE id = ?",
                    (target.profile, target.api_url, target.auth_url, entry_id),
                )
        return self._require(entry_id)

    def supersede(self, entry_id: int) -> OutboxEntry:
        """Mark an unsent entry superseded: kept in the history, never sent. The writes
        for the same order that waited behind it can then leave."""
        with self.db.write() as conn:
            entry = self._locked_get(conn, entry_id)
            if entry.state not in OPEN_STATES:
                raise OutboxError(f"Outbox entry #{entry_id} is {entry.state}; only unsent entries can be superseded")
            _refuse_in_flight(entry)
            conn.execute("UPDATE outbox SET state = 'superseded', settled_at = ? WHERE id = ?", (now_iso(), entry_id))
        return self._require(entry_id)

    def update_payload(self, entry_id: int, update: TrackingUpdate) -> OutboxEntry:
        """Replace what an unsent entry will send (after editing it); it becomes pending again."""
        payload = update.to_payload()
        if not payload:
            raise ValueError("Nothing to send: give a delivered date and/or at least one event")
        with self.db.write() as conn:
            entry = self._locked_get(conn, entry_id)
            _refuse_settled(entry)
            if entry.state == "uncertain":
                raise OutboxError(
                    f"Outbox entry #{entry_id} may have been sent already; check the order, then send it"
                    " again (retry) or discard it"
                )
            _refuse_in_flight(entry)
            conn.execute(
                "UPDATE outbox SET payload = ?, state = 'pending', last_error = NULL, settled_at = NULL WHERE id = ?",
                (json.dumps(payload), entry_id),
            )
        return self._require(entry_id)

    def settle_interrupted(self) -> builtins.list[OutboxEntry]:
        """Mark uncertain every pending entry whose sender is gone (killed, or its lease
        ran out): its request may have reached the server. Returns those entries."""
        now = time.time()
        settled = []
        with self.db.write() as conn:
            rows = conn.execute(
                f"SELECT {self._select(conn)} FROM outbox WHERE state = 'pending' AND claimed_by IS NOT NULL"
            ).fetchall()
            for row in rows:
                entry = _entry(row)
                if not _claim_is_stale(entry.claimed_by, entry.lease_until, now):
                    continue
                conn.execute(
                    "UPDATE outbox SET state = 'uncertain', claimed_by = NULL, lease_until = NULL,"
                    " settled_at = ?, answer = ? WHERE id = ? AND claimed_by = ?",
                    (now_iso(), json.dumps({"uncertain": INTERRUPTED}), entry.id, entry.claimed_by),
                )
                log.info("outbox entry #%s: its sender stopped mid-flight; now uncertain", entry.id)
                settled.append(entry)
        return settled

    def _locked_get(self, conn: sqlite3.Connection, entry_id: int) -> OutboxEntry:
        row = conn.execute(f"SELECT {self._select(conn)} FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise OutboxError(f"There is no outbox entry #{entry_id}")
        return _entry(row)

    def _require(self, entry_id: int) -> OutboxEntry:
        entry = self.get(entry_id)
        if entry is None:
            raise OutboxError(f"There is no outbox entry #{entry_id}")
        return entry

    # ------------------------------------------------------------ sending

    def _claim(self, entry_id: int, target: Target) -> tuple[OutboxEntry | None, str, OutboxEntry | None]:
        """Claim a pending entry of ``target`` for one attempt. ``(None, owner, blocker)``
        when it cannot be claimed; ``blocker`` is the older entry it waits behind."""
        owner = _owner()
        now = time.time()
        with self.db.write() as conn:
            entry = self._locked_get(conn, entry_id)
            if entry.state != "pending" or entry.target != target:
                return None, owner, None
            if entry.claimed_by is not None:
                if _claim_is_stale(entry.claimed_by, entry.lease_until, now):
                    conn.execute(
                        "UPDATE outbox SET state = 'uncertain', claimed_by = NULL, lease_until = NULL,"
                        " settled_at = ?, answer = ? WHERE id = ?",
                        (now_iso(), json.dumps({"uncertain": INTERRUPTED}), entry_id),
                    )
                return None, owner, None
            blocker = self._blocker(conn, entry)
            if blocker is not None:
                return None, owner, blocker
            conn.execute(
                "UPDATE outbox SET claimed_by = ?, lease_until = ?, attempts = attempts + 1,"
                " attempt_started_at = ? WHERE id = ?",
                (owner, now + self.lease_seconds, now_iso(), entry_id),
            )
        return self._require(entry_id), owner, None

    def _finish(
        self, entry_id: int, owner: str, state: str, error: PickPackError | None, answer: JSONObject | None
    ) -> None:
        """Record the outcome of our attempt (only while we still own the claim)."""
        with self.db.write() as conn:
            conn.execute(
                "UPDATE outbox SET state = ?, last_error = ?, sent_at = ?, settled_at = ?, answer = ?,"
                " claimed_by = NULL, lease_until = NULL WHERE id = ? AND claimed_by = ?",
                (
                    state,
                    None if error is None else json.dumps(error.as_dict()),
                    now_iso() if state == "sent" else None,
                    None if state == "pending" else now_iso(),
                    None if answer is None else json.dumps(answer),
                    entry_id,
                    owner,
                ),
            )

    async def _record(
        self, entry_id: int, owner: str, state: str, error: PickPackError | None, answer: JSONObject | None
    ) -> StateError | None:
        """:meth:`_finish` with short retries; the last StateError when it never worked."""
        for pause in (*RECORD_PAUSES, None):
            try:
                self._finish(entry_id, owner, state, error, answer)
                return None
            except StateError as exc:
                if pause is None:
                    log.error("outbox entry #%s: the outcome could not be recorded: %s", entry_id, exc)
                    return exc
                await self._sleep(pause)
        return None  # pragma: no cover

    async def send(self, entry_id: int, client: TrackingClient) -> SendOutcome:
        """Try to deliver one pending entry of the client's target; never raises a
        PickPackError (a StateError when the claim itself cannot be stored)."""
        target = Target.of(client)
        entry, owner, blocker = self._claim(entry_id, target)
        if entry is None:
            current = self._require(entry_id)
            return SendOutcome(
                state=current.state, entry=current, error=current.error, skipped=True, blocked_by=blocker
            )
        state = "uncertain"  # until we know better (a cancellation mid-flight leaves it so)
        error: PickPackError | None = None
        result: TrackingResult | None = None
        answer: JSONObject | None = {"uncertain": INTERRUPTED}
        record_error: StateError | None = None
        try:
            try:
                result = await client.set_order_delivery(entry.order_id, entry.update)
            except PickPackError as exc:
                error, state = exc, _outcome_state(exc)
                answer = {"uncertain": NO_ANSWER} if state == "uncertain" else None
            except Exception as exc:  # noqa: BLE001 - a write that cannot leave as it is
                error = _LocalProblem(f"{type(exc).__name__}: {str(exc)[:200]}")
                state, answer = "failed", None
            else:
                state = "sent"
                answer = result.model_dump(by_alias=True, exclude_none=True)
        finally:
            record_error = await self._record(entry_id, owner, state, error, answer)
        log.info("outbox entry #%s for order %s: %s", entry_id, entry.order_id, state)
        try:
            current = self._require(entry_id)
        except StateError:
            current = entry
        return SendOutcome(
            state=state,
            entry=current,
            error=error,
            result=result,
            recorded=record_error is None,
            record_error=record_error,
        )

    async def submit(self, client: TrackingClient, order_id: str, update: TrackingUpdate) -> SendOutcome:
        """Store a tracking write for the client's target, then try to send it (it waits
        instead when an older write for the order is still open: ``blocked_by``)."""
        entry = self.add(order_id, update, Target.of(client))
        return await self.send(entry.id, client)

    async def reconcile(self, client: TrackingClient) -> builtins.list[SendOutcome]:
        """Settle the uncertain entries of the client's target that carry a delivered date,
        by reading the order back. The date is there: the write was applied (sent). It is
        not: a delivered date alone goes back to pending (sending a date again is harmless);
        a write with events stays uncertain, with what the order showed, for a person."""
        target = Target.of(client)
        outcomes: builtins.list[SendOutcome] = []
        for entry in self.list(("uncertain",)):
            if entry.target != target or entry.awaits_decision or entry.in_flight:
                continue
            wanted = _instant(entry.payload.get("deliveredDate"))
            try:
                order = await client.get_order(entry.order_id, fresh=True)
                shown = order.delivered_date
            except errors.NotFoundError:
                shown = None  # no such order: the write cannot have been applied
            except PickPackError as exc:
                outcomes.append(SendOutcome(state="uncertain", entry=entry, error=exc, reconciled=True))
                if _stops_flush(exc):
                    break
                continue
            applied = wanted is not None and _instant(shown) == wanted
            # Not shown: a delivered date alone is safe to send again (it is set, not added).
            # Events would be added twice if the first request still lands: a person decides.
            state = "sent" if applied else "uncertain" if entry.payload.get("events") else "pending"
            with self.db.write() as conn:
                conn.execute(
                    "UPDATE outbox SET state = ?, sent_at = ?, settled_at = ?, answer = ?"
                    " WHERE id = ? AND state = 'uncertain'",
                    (
                        state,
                        now_iso() if applied else None,
                        None if state == "pending" else now_iso(),
                        json.dumps({**(entry.answer or {}), "reconciled": now_iso(), "orderDeliveredDate": shown}),
                        entry.id,
                    ),
                )
            log.info("outbox entry #%s: read back order %s: %s", entry.id, entry.order_id, state)
            outcomes.append(SendOutcome(state=state, entry=self._require(entry.id), reconciled=True))
        return outcomes

    def has_work(self, target: Target | None = None) -> bool:
        """True when a flush could do something: pending entries, or uncertain ones that
        reading the order back can settle (of ``target`` when given)."""
        for entry in self.list(("pending", "uncertain")):
            if target is not None and entry.target != target:
                continue
            if entry.state == "pending":
                return True
            if not entry.awaits_decision:
                return True
        return False

    async def flush(self, client: TrackingClient) -> builtins.list[SendOutcome]:
        """Send every pending entry of the client's target, oldest first, after settling
        interrupted sends and reconciling what can be read back. Stops early when the
        network is down, the server rate-limits or the key is rejected (the rest would
        fail the same way). Entries of other targets are left as they are."""
        target = Target.of(client)
        self.settle_interrupted()
        outcomes = await self.reconcile(client)
        if any(_stops_flush(o.error) for o in outcomes):
            return outcomes
        for entry in self.list(("pending",)):
            if entry.target != target:
                continue
            outcome = await self.send(entry.id, client)
            if outcome.skipped:
                continue
            outcomes.append(outcome)
            if _stops_flush(outcome.error):
                break
        return outcomes


async def run_retries(
    client: TrackingClient,
    outbox: Outbox,
    *,
    stop: asyncio.Event,
    base_delay: float = 5.0,
    max_delay: float = 300.0,
    on_change: Callable[[], object] | None = None,
    wake: asyncio.Event | None = None,
) -> None:
    """Background retry loop for the app: flush while entries are pending, backing off
    exponentially (with jitter) while sends keep failing, until ``stop`` is set (or the
    task is cancelled; an interrupted send becomes uncertain).

    ``on_change()`` (sync or async) runs after every flush that attempted something, so
    the caller can refresh its "N pending" display; setting ``wake`` flushes right away.
    """
    delay = base_delay
    while not stop.is_set():
        try:
            outcomes = await outbox.flush(client) if outbox.has_work(Target.of(client)) else []
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
