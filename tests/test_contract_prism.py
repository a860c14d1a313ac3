"""Contract tests: the real client against Stoplight Prism serving the API contract.

Prism validates every request against the OpenAPI document (headers, security, path
and query parameters, body) and refuses one that breaks it with 4xx; it answers valid
requests with the document's own examples. So a call that gets through here sends what
the contract asks for, and its answer parses into our models unchanged.

Prism comes from the npm registry (``@stoplight/prism-cli``): ``.ci/run`` installs it
into ``.ci/prism``; ``$PICKTERM_PRISM`` or a ``prism`` on PATH also work. Without Prism
or the contract these tests skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pickterm.api import PickPackClient, errors
from pickterm.api.models import TrackingEvent, TrackingUpdate

from apphelpers import free_port
from conftest import ROOT, require_spec

# Read now: the autouse fixture of conftest clears PICKTERM_* variables around each test.
PRISM_ENV = os.environ.get("PICKTERM_PRISM")
LOCAL_PRISM = ROOT / ".ci" / "prism" / "node_modules" / ".bin" / "prism"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
KEY = "contract-test-key"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}

ORDER_ID = "1509750516095-01"
WORKSHEET_ID = "546744628006"
FACILITY_ID = "783262b09ddc4b8facee2fa50541fd1e"
TRACKING_NUMBER = "550693447769717380942093217914"
SHIPMENT_UUID = "d39e8dd7-0ab9-48c8-b16b-3e46933e113a"
# The orders the contract's list examples belong to (the client refuses items of another order).
EXAMPLE_WORKSHEET_ORDER = "1509780516107-01"
EXAMPLE_SHIPMENT_ORDER = "1506500515925-01"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def find_prism() -> Path | None:
    """$PICKTERM_PRISM, else the copy .ci/run installs, else ``prism`` on PATH."""
    for candidate in (PRISM_ENV, str(LOCAL_PRISM), shutil.which("prism")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def _log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to Prism's process group, SIGKILL if it lingers; every wait bounded."""
    if process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def prism(tmp_path_factory) -> Iterator[str]:
    """Base URL of a Prism mock of the contract, static examples, on a free loopback port."""
    spec = require_spec()
    binary = find_prism()
    if binary is None:
        _unavailable(
            "Stoplight Prism was not found: run .ci/run, or "
            "npm install --no-save --prefix .ci/prism @stoplight/prism-cli@5, or set PICKTERM_PRISM"
        )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(binary), "mock", str(spec), "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops all of it
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"Prism exited with status {process.returncode} before answering:\n{_log_tail(log)}")
            try:
                httpx.get(f"{base}/facilities/{FACILITY_ID}", timeout=2.0)
                break  # any HTTP answer means it is listening
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not answer within {START_TIMEOUT:.0f} s:\n{_log_tail(log)}")
            time.sleep(0.2)
        yield base
    finally:
        _stop(process)


