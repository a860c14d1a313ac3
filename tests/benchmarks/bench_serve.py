"""Browser mode over loopback: page load, key to screen, memory per session, 20 sessions at once.

Serves the demo with ``pickterm serve``'s server (in this process, on 127.0.0.1; every session's
app is a real ``pickterm --demo`` process) and prints:

1. Page load to home screen: headless Chromium (Debian's, with selenium), signed in, from
   asking for the page to the home screen's demo ids in ``.xterm-rows``. Skipped, with the
   reason, where Chromium is missing.
2. Key to screen: over the websocket, rendered with pyte at 40x16: from sending one key to
   the screen showing it in the scan field (then Backspace, not timed). N keys.
3. Twenty sessions at once: twenty devices sign in and connect together; the time until the
   last one shows its home screen, and sessions started per second.
4. Memory per session: resident set (RSS) and proportional set (PSS, shared pages split
   between the processes that share them) of each session's app process, 20 sessions open.

    python tests/benchmarks/bench_serve.py [--keys 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: servetools

from servetools import Terminal, serving  # noqa: E402

SESSIONS = 20


def _kib(pid: int, field: str, path: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.1f} ms (min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f}, n={len(values)})"


def page_load(url: str, token: str, runs: int) -> list[float] | str:
    chromium, driver_path = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
    if not chromium.exists() or not driver_path.exists():
        return "skipped: Chromium and chromedriver are needed in /usr/bin"
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ModuleNotFoundError:
        return "skipped: selenium is needed (pip install -e '.[test]')"
    with tempfile.TemporaryDirectory() as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(chromium)
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--window-size=360,640",
        ):
            options.add_argument(argument)
        driver = webdriver.Chrome(options=options, service=Service(str(driver_path)))
        try:
            driver.get(url)
            driver.find_element(By.ID, "device").send_keys("bench-00")
            driver.find_element(By.ID, "token").send_keys(token)
            driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                driver.get(url)
                while "Demo ids" not in (
                    driver.execute_script(
                        "var r = document.querySelector('.xterm-rows'); return r ? r.textContent : '';"
                    )
                    or ""
                ):
                    if time.perf_counter() - start > 60:
                        return "failed: the home screen never showed"
                    time.sleep(0.005)
                times.append(time.perf_counter() - start)
            return times
        finally:
            driver.quit()


async def key_to_screen(terminal: Terminal, keys: int) -> list[float]:
    await terminal.wait_for("Demo ids")
    await terminal.settle()
    times = []
    for n in range(keys):
        key = "123456789"[n % 9]
        start = time.perf_counter()
        await terminal.send(key)
        await terminal.wait_for(f"▊  {key}")
        times.append(time.perf_counter() - start)
        await terminal.send("\x7f")
        await terminal.wait_for("Scan or type an id")
        await terminal.settle(0.2)
    return times


async def run(keys: int, loads: int) -> None:
    with tempfile.TemporaryDirectory() as base:
        os.environ["XDG_CONFIG_HOME"] = str(Path(base) / "config")
        async with serving(Path(base), max_sessions=SESSIONS + 2) as served:
            tokens = {f"bench-{n:02d}": served.add_device(f"bench-{n:02d}") for n in range(SESSIONS + 1)}
            print(f"pickterm serve on {served.url} (loopback), {os.cpu_count()} CPUs")

            loaded = await asyncio.to_thread(page_load, served.url, tokens["bench-00"], loads)
            if isinstance(loaded, str):
                print(f"1. page load to home screen: {loaded}")
            else:
                print(f"1. page load to home screen (Chromium, 360x640): {_ms(loaded)}")
            await asyncio.sleep(1)  # the browser's session ends

            one = Terminal(served)
            await one.sign_in("bench-00")
            await one.connect()
            print(f"2. key to screen (websocket + pyte, 40x16): {_ms(await key_to_screen(one, keys))}")
            await one.close()
            await asyncio.sleep(1)

            terminals = [Terminal(served) for _ in range(SESSIONS)]
            start = time.perf_counter()

            async def start_one(n: int, terminal: Terminal) -> None:
                await terminal.sign_in(f"bench-{n + 1:02d}")
                await terminal.connect()
                await terminal.wait_for("Demo ids", timeout=180)

            await asyncio.gather(*(start_one(n, t) for n, t in enumerate(terminals)))
            took = time.perf_counter() - start
            print(
                f"3. {SESSIONS} sessions at once: all on their home screen in {took:.2f} s "
                f"({SESSIONS / took:.1f} sessions per second)"
            )
            await asyncio.sleep(2)
            pids = [s.service.pid for s in served.server.sessions.values() if s.service.pid]
            rss = [_kib(pid, "VmRSS", "status") / 1024 for pid in pids]
            pss = [_kib(pid, "Pss", "smaps_rollup") / 1024 for pid in pids]
            print(
                f"4. memory per session ({len(pids)} open): RSS median {statistics.median(rss):.1f} MB "
                f"(max {max(rss):.1f}), PSS median {statistics.median(pss):.1f} MB; "
                f"{sum(pss):.0f} MB PSS for all {len(pids)}"
            )
            await asyncio.gather(*(t.close() for t in terminals))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=30, help="keys timed for key to screen")
    parser.add_argument("--loads", type=int, default=5, help="page loads timed")
    args = parser.parse_args()
    try:
        asyncio.run(run(args.keys, args.loads))
    except Exception as exc:  # the run itself failed
        print(f"bench_serve: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
