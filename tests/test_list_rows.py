"""What the list screens (shipments, worksheets, outbox) write over and in their lists, as plain functions."""

from __future__ import annotations

from types import SimpleNamespace as NS

from pickterm.screens import outbox, shipments, worksheets


def test_shipments_summary_counts_the_delivered_ones():
    found = [NS(status="DELIVERED"), NS(status="on_route"), NS(status="delivered"), NS(status=None)]
    assert shipments.summary_text(found) == ("4 shipments, 2 delivered · Enter opens", "4 shipments")
    assert shipments.summary_text([NS(status="PENDING")]) == ("1 shipment, 0 delivered · Enter opens", "1 shipment")
    assert shipments.summary_text([]) == ("No shipments for this order yet.", "0 shipments")


def test_a_shipment_row_names_carrier_tracking_number_and_counts():
    shipment = NS(
        status="ON_ROUTE",
        carrier_name=None,
        carrier_id="dhl",
        service_id="TRK-77",
        packages_quantity=1,
        items_quantity=2.5,
        delivered_date=None,
        courier_name="Ana",
    )
    lines = shipments.shipment_content(shipment).plain.splitlines()
    assert "dhl" in lines[0] and lines[1] == "tracking TRK-77" and lines[2] == "1 package · 2.5 items"
    assert "courier" in lines[3] and "Ana" in lines[3]


def test_worksheets_summary_names_the_empty_ones():
    assert worksheets.summary_text([NS(is_empty=False), NS(is_empty=True)]) == (
        "2 worksheets, 1 empty",
        "2 worksheets, 1 empty",
    )
    assert worksheets.summary_text([NS(is_empty=False)]) == ("1 worksheet", "1 worksheet")
    assert worksheets.summary_text([]) == ("No worksheets for this order yet.", "0 worksheets")


def test_outbox_summary_counts_open_writes_and_says_the_history():
    entries = [NS(state=state, status=state) for state in ("pending", "failed", "pending", "uncertain")]
    assert outbox.summary_text(entries, history=False) == "2 pending · 1 failed · 1 may have been sent"
    assert outbox.summary_text(entries[:2], history=False) == "1 pending · 1 failed"
    assert outbox.summary_text([], history=False) == "The outbox is empty: every tracking write was accepted."
    assert outbox.summary_text(entries, history=True) == "History, newest first (4) · h: back"
    assert outbox.summary_text([], history=True) == "No history yet · h: back"


def test_an_api_error_gives_its_message_code_and_request_id_once():
    from pickterm.api.errors import NotFoundError
    from pickterm.widgets.common import error_facts

    refused = NotFoundError("The order must be invoiced", status=404, code="ORA0001B", request_id="req-1")
    assert error_facts(refused) == ["The order must be invoiced", "code ORA0001B · requestId req-1"]
    assert error_facts(NotFoundError(status=404)) == []  # the message is the sentence: said once


def test_a_failed_outbox_row_shows_the_servers_answer():
    from pickterm.api.errors import NotFoundError

    entry = NS(
        id=3,
        order_id="1234-01",
        state="failed",
        status="failed",
        in_flight=False,
        sent_at=None,
        settled_at="2025-02-11T12:31:00.000+00:00",
        created_at="2025-02-11T12:30:00.000+00:00",
        target="default → https://api.example.com",
        attempts=2,
        summary="delivered 2025-02-11 12:00",
        answer=None,
        error=NotFoundError("The order must be invoiced", status=404, code="ORA0001B", request_id="req-1"),
    )
    lines = outbox.entry_content(entry).plain.splitlines()
    assert lines[0] == "#3 1234-01  ✘ failed"
    assert lines[-3:] == [f"✘ {entry.error.sentence}", "The order must be invoiced", "code ORA0001B · requestId req-1"]
