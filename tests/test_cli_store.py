"""The config, track and outbox commands, as a user or a script runs them."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pickterm.api.models import TrackingUpdate
from pickterm.sandbox import DEMO_API_KEY, Sandbox, serve_in_thread
from pickterm.sandbox.data import ORDER_NOT_INVOICED, ORDER_ON_ROUTE
from pickterm.store.config import config_path, load_settings
from pickterm.store.outbox import Outbox
from pickterm.store.state import StateDB, state_path

from apphelpers import one_line, run, urls

ROOT = Path(__file__).resolve().parent.parent
SECRET = "pnp-key-0123456789-abcdWXYZ"


def entries(demo: bool = False, states=("pending", "failed", "sent")):
    with StateDB.open(demo=demo) as db:
        return Outbox(db).list(states)


# ---------------------------------------------------------------- config


def test_config_path_show_set(capsys):
    code, out, _ = run(capsys, "config", "path")
    assert code == 0 and out.strip() == str(config_path())
    assert run(capsys, "config", "set", "theme", "light", "--profile", "floor")[0] == 0
    assert run(capsys, "config", "set", "api_url", "http://127.0.0.1:8000/v1", "--profile", "floor")[0] == 0
    code, out, _ = run(capsys, "config", "show", "--profile", "floor")
    assert code == 0
    assert "theme = light" in out and "api_url = http://127.0.0.1:8000/v1" in out
    assert "auth_url = https://auth.pickingnpacking.com/prod  # default" in out
    code, out, _ = run(capsys, "--profile", "floor", "config", "show")  # also before the command
    assert "theme = light" in out


def test_config_set_key_reads_stdin_and_never_prints_it(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))
    code, out, err = run(capsys, "config", "set-key", "--profile", "work")
    assert code == 0 and SECRET not in out + err and SECRET[-4:] not in out + err
    assert out.startswith("API key stored in profile work")
    assert load_settings("work").api_key_value() == SECRET
    assert os.stat(config_path()).st_mode & 0o777 == 0o600
    code, out, err = run(capsys, "config", "show", "--profile", "work")
    # Only whether a key is set: not a character of it, masked or not.
    assert SECRET[-4:] not in out + err and "\u2022" not in out
    assert "api_key = (set)  # file" in out
    assert run(capsys, "config", "set", "theme", "light", "--profile", "floor")[0] == 0
    assert "api_key = (not set)  # default" in run(capsys, "config", "show", "--profile", "floor")[1]
    monkeypatch.setenv("PICKTERM_API_KEY", SECRET + "env")
    code, out, err = run(capsys, "config", "show", "--profile", "work")
    assert SECRET not in out + err and "# env PICKTERM_API_KEY" in out


def test_config_set_key_with_empty_input_changes_nothing(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    code, _, err = run(capsys, "config", "set-key")
    assert code == 2 and "no API key" in one_line(err)
    assert not config_path().exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("theme", "neon"), "'neon' is not one of"),
        (("api_url", "http://api.example.com"), "must use https://"),
        (("colour", "red"), "unknown key 'colour'"),
        (("api_key", SECRET), "config set-key"),
        (("default_profile", "ghost"), "does not exist"),
    ],
)
def test_config_set_refuses_bad_input(capsys, args, needle):
    code, out, err = run(capsys, "config", "set", *args)
    assert code == 2 and needle in one_line(err) and out == ""
    assert SECRET not in err


BROKEN = {
    "bad TOML": ('[profiles.default]\ntheme = "dark"\napi_url = https://x\n', "line 3"),
    "unknown profile": ('default_profile = "ghost"\n', "'ghost'"),
    "invalid URL": ('[profiles.default]\nauth_url = "http://auth.example.com"\n', "https://"),
    "wrong type": ("[profiles.default]\ntheme = 3\n", "must be a string"),
    "unknown key": ('[profiles.default]\nflavour = "mint"\n', "unknown key 'flavour'"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
@pytest.mark.parametrize("command", [("config", "show"), ("track", "1-01", "--delivered", "now"), ("outbox", "flush")])
def test_a_broken_config_file_is_one_line_and_exit_2(capsys, kind, command):
    text, needle = BROKEN[kind]
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(text)
    if command[0] == "outbox":  # flush only reads the config when there is something to send
        with StateDB.open() as db:
            Outbox(db).add("1-01", TrackingUpdate.model_validate({"deliveredDate": "2025-02-13T02:00:00Z"}))
    code, out, err = run(capsys, *command)
    line = one_line(err)
    assert code == 2 and str(path) in line and needle in line


# ---------------------------------------------------------------- track


def test_track_accepted(capsys, server):
    code, out, err = run(
        capsys,
        "track",
        ORDER_ON_ROUTE,
        "--delivered",
        "2025-02-13T02:00:00Z",
        "--event",
        "São Paulo|SP|Out for delivery|2025-02-12 08:00",
        "--event",
        "São Paulo|SP|Delivered|now",
        "--far-date",  # 2025-02-13 is far from today
        *urls(server),
    )
    assert code == 0 and err == "" and ORDER_ON_ROUTE in out
    [(order_id, payload)] = server.sandbox.tracking_writes
    assert order_id == ORDER_ON_ROUTE and payload["deliveredDate"] == "2025-02-13T02:00:00.000Z"
    assert [e["description"] for e in payload["events"]] == ["Out for delivery", "Delivered"]
    assert [e.state for e in entries()] == ["sent"]


def test_track_queues_when_the_server_fails_then_flush_delivers(capsys, server):
    server.sandbox.fail_rate = 1  # the order cannot be read either: --replace sends anyway
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", "--replace", *urls(server))
    assert code == 3 and "queued, 1 pending" in one_line(err) and "Server error" in err
    [entry] = entries()
    assert entry.state == "pending" and entry.attempts == 1
    code, out, err = run(capsys, "outbox", "list")
    assert f"#{entry.id}" in out and "pending" in out and "Server error" in out and "1 pending, 0 failed" in out
    code, out, err = run(capsys, "outbox", "flush", *urls(server))
    assert code == 3 and "1 pending" in out  # still failing
    server.sandbox.fail_rate = 0
    code, out, err = run(capsys, "outbox", "flush", *urls(server))
    assert code == 0 and "sent" in out and "0 pending, 0 failed" in out
    assert len(server.sandbox.tracking_writes) == 1
    code, out, _ = run(capsys, "outbox", "flush", *urls(server))
    assert code == 0 and "Nothing to send" in out and len(server.sandbox.tracking_writes) == 1


def test_track_rejected_stays_failed_with_its_message(capsys, server):
    code, out, err = run(capsys, "track", ORDER_NOT_INVOICED, "--delivered", "now", *urls(server))
    line = one_line(err)
    assert code == 1 and out == ""
    assert "The order must be invoiced" in line and "ORA0001B" in line and "requestId" in line
    [entry] = entries()
    assert entry.state == "failed"
    code, out, _ = run(capsys, "outbox")
    assert (
        "failed" in out and "ORA0001B" in out and "The order must be invoiced" in out and "0 pending, 1 failed" in out
    )
    code, out, _ = run(capsys, "outbox", "flush", *urls(server))
    assert code == 0 and "Nothing to send" in out  # a rejection is not retried on its own
    code, out, _ = run(capsys, "outbox", "retry", str(entry.id))
    assert code == 0 and entries()[0].state == "pending"
    code, out, _ = run(capsys, "outbox", "discard", str(entry.id))
    assert code == 0 and entries() == []
    code, _, err = run(capsys, "outbox", "discard", str(entry.id))
    assert code == 2 and f"no outbox entry #{entry.id}" in one_line(err)
    assert server.sandbox.tracking_writes == []


def test_track_without_a_key_queues_and_says_how_to_fix_it(capsys, server, monkeypatch):
    monkeypatch.delenv("PICKTERM_API_KEY")
    code, _, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", "--replace", *urls(server))
    assert code == 3 and "config set-key" in one_line(err)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((), "give --delivered and/or at least one --event"),
        (("--delivered", "tomorrow-ish"), "--delivered: 'tomorrow-ish' is not a date and time"),
        (("--delivered", "2025-02-30 10:00"), "is not a valid date and time"),
        (("--event", "Lima|LIM|Delivered"), "expected CITY|STATE|DESCRIPTION|DATE"),
        (("--event", "Lima||Delivered|now"), "State is required"),
        (("--event", "Lima|LIM|Delivered|31/01/2025"), "--event 'Lima|LIM|Delivered|31/01/2025'"),
        (("--delivered", "now", "--api-url", "http://api.example.com"), "--api-url"),
    ],
)
def test_track_invalid_input_exits_2_naming_the_value(capsys, args, needle):
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, *args)
    assert code == 2 and needle in one_line(err)
    assert not state_path().exists() or entries() == []  # nothing was queued


def test_demo_track_uses_the_demo_outbox_only(capsys):
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", "--demo")
    assert code == 0, err
    assert [e.state for e in entries(demo=True)] == ["sent"]
    assert not state_path().exists() or entries() == []


# ---------------------------------------------------------------- kill -9 mid-flight


def _wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def test_kill_9_while_the_patch_is_in_flight_then_flush_sends_it_once(tmp_path):
    sandbox = Sandbox(latency_ms=2000)
    env = {**os.environ, "PICKTERM_API_KEY": DEMO_API_KEY, "PYTHONPATH": str(ROOT)}
    with serve_in_thread(sandbox) as server:
        command = [sys.executable, "-m", "pickterm"]
        proc = subprocess.Popen(
            [*command, "track", ORDER_ON_ROUTE, "--delivered", "now", *urls(server)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            # The order was read and the write stored and claimed: the PATCH leaves right away.
            _wait_for(lambda: state_path().exists() and any(e.attempts for e in entries()))
            time.sleep(0.4)
            assert sandbox.in_flight == 1 and sandbox.tracking_writes == []  # the PATCH waits at the server
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(10)
            proc.stdout.close()
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        _wait_for(lambda: sandbox.in_flight == 0)
        assert sandbox.tracking_writes == []  # the server dropped the request with its client

        [entry] = entries()
        assert entry.state == "pending" and entry.attempts == 1 and not entry.in_flight

        sandbox.latency_ms = 0
        flush = subprocess.run(
            [*command, "outbox", "flush", *urls(server)], env=env, capture_output=True, text=True, timeout=30
        )
        assert flush.returncode == 0, flush.stderr
        again = subprocess.run(
            [*command, "outbox", "flush", *urls(server)], env=env, capture_output=True, text=True, timeout=30
        )
        assert again.returncode == 0 and "Nothing to send" in again.stdout
    assert [order for order, _ in sandbox.tracking_writes] == [ORDER_ON_ROUTE]
    [entry] = entries()
    assert entry.state == "sent" and entry.attempts == 2
