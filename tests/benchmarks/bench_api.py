"""Benchmark: how long loading an order's whole picture takes over a slow network.

The picture is what the order screen shows (``pickterm.resolve.order_picture``): the order,
its worksheets, its shipments and its facility. The worksheets and shipments need only the
order id, so they are asked together with the order; the facility is asked with them when its
id is known ahead, or comes from the local store's cache. The sandbox is served on a loopback
socket with a fixed latency per request.

Three cases, each run on a new client whose token was fetched and whose connections were
opened before the clock starts, as in the running app (the token is a round trip of its own
that nothing can overlap; each client asks for it once); the client's 30 s cache is empty:
- known facility: the profile's ``default_facility`` names it, the store has none cached:
  one round trip (order, worksheets, shipments and facility together);
- cached facility: no default, the store cached the facility (a day): one round trip, and
  no facility request;
- unknown facility: no default, nothing cached: the facility's id comes from the worksheets,
  two round trips.

Targets at 100 ms latency: known and cached at most 1.3 round trips, unknown at most 2.2; one
token request per client.

Usage: python tests/benchmarks/bench_api.py [--latency-ms 100] [--runs 5] [--order ID]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))  # run from a checkout without installing

from pickterm.api import PickPackClient, PickPackError  # noqa: E402
from pickterm.resolve import OrderPicture, order_picture  # noqa: E402
from pickterm.sandbox import DEMO_API_KEY, Sandbox, serve_in_thread  # noqa: E402
from pickterm.sandbox import data as demo  # noqa: E402
from pickterm.store.state import StateDB  # noqa: E402


@dataclass
class Case:
    """One way of loading the picture: its target, and the wall times (ms) and token requests of every run."""

    name: str
    target_round_trips: float
    default_facility: bool = False
    cached_facility: bool = False
    total_ms: list[float] = field(default_factory=list)
    token_requests: list[int] = field(default_factory=list)
    facility_requests: list[int] = field(default_factory=list)


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


async def one_run(
    api_url: str, auth_url: str, order_id: str, case: Case, state: StateDB, sandbox: Sandbox
) -> OrderPicture:
    async with PickPackClient(api_url, auth_url, DEMO_API_KEY) as client:
        # The token, and four connections open, as a running app has them (the same for every case).
        await client.get_token()
        worksheets, *_ = await asyncio.gather(
            client.list_worksheets(order_id, fresh=True),
            client.list_shipments(order_id, fresh=True),
            client.list_worksheets(order_id, fresh=True),
            client.list_shipments(order_id, fresh=True),
        )
        facility_id = next((ws.facility_id for ws in worksheets if ws.facility_id), None)  # what can be known ahead
        if case.cached_facility and facility_id:
            facility = await client.get_facility(facility_id, fresh=True)
            state.cache_facility(facility_id, facility.model_dump(mode="json", by_alias=True))
        client._cache.clear()  # noqa: SLF001  (the picture reaches the server for all of it)
        asked = len(sandbox.requests)
        start = time.perf_counter()
        picture = await order_picture(
            client,
            order_id,
            state=state if case.cached_facility else None,
            facility_hint=facility_id if case.default_facility else None,
        )  # a new client: nothing in its 30 s cache, every request reaches the server
        case.total_ms.append(ms_since(start))
        case.token_requests.append(client.token_requests)
        case.facility_requests.append(sum(1 for r in sandbox.requests[asked:] if "/facilities/" in r.path))
    return picture


def stats(values: list[float]) -> str:
    return f"median {statistics.median(values):7.1f}  min {min(values):7.1f}  max {max(values):7.1f}"


def report(case: Case, latency_ms: float) -> bool:
    """Print a case; whether it met its target."""
    median = statistics.median(case.total_ms)
    trips = median / latency_ms if latency_ms > 0 else 0.0
    one_token = set(case.token_requests) == {1}
    met = (latency_ms <= 0 or trips <= case.target_round_trips) and one_token
    print(f"\n{case.name}")
    print(f"  {'picture':<28} ms  {stats(case.total_ms)}")
    if latency_ms > 0:
        print(f"  {'round trips (median/latency)':<28}     {trips:.2f}")
    print(f"  {'token requests per client':<28}     {sorted(set(case.token_requests))}")
    print(f"  {'facility requests':<28}     {sorted(set(case.facility_requests))}")
    target_ms = case.target_round_trips * latency_ms
    print(
        f"  target: at most {case.target_round_trips:g} round trips ({target_ms:g} ms), one token request: "
        f"{'met' if met else 'NOT met'}"
    )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time loading an order's picture against the loopback sandbox.")
    parser.add_argument("--latency-ms", type=float, default=100.0, help="sandbox latency per request (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument(
        "--order",
        default=demo.ORDER_ON_ROUTE,
        help="order id (default: a demo order with a worksheet and two shipments)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.latency_ms < 0:
        parser.error("--runs must be at least 1 and --latency-ms at least 0")

    sandbox = Sandbox(latency_ms=args.latency_ms)
    cases = [
        Case("known facility (default_facility set)", 1.3, default_facility=True),
        Case("cached facility (in the local store)", 1.3, cached_facility=True),
        Case("unknown facility (no default, nothing cached)", 2.2),
    ]
    picture = None
    with serve_in_thread(sandbox) as server, tempfile.TemporaryDirectory() as tmp:
        api_url, auth_url = f"{server.url}/prod/v1", f"{server.url}/prod"
        with StateDB.open(path=Path(tmp) / "state.db") as state:
            try:
                for _ in range(args.runs):
                    for case in cases:
                        picture = asyncio.run(one_run(api_url, auth_url, args.order, case, state, sandbox))
            except PickPackError as exc:
                print(f"bench_api: {exc}", file=sys.stderr)
                return 1

    assert picture is not None
    print(
        f"order {picture.order.order_id}: items {len(picture.order.all_items())}, "
        f"worksheets {len(picture.worksheets or [])}, shipments {len(picture.shipments or [])}, "
        f"facility {picture.facility.name if picture.facility else '-'}"
    )
    print(f"sandbox latency {args.latency_ms:g} ms per request, {args.runs} runs per case")
    results = [report(case, args.latency_ms) for case in cases]
    print(f"\n{sum(results)} of {len(results)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
