"""A ``pickterm serve`` on loopback for the tests and the benchmark, and a websocket client that
renders what the app draws with pyte, as a terminal would.

The server runs in the test's event loop (aiohttp's runner on port 0); every session's app is a
real ``pickterm --demo`` process. Waits are for what the screen shows, with a generous limit
(a slow machine waits longer; nothing is timed).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pyte
from aiohttp import web

from pickterm.web.devices import DeviceStore
from pickterm.web.server import PickServer, ServeOptions

WAIT = 60.0  # seconds a screen may take to show what is waited for (a loaded machine is slow)

F1, F2, F9, ESC, ENTER = "\x1bOP", "\x1bOQ", "\x1b[20~", "\x1b", "\r"


@dataclass
class Served:
    server: PickServer
    url: str
    devices: DeviceStore
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    def add_device(self, name: str, profile: str | None = None) -> str:
        self.tokens[name] = self.devices.add(name, profile)
        return self.tokens[name]


@contextlib.asynccontextmanager
async def serving(tmp_path: Path, **options: object) -> AsyncIterator[Served]:
    devices = DeviceStore(tmp_path / "devices.json")
    settings = ServeOptions(port=0, demo=True, base_dir=tmp_path / "serve", quit_timeout=5.0, heartbeat=2.0)
    for name, value in options.items():
        setattr(settings, name, value)
    server = PickServer(settings, devices)
    runner = web.AppRunner(server.make_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield Served(server, f"http://127.0.0.1:{port}/", devices)
    finally:
        await runner.cleanup()


class Terminal:
    """One browser's worth of session: signed in, on the websocket, the screen rendered by pyte."""

    def __init__(self, served: Served, width: int = 40, height: int = 16) -> None:
        self.served = served
        self.width, self.height = width, height
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.http: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.changed = asyncio.Event()

    async def sign_in(self, name: str, token: str | None = None, language: str = "en") -> aiohttp.ClientResponse:
        if self.http is None:
            self.http = aiohttp.ClientSession(
                cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": language}
            )
        token = self.served.tokens[name] if token is None else token
        response = await self.http.post(
            self.served.url + "login",
            data={"device": name, "token": token},
            headers={"Origin": self.served.origin},
            allow_redirects=False,
        )
        await response.read()
        return response

    async def connect(self, origin: str | None = None, autoping: bool = True) -> None:
        assert self.http is not None, "sign in first"
        self.screen.reset()
        self.closed.clear()
        self.ws = await self.http.ws_connect(
            f"{self.served.url}ws?width={self.width}&height={self.height}",
            origin=self.served.origin if origin is None else origin,
            autoping=autoping,
        )
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        told = False
        try:
            async for message in self.ws:
                if message.type == aiohttp.WSMsgType.BINARY:
                    self.stream.feed(message.data)
                    self.changed.set()
                    if not told and self.text().strip():  # as the page does: the app drew, it has the focus
                        told = True
                        await self.ws.send_str(json.dumps(["focus"]))
        finally:
            self.closed.set()

    async def send(self, keys: str) -> None:
        """Keys as the page sends them: one message."""
        assert self.ws is not None
        await self.ws.send_str(json.dumps(["stdin", keys]))

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    async def wait_for(self, *texts: str, timeout: float = WAIT) -> str:
        """The screen once it shows every one of ``texts``; fails with the screen otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            if all(text in screen for text in texts):
                return screen
            left = deadline - time.monotonic()
            if left <= 0 or self.closed.is_set():
                raise AssertionError(f"never showed {texts!r}; the screen:\n{screen}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(left, 0.5))

    async def wait_gone(self, text: str, timeout: float = WAIT) -> str:
        """The screen once it no longer shows ``text``."""
        deadline = time.monotonic() + timeout
        while text in (screen := self.text()):
            left = deadline - time.monotonic()
            if left <= 0 or self.closed.is_set():
                raise AssertionError(f"still shows {text!r}; the screen:\n{screen}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(left, 0.5))
        return screen

    async def settle(self, quiet: float = 0.5, timeout: float = WAIT) -> str:
        """The screen once nothing has been drawn for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), quiet)
            except TimeoutError:
                break
        return self.text()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            with contextlib.suppress(Exception):
                await self.reader
        if self.http is not None:
            await self.http.close()
            self.http = None


async def app_ends(pid: int, timeout: float = WAIT) -> bool:
    """True once process ``pid`` (a child of this process) is gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        await asyncio.sleep(0.05)
    return False
