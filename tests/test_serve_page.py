"""Browser mode's page as served and as shipped: its own files in the wheel, nothing from another
host, a viewport tag, and headers that keep the browser to this server."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import aiohttp

from servetools import serving

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "pickterm" / "web" / "static"


def test_the_wheel_ships_the_page_the_vendored_client_and_the_font(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("pickterm-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in STATIC.rglob("*"):
        if path.is_file():
            name = f"pickterm/web/static/{path.relative_to(STATIC).as_posix()}"
            assert name in names, f"{name} is missing from the wheel"
    for licence in ("xterm/LICENSE", "addon-fit/LICENSE", "dejavu/LICENSE", "VENDORED.md"):
        assert f"pickterm/web/static/vendor/{licence}" in names


def test_the_page_asks_for_nothing_from_another_host():
    css = (STATIC / "page.css").read_text()
    assert re.findall(r"url\(([^)]*)\)", css) == [
        '"vendor/dejavu/DejaVuSansMono.ttf"',
        '"vendor/dejavu/DejaVuSansMono-Bold.ttf"',
    ]
    script = (STATIC / "client.js").read_text()
    assert "http://" not in script and "https://" not in script


async def test_both_pages_load_only_this_servers_files_and_forbid_the_rest(tmp_path):
    async with serving(tmp_path) as served:
        token = served.add_device("hh-01")
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            login = await http.get(served.url)
            await http.post(
                served.url + "login",
                data={"device": "hh-01", "token": token},
                headers={"Origin": served.origin},
            )
            terminal = await http.get(served.url)
            for response in (login, terminal):
                page = await response.text()
                policy = response.headers["Content-Security-Policy"]
                assert "default-src 'none'" in policy and "connect-src 'self'" in policy
                assert "frame-ancestors 'none'" in policy
                assert '<meta name="viewport" content="width=device-width, initial-scale=1' in page
                for reference in re.findall(r'(?:src|href)="([^"]*)"', page):
                    assert reference.startswith("/static/"), reference
            page = await terminal.text()
            assert 'id="terminal"' in page and 'data-reconnecting="reconnecting…"' in page
            for reference in re.findall(r'(?:src|href)="([^"]*)"', page):
                assert (await http.get(served.url.rstrip("/") + reference)).status == 200, reference


async def test_the_login_page_lets_the_browser_say_where_the_sign_in_comes_from(tmp_path):
    """A sign-in with ``Origin: null`` is refused, and a browser sends ``null`` for a form posted
    from a page whose Referrer-Policy is ``no-referrer``: the login page must not say that, or no
    device could sign in (the browser tests see it as a page that stays blank)."""
    async with serving(tmp_path) as served, aiohttp.ClientSession() as http:
        login = await http.get(served.url)
        assert login.headers["Referrer-Policy"] in ("same-origin", "strict-origin", "strict-origin-when-cross-origin")
