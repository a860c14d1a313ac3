"""The command line's one error printer: ``pickterm: <message>``, one safe line on stderr, and its exit status."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pickterm.api.errors import NotFoundError
from pickterm.commands import track
from pickterm.commands._errors import fail, say
from pickterm.store.config import ConfigError
from pickterm.text import register_secret

SECRET = "sk-live-0123456789abcdef"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwaWNrZXIifQ.c2lnbmF0dXJl"


def test_say_prints_one_clean_redacted_line(capsys):
    register_secret(SECRET)
    say(f"bad answer\n\x1b[2Jfrom {SECRET} with {JWT}\u202e")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pickterm: bad answer ")
    assert "\x1b" not in err and "\u202e" not in err
    assert SECRET not in err and JWT not in err and "****" in err


@pytest.mark.parametrize(
    ("error", "status", "expected"),
    [
        (NotFoundError("no such order", status=404, code="ORD0001B"), None, 1),
        (ConfigError("Config file x: broken"), None, 2),
        (ValueError("--delivered: bad"), None, 2),
        ("nothing was sent: disk full", 4, 4),
        (NotFoundError("refused", status=404), 3, 3),
    ],
)
def test_fail_says_the_error_and_gives_its_exit_status(capsys, error, status, expected):
    assert fail(error, status) == expected
    err = capsys.readouterr().err
    assert err.startswith("pickterm: ") and err.count("\n") == 1


def test_a_write_accepted_but_not_recorded_is_one_line_through_the_printer(capsys):
    entry = SimpleNamespace(id=7, summary="delivered 2025-02-13 02:00", checkable=True)
    outcome = SimpleNamespace(
        entry=entry, state="sent", recorded=False, record_error="disk I/O error\nat page 3", blocked_by=None
    )
    assert track.report(outcome, "1234-01", outbox=None) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pickterm: Order 1234-01: tracking accepted by the server")
    assert "Do not send it again" in err


def test_a_command_failing_on_an_error_says_it_and_exits_with_its_status(capsys):
    from pickterm.commands._errors import failing_on
    from pickterm.store.state import StateError

    @failing_on(StateError, status=4)
    def command(args) -> int:
        if args == "store":
            raise StateError("database is locked\nby another pickterm")
        if args == "bug":
            raise KeyError("not ours")
        return 0

    assert command("ok") == 0
    assert command("store") == 4
    assert capsys.readouterr().err == "pickterm: database is locked by another pickterm\n"
    with pytest.raises(KeyError):  # only the named errors are said; anything else is not hidden
        command("bug")
