"""Local state: resumable pick progress, recent lookups, schema, two processes at once."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from pickterm.store.outbox import Outbox
from pickterm.store.state import MIGRATION_MARKS, MIGRATIONS, PickRefused, StateDB, StateError, state_path

WS = "546744628006"


def test_real_and_demo_databases_are_separate_files(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    with StateDB.open() as real, StateDB.open(demo=True) as demo:
        demo.add_pick(WS, "73", 2)
        assert real.path == tmp_path / "pickterm" / "state.db"
        assert demo.path == tmp_path / "pickterm" / "demo-state.db"
        assert real.load_progress(WS).item("73").units == 0
        assert demo.load_progress(WS).item("73").units == 2
    assert stat.S_IMODE(os.stat(state_path()).st_mode) == 0o600


def test_progress_survives_reopening():
    with StateDB.open() as db:
        db.add_pick(WS, "73", 1, code="7891000100103")
        db.add_pick(WS, "73", 3)
        db.add_pick(WS, "75", 1, weight_kg=0.19, code="2001234001904")
        db.add_pick(WS, "75", 1, weight_kg=0.21)
        db.set_item_state(WS, "88", "short", "out of stock")
        db.set_current_item(WS, "116")
    with StateDB.open() as db:
        progress = db.load_progress(WS)
    assert progress.current_item == "116"
    assert progress.item("73").units == 4 and progress.item("73").weight_kg is None
    assert progress.item("75").units == 2 and progress.item("75").weight_kg == pytest.approx(0.40)
    assert (progress.item("88").state, progress.item("88").reason) == ("short", "out of stock")
    assert progress.item("73").updated_at is not None


def test_unknown_items_and_worksheets_are_fresh_todo(db):
    progress = db.load_progress("000000000000")
    assert progress.current_item is None and progress.items == {}
    item = progress.item("1224")
    assert (item.item_id, item.units, item.state, item.weight_kg) == ("1224", 0, "todo", None)


def test_undo_removes_exactly_the_last_pick(db):
    db.add_pick(WS, "75", 1, weight_kg=0.19, code="A")
    db.add_pick(WS, "73", 2, code="B")
    db.add_pick(WS, "75", 1, weight_kg=0.25, code="C")
    undone, _total = db.undo_pick(WS)
    assert (undone.item_id, undone.units, undone.weight_kg, undone.code) == ("75", 1, 0.25, "C")
    progress = db.load_progress(WS)
    assert progress.item("75").units == 1 and progress.item("75").weight_kg == pytest.approx(0.19)
    assert progress.item("73").units == 2
    assert db.undo_pick(WS)[0].code == "B"
    assert db.undo_pick(WS)[0].code == "A"
    assert db.undo_pick(WS) is None
    assert db.load_progress(WS).item("75").weight_kg is None


def test_undo_only_touches_its_own_worksheet(db):
    db.add_pick(WS, "73", 1)
    db.add_pick("other", "73", 5)
    assert db.undo_pick(WS)[0].units == 1
    assert db.load_progress("other").item("73").units == 5


def test_skipped_items_keep_their_skip_order(db):
    db.set_item_state(WS, "88", "skipped")
    db.set_item_state(WS, "73", "skipped", "shelf blocked")
    db.set_item_state(WS, "116", "skipped")
    db.set_item_state(WS, "88", "skipped")  # skipped again: goes to the very end
    progress = db.load_progress(WS)
    skipped = sorted((i for i in progress.items.values() if i.state == "skipped"), key=lambda i: i.skip_seq)
    assert [i.item_id for i in skipped] == ["73", "116", "88"]
    assert progress.item("73").reason == "shelf blocked"
    db.set_item_state(WS, "73", "todo", "ignored")
    back = db.load_progress(WS).item("73")
    assert (back.state, back.reason) == ("todo", None)
    with pytest.raises(ValueError, match="item state"):
        db.set_item_state(WS, "73", "lost")


def test_reset_forgets_one_worksheet(db):
    db.add_pick(WS, "73", 1)
    db.set_item_state(WS, "88", "skipped")
    db.set_current_item(WS, "88")
    db.add_pick("other", "73", 1)
    db.reset_progress(WS)
    progress = db.load_progress(WS)
    assert progress.items == {} and progress.current_item is None
    assert db.load_progress("other").item("73").units == 1


def test_worksheets_touched_come_newest_first_whatever_touched_them(db, monkeypatch):
    from pickterm.store import picks

    moments = iter(f"2025-02-11T09:{minute:02d}:00.000+00:00" for minute in range(60))
    monkeypatch.setattr(picks, "now_iso", lambda: next(moments))
    db.add_pick("A", "73", 1)
    db.set_item_state("B", "88", "skipped")
    db.set_current_item("C", "88")
    db.add_pick("A", "74", 1)  # A again: the newest
    assert db.worksheets_touched(10) == ["A", "C", "B"]
    assert db.worksheets_touched(2) == ["A", "C"]
    db.reset_progress("A")
    assert db.worksheets_touched(10) == ["C", "B"]


def test_the_store_owns_its_sql():
    """Home's product search asks the store which worksheets were opened here: no SQL of its own."""
    import inspect

    from pickterm import resolve

    source = inspect.getsource(resolve)
    assert "SELECT" not in source and ".execute(" not in source and ".read()" not in source


