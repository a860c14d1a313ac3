"""Benchmark: from the last unit scanned into a package to the label's bytes at the printer.

The packing station's path (``pickterm.packing.PackSession``): the last scan is stored, the
package is packed, its label is fetched from a loopback label host that answers after a fixed
latency, the printer is asked its status (``~HS``) and the label is written to it: a loopback
fake label printer (``tests/fakeprinter.py``) records when the job's last byte arrived.

Target at 100 ms label-host latency: one label-host round trip plus the printer write, with no
other wait: the median at most the latency + 30 ms.

Usage: python tests/benchmarks/bench_pack.py [--latency-ms 100] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # run from a checkout without installing
sys.path.insert(0, str(HERE.parent))  # the loopback fakes of the tests

from pickterm.api.models import Shipment  # noqa: E402
from pickterm.packing import PackSession, build_packages  # noqa: E402
from pickterm.printers import parse_printer  # noqa: E402
from pickterm.store.state import StateDB  # noqa: E402

from fakeprinter import FakePrinter, LabelHost  # noqa: E402

EAN = "4006381333931"
ZPL = b"^XA^FO50,50^A0N,40,40^FDOrder^FS^FO50,120^BCN,200,Y,N,N^FD880012745533019^FS^XZ\n"
SLACK_MS = 30.0


def shipment(url: str) -> Shipment:
    return Shipment.model_validate(
        {
            "id": "ship-bench",
            "serviceId": "880012745533019",
            "packages": [{"id": "pkg-1", "items": [{"id": "a", "name": "Item", "ean": EAN, "quantity": 3}]}],
            "labels": [{"type": "ZPL", "url": url}],
        }
    )


async def one_run(db: StateDB, run: int, host: LabelHost, printer: FakePrinter) -> float:
    session = PackSession(f"order-{run}", build_packages(None, [shipment(host.url("/label.zpl"))]), db)
    session.scan(f"2*{EAN}")
    printer.job_arrived.clear()
    start = time.perf_counter()
    outcome = session.scan(EAN)  # the last unit
    assert outcome.code == "packed", outcome
    printed = await session.print_label(0, parse_printer(printer.spec))
    assert printed.code == "printed", printed
    await asyncio.to_thread(printer.job_arrived.wait, 10)
    return (printer.job_times[-1] - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, LabelHost({"/label.zpl": (200, "application/zpl", ZPL)}) as host:
        host.delay = args.latency_ms / 1000
        with FakePrinter() as printer, StateDB.open(path=Path(tmp) / "state.db") as db:
            asyncio.run(one_run(db, -1, host, printer))  # warm-up: imports, the first connections
            times = [asyncio.run(one_run(db, run, host, printer)) for run in range(args.runs)]
    median = statistics.median(times)
    target = args.latency_ms + SLACK_MS
    print(
        f"last unit scanned -> label bytes at the printer, label host latency {args.latency_ms:g} ms, {args.runs} runs"
    )
    print(f"  median {median:.1f} ms  min {min(times):.1f}  max {max(times):.1f}")
    print(f"  overhead beyond one label-host round trip: {median - args.latency_ms:.1f} ms")
    print(f"  target <= {target:g} ms (one round trip + {SLACK_MS:g} ms): {'met' if median <= target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
