"""The command line's own output: hostile server text, secrets, closed pipes, private files,
and inputs that used to crash."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_app_hostile import EVIL, hostile_sandbox

from pickterm.cli import main
from pickterm.sandbox import DEMO_API_KEY, Sandbox, serve_in_thread
from pickterm.sandbox.data import ORDER_ON_ROUTE, ORDER_REPLACED
from pickterm.store.config import config_path
from pickterm.store.outbox import Outbox
from pickterm.store.state import StateDB, state_path

from apphelpers import run, urls

ROOT = Path(__file__).resolve().parent.parent
SECRET = "pnp-key-0123456789-abcdWXYZ"
UNSAFE = set("\x1b\x07\x08\x00\x7f\x9b\r\u202e\u2066")


def one_clean_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.rstrip("\n").split("\n")
    assert len(lines) == 1, err
    assert not UNSAFE & set(lines[0]), repr(lines[0])
    return lines[0]


# ---------------------------------------------------------------- hostile server text


def test_an_id_the_server_repeats_cannot_clear_the_terminal_or_split_the_line(capsys):
    code, out, err = run(capsys, "get", "order", "1" + EVIL, "--demo")
    assert code == 1 and out == ""
    line = one_clean_line(err)
    assert "not found" in line and "[2J" in line  # shown, harmless


def test_get_prints_the_servers_text_exactly_as_json(capsys, monkeypatch):
    sandbox = hostile_sandbox()
    monkeypatch.setenv("PICKTERM_API_KEY", DEMO_API_KEY)
    with serve_in_thread(sandbox) as handle:
        code, out, err = run(capsys, "get", "order", ORDER_REPLACED + EVIL, *urls(handle))
    assert code == 0, err
    assert not UNSAFE & set(out)  # every control character is a JSON escape
    printed = json.loads(out)
    sent = sandbox.order(ORDER_REPLACED + EVIL)
    assert printed["orderId"] == sent["orderId"]
    assert printed["pickedItems"][0]["itemName"] == sent["pickedItems"][0]["itemName"]
    assert printed["pickedItems"][0]["itemName"].endswith(EVIL)
    assert printed["payment"][0]["currency"]["symbol"] == sent["payment"][0]["currency"]["symbol"]


# ---------------------------------------------------------------- secrets


@pytest.fixture
def echoing_auth(monkeypatch):
    """An auth host whose 401 repeats the key it was given (and a CRLF and an escape)."""
    sandbox = Sandbox()

    def token(body: bytes):
        key = json.loads(body)["apiKey"]
        return 401, {"message": f"Invalid API key {key}\r\n\x1b[2J", "code": "AUTH401", "requestId": key}

    sandbox._token = token
    monkeypatch.setenv("PICKTERM_API_KEY", SECRET)
    with serve_in_thread(sandbox) as handle:
        yield handle


def test_get_never_prints_the_key_the_server_repeats(capsys, echoing_auth):
    code, out, err = run(capsys, "get", "order", ORDER_ON_ROUTE, *urls(echoing_auth))
    assert code == 1
    line = one_clean_line(err)
    assert SECRET not in line and "Invalid API key ****" in line


def test_track_neither_prints_nor_stores_the_key(capsys, echoing_auth):
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", "--replace", *urls(echoing_auth))
    assert code == 3
    assert SECRET not in err and "Invalid API key ****" in err
    with StateDB.open() as db:
        [entry] = Outbox(db).list()
    assert SECRET not in json.dumps(entry.last_error)
    assert SECRET not in state_path().read_bytes().decode("utf-8", "replace")
    code, out, err = run(capsys, "outbox", "list")
    assert SECRET not in out + err


# ---------------------------------------------------------------- closed pipe


@pytest.mark.parametrize(
    "argv", [["get", "order", ORDER_REPLACED, "--demo"], ["outbox", "list", "--demo"]], ids=["get order", "outbox list"]
)
def test_a_reader_that_stops_early_gets_no_traceback(argv, tmp_path):
    if argv[0] == "outbox":  # something to list
        assert main(["track", ORDER_ON_ROUTE, "--delivered", "now", "--demo"]) == 0
        argv = [*argv[:2], "--all", "--demo"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pickterm", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path
    )
    proc.stdout.close()  # as `| head -1` does once it has its line: before anything is written here
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err and err == ""


def test_a_closed_stdout_in_process_is_a_quiet_exit(capsys, monkeypatch):
    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["get", "order", ORDER_REPLACED, "--demo"]) == 141
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- private files


def test_a_key_in_a_file_others_can_read_is_flagged_and_fixed(capsys):
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True)
    path.write_text(f'[profiles.default]\napi_key = "{SECRET}"\n')
    path.chmod(0o644)
    code, out, err = run(capsys, "config", "show")
    assert code == 0
    line = one_clean_line(err)
    assert "holds an API key and others can read it (mode 0644)" in line
    assert f"chmod 600 {path}" in line and "pickterm config fix-perms" in line
    code, out, err = run(capsys, "config", "fix-perms")
    assert code == 0 and "0644 -> 0600" in out
    assert path.stat().st_mode & 0o777 == 0o600
    code, out, err = run(capsys, "config", "show")
    assert err == ""


def test_a_wide_directory_is_mentioned(capsys):
    path = config_path()
    path.parent.mkdir(parents=True)
    path.parent.chmod(0o755)
    path.write_text(f'[profiles.default]\napi_key = "{SECRET}"\n')
    path.chmod(0o600)
    code, out, err = run(capsys, "config", "show")
    assert "wider than the 0700 pickterm creates" in one_clean_line(err)
    run(capsys, "config", "fix-perms")
    assert path.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    "argv",
    [
        ("config", "set", "theme", "light"),
        ("config", "set-key"),
        ("track", ORDER_ON_ROUTE, "--delivered", "now", "--demo"),
        ("outbox", "flush", "--demo"),
    ],
    ids=["config-set", "set-key", "track-demo", "outbox-flush-demo"],
)
def test_every_directory_the_first_command_creates_is_private(capsys, monkeypatch, argv):
    base = Path(os.environ["XDG_STATE_HOME"]).parent
    before = set(_directories(base))
    monkeypatch.setattr(sys, "stdin", io.StringIO(SECRET + "\n"))
    old_umask = os.umask(0o022)
    try:
        assert run(capsys, *argv)[0] == 0
    finally:
        os.umask(old_umask)
    created = {str(p): f"{mode:04o}" for p, mode in _directories(base).items() if p not in before}
    assert created and set(created.values()) == {"0700"}, created


def test_directories_pickterm_creates_are_private(capsys):
    assert run(capsys, "config", "set", "theme", "light")[0] == 0
    assert run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now", "--demo")[0] == 0
    assert config_path().parent.stat().st_mode & 0o777 == 0o700
    assert state_path().parent.stat().st_mode & 0o777 == 0o700


def shown_lines(app) -> list[str]:
    """The terminal's lines that hold something, top to bottom."""
    from apphelpers import terminal_text

    return [line.rstrip() for line in terminal_text(app).splitlines() if line.strip()]