class Recorder(httpx.AsyncBaseTransport):
    """A real HTTP transport that remembers each request, and can ask Prism for another answer."""

    def __init__(self, prefer: str | None = None) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.prefer = prefer
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.prefer and not request.url.path.endswith("/token"):
            request.headers["Prefer"] = self.prefer  # Prism's way to pick a documented response
        self.requests.append(request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def token_posts(self) -> int:
        return sum(1 for r in self.requests if r.method == "POST" and r.url.path == "/token")


def make_client(base: str, transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any) -> PickPackClient:
    """Prism serves every path of the contract at its root, whatever the document's servers say."""
    return PickPackClient(api_url=base, auth_url=base, api_key=KEY, transport=transport, **kwargs)


def example(spec: dict, path: str, method: str, status: str = "200", name: str | None = None) -> Any:
    """The contract's own example answer of one operation."""
    response = spec["paths"][path][method]["responses"][status]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    content = response["content"]["application/json"]
    return content["examples"][name]["value"] if name else content["example"]


def dumped(model: Any) -> Any:
    """A parsed model back in the API's own shape, to compare with an example."""
    if isinstance(model, list):
        return [dumped(m) for m in model]
    return model.model_dump(by_alias=True, exclude_unset=True)


# ---------------------------------------------------------------- every call gets through


async def test_whole_client_passes_the_contract_with_one_token(prism, spec):
    """Every client method, one client: Prism accepts each request and answers the contract's example."""
    recorder = Recorder()
    async with make_client(prism, recorder) as client:
        token = await client.get_token()
        order = await client.get_order(ORDER_ID)
        delivered = await client.set_order_delivery(
            ORDER_ID,
            TrackingUpdate(
                delivered_date=datetime(2025, 2, 13, 2, 0, tzinfo=UTC),
                events=[
                    TrackingEvent(
                        city="São Paulo", state="SP", description="Delivery", date=datetime(2025, 2, 10, tzinfo=UTC)
                    )
                ],
            ),
        )
        worksheet = await client.get_worksheet(WORKSHEET_ID)
        worksheets = await client.list_worksheets(EXAMPLE_WORKSHEET_ORDER)
        facility = await client.get_facility(FACILITY_ID)
        by_external = await client.get_shipment(TRACKING_NUMBER, by="external")
        # The example answers every id with the shipment whose internal id is its UUID.
        with pytest.raises(errors.InvalidResponseError, match="answered for another shipment"):
            await client.get_shipment(TRACKING_NUMBER, by="internal")
        shipments = await client.list_shipments(EXAMPLE_SHIPMENT_ORDER)

        # The example JWT's exp is long past; its lifetime (exp - iat) is what counts.
        assert token == example(spec, "/token", "post")["data"]
        assert client.token_requests == 1
    assert recorder.token_posts() == 1
    api_calls = [r for r in recorder.requests if r.url.path != "/token"]
    assert len(api_calls) == 8
    assert all(r.headers["authorization"] == f"Bearer {token}" for r in api_calls)

    assert dumped(order) == example(spec, "/orders/{orderId}", "get")
    assert dumped(delivered) == example(spec, "/orders/{orderId}/tracking", "patch")
    assert dumped(worksheet) == example(spec, "/worksheets/{worksheetId}", "get")
    assert dumped(worksheets) == example(spec, "/worksheets", "get")
    assert dumped(facility) == example(spec, "/facilities/{facilityId}", "get")
    assert dumped(by_external) == example(spec, "/shipments/{shipmentId}", "get")
    assert dumped(shipments) == example(spec, "/shipments", "get")


async def test_order_answer_reads_as_the_contract_describes(prism):
    async with make_client(prism) as client:
        order = await client.get_order(ORDER_ID)
    assert order.order_id == "1509750516095-01"
    assert order.status == "IN_PROGRESS"
    assert order.is_invoiced
    assert [item.id for item in order.picked_items] == ["75", "137", "140"]
    assert str(order.rejected_items[0].reasons[0]) == "out-of-stock"
    banana = order.item("75")
    assert banana.weighable_product and banana.unit_of_measure == "KILOGRAMS"
    assert order.money(banana.price) == "$16.99"
    assert order.packages[0].items_ids == ["75", "140", "137"]


async def test_tracking_update_body_is_accepted(prism):
    """The PATCH body the client builds passes Prism's body validation, with and without events."""
    recorder = Recorder()
    async with make_client(prism, recorder) as client:
        full = await client.set_order_delivery(
            ORDER_ID,
            TrackingUpdate.model_validate(
                {
                    "deliveredDate": "2025-02-13T02:00:00.000Z",
                    "events": [
                        {
                            "city": "Medellín",
                            "state": "ANT",
                            "description": "Delivered",
                            "date": "2025-02-12T21:00:00-05:00",
                        }
                    ],
                }
            ),
        )
        bare = await client.set_order_delivery(ORDER_ID, TrackingUpdate())
    assert full.order_id == bare.order_id == "1507400515991-01"
    patches = [r for r in recorder.requests if r.method == "PATCH"]
    assert [r.url.path for r in patches] == [f"/orders/{ORDER_ID}/tracking"] * 2
    assert json.loads(patches[0].content) == {
        "deliveredDate": "2025-02-13T02:00:00.000Z",
        "events": [
            {"city": "Medellín", "state": "ANT", "description": "Delivered", "date": "2025-02-13T02:00:00.000Z"}
        ],
    }
    assert json.loads(patches[1].content) == {}


async def test_worksheet_and_facility_answers(prism, spec):
    async with make_client(prism) as client:
        worksheet = await client.get_worksheet(WORKSHEET_ID)
        summaries = await client.list_worksheets(EXAMPLE_WORKSHEET_ORDER)
        facility = await client.get_facility(worksheet.facility_id)
    assert worksheet.worksheet_id == "546744628006"
    assert worksheet.order_ids == ["1509780516107-01"]
    assert [item.id for item in worksheet.items] == ["73", "88", "116", "1224"]
    assert worksheet.items[0].split_by_order() == [("1509780516107-01", 4)]
    assert [s.worksheet_id for s in summaries] == ["546744628006"]
    assert not summaries[0].is_empty
    assert facility.id == worksheet.facility_id
    assert facility.name == example(spec, "/facilities/{facilityId}", "get")["name"]
    assert facility.contact_information.phone == "310001293"
    assert "Medellín" in " ".join(facility.address_lines())


async def test_shipments_by_tracking_number_and_list(prism):
    recorder = Recorder()
    async with make_client(prism, recorder) as client:
        shipment = await client.get_shipment(TRACKING_NUMBER, by="external")
        summaries = await client.list_shipments("1506500515925-01")
    assert shipment.id == SHIPMENT_UUID
    assert shipment.service_id == TRACKING_NUMBER
    assert shipment.status == "DELIVERED"
    assert [kind for _, kind, _ in shipment.timeline()] == ["evidence", "note", "note"]
    assert [s.id for s in summaries] == [SHIPMENT_UUID]
    get = next(r for r in recorder.requests if r.url.path.startswith("/shipments/"))
    assert get.headers["x-pnp-filtermethod"] == "BY_EXTERNAL_ID"
    # Sent as text, all 30 digits: never through a float.
    assert get.url.path == f"/shipments/{TRACKING_NUMBER}"


async def test_shipment_by_uuid_is_refused_because_the_contract_types_the_id_as_a_number(prism):
    """The contract's shipmentId is a number, so the documented BY_INTERNAL_ID lookup with a UUID
    breaks it: Prism answers 422 for the path parameter, and the client reports a bad request."""
    async with make_client(prism) as client:
        with pytest.raises(errors.BadRequestError) as caught:
            await client.get_shipment(SHIPMENT_UUID, by="internal")
    assert caught.value.status == 422
    assert not caught.value.transient

    # Same request by hand: the one complaint is the path parameter's type, not our headers.
    async with httpx.AsyncClient() as raw:
        response = await raw.get(
            f"{prism}/shipments/{SHIPMENT_UUID}",
            headers={**JSON_HEADERS, "Authorization": "Bearer x", "X-PNP-FilterMethod": "BY_INTERNAL_ID"},
        )
    assert response.status_code == 422
    assert [v["location"] for v in response.json()["validation"]] == [["path", "shipmentid"]]


# ---------------------------------------------------------------- Prism is really validating


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "location"),
    [
        pytest.param(
            "PATCH",
            f"/orders/{ORDER_ID}/tracking",
            {**JSON_HEADERS, "Authorization": "Bearer x"},
            {"deliveredDate": 20250213, "events": "delivered"},
            422,
            ["body", "deliveredDate"],
            id="tracking-body-of-wrong-types",
        ),
        pytest.param(
            "PATCH",
            f"/orders/{ORDER_ID}/tracking",
            {**JSON_HEADERS, "Authorization": "Bearer x"},
            {"events": [{"city": "Bogotá"}]},
            422,
            ["body", "events", "0"],
            id="tracking-event-missing-fields",
        ),
        pytest.param(
            "GET",
            f"/shipments/{TRACKING_NUMBER}",
            {**JSON_HEADERS, "Authorization": "Bearer x"},
            None,
            422,
            ["header"],
            id="shipment-without-filter-method",
        ),
        pytest.param(
            "GET",
            f"/orders/{ORDER_ID}",
            {"Accept": "application/json", "Authorization": "Bearer x"},
            None,
            422,
            ["header"],
            id="order-without-content-type",
        ),
        pytest.param("GET", f"/orders/{ORDER_ID}", JSON_HEADERS, None, 401, None, id="order-without-token"),
    ],
)
async def test_prism_refuses_requests_that_break_the_contract(prism, method, path, headers, body, status, location):
    async with httpx.AsyncClient(timeout=10) as raw:
        response = await raw.request(
            method, f"{prism}{path}", headers=headers, content=None if body is None else json.dumps(body)
        )
    assert response.status_code == status
    if location is not None:
        locations = [v["location"][: len(location)] for v in response.json()["validation"]]
        assert location in locations


