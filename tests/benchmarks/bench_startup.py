"""Start-up time as a terminal shows it: process start to what is on screen, in a pseudo-terminal.

The pseudo-terminal behaves as xterm or tmux does: it answers the queries a program
writes to it at once (cursor position report, primary and secondary device attributes,
DEC private mode reports (DECRQM, which Textual sends for synchronized output and
in-band resize), XTVERSION, the colour queries); Textual 8.2.8's full-screen driver asks
DECRQM 2026 and 2048 and goes on without waiting, but a benchmark that left any query
unanswered would time a program's wait for its timeout, not what a user sees.

The screen text is read with the escape sequences taken out: Textual draws the input's
cursor over the first letter of its placeholder, so the raw bytes never hold the
placeholder in one piece until the cursor blinks off (a second later).

Two figures for ``pickterm --demo``, each beside a bare Textual app (one Input and a
Footer) taken in the same run, with alternating runs so both see the same load:

- first frame: the home screen with its input drawn (target: at most 1.15x the bare app);
- home complete: the demo ids (or recent lookups) listed under the input
  (target: at most 1.4x the bare app's first frame).

Each figure is printed as the ratio of the medians and run by run (each run against the bare
run just before it), in wall time and in CPU time; the verdict is the median of the run-by-run
wall ratios. tests/benchmarks/README.md says how to read them.

    python tests/benchmarks/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Input

class Bare(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    def compose(self):
        yield Input(placeholder="Bare ready")
        yield Footer()

Bare().run()
"""

FIRST_FRAME_TARGET = 1.15
HOME_COMPLETE_TARGET = 1.4

# Escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (... ST),
# character set designations (ESC ( B) and the other two-byte ones (ESC 7, ESC =, ESC M...).
_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    rb"|\x1b[PX^_][^\x1b]*\x1b\\"
    rb"|\x1b[()*+][ -~]"
    rb"|\x1b[0-?@-OQ-WYZ\\]"
)
_DECRQM = re.compile(rb"\x1b\[\?(\d+)\$p")
_DECRQM_ANSI = re.compile(rb"\x1b\[(\d+)\$p")
_OSC_COLOUR = re.compile(rb"\x1b\](1[01]);\?(\x07|\x1b\\)")


class Terminal:
    """The answers an xterm-like terminal (as tmux presents itself) gives to the queries it is sent."""

    # DEC private modes the terminal knows, with their state: 1 set, 2 reset (2026: tmux supports
    # synchronized output). Any other mode is answered 0, "not recognized", as xterm does.
    MODES = {2026: 2, 2004: 2, 1049: 2, 1004: 2, 25: 1, 7: 1, 1000: 2, 1003: 2, 1006: 2}

    def __init__(self, rows: int, cols: int) -> None:
        self.rows = rows
        self.cols = cols
        self.pending = b""
        self.answered: list[bytes] = []

    def answers(self, chunk: bytes) -> bytes:
        """What the terminal writes back for the queries in ``chunk`` (a query may span chunks)."""
        data = self.pending + chunk
        # Keep an unfinished escape sequence at the end for the next chunk.
        cut = data.rfind(b"\x1b")
        if cut != -1 and not _ESCAPES.match(data, cut):
            self.pending, data = data[cut:], data[:cut]
        else:
            self.pending = b""
        out = b""
        for seq in _ESCAPES.findall(data):
            reply = self._answer(seq)
            if reply:
                self.answered.append(seq)
                out += reply
        return out

    def _answer(self, seq: bytes) -> bytes:
        if seq == b"\x1b[6n":  # cursor position report (the cursor is home after the alt screen)
            return b"\x1b[1;1R"
        if seq in (b"\x1b[c", b"\x1b[0c"):  # primary device attributes: VT220-class, as xterm says
            return b"\x1b[?62;22c"
        if seq in (b"\x1b[>c", b"\x1b[>0c"):  # secondary device attributes
            return b"\x1b[>84;0;0c"  # tmux's answer
        if seq == b"\x1b[>0q":  # XTVERSION
            return b"\x1bP>|tmux 3.4\x1b\\"
        if seq == b"\x1b[18t":  # text area size in characters
            return f"\x1b[8;{self.rows};{self.cols}t".encode()
        if seq == b"\x1b[?u":  # kitty keyboard flags: xterm and tmux do not answer
            return b""
        if match := _DECRQM.fullmatch(seq):
            mode = int(match.group(1))
            return f"\x1b[?{mode};{self.MODES.get(mode, 0)}$y".encode()
        if match := _DECRQM_ANSI.fullmatch(seq):
            return f"\x1b[{int(match.group(1))};0$y".encode()
        if match := _OSC_COLOUR.fullmatch(seq):
            colour = b"ffff/ffff/ffff" if match.group(1) == b"10" else b"0000/0000/0000"
            return b"\x1b]" + match.group(1) + b";rgb:" + colour + b"\x1b\\"
        return b""


