"""track and outbox as a user runs them when things go wrong: order per order, one
target per entry, bad ids, unknown outcomes, and a local store that fails."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from pickterm.commands.track import build_update
from pickterm.sandbox import DEMO_API_KEY, Sandbox, serve_in_thread
from pickterm.sandbox.data import ORDER_ON_ROUTE, ORDER_WEIGHABLE
from pickterm.store import database as store_database
from pickterm.store.outbox import Outbox, Target
from pickterm.store.state import StateDB, StateError, state_path

from apphelpers import one_line, run, urls

FAR_UNREAD = ("--far-date", "--replace")  # a date of 2025, for an order that cannot be read (the server fails)


def entries(states=("pending", "failed", "uncertain", "sent", "superseded")):
    with StateDB.open() as db:
        return Outbox(db).list(states)


def test_a_newer_write_queues_behind_an_older_pending_one_and_the_newer_wins(capsys, server):
    server.sandbox.fail_rate = 1  # the order cannot be read either: --replace sends anyway
    code, _, _ = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "2025-02-10T09:00:00Z", *FAR_UNREAD, *urls(server))
    assert code == 3
    server.sandbox.fail_rate = 0
    code, _, err = run(
        capsys, "track", ORDER_ON_ROUTE, "--delivered", "2025-02-10T18:30:00Z", "--far-date", *urls(server)
    )
    line = one_line(err)
    assert code == 3 and "queued as outbox entry #2 behind #1" in line and "outbox supersede 1" in line
    assert server.sandbox.tracking_writes == []
    code, out, _ = run(capsys, "outbox", "list")
    assert "waits behind #1 (pending) for the same order" in out
    code, out, _ = run(capsys, "outbox", "flush", *urls(server))
    assert code == 0 and "#1 order" in out and "#2 order" in out
    assert server.sandbox.order(ORDER_ON_ROUTE)["deliveredDate"] == "2025-02-10T18:30:00.000Z"


def test_superseding_the_older_write_keeps_it_as_history_and_never_sends_it(capsys, server):
    server.sandbox.fail_rate = 1
    run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "2025-02-10T09:00:00Z", *FAR_UNREAD, *urls(server))
    server.sandbox.fail_rate = 0
    run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "2025-02-10T18:30:00Z", "--far-date", *urls(server))
    code, out, _ = run(capsys, "outbox", "supersede", "1")
    assert code == 0 and "superseded" in out and "never sent" in out
    code, out, _ = run(capsys, "outbox", "flush", *urls(server))
    assert code == 0
    assert [w[1]["deliveredDate"] for w in server.sandbox.tracking_writes] == ["2025-02-10T18:30:00.000Z"]
    code, out, _ = run(capsys, "outbox", "list", "--all")
    assert "#1    superseded" in out and "#2    sent" in out


@pytest.mark.parametrize("bad", ["9" * 100_000, "nope-01"])
def test_ids_that_cannot_be_order_ids_exit_2_and_queue_nothing(capsys, server, bad):
    code, out, err = run(capsys, "track", bad, "--delivered", "now", *urls(server))
    line = one_line(err)
    assert code == 2 and "ORDER_ID" in line and len(line) < 200
    assert not state_path().exists() or entries() == []
    assert server.sandbox.requests == []


def test_entries_go_only_to_the_target_they_were_written_for(capsys, monkeypatch):
    monkeypatch.setenv("PICKTERM_API_KEY", DEMO_API_KEY)
    with serve_in_thread(Sandbox(fail_rate=1)) as store_a, serve_in_thread(Sandbox()) as store_b:
        assert run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", "--replace", *urls(store_a))[0] == 3
        code, out, _ = run(capsys, "outbox", "flush", *urls(store_b))
        assert code == 0 and "1 pending for other profiles or URLs, left as they are" in out
        assert store_b.sandbox.tracking_writes == []
        code, out, _ = run(capsys, "outbox", "list")
        assert f"to: default @ {store_a.url.split('://')[1]}" in out
        store_a.sandbox.fail_rate = 0
        code, out, _ = run(capsys, "outbox", "flush", *urls(store_a))
        assert code == 0 and len(store_a.sandbox.tracking_writes) == 1
    [entry] = entries()
    assert entry.state == "sent" and entry.api_url == store_a.url and entry.profile == "default"


def test_an_uncertain_events_write_is_listed_as_may_have_been_sent_until_the_user_decides(capsys, server):
    with StateDB.open() as db:  # a sender was killed while this write was in flight
        outbox = Outbox(db)
        entry = outbox.add(
            ORDER_WEIGHABLE, build_update(None, ["Lima|LIM|Out|now"]), Target("default", server.url, server.url)
        )
        with db.write() as conn:
            conn.execute("UPDATE outbox SET claimed_by = 'elsewhere:1:x', lease_until = 0, attempts = 1")
    code, out, _ = run(capsys, "outbox", "flush", *urls(server))
    assert code == 0 and server.sandbox.tracking_writes == []  # never re-sent on its own
    code, out, _ = run(capsys, "outbox", "list")
    assert "uncertain" not in out and "may have been sent" in out  # one word for one state
    assert f"pickterm get order {ORDER_WEIGHABLE}" in out and f"outbox retry {entry.id}" in out
    assert "1 may have been sent" in out
    code, out, _ = run(capsys, "outbox", "retry", str(entry.id))
    assert code == 0
    code, out, _ = run(capsys, "outbox", "flush", *urls(server))
    assert code == 0 and len(server.sandbox.tracking_writes) == 1


def test_accepted_but_not_recorded_is_told_as_accepted(capsys, server, monkeypatch):
    def refuse(self, *args):
        raise StateError("State database x: the disk is full; free some space")

    monkeypatch.setattr(Outbox, "_finish", refuse)
    monkeypatch.setattr("pickterm.store.outbox.RECORD_PAUSES", (0.0, 0.0))
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", *urls(server))
    line = one_line(err)
    assert code == 4 and "accepted by the server" in line and "Do not send it again" in line
    assert "try again" not in line and "failed" not in line
    assert len(server.sandbox.tracking_writes) == 1


def test_a_stored_write_whose_send_cannot_start_is_reported_queued_not_failed(capsys, server, monkeypatch):
    def full(self, *args):
        raise StateError("State database x: the disk is full; free some space")

    monkeypatch.setattr(Outbox, "_claim", full)
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", *urls(server))
    line = one_line(err)
    assert code == 3 and "stored as outbox entry #1, not sent yet" in line and "the disk is full" in line
    assert "failed" not in line
    assert [e.state for e in entries()] == ["pending"]


def test_local_store_failures_exit_4_and_a_full_disk_is_called_so(capsys, server, monkeypatch):
    state_path().parent.mkdir(parents=True, mode=0o700)
    state_path().write_bytes(b"this is not a database" * 100)
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", *urls(server))
    assert code == 4 and "nothing was sent" in one_line(err)
    assert server.sandbox.tracking_writes == []
    db = StateDB(state_path(), sqlite3.connect(":memory:"))
    assert "the disk is full" in str(db._error(sqlite3.OperationalError("database or disk is full")))
    monkeypatch.setattr(store_database.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(100, 100, 0))
    assert "the disk is full" in str(db._error(sqlite3.OperationalError("disk I/O error")))


def test_outbox_list_reads_while_another_process_holds_the_write_lock(capsys, server):
    server.sandbox.fail_rate = 1
    run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", "--replace", *urls(server))
    holder = sqlite3.connect(state_path(), isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        code, out, err = run(capsys, "outbox", "list")
        assert code == 0 and "#1" in out and "1 pending" in out, err
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_an_entry_stored_before_targets_is_never_sent_until_retry_gives_it_this_profile(capsys, server):
    with StateDB.open() as db:  # as an older pickterm stored it: no profile, no URLs
        entry = Outbox(db).add(ORDER_ON_ROUTE, build_update("2025-02-10T09:00:00Z", []))
    code, out, _ = run(capsys, "outbox", "flush", *urls(server))
    assert code == 0 and server.sandbox.tracking_writes == []
    assert entries()[0].state == "pending"  # not sent, not dropped
    code, out, _ = run(capsys, "outbox", "list")
    assert "to: unknown" in out and "'retry' assigns this profile" in out
    assert run(capsys, "outbox", "retry", str(entry.id), *urls(server))[0] == 0
    code, out, _ = run(capsys, "outbox", "flush", *urls(server))
    assert code == 0 and len(server.sandbox.tracking_writes) == 1


def test_a_write_whose_sender_was_killed_mid_patch_lists_as_may_have_been_sent_at_once(capsys):
    import json
    import socket
    import subprocess
    import sys
    import time

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with StateDB.open() as db:  # a `pickterm track` killed while its PATCH was on the way; nobody flushed since
        outbox = Outbox(db)
        entry = outbox.add(ORDER_WEIGHABLE, build_update(None, ["Lima|LIM|Out|now"]), Target("default", "x", "y"))
        with db.write() as conn:
            conn.execute(
                "UPDATE outbox SET claimed_by = ?, lease_until = ?, attempts = 1",
                (f"{socket.gethostname()}:{gone.pid}:x", time.time() + 600),
            )
    code, out, _ = run(capsys, "outbox", "list")
    assert code == 0
    first, *_, summary = out.splitlines()
    assert first.startswith(f"#{entry.id}") and "may have been sent" in first and "pending" not in first
    assert summary == "0 pending, 0 failed, 1 may have been sent"
    code, out, _ = run(capsys, "outbox", "list", "--json")
    assert json.loads(out)["state"] == "uncertain"
