"""The walk through a worksheet (pickterm.picking): order, scans, counts, skip, short, undo, resume."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pickterm.api.models import Order, Worksheet
from pickterm.picking import SHORT_REASONS, PickProgress
from pickterm.sandbox import Sandbox
from pickterm.sandbox.data import WS_MAIN
from pickterm.scan import ScanSettings
from pickterm.store.state import StateDB
from pickterm.widgets.walk_words import code_text, counts_text, said

from apphelpers import ean as ean_of

SCALE_LABEL_200G = "2001234002004"  # GS1: prefix 20, item 01234, 200 g
HAM_EAN = "2001234000000"  # the ham's own EAN: a variable-measure code of 0 g


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox()


def worksheet(sandbox: Sandbox, ws_id: str = WS_MAIN) -> Worksheet:
    return Worksheet.model_validate(sandbox.worksheet(ws_id))


def orders(sandbox: Sandbox, ws: Worksheet) -> list[Order]:
    return [Order.model_validate(sandbox.order(o)) for o in ws.order_ids]


def walk(sandbox: Sandbox, store=None, *, settings: ScanSettings | None = None, barcodes: bool = True) -> PickProgress:
    ws = worksheet(sandbox)
    progress = store.load_progress(ws.worksheet_id) if store is not None else None
    model = PickProgress(ws, store=store, progress=progress, settings=settings)
    if barcodes:
        model.load_barcodes(orders(sandbox, ws))
    return model


# --------------------------------------------------------------------------- order and counts


def test_items_come_in_pick_path_order_category_then_name(sandbox):
    model = walk(sandbox, barcodes=False)
    raw = sandbox.worksheet(WS_MAIN)
    rank = {cid: n for n, cid in enumerate(raw["categoriesIds"])}
    walked = [model.items[i] for i in model.walk]
    assert len(walked) == len(raw["items"])
    keys = [(rank[i.category_id], i.name.casefold()) for i in walked]
    assert keys == sorted(keys)
    # The first aisle is fruit and vegetables, alphabetically.
    assert [i.name for i in walked[:3]] == [
        "Baby spinach 200g",
        "Bananas, loose (approx. 500 g each)",
        "Hass avocados (approx. 250 g each)",
    ]
    assert model.current.name == "Baby spinach 200g"


@pytest.mark.parametrize(
    ("notes", "shown"),
    [("wrap each glass in paper", ["wrap each glass in paper"]), (7, []), (None, []), ({"content": "cold"}, ["cold"])],
)
def test_an_order_source_s_notes_as_one_value_are_read_as_one_note(notes, shown):
    doc = Sandbox().worksheet(WS_MAIN)
    item = next(item for item in doc["items"] if item["id"] == "804")
    item["orderSource"][0]["notes"] = notes
    model = PickProgress(Worksheet.model_validate(doc))
    assert model.items["804"].notes == shown


def test_progress_counts_what_the_server_already_completed(sandbox):
    model = walk(sandbox, barcodes=False)
    raw = sandbox.worksheet(WS_MAIN)["items"]
    done = sum(1 for i in raw if i["completedQuantity"] >= i["originalQuantity"])
    units_done = sum(i["completedQuantity"] for i in raw)
    units = sum(i["originalQuantity"] for i in raw)
    assert counts_text(model.counts()) == f"{done}/{len(raw)} items · {units_done:g}/{units:g} units"
    eggs = model.items["203"]  # 2 ordered, 1 already picked on the server
    assert (eggs.quantity, eggs.server_picked, eggs.need, eggs.left) == (2, 1, 1, 1)
    assert model.items["601"].status == "done"  # fully picked on the server


def test_orders_give_the_items_their_ean_and_split(sandbox):
    model = walk(sandbox)
    milk = model.items["201"]
    assert milk.ean == ean_of(sandbox, "201")
    assert milk.split == [("1509750516095-01", 3), ("1509760516101-01", 2), ("1509770516104-01", 1)]
    assert model.items["401"].weighable and model.items["401"].ean.startswith("20")


# --------------------------------------------------------------------------- scans


def test_the_right_ean_counts_one_unit_and_is_saved_first(sandbox, store):
    model = walk(sandbox, store)
    milk = model.items["201"]
    model.open("201")
    outcome = model.scan(milk.ean + "\n")
    assert outcome.kind == "pick" and outcome.units == 1
    assert milk.units == 1 and milk.status == "partial"
    saved = store.load_progress(WS_MAIN)
    assert saved.item("201").units == 1
    assert [e.code for e in store.pick_events(WS_MAIN)] == [milk.ean]


def test_a_quantity_prefix_counts_that_many(sandbox, store):
    model = walk(sandbox, store)
    model.open("201")
    outcome = model.scan(f"3*{model.items['201'].ean}")
    assert outcome.kind == "pick" and outcome.units == 3
    assert store.load_progress(WS_MAIN).item("201").units == 3


def test_a_scale_label_confirms_the_item_and_records_its_weight(sandbox, store):
    model = walk(sandbox, store)
    model.open("401")
    outcome = model.scan(SCALE_LABEL_200G)
    assert outcome.kind == "pick" and outcome.weight_kg == pytest.approx(0.2)
    assert model.items["401"].status == "done"
    saved = store.load_progress(WS_MAIN).item("401")
    assert saved.units == 1 and saved.weight_kg == pytest.approx(0.2)


def test_a_configured_price_layout_reads_the_label_without_a_weight(sandbox, store):
    settings = ScanSettings.from_config("enter", "price:2-7:7-12")
    model = walk(sandbox, store, settings=settings)
    model.open("401")
    outcome = model.scan(SCALE_LABEL_200G)
    assert outcome.kind == "pick" and outcome.weight_kg is None


@pytest.mark.parametrize(
    ("code", "title", "scanned_item"),
    [
        ("4006381333932", "Misread", ""),  # bad check digit
        ("4006381333931", "Unknown code", ""),  # valid EAN, not on this worksheet
        (None, "Wrong item", "Whole milk 1 L"),  # another item's EAN
    ],
)
def test_bad_scans_block_and_count_nothing(sandbox, store, code, title, scanned_item):
    model = walk(sandbox, store)
    code = code or model.items["201"].ean
    before = counts_text(model.counts())
    outcome = model.scan(code)
    assert outcome.blocking and said(outcome).title == title
    assert outcome.scanned == code and said(outcome).scanned_item == scanned_item
    assert (
        said(outcome).expected == "Baby spinach 200g" and said(outcome).expected_code == f"EAN {ean_of(sandbox, '106')}"
    )
    assert counts_text(model.counts()) == before and model.current.name == "Baby spinach 200g"
    assert store.pick_events(WS_MAIN) == []


def test_the_walk_returns_codes_and_data_and_the_ui_words_them(sandbox, store):
    """picking.py speaks no language: an outcome is a code with its numbers and names; the words
    come from the UI (walk_words), in the user's language."""
    import ast
    import inspect

    from pickterm import picking
    from pickterm.i18n import set_language

    tree = ast.parse(inspect.getsource(picking))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not called & {"_", "N_"} and "Any" not in names  # no translated sentence, no explicit Any
    model = walk(sandbox, store)
    model.open("201")  # 6 to pick
    outcome = model.scan(f"7*{model.items['201'].ean}")
    assert outcome.code == picking.Code.TOO_MANY
    assert (outcome.name, outcome.units, outcome.left, outcome.need) == ("Whole milk 1 L", 7, 6, 6)
    counted = model.scan(f"2*{model.items['201'].ean}")
    assert counted.code == picking.Code.COUNTED and (counted.units, counted.picked, counted.need) == (2, 2, 6)
    assert said(counted).detail == "2 × Whole milk 1 L (2 of 6)"
    set_language("es")
    try:
        assert said(outcome).title == "Demasiadas piezas"
        assert said(counted).title == "Contado"
    finally:
        set_language("en")


