"""``pickterm label get|print`` and ``pickterm printer list|status|test``: JSON where a script
wants it, and the README's exit statuses (printer not ready: 6, nothing printed; a job that may
have printed: 5)."""

from __future__ import annotations

import json

import pytest

from pickterm.cli import main
from pickterm.sandbox import data
from pickterm.store.state import state_path

from fakeprinter import FakePrinter


def test_label_get_writes_the_zpl_with_the_tracking_barcode(tmp_path, capsys):
    out = tmp_path / "label.zpl"
    assert main(["label", "get", data.SHIP_CREATED, "--demo", "-o", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["type"], result["tracking"], result["file"]) == ("ZPL", data.TRACK_CREATED, str(out))
    body = out.read_bytes()
    assert body.startswith(b"^XA") and f"^BCN,200,Y,N,N^FD{data.TRACK_CREATED}".encode() in body


@pytest.mark.parametrize(("kind", "head"), [("PDF", b"%PDF"), ("BASE64", b"%PDF"), ("TEXT", b"Pickterm")])
def test_label_get_by_type_and_by_tracking_number(tmp_path, capsys, kind, head):
    out = tmp_path / "label"
    assert main(["label", "get", data.TRACK_CREATED, "--external", "--type", kind, "--demo", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(head)


def test_a_shipment_without_labels_says_so_with_status_2(tmp_path, capsys):
    assert main(["label", "get", data.SHIP_PENDING, "--demo", "-o", str(tmp_path / "x")]) == 2
    assert "has no printable label" in capsys.readouterr().err


def test_label_print_to_a_tcp_printer_and_status_6_when_the_paper_is_out(fake, capsys):
    fake.status = "paper_out"
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec]) == 6
    assert "paper out" in capsys.readouterr().err
    assert fake.jobs == []
    fake.status = "ready"
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["printed"] == f"127.0.0.1:{fake.port}"
    assert len(fake.jobs) == 1 and data.TRACK_CREATED.encode() in fake.jobs[0]


def test_label_print_with_a_dropped_connection_is_status_5(fake, capsys):
    fake.drop_after = 10
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec]) == 5
    assert "may have printed" in capsys.readouterr().err


def test_label_print_with_no_printer_is_bad_usage(capsys):
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", "lpt1"]) == 2
    assert "is not a printer" in capsys.readouterr().err


def test_printer_list_status_and_test(fake, capsys):
    assert main(["printer", "list", "--demo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["kind"] == "file"
    fake.status = "head_open"
    assert main(["printer", "status", fake.spec, "--json"]) == 6
    assert json.loads(capsys.readouterr().out)["problems"] == ["head_open"]
    fake.status = "ready"
    assert main(["printer", "status", fake.spec]) == 0
    assert "ready" in capsys.readouterr().out
    assert main(["printer", "test", fake.spec]) == 0
    assert len(fake.jobs) == 1 and fake.jobs[0].startswith(b"^XA")


def test_the_demo_printer_writes_files_under_the_demo_state_dir(capsys):
    assert main(["label", "print", data.SHIP_CREATED, "--demo"]) == 0
    files = list((state_path(demo=True).parent / "demo-labels").iterdir())
    assert len(files) == 1 and files[0].read_bytes().startswith(b"^XA")


def test_an_unreachable_printer_is_status_6(capsys):
    with FakePrinter() as gone:
        spec = gone.spec
    assert main(["printer", "test", spec]) == 6
    assert "cannot be reached" in capsys.readouterr().err


def test_the_profile_printer_is_checked_when_set_and_used_by_default(fake, capsys):
    assert main(["config", "set", "printer", "lpt1"]) == 2
    assert "is not a printer" in capsys.readouterr().err
    assert main(["config", "set", "printer", fake.spec]) == 0
    capsys.readouterr()
    assert main(["printer", "list"]) == 0
    assert capsys.readouterr().out == f"{fake.spec}\ttcp\n"
    assert main(["printer", "test"]) == 0
    assert len(fake.jobs) == 1


def test_a_label_printed_before_is_printed_again_only_with_reprint(fake, capsys):
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["prints"] == 1
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec]) == 2
    assert "printed 1 time already: --reprint prints it again" in capsys.readouterr().err
    assert main(["label", "print", data.TRACK_CREATED, "--external", "--demo", "--printer", fake.spec, "--json"]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == {"shipment": data.SHIP_CREATED, "error": "already_printed", "prints": 1}
    assert len(fake.jobs) == 1
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec, "--reprint"]) == 0
    assert "(printed 2 times)" in capsys.readouterr().out
    assert len(fake.jobs) == 2


def test_a_cli_print_is_kept_in_the_order_pack_history(fake, capsys):
    from pickterm.store.state import StateDB

    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec]) == 0
    db = StateDB.open(demo=True)
    try:
        events = db.pack_events(data.ORDER_COP)
    finally:
        db.close()
    assert {e.kind for e in events} == {"print"} and len(events) == 2  # both boxes of the shipment
    assert {e.code for e in events} == {f"127.0.0.1:{fake.port}"}


def test_a_job_that_may_have_printed_needs_reprint_next_time(fake, capsys):
    fake.drop_after = 10
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec]) == 5
    capsys.readouterr()
    fake.drop_after = None
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec]) == 2
    assert "may have printed already" in capsys.readouterr().err


def test_label_history_lists_prints_and_reprints_in_local_time(fake, capsys, time_zone):
    from datetime import datetime

    time_zone("America/Sao_Paulo")
    assert main(["label", "history", data.ORDER_COP, "--demo"]) == 0
    assert "Nothing was recorded while packing order" in capsys.readouterr().out
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec]) == 0
    assert main(["label", "print", data.SHIP_CREATED, "--demo", "--printer", fake.spec, "--reprint"]) == 0
    capsys.readouterr()
    assert main(["label", "history", data.ORDER_COP, "--demo", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["kind"], r["prints"]) for r in rows] == [("print", 1), ("print", 1), ("reprint", 2), ("reprint", 2)]
    assert main(["label", "history", data.ORDER_COP, "--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    local = datetime.fromisoformat(rows[0]["at"]).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert lines[0].startswith(local) and f"label printed on 127.0.0.1:{fake.port}" in lines[0]
    assert lines[3].endswith("(printed 2 times)") and "label printed again" in lines[3]


def test_label_history_says_a_forced_reason_literally(capsys):
    from pickterm.store.state import StateDB

    db = StateDB.open(demo=True)
    db.add_pack_event(data.ORDER_COP, "box-1", "forced", code="cups:bench", reason="boss said \x1b[31m[b]ok[/b]")
    db.close()
    assert main(["label", "history", data.ORDER_COP, "--demo"]) == 0
    out = capsys.readouterr().out
    assert "label printed before the box was packed, on cups:bench; reason: boss said" in out
    assert "[b]ok[/b]" in out and "\x1b" not in out
