"""The demo backend in-process: auth, errors, lookups, tracking writes and the demo data."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox, SandboxTransport, data

ORDER_ID = re.compile(r"^\d{13}-\d{2}$")
WORKSHEET_ID = re.compile(r"^\d{12}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FACILITY_ID = re.compile(r"^[0-9a-f]{32}$")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_739_449_253.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def gtin_ok(code: str) -> bool:
    """Independent GS1 check-digit validation."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(reversed(digits[:-1]), start=1))
    return (10 - total % 10) % 10 == digits[-1]


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class Api:
    """A thin client over the sandbox transport, speaking raw HTTP like the real app."""

    def __init__(self, sandbox: Sandbox, client: httpx.AsyncClient) -> None:
        self.sandbox = sandbox
        self.client = client
        self.token: str | None = None

    async def login(self, key: str = DEMO_API_KEY) -> httpx.Response:
        response = await self.client.post(f"{DEMO_AUTH_URL}/token", json={"apiKey": key})
        if response.status_code == 200:
            self.token = response.json()["data"]
        return response

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra)
        return headers

    async def get(self, path: str, **extra: str) -> httpx.Response:
        return await self.client.get(f"{DEMO_API_URL}{path}", headers=self.headers(**extra))

    async def patch(self, path: str, payload: Any) -> httpx.Response:
        return await self.client.patch(f"{DEMO_API_URL}{path}", headers=self.headers(), json=payload)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Sandbox:
    return Sandbox(clock=clock)


@pytest.fixture
async def api(sandbox: Sandbox):
    async with httpx.AsyncClient(transport=sandbox.transport()) as client:
        result = Api(sandbox, client)
        await result.login()
        yield result


