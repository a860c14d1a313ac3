"""``pickterm track`` follows the tracking form's rules: it reads the order first, and refuses
(exit 2, nothing stored or sent, the flag that allows it named) events alone for an order that
is not delivered, a delivered date that replaces the order's, and one far from now."""

from __future__ import annotations

import pytest

from pickterm.sandbox.data import ORDER_DELIVERED, ORDER_ON_ROUTE
from pickterm.store.outbox import Outbox
from pickterm.store.state import StateDB, state_path

from apphelpers import one_line, run, urls

EVENT = "Bello|ANT|Out for delivery|now"

pytestmark = pytest.mark.usefixtures("utc")  # typed local times are UTC


def stored() -> list:
    if not state_path().exists():
        return []
    with StateDB.open() as db:
        return Outbox(db).list(("pending", "failed", "uncertain", "sent"))


def test_events_alone_for_an_order_not_delivered_are_refused_and_the_order_stays_open(capsys, server):
    before = dict(server.sandbox.order(ORDER_ON_ROUTE))
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--event", EVENT, *urls(server))
    line = one_line(err)
    assert code == 2 and out == ""
    assert f"Order {ORDER_ON_ROUTE} is not delivered ({before['status']})" in line
    assert "would mark it delivered now and COMPLETED" in line and "--delivered now|DATE" in line
    assert server.sandbox.tracking_writes == [] and stored() == []
    order = server.sandbox.order(ORDER_ON_ROUTE)
    assert order["status"] == before["status"] and not order.get("deliveredDate")
    # Saying it: a delivered date with the events.
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", "--event", EVENT, *urls(server))
    assert code == 0, err
    [(_, body)] = server.sandbox.tracking_writes
    assert set(body) == {"deliveredDate", "events"}


def test_events_alone_for_a_delivered_order_go(capsys, server):
    code, out, err = run(capsys, "track", ORDER_DELIVERED, "--event", EVENT, *urls(server))
    assert code == 0, err
    [(_, body)] = server.sandbox.tracking_writes
    assert set(body) == {"events"}
    assert server.sandbox.order(ORDER_DELIVERED)["deliveredDate"] == "2025-02-10T11:02:50.545Z"


def test_replacing_a_delivered_date_needs_replace(capsys, server):
    code, out, err = run(capsys, "track", ORDER_DELIVERED, "--delivered", "now", *urls(server))
    line = one_line(err)
    assert code == 2 and out == ""
    assert f"Order {ORDER_DELIVERED} is already delivered on 2025-02-10 11:02:50 UTC" in line and "--replace" in line
    assert server.sandbox.tracking_writes == [] and stored() == []
    assert server.sandbox.order(ORDER_DELIVERED)["deliveredDate"] == "2025-02-10T11:02:50.545Z"
    # The date the server has is no replacement: it goes without --replace.
    code, out, err = run(
        capsys, "track", ORDER_DELIVERED, "--delivered", "2025-02-10T11:02:50.545Z", "--far-date", *urls(server)
    )
    assert code == 0, err
    code, out, err = run(capsys, "track", ORDER_DELIVERED, "--delivered", "now", "--replace", *urls(server))
    assert code == 0, err
    assert server.sandbox.order(ORDER_DELIVERED)["deliveredDate"] != "2025-02-10T11:02:50.545Z"


def test_a_delivered_date_far_from_now_needs_far_date(capsys, server):
    date = "1970-01-01 00:00"
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", date, *urls(server))
    line = one_line(err)
    assert code == 2 and out == ""
    assert "--delivered 1970-01-01 00:00 UTC is" in line and "days ago" in line and "--far-date" in line
    assert server.sandbox.requests == [] and stored() == []  # refused before anything is read or stored
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", date, "--far-date", *urls(server))
    assert code == 0, err
    assert server.sandbox.order(ORDER_ON_ROUTE)["deliveredDate"] == "1970-01-01T00:00:00.000Z"


def test_an_order_that_cannot_be_read_needs_replace_and_is_then_queued(capsys, server):
    server.sandbox.fail_rate = 1  # every request fails with 503
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", *urls(server))
    line = one_line(err)
    assert code == 2 and f"Order {ORDER_ON_ROUTE} could not be read" in line and "add --replace" in line
    assert stored() == []
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", "--replace", *urls(server))
    assert code == 3 and "queued, 1 pending" in one_line(err)
    [entry] = stored()
    assert entry.state == "pending"
