"""Contract tests against Prism in dynamic mode (``prism mock -d``): random answers the
contract allows. Every one of them must open: 200 random payloads per GET endpoint, each
parsed by the client into its model, with no record left out.

The contract has holes (required properties with no type, nullable ones; see the
docstring of ``pickterm.api.models``): this is what keeps the tolerant reader honest.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from test_contract_prism import (
    FACILITY_ID,
    ORDER_ID,
    START_TIMEOUT,
    TRACKING_NUMBER,
    WORKSHEET_ID,
    _log_tail,
    _stop,
    _unavailable,
    find_prism,
    make_client,
)

from pickterm.api import PickPackClient
from pickterm.api import client as client_module

from apphelpers import free_port
from conftest import require_spec

PAYLOADS = 200  # random answers per GET endpoint

ENDPOINTS: dict[str, Callable[[PickPackClient], Awaitable[Any]]] = {
    "GET /orders/{orderId}": lambda c: c.get_order(ORDER_ID, fresh=True),
    "GET /worksheets/{worksheetId}": lambda c: c.get_worksheet(WORKSHEET_ID, fresh=True),
    "GET /worksheets?orderId": lambda c: c.list_worksheets(ORDER_ID, fresh=True),
    "GET /facilities/{facilityId}": lambda c: c.get_facility(FACILITY_ID, fresh=True),
    "GET /shipments/{shipmentId}": lambda c: c.get_shipment(TRACKING_NUMBER, by="external", fresh=True),
    "GET /shipments?orderId": lambda c: c.list_shipments(ORDER_ID, fresh=True),
}


@pytest.fixture(scope="module")
def dynamic_prism(tmp_path_factory) -> Iterator[str]:
    """Base URL of a Prism mock of the contract answering random valid payloads (-d)."""
    spec = require_spec()
    binary = find_prism()
    if binary is None:
        _unavailable("Stoplight Prism was not found: run .ci/run, or set PICKTERM_PRISM")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("prism-dynamic") / "prism.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(binary), "mock", "-d", str(spec), "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"Prism exited with status {process.returncode} before answering:\n{_log_tail(log)}")
            try:
                httpx.get(f"{base}/facilities/{FACILITY_ID}", timeout=2.0)
                break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not answer within {START_TIMEOUT:.0f} s:\n{_log_tail(log)}")
            time.sleep(0.2)
        yield base
    finally:
        _stop(process)


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
async def test_every_random_payload_the_contract_allows_is_read(dynamic_prism, endpoint, monkeypatch):
    # Random ids never match the question; refusing an answer for another id is tested apart
    # (test_api_client.py): here every payload is read as if it answered the question.
    monkeypatch.setattr(client_module, "_same_id", lambda *_: None)
    call = ENDPOINTS[endpoint]
    failures: list[str] = []
    problems: list[str] = []
    parsed = 0
    async with make_client(dynamic_prism, cache_seconds=0) as client:
        for _ in range(PAYLOADS):
            try:
                result = await call(client)
            except Exception as exc:  # noqa: BLE001  (any failure is a payload we could not read)
                failures.append(f"{type(exc).__name__}: {exc}")
                continue
            parsed += 1
            for model in result if isinstance(result, list) else [result]:
                problems += getattr(model, "problems", [])
    print(f"{endpoint}: {parsed}/{PAYLOADS} random payloads parsed, {len(problems)} records left out")
    assert failures == [], f"{len(failures)}/{PAYLOADS} failed, first: {failures[0]}"
    assert problems == [], problems[:5]
    assert parsed == PAYLOADS
