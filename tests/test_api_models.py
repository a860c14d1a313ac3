"""Every example body of the contract parses into its model; helpers a screen relies on."""

from __future__ import annotations

import pytest

from pickterm.api import models as m

OPERATIONS = {
    ("/orders/{orderId}", "get"): m.Order,
    ("/orders/{orderId}/tracking", "patch"): m.TrackingResult,
    ("/worksheets/{worksheetId}", "get"): m.Worksheet,
    ("/worksheets", "get"): m.WorksheetSummary,
    ("/facilities/{facilityId}", "get"): m.Facility,
    ("/shipments/{shipmentId}", "get"): m.Shipment,
    ("/shipments", "get"): m.ShipmentSummary,
    ("/token", "post"): m.TokenResponse,
}


def examples(content: dict) -> list:
    found = []
    if "example" in content:
        found.append(content["example"])
    for entry in (content.get("examples") or {}).values():
        found.append(entry.get("value"))
    if "example" in content.get("schema", {}):
        found.append(content["schema"]["example"])
    return found


def test_every_success_example_parses(spec):
    parsed = 0
    for (path, method), model in OPERATIONS.items():
        content = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        for example in examples(content):
            items = example if isinstance(example, list) else [example]
            for item in items:
                model.model_validate(item)
                parsed += 1
    assert parsed >= len(OPERATIONS)


def test_every_error_example_parses(spec):
    codes = set()
    for ops in spec["paths"].values():
        for op in ops.values():
            for status, response in op.get("responses", {}).items():
                if status.startswith("2"):
                    continue
                content = response.get("content", {}).get("application/json")
                if content is None and "$ref" in response:
                    name = response["$ref"].rsplit("/", 1)[-1]
                    content = spec["components"]["responses"][name]["content"]["application/json"]
                for example in examples(content or {}):
                    body = m.ErrorBody.model_validate(example)
                    assert body.code and body.message and body.request_id
                    codes.add(body.code)
    assert {"EXPIRED_TOKEN", "WORK0001B", "FAC0001B", "TRP0005E", "ORA0001B", "GEN0001B"} <= codes