def test_recent_lookups_newest_first_deduplicated_and_capped(db):
    db.add_recent("order", "1509750516095-01")
    db.add_recent("worksheet", WS)
    db.add_recent("shipment", "550693447769717380942093217914")
    db.add_recent("order", "1509750516095-01")  # opened again: back to the top
    assert [(r.kind, r.ident) for r in db.recent()] == [
        ("order", "1509750516095-01"),
        ("shipment", "550693447769717380942093217914"),
        ("worksheet", WS),
    ]
    for n in range(60):
        db.add_recent("order", f"o{n}")
    recent = db.recent()
    assert len(recent) == 50 and recent[0].ident == "o59" and recent[-1].ident == "o10"
    assert len(db.recent(limit=5)) == 5
    with pytest.raises(ValueError):
        db.add_recent("facility", "x")


def test_private_dir_makes_every_missing_level_0700_and_leaves_the_rest(tmp_path):
    from pickterm.store import private_dir

    (tmp_path / "shared").mkdir()
    (tmp_path / "shared").chmod(0o755)
    old_umask = os.umask(0o022)
    try:
        made = private_dir(tmp_path / "shared" / "a" / "b" / "c")
        assert private_dir(made) == made  # already there: fine
    finally:
        os.umask(old_umask)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "shared").rglob("*")}
    assert modes == {"a": 0o700, "b": 0o700, "c": 0o700}
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o755  # not pickterm's: left alone
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        private_dir(tmp_path / "file" / "sub")


def test_recent_lookups_belong_to_their_profile(db):
    db.add_recent("order", "o-shop1", "shop1")
    db.add_recent("order", "o-shop2", "shop2")
    db.add_recent("order", "o-both", "shop1")
    db.add_recent("order", "o-both", "shop2")  # one id in two profiles: each has it
    assert [r.ident for r in db.recent(profile="shop1")] == ["o-both", "o-shop1"]
    assert [r.ident for r in db.recent(profile="shop2")] == ["o-both", "o-shop2"]
    assert db.recent(profile="shop3") == []
    for n in range(60):  # the cap is per profile: a busy one never pushes out another's
        db.add_recent("worksheet", f"w{n}", "shop2")
    assert len(db.recent(profile="shop2")) == 50
    assert [r.ident for r in db.recent(profile="shop1")] == ["o-both", "o-shop1"]