def test_more_units_than_needed_are_refused(sandbox, store):
    model = walk(sandbox, store)
    model.open("201")  # 6 to pick
    outcome = model.scan(f"7*{model.items['201'].ean}")
    assert outcome.blocking and said(outcome).title == "Too many" and "needs only 6 more" in said(outcome).detail
    assert model.items["201"].units == 0 and store.pick_events(WS_MAIN) == []
    model.scan(f"6*{model.items['201'].ean}")
    model.open("201")
    again = model.scan(model.items["201"].ean)
    assert said(again).title == "Too many" and "already complete" in said(again).detail
    assert store.load_progress(WS_MAIN).item("201").units == 6


def test_a_finished_item_moves_on_to_the_next_open_one(sandbox, store):
    model = walk(sandbox, store)
    outcome = model.scan(ean_of(sandbox, "106"))  # spinach: 1 needed
    assert outcome.moved and model.current.name == "Bananas, loose (approx. 500 g each)"
    assert store.load_progress(WS_MAIN).current_item == model.current_id


def test_without_orders_items_are_found_by_sku_and_reference_code(sandbox, store):
    model = walk(sandbox, store, barcodes=False)
    model.load_barcodes([], missing=worksheet(sandbox).order_ids)
    unknown = model.scan(ean_of(sandbox, "106"))
    assert said(unknown).title == "Unknown code" and "could not be loaded" in said(unknown).detail
    assert code_text(model.current.codes) == f"SKU 106 · ref {model.current.reference_code}"
    assert model.scan("106").kind == "pick"
    bananas = model.current
    assert model.scan(bananas.reference_code).kind == "pick" and bananas.units == 1


