"""The packing station's rules without a screen: scans into packages, blocking outcomes,
undo, labels printed once unless asked, confirmation by the tracking number, and progress
that survives kill -9."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from pickterm.api.models import Label, Shipment
from pickterm.packing import PackSession, build_packages
from pickterm.printers import parse_printer
from pickterm.store.state import StateDB

from fakeprinter import FakePrinter, LabelHost

ZPL = b"^XA^FO50,50^BCN,100,Y,N,N^FDTRK-ONE^FS^XZ\n"
EAN_A = "4006381333931"
EAN_B = "5901234123457"
EAN_C = "9780201379624"


def shipments(label_url: str = "https://labels.example/one.zpl") -> list[Shipment]:
    one = {
        "id": "ship-1",
        "serviceId": "TRK-ONE",
        "packages": [
            {"id": "pkg-1", "items": [{"id": "a", "name": "Apples", "ean": EAN_A, "quantity": 2}]},
            {
                "id": "pkg-2",
                "items": [
                    {"id": "b", "name": "Bread", "ean": EAN_B, "quantity": 1},
                    {"id": "n", "name": "Loose bag", "quantity": 1},
                ],
            },
        ],
        "labels": [{"type": "ZPL", "url": label_url}],
    }
    two = {
        "id": "ship-2",
        "serviceId": "TRK-TWO",
        "packages": [{"id": "pkg-3", "items": [{"id": "c", "name": "Cereal", "ean": EAN_C, "quantity": 1}]}],
        "labels": [{"type": "ZPL", "url": label_url}],
    }
    return [Shipment.model_validate(one), Shipment.model_validate(two)]


@pytest.fixture
def db(tmp_path):
    with StateDB.open(path=tmp_path / "state.db") as state:
        yield state


@pytest.fixture
def host():
    with LabelHost({"/one.zpl": (200, "application/zpl", ZPL)}) as server:
        yield server


@pytest.fixture
def printer():
    with FakePrinter() as fake:
        yield fake


def session(db, label_url="https://labels.example/one.zpl") -> PackSession:
    return PackSession("ord-1", build_packages(None, shipments(label_url)), db)


def test_units_count_only_for_the_current_package_and_progress_shows_it(db):
    pack = session(db)
    assert pack.progress() == (1, 3, 0, 2)
    assert pack.scan(EAN_A).code == "counted"
    assert pack.progress() == (1, 3, 1, 2)
    wrong = pack.scan(EAN_B)
    assert (wrong.code, wrong.blocking, wrong.data["other"]) == ("wrong_package", True, 1)
    assert pack.scan(EAN_A).code == "packed"
    complete = pack.scan(EAN_A)
    assert (complete.code, complete.blocking) == ("item_complete", True)
    assert pack.progress() == (1, 3, 2, 2)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("4006381333932", "bad_check_digit"), ("7501031311309", "not_in_order"), ("HELLO", "not_in_order")],
)
def test_misreads_and_strangers_block_and_count_nothing(db, raw, code):
    pack = session(db)
    outcome = pack.scan(raw)
    assert (outcome.code, outcome.blocking) == (code, True)
    assert pack.progress() == (1, 3, 0, 2)
    assert db.pack_events("ord-1") == []


def test_undo_takes_back_the_last_unit(db):
    pack = session(db)
    pack.scan(EAN_A)
    pack.scan(EAN_A)
    assert pack.undo().code == "undone"
    assert pack.progress() == (1, 3, 1, 2)
    assert pack.undo().code == "undone"
    assert pack.undo().code == "nothing_to_undo"


async def test_a_label_prints_once_when_packed_and_again_only_when_asked(db, host, printer):
    pack = session(db, host.url("/one.zpl"))
    device = parse_printer(printer.spec)
    assert (await pack.print_label(0, device)).code == "not_packed"
    assert printer.jobs == []
    pack.scan(EAN_A)
    pack.scan(EAN_A)
    printed = await pack.print_label(0, device)
    assert (printed.code, printed.data["count"]) == ("printed", 1)
    assert printer.jobs == [ZPL]
    assert (await pack.print_label(0, device)).code == "already_printed"
    assert len(printer.jobs) == 1
    again = await pack.print_label(0, device, reprint=True)
    assert (again.code, again.data["count"], again.data["kind"]) == ("printed", 2, "reprint")
    assert len(printer.jobs) == 2


async def test_a_forced_print_needs_a_reason_which_is_kept(db, host, printer):
    pack = session(db, host.url("/one.zpl"))
    device = parse_printer(printer.spec)
    pack.scan(EAN_A)
    assert (await pack.print_label(0, device, reason="  ")).code == "not_packed"
    forced = await pack.print_label(0, device, reason="customer asked for one unit")
    assert (forced.code, forced.data["kind"]) == ("printed", "forced")
    kept = [e for e in db.pack_events("ord-1") if e.kind == "forced"]
    assert [e.reason for e in kept] == ["customer asked for one unit"]


async def test_a_printer_out_of_paper_keeps_the_job_and_prints_it_once_ready(db, host, printer):
    pack = session(db, host.url("/one.zpl"))
    device = parse_printer(printer.spec)
    pack.scan(EAN_A)
    pack.scan(EAN_A)
    printer.status = "paper_out"
    failed = await pack.print_label(0, device)
    assert (failed.code, failed.data["problems"]) == ("print_failed", ("paper_out",))
    assert pack.prints(0) == 0
    printer.status = "ready"
    assert (await pack.print_label(0, device)).code == "printed"
    assert printer.jobs == [ZPL]


async def test_a_job_that_may_have_printed_is_never_sent_again_unasked(db, host, printer):
    pack = session(db, host.url("/one.zpl"))
    device = parse_printer(printer.spec)
    pack.scan(EAN_A)
    pack.scan(EAN_A)
    printer.drop_after = 10
    assert (await pack.print_label(0, device)).code == "print_uncertain"
    printer.drop_after = None
    assert (await pack.print_label(0, device)).code == "already_printed"
    assert (await pack.print_label(0, device, reprint=True)).data["kind"] == "reprint"


async def test_the_label_is_confirmed_by_its_tracking_number_and_a_wrong_one_blocks(db, host, printer):
    pack = session(db, host.url("/one.zpl"))
    device = parse_printer(printer.spec)
    assert pack.scan("TRK-ONE").code == "label_not_printed"
    pack.scan(EAN_A)
    pack.scan(EAN_A)
    await pack.print_label(0, device)
    wrong = pack.scan("TRK-TWO")
    assert (wrong.code, wrong.blocking) == ("label_wrong", True)
    confirmed = pack.scan("TRK-ONE")
    assert confirmed.code == "label_confirmed"
    assert pack.is_done(0)
    assert pack.progress() == (2, 3, 0, 2)


async def test_an_item_without_ean_is_confirmed_by_key_and_when_all_are_done_it_says_so(db, host, printer):
    pack = session(db, host.url("/one.zpl"))
    device = parse_printer(printer.spec)
    for code in (EAN_A, EAN_A):
        pack.scan(code)
    await pack.print_label(0, device)
    pack.scan("TRK-ONE")
    pack.scan(EAN_B)
    loose = pack.packages[1].items[1]
    assert loose.ean is None
    assert pack.confirm_without_ean(loose).code == "packed"
    assert [e.kind for e in db.pack_events("ord-1") if e.item_key == "n"] == ["manual"]
    await pack.print_label(1, device)
    pack.scan("TRK-ONE")
    pack.scan(EAN_C)
    await pack.print_label(2, device)
    assert pack.scan("TRK-TWO").code == "all_done"
    assert pack.all_done()


def test_progress_survives_kill_9(tmp_path):
    path = tmp_path / "state.db"
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_packing import session
        from pickterm.store.state import StateDB
        db = StateDB.open(path={str(path)!r})
        pack = session(db)
        pack.scan({EAN_A!r})
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    with StateDB.open(path=path) as db:
        assert session(db).progress() == (1, 3, 1, 2)


def test_a_package_without_items_is_never_packed_by_scans(db):
    empty = Shipment.model_validate(
        {"id": "ship-3", "serviceId": "TRK-3", "packages": [{"id": "pkg-9", "items": []}], "labels": []}
    )
    pack = PackSession("ord-2", build_packages(None, [empty]), db)
    assert pack.progress() == (1, 1, 0, 0)
    assert not pack.is_packed(0)
    assert pack.may_print(0).code == "not_packed"
    assert pack.may_print(0, reason="Supervisor approved") is None


@pytest.mark.parametrize(
    ("url", "error"),
    [("", "no_url"), ("http://labels.example/x.zpl", "bad_url"), ("/missing", "not_found"), ("/huge", "too_large")],
)
async def test_a_label_that_cannot_be_had_prints_nothing_and_records_nothing(db, host, printer, url, error):
    pack = session(db, host.url(url) if url.startswith("/") else url)
    pack.scan(EAN_A)
    pack.scan(EAN_A)
    if error == "no_url":
        pack.packages[0] = dataclasses.replace(pack.packages[0], labels=(Label(type="ZPL", url=None),))
    outcome = await pack.print_label(0, parse_printer(printer.spec))
    assert outcome.code in ("label_failed", "no_label")
    if outcome.code == "label_failed":
        assert outcome.data["error"] == error
    assert printer.jobs == []
    assert [e.kind for e in db.pack_events("ord-1")] == ["unit", "unit"]


async def test_an_unknown_label_type_is_refused(db, host, printer):
    pack = session(db, host.url("/one.zpl"))
    pack.scan(EAN_A)
    pack.scan(EAN_A)
    pack.packages[0] = dataclasses.replace(pack.packages[0], labels=(Label(type="PNG", url=host.url("/one.zpl")),))
    outcome = await pack.print_label(0, parse_printer(printer.spec))
    assert (outcome.code, outcome.data["error"]) == ("label_failed", "bad_type")
    assert printer.jobs == []


async def test_a_label_on_a_box_whose_units_were_taken_back_is_refused(db, host, printer):
    pack = session(db, host.url("/one.zpl"))
    pack.scan(EAN_A)
    pack.scan(EAN_A)
    await pack.print_label(0, parse_printer(printer.spec))
    assert pack.undo().code == "undone"
    refused = pack.scan("TRK-ONE")
    assert (refused.code, refused.blocking) == ("label_unpacked", True)
    assert not pack.is_done(0)
    pack.scan(EAN_A)
    assert pack.scan("TRK-ONE").code == "label_confirmed"
