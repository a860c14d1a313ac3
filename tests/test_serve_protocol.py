"""``pickterm serve`` over its websocket, as a browser's page speaks to it, rendered with pyte.

Every session here is a real ``pickterm --demo`` process behind a real server on loopback:
sign-in, origin, the session cap, each device's own state, the environment the app gets, and
the app's life (it ends when the socket closes, and when the client just vanishes).
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

import aiohttp
import pytest

from pickterm.cli import main
from pickterm.sandbox import data
from pickterm.web.devices import DeviceStore

from servetools import ENTER, ESC, F1, F2, F9, Terminal, app_ends, serving

SPINACH_EAN = "8406125560665"  # the main worksheet's first item (1 to pick)
A_SCAN = "1234567890128"  # starts with a reason's digit: typed by a person, 1 then Enter would short


@pytest.fixture
async def served(tmp_path):
    async with serving(tmp_path) as served:
        yield served


async def signed_in(served, name: str = "hh-01", width: int = 40, height: int = 16) -> Terminal:
    if name not in served.tokens:
        served.add_device(name)
    terminal = Terminal(served, width, height)
    response = await terminal.sign_in(name)
    assert response.status == 303
    await terminal.connect()
    await terminal.wait_for("Lookup", "Demo ids")
    return terminal


def session_pid(served, name: str) -> int:
    pid = served.server.sessions[name].service.pid
    assert pid is not None
    return pid


# ---------------------------------------------------------------- the app, through the websocket


async def test_home_renders_and_an_order_id_with_enter_opens_the_order(served):
    terminal = await signed_in(served)
    try:
        await terminal.send(data.ORDER_REPLACED + ENTER)
        screen = await terminal.wait_for(f"Order {data.ORDER_REPLACED}", "Picked (5)")
        assert "Greek yogurt" in screen
    finally:
        await terminal.close()


async def test_f1_esc_and_f2_reach_the_app(served):
    terminal = await signed_in(served, width=80, height=24)
    try:
        await terminal.send(F1)
        await terminal.wait_for("Help", "Everywhere")
        await terminal.send(ESC)
        await terminal.wait_gone("Everywhere")
        await terminal.wait_for("Lookup", "Demo ids")
        await terminal.send(data.ORDER_REPLACED + ENTER)
        await terminal.wait_for(f"Order {data.ORDER_REPLACED}", "Picked (5)")
        await terminal.settle()
        await terminal.send(F2)
        await terminal.wait_for("Lookup", "Recent lookups")
    finally:
        await terminal.close()


async def test_a_scan_into_the_short_dialog_shorts_nothing_when_its_messages_come_45_ms_apart(served):
    terminal = await signed_in(served)
    try:
        await terminal.send(data.WS_MAIN + ENTER)
        await terminal.wait_for("Baby spinach", "picked 0 of 1 here")
        await terminal.send(F9)
        await terminal.wait_for("Short pick: why?")
        # The page sends a scan as one message; over Wi-Fi the messages come 45 ms apart.
        for _ in range(3):
            await terminal.send(A_SCAN + ENTER)
            await asyncio.sleep(0.045)
        screen = await terminal.wait_for("Not counted")
        assert "Short pick: why?" in screen
        await terminal.send(ESC)
        screen = await terminal.wait_gone("Short pick: why?")
        assert "picked 0 of 1 here" in screen and "to do" in screen and "short" not in screen.lower()
    finally:
        await terminal.close()


async def test_a_tap_sent_as_a_mouse_click_does_nothing(served):
    terminal = await signed_in(served)
    try:
        screen = await terminal.settle()
        row = next(n for n, line in enumerate(screen.splitlines()) if line.strip() == data.ORDER_REPLACED)
        # A tap on a demo id, as a page with mouse reports on sends it (SGR): move, press, release.
        for report in (f"\x1b[<35;5;{row + 1}M", f"\x1b[<0;5;{row + 1}M", f"\x1b[<0;5;{row + 1}m"):
            await terminal.send(report)
            await asyncio.sleep(0.1)
        # Then help and back: keys the app takes after whatever came before them.
        await terminal.send(F1)
        await terminal.wait_for("Help Lookup")
        await terminal.send(ESC)
        await terminal.wait_gone("Help Lookup")
        screen = await terminal.settle()
        assert screen.splitlines()[0].startswith(" Lookup"), screen  # the order did not open
    finally:
        await terminal.close()


# ---------------------------------------------------------------- who may connect


async def test_a_websocket_from_another_origin_is_refused(served):
    served.add_device("hh-01")
    terminal = Terminal(served)
    assert (await terminal.sign_in("hh-01")).status == 303
    try:
        for origin in ("http://evil.example", "http://127.0.0.1.evil.example", "null"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await terminal.connect(origin=origin)
            assert refused.value.status == 403
        assert served.server.sessions == {}
    finally:
        await terminal.close()


async def test_a_missing_or_wrong_token_is_refused(served):
    served.add_device("hh-01")
    terminal = Terminal(served)
    try:
        # No sign-in at all: no session cookie.
        terminal.http = aiohttp.ClientSession()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await terminal.connect()
        assert refused.value.status == 401
        # A wrong token, and a right token for another device's name: the sign-in page again.
        for name, token in (("hh-01", "aaaaa-bbbbb-ccccc-ddddd"), ("hh-02", served.tokens["hh-01"]), ("hh-01", "")):
            response = await terminal.sign_in(name, token)
            assert response.status == 401
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await terminal.connect()
            assert refused.value.status == 401
        page = await (await terminal.http.get(served.url)).text()
        assert 'action="/login"' in page
        assert served.server.sessions == {}
    finally:
        await terminal.close()


async def test_the_sign_in_page_speaks_the_browsers_language(served):
    async with aiohttp.ClientSession() as http:
        for language, heading in (
            ("es-MX,es;q=0.9,en;q=0.5", "Inicia sesión en este dispositivo"),
            ("pt-BR,pt;q=0.9", "Entre com este dispositivo"),
            ("de-DE,de;q=0.9", "Sign in this device"),
        ):
            page = await (await http.get(served.url, headers={"Accept-Language": language})).text()
            assert heading in page, language
            assert '<meta name="viewport"' in page


async def test_a_sign_in_posted_from_another_origin_is_refused(served):
    token = served.add_device("hh-01")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        for origin in ("http://evil.example", "null"):
            response = await http.post(
                served.url + "login", data={"device": "hh-01", "token": token}, headers={"Origin": origin}
            )
            assert response.status == 403
            assert not any(cookie.key == "pickterm_session" for cookie in http.cookie_jar)


async def test_the_app_speaks_the_language_the_device_signed_in_with(served):
    from pickterm.web.server import translator

    placeholder = translator("es").gettext("Scan or type an id")
    assert placeholder != "Scan or type an id"
    served.add_device("hh-01")
    terminal = Terminal(served)
    try:
        assert (await terminal.sign_in("hh-01", language="es-MX,es;q=0.9")).status == 303
        await terminal.connect()
        await terminal.wait_for(placeholder)
    finally:
        await terminal.close()


async def test_the_session_cap_holds(tmp_path):
    async with serving(tmp_path, max_sessions=1) as served:
        first = await signed_in(served, "hh-01")
        second = Terminal(served)
        served.add_device("hh-02")
        try:
            assert (await second.sign_in("hh-02")).status == 303
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await second.connect()
            assert refused.value.status == 503
            assert list(served.server.sessions) == ["hh-01"]
            # Once the one session has ended, another device gets in.
            pid = session_pid(served, "hh-01")
            await first.close()
            assert await app_ends(pid)
            await second.connect()
            await second.wait_for("Lookup")
        finally:
            await first.close()
            await second.close()


# ---------------------------------------------------------------- each device its own


async def test_two_devices_do_not_see_each_others_lookups(served):
    first = await signed_in(served, "hh-01")
    second = await signed_in(served, "hh-02")
    try:
        await first.send(data.ORDER_COP + ENTER)
        await first.wait_for(f"Order {data.ORDER_COP}", "Items")
        await first.settle()
        await first.send(F2)
        await first.wait_for("Recent lookups", data.ORDER_COP)
        await second.send(data.ORDER_REPLACED + ENTER)
        await second.wait_for(f"Order {data.ORDER_REPLACED}", "Picked (5)")
        await second.settle()
        await second.send(F2)
        screen = await second.wait_for("Recent lookups")
        assert data.ORDER_COP not in screen
        homes = {
            name: Path(served.server.sessions[name].service.environment["XDG_STATE_HOME"])
            for name in ("hh-01", "hh-02")
        }
        assert homes["hh-01"] != homes["hh-02"]
    finally:
        await first.close()
        await second.close()


async def test_progress_survives_a_reconnect(served):
    terminal = await signed_in(served)
    try:
        await terminal.send(data.WS_MAIN + ENTER)
        await terminal.wait_for("Baby spinach", "2/38 items")
        await terminal.send(SPINACH_EAN + ENTER)
        await terminal.wait_for("3/38 items", "Bananas")
        pid = session_pid(served, "hh-01")
        await terminal.ws.close()  # the page's socket drops; the page connects again
        assert await app_ends(pid)
        await terminal.connect()
        await terminal.wait_for("Lookup")
        assert session_pid(served, "hh-01") != pid
        await terminal.send(data.WS_MAIN + ENTER)
        await terminal.wait_for("3/38 items", "Bananas")
    finally:
        await terminal.close()


async def test_the_app_gets_a_minimal_environment_without_the_servers_api_key(served, monkeypatch):
    monkeypatch.setenv("PICKTERM_API_KEY", "server-secret-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "another-secret")
    terminal = await signed_in(served)
    try:
        pid = session_pid(served, "hh-01")
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
        values = b"\0".join(environ)
        assert b"server-secret-key" not in values and b"another-secret" not in values
        assert "PICKTERM_API_KEY" not in names and "AWS_SECRET_ACCESS_KEY" not in names
        device_home = served.server.base_dir / "devices" / "hh-01"
        assert f"HOME={device_home}".encode() in environ
        assert f"XDG_STATE_HOME={device_home / 'state'}".encode() in environ
        # exec, no shell: the process is the app itself.
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[1:4] == [b"-m", b"pickterm", b"--demo"]
    finally:
        await terminal.close()


# ---------------------------------------------------------------- the app's life


async def test_the_app_ends_when_the_socket_closes(served):
    terminal = await signed_in(served)
    pid = session_pid(served, "hh-01")
    await terminal.close()
    assert await app_ends(pid)
    assert "hh-01" not in served.server.sessions


async def test_the_app_ends_when_the_client_just_vanishes(served):
    served.add_device("hh-01")
    terminal = Terminal(served)
    await terminal.sign_in("hh-01")
    await terminal.connect(autoping=False)  # answers no ping: a handheld gone out of range
    try:
        await terminal.wait_for("Lookup")
        pid = session_pid(served, "hh-01")
        assert await app_ends(pid)
        assert "hh-01" not in served.server.sessions
    finally:
        await terminal.close()


async def test_an_app_that_ignores_quit_is_killed(tmp_path):
    script = tmp_path / "stubborn.py"
    script.write_text(
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "sys.stdout.write('__GANGLION__\\n'); sys.stdout.flush()\n"
        "while True: time.sleep(1)\n"
    )
    import sys

    async with serving(tmp_path, app_argv=(sys.executable, str(script)), quit_timeout=0.5, demo=False) as served:
        served.add_device("hh-01")
        terminal = Terminal(served)
        await terminal.sign_in("hh-01")
        await terminal.connect()
        for _ in range(200):
            if served.server.sessions.get("hh-01") and served.server.sessions["hh-01"].service.pid:
                break
            await asyncio.sleep(0.05)
        pid = session_pid(served, "hh-01")
        await terminal.close()
        assert await app_ends(pid)


async def test_the_same_device_connecting_again_ends_its_old_app_first(served):
    first = await signed_in(served)
    pid = session_pid(served, "hh-01")
    again = Terminal(served)
    try:
        assert (await again.sign_in("hh-01")).status == 303
        await again.connect()
        await again.wait_for("Lookup")
        assert await app_ends(pid)
        assert session_pid(served, "hh-01") != pid
        await first.closed.wait()
    finally:
        await first.close()
        await again.close()


# ---------------------------------------------------------------- devices


def test_add_device_prints_the_token_once_and_keeps_only_its_hash(capsys, tmp_path):
    assert main(["serve", "add-device", "hh-07", "--profile", "store-12"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert len(token) == 23 and "device hh-07 added" in err
    store = DeviceStore()
    path = store.path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = path.read_text()
    assert token not in text and token.replace("-", "") not in text
    assert json.loads(text)["hh-07"]["profile"] == "store-12"
    assert store.verify("hh-07", token) is not None and store.verify("hh-07", token.upper()) is not None
    other = ("b" if token[0] == "a" else "a") + token[1:]
    assert store.verify("hh-07", other) is None and store.verify("hh-08", token) is None
    assert main(["serve", "devices"]) == 0
    assert capsys.readouterr().out == "hh-07\tstore-12\n"


def test_a_bad_device_name_is_a_clear_error(capsys):
    assert main(["serve", "add-device", "../etc"]) == 2
    err = capsys.readouterr().err
    assert "bad device name" in err and "Traceback" not in err


def test_serve_refuses_the_options_it_does_not_take(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--api-url", "http://127.0.0.1:1", "serve"])
    assert done.value.code == 2
    assert "does not take --api-url" in capsys.readouterr().err