def test_units_by_key_for_items_without_a_barcode(sandbox, store):
    model = walk(sandbox, store, barcodes=False)
    model.load_barcodes([])
    model.open("201")
    assert model.add_unit().kind == "pick" and model.add_unit().kind == "pick"
    assert model.items["201"].units == 2
    assert model.remove_unit().units == -1
    assert store.load_progress(WS_MAIN).item("201").units == 1
    model.remove_unit()
    assert said(model.remove_unit()).title == "Nothing to remove"


# --------------------------------------------------------------------------- skip, short, undo, summary


def test_skip_moves_the_item_to_the_end_and_a_scan_brings_it_back(sandbox, store):
    model = walk(sandbox, store)
    first = model.current_id
    second = model.walk[1]
    assert model.skip().moved
    assert model.walk[-1] == first and model.current_id == second
    assert model.items[first].status == "skipped"
    model.open(model.walk[0])
    model.skip()
    assert model.walk[-2:] == [first, second]  # skipped items keep their skip order
    model.open(first)
    model.scan(ean_of(sandbox, first))
    assert model.items[first].status == "done" and model.walk[0] == first
    assert store.load_progress(WS_MAIN).item(first).state == "todo"


def test_short_keeps_the_reason_and_the_summary_lists_it(sandbox, store):
    model = walk(sandbox, store)
    model.open("201")
    model.scan(model.items["201"].ean)
    assert said(model.short("out of stock")).title == "Short"
    milk = model.items["201"]
    assert milk.status == "short" and milk.reason == "out of stock"
    saved = store.load_progress(WS_MAIN).item("201")
    assert (saved.state, saved.reason, saved.units) == ("short", "out of stock", 1)
    summary = model.summary()
    assert [(i.name, i.reason, i.picked) for i in summary.short] == [("Whole milk 1 L", "out of stock", 1)]
    assert "out of stock" in SHORT_REASONS


def test_undo_takes_back_the_last_confirmation_and_returns_to_its_item(sandbox, store):
    model = walk(sandbox, store)
    spinach = model.current_id
    model.scan(ean_of(sandbox, spinach))  # done: moves on
    assert model.current_id != spinach
    outcome = model.undo()
    assert said(outcome).title == "Undone" and model.current_id == spinach
    assert model.items[spinach].units == 0 and store.pick_events(WS_MAIN) == []
    assert said(model.undo()).title == "Nothing to undo"


