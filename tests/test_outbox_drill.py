"""The kill -9 drill: real ``pickterm track`` and ``outbox flush`` processes, killed at
random points, behind a proxy that completes requests whose client died (as real
servers do). Whatever the kills hit, no event is ever applied twice on the server, and
every write that reached the server is an entry of the outbox.

Bounded: at most ROUNDS processes and DRILL_SECONDS of wall time; it stops by itself.
Set PICKTERM_DRILL_SEED to replay a run (the seed is in the failure message), and
PICKTERM_DRILL_ROUNDS for a longer drill.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from completing_proxy import CompletingProxy

from pickterm.sandbox import DEMO_API_KEY, Sandbox, serve_in_thread
from pickterm.sandbox.data import ORDER_COP, ORDER_ON_ROUTE, ORDER_REPLACED, ORDER_TWO_WORKSHEETS, ORDER_WEIGHABLE
from pickterm.store.outbox import Outbox
from pickterm.store.state import StateDB, state_path

ROOT = Path(__file__).resolve().parent.parent
ORDERS = (ORDER_ON_ROUTE, ORDER_WEIGHABLE, ORDER_TWO_WORKSHEETS, ORDER_REPLACED, ORDER_COP)
ROUNDS = int(os.environ.get("PICKTERM_DRILL_ROUNDS") or 10)  # more for a longer drill by hand
SEED = os.environ.get("PICKTERM_DRILL_SEED")  # read at import: the test's fixtures clear PICKTERM_*
LATENCY_MS = 1000  # token and PATCH each take a second: the kills land all along the way
DRILL_SECONDS = float(os.environ.get("PICKTERM_DRILL_SECONDS") or 90)


def _wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def _command(round_no: int, urls: list[str]) -> list[str]:
    base = [sys.executable, "-m", "pickterm"]
    if round_no % 4 == 3:
        return [*base, "outbox", "flush", *urls]
    order = ORDERS[round_no % len(ORDERS)]
    event = ["--event", f"Lima|LIM|drill-{round_no}|2025-02-10 08:00"]
    # --replace: an earlier round may have delivered the order, or a kill left it unread;
    # --far-date: 2025 is far from now. Events alone would be refused for an order not delivered.
    if round_no % 2:
        delivered = ["--delivered", f"2025-02-{10 + round_no:02d} 09:00", "--far-date", "--replace"]
    else:
        delivered = ["--delivered", "now", "--replace"]
    return [*base, "track", order, *delivered, *event, *urls]


def test_kill_9_at_random_points_never_applies_an_event_twice():
    seed = int(SEED or random.randrange(1 << 30))
    rng = random.Random(seed)
    sandbox = Sandbox(latency_ms=LATENCY_MS)
    env = {**os.environ, "PICKTERM_API_KEY": DEMO_API_KEY, "PYTHONPATH": str(ROOT)}
    started, kills, exits = time.monotonic(), 0, []
    with serve_in_thread(sandbox) as server, CompletingProxy(server.host, server.port) as proxy:
        urls = ["--api-url", proxy.url, "--auth-url", proxy.url]
        for round_no in range(ROUNDS):
            if time.monotonic() - started > DRILL_SECONDS:
                break
            proc = subprocess.Popen(
                _command(round_no, urls), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                proc.wait(timeout=rng.uniform(0.2, 3.2))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                kills += 1
                proc.wait(10)
            exits.append(proc.returncode)
        _wait_until(lambda: proxy.busy == 0, 20)  # the dead clients' requests complete upstream
        for _ in range(2):  # settle: flush without kills
            subprocess.run([*_command(3, urls)], env=env, capture_output=True, timeout=60)
        _wait_until(lambda: proxy.busy == 0, 20)

    applied = Counter(e["description"] for _, payload in sandbox.tracking_writes for e in payload.get("events", []))
    with StateDB.open() if state_path().exists() else _nothing() as db:
        stored = Outbox(db).list(("pending", "failed", "uncertain", "sent", "superseded")) if db else []
    context = f"seed {seed}, {kills} kills, exits {exits}, applied {dict(applied)}, stored {[(e.id, e.state) for e in stored]}"
    assert kills >= 1, context
    assert all(count == 1 for count in applied.values()), f"an event was applied twice: {context}"
    by_description = {e.payload["events"][0]["description"]: e for e in stored}
    assert set(applied) <= set(by_description), f"a write reached the server without an entry: {context}"
    for description, entry in by_description.items():
        if entry.state == "sent":
            assert applied[description] == 1, f"#{entry.id} is recorded as sent but was not applied: {context}"
        if description not in applied:  # never applied: still visible, never dropped or marked sent
            assert entry.state in ("pending", "uncertain", "failed"), context


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None
