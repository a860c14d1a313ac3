"""``pickterm serve`` as a command: loopback unless told otherwise, TLS with --certfile and --keyfile,
and clear errors for bad usage (one line, exit 2, never a traceback)."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pickterm.cli import main
from pickterm.web.devices import DeviceStore

from apphelpers import free_port

PICKTERM = [sys.executable, "-m", "pickterm"]


def _serving(*argv: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([*PICKTERM, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()  # the address it serves, once it is about to listen
    return process, line


def _wait_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(process.stderr.read()) from None
            time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the listening TCP sockets on ``port`` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_it_binds_loopback_only_unless_told_otherwise():
    port = free_port()
    process, line = _serving("--demo", "serve", "--port", str(port))
    try:
        assert line.strip() == f"pickterm serve: http://127.0.0.1:{port}/ (up to 30 sessions)"
        _wait_listening(port, process)
        assert _listening_addresses(port) == {"127.0.0.1"}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert 'action="/login"' in page.read().decode()
    finally:
        _stop(process)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")
def test_certfile_and_keyfile_serve_https_with_a_secure_cookie(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    token = DeviceStore().add("hh-01")
    port = free_port()
    process, line = _serving("--demo", "serve", "--port", str(port), "--certfile", str(cert), "--keyfile", str(key))
    try:
        assert line.startswith(f"pickterm serve: https://127.0.0.1:{port}/")
        _wait_listening(port, process)
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/", timeout=30, context=context) as page:
            assert 'action="/login"' in page.read().decode()
        request = urllib.request.Request(
            f"https://127.0.0.1:{port}/login",
            data=f"device=hh-01&token={token}".encode(),
            headers={"Origin": f"https://127.0.0.1:{port}"},
        )

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(request, timeout=30)
        assert answer.value.code == 303
        cookie = answer.value.headers["Set-Cookie"]
        assert "pickterm_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        # Plain http on the TLS port gets nothing.
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read()
    finally:
        _stop(process)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["serve", "--certfile", "cert.pem"], "--certfile and --keyfile go together"),
        (["serve", "--max-sessions", "0"], "--max-sessions must be 1 or more"),
        (["serve", "--port", "70000"], "--port must be between 1 and 65535"),
    ],
)
def test_bad_usage_is_one_clear_line(capsys, argv, says):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"pickterm: {says}\n"


def test_a_port_that_is_taken_is_a_clear_error(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) in (1, 2)
    err = capsys.readouterr().err
    assert f"cannot serve on 127.0.0.1:{port}" in err and "Traceback" not in err


def test_the_devices_file_lives_beside_the_config_file_and_is_private():
    DeviceStore().add("hh-01")
    path = DeviceStore().path
    assert path.parent == Path(os.environ["XDG_CONFIG_HOME"]) / "pickterm"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