# --------------------------------------------------------------------------- two terminals, one store


def test_two_terminals_on_one_store_never_count_the_same_units_twice(sandbox, tmp_path):
    path = tmp_path / "state.db"
    with StateDB.open(path=path) as db_a, StateDB.open(path=path) as db_b:
        a, b = walk(sandbox, db_a), walk(sandbox, db_b)  # both walks opened before either scanned
        a.open("101")
        b.open("101")
        bananas = a.items["101"]
        assert bananas.need == 2
        assert b.scan(bananas.ean).kind == "pick" and a.scan(bananas.ean).kind == "pick"
        assert bananas.units == 2 and bananas.status == "done"  # a's walk took the store's count
        refused = b.scan(bananas.ean)  # b still thinks 1 of 2
        assert refused.blocking and said(refused).title == "Already picked elsewhere"
        assert "the store counts 2 of 2" in said(refused).detail and "Nothing was counted" in said(refused).detail
        assert b.items["101"].units == 2 and b.current_id != "101"  # b took the store's count and moved on
        assert db_b.load_progress(WS_MAIN).item("101").units == 2 and len(db_a.pick_events(WS_MAIN)) == 2
        # a's undo takes back a's own unit, and the item is no longer done anywhere.
        undone = a.undo()
        assert said(undone).title == "Undone" and "(1 of 2)" in said(undone).detail and bananas.status == "partial"
        assert db_b.load_progress(WS_MAIN).item("101").units == 1
        b.open("101")
        assert b.scan(bananas.ean).kind == "pick" and b.items["101"].units == 2
        # A unit added by key is refused the same way.
        b.open("101")
        assert said(b.add_unit()).title == "Too many"  # b knows now
        a_milk, b_milk = a.items["201"], b.items["201"]
        a.open("201")
        b.open("201")
        for _ in range(a_milk.need):
            assert a.add_unit().kind == "pick"
        assert said(b.add_unit()).title == "Already picked elsewhere" and b_milk.units == a_milk.need


def test_an_undo_after_another_terminal_changed_the_item_never_goes_below_none(sandbox, tmp_path):
    path = tmp_path / "state.db"
    with StateDB.open(path=path) as db_a, StateDB.open(path=path) as db_b:
        a = walk(sandbox, db_a)
        a.open("101")
        assert a.scan(a.items["101"].ean).kind == "pick"
        b = walk(sandbox, db_b)  # opened after a's pick: sees 1 of 2
        b.open("101")
        assert b.remove_unit().units == -1  # b takes the unit back: the store counts 0
        outcome = a.undo()
        assert (
            outcome.blocking
            and said(outcome).title == "Not undone"
            and "the store counts 0 of 2" in said(outcome).detail
        )
        assert a.items["101"].units == 0 and db_a.load_progress(WS_MAIN).item("101").units == 0
        assert [e.units for e in db_a.pick_events(WS_MAIN)] == [1, -1]
        # b's own undo (of its unit taken back) is allowed: 1 of 2 again, shown as the store counts it.
        undone = b.undo()
        assert said(undone).title == "Undone" and b.items["101"].units == 1 and "(1 of 2)" in said(undone).detail


def settle_by_scans(model: PickProgress, item_ids) -> object:
    """Scan every unit of these items (a weighed one by its 200 g label); the last outcome."""
    last = None
    for item_id in item_ids:
        model.open(item_id)
        item = model.items[item_id]
        last = model.scan(SCALE_LABEL_200G if item.ean == HAM_EAN else f"{item.left}*{item.ean}")
        assert last.kind == "pick", said(last).message
    return last


