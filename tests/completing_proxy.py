"""A loopback HTTP proxy that, like real servers and gateways, finishes every request it
received even when its client died: the answer is read from upstream to the end and
only then written back (to nobody, if the client is gone).

The sandbox server on its own drops a request whose client left during its latency,
which hides the "applied, but nobody heard the answer" case; put this in front of it.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from pickterm.sandbox.server import _read_request, format_url

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "host"}


class CompletingProxy:
    """Serve on 127.0.0.1 (a random port) from a daemon thread; forward to ``upstream``."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host, self.port = "127.0.0.1", 0
        self.completed = 0  # upstream answers read to the end
        self.orphaned = 0  # of those, answers whose client had gone
        self._forwards: set[asyncio.Task[Any]] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="completing-proxy", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    @property
    def url(self) -> str:
        return format_url(self.host, self.port)

    @property
    def busy(self) -> int:
        """Requests still being completed upstream."""
        return len(self._forwards)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, self.host, 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            for task in list(self._forwards):
                task.cancel()
            self._loop.run_until_complete(asyncio.sleep(0))
            self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader, writer)
                if request is None:
                    break
                # Its own task: nothing the client does (dying included) stops it.
                task = asyncio.ensure_future(self._forward(request))
                self._forwards.add(task)
                task.add_done_callback(self._forwards.discard)
                answer = await asyncio.shield(task)
                if reader.at_eof() or writer.is_closing():
                    self.orphaned += 1
                    break
                writer.write(answer)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            writer.close()

    async def _forward(self, request: Any) -> bytes:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        try:
            head = [f"{request.method} {request.target} HTTP/1.1", f"Host: {self.upstream[0]}:{self.upstream[1]}"]
            head += [f"{name}: {value}" for name, value in request.headers.items() if name.lower() not in _HOP]
            head += [f"Content-Length: {len(request.body)}", "Connection: close"]
            up_writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body)
            await up_writer.drain()
            answer = await up_reader.read()  # to the end: the upstream closes after answering
        finally:
            up_writer.close()
        self.completed += 1
        return answer

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> CompletingProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
