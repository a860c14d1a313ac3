"""The shared options (--demo, --profile, --api-url, --auth-url): each command takes the ones
the README lists for it, anywhere on the line; any other is a clear exit 2, never ignored."""

from __future__ import annotations

import json

import pytest

from pickterm.cli import main
from pickterm.commands._options import COMMAND_OPTIONS
from pickterm.sandbox.data import ORDER_ON_ROUTE, ORDER_REPLACED
from pickterm.store.config import config_path, save_setting
from pickterm.store.outbox import Outbox
from pickterm.store.state import StateDB


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def positions(before: list[str], options: list[str], after: list[str]) -> list[list[str]]:
    """The options before the command, between its words, and at the end."""
    lines = [[*options, *before, *after], [*before, *after, *options]]
    if len(before) > 1:
        lines.append([before[0], *options, *before[1:], *after])
    return lines


def test_get_takes_all_four_anywhere(capsys, server):
    save_setting("theme", "light", "other")
    opts = ["--profile", "other", "--api-url", server.url, "--auth-url", server.url]
    for argv in positions(["get", "order"], opts, [ORDER_REPLACED]):
        code, out, err = run(capsys, argv)
        assert code == 0, (argv, err)
        assert json.loads(out)["orderId"] == ORDER_REPLACED


def test_track_takes_all_four_anywhere(capsys, server):
    save_setting("theme", "light", "other")
    opts = ["--profile", "other", "--api-url", server.url, "--auth-url", server.url]
    # Sent again and again: --replace lets each replace the delivered date the one before set.
    for argv in positions(["track"], opts, [ORDER_ON_ROUTE, "--delivered", "now", "--replace"]):
        code, out, err = run(capsys, argv)
        assert code == 0, (argv, err)
    for argv in positions(["track"], ["--demo"], [ORDER_ON_ROUTE, "--delivered", "now", "--replace"]):
        assert run(capsys, argv)[0] == 0


def test_outbox_flush_takes_all_four_anywhere(capsys, server):
    save_setting("theme", "light", "other")
    opts = ["--profile", "other", "--api-url", server.url, "--auth-url", server.url]
    for argv in positions(["outbox", "flush"], opts, []):
        with StateDB.open() as db:
            from pickterm.api.models import TrackingUpdate

            Outbox(db).add(ORDER_ON_ROUTE, TrackingUpdate(delivered_date="2025-02-11T12:00:00Z"))
        code, out, err = run(capsys, argv)
        assert code == 0 and "sent" in out, (argv, err)


def test_outbox_list_retry_discard_take_demo_anywhere_and_refuse_the_rest(capsys):
    assert main(["track", ORDER_ON_ROUTE, "--delivered", "now", "--demo"]) == 0
    capsys.readouterr()
    for argv in positions(["outbox", "list"], ["--demo"], ["--all"]):
        code, out, err = run(capsys, argv)
        assert code == 0 and ORDER_ON_ROUTE in out, (argv, err)
    for argv in positions(["outbox", "discard"], ["--demo"], ["99"]):
        code, out, err = run(capsys, argv)
        assert code == 2 and "no outbox entry #99" in err
    for argv in (
        ["--api-url", "https://api.example.com", "outbox", "list"],
        ["outbox", "list", "--api-url", "https://api.example.com"],
    ):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert "--api-url" in err and "Traceback" not in err


def test_config_takes_profile_anywhere_and_refuses_the_rest(capsys):
    save_setting("theme", "light", "other")
    for argv in positions(["config", "show"], ["--profile", "other"], []):
        code, out, err = run(capsys, argv)
        assert code == 0 and "# profile other" in out and "theme = light" in out, (argv, err)
    with pytest.raises(SystemExit) as info:
        main(["--demo", "config", "set", "theme", "dark"])
    assert info.value.code == 2
    assert "'pickterm config' does not take --demo" in capsys.readouterr().err
    assert "light" in config_path().read_text()


def test_sandbox_takes_none_of_them(capsys):
    for argv in (["--demo", "sandbox"], ["sandbox", "--profile", "x"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert "Traceback" not in capsys.readouterr().err


def test_the_readme_lists_exactly_what_each_command_takes():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for command, options in COMMAND_OPTIONS.items():
        if command is None:
            continue
        wanted = ", ".join(f"`{o}`" for o in options) if options else "none"
        assert f"| `{command}` | {wanted} |" in readme, command


def _offered(capsys, argv: list[str]) -> set[str]:
    """The options a command's --help offers."""
    import re

    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    options = out.split("options:", 1)[1]
    return set(re.findall(r"^\s+(--[a-z-]+)", options, flags=re.M)) - {"--help"}


@pytest.mark.parametrize(
    ("argv", "own"),
    [
        (["outbox"], set()),
        (["outbox", "list"], {"--all", "--json"}),
        (["outbox", "flush"], set()),
        (["outbox", "retry"], set()),
        (["outbox", "supersede"], set()),
        (["outbox", "discard"], set()),
    ],
)
def test_outbox_help_offers_exactly_the_shared_options_each_action_takes(capsys, argv, own):
    command = " ".join(argv[:2]) if argv[1:] in (["flush"], ["retry"]) else "outbox"
    assert _offered(capsys, argv) == own | set(COMMAND_OPTIONS[command])
    entry = ["99"] if argv[1:] in (["supersede"], ["discard"]) else []
    for option in sorted({"--profile", "--api-url", "--auth-url"} - set(COMMAND_OPTIONS[command])):
        with pytest.raises(SystemExit) as refused:  # what the help does not offer is refused
            main([*argv, *entry, option, "https://api.example.com"])
        err = capsys.readouterr().err
        assert refused.value.code == 2 and option in err and "Traceback" not in err, (argv, option)