def _directories(base: Path) -> dict[Path, int]:
    return {p: p.stat().st_mode & 0o777 for p in base.rglob("*") if p.is_dir()}


async def _start_app_and_read_warnings(size=(80, 24)) -> tuple[str, str]:
    """Start the app on this home's settings (the key from PICKTERM_API_KEY); what its
    permission line and its toasts said."""
    from pickterm.app import PickTermApp
    from pickterm.connect import demo_client
    from pickterm.store.config import load_settings

    from apphelpers import notifications, settle, terminal_text

    app = PickTermApp(settings=load_settings(), client=demo_client())
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        line = terminal_text(app) if app.screen.query_one("#permission-line").display else ""
        return line, notifications(app)


def test_a_fresh_home_gets_private_directories_and_no_warning_after(capsys, monkeypatch):
    """The first command in a fresh home is `pickterm get order`: every directory it creates is
    0700 (the parents of the token cache too), and the app started there afterwards warns of nothing."""
    import asyncio

    base = Path(os.environ["XDG_STATE_HOME"]).parent
    before = set(_directories(base))
    monkeypatch.setenv("PICKTERM_API_KEY", DEMO_API_KEY)
    old_umask = os.umask(0o022)
    try:
        with serve_in_thread(Sandbox()) as server:
            code, out, err = run(
                capsys, "get", "order", ORDER_ON_ROUTE, "--api-url", server.url, "--auth-url", server.url
            )
        assert code == 0 and json.loads(out)["orderId"] == ORDER_ON_ROUTE and err == ""
        created = {p: mode for p, mode in _directories(base).items() if p not in before}
        assert state_path().parent in created and state_path().parent / "tokens" in created
        assert Path(os.environ["XDG_STATE_HOME"]) in created
        assert created == dict.fromkeys(created, 0o700), {str(p): f"{m:04o}" for p, m in created.items()}
        for _ in range(2):  # the first start creates the state database, the second would warn of its directory
            line, toasts = asyncio.run(_start_app_and_read_warnings())
            assert "fix-perms" not in line and "chmod" not in toasts and "0700" not in toasts
        assert all(mode == 0o700 for p, mode in _directories(base).items() if p not in before)
    finally:
        os.umask(old_umask)