def test_settling_the_last_item_finishes_and_the_summary_groups_everything(sandbox, store):
    model = walk(sandbox, store)
    open_items = [i for i in model.walk if not model.items[i].settled]
    skipped, short = open_items[0], open_items[1]
    model.open(skipped)
    model.skip()
    model.open(short)
    model.short("damaged")
    last = settle_by_scans(model, open_items[2:])
    # A skipped item is still to pick: the worksheet is not finished.
    assert not last.finished and not model.all_settled
    summary = model.summary()
    assert [i.id for i in summary.skipped] == [skipped] and not summary.settled
    assert [(i.id, i.reason) for i in summary.short] == [(short, "damaged")]
    assert summary.open == [] and len(summary.done) == len(model.items) - 2
    assert model.current_id == skipped  # the walk waits on the skipped item
    # Once it is picked, the worksheet is finished.
    last = settle_by_scans(model, [skipped])
    assert last.finished and model.all_settled and model.summary().settled


def test_reopening_lands_on_the_same_item_with_the_same_counts(sandbox, store):
    model = walk(sandbox, store)
    model.scan(ean_of(sandbox, "106"))
    model.open("201")
    model.scan(f"2*{model.items['201'].ean}")
    model.skip()
    model.open("401")
    model.scan(SCALE_LABEL_200G)
    model.open("603")
    again = walk(sandbox, store)
    assert again.current_id == "603"
    assert counts_text(again.counts()) == counts_text(model.counts())
    assert again.walk == model.walk
    assert again.items["401"].weight_kg == pytest.approx(0.2)


def test_a_store_that_refuses_the_write_counts_nothing(sandbox, store):
    model = walk(sandbox, store)
    store.close()
    outcome = model.scan(ean_of(sandbox, "106"))
    assert outcome.blocking and said(outcome).title == "Not saved"
    assert model.current.units == 0


def test_names_with_markup_stay_text(sandbox):
    model = walk(sandbox)
    tomatoes = next(i for i in model.items.values() if "[organic]" in i.name)
    model.open(tomatoes.id)
    outcome = model.scan("4006381333931")
    assert said(outcome).expected == "Tomatoes [organic] 500g"


def test_a_big_worksheet_walks_every_item(tmp_path):
    sandbox = Sandbox.with_big_worksheet()
    ws = worksheet(sandbox, sandbox.big_worksheet_id)
    with StateDB.open(path=tmp_path / "big.db") as db:
        model = PickProgress(ws, store=db, progress=db.load_progress(ws.worksheet_id))
        model.load_barcodes(orders(sandbox, ws))
        assert len(model.walk) == 1000 and model.counts().items_total == 1000
        first = model.current
        assert model.scan(first.ean).kind == "pick"
        assert db.load_progress(ws.worksheet_id).item(first.id).units == 1


ACTIONS = ("scan", "scan2", "add", "remove", "skip", "short", "undo", "next", "previous", "wrong")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(ACTIONS), max_size=25))
def test_running_totals_and_a_reopened_walk_agree_with_every_item(sandbox, tmp_path_factory, actions):
    path = tmp_path_factory.mktemp("walk") / "state.db"
    with StateDB.open(path=path) as db:
        model = walk(sandbox, db)
        for action in actions:
            item = model.current
            if action == "scan":
                model.scan(item.ean)
            elif action == "scan2":
                model.scan(f"2*{item.ean}")
            elif action == "add":
                model.add_unit()
            elif action == "remove":
                model.remove_unit()
            elif action == "skip":
                model.skip()
            elif action == "short":
                model.short("expired")
            elif action == "undo":
                model.undo()
            elif action == "wrong":
                assert model.scan("4006381333931").blocking
            else:
                getattr(model, action)()
            items = list(model.items.values())
            assert model.counts().items_done == sum(i.status == "done" for i in items)
            assert model.counts().units_done == sum(i.server_done + i.picked for i in items)
            assert model.all_settled == all(i.finished for i in items)
            assert all(0 <= i.units <= i.need for i in items)
        again = walk(sandbox, db)
        assert counts_text(again.counts()) == counts_text(model.counts())
        assert again.walk == model.walk and again.current_id == model.current_id
        assert {i.id: (i.units, i.status) for i in again.items.values()} == {
            i.id: (i.units, i.status) for i in model.items.values()
        }
