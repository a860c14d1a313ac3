"""The pack screen in the app: scans into packages (bursts split, a scan never answers a
dialog), blocking errors, undo, the progress line, print / reprint / forced print with a
reason, the label confirmed by its tracking number, and the tracking form offered at the end.
The demo's printer writes each label to a file under the demo's state directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from pickterm import printers
from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.order import OrderScreen
from pickterm.screens.pack import PackScreen
from pickterm.screens.pack_dialogs import ForcedReasonDialog, PackErrorDialog
from pickterm.screens.shipment import ShipmentScreen
from pickterm.screens.tracking import TrackingScreen
from pickterm.store.state import StateDB, state_path

from apphelpers import answer, burst, open_screen, settle, static_text, terminal_text, wedge
from fakeprinter import FakePrinter

EGGS = "7791286502526"  # package 1: 2 units
BREAD = "7896081314234"  # package 2: 1 unit (and a gift bag without EAN)
SIZE = (40, 16)


async def scans(pilot, *codes: str) -> None:
    """Several scans in one burst, as one read from the terminal delivers them."""
    for code in codes:
        burst(pilot.app, code)
        pilot.app.post_message(events.Key("enter", "\r"))
    await pilot.pause()


def labels_dir() -> Path:
    return state_path(demo=True).parent / "demo-labels"


def printed() -> list[bytes]:
    folder = labels_dir()
    return [p.read_bytes() for p in sorted(folder.iterdir())] if folder.exists() else []


async def open_pack(pilot) -> PackScreen:
    screen = await open_screen(pilot, "pack", data.ORDER_COP)
    assert isinstance(screen, PackScreen)
    return screen


def progress(app) -> str:
    return static_text(app, "#pack-progress")


def feedback(app) -> str:
    return static_text(app, "#pack-feedback")


async def test_the_order_screen_opens_the_pack_screen_with_its_progress_line():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "order", data.ORDER_COP)
        assert isinstance(app.screen, OrderScreen)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PackScreen)
        assert progress(app) == "package 1/2 · 0/2 units"
        assert "Free-range eggs" in static_text(app, "#pack-lines")


async def test_home_reaches_the_pack_screen_through_a_tracking_number():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wedge(pilot, data.TRACK_CREATED)
        await settle(pilot)
        assert isinstance(app.screen, ShipmentScreen)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PackScreen) and app.screen.order_id == data.ORDER_COP


async def test_two_scans_in_one_burst_each_count_and_a_third_is_a_blocking_error():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await scans(pilot, EGGS, EGGS)
        await settle(pilot)
        assert progress(app) == "package 1/2 · 2/2 units"
        await wedge(pilot, EGGS)
        await settle(pilot)
        assert isinstance(app.screen, PackErrorDialog)
        assert "ALREADY COMPLETE" in str(app.screen.query_one("#scan-error-title").render())
        await wedge(pilot, EGGS)  # a scan while the error is open: not counted, still open
        await settle(pilot)
        assert isinstance(app.screen, PackErrorDialog)
        assert "Not counted" in str(app.screen.query_one("#scan-error-ignored").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PackScreen)
        assert progress(app) == "package 1/2 · 2/2 units"


async def test_an_item_of_another_package_blocks_and_undo_takes_back_the_last_unit():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await wedge(pilot, EGGS)
        await wedge(pilot, BREAD)
        await settle(pilot)
        assert isinstance(app.screen, PackErrorDialog)
        text = str(app.screen.query_one("#scan-error-text").render())
        assert "belongs to package 2/2" in text
        await pilot.press("escape")
        await settle(pilot)
        assert progress(app) == "package 1/2 · 1/2 units"
        await pilot.press("f10")
        await settle(pilot)
        assert progress(app) == "package 1/2 · 0/2 units"
        assert "Took back one unit" in feedback(app)


async def test_a_misread_and_a_stranger_block():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await wedge(pilot, EGGS[:-1] + "0")
        await settle(pilot)
        assert "MISREAD" in str(app.screen.query_one("#scan-error-title").render())
        await pilot.press("escape")
        await wedge(pilot, "4006381333931")
        await settle(pilot)
        assert "NOT IN THIS ORDER" in str(app.screen.query_one("#scan-error-title").render())


async def test_the_label_prints_once_a_reprint_is_asked_and_counted():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert "not fully packed" in feedback(app)
        assert printed() == []
        await scans(pilot, EGGS, EGGS)
        await pilot.press("f4")
        await settle(pilot)
        jobs = printed()
        assert len(jobs) == 1
        assert b"^BCN" in jobs[0] and data.TRACK_CREATED.encode() in jobs[0]
        assert "Label sent" in feedback(app)
        await pilot.press("f4")
        await settle(pilot)
        assert "printed already" in feedback(app)
        assert len(printed()) == 1
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await wedge(pilot, "y")  # a scan never answers
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await answer(pilot, "y")
        await settle(pilot)
        assert len(printed()) == 2
        assert "printed 2 times" in static_text(app, "#pack-box")


async def test_the_label_is_confirmed_by_its_tracking_number_then_the_next_package():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await wedge(pilot, data.TRACK_CREATED)
        await settle(pilot)
        assert "LABEL NOT PRINTED" in str(app.screen.query_one("#scan-error-title").render())
        await pilot.press("escape")
        await scans(pilot, EGGS, EGGS)
        await pilot.press("f4")
        await settle(pilot)
        await wedge(pilot, data.TRACK_CREATED)
        await settle(pilot)
        assert progress(app) == "package 2/2 · 0/2 units"
        assert "Label confirmed" in feedback(app)


async def test_forced_print_takes_a_reason_no_ean_by_key_and_all_done_offers_tracking():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await scans(pilot, EGGS, EGGS)
        await pilot.press("f4")
        await settle(pilot)
        await wedge(pilot, data.TRACK_CREATED)
        await wedge(pilot, BREAD)
        await settle(pilot)
        assert progress(app) == "package 2/2 · 1/2 units"
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, ForcedReasonDialog)
        await wedge(pilot, "1")  # a scan chooses nothing
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ForcedReasonDialog)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await answer(pilot, "y")
        await settle(pilot)
        assert progress(app) == "package 2/2 · 2/2 units"
        assert "confirmed by key" in static_text(app, "#pack-lines")
        await pilot.press("f4")
        await settle(pilot)
        assert len(printed()) == 2
        await wedge(pilot, data.TRACK_CREATED)
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await answer(pilot, "y")
        await settle(pilot)
        assert isinstance(app.screen, TrackingScreen)
    with StateDB.open(demo=True) as db:
        kinds = [e.kind for e in db.pack_events(data.ORDER_COP)]
    assert kinds.count("manual") == 1 and kinds.count("confirm") == 2


async def test_a_forced_print_keeps_its_reason():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await wedge(pilot, EGGS)
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("2", "enter")
        await settle(pilot)
        assert len(printed()) == 1
    with StateDB.open(demo=True) as db:
        forced = [e for e in db.pack_events(data.ORDER_COP) if e.kind == "forced"]
    assert [e.reason for e in forced] == ["Item missing: the rest ships later"]


async def test_progress_resumes_in_a_new_session():
    async with PickTermApp(demo=True).run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await wedge(pilot, EGGS)
        await settle(pilot)
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        assert progress(app) == "package 1/2 · 1/2 units"


async def test_hostile_package_text_is_shown_literally():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pack(pilot)
        await wedge(pilot, EGGS)
        await wedge(pilot, EGGS)
        await pilot.press("f4")
        await settle(pilot)
        await wedge(pilot, data.TRACK_CREATED)
        await settle(pilot)
        description = static_text(app, "#pack-description")
        assert "Bag [b]fragile[/b]" in description and "\x1b" not in description
        assert "Gift bag [red]" in static_text(app, "#pack-lines")


async def test_a_printer_out_of_paper_keeps_the_label_and_prints_it_once_when_ready(monkeypatch):
    with FakePrinter() as fake:
        monkeypatch.setattr(PackScreen, "printer", lambda self: printers.parse_printer(fake.spec))
        app = PickTermApp(demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_pack(pilot)
            await scans(pilot, EGGS, EGGS)
            fake.status = "paper_out"
            await pilot.press("f4")
            await settle(pilot)
            assert "paper out" in feedback(app)
            assert fake.jobs == []
            assert "label not printed" in static_text(app, "#pack-box")
            fake.status = "ready"
            await pilot.press("f4")
            await settle(pilot)
            assert len(fake.jobs) == 1 and b"^BCN" in fake.jobs[0]


async def test_a_job_dropped_mid_way_may_have_printed_and_is_sent_again_only_on_a_reprint(monkeypatch):
    with FakePrinter() as fake:
        monkeypatch.setattr(PackScreen, "printer", lambda self: printers.parse_printer(fake.spec))
        app = PickTermApp(demo=True)
        async with app.run_test(size=SIZE) as pilot:
            await open_pack(pilot)
            await scans(pilot, EGGS, EGGS)
            fake.drop_after = 10
            await pilot.press("f4")
            await settle(pilot)
            assert "may have printed" in feedback(app)
            fake.drop_after = None
            await pilot.press("f4")
            await settle(pilot)
            assert "printed already" in feedback(app)
            assert fake.jobs == []
            await pilot.press("f6")
            await settle(pilot)
            await answer(pilot, "y")
            await settle(pilot)
            assert len(fake.jobs) == 1


async def test_an_unreachable_printer_is_said_and_nothing_is_recorded(monkeypatch):
    with FakePrinter() as gone:
        spec = gone.spec
    monkeypatch.setattr(PackScreen, "printer", lambda self: printers.parse_printer(spec))
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await scans(pilot, EGGS, EGGS)
        await pilot.press("f4")
        await settle(pilot)
        assert "cannot be reached" in feedback(app)
        assert "label not printed" in static_text(app, "#pack-box")


async def test_f4_on_a_shipment_without_labels_says_it_has_none_yet_and_prints_nothing(monkeypatch):
    monkeypatch.setattr(data, "LABEL_KINDS", ())  # the demo's shipment comes without labels
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await scans(pilot, EGGS, EGGS)
        await pilot.press("f4")
        await settle(pilot)
        assert "no label to print yet" in feedback(app)
        assert "printer" not in feedback(app)
        assert printed() == []
        assert "label not printed" in static_text(app, "#pack-box")


async def test_a_label_printed_from_the_command_line_is_not_printed_again_by_f4():
    import asyncio

    from pickterm.cli import main

    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await scans(pilot, EGGS, EGGS)
        assert await asyncio.to_thread(main, ["label", "print", data.SHIP_CREATED, "--demo"]) == 0
        assert len(printed()) == 1
        await pilot.press("f4")
        await settle(pilot)
        assert "printed already" in feedback(app)
        assert len(printed()) == 1
        assert "label printed" in static_text(app, "#pack-box")


async def test_a_label_printed_by_the_pack_screen_is_refused_by_label_print(capsys):
    import asyncio

    from pickterm.cli import main

    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await scans(pilot, EGGS, EGGS)
        await pilot.press("f4")
        await settle(pilot)
        assert len(printed()) == 1
    assert await asyncio.to_thread(main, ["label", "print", data.SHIP_CREATED, "--demo"]) == 2
    assert "printed 1 time already" in capsys.readouterr().err
    assert len(printed()) == 1


PACKAGE_2 = data.stable_uuid(f"package:{data.ORDER_COP}:2")  # the COP order's second box


async def test_a_package_id_scanned_at_home_opens_its_order_pack_screen_on_that_package():
    from pickterm.screens.lookup import LookupScreen

    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wedge(pilot, data.ORDER_COP)  # the order opened here once: home knows where to look
        await settle(pilot)
        assert isinstance(app.screen, OrderScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        await wedge(pilot, PACKAGE_2)
        await settle(pilot)
        assert isinstance(app.screen, PackScreen) and app.screen.order_id == data.ORDER_COP
        assert progress(app) == "package 2/2 · 0/2 units"
        assert data.ORDER_COP in terminal_text(app)
        await wedge(pilot, BREAD)  # scans count for that package
        await settle(pilot)
        assert progress(app) == "package 2/2 · 1/2 units"


async def test_a_package_packed_here_is_found_by_its_id_from_the_pack_history():
    db = StateDB.open(demo=True)
    db.add_pack_event(data.ORDER_COP, PACKAGE_2, "print", code="file")
    db.close()
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wedge(pilot, PACKAGE_2.upper())
        await settle(pilot)
        assert isinstance(app.screen, PackScreen) and app.screen.order_id == data.ORDER_COP
        assert progress(app) == "package 2/2 · 0/2 units"


async def test_a_package_id_no_order_here_holds_stays_on_home_and_says_why():
    from pickterm.screens.lookup import LookupScreen

    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wedge(pilot, PACKAGE_2)
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        shown = static_text(app, "#error-panel")
        assert "No shipment has this id" in shown and "finds no order by a package's id" in shown


async def test_at_40x16_the_box_shows_its_description_items_and_the_other_packages():
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        shown = terminal_text(app)
        for words in ("package 1/2 · 0/2 units", "Box", "Free-range eggs", "other package: 1 to pack", "Scan an item"):
            assert words in shown
        await scans(pilot, EGGS, EGGS)
        await pilot.press("f4")
        await settle(pilot)
        await wedge(pilot, data.TRACK_CREATED)
        await settle(pilot)
        shown = terminal_text(app)
        assert "package 2/2 · 0/2 units" in shown
        assert "Bag [b]fragile[/b]" in shown  # the server's text, literally
        assert "Sourdough loaf 800g" in shown and "Gift bag [red]" in shown
        assert "other package: 1 done" in shown and "Scan an item" in shown


@pytest.mark.parametrize(
    ("language", "words"), [("es", "otro paquete: 1 empacado"), ("pt-BR", "outro volume: 1 embalado")]
)
async def test_the_other_packages_line_in_spanish_and_portuguese(language, words):
    from pickterm.i18n import set_language

    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await scans(pilot, EGGS, EGGS)
        await pilot.press("f9")
        await settle(pilot)
        shown = terminal_text(app)
        assert words in shown and "Bag [b]fragile[/b]" in shown


async def test_the_packing_history_lists_reprints_forced_reasons_and_keys_and_takes_no_scan():
    from pickterm.screens.pack_history import PackHistoryDialog

    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_pack(pilot)
        await pilot.press("alt+h")
        await settle(pilot)
        assert isinstance(app.screen, PackHistoryDialog)
        assert "Nothing recorded yet" in static_text(app, "#pack-history-text")
        await pilot.press("escape")
        await settle(pilot)
        await scans(pilot, EGGS, EGGS)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        await answer(pilot, "y")
        await settle(pilot)
        await pilot.press("f9")
        await pilot.press("f8")
        await settle(pilot)
        await answer(pilot, "y")
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        await answer(pilot, "2")
        await answer(pilot, "enter")
        await settle(pilot)
        assert len(printed()) == 3
        before = progress(app)
        await pilot.press("alt+h")
        await settle(pilot)
        assert isinstance(app.screen, PackHistoryDialog)
        shown = static_text(app, "#pack-history-text")
        assert "package 1/2\n  label printed on a file in demo-labels\n" in shown
        assert "label printed again on a file in demo-labels (printed 2 times)" in shown
        assert "Gift bag [red]: 1 unit confirmed by key (no EAN)" in shown
        assert "reason: Item missing: the rest ships later" in shown
        await wedge(pilot, BREAD)  # a scan into the history counts nowhere
        await settle(pilot)
        assert isinstance(app.screen, PackHistoryDialog)
        assert "Not counted: " + BREAD in terminal_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PackScreen) and progress(app) == before


async def test_the_packing_history_shows_local_times_and_a_hostile_reason_literally(time_zone):
    from datetime import datetime

    from pickterm.screens.pack_history import PackHistoryDialog

    time_zone("Asia/Kolkata")
    db = StateDB.open(demo=True)
    event = db.add_pack_event(data.ORDER_COP, PACKAGE_2, "forced", code="cups:bench", reason="[b]boss[/b] \x1b[2J")
    db.close()
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pack(pilot)
        await pilot.press("alt+h")
        await settle(pilot)
        assert isinstance(app.screen, PackHistoryDialog)
        shown = static_text(app, "#pack-history-text")
        local = datetime.fromisoformat(event.created_at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        assert shown.startswith(f"{local} package 2/2")
        assert "reason: [b]boss[/b]" in shown and "\x1b" not in shown
