"""Label printers: raw TCP (port 9100, ZPL's ``~HS`` status first), a CUPS queue through ``lp``,
or a directory of files.

A printer is written as one spec string (the profile's ``printer`` setting)::

    tcp://HOST[:PORT]          raw bytes to a label printer (9100 by default)
    cups:QUEUE                 lp -d QUEUE (raw for ZPL and TEXT); cups://SERVER[:PORT]/QUEUE names the server
    file:DIRECTORY             one file a job in DIRECTORY

Nothing here speaks to a person: failures are :class:`PrintError` with a ``code`` (see
:data:`PRINT_ERRORS`); whether a job may have reached the printer is ``maybe_printed``, so the
caller never sends a job twice without asking.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_PORT",
    "PRINT_ERRORS",
    "PrintError",
    "Printer",
    "PrinterStatus",
    "host_status",
    "parse_host_status",
    "parse_printer",
    "printer_status",
    "send_job",
    "test_label",
]

DEFAULT_PORT = 9100
CONNECT_TIMEOUT = 5.0
STATUS_TIMEOUT = 3.0  # a Zebra that is out of paper or open may not answer ~HS at all
WRITE_TIMEOUT = 15.0
LP_TIMEOUT = 30.0
STX, ETX = b"\x02", b"\x03"

# What a PrintError's ``code`` can be (the screens and the command line word them):
# bad_spec, unreachable and no_status (nothing sent), not_ready (paper out, head open or paused:
# nothing sent), dropped (the connection dropped during the job: it may have printed),
# wrong_kind (this printer cannot print that type), no_lp, lp_failed, file_failed.
PRINT_ERRORS = (
    "bad_spec",
    "unreachable",
    "not_ready",
    "no_status",
    "dropped",
    "wrong_kind",
    "no_lp",
    "lp_failed",
    "file_failed",
)


class PrintError(Exception):
    """A job that did not print. ``code`` is a key of :data:`PRINT_ERRORS`; ``detail`` is the
    system's own words (an OS error, lp's message); ``status`` the printer's when it was asked."""

    def __init__(
        self, code: str, detail: str = "", *, status: PrinterStatus | None = None, maybe_printed: bool = False
    ) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.status = status
        self.maybe_printed = maybe_printed


@dataclass(frozen=True)
class Printer:
    """A configured printer: ``kind`` is tcp, cups or file."""

    spec: str
    kind: str
    host: str = ""
    port: int = DEFAULT_PORT
    queue: str = ""
    server: str = ""
    directory: str = ""

    def takes(self, label_type: str) -> bool:
        """True when this printer can print a label of ``label_type`` (PDF needs CUPS)."""
        return self.kind != "tcp" or label_type in ("ZPL", "TEXT")


_QUEUE = re.compile(r"^[A-Za-z0-9_.@-]{1,127}$")


def parse_printer(spec: str) -> Printer:
    """A :class:`Printer` from its spec string, or ValueError with what is wrong."""
    text = spec.strip()
    if text.startswith("file:"):
        directory = text[len("file:") :].removeprefix("//")
        if not directory:
            raise ValueError("file: needs a directory, e.g. file:/var/tmp/labels")
        return Printer(spec=text, kind="file", directory=os.path.expanduser(directory))
    if text.startswith("cups:") and not text.startswith("cups://"):
        queue = text[len("cups:") :]
        if not _QUEUE.match(queue):
            raise ValueError(f"{queue!r} is not a CUPS queue name (letters, digits, _ . @ -)")
        return Printer(spec=text, kind="cups", queue=queue)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a printer ({exc})") from None
    if parts.scheme == "tcp" and parts.hostname:
        return Printer(spec=text, kind="tcp", host=parts.hostname, port=port or DEFAULT_PORT)
    if parts.scheme == "cups" and parts.hostname:
        queue = parts.path.strip("/")
        if not _QUEUE.match(queue):
            raise ValueError(f"{text!r} names no CUPS queue (cups://SERVER/QUEUE)")
        server = f"{parts.hostname}:{port}" if port else parts.hostname
        return Printer(spec=text, kind="cups", queue=queue, server=server)
    raise ValueError(f"{text!r} is not a printer: use tcp://HOST[:PORT], cups:QUEUE, cups://SERVER/QUEUE or file:DIR")


# ---------------------------------------------------------------- status


@dataclass(frozen=True)
class PrinterStatus:
    """What a printer says about itself (``~HS``): the flags that stop a label."""

    paper_out: bool = False
    paused: bool = False
    head_open: bool = False

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> tuple[str, ...]:
        """Codes of what stops printing: ``paper_out``, ``head_open``, ``paused``."""
        flags = (("paper_out", self.paper_out), ("head_open", self.head_open), ("paused", self.paused))
        return tuple(code for code, on in flags if on)


def parse_host_status(data: bytes) -> PrinterStatus:
    """Read a ``~HS`` answer: three ``<STX>...<ETX><CR><LF>`` strings. String 1 holds
    ``aaa,b,c,...`` (b = paper out, c = pause); string 2 ``mmm,n,o,...`` (o = head up).
    ValueError when it is not such an answer."""
    frames = re.findall(rb"\x02([^\x02\x03]*)\x03", data)
    if len(frames) < 2:
        raise ValueError("not a host status answer")
    first = frames[0].decode("ascii", "replace").split(",")
    second = frames[1].decode("ascii", "replace").split(",")
    if len(first) < 3 or len(second) < 3:
        raise ValueError("host status strings are too short")
    return PrinterStatus(
        paper_out=first[1].strip() == "1", paused=first[2].strip() == "1", head_open=second[2].strip() == "1"
    )


