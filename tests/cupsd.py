"""A real ``cupsd`` for the tests, on a private configuration: its own ServerRoot, TempDir,
spool and logs in a fresh directory, listening on a free 127.0.0.1 port, with a raw queue
whose device is given: ``socket://`` to the loopback fake label printer (its bytes are then the
printer's), or a file (``FileDevice Yes``; note that CUPS 2.4 completes a raw job to a ``file:``
device without writing it, so the tests use the socket). Where cupsd or the client tools are missing the
tests skip with the reason, except under ``CI=true``, where they fail (``.ci/run`` installs
``cups`` and ``cups-client``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from apphelpers import free_port

START_TIMEOUT = 20.0


def require_cups() -> None:
    missing = [tool for tool in ("cupsd", "lp", "lpadmin", "lpstat") if shutil.which(tool) is None]
    if not missing and not Path("/usr/lib/cups/backend").is_dir():
        missing = ["/usr/lib/cups"]
    if missing:
        reason = f"CUPS is not installed ({', '.join(missing)} missing): apt-get install cups cups-client"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


class Cupsd:
    """Start with :meth:`start`; ``server`` is HOST:PORT, ``queue`` the raw queue sending to
    ``device``."""

    queue = "pickterm_raw"

    def __init__(self, device: str) -> None:
        self.device = device
        # Outside pytest's private tmp: cupsd's filters run as its unprivileged user.
        self.root = Path(tempfile.mkdtemp(prefix="pickterm-cups-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.server = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def _write_config(self) -> None:
        for name in ("conf", "tmp", "spool", "cache", "state", "log", "out"):
            (self.root / name).mkdir(mode=0o755, exist_ok=True)
        (self.root / "out").chmod(0o777)
        (self.root / "tmp").chmod(0o1777)
        conf = self.root / "conf"
        (conf / "ppd").mkdir(exist_ok=True)
        (conf / "cups-files.conf").write_text(
            f"ServerRoot {conf}\nTempDir {self.root / 'tmp'}\nRequestRoot {self.root / 'spool'}\n"
            f"CacheDir {self.root / 'cache'}\nStateDir {self.root / 'state'}\n"
            f"ErrorLog {self.root / 'log' / 'error_log'}\nAccessLog {self.root / 'log' / 'access_log'}\n"
            f"PageLog {self.root / 'log' / 'page_log'}\nPrintcap {self.root / 'state' / 'printcap'}\nFileDevice Yes\n"
        )
        (conf / "cupsd.conf").write_text(
            f"Listen 127.0.0.1:{self.port}\nLogLevel warn\nWebInterface No\nBrowsing No\n"
            "DefaultAuthType None\nDefaultEncryption Never\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n    Allow all\n  </Limit>\n</Policy>\n"
        )

    def start(self) -> Cupsd:
        self._write_config()
        conf = self.root / "conf"
        env = {**os.environ, "CUPS_SERVERROOT": str(conf)}
        self.process = subprocess.Popen(
            ["cupsd", "-f", "-c", str(conf / "cupsd.conf"), "-s", str(conf / "cups-files.conf")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cupsd exited: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"cupsd did not listen in {START_TIMEOUT} s: {self.log()}")
        done = subprocess.run(
            ["lpadmin", "-h", self.server, "-p", self.queue, "-E", "-v", self.device],
            capture_output=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"lpadmin failed: {done.stderr.decode(errors='replace')} {self.log()}")
        return self

    def log(self) -> str:
        path = self.root / "log" / "error_log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def wait_idle(self, timeout: float = 20.0) -> None:
        """Wait until the queue has no job left."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = subprocess.run(
                ["lpstat", "-h", self.server, "-o", self.queue], capture_output=True, timeout=10, check=False
            )
            if not done.stdout.strip():
                return
            time.sleep(0.05)
        raise AssertionError(f"jobs still queued after {timeout} s: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
