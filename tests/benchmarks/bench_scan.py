"""One scan on a big worksheet: time, memory, and bytes sent to the terminal.

Opens a generated worksheet of 1,000 items over 10 orders in the walkthrough and prints:

1. App-side time to handle one scan (target: median under 20 ms): the app runs headless
   (``run_test``) at 80x24; the code's digits are typed and handled first, then the clock
   runs from posting Enter to the first frame composed and turned into terminal output
   after the scan was counted (the screen acknowledging it). N scans of the current item.
2. Peak memory with the worksheet open (target: under 80 MB): the peak resident set size
   (``ru_maxrss`` from ``wait4``) of a ``pickterm --demo`` process in a pseudo-terminal
   that opened the worksheet and handled a scan. Demo mode serves the API in-process, so
   this includes the sandbox's own copy of the data.
3. Bytes written to the terminal for one full scan, 13 digits and Enter typed 10 ms apart,
   at 80x24 in a pseudo-terminal, beside a bare Textual Input that echoes the same keys and
   clears itself on Enter (target: within 1.5x). Both run with the cursor not blinking.

    python tests/benchmarks/bench_scan.py [--scans 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

COLS, ROWS = 80, 24
KEY_GAP = 0.010  # seconds between the keys of a scan in the pseudo-terminal
QUIET = 0.6  # seconds without output that mean the screen has settled

DRIVER_APP = '''
import os
from pathlib import Path

from pickterm.app import PickTermApp
from pickterm.sandbox import Sandbox


class Driver(PickTermApp):
    """pickterm --demo with a 1,000-item worksheet, opened on start."""

    def __init__(self) -> None:
        super().__init__(demo=True, sandbox=Sandbox.with_big_worksheet(items=1000, orders=10))

    def on_mount(self) -> None:
        super().on_mount()
        self.run_worker(self._open_big_worksheet())

    async def _open_big_worksheet(self) -> None:
        await self.ready()
        self.open_worksheet(self.sandbox.big_worksheet_id)
        screen = self.screen
        await screen.barcodes_loaded.wait()
        self.call_after_refresh(Path(os.environ["BENCH_READY_FILE"]).write_text, screen.model.current.ean)


Driver().run()
'''

BARE_APP = """
import os
from pathlib import Path

from textual.app import App
from textual.widgets import Footer, Input