def assert_error(response: httpx.Response, status: int, code: str, message: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    if message is not None:
        assert body["message"] == message
    assert UUID.match(body["requestId"])
    return body


# --------------------------------------------------------------------------- auth


async def test_token_is_a_jwt_whose_exp_is_iat_plus_ttl(clock: Clock) -> None:
    sandbox = Sandbox(clock=clock, token_ttl=600)
    async with httpx.AsyncClient(transport=SandboxTransport(sandbox)) as client:
        response = await client.post(f"{DEMO_AUTH_URL}/token", json={"apiKey": DEMO_API_KEY})
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "success"
    header_b64, _, signature = body["data"].split(".")
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=" * (-len(header_b64) % 4)))
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert signature
    claims = jwt_claims(body["data"])
    assert claims["iat"] == int(clock.now)
    assert claims["exp"] == claims["iat"] + 600
    assert sandbox.token_requests == 1


async def test_both_auth_schemes_are_accepted(api: Api) -> None:
    bearer = await api.get(f"/orders/{data.ORDER_NOT_INVOICED}")
    raw = await api.client.get(f"{DEMO_API_URL}/orders/{data.ORDER_NOT_INVOICED}", headers={"Authorization": api.token})
    assert bearer.status_code == raw.status_code == 200
    assert bearer.json() == raw.json()


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", "Bearer a.b.c"])
async def test_missing_or_unknown_token_is_a_business_403(api: Api, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await api.client.get(f"{DEMO_API_URL}/orders/{data.ORDER_NOT_INVOICED}", headers=headers)
    body = assert_error(response, 403, "SHR0001B")
    assert body["type"] == "business"


async def test_token_of_another_sandbox_secret_is_refused(api: Api, clock: Clock) -> None:
    other = Sandbox(clock=clock, seed=7)
    async with httpx.AsyncClient(transport=other.transport()) as client:
        foreign = (await client.post(f"{DEMO_AUTH_URL}/token", json={"apiKey": DEMO_API_KEY})).json()["data"]
    api.token = foreign
    assert_error(await api.get(f"/orders/{data.ORDER_NOT_INVOICED}"), 403, "SHR0001B")


async def test_expired_token_answers_the_contract_body(api: Api, clock: Clock) -> None:
    exp = jwt_claims(api.token)["exp"]
    clock.now = exp - 1
    assert (await api.get(f"/orders/{data.ORDER_WEIGHABLE}")).status_code == 200
    clock.now = exp + 1
    first = await api.get(f"/orders/{data.ORDER_WEIGHABLE}")
    second = await api.get(f"/orders/{data.ORDER_WEIGHABLE}")
    body = assert_error(first, 403, "EXPIRED_TOKEN")
    assert body["message"] == "User is not authorized to access this resource with an explicit deny"
    assert body["reason"] == "Expired token"
    assert "type" not in body
    assert second.json()["requestId"] != body["requestId"]
    await api.login()  # a fresh token works again
    assert (await api.get(f"/orders/{data.ORDER_WEIGHABLE}")).status_code == 200
    assert api.sandbox.token_requests == 2


async def test_expire_tokens_only_affects_tokens_issued_before(api: Api) -> None:
    api.sandbox.expire_tokens()
    assert_error(await api.get(f"/orders/{data.ORDER_WEIGHABLE}"), 403, "EXPIRED_TOKEN")
    await api.login()
    assert (await api.get(f"/orders/{data.ORDER_WEIGHABLE}")).status_code == 200


async def test_wrong_key_is_rejected_and_extra_keys_can_be_allowed(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(transport=sandbox.transport()) as client:
        api = Api(sandbox, client)
        wrong = await api.login("not-the-key")
        assert wrong.status_code == 401
        assert wrong.json()["code"] == "INVALID_API_KEY"
        assert api.token is None
        missing = await client.post(f"{DEMO_AUTH_URL}/token", json={})
        assert_error(missing, 400, "GEN0002B")
        sandbox.api_keys.add("second-key")
        assert (await api.login("second-key")).status_code == 200
    assert sandbox.token_requests == 3


# --------------------------------------------------------------------------- lookups and errors


async def test_routes_work_with_or_without_a_base_path_prefix(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(transport=sandbox.transport()) as client:
        token = (await client.post("http://127.0.0.1:9/token", json={"apiKey": DEMO_API_KEY})).json()["data"]
        plain = await client.get(f"http://127.0.0.1:9/orders/{data.ORDER_DELIVERED}", headers={"Authorization": token})
        prefixed = await client.get(f"{DEMO_API_URL}/orders/{data.ORDER_DELIVERED}", headers={"Authorization": token})
    assert plain.status_code == prefixed.status_code == 200
    assert plain.json()["orderId"] == data.ORDER_DELIVERED


async def test_missing_order_id_query_is_a_400_with_each_endpoint_code(api: Api) -> None:
    message = "Query string parameter {orderId} is required"
    assert_error(await api.get("/worksheets"), 400, "GEN0001B", message)
    assert_error(await api.get("/worksheets?orderId="), 400, "GEN0001B", message)
    assert_error(await api.get("/shipments"), 400, "ORD0001B", message)


async def test_not_found_bodies_carry_the_contract_codes(api: Api) -> None:
    body = assert_error(
        await api.get("/worksheets/5467446280061"), 404, "WORK0001B", "Worksheet not found [5467446280061]"
    )
    assert body["type"] == "exception" and body["date"].endswith("Z")
    assert_error(await api.get("/facilities/ffff"), 404, "FAC0001B", "Facility not found [ffff]")
    assert_error(await api.get("/orders/1000000000000-01"), 404, "ORD0002B", "Order not found [1000000000000-01]")
    assert_error(
        await api.get("/shipments/999", **{"X-PNP-FilterMethod": "BY_EXTERNAL_ID"}),
        404,
        "TRP0005E",
        "Shipment not found [999]",
    )
    assert (await api.get("/worksheets?orderId=1000000000000-01")).json() == []


async def test_worksheet_is_found_by_its_12_digit_id_not_its_uuid(api: Api) -> None:
    worksheet = (await api.get(f"/worksheets/{data.WS_MAIN}")).json()
    assert worksheet["worksheetId"] == data.WS_MAIN
    assert_error(await api.get(f"/worksheets/{worksheet['id']}"), 404, "WORK0001B")


async def test_path_ids_are_percent_decoded_and_slashes_stay_in_the_id(api: Api) -> None:
    encoded = data.ORDER_WEIGHABLE.replace("-", "%2D")
    assert (await api.get(f"/orders/{encoded}")).json()["orderId"] == data.ORDER_WEIGHABLE
    slash = await api.get(f"/orders/{data.ORDER_WEIGHABLE}%2Ftracking")
    assert_error(slash, 404, "ORD0002B", f"Order not found [{data.ORDER_WEIGHABLE}/tracking]")


async def test_shipment_lookup_follows_the_filter_method_header(api: Api) -> None:
    by_uuid = await api.get(f"/shipments/{data.SHIP_DELIVERED}", **{"X-PNP-FilterMethod": "BY_INTERNAL_ID"})
    by_tracking = await api.get(f"/shipments/{data.TRACK_DELIVERED}", **{"X-PNP-FilterMethod": "BY_EXTERNAL_ID"})
    assert by_uuid.status_code == by_tracking.status_code == 200
    assert by_uuid.json() == by_tracking.json()
    assert by_uuid.json()["serviceId"] == data.TRACK_DELIVERED
    crossed = await api.get(f"/shipments/{data.SHIP_DELIVERED}", **{"X-PNP-FilterMethod": "BY_EXTERNAL_ID"})
    assert_error(crossed, 404, "TRP0005E")
    missing = await api.get(f"/shipments/{data.SHIP_DELIVERED}")
    assert missing.status_code == 400 and "X-PNP-FilterMethod" in missing.json()["message"]
    invalid = await api.get(f"/shipments/{data.SHIP_DELIVERED}", **{"X-PNP-FilterMethod": "BY_NAME"})
    assert invalid.status_code == 400
    record = api.sandbox.requests[-4]
    assert record.headers["x-pnp-filtermethod"] == record.headers.get("X-PNP-FilterMethod") == "BY_EXTERNAL_ID"


async def test_request_log_keeps_method_path_and_headers(api: Api) -> None:
    await api.get(f"/facilities/{data.FACILITY_MDE}")
    method, path, headers = api.sandbox.requests[-1]
    assert method == "GET"
    assert path == f"/prod/v1/facilities/{data.FACILITY_MDE}"
    assert headers["Content-Type"] == "application/json"
    assert headers["accept"] == "application/json"
    assert headers["Authorization"] == f"Bearer {api.token}"
    assert "user-agent" in headers


async def test_order_lists_its_worksheets_including_the_empty_race_one(api: Api) -> None:
    summaries = (await api.get(f"/worksheets?orderId={data.ORDER_EMPTY_WORKSHEET}")).json()
    assert sorted(s["itemsQuantity"] == 0 for s in summaries) == [False, True]
    for summary in summaries:
        assert data.ORDER_EMPTY_WORKSHEET in [o["orderId"] for o in summary["ordersIds"]]
        assert summary["items"] == []
        full = (await api.get(f"/worksheets/{summary['worksheetId']}")).json()
        assert len(full["items"]) == summary["itemsQuantity"]
    two = (await api.get(f"/worksheets?orderId={data.ORDER_TWO_WORKSHEETS}")).json()
    assert len(two) == 2 and all(s["itemsQuantity"] > 0 for s in two)


async def test_shipments_of_an_order_are_summaries_of_its_shipments(api: Api) -> None:
    summaries = (await api.get(f"/shipments?orderId={data.ORDER_ON_ROUTE}")).json()
    assert sorted(s["status"] for s in summaries) == ["INCIDENT", "ON_ROUTE"]
    for summary in summaries:
        full = (await api.get(f"/shipments/{summary['id']}", **{"X-PNP-FilterMethod": "BY_INTERNAL_ID"})).json()
        assert summary["serviceId"] == full["serviceId"]
        assert summary["itemsQuantity"] == sum(i["quantity"] for p in full["packages"] for i in p["items"])
    assert (await api.get(f"/shipments?orderId={data.ORDER_NOT_INVOICED}")).json() == []


async def test_forbidden_ids_answer_business_403(api: Api) -> None:
    api.sandbox.forbidden.add(data.ORDER_DELIVERED)
    body = assert_error(await api.get(f"/orders/{data.ORDER_DELIVERED}"), 403, "SHR0007B")
    assert body["message"] == f"You do not have access to this order [{data.ORDER_DELIVERED}]"


# --------------------------------------------------------------------------- tracking writes

EVENT = {"city": "Medellín", "state": "ANT", "description": "Delivered at the door", "date": "2025-02-13T01:00:00.000Z"}


async def test_tracking_is_refused_for_an_order_that_is_not_invoiced(api: Api) -> None:
    before = api.sandbox.order(data.ORDER_NOT_INVOICED)
    response = await api.patch(f"/orders/{data.ORDER_NOT_INVOICED}/tracking", {"events": [EVENT]})
    body = assert_error(response, 404, "ORA0001B", "The order must be invoiced to update the status to delivered")
    assert body["type"] == "exception"
    assert api.sandbox.order(data.ORDER_NOT_INVOICED) == before
    assert api.sandbox.tracking_writes == []


async def test_tracking_marks_an_invoiced_order_and_its_shipments_delivered(api: Api) -> None:
    payload = {"deliveredDate": "2025-02-13T02:00:00.000Z", "events": [EVENT]}
    response = await api.patch(f"/orders/{data.ORDER_ON_ROUTE}/tracking", payload)
    assert response.status_code == 200
    assert response.json() == {**payload, "orderId": data.ORDER_ON_ROUTE}
    assert api.sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, payload)]
    order = (await api.get(f"/orders/{data.ORDER_ON_ROUTE}")).json()
    assert order["status"] == "COMPLETED"
    assert order["deliveredDate"] == payload["deliveredDate"]
    assert order["trackingEvents"] == [EVENT]
    for summary in (await api.get(f"/shipments?orderId={data.ORDER_ON_ROUTE}")).json():
        assert summary["status"] == "DELIVERED"
        assert summary["deliveredDate"] == payload["deliveredDate"]
    shipment = (await api.get(f"/shipments/{data.TRACK_ON_ROUTE}", **{"X-PNP-FilterMethod": "BY_EXTERNAL_ID"})).json()
    assert any("Delivered at the door" in note["content"] for note in shipment["notes"])


async def test_tracking_without_a_date_uses_the_server_time(api: Api, clock: Clock) -> None:
    response = await api.patch(f"/orders/{data.ORDER_REPLACED}/tracking", {})
    assert response.status_code == 200
    assert response.json()["deliveredDate"].startswith(time.strftime("%Y-%m-%dT", time.gmtime(clock.now)))
    assert api.sandbox.order(data.ORDER_REPLACED)["deliveredDate"] == response.json()["deliveredDate"]


async def test_events_alone_finish_an_order_without_a_date_and_keep_a_delivered_one(api: Api, clock: Clock) -> None:
    # As the real server: PATCH .../tracking finalizes the order, events alone too.
    response = await api.patch(f"/orders/{data.ORDER_ON_ROUTE}/tracking", {"events": [EVENT]})
    order = api.sandbox.order(data.ORDER_ON_ROUTE)
    assert order["status"] == "COMPLETED" and order["deliveredDate"] == response.json()["deliveredDate"]
    assert order["deliveredDate"].startswith(time.strftime("%Y-%m-%dT", time.gmtime(clock.now)))
    before = api.sandbox.order(data.ORDER_DELIVERED)["deliveredDate"]
    response = await api.patch(f"/orders/{data.ORDER_DELIVERED}/tracking", {"events": [EVENT]})
    assert response.json()["deliveredDate"] == before == api.sandbox.order(data.ORDER_DELIVERED)["deliveredDate"]


@pytest.mark.parametrize(
    "payload",
    [
        {"events": [{"city": "X"}]},
        {"events": "soon"},
        {"deliveredDate": "yesterday"},
        ["not", "an", "object"],
    ],
)
async def test_malformed_tracking_body_is_a_400_and_writes_nothing(api: Api, payload: Any) -> None:
    response = await api.patch(f"/orders/{data.ORDER_ON_ROUTE}/tracking", payload)
    assert_error(response, 400, "GEN0002B")
    assert api.sandbox.tracking_writes == []
    assert api.sandbox.order(data.ORDER_ON_ROUTE)["status"] == "PACKED"


async def test_tracking_for_an_unknown_order_is_not_found(api: Api) -> None:
    assert_error(await api.patch("/orders/1000000000000-01/tracking", {}), 404, "ORD0002B")
    assert api.sandbox.tracking_writes == []


async def test_each_sandbox_has_its_own_state(api: Api, clock: Clock) -> None:
    await api.patch(f"/orders/{data.ORDER_ON_ROUTE}/tracking", {"events": [EVENT]})
    assert Sandbox(clock=clock).order(data.ORDER_ON_ROUTE)["status"] == "PACKED"


# --------------------------------------------------------------------------- failures and latency


async def test_fail_rate_one_answers_503_to_everything(clock: Clock) -> None:
    sandbox = Sandbox(clock=clock, fail_rate=1.0)
    async with httpx.AsyncClient(transport=sandbox.transport()) as client:
        token = await client.post(f"{DEMO_AUTH_URL}/token", json={"apiKey": DEMO_API_KEY})
        order = await client.get(f"{DEMO_API_URL}/orders/{data.ORDER_DELIVERED}")
    assert token.status_code == order.status_code == 503
    assert sandbox.token_requests == 1


async def test_fail_rate_is_seeded(clock: Clock) -> None:
    async def pattern(seed: int) -> list[int]:
        sandbox = Sandbox(clock=clock, fail_rate=0.5, seed=seed)
        async with httpx.AsyncClient(transport=sandbox.transport()) as client:
            return [
                (await client.post(f"{DEMO_AUTH_URL}/token", json={"apiKey": DEMO_API_KEY})).status_code
                for _ in range(40)
            ]

    first = await pattern(3)
    assert first == await pattern(3)
    assert set(first) == {200, 503}


async def test_latency_delays_every_answer(clock: Clock) -> None:
    sandbox = Sandbox(clock=clock, latency_ms=60)
    async with httpx.AsyncClient(transport=sandbox.transport()) as client:
        started = time.perf_counter()
        await client.post(f"{DEMO_AUTH_URL}/token", json={"apiKey": DEMO_API_KEY})
    assert time.perf_counter() - started >= 0.055


async def test_sync_clients_can_use_the_transport_too(sandbox: Sandbox) -> None:
    with httpx.Client(transport=sandbox.transport()) as client:
        response = client.post(f"{DEMO_AUTH_URL}/token", json={"apiKey": DEMO_API_KEY})
    assert response.status_code == 200


# --------------------------------------------------------------------------- demo data


def all_order_items(order: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for key in ("unhandledItems", "pickedItems", "rejectedItems", "replacedItems") for i in order[key]]


def check_worksheet_joins(sandbox: Sandbox, worksheet: dict[str, Any]) -> None:
    """Every worksheet item joins to the order items of the worksheet's orders, quantities add up."""
    ws_id = worksheet["worksheetId"]
    orders = {o["orderId"]: sandbox.order(o["orderId"]) for o in worksheet["ordersIds"]}
    assert worksheet["totalItems"] == len(worksheet["items"])
    for item in worksheet["items"]:
        assert "ean" not in item
        assert item["temperature"] in ("COLD", "FROZEN", "AMBIENT", "HOT")
        assert item["categories"] and item["categories"][0]["name"]
        assert sum(s["quantity"] for s in item["orderSource"]) == item["originalQuantity"]
        assert sum(s["pickedQuantity"] for s in item["orderSource"]) == item["pickedQuantity"]
        for source in item["orderSource"]:
            assert source["orderId"] in orders
            matches = [i for i in all_order_items(orders[source["orderId"]]) if i["id"] == item["id"]]
            assert len(matches) == 1, (ws_id, item["id"], source["orderId"])
            order_item = matches[0]
            assert order_item["sku"] == item["id"]
            assert order_item["referenceCode"] == item["referenceCode"]
            assert order_item["originalQuantity"] == source["quantity"]
            assert ws_id in order_item["worksheets"]
    for entry in worksheet["ordersIds"]:
        lines = [i for i in all_order_items(orders[entry["orderId"]]) if ws_id in i["worksheets"]]
        assert entry["itemsQuantity"] == len(lines)
        assert entry["unitsQuantity"] == sum(i["originalQuantity"] for i in lines)
        in_ws = {i["id"] for i in worksheet["items"]}
        assert {i["id"] for i in lines} <= in_ws


def test_every_worksheet_joins_to_its_orders(sandbox: Sandbox) -> None:
    for ws_id in sandbox.worksheet_ids:
        worksheet = sandbox.worksheet(ws_id)
        if ws_id == data.WS_EMPTY:
            assert worksheet["items"] == [] and worksheet["ordersIds"][0]["itemsQuantity"] == 0
            continue
        check_worksheet_joins(sandbox, worksheet)


def test_every_ean_has_a_valid_check_digit_and_one_sku(sandbox: Sandbox) -> None:
    sku_of: dict[str, str] = {}
    for order_id in sandbox.order_ids:
        for item in all_order_items(sandbox.order(order_id)):
            assert gtin_ok(item["ean"]), item
            assert sku_of.setdefault(item["ean"], item["sku"]) == item["sku"]
    for shipment_id in sandbox.shipment_ids:
        for package in sandbox.shipment(shipment_id)["packages"]:
            for item in package["items"]:
                if item["ean"] or item["id"] != "GIFT-BAG":  # the gift bag has no EAN: packed by key
                    assert sku_of[item["ean"]] == item["id"]
    assert len(sku_of) >= 40


def test_ids_have_the_forms_the_app_tells_apart(sandbox: Sandbox) -> None:
    assert len(sandbox.order_ids) >= 6
    assert all(ORDER_ID.match(i) for i in sandbox.order_ids)
    assert all(WORKSHEET_ID.match(i) for i in sandbox.worksheet_ids)
    assert all(UUID.match(sandbox.worksheet(i)["id"]) for i in sandbox.worksheet_ids)
    assert len(sandbox.facility_ids) == 2 and all(FACILITY_ID.match(i) for i in sandbox.facility_ids)
    for ws_id in sandbox.worksheet_ids:
        assert sandbox.worksheet(ws_id)["facilityId"] in sandbox.facility_ids
    for shipment_id in sandbox.shipment_ids:
        shipment = sandbox.shipment(shipment_id)
        assert UUID.match(shipment["id"])
        service = shipment["serviceId"]
        assert not (service.isdigit() and len(service) == 12)
        assert not ORDER_ID.match(service) and not UUID.match(service)
        assert shipment["orderId"] in sandbox.order_ids


def test_orders_cover_the_cases_the_app_must_show(sandbox: Sandbox) -> None:
    orders = [sandbox.order(i) for i in sandbox.order_ids]
    assert any(not o["invoices"] for o in orders)
    rejected = [i for o in orders for i in o["rejectedItems"]]
    assert rejected and all(i["reasons"] and i["reasons"][0]["reasonDetail"] for i in rejected)
    for order in orders:
        ids = {i["id"] for i in all_order_items(order)}
        for replaced in order["replacedItems"]:
            assert replaced["replacedBy"] and set(replaced["replacedBy"]) <= ids
    assert any(o["replacedItems"] for o in orders)
    weighable = [i for o in orders for i in all_order_items(o) if i["weighableProduct"]]
    assert all(i["unitOfMeasure"] == "KILOGRAMS" and i["unitMultiplier"] < 1 for i in weighable)
    assert any(i["unitMultiplier"] == 0.5 for i in weighable)
    assert any(o for o in orders if len({w for i in all_order_items(o) for w in i["worksheets"]}) == 2)
    names = [i["itemName"] for o in orders for i in all_order_items(o)]
    assert any("[" in name and "]" in name for name in names)
    assert len(set(o["status"] for o in orders)) >= 4


def test_a_weighable_item_is_sold_by_a_variable_measure_barcode(sandbox: Sandbox) -> None:
    scale_label = "20" + "01234" + "00200"
    scale_label += str((10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(scale_label)) % 10) % 10)
    items = [i for o in sandbox.order_ids for i in all_order_items(sandbox.order(o)) if 20 <= int(i["ean"][:2]) <= 29]
    assert items, "no variable-measure item"
    assert all(i["weighableProduct"] and i["unitOfMeasure"] == "KILOGRAMS" for i in items)
    assert any(i["ean"][2:7] == scale_label[2:7] and i["ean"][7:12] == "00000" for i in items)
    assert gtin_ok(scale_label)


def test_worksheets_include_a_large_multi_order_batch(sandbox: Sandbox) -> None:
    sizes = [(len(w["items"]), len(w["ordersIds"])) for w in map(sandbox.worksheet, sandbox.worksheet_ids)]
    assert len(sizes) >= 3
    assert any(items >= 30 and orders >= 3 for items, orders in sizes)
    main = sandbox.worksheet(data.WS_MAIN)
    assert any(len(i["orderSource"]) > 1 for i in main["items"])
    notes = [n["content"] for a in main["pickerAssignment"] for n in a["notes"]]
    assert any("[" in n for n in notes)


def test_shipments_and_facilities_are_complete(sandbox: Sandbox) -> None:
    shipments = [sandbox.shipment(i) for i in sandbox.shipment_ids]
    assert len({s["status"] for s in shipments}) >= 4
    delivered = [s for s in shipments if s["status"] == "DELIVERED" and s["evidences"]]
    assert delivered
    shipment = delivered[0]
    assert {n["type"] for n in shipment["notes"]} >= {"COMMENT", "ERROR"}
    assert any(n["content"] == "Handle with care: [b]fragile[/b]" for n in shipment["notes"])
    assert shipment["labels"] and all(label["url"] and label["type"] for label in shipment["labels"])
    assert shipment["deliveredDate"]
    for facility_id in sandbox.facility_ids:
        facility = sandbox.facility(facility_id)
        for key in ("address", "number", "city", "state", "country", "postalCode", "neighborhood"):
            assert facility[key]
        assert facility["contactInformation"]["email"] and facility["contactInformation"]["phone"]
        assert -90 <= facility["location"]["latitude"] <= 90 and facility["location"]["latitude"] != 0


def test_demo_data_is_deterministic(clock: Clock) -> None:
    one, two = Sandbox(clock=clock), Sandbox(clock=clock, seed=5)
    for order_id in one.order_ids:
        assert one.order(order_id) == two.order(order_id)
    for ws_id in one.worksheet_ids:
        assert one.worksheet(ws_id) == two.worksheet(ws_id)


async def test_big_worksheet_has_1000_items_over_10_orders(clock: Clock) -> None:
    sandbox = Sandbox.with_big_worksheet(clock=clock)
    ws_id = sandbox.big_worksheet_id
    assert ws_id and WORKSHEET_ID.match(ws_id)
    async with httpx.AsyncClient(transport=sandbox.transport()) as client:
        api = Api(sandbox, client)
        await api.login()
        worksheet = (await api.get(f"/worksheets/{ws_id}")).json()
        first_order = worksheet["ordersIds"][0]["orderId"]
        assert (await api.get(f"/orders/{first_order}")).status_code == 200
    assert len(worksheet["items"]) == 1000
    assert len(worksheet["ordersIds"]) == 10
    check_worksheet_joins(sandbox, worksheet)
    eans = [i["ean"] for o in worksheet["ordersIds"] for i in all_order_items(sandbox.order(o["orderId"]))]
    assert all(gtin_ok(e) for e in eans)
    assert len(set(eans)) == 1000
    second = sandbox.add_big_worksheet(items=50, orders=2)
    assert second != ws_id and len(sandbox.worksheet(second)["items"]) == 50
    assert second in [ident for ident, _ in sandbox.samples()["worksheets"]]


def test_the_demo_ids_labels_count_what_the_built_sandbox_holds() -> None:
    # The home screen lists data.samples() before the sandbox is built: its counts must agree.
    sandbox = Sandbox()
    labels = dict(data.samples()["worksheets"])
    main, frozen = sandbox.worksheet(data.WS_MAIN), sandbox.worksheet(data.WS_FROZEN)
    assert labels[data.WS_MAIN] == data.worksheet_label(len(main["items"]), len(main["ordersIds"]))
    assert labels[data.WS_FROZEN].endswith(data.items_label(len(frozen["items"])))
    facilities = dict(data.samples()["facilities"])
    assert all(sandbox.facility(fid)["name"] in label for fid, label in facilities.items())
    assert sandbox.samples() == data.samples()


async def test_every_sample_id_resolves(api: Api) -> None:
    samples = api.sandbox.samples()
    assert all(label for kind in samples.values() for _, label in kind)
    for order_id, _ in samples["orders"]:
        assert (await api.get(f"/orders/{order_id}")).status_code == 200
    for ws_id, _ in samples["worksheets"]:
        assert (await api.get(f"/worksheets/{ws_id}")).status_code == 200
    for number, _ in samples["tracking_numbers"]:
        assert (await api.get(f"/shipments/{number}", **{"X-PNP-FilterMethod": "BY_EXTERNAL_ID"})).status_code == 200
    for uuid_, _ in samples["shipments"]:
        assert (await api.get(f"/shipments/{uuid_}", **{"X-PNP-FilterMethod": "BY_INTERNAL_ID"})).status_code == 200
    for facility_id, _ in samples["facilities"]:
        assert (await api.get(f"/facilities/{facility_id}")).status_code == 200


def test_sandbox_imports_neither_textual_nor_the_api_client() -> None:
    code = "import sys, pickterm.sandbox; print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('pickterm.api')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
