"""Benchmark: how long loading an order's whole picture takes over a slow network.

The picture is what the order screen shows: the order, its worksheets and its
shipments (fetched together: one round trip), then the facility of its first
worksheet (a second round trip, since its id comes from the worksheet list). The
sandbox is served on a loopback socket with a fixed latency per request.

Two phases per run, each on a new client:
- cold: the token is fetched first (one round trip on its own: every API call
  needs it), then the picture: three round trips in all;
- warm: the token is already held, the picture alone: two round trips.

Target: the warm picture in two round trips, under 250 ms at 100 ms latency, with
one token request per client. The cold number is printed too; it cannot meet that
target, because the token request is a round trip that nothing can overlap.

Usage: python tests/benchmarks/bench_api.py [--latency-ms 100] [--runs 5] [--order ID]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from pickterm.api import PickPackClient, PickPackError  # noqa: E402
from pickterm.api.models import Facility, Order, ShipmentSummary, WorksheetSummary  # noqa: E402
from pickterm.sandbox import DEMO_API_KEY, Sandbox, serve_in_thread  # noqa: E402
from pickterm.sandbox import data as demo  # noqa: E402

TARGET_MS = 250.0
TARGET_ROUND_TRIPS = 2


@dataclass
class Picture:
    order: Order
    worksheets: list[WorksheetSummary]
    shipments: list[ShipmentSummary]
    facility: Facility | None


@dataclass
class Phase:
    """Wall times (ms) of one phase over every run, and the tokens each run asked for."""

    name: str
    token_ms: list[float] = field(default_factory=list)
    round_1_ms: list[float] = field(default_factory=list)
    round_2_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    token_requests: list[int] = field(default_factory=list)


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


async def load_picture(client: PickPackClient, order_id: str, times: dict[str, float]) -> Picture:
    """The order's picture in two round trips: order + worksheets + shipments together, then the facility."""
    start = time.perf_counter()
    order, worksheets, shipments = await asyncio.gather(
        client.get_order(order_id, fresh=True),
        client.list_worksheets(order_id, fresh=True),
        client.list_shipments(order_id, fresh=True),
    )
    times["round_1"] = ms_since(start)
    start = time.perf_counter()
    facility_id = next((ws.facility_id for ws in worksheets if ws.facility_id), None)
    facility = await client.get_facility(facility_id, fresh=True) if facility_id else None
    times["round_2"] = ms_since(start)
    return Picture(order, worksheets, shipments, facility)


async def one_run(api_url: str, auth_url: str, order_id: str, cold: Phase, warm: Phase) -> Picture:
    # cold: a new client; the token first, then the picture
    async with PickPackClient(api_url, auth_url, DEMO_API_KEY) as client:
        times: dict[str, float] = {}
        start = time.perf_counter()
        token_start = time.perf_counter()
        await client.get_token()
        times["token"] = ms_since(token_start)
        await load_picture(client, order_id, times)
        _record(cold, times, ms_since(start), client.token_requests)

    # warm: a new client whose token was fetched before the clock starts
    async with PickPackClient(api_url, auth_url, DEMO_API_KEY) as client:
        await client.get_token()
        times = {}
        start = time.perf_counter()
        picture = await load_picture(client, order_id, times)
        _record(warm, times, ms_since(start), client.token_requests)
    return picture


def _record(phase: Phase, times: dict[str, float], total: float, token_requests: int) -> None:
    if "token" in times:
        phase.token_ms.append(times["token"])
    phase.round_1_ms.append(times["round_1"])
    phase.round_2_ms.append(times["round_2"])
    phase.total_ms.append(total)
    phase.token_requests.append(token_requests)


def stats(values: list[float]) -> str:
    return f"median {statistics.median(values):7.1f}  min {min(values):7.1f}  max {max(values):7.1f}"


def report(phase: Phase, latency_ms: float) -> None:
    print(f"\n{phase.name}")
    rows = [
        ("token", phase.token_ms),
        ("order+worksheets+shipments", phase.round_1_ms),
        ("facility", phase.round_2_ms),
        ("total", phase.total_ms),
    ]
    for label, values in rows:
        if values:
            print(f"  {label:<28} ms  {stats(values)}")
    if latency_ms > 0:
        trips = statistics.median(phase.total_ms) / latency_ms
        print(f"  {'round trips (median/latency)':<28}     {trips:.2f}")
    print(f"  {'token requests per client':<28}     {sorted(set(phase.token_requests))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time loading an order's picture against the loopback sandbox.")
    parser.add_argument("--latency-ms", type=float, default=100.0, help="sandbox latency per request (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="runs per phase (default 5)")
    parser.add_argument(
        "--order",
        default=demo.ORDER_ON_ROUTE,
        help="order id (default: a demo order with a worksheet and two shipments)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.latency_ms < 0:
        parser.error("--runs must be at least 1 and --latency-ms at least 0")

    sandbox = Sandbox(latency_ms=args.latency_ms)
    cold, warm = Phase("cold (token fetched first, then the picture)"), Phase("warm (token already held)")
    with serve_in_thread(sandbox) as server:
        api_url, auth_url = f"{server.url}/prod/v1", f"{server.url}/prod"
        picture = None
        try:
            for _ in range(args.runs):
                picture = asyncio.run(one_run(api_url, auth_url, args.order, cold, warm))
        except PickPackError as exc:
            print(f"bench_api: {exc}", file=sys.stderr)
            return 1

    assert picture is not None
    print(
        f"order {picture.order.order_id}: items {len(picture.order.all_items())}, "
        f"worksheets {len(picture.worksheets)}, shipments {len(picture.shipments)}, "
        f"facility {picture.facility.name if picture.facility else '-'}"
    )
    print(
        f"sandbox latency {args.latency_ms:g} ms per request, {args.runs} runs per phase, "
        f"{sandbox.token_requests} token requests in all ({2 * args.runs} clients)"
    )
    report(cold, args.latency_ms)
    report(warm, args.latency_ms)

    warm_ms, cold_ms = statistics.median(warm.total_ms), statistics.median(cold.total_ms)
    one_token = set(warm.token_requests) == set(cold.token_requests) == {1}
    two_trips = args.latency_ms <= 0 or warm_ms / args.latency_ms < TARGET_ROUND_TRIPS + 0.5
    met = warm_ms < TARGET_MS and two_trips and one_token
    print(f"\ntarget: picture in {TARGET_ROUND_TRIPS} round trips, under {TARGET_MS:g} ms, one token request")
    print(f"  warm: {'met' if met else 'NOT met'} (median {warm_ms:.1f} ms)")
    print(
        f"  cold: median {cold_ms:.1f} ms: one round trip more, for the token request, "
        "which no API call can overlap (every call needs the token)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
