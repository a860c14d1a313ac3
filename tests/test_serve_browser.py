"""``pickterm serve`` in a real browser: Debian's Chromium, headless, driven by selenium.

One ``pickterm serve --demo`` and one browser for the module. Where Chromium, its driver or
selenium is missing these tests skip with the reason, except under ``CI=true``, where they fail.
The 360x640 screenshot (device pixel ratio 3) is written to ``$SERVE_SCREENSHOT`` when set
(the README's ``screenshots/browser-360x640.png`` comes from there).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pickterm.sandbox import data

from apphelpers import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 60.0
SPINACH_EAN = "8406125560665"  # the main worksheet's first item (1 to pick)


def _missing() -> str | None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return f"Chromium and its driver are needed at {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ModuleNotFoundError:
        return "selenium is needed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module", autouse=True)
def _browser_available():
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``pickterm serve --demo`` on loopback with two devices; yields (url, tokens)."""
    base = tmp_path_factory.mktemp("serve")
    env = {name: value for name, value in os.environ.items() if not name.startswith("PICKTERM_")}
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = str(base / name.lower())
    pickterm = [sys.executable, "-m", "pickterm"]
    tokens = {}
    for name in ("hh-01", "hh-02", "hh-03"):
        done = subprocess.run(
            [*pickterm, "serve", "add-device", name], env=env, capture_output=True, text=True, check=True, timeout=60
        )
        tokens[name] = done.stdout.strip()
    port = free_port()
    process = subprocess.Popen(
        [*pickterm, "--demo", "serve", "--port", str(port), "--max-sessions", "5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"pickterm serve did not start: {process.stdout.read()}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/", tokens
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _chrome(tmp_path: Path, *, width: int, height: int, ratio: float, mobile: bool):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={width},{height}",
        "--lang=en-US",
    ):
        options.add_argument(argument)
    if mobile:
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": ratio, "touch": True}}
        )
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(WAIT)
    return driver


@pytest.fixture
def phone(tmp_path):
    driver = _chrome(tmp_path, width=360, height=640, ratio=3.0, mobile=True)
    yield driver
    driver.quit()


def rows(driver) -> str:
    return driver.execute_script(
        "var r = document.querySelector('.xterm-rows');"
        "return r ? Array.from(r.children).map(function (e) { return e.textContent; }).join('\\n') : '';"
    )


def wait_for(driver, *texts: str, timeout: float = WAIT) -> str:
    deadline = time.monotonic() + timeout
    while True:
        screen = rows(driver)
        if all(text in screen for text in texts):
            return screen
        if time.monotonic() > deadline:
            raise AssertionError(f"the page never showed {texts!r}; it shows:\n{screen}")
        time.sleep(0.1)


def sign_in(driver, url: str, name: str, token: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url)
    driver.find_element(By.ID, "device").send_keys(name)
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, "Lookup", "Demo ids")


def typing(driver, keys: str) -> None:
    """Keys into whatever has the focus (no click first: the page focuses the terminal itself)."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(keys).perform()


def record_messages(driver) -> None:
    """From now on the page's websocket messages are kept in ``window.sentMessages``."""
    driver.execute_script(
        "window.sentMessages = [];"
        "var send = WebSocket.prototype.send;"
        "WebSocket.prototype.send = function (m) { window.sentMessages.push(m); return send.call(this, m); };"
    )


def test_sign_in_type_an_order_id_and_see_the_order(server, phone):
    from selenium.webdriver.common.keys import Keys

    url, tokens = server
    sign_in(phone, url, "hh-01", tokens["hh-01"])
    assert phone.execute_script("return document.activeElement.classList.contains('xterm-helper-textarea')")
    typing(phone, data.ORDER_REPLACED + Keys.ENTER)
    screen = wait_for(phone, f"Order {data.ORDER_REPLACED}", "Picked (5)")
    assert "Greek yogurt" in screen