def _connect(printer: Printer) -> socket.socket:
    try:
        sock = socket.create_connection((printer.host, printer.port), timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        raise PrintError("unreachable", str(exc) or type(exc).__name__) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _read_status(sock: socket.socket) -> PrinterStatus:
    sock.settimeout(STATUS_TIMEOUT)
    answer = b""
    try:
        sock.sendall(b"~HS")
        while answer.count(ETX) < 3:
            chunk = sock.recv(1024)
            if not chunk:
                break
            answer += chunk
            if len(answer) > 4096:
                break
    except TimeoutError:
        raise PrintError("no_status", "no answer to ~HS") from None
    except OSError as exc:
        raise PrintError("unreachable", str(exc)) from None
    try:
        return parse_host_status(answer)
    except ValueError as exc:
        raise PrintError("no_status", str(exc)) from None


def host_status(printer: Printer) -> PrinterStatus:
    """Ask a TCP printer its status (``~HS``)."""
    sock = _connect(printer)
    with sock:
        return _read_status(sock)


def printer_status(printer: Printer) -> PrinterStatus:
    """The printer's status: ``~HS`` on TCP, ``lpstat`` for CUPS (a paused queue is paused),
    a writable directory for files. PrintError when it cannot be told."""
    if printer.kind == "tcp":
        return host_status(printer)
    if printer.kind == "cups":
        output = _run(["lpstat", *_server_args(printer), "-p", printer.queue], b"")
        return PrinterStatus(paused="disabled" in output.lower())
    path = Path(printer.directory)
    if not path.is_dir() or not os.access(path, os.W_OK):
        raise PrintError("file_failed", f"{path} is not a writable directory")
    return PrinterStatus()


# ---------------------------------------------------------------- jobs


def _server_args(printer: Printer) -> list[str]:
    return ["-h", printer.server] if printer.server else []


def _run(argv: list[str], data: bytes) -> str:
    if shutil.which(argv[0]) is None:
        raise PrintError("no_lp", f"{argv[0]} not found")
    try:
        done = subprocess.run(argv, input=data, capture_output=True, timeout=LP_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise PrintError("lp_failed", f"{argv[0]} did not answer in {LP_TIMEOUT:.0f} s", maybe_printed=True) from None
    except OSError as exc:
        raise PrintError("no_lp", str(exc)) from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
        raise PrintError("lp_failed", message or f"exit status {done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def _send_tcp(printer: Printer, data: bytes, label_type: str) -> str:
    sock = _connect(printer)
    with sock:
        if label_type == "ZPL":
            status = _read_status(sock)
            if not status.ready:
                raise PrintError("not_ready", ",".join(status.problems), status=status)
        sock.settimeout(WRITE_TIMEOUT)
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(1024):  # the printer closes once it has the whole job
                pass
        except TimeoutError:
            return f"{printer.host}:{printer.port}"  # written; the printer keeps the line open
        except OSError as exc:
            raise PrintError("dropped", str(exc) or type(exc).__name__, maybe_printed=True) from None
    return f"{printer.host}:{printer.port}"


def _send_file(printer: Printer, data: bytes, label_type: str, title: str) -> str:
    extension = {"ZPL": "zpl", "TEXT": "txt", "PDF": "pdf"}.get(label_type, "bin")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", title).strip("._") or "label"
    directory = Path(printer.directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for number in range(1, 10_000):
            path = directory / (f"{stem}.{extension}" if number == 1 else f"{stem}-{number}.{extension}")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            return str(path)
    except OSError as exc:
        raise PrintError("file_failed", str(exc)) from None
    raise PrintError("file_failed", f"too many labels named {stem} in {directory}")


def send_job(printer: Printer, data: bytes, label_type: str, title: str = "label") -> str:
    """Print ``data`` (a label of ``label_type``: ZPL, TEXT or PDF) and return where it went
    (an address, a CUPS request id, a file). Raises :class:`PrintError`."""
    if not printer.takes(label_type):
        raise PrintError("wrong_kind", label_type)
    if printer.kind == "tcp":
        return _send_tcp(printer, data, label_type)
    if printer.kind == "cups":
        raw = ["-o", "raw"] if label_type in ("ZPL", "TEXT") else []
        output = _run(["lp", *_server_args(printer), "-d", printer.queue, *raw, "-t", title[:100]], data)
        found = re.search(r"request id is (\S+)", output)
        return found.group(1) if found else printer.queue
    return _send_file(printer, data, label_type, title)


def test_label(printer: Printer) -> tuple[bytes, str]:
    """A small test job for ``printer test``: ZPL for TCP and CUPS, which print it raw."""
    return b"^XA^CF0,40^FO40,40^FDpickterm test^FS^FO40,100^BCN,80,Y,N,N^FD0123456789^FS^XZ\n", "ZPL"
