"""Loopback fakes for the packing station's real parts: a label printer that speaks raw TCP
with Zebra's ``~HS`` host status, and a label host with its failure cases.

FakePrinter: accepts jobs on a free 127.0.0.1 port and records their bytes. A connection that
starts with ``~HS`` gets the three ``<STX>...<ETX><CR><LF>`` strings (string 1 field 2: paper
out, field 3: pause; string 2 field 3: head up) and may then send a job on the same line.
``status`` is one of ready, paper_out, head_open, paused; ``silent`` never answers ``~HS``
(what a Zebra does when out of media); ``drop_after`` closes the line (RST) after that many
bytes of a job.

LabelHost: an HTTP server on 127.0.0.1 that serves ``routes`` (path -> (status, content type,
body)), plus /huge (a body over any limit), /slow (answers after ``slow_seconds``), /redirect-file
(a 302 to file:), /html (a login page), and records every request's headers.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STX, ETX = b"\x02", b"\x03"


def host_status_answer(status: str = "ready") -> bytes:
    """The ``~HS`` answer of a printer in ``status`` (a ZPL II host status return)."""
    paper = "1" if status == "paper_out" else "0"
    pause = "1" if status == "paused" else "0"
    head = "1" if status == "head_open" else "0"
    one = f"030,{paper},{pause},1245,000,0,0,0,000,0,0,0"
    two = f"001,0,{head},0,0,2,6,0,00000000,1,000"
    three = "1234,0"
    return b"".join(STX + s.encode() + ETX + b"\r\n" for s in (one, two, three))


class FakePrinter:
    def __init__(self) -> None:
        self.status = "ready"
        self.silent = False
        self.drop_after: int | None = None
        self.jobs: list[bytes] = []
        self.jobs_dropped = b""
        self.status_asks = 0
        self.job_arrived = threading.Event()
        self.job_times: list[float] = []
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self.port = self._server.getsockname()[1]
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def spec(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop = True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self._server.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakePrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _addr = self._server.accept()
            except OSError:
                return
            if self._stop:
                conn.close()
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        data = b""
        try:
            while len(data) < 3:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            if data.startswith(b"~HS"):
                self.status_asks += 1
                data = data[3:]
                if self.silent:
                    time.sleep(5)
                    return
                conn.sendall(host_status_answer(self.status))
            while True:
                if self.drop_after is not None and len(data) >= self.drop_after and data:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.jobs_dropped = data
                    return
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            if data:
                self.jobs.append(data)
                self.job_times.append(time.perf_counter())
                self.job_arrived.set()
        except OSError:
            pass
        finally:
            conn.close()


class LabelHost:
    def __init__(self, routes: dict[str, tuple[int, str, bytes]] | None = None, slow_seconds: float = 3.0) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = dict(routes or {})
        self.slow_seconds = slow_seconds
        self.delay = 0.0  # every answer waits this long (a label host's latency)
        self.requests: list[dict[str, Any]] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                host.requests.append({"path": self.path, "headers": dict(self.headers)})
                if host.delay:
                    time.sleep(host.delay)
                if self.path == "/slow":
                    time.sleep(host.slow_seconds)
                    return self._answer(200, "application/zpl", b"^XA^FDslow^FS^XZ")
                if self.path == "/huge":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/zpl")
                    self.end_headers()
                    try:
                        for _ in range(64):
                            self.wfile.write(b"^XA" + b"0" * (1 << 20))
                    except OSError:
                        pass
                    return
                if self.path == "/redirect-file":
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path.startswith("/redirect-to/"):
                    self.send_response(302)
                    self.send_header("Location", "/" + self.path.removeprefix("/redirect-to/"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/html":
                    return self._answer(200, "text/html", b"<html><body>Sign in</body></html>")
                if self.path in host.routes:
                    return self._answer(*host.routes[self.path])
                self._answer(404, "text/plain", b"not found")

            def _answer(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LabelHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
