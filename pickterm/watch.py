"""The local store while pickterm runs: its health, the outbox's counts and retries, and the
recent lookups. No Textual here.

:class:`StoreWatch` does the work and reports it through :class:`Reports` (the App turns each
report into what its screens watch: the header's word, a toast, the outbox counts). Work that
runs on its own (counting, retrying, watching, remembering) is started through ``spawn``, which
the App gives as one of its workers, so that it ends with the App.

The local store is a convenience, never a condition: lookups work without it. Its SQLite calls
run off the event loop (a busy database is a word in the header, not a frozen screen). A store
that cannot be opened (locked, corrupt, read-only) is unavailable, with why, and is tried again
every few seconds; an open one is watched (``PRAGMA data_version``) so that writes by another
pickterm, such as ``pickterm outbox flush`` in another terminal, show within seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Protocol, TypeVar, TypeVarTuple

from pickterm.i18n import N_

if TYPE_CHECKING:
    from pickterm.services import Services
    from pickterm.store.outbox import OutboxCounts
    from pickterm.store.state import Recent, StateDB

__all__ = ["Job", "Reports", "StoreWatch"]

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

NO_STORE = N_("no store")  # the header shows these translated
STORE_BUSY = N_("store busy")
STORE_ERROR = N_("store error")
STORE_BACK = "store back"  # news only: the store opened again after it could not be


class Job(Protocol):
    """Work started by ``spawn`` (a worker of the App)."""

    @property
    def is_finished(self) -> bool: ...

    async def wait(self) -> object: ...


Spawn = Callable[[Coroutine[object, None, None], str], Job]
"""Run a coroutine in the background, in the named group."""


class Reports(Protocol):
    """What the watch tells the App."""

    def report_store_status(self, status: str) -> None:
        """The header's word: "" while the store works, else NO_STORE, STORE_BUSY or STORE_ERROR."""

    def report_store_news(self, news: str, error: BaseException | None) -> None:
        """Said once when it happens: the status just entered, or STORE_BACK."""

    def report_outbox_counts(self, counts: OutboxCounts) -> None:
        """The outbox's (pending, sending, failed, uncertain) writes of this profile."""