def test_tracking_request_example_round_trips(spec):
    schema = spec["paths"]["/orders/{orderId}/tracking"]["patch"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    example = schema["example"]
    assert m.TrackingUpdate.model_validate(example).to_payload() == example


def test_tracking_dates_are_stored_in_utc():
    update = m.TrackingUpdate.model_validate({"deliveredDate": "2025-02-12T23:00:00-03:00"})
    assert update.to_payload() == {"deliveredDate": "2025-02-13T02:00:00.000Z"}
    assert m.TrackingUpdate().to_payload() == {}


@pytest.mark.parametrize("bad", ["yesterday", "2025-13-01T00:00:00Z", "2025-02-13T02:00:00"])
def test_tracking_dates_must_be_iso_with_a_zone(bad):
    with pytest.raises(ValueError):
        m.TrackingUpdate.model_validate({"deliveredDate": bad})


def test_order_helpers(spec):
    example = spec["paths"]["/orders/{orderId}"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    order = m.Order.model_validate(example)
    assert order.is_invoiced
    states = [state for state, _ in order.all_items()]
    assert states.count("picked") == 3 and states.count("rejected") == 1
    banana = order.item("75")
    assert banana.weighable_product and banana.line_price == pytest.approx(1699 * 0.19)
    assert str(order.rejected_items[0].reasons[0]) == "out-of-stock"
    assert order.money(2000322) == "$20,003.22"
    assert not m.Order(order_id="x").is_invoiced


@pytest.mark.parametrize(
    "minor, digits, sep, group, expected",
    [
        (1699, 2, ".", ",", "$16.99"),
        (1000000, 2, ",", ".", "$10.000,00"),
        (5, 0, ".", ",", "$5"),
        (-1234, 2, ".", ",", "-$12.34"),
    ],
)
def test_money_uses_the_currency_decimals(minor, digits, sep, group, expected):
    cur = m.Currency(decimal_digits=digits, decimal_separator=sep, group_separator=group)
    assert m.format_money(minor, cur) == expected


def test_unknown_status_and_fields_are_kept():
    order = m.Order.model_validate({"orderId": "1", "status": "TELEPORTED", "brandNewField": {"x": 1}})
    assert order.status == "TELEPORTED"
    assert m.status_label(order.status) == "teleported" and m.status_tone(order.status) == "unknown"
    assert order.model_extra["brandNewField"] == {"x": 1}


def test_worksheet_item_split_by_order(spec):
    example = spec["paths"]["/worksheets/{worksheetId}"]["get"]["responses"]["200"]["content"]["application/json"][
        "example"
    ]
    sheet = m.Worksheet.model_validate(example)
    assert sheet.items[0].split_by_order() == [("1509780516107-01", 4)]
    assert sheet.order_ids == ["1509780516107-01"]


def test_shipment_timeline_is_sorted_by_date(spec):
    example = spec["paths"]["/shipments/{shipmentId}"]["get"]["responses"]["200"]["content"]["application/json"][
        "example"
    ]
    shipment = m.Shipment.model_validate(example)
    kinds = [kind for _, kind, _ in shipment.timeline()]
    assert kinds == ["evidence", "note", "note"]


def test_api_dates_with_long_fractions_parse():
    parsed = m.parse_api_datetime("2025-02-10T15:06:48.9411586+00:00")
    assert parsed is not None and parsed.microsecond == 941158
    assert m.format_api_datetime("not a date") == "not a date"
    assert m.format_api_datetime(None) == "-"


# ---------------------------------------------------------------- the tolerant reader


def _order(**changes):
    from pickterm.sandbox import Sandbox
    from pickterm.sandbox import data as demo

    order = Sandbox().order(demo.ORDER_REPLACED)
    order.update(changes)
    return order


def test_display_fields_of_an_odd_type_are_kept_and_shown_as_text():
    from pickterm.api.models import Order

    raw = _order(sequence=516107, status={"code": "NEW"}, tags="urgent")
    raw["replacedItems"][0]["itemName"] = {"es": "Yogur", "pt": "Iogurte"}  # the spec gives it no type
    raw["replacedItems"][0]["name"] = 42
    raw["pickedItems"][0]["price"] = "not a number"
    order = Order.model_validate(raw)
    assert order.problems == []
    assert order.sequence == "516107" and order.status == '{"code": "NEW"}' and order.tags == ["urgent"]
    assert order.replaced_items[0].name == '{"es": "Yogur", "pt": "Iogurte"}'
    assert order.picked_items[0].price is None and order.money(order.picked_items[0].price) == "-"
    # What pickterm get prints is what the server sent.
    assert order.as_sent() == raw
    assert order.model_dump(mode="json", by_alias=True)["sequence"] == 516107


def test_an_unknown_enum_is_shown_as_sent():
    from pickterm.api.models import Order, status_tone

    order = Order.model_validate(_order(status="ON_THE_MOON"))
    assert order.status == "ON_THE_MOON" and status_tone(order.status) == "unknown"


def test_a_broken_strict_field_names_the_field_and_the_record_and_the_rest_is_read():
    from pickterm.api.models import Order, Worksheet
    from pickterm.sandbox import Sandbox
    from pickterm.sandbox import data as demo

    raw = _order()
    bad_id = raw["pickedItems"][1]["id"]
    raw["pickedItems"][1]["ean"] = 7501055300075  # a number: leading zeros could be lost; never matched
    order = Order.model_validate(raw)
    assert order.problems == [f"pickedItems[1] (id {bad_id}): ean: Input should be a valid string; left out"]
    assert len(order.picked_items) == len(raw["pickedItems"]) - 1
    assert order.item(raw["pickedItems"][0]["id"]) is not None

    ws = Sandbox().worksheet(demo.WS_MAIN)
    ws["items"][0]["originalQuantity"] = "three"
    worksheet = Worksheet.model_validate(ws)
    assert worksheet.problems[0].startswith(f"items[0] (id {ws['items'][0]['id']}): originalQuantity:")
    assert len(worksheet.items) == len(ws["items"]) - 1


def test_a_broken_id_of_the_whole_answer_is_one_error_naming_it():
    import pytest as _pytest

    from pickterm.api import PickPackClient
    from pickterm.api.errors import InvalidResponseError
    from pickterm.api.models import Order

    with _pytest.raises(InvalidResponseError, match="orderId"):
        PickPackClient._parse(Order, _order(orderId={"x": 1}))