class Bare(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def compose(self):
        yield Input(placeholder="Scan an item")
        yield Footer()

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = False
        field.focus()
        self.call_after_refresh(Path(os.environ["BENCH_READY_FILE"]).write_text, "4006381333931")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.input.value = ""


Bare().run()
"""


# --------------------------------------------------------------------------- 1. time per scan


async def time_scans(count: int) -> tuple[list[float], list[float]]:
    """Milliseconds from Enter to the first frame after each scan was counted, and from Enter
    to the scan being counted (saved, and the screen's widgets updated)."""
    from textual import events

    from pickterm.app import PickTermApp
    from pickterm.sandbox import Sandbox
    from pickterm.screens.walkthrough import WalkthroughScreen

    app = PickTermApp(demo=True, sandbox=Sandbox.with_big_worksheet(items=1000, orders=10))
    counted = asyncio.Event()
    drawn = asyncio.Event()
    timings: list[float] = []
    handled: list[float] = []
    start = 0.0
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await app.ready()
        app.open("worksheet", app.sandbox.big_worksheet_id)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WalkthroughScreen)
        await screen.barcodes_loaded.wait()
        await pilot.pause()

        real_apply = screen._apply

        def apply(outcome):
            real_apply(outcome)
            if outcome.kind == "pick":
                handled.append((time.perf_counter() - start) * 1000)
                counted.set()

        screen._apply = apply
        # Headless, frames are composed but not written: write them here (to nowhere) so the
        # time includes turning the frame into terminal output.
        real_display = app._display

        def display(screen_, renderable) -> None:
            real_display(screen_, renderable)
            if renderable is not None and counted.is_set():
                render = getattr(renderable, "render_segments", None)
                if render is not None:
                    render(app.console)
                drawn.set()

        app._display = display
        for _ in range(count):
            code = screen.model.current.ean
            for char in code:
                app.post_message(events.Key(char, char))
            await pilot.pause()  # the digits are in the field
            counted.clear()
            drawn.clear()
            start = time.perf_counter()
            app.post_message(events.Key("enter", "\r"))
            await asyncio.wait_for(drawn.wait(), timeout=5)
            timings.append((time.perf_counter() - start) * 1000)
            await pilot.pause()
        events_count = len(app.state.pick_events(app.sandbox.big_worksheet_id))
        assert events_count == count, f"{events_count} scans were counted, not {count}"
    return timings, handled


# --------------------------------------------------------------------------- 2 and 3. pseudo-terminal


def read_until_quiet(fd: int, quiet: float, timeout: float = 30.0) -> bytes:
    """Everything the program writes until it has been silent for ``quiet`` seconds."""
    seen = b""
    start = last = time.perf_counter()
    while time.perf_counter() - start < timeout:
        ready, _, _ = select.select([fd], [], [], 0.02)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            last = time.perf_counter()
        elif time.perf_counter() - last >= quiet:
            break
    return seen


def read_for(fd: int, seconds: float) -> bytes:
    """Everything the program writes within ``seconds``."""
    seen = b""
    end = time.perf_counter() + seconds
    while (left := end - time.perf_counter()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def run_in_pty(script: Path, workdir: Path) -> tuple[int, float, int]:
    """(bytes written for one scan, ms from Enter to the first byte after it, peak RSS in KB)."""
    ready_file = workdir / f"{script.stem}.ready"
    ready_file.unlink(missing_ok=True)
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ.update(
            {"TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS), "BENCH_READY_FILE": str(ready_file)}
        )
        os.environ.pop("NO_COLOR", None)
        os.execv(sys.executable, [sys.executable, str(script)])
    try:
        import fcntl
        import termios

        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        deadline = time.perf_counter() + 60
        while not ready_file.exists():
            read_until_quiet(fd, 0.05, timeout=0.2)
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{script.name} did not get ready")
        code = ready_file.read_text().strip()
        read_until_quiet(fd, QUIET)  # the first frames
        seen = b""
        for char in code:
            os.write(fd, char.encode())
            seen += read_for(fd, KEY_GAP)
        os.write(fd, b"\r")
        enter = time.perf_counter()
        ready, _, _ = select.select([fd], [], [], 5)
        first = time.perf_counter() if ready else enter
        seen += read_until_quiet(fd, QUIET)
        total = len(seen)
    finally:
        os.kill(pid, signal.SIGKILL)
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    return total, (first - enter) * 1000, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=int, default=60, help="scans to time (default 60)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(workdir / name.lower())  # the benchmark's demo state stays out of the user's
        root = Path(__file__).resolve().parents[2]
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
        sys.path.insert(0, str(root))

        timings, handled = asyncio.run(time_scans(args.scans))

        driver, bare = workdir / "driver.py", workdir / "bare.py"
        driver.write_text(DRIVER_APP)
        bare.write_text(BARE_APP)
        ours_bytes, ours_first_ms, ours_rss_kb = run_in_pty(driver, workdir)
        bare_bytes, bare_first_ms, bare_rss_kb = run_in_pty(bare, workdir)

    median = statistics.median(timings)
    p90 = sorted(timings)[int(len(timings) * 0.9) - 1]
    rss_mb = ours_rss_kb / 1024
    ratio = ours_bytes / bare_bytes if bare_bytes else float("inf")

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print(f"walkthrough of a 1,000-item worksheet over 10 orders, {COLS}x{ROWS}")
    print(f"1. time per scan, headless, Enter to the first frame after it ({len(timings)} scans):")
    print(
        f"     median {median:6.1f} ms   p90 {p90:6.1f} ms   max {max(timings):6.1f} ms"
        f"   (target: median under 20 ms -> {verdict(median < 20)})"
    )
    print(
        f"   of which handling the scan (parse, match, SQLite commit, widgets updated): median"
        f" {statistics.median(handled):.1f} ms; the rest is waiting for the next frame (60 per second)"
    )
    print(
        f"   in a pseudo-terminal, Enter to the first byte back: {ours_first_ms:6.1f} ms"
        f" (bare Input: {bare_first_ms:.1f} ms)"
    )
    print("2. peak memory, the app process in a pseudo-terminal with the worksheet open (ru_maxrss):")
    print(
        f"     {rss_mb:6.1f} MB   (bare Textual Input: {bare_rss_kb / 1024:.1f} MB)"
        f"   (target: under 80 MB -> {verdict(rss_mb < 80)})"
    )
    print(f"3. bytes written to the terminal for one scan (13 digits and Enter, {KEY_GAP * 1000:.0f} ms apart):")
    print(
        f"     walkthrough {ours_bytes} B   bare Textual Input {bare_bytes} B   ratio {ratio:.2f}x"
        f"   (target: at most 1.5x -> {verdict(ratio <= 1.5)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