class StoreWatch:
    """The local store of one App's services, watched."""

    def __init__(self, services: Services, reports: Reports, spawn: Spawn, services_ready: asyncio.Event) -> None:
        """``services_ready``: set once the API layer and the settings are loaded (the profile is known)."""
        self.services = services
        self.reports = reports
        self.spawn = spawn
        self.services_ready = services_ready
        self.ready = asyncio.Event()  # set once the store was opened, or could not be
        self.status = ""
        self.error: BaseException | None = None  # why the store is unavailable or failed last
        self._wake = asyncio.Event()  # F5: check the store now, not at the next poll
        self._retrying = False
        self._remembering: list[Job] = []

    @property
    def state(self) -> StateDB | None:
        return self.services.state

    def _set_status(self, status: str) -> None:
        self.status = status
        self.reports.report_store_status(status)

    # ------------------------------------------------------------ health

    async def open(self) -> bool:
        """Open the store in a thread; when it cannot be opened, say so and why. The outbox on
        it comes once the API layer is loaded (:meth:`start_outbox`)."""
        was_missing = self.error is not None and self.state is None
        try:
            if self.state is None:
                await asyncio.to_thread(self.services.open_state)
        except Exception as exc:
            self.services.forget_store()
            self.failed(exc)
            return False
        finally:
            self.ready.set()
        self.error = None
        self._set_status("")
        if was_missing:
            self.reports.report_store_news(STORE_BACK, None)
        if self.services_ready.is_set():
            await self.start_outbox()
        return True

    def failed(self, exc: BaseException) -> None:
        """A store call failed: the header says so, and the news once what is affected and why."""
        if self.state is None:
            status = NO_STORE
        elif getattr(exc, "busy", False):
            status = STORE_BUSY
        else:
            status = STORE_ERROR
        self.error = exc
        if status != self.status:
            self._set_status(status)
            self.reports.report_store_news(status, exc)

    def _worked(self, wrote: bool) -> None:
        # Reading works while another process holds the write lock: only a write ends "busy".
        if self.state is not None and self.status and (wrote or self.status != STORE_BUSY):
            self.error = None
            self._set_status("")

    async def call(self, call: Callable[[*Ts], T], *args: *Ts, writes: bool = False) -> T:
        """``call(*args)`` (a StateDB or Outbox method) in a thread; a failure is reported and
        raised. ``writes``: the call writes (its success ends "store busy")."""
        try:
            result = await asyncio.to_thread(call, *args)
        except Exception as exc:
            self.failed(exc)
            raise
        self._worked(writes)
        return result

    def wake(self) -> None:
        """Try an unavailable store (and count the outbox) now rather than at the next poll."""
        self._wake.set()

    async def watch(self, poll_seconds: float) -> None:
        """Reopen an unavailable store; notice what other processes change in an open one."""
        seen: int | None = None
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()
            state = self.state
            if state is None:
                seen = None
                await self.open()
                continue
            try:
                if self.status == STORE_BUSY:  # can we write again?
                    await self.call(_try_write, state, writes=True)
                version = await asyncio.to_thread(state.data_version)
            except Exception as exc:
                self.failed(exc)
                continue
            if version != seen:
                seen = version
                await self.count_outbox()

    # ------------------------------------------------------------ the outbox

    async def start_outbox(self) -> None:
        """The outbox on the open store (it needs the API layer): count it, retry what waits."""
        if self.state is None:
            return
        self.services.open_outbox()
        await self.count_outbox()
        self.start_retries()

    def recount(self) -> None:
        """Count the outbox again, in the background."""
        if self.services.outbox is not None:
            self.spawn(self.count_outbox(), "counts")

    async def count_outbox(self) -> None:
        """Count this profile's writes in the outbox (off the event loop); a busy store keeps the
        last counts."""
        outbox = self.services.outbox
        if outbox is None:
            return
        try:
            counts = await self.call(outbox.counts, self.services.profile_name)
        except Exception:
            return
        self.reports.report_outbox_counts(counts)

    def start_retries(self) -> None:
        """Retry pending tracking writes in the background while the app runs."""
        if self.services.outbox is not None and self.services.client is not None and not self._retrying:
            self._retrying = True
            self.spawn(self._retry(), "outbox")

    async def _retry(self) -> None:
        """The retry loop runs on a thread of its own (its SQLite calls never hold up the
        screen); its requests come back to this loop, where the client lives."""
        from pickterm.offloop import off_loop
        from pickterm.store.outbox import run_retries

        loop = asyncio.get_running_loop()
        outbox = self.services.outbox
        if outbox is None:  # the store went away since
            self._retrying = False
            return

        def changed() -> None:
            try:
                loop.call_soon_threadsafe(self.recount)
            except RuntimeError:  # the app has closed
                pass

        try:
            await off_loop(
                self.services.client,
                lambda client: run_retries(client, outbox, stop=asyncio.Event(), on_change=changed),
            )
        finally:
            self._retrying = False

    # ------------------------------------------------------------ recent lookups

    def remember(self, kind: str, ident: str) -> None:
        """Add to this profile's recent lookups (order, worksheet, shipment), off the event loop."""
        if self.state is not None:
            self._remembering = [job for job in self._remembering if not job.is_finished]
            self._remembering.append(self.spawn(self._remember(self.state, kind, ident), "remember"))

    async def _remember(self, state: StateDB, kind: str, ident: str) -> None:
        await self.services_ready.wait()  # the profile is known (a lookup needed the settings anyway)
        profile = self.services.profile_name
        if profile is None:  # the settings could not be read
            return
        try:
            await self.call(state.add_recent, kind, ident, profile, writes=True)
        except Exception:  # the store is a convenience here: the header says it is busy
            pass

    async def recent(self, limit: int) -> list[Recent]:
        """This profile's recent lookups, newest first, once those being saved are in (off the
        event loop); none while the profile is not known yet (the settings not read)."""
        for job in [job for job in self._remembering if not job.is_finished]:
            try:
                await job.wait()
            except Exception:  # its failure is in the header already
                pass
        profile = self.services.profile_name
        if self.state is None or profile is None:
            return []
        return await self.call(self.state.recent, limit, profile)


def _try_write(state: StateDB) -> None:
    """An empty write transaction: raises while another process holds the database."""
    with state.write():
        pass
