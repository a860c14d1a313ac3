"""A small asyncio HTTP/1.1 server that serves a Sandbox on a loopback socket.

Both hosts share one address (``/token`` and the API paths). Connections are kept
alive between requests. With ``latency_ms`` the delay happens before a request is
processed, and a request whose client disconnects during the delay is dropped
unprocessed, like a handler cancelled mid-flight.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from pickterm.sandbox.backend import Headers, Sandbox, SandboxResponse
from pickterm.sandbox.data import FILES_BASE

MAX_BODY = 1 << 20
MAX_HEADERS = 100
POLL_SECONDS = 0.01


class _BadRequest(Exception):
    def __init__(self, status: int = 400) -> None:
        super().__init__(status)
        self.status = status


class _Request:
    __slots__ = ("method", "target", "version", "headers", "body")

    def __init__(self, method: str, target: str, version: str, headers: Headers, body: bytes) -> None:
        self.method, self.target, self.version, self.headers, self.body = method, target, version, headers, body

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection


def format_url(host: str, port: int) -> str:
    """``http://host:port`` (brackets around an IPv6 host)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


async def _read_line(reader: asyncio.StreamReader) -> bytes:
    line = await reader.readline()
    if not line.endswith(b"\n"):
        raise ConnectionResetError("connection closed mid-request")
    return line


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = (await _read_line(reader)).split(b";")[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise _BadRequest() from None
        if size == 0:
            while (await _read_line(reader)).strip():  # trailers
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise _BadRequest(413)
        body += await reader.readexactly(size)
        await _read_line(reader)


async def _read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> _Request | None:
    """The next request on the connection, or None when the client closed it cleanly."""
    line = b""
    while not line.strip():  # tolerate blank lines between requests
        line = await reader.readline()
        if not line:
            return None
        if not line.endswith(b"\n"):
            raise ConnectionResetError("connection closed mid-request")
    parts = line.decode("utf-8", "replace").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest()
    method, target, version = parts
    if target.startswith(("http://", "https://")):  # absolute form
        split = urlsplit(target)
        target = (split.path or "/") + (f"?{split.query}" if split.query else "")
    pairs: list[tuple[str, str]] = []
    while True:
        raw = (await _read_line(reader)).rstrip(b"\r\n")
        if not raw:
            break
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or len(pairs) >= MAX_HEADERS:
            raise _BadRequest()
        pairs.append((name.strip(), value.strip()))
    headers = Headers(pairs)
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            raise _BadRequest() from None
        if length < 0:
            raise _BadRequest()
        if length > MAX_BODY:
            raise _BadRequest(413)
        body = await reader.readexactly(length) if length else b""
    return _Request(method, target, version, headers, body)


def _serialize(answer: SandboxResponse, keep_alive: bool) -> bytes:
    try:
        reason = HTTPStatus(answer.status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {answer.status} {reason}"]
    lines += [f"{name.title()}: {value}" for name, value in answer.headers.items()]
    lines += [
        f"Content-Length: {len(answer.body)}",
        f"Date: {formatdate(usegmt=True)}",
        "Server: pickterm-sandbox",
        f"Connection: {'keep-alive' if keep_alive else 'close'}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + answer.body


def _gone(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    return reader.at_eof() or reader.exception() is not None or writer.is_closing()


async def _pause(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seconds: float) -> bool:
    """Wait ``seconds``; False as soon as the client goes away."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not _gone(reader, writer):
        left = deadline - loop.time()
        if left <= 0:
            return True
        await asyncio.sleep(min(left, POLL_SECONDS))
    return False


LABELS_BASE = f"{FILES_BASE}/labels/".encode()


class SandboxServer:
    """Serve a :class:`Sandbox` over HTTP/1.1 on the running event loop."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.host = ""
        self.port = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return format_url(self.host, self.port)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port`` (port 0 picks a free one; see ``.port``)."""
        self._server = await asyncio.start_server(self._serve_connection, host, port)
        address = self._server.sockets[0].getsockname()
        self.host, self.port = address[0], address[1]

    async def close(self) -> None:
        """Stop listening and close every open connection."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._writers.add(writer)
        try:
            while True:
                try:
                    request = await _read_request(reader, writer)
                except _BadRequest as exc:
                    writer.write(
                        _serialize(SandboxResponse(exc.status, b'{"message": "Bad Request"}'), keep_alive=False)
                    )
                    await writer.drain()
                    break
                if request is None:
                    break
                answer = await self._answer(request, reader, writer)
                if answer is None:  # the client went away during the latency: dropped unprocessed
                    break
                writer.write(_serialize(answer, request.keep_alive))
                await writer.drain()
                if not request.keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            self._connections.discard(task)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                pass

    async def _answer(
        self, request: _Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> SandboxResponse | None:
        sandbox = self.sandbox
        sandbox._enter()
        try:
            if sandbox.latency_ms > 0 and not await _pause(reader, writer, sandbox.latency_ms / 1000):
                return None
            try:
                answer = sandbox.handle(request.method, request.target, request.headers, request.body)
            except Exception:  # a sandbox bug must not kill the server
                return SandboxResponse(500, b'{"message": "Internal server error"}')
            # The demo's labels are served here too: their URLs name this server (loopback http,
            # which the label rules allow), not the demo's file host, which does not exist.
            return replace(answer, body=answer.body.replace(LABELS_BASE, f"{self.url}/labels/".encode()))
        finally:
            sandbox._leave()


class ServerHandle:
    """A sandbox served from a background thread; stop it with ``.stop()`` or a ``with`` block."""

    def __init__(self, sandbox: Sandbox, host: str, port: int) -> None:
        self.sandbox = sandbox
        self._server = SandboxServer(sandbox)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(host, port), name="pickterm-sandbox", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return self._server.url

    def _run(self, host: str, port: int) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            try:
                self._loop.run_until_complete(self._server.start(host, port))
            except BaseException as exc:  # handed to the starting thread
                self._error = exc
                return
            finally:
                self._ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._server.close())
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        finally:
            self._loop.close()

    def stop(self) -> None:
        """Stop serving and wait for the thread to end (safe to call twice)."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve_in_thread(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> ServerHandle:
    """Serve ``sandbox`` on ``host:port`` from a daemon thread; returns once it listens."""
    return ServerHandle(sandbox, host, port)