async def test_the_app_flags_a_key_others_can_read_in_a_line_under_the_header():
    from pickterm.app import PickTermApp
    from pickterm.connect import demo_client
    from pickterm.i18n import set_language
    from pickterm.store.config import load_settings

    from apphelpers import notifications, settle, terminal_text

    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True)
    path.write_text(f'[profiles.default]\napi_key = "{DEMO_API_KEY}"\n')
    path.chmod(0o640)
    app = PickTermApp(settings=load_settings(), client=demo_client())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = [line.rstrip() for line in terminal_text(app).splitlines() if line.strip()]
        assert lines[1] == "⚠ Others can read pickterm's private files: run pickterm config fix-perms"
        assert "others can read" not in notifications(app)
    set_language("pt-BR")
    app = PickTermApp(settings=load_settings(), client=demo_client())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert shown_lines(app)[1] == "⚠ Outros podem ler seus arquivos privados: rode pickterm config fix-perms"
        await pilot.resize_terminal(60, 20)  # too narrow for it: the short sentence, whole
        await settle(pilot)
        assert shown_lines(app)[1] == "⚠ Não privado: pickterm config fix-perms"


async def test_a_wide_state_directory_is_a_translated_line_that_hides_no_work_at_40x16():
    """A state directory made 0755 by hand: on the handheld, a line under the header in the
    user's language, on every screen, for the whole session; no toast over the walk's progress
    or its scan field's hints."""
    from pickterm.app import PickTermApp
    from pickterm.connect import demo_client
    from pickterm.i18n import set_language
    from pickterm.sandbox import data
    from pickterm.store.config import load_settings

    from apphelpers import notifications, settle, terminal_text

    state_path().parent.mkdir(parents=True)
    state_path().parent.chmod(0o755)
    StateDB.open().close()
    set_language("es")
    sandbox = Sandbox()
    app = PickTermApp(settings=load_settings(), client=demo_client(sandbox), sandbox=sandbox)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert shown_lines(app)[1] == "⚠ No privado: pickterm config fix-perms"  # right under the header
        app.open("worksheet", data.WS_MAIN)
        await settle(pilot)
        await app.screen.barcodes_loaded.wait()
        await settle(pilot)
        shown = terminal_text(app)
        assert shown_lines(app)[1].startswith("⚠ No privado:")
        progress = str(app.screen.query_one("#walk-progress").render())
        assert "/69" in progress and progress in shown  # the walk's units line is on the screen
        assert notifications(app) == ""
        await pilot.press("f3")
        await settle(pilot)
        assert shown_lines(app)[1].startswith("⚠ No privado:")


# ---------------------------------------------------------------- inputs that crashed


def test_a_date_before_year_one_in_utc_is_exit_2(capsys):
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "0001-01-01T00:00+14:00", "--demo")
    assert code == 2 and "out of the range of dates" in one_clean_line(err)


@pytest.mark.parametrize(
    "argv",
    [["config", "show"], ["get", "order", "1"], ["outbox", "flush"], ["track", ORDER_ON_ROUTE, "--delivered", "now"]],
)
def test_a_key_given_twice_in_the_config_file_is_exit_2(capsys, argv):
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True)
    path.write_text('[profiles.default]\ntheme = "dark"\ntheme = "light"\n', encoding="utf-8")
    path.chmod(0o600)
    if argv[:2] == ["outbox", "flush"]:
        with StateDB.open() as db:  # flush only reads the config when something waits
            from pickterm.api.models import TrackingUpdate

            Outbox(db).add(ORDER_ON_ROUTE, TrackingUpdate(delivered_date="2025-02-11T12:00:00Z"))
    code, out, err = run(capsys, *argv)
    assert code == 2 and "key 'theme' is given twice" in one_clean_line(err)


def test_the_app_refuses_a_config_with_a_key_given_twice(capsys):
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True)
    path.write_text('[profiles.default]\ntheme = "dark"\ntheme = "light"\n', encoding="utf-8")
    code, out, err = run(capsys)
    assert code == 2 and "given twice" in one_clean_line(err)


def test_a_port_out_of_range_is_refused_everywhere_and_track_queues_nothing(capsys):
    code, out, err = run(capsys, "config", "set", "api_url", "http://127.0.0.1:99999")
    assert code == 2 and "not a valid URL" in one_clean_line(err)
    assert not config_path().exists()
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True)
    path.write_text('[profiles.default]\napi_url = "http://127.0.0.1:99999"\n')
    path.chmod(0o600)
    code, out, err = run(capsys, "get", "order", "1")
    assert code == 2 and "api_url" in one_clean_line(err)
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--delivered", "now")
    assert code == 2 and "api_url" in one_clean_line(err)
    with StateDB.open() as db:
        assert Outbox(db).list(("pending", "failed", "sent")) == []


def test_an_event_with_terminal_control_is_refused_before_it_is_queued(capsys):
    code, out, err = run(capsys, "track", ORDER_ON_ROUTE, "--event", "Lima\x1b[2J|LIM|Delivered|now", "--demo")
    assert code == 2 and "City holds control characters" in one_clean_line(err)
    with StateDB.open(demo=True) as db:
        assert Outbox(db).list(("pending", "failed", "sent")) == []