def screen_text(raw: bytes) -> str:
    """What a program wrote with its escape sequences removed (the text of the lines it drew)."""
    return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by all threads of a process (Linux; 0.0 where /proc has no schedstat)."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):  # a thread that just ended
            pass
    return total / 1e9


@dataclass
class Run:
    wall: list[float]  # seconds from fork to each marker
    cpu: list[float]  # CPU seconds the program had used by then (all its threads)
    terminal: Terminal


def time_to_texts(
    argv: list[str],
    markers: list[str],
    *,
    cols: int = 80,
    rows: int = 24,
    timeout: float = 20.0,
    env: dict[str, str] | None = None,
) -> Run:
    """Seconds from fork until each marker appears on screen, in a pseudo-terminal that answers queries."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows), **(env or {})})
        # Bytecode is cached as after ``pip install``: the warm-up run writes what is missing.
        for name in ("NO_COLOR", "TMUX", "TERM_PROGRAM", "PYTHONDONTWRITEBYTECODE"):
            os.environ.pop(name, None)
        os.execvp(argv[0], argv)
    terminal = Terminal(rows, cols)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        raw = b""
        seen: dict[str, tuple[float, float]] = {}
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            now = time.perf_counter() - start
            reply = terminal.answers(chunk)
            if reply:
                os.write(fd, reply)
            raw += chunk
            text = screen_text(raw)
            for marker in markers:
                if marker not in seen and marker in text:
                    seen[marker] = (now, cpu_seconds(pid))
            if len(seen) == len(markers):
                return Run([seen[m][0] for m in markers], [seen[m][1] for m in markers], terminal)
        missing = [m for m in markers if m not in seen]
        raise RuntimeError(f"{missing!r} did not appear within {timeout} s")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.0f} ms (min {min(values) * 1000:4.0f}, max {max(values) * 1000:4.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        # The demo's state (recent lookups) stays out of the user's; the list shows the demo ids.
        env = {"XDG_STATE_HOME": str(Path(tmp) / "state"), "XDG_CONFIG_HOME": str(Path(tmp) / "config")}
        bare_case = ([sys.executable, str(bare)], ["Bare ready"])
        ours_case = ([sys.executable, "-m", "pickterm", "--demo"], ["Scan or type an id", "Demo ids"])
        # One warm-up each, so both start with the same file-system cache and bytecode.
        time_to_texts(*bare_case, env=env)
        terminal = time_to_texts(*ours_case, env=env).terminal
        bare: list[Run] = []
        ours: list[Run] = []
        for _ in range(args.runs):  # alternating, so both see the same load on the machine
            bare.append(time_to_texts(*bare_case, env=env))
            ours.append(time_to_texts(*ours_case, env=env))
    asked = sorted({seq.decode("ascii", "backslashreplace") for seq in terminal.answered})
    print(f"start-up, {args.runs} alternating runs each, 80x24 pseudo-terminal answering like xterm/tmux;")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (wall time grows with it, CPU time hardly)")
    print(f"  queries pickterm sent, answered: {', '.join(repr(q) for q in asked) or 'none'}")
    rows = [
        ("bare Textual app (Input + Footer)", [r.wall[0] for r in bare], [r.cpu[0] for r in bare], None),
        (
            "pickterm --demo: first frame with the input",
            [r.wall[0] for r in ours],
            [r.cpu[0] for r in ours],
            FIRST_FRAME_TARGET,
        ),
        (
            "pickterm --demo: home complete (demo ids)",
            [r.wall[1] for r in ours],
            [r.cpu[1] for r in ours],
            HOME_COMPLETE_TARGET,
        ),
    ]
    print(f"  {'':44} {'wall, median':28} {'CPU, median':28}")
    for name, wall, cpu, _ in rows:
        print(f"  {name:44} {ms(wall):28} {ms(cpu):28}")
    bare_wall = statistics.median(rows[0][1])
    bare_cpu = statistics.median(rows[0][2])
    for name, wall, cpu, target in rows[1:]:
        ratio = statistics.median(wall) / bare_wall
        cpu_ratio = statistics.median(cpu) / bare_cpu if bare_cpu else float("nan")
        print(f"  {name.split(': ')[1]} / bare: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (ratio of the medians)")
        # The verdict: each run against the bare run just before it, so a burst of load on the
        # machine spoils one pair, not the whole series; the median of those ratios, in wall time.
        by_run = pair_ratios(wall, rows[0][1])
        verdict = "met" if by_run and statistics.median(by_run) <= target else "NOT met"
        print(
            f"    run by run: wall {spread(by_run)}, CPU {spread(pair_ratios(cpu, rows[0][2]))} "
            f"(target: wall at most {target:.2f}x) -> {verdict}"
        )
    return 0


def pair_ratios(ours: list[float], bare: list[float]) -> list[float]:
    return [o / b for o, b in zip(ours, bare, strict=True) if b]


def spread(ratios: list[float]) -> str:
    if not ratios:
        return "n/a"
    return f"{statistics.median(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})"


if __name__ == "__main__":
    raise SystemExit(main())
