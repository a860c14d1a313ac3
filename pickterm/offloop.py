"""Running store work off the app's event loop: the one way to do it.

The local store is synchronous SQLite: a busy database (another pickterm holds it)
waits up to the busy timeout. The app never waits on it. Which work runs where:

- On the event loop: drawing, keys, the API client's requests, and deciding what a
  scan means (:class:`~pickterm.picking.PickProgress` reading its own state).
- :func:`in_thread`, for every synchronous call that may touch the store (a
  ``StateDB`` or ``Outbox`` method, a walk's action that writes a pick): it runs on
  a worker thread and the caller awaits its result or its exception.
- :func:`off_loop`, for async work that calls the store between its awaits (the
  outbox sending tracking writes): a thread with its own event loop, while every
  request of the API client still runs on the app's loop, where the client lives
  (:class:`LoopClient`).

No textual here: the app and screens call these.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar

__all__ = ["LoopClient", "in_thread", "off_loop"]

T = TypeVar("T")
P = ParamSpec("P")


async def in_thread(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``call(*args, **kwargs)`` on a worker thread, awaited: the event loop goes on (keys
    echo, the screen draws) while it waits, e.g. for a store another pickterm holds. Its
    exception is raised here. Cancelling the caller does not stop a call under way: a
    write that started is committed (or not) whole, and the store says which."""
    return await asyncio.to_thread(call, *args, **kwargs)


class LoopClient:
    """The API client as seen from another thread: its coroutine methods run on ``loop``."""

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._client = client
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        @functools.wraps(attr)
        async def call(*args: Any, **kwargs: Any) -> Any:
            future = asyncio.run_coroutine_threadsafe(attr(*args, **kwargs), self._loop)
            try:
                return await asyncio.wrap_future(future)
            except asyncio.CancelledError:
                future.cancel()
                raise

        return call


async def off_loop(client: Any, work: Callable[[Any], Awaitable[T]]) -> T:
    """``await work(client)`` on a thread of its own with its own event loop; ``client`` (if
    any) is wrapped in a :class:`LoopClient`. Cancelling the caller cancels the work."""
    loop = asyncio.get_running_loop()
    proxy = None if client is None else LoopClient(client, loop)
    result: asyncio.Future[T] = loop.create_future()
    started: Future[tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]] = Future()
    cancelled = threading.Event()

    async def main() -> T:
        task = asyncio.current_task()
        assert task is not None
        started.set_result((asyncio.get_running_loop(), task))
        if cancelled.is_set():
            raise asyncio.CancelledError
        return await work(proxy)

    def settle(outcome: Callable[[], object]) -> None:
        if not result.done():
            outcome()

    def run() -> None:
        try:
            value = asyncio.run(main())
        except asyncio.CancelledError:
            report = functools.partial(settle, result.cancel)
        except BaseException as exc:  # handed to the caller, whatever it is
            report = functools.partial(settle, functools.partial(result.set_exception, exc))
        else:
            report = functools.partial(settle, functools.partial(result.set_result, value))
        try:
            loop.call_soon_threadsafe(report)
        except RuntimeError:  # the caller's loop is closed: nobody waits any more
            pass

    threading.Thread(target=run, name="pickterm-store", daemon=True).start()
    try:
        return await result
    except asyncio.CancelledError:
        cancelled.set()
        if started.done():
            thread_loop, task = started.result()
            try:
                thread_loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # it has just finished
                pass
        raise