def test_recent_lookups_from_before_profiles_stay_readable(tmp_path):
    """A database of the previous schema: its recent lookups are listed by every profile, and
    become a profile's own when that profile opens them again."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in migration.split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO recent (kind, ident, opened_at) VALUES ('order', 'old-1', '2025-01-01T00:00:00Z')")
    conn.execute("INSERT INTO recent (kind, ident, opened_at) VALUES ('worksheet', 'old-2', '2025-01-02T00:00:00Z')")
    conn.close()
    with StateDB.open(path=path) as db:
        assert db.schema_version == len(MIGRATIONS)
        for profile in ("shop1", "shop2"):
            assert [(r.kind, r.ident) for r in db.recent(profile=profile)] == [
                ("worksheet", "old-2"),
                ("order", "old-1"),
            ]
        db.add_recent("order", "old-1", "shop1")
        assert [r.ident for r in db.recent(profile="shop1")] == ["old-1", "old-2"]
        assert [r.ident for r in db.recent(profile="shop2")] == ["old-2"]


def _apply(conn, *numbers):
    for number in numbers:
        for statement in MIGRATIONS[number].split(";"):
            if statement.strip():
                conn.execute(statement)


def _schema_has(conn, mark):
    table, _dot, column = mark.partition(".")
    columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    return bool(columns) and (not column or column in columns)


def test_each_migration_leaves_its_mark_and_no_earlier_one_does(tmp_path):
    """The mark that tells a migration has run appears with it, not before: a missing or wrong
    mark would run a migration twice or never."""
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    assert len(MIGRATION_MARKS) == len(MIGRATIONS)
    for number, mark in enumerate(MIGRATION_MARKS):
        assert not _schema_has(conn, mark), mark
        _apply(conn, number)
        assert all(_schema_has(conn, earlier) for earlier in MIGRATION_MARKS[: number + 1]), mark
    conn.close()


def test_a_database_whose_build_numbered_the_facility_cache_third_opens_with_everything_kept(tmp_path):
    """A build made beside another numbered its facility cache migration 3, where main has the
    recent lookups' profile: its database (user_version 3) opens, keeps its recent lookups,
    progress, outbox and cached facility, and gains what it lacked."""
    path = tmp_path / "side.db"
    conn = sqlite3.connect(path, isolation_level=None)
    _apply(conn, 0, 1, 3)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("INSERT INTO recent (kind, ident, opened_at) VALUES ('order', 'o-1', '2026-12-03T08:00:00Z')")
    conn.execute(
        "INSERT INTO pick_event (worksheet_id, item_id, units, created_at) VALUES (?, '73', 2, '2026-12-03T08:01:00Z')",
        (WS,),
    )
    conn.execute(
        "INSERT INTO outbox (order_id, payload, created_at) VALUES ('o-1', '{\"trackingNumber\": \"T1\"}', 'x')"
    )
    conn.execute(
        "INSERT INTO facility_cache (facility_id, body, fetched_at) VALUES ('f1', '{\"name\": \"North\"}', ?)",
        (time.time(),),
    )
    conn.close()
    with StateDB.open(path=path) as db:
        assert db.schema_version == len(MIGRATIONS)
        assert [(r.kind, r.ident) for r in db.recent(profile="shop1")] == [("order", "o-1")]
        assert db.load_progress(WS).item("73").units == 2
        assert db.facility_ahead() == ("f1", {"name": "North"})
        assert [e.order_id for e in Outbox(db).list()] == ["o-1"]
        db.add_recent("order", "o-2", "shop1")
        db.add_pack_units("o-1", "p1", "73", 1, limit=1)
        assert [e.units for e in db.pack_events("o-1")] == [1]
    with StateDB.open(path=path) as db:  # opening again changes nothing
        assert [r.ident for r in db.recent(profile="shop1")] == ["o-2", "o-1"]
        assert len(db.pack_events("o-1")) == 1


def test_schema_version_and_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "s.db"
    with StateDB.open(path=path) as db:
        assert db.schema_version == len(MIGRATIONS)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StateError, match="newer pickterm"):
        StateDB.open(path=path)


def test_a_corrupt_file_is_one_sentence(tmp_path):
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match=str(path)):
        StateDB.open(path=path)


def test_wal_mode_and_a_writer_waits_for_a_busy_database(tmp_path):
    path = tmp_path / "s.db"
    with StateDB.open(path=path) as db:
        assert db._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock for a while
        other.execute("INSERT INTO recent (kind, ident, opened_at) VALUES ('order', 'x', 'now')")
        released = threading.Timer(0.4, lambda: other.execute("COMMIT"))
        released.start()
        started = time.monotonic()
        db.add_pick(WS, "73", 1)  # waits (busy_timeout) instead of failing
        assert time.monotonic() - started >= 0.3
        released.join()
        other.close()
        assert db.load_progress(WS).item("73").units == 1


def test_a_database_locked_too_long_is_one_sentence(tmp_path, monkeypatch):
    from pickterm.store import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "s.db"
    with StateDB.open(path=path) as db:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StateError, match=r"is busy: another pickterm kept it locked"):
                db.add_pick(WS, "73", 1)
        finally:
            other.execute("ROLLBACK")
            other.close()
        db.add_pick(WS, "73", 1)  # usable again once the lock is gone
        assert db.load_progress(WS).item("73").units == 1


def test_a_database_locked_at_open_is_busy_not_unusable(tmp_path, monkeypatch):
    from pickterm.store import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "s.db"
    StateDB.open(path=path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StateError) as caught:
            StateDB.open(path=path)
        assert caught.value.busy and caught.value.reason == "another pickterm holds it locked"
    finally:
        other.execute("ROLLBACK")
        other.close()
    StateDB.open(path=path).close()  # opens once the lock is gone


def test_data_version_changes_when_another_connection_commits(tmp_path):
    path = tmp_path / "s.db"
    with StateDB.open(path=path) as db, StateDB.open(path=path) as other:
        before = db.data_version()
        db.add_recent("order", "mine")  # our own writes: the app knows about them already
        assert db.data_version() == before
        other.add_recent("order", "theirs")
        assert db.data_version() != before


def test_two_handles_on_one_file_never_count_an_item_past_its_need_or_below_none(tmp_path):
    path = tmp_path / "state.db"
    with StateDB.open(path=path) as one, StateDB.open(path=path) as two:
        one.add_pick(WS, "73", 1, limit=2)
        two.add_pick(WS, "73", 1, limit=2)
        with pytest.raises(PickRefused) as refused:  # the store's count, not the caller's, decides
            one.add_pick(WS, "73", 1, limit=2)
        assert refused.value.item_id == "73" and refused.value.total.units == 2
        with pytest.raises(PickRefused):
            two.add_pick(WS, "73", 2, limit=3)
        assert len(two.pick_events(WS)) == 2 and one.load_progress(WS).item("73").units == 2
        # Units taken back: never fewer than none, whoever took them.
        assert one.add_pick(WS, "73", -1)[1].units == 1
        assert two.add_pick(WS, "73", -1)[1].units == 0
        with pytest.raises(PickRefused) as refused:
            one.add_pick(WS, "73", -1)
        assert refused.value.total.units == 0 and two.load_progress(WS).item("73").units == 0


def test_an_undo_never_leaves_an_item_below_none_or_past_its_need(tmp_path):
    path = tmp_path / "state.db"
    with StateDB.open(path=path) as one, StateDB.open(path=path) as two:
        mine = one.add_pick(WS, "73", 1, limit=2)[0]
        two.add_pick(WS, "73", -1)  # the other terminal took the unit back
        with pytest.raises(PickRefused) as refused:
            one.undo_pick(WS, mine)
        assert refused.value.total.units == 0 and one.load_progress(WS).item("73").units == 0
        assert [e.units for e in one.pick_events(WS)] == [1, -1]  # nothing was removed
        # The undo of a unit taken back would count past the need once the other terminal completed it.
        one.add_pick(WS, "74", 1, limit=1)
        taken_back = one.add_pick(WS, "74", -1)[0]
        two.add_pick(WS, "74", 1, limit=1)
        with pytest.raises(PickRefused):
            one.undo_pick(WS, taken_back, limits={"74": 1})
        undone = two.undo_pick(WS, limits={"74": 1})  # the newest pick, the other's own: allowed
        assert undone is not None
        event, total = undone
        assert (event.item_id, event.units, total.units) == ("74", 1, 0)


def test_threads_share_one_handle(db):
    def work(item):
        for _ in range(50):
            db.add_pick(WS, item, 1)
            db.load_progress(WS)

    threads = [threading.Thread(target=work, args=(str(n),)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    progress = db.load_progress(WS)
    assert [progress.item(str(n)).units for n in range(4)] == [50, 50, 50, 50]


def _picker(path: str, item: str, count: int, ready, go) -> None:
    with StateDB.open(path=Path(path)) as db:
        ready.set()
        go.wait(10)
        for n in range(count):
            db.add_pick(WS, item, 1, weight_kg=0.5)
            db.add_pick(WS, "shared", 1)
            if n % 10 == 0:
                db.set_item_state(WS, item, "skipped")
                db.add_recent("worksheet", f"{item}-{n}")
            if n % 25 == 0:
                db.undo_pick(WS)  # removes this process's own "shared" pick or the other's
                db.add_pick(WS, "shared", 1)
            db.set_current_item(WS, item)
            db.load_progress(WS)


def test_two_processes_writing_progress_at_once(tmp_path):
    path = tmp_path / "state.db"
    StateDB.open(path=path).close()
    ctx = multiprocessing.get_context("spawn")
    count = 300
    ready = [ctx.Event(), ctx.Event()]
    go = ctx.Event()
    procs = [ctx.Process(target=_picker, args=(str(path), item, count, ready[i], go)) for i, item in enumerate("AB")]
    for p in procs:
        p.start()
    for r in ready:
        assert r.wait(30)
    go.set()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    with StateDB.open(path=path) as db:
        assert db._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        progress = db.load_progress(WS)
        events = db.pick_events(WS)
    assert len(events) == 4 * count  # every undo was followed by a new pick
    assert progress.item("shared").units + progress.item("A").units + progress.item("B").units == 4 * count
    assert progress.item("A").state == progress.item("B").state == "skipped"
    skips = sorted(i.skip_seq for i in progress.items.values() if i.state == "skipped")
    assert len(skips) == 2 and skips[0] != skips[1]
    assert skips[1] == 2 * len(range(0, count, 10))  # every skip got the next number, none lost
    assert progress.current_item in ("A", "B")
