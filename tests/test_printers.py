"""Label printers for real: raw TCP to a loopback fake label printer that speaks Zebra's
``~HS``, a real ``cupsd`` on a private configuration, and a directory of files."""

from __future__ import annotations

import pytest

from pickterm import printers
from pickterm.printers import PrintError, PrinterStatus, parse_host_status, parse_printer, send_job

from cupsd import Cupsd, require_cups
from fakeprinter import FakePrinter, host_status_answer

ZPL = b"^XA^FO50,50^BCN,100,Y,N,N^FD1Z999AA10123456784^FS^XZ\n"


def test_specs_are_read_and_bad_ones_refused():
    assert parse_printer("tcp://10.0.0.7").port == 9100
    assert parse_printer("tcp://10.0.0.7:6101").port == 6101
    assert parse_printer("cups:Zebra_GK420").queue == "Zebra_GK420"
    cups = parse_printer("cups://print.local:631/labels")
    assert (cups.kind, cups.server, cups.queue) == ("cups", "print.local:631", "labels")
    assert parse_printer("file:/var/tmp/labels").directory == "/var/tmp/labels"
    for bad in ("lpt1", "tcp://", "cups:bad queue", "file:", "http://printer"):
        with pytest.raises(ValueError):
            parse_printer(bad)


@pytest.mark.parametrize(
    ("status", "problems"),
    [("ready", ()), ("paper_out", ("paper_out",)), ("head_open", ("head_open",)), ("paused", ("paused",))],
)
def test_host_status_flags_are_read_at_their_documented_places(status, problems):
    assert parse_host_status(host_status_answer(status)).problems == problems


def test_a_garbled_host_status_is_not_a_ready_printer():
    with pytest.raises(ValueError):
        parse_host_status(b"OK\r\n")


def test_a_zpl_job_asks_the_status_first_and_arrives_whole(fake):
    where = send_job(parse_printer(fake.spec), ZPL, "ZPL")
    assert fake.status_asks == 1
    assert fake.jobs == [ZPL]
    assert where == f"127.0.0.1:{fake.port}"


@pytest.mark.parametrize("status", ["paper_out", "head_open", "paused"])
def test_a_printer_that_is_not_ready_gets_nothing_and_the_job_can_go_later(fake, status):
    fake.status = status
    printer = parse_printer(fake.spec)
    with pytest.raises(PrintError) as caught:
        send_job(printer, ZPL, "ZPL")
    assert caught.value.code == "not_ready"
    assert caught.value.status == PrinterStatus(**{status: True})
    assert not caught.value.maybe_printed
    assert fake.jobs == []
    fake.status = "ready"
    send_job(printer, ZPL, "ZPL")
    assert fake.jobs == [ZPL]


def test_a_printer_that_does_not_answer_its_status_gets_nothing(fake, monkeypatch):
    monkeypatch.setattr(printers, "STATUS_TIMEOUT", 0.3)
    fake.silent = True
    with pytest.raises(PrintError) as caught:
        send_job(parse_printer(fake.spec), ZPL, "ZPL")
    assert caught.value.code == "no_status"
    assert not caught.value.maybe_printed
    assert fake.jobs == []


def test_an_unreachable_printer_is_said_and_nothing_may_have_printed():
    with FakePrinter() as gone:
        spec = gone.spec
    with pytest.raises(PrintError) as caught:
        send_job(parse_printer(spec), ZPL, "ZPL")
    assert caught.value.code == "unreachable"
    assert not caught.value.maybe_printed


def test_a_connection_dropped_mid_job_may_have_printed(fake):
    fake.drop_after = 1000
    with pytest.raises(PrintError) as caught:
        send_job(parse_printer(fake.spec), b"^XA" + b"0" * 4_000_000 + b"^XZ", "ZPL")
    assert caught.value.code == "dropped"
    assert caught.value.maybe_printed
    assert fake.jobs == []


def test_text_goes_raw_without_a_status_and_pdf_is_refused_on_tcp(fake):
    printer = parse_printer(fake.spec)
    send_job(printer, b"SHIP TO: ...\n", "TEXT")
    assert fake.status_asks == 0
    assert fake.jobs == [b"SHIP TO: ...\n"]
    with pytest.raises(PrintError) as caught:
        send_job(printer, b"%PDF-1.4", "PDF")
    assert caught.value.code == "wrong_kind"


def test_a_file_printer_writes_one_file_a_job_and_never_overwrites(tmp_path):
    printer = parse_printer(f"file:{tmp_path / 'labels'}")
    first = send_job(printer, ZPL, "ZPL", "ship-1/pkg 1")
    second = send_job(printer, ZPL, "ZPL", "ship-1/pkg 1")
    assert first != second
    assert sorted(p.name for p in (tmp_path / "labels").iterdir()) == ["ship-1_pkg_1-2.zpl", "ship-1_pkg_1.zpl"]


@pytest.fixture
def cups(fake):
    require_cups()
    server = Cupsd(f"socket://127.0.0.1:{fake.port}").start()
    yield server
    server.stop()


def test_cups_prints_zpl_raw_through_lp(cups, fake):
    printer = parse_printer(f"cups://{cups.server}/{cups.queue}")
    request = send_job(printer, ZPL, "ZPL", "ship-1")
    assert request.startswith(cups.queue)
    cups.wait_idle()
    assert fake.jobs == [ZPL]
    assert printers.printer_status(printer).ready


def test_cups_refusing_a_job_is_said_with_its_words(cups):
    printer = parse_printer(f"cups://{cups.server}/no_such_queue")
    with pytest.raises(PrintError) as caught:
        send_job(printer, ZPL, "ZPL")
    assert caught.value.code == "lp_failed"
    assert "does not exist" in caught.value.detail


def test_cups_sends_a_pdf_as_it_is(cups, fake):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    send_job(parse_printer(f"cups://{cups.server}/{cups.queue}"), pdf, "PDF", "ship-1")
    cups.wait_idle()
    assert fake.jobs == [pdf]
