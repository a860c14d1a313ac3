"""The demo backend over a real loopback socket, and the ``pickterm sandbox`` command."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pickterm.cli import main
from pickterm.sandbox import DEMO_API_KEY, Sandbox, data, serve_in_thread

REPO = Path(__file__).resolve().parents[1]
PAYLOAD = {
    "deliveredDate": "2025-02-13T02:00:00.000Z",
    "events": [{"city": "Envigado", "state": "ANT", "description": "Delivered", "date": "2025-02-13T01:00:00.000Z"}],
}


def token_for(sandbox: Sandbox) -> str:
    return sandbox.handle("POST", "/token", {}, json.dumps({"apiKey": DEMO_API_KEY}).encode()).json()["data"]


def raw_request(method: str, path: str, token: str = "", body: bytes = b"", **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before a response"
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    length = int(headers["content-length"])
    while len(rest) < length:
        rest += sock.recv(65536)
    return int(status_line.split()[1]), headers, rest[:length]


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


# --------------------------------------------------------------------------- serve_in_thread


def test_serves_token_and_api_on_one_loopback_address() -> None:
    sandbox = Sandbox()
    with serve_in_thread(sandbox) as server:
        assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
        with httpx.Client(base_url=server.url) as client:
            token = client.post("/token", json={"apiKey": DEMO_API_KEY}).json()["data"]
            response = client.get(
                f"/orders/{data.ORDER_WEIGHABLE}",
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json",
                    "User-Agent": "pickterm-test/1",
                },
            )
            worksheets = client.get(
                "/worksheets", params={"orderId": data.ORDER_EMPTY_WORKSHEET}, headers={"Authorization": token}
            )
            shipment = client.get(
                f"/shipments/{data.TRACK_DELIVERED}",
                headers={"Authorization": token, "X-PNP-FilterMethod": "BY_EXTERNAL_ID"},
            )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["orderId"] == data.ORDER_WEIGHABLE
    assert len(worksheets.json()) == 2
    assert shipment.json()["carrierName"] == "Rápido Express"
    order_request = [r for r in sandbox.requests if r.method == "GET"][0]
    assert order_request.headers["User-Agent"] == "pickterm-test/1"
    assert sandbox.token_requests == 1


def test_keep_alive_serves_several_requests_on_one_connection() -> None:
    sandbox = Sandbox()
    token = token_for(sandbox)
    with serve_in_thread(sandbox) as server, socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        statuses = []
        for path in (f"/orders/{data.ORDER_DELIVERED}", f"/facilities/{data.FACILITY_CDMX}", "/worksheets/1"):
            sock.sendall(raw_request("GET", path, token))
            status, headers, body = read_response(sock)
            statuses.append(status)
            assert headers["connection"] == "keep-alive"
            json.loads(body)
        sock.sendall(raw_request("GET", f"/orders/{data.ORDER_DELIVERED}", token, Connection="close"))
        status, headers, _ = read_response(sock)
        assert headers["connection"] == "close"
        assert sock.recv(1) == b""  # the server closed the connection
    assert statuses == [200, 200, 404]


def test_chunked_body_and_malformed_requests() -> None:
    sandbox = Sandbox()
    token = token_for(sandbox)
    body = json.dumps(PAYLOAD).encode()
    with serve_in_thread(sandbox) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"this is not http\r\n\r\n")
            status, _, _ = read_response(sock)
            assert status == 400
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            head = (
                f"PATCH /orders/{data.ORDER_ON_ROUTE}/tracking HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: {token}\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            chunks = f"{len(body[:10]):x}\r\n".encode() + body[:10] + f"\r\n{len(body[10:]):x}\r\n".encode()
            sock.sendall(head.encode() + chunks + body[10:] + b"\r\n0\r\n\r\n")
            status, _, answer = read_response(sock)
    assert status == 200
    assert json.loads(answer)["orderId"] == data.ORDER_ON_ROUTE
    assert sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, PAYLOAD)]


def test_stop_closes_open_connections_and_the_port() -> None:
    sandbox = Sandbox()
    server = serve_in_thread(sandbox)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.sendall(raw_request("GET", f"/orders/{data.ORDER_DELIVERED}", token_for(sandbox)))
    assert read_response(sock)[0] == 200
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    assert sock.recv(1) == b""
    sock.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
    server.stop()  # a second stop is harmless


def test_client_gone_during_latency_drops_the_request_unprocessed() -> None:
    sandbox = Sandbox(latency_ms=2000)
    token = token_for(sandbox)
    request = raw_request("PATCH", f"/orders/{data.ORDER_ON_ROUTE}/tracking", token, json.dumps(PAYLOAD).encode())
    with serve_in_thread(sandbox) as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(request)
        wait_for(lambda: sandbox.in_flight == 1)
        sock.close()
        started = time.monotonic()
        wait_for(lambda: sandbox.in_flight == 0)
        assert time.monotonic() - started < 1.5  # dropped as soon as the client left, not after the delay
    assert sandbox.tracking_writes == []
    assert sandbox.order(data.ORDER_ON_ROUTE)["status"] == "PACKED"
    assert [r.method for r in sandbox.requests] == ["POST"]  # only the token, never the PATCH


def test_killed_client_mid_patch_leaves_no_write_but_a_patient_one_does() -> None:
    sandbox = Sandbox(latency_ms=1500)
    token = token_for(sandbox)
    with serve_in_thread(sandbox) as server:
        code = (
            "import httpx, sys\n"
            "httpx.patch(sys.argv[1], json={'events': []}, headers={'Authorization': sys.argv[2]}, timeout=30)\n"
        )
        url = f"{server.url}/orders/{data.ORDER_ON_ROUTE}/tracking"
        child = subprocess.Popen([sys.executable, "-c", code, url, token])
        try:
            wait_for(lambda: sandbox.in_flight == 1, timeout=10)
        finally:
            child.kill()
            child.wait()
        wait_for(lambda: sandbox.in_flight == 0)
        assert sandbox.tracking_writes == []
        sandbox.latency_ms = 50
        with httpx.Client() as client:
            response = client.patch(url, json=PAYLOAD, headers={"Authorization": token})
    assert response.status_code == 200
    assert sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, PAYLOAD)]


# --------------------------------------------------------------------------- the command


def read_banner(proc: subprocess.Popen, timeout: float = 10.0) -> list[str]:
    """stdout lines up to the last banner line, without blocking past ``timeout``."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    buffer = b""
    fd = proc.stdout.fileno()
    while not any(line.startswith("Try:") for line in lines):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no banner; got {lines!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        assert chunk, f"sandbox exited early: {proc.wait()} {proc.stderr.read()!r}"
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        lines += [line.decode() for line in complete]
    return lines


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_command_prints_urls_serves_and_stops_cleanly(signum: int) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pickterm", "sandbox", "--port", "0", "--token-ttl", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    try:
        lines = read_banner(proc)
        text = "\n".join(lines)
        api_url = re.search(r"API URL:\s+(\S+)", text).group(1)
        auth_url = re.search(r"Auth URL:\s+(\S+)", text).group(1)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", api_url) and not api_url.endswith(":0")
        assert DEMO_API_KEY in text
        for ident in (data.ORDER_NOT_INVOICED, data.WS_MAIN, data.TRACK_ON_ROUTE):
            assert ident in text
        token = httpx.post(f"{auth_url}/token", json={"apiKey": DEMO_API_KEY}, timeout=5).json()["data"]
        order = httpx.get(f"{api_url}/orders/{data.ORDER_DELIVERED}", headers={"Authorization": token}, timeout=5)
        assert order.status_code == 200
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read().decode()
    assert "Traceback" not in stderr
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{api_url}/orders/{data.ORDER_DELIVERED}", timeout=2)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org"])
def test_command_refuses_non_loopback_hosts(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--host", host, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "loopback" in err and host in err


def test_command_reports_a_busy_port_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with serve_in_thread(Sandbox()) as busy:
        assert main(["sandbox", "--port", str(busy.port)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(busy.port) in err and "Traceback" not in err


def test_command_rejects_bad_option_values(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sandbox", "--fail-rate", "1.5"])
    assert exit_info.value.code == 2
    assert "--fail-rate" in capsys.readouterr().err


def test_serves_the_demo_labels_at_urls_that_name_the_server() -> None:
    sandbox = Sandbox()
    with serve_in_thread(sandbox) as server, httpx.Client(base_url=server.url) as client:
        token = client.post("/token", json={"apiKey": DEMO_API_KEY}).json()["data"]
        headers = {"Authorization": token, "X-PNP-FilterMethod": "BY_INTERNAL_ID"}
        shipment = client.get(f"/shipments/{data.SHIP_CREATED}", headers=headers).json()
        urls = {label["type"]: label["url"] for label in shipment["labels"]}
        assert set(urls) == {"ZPL", "PDF", "BASE64", "TEXT"}
        assert all(url.startswith(f"{server.url}/labels/") for url in urls.values())
        zpl = httpx.get(urls["ZPL"])  # no token: a label host is not the API
        pdf = httpx.get(urls["PDF"])
    assert zpl.status_code == 200 and zpl.headers["content-type"] == "application/zpl"
    assert f"^FD{data.TRACK_CREATED}^FS".encode() in zpl.content
    assert pdf.content.startswith(b"%PDF")
