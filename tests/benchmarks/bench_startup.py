"""Start-up time: process start to the home screen's first frame, in a pseudo-terminal.

Prints the median of N runs of ``pickterm --demo`` beside a bare Textual app with one
Input and a Footer, started the same way. Target: pickterm within 1.2x of the bare app.

    python tests/benchmarks/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

BARE_APP = '''
from textual.app import App
from textual.widgets import Footer, Input

class Bare(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    def compose(self):
        yield Input(placeholder="BARE-READY")
        yield Footer()

Bare().run()
'''


def time_to_text(argv: list[str], marker: bytes, *, cols: int = 80, rows: int = 24, timeout: float = 20.0) -> float:
    """Seconds from fork to ``marker`` appearing in what the program writes to its terminal."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)})
        os.environ.pop("NO_COLOR", None)
        os.execvp(argv[0], argv)
    try:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        seen = b""
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                seen += chunk
                if marker in seen:
                    return time.perf_counter() - start
        raise RuntimeError(f"{marker!r} did not appear within {timeout} s")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        os.environ["XDG_STATE_HOME"] = tmp  # demo state of the benchmark stays out of the user's
        cases = {
            "bare Textual app (Input + Footer)": ([sys.executable, str(bare)], b"BARE-READY"),
            "pickterm --demo (home screen)": ([sys.executable, "-m", "pickterm", "--demo"], b"Scan or type"),
        }
        # One warm-up each, so both start with the same file-system cache.
        for argv, marker in cases.values():
            time_to_text(argv, marker)
        results = {}
        for name, (argv, marker) in cases.items():
            results[name] = [time_to_text(argv, marker) for _ in range(args.runs)]
    print(f"time to first frame, {args.runs} runs each, 80x24 pseudo-terminal")
    for name, times in results.items():
        print(f"  {name:36} median {statistics.median(times) * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms")
    bare_median, ours = (statistics.median(t) for t in results.values())
    ratio = ours / bare_median
    print(f"  ratio pickterm / bare: {ratio:.2f}x (target: at most 1.20x) -> {'met' if ratio <= 1.2 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