def test_a_phone_at_360x640_and_ratio_3_gets_40_columns_and_the_whole_screen(server, phone, tmp_path):
    url, tokens = server
    sign_in(phone, url, "hh-02", tokens["hh-02"])
    size = phone.execute_script(
        "return [pickterm.term.cols, pickterm.term.rows, window.innerWidth, window.devicePixelRatio]"
    )
    wait_for(phone, "Demo ids")
    time.sleep(1)
    picture = Path(os.environ.get("SERVE_SCREENSHOT") or tmp_path / "browser-360x640.png")
    picture.parent.mkdir(parents=True, exist_ok=True)
    assert phone.save_screenshot(str(picture))
    assert size[2] == 360 and size[3] == 3
    assert size[0] >= 40, size
    # The DOM renderer: every row is text in .xterm-rows, and all of them are drawn.
    assert phone.execute_script("return document.querySelector('.xterm-rows') !== null")
    screen = wait_for(phone, "Quit")
    lines = screen.split("\n")
    assert len(lines) == size[1]
    assert lines[0].lstrip().startswith("Lookup") and "DEMO" in lines[0]
    assert "Quit" in lines[-1]
    # Nothing came from another host, and the bundled font drew the terminal.
    hosts = phone.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return new URL(e.name).host; })"
    )
    assert set(hosts) <= {url.split("/")[2]}, hosts
    assert phone.execute_script("return document.fonts.check('14px \"DejaVu Sans Mono\"')")


def test_a_scanner_burst_in_the_walkthrough_counts_once_every_key_sent_once(server, phone):
    from selenium.webdriver.common.keys import Keys

    url, tokens = server
    sign_in(phone, url, "hh-03", tokens["hh-03"])
    typing(phone, data.WS_MAIN + Keys.ENTER)
    wait_for(phone, "Baby spinach", "picked 0 of 1 here")
    screen = wait_for(phone, "units")
    before = next(line for line in screen.split("\n") if "units" in line)
    record_messages(phone)
    typing(phone, SPINACH_EAN + Keys.ENTER)  # the keys as fast as the browser takes them: a scan
    screen = wait_for(phone, "Bananas", "Baby spinach 200g (1 of 1)")
    assert "3/38 items" in screen and "5/69 units" in screen, (before, screen)
    stdin = [m for m in phone.execute_script("return window.sentMessages") if m.startswith('["stdin"')]
    # Every key once, in order, and batched (fewer messages than keys). Selenium types key by
    # key and, on a loaded machine, can pause longer than the page's 10 ms batch inside the
    # code (a scanner does not): then the burst leaves in two or three messages, and the app
    # must still count it once (above).
    assert "".join(json.loads(m)[1] for m in stdin) == SPINACH_EAN + "\r", stdin
    assert len(stdin) < len(SPINACH_EAN), stdin
    # A tap on the screen is no click: the walk stays where it is.
    from selenium.webdriver.common.by import By

    phone.find_element(By.ID, "terminal").click()
    time.sleep(0.5)
    assert "Bananas" in rows(phone)
    assert phone.execute_script("return document.activeElement.classList.contains('xterm-helper-textarea')")


def test_the_page_reconnects_by_itself_and_says_so(server, phone):
    url, tokens = server
    sign_in(phone, url, "hh-01", tokens["hh-01"])
    phone.execute_script(
        "window.statusSeen = [];"
        "var status = document.getElementById('status');"
        "new MutationObserver(function () { if (!status.hidden) window.statusSeen.push(status.textContent); })"
        ".observe(status, {attributes: true, childList: true, characterData: true, subtree: true});"
    )
    phone.execute_script("pickterm.socket().close()")  # the connection drops
    deadline = time.monotonic() + WAIT
    while not phone.execute_script("return window.statusSeen.length") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "reconnecting…" in phone.execute_script("return window.statusSeen")
    deadline = time.monotonic() + WAIT
    while not phone.execute_script("return pickterm.isConnected()") and time.monotonic() < deadline:
        time.sleep(0.1)
    wait_for(phone, "Lookup", "Demo ids")
    assert phone.execute_script("return document.getElementById('status').hidden")