async def test_raw_auth_scheme_is_outside_the_contract(prism):
    """The contract's security is HTTP bearer: a token without 'Bearer' is refused (401)."""
    async with make_client(prism, auth_scheme="raw") as client:
        with pytest.raises(errors.AuthenticationError) as caught:
            await client.get_facility(FACILITY_ID)
    assert caught.value.status == 401


# ---------------------------------------------------------------- the contract's error answers


async def test_documented_not_found_answers_carry_code_and_request_id(prism, spec):
    async with make_client(prism, Recorder(prefer="code=404")) as client:
        with pytest.raises(errors.NotFoundError) as worksheet:
            await client.get_worksheet("5467446280061")
        with pytest.raises(errors.NotFoundError) as delivery:
            await client.set_order_delivery(ORDER_ID, TrackingUpdate(delivered_date=datetime.now(UTC)))
    expected = example(spec, "/worksheets/{worksheetId}", "get", "404")
    assert (worksheet.value.code, worksheet.value.request_id) == (expected["code"], expected["requestId"])
    assert worksheet.value.code == "WORK0001B"
    assert "Worksheet not found" in str(worksheet.value) and expected["requestId"] in str(worksheet.value)
    assert delivery.value.code == "ORA0001B"
    assert "must be invoiced" in delivery.value.message


async def test_business_403_is_access_denied_without_renewing_the_token(prism):
    async with make_client(prism, Recorder(prefer="code=403, example=Forbidden")) as client:
        with pytest.raises(errors.AccessDeniedError) as caught:
            await client.get_order(ORDER_ID)
        assert client.token_requests == 1
    assert caught.value.code == "SHR0007B"
    assert caught.value.request_id == "3d292319-2129-47b6-a748-92a8be02576a"


async def test_expired_token_403_renews_the_token_once_then_gives_up(prism):
    recorder = Recorder(prefer="code=403, example=ExpiredToken")
    async with make_client(prism, recorder) as client:
        with pytest.raises(errors.PickPackError) as caught:
            await client.get_facility(FACILITY_ID)
        assert client.token_requests == 2
    assert caught.value.status == 403
    assert caught.value.code == "EXPIRED_TOKEN"
    assert recorder.token_posts() == 2
    assert [r.url.path for r in recorder.requests if r.url.path != "/token"] == [f"/facilities/{FACILITY_ID}"] * 2
