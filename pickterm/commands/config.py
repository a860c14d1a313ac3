"""``pickterm config path|show|set|unset|set-key``: read and write the config file."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from pickterm.commands._errors import fail, failing_on
from pickterm.i18n import _, choose_language, set_language
from pickterm.store.config import (
    PROFILE_KEYS,
    ConfigError,
    config_path,
    fix_permissions,
    load_settings,
    resolve_profile,
    save_setting,
    set_api_key,
    unset_setting,
)
from pickterm.text import one_line

SETTABLE = (*(k for k in PROFILE_KEYS if k not in ("api_key", "keys")), "default_profile")
SHOWN = (
    "api_url",
    "auth_url",
    "auth_scheme",
    "api_key",
    "default_facility",
    "scan_terminator",
    "scan_layout",
    "theme",
    "language",
    "max_response_mb",
    "keymap",
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("config", help="show or change settings (profiles, API key, theme)")
    _profile_option(parser)
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True, parser_class=type(parser))

    p = actions.add_parser("path", help="print where the config file is")
    p.set_defaults(func=run_path)

    p = actions.add_parser("show", help="print the effective settings (the API key masked)")
    _profile_option(p)
    p.set_defaults(func=run_show)

    p = actions.add_parser("set", help="validate and store one setting")
    p.add_argument("key", metavar="KEY", help=f"one of: {', '.join(SETTABLE)}")
    p.add_argument("value", metavar="VALUE")
    _profile_option(p)
    p.set_defaults(func=run_set)

    p = actions.add_parser("unset", help="remove one setting (back to its default)")
    p.add_argument("key", metavar="KEY", help=f"one of: {', '.join((*PROFILE_KEYS, 'default_profile'))}")
    _profile_option(p)
    p.set_defaults(func=run_unset)

    p = actions.add_parser("set-key", help="store the API key, read from stdin (no echo on a terminal)")
    _profile_option(p)
    p.set_defaults(func=run_set_key)

    p = actions.add_parser("fix-perms", help="make the config file 0600 and pickterm's directories 0700")
    p.set_defaults(func=run_fix_perms)


def _profile_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps a --profile given before the subcommand (pickterm --profile P config ...).
    parser.add_argument("--profile", default=argparse.SUPPRESS, help="profile to use (default: the default profile)")


def run_path(args: argparse.Namespace) -> int:
    print(config_path())
    return 0


@failing_on(ConfigError)
def run_show(args: argparse.Namespace) -> int:
    settings = load_settings(getattr(args, "profile", None))
    set_language(choose_language(settings.language))  # the labels in the profile's language
    chosen_by = {"flag": "--profile", "file": "default_profile", "default": _("default")}
    origin = settings.sources.get("profile", "default")
    print(
        _("# profile {profile} (from {origin}); file {path}").format(
            profile=settings.profile, origin=chosen_by.get(origin, origin), path=settings.config_path
        )
    )
    for key in SHOWN:  # the keys as the file spells them; values and sources in words
        value = getattr(settings, key)
        if key == "api_key":
            value = _("(set)") if value is not None else _("(not set)")  # never a character of it
        elif value is None:
            value = _("(not set)")
        source = settings.sources.get(key, "default")
        print(one_line(f"{key} = {value}  # {_('default') if source == 'default' else source}"))
    return 0


@failing_on(ConfigError)
def run_set(args: argparse.Namespace) -> int:
    profile = getattr(args, "profile", None)
    if args.key == "api_key":
        return fail(
            ValueError(
                "set the API key with 'pickterm config set-key' (it reads stdin, so the key stays out of shell history)"
            )
        )
    stored = save_setting(args.key, args.value, profile)
    where = "" if args.key == "default_profile" else f" (profile {resolve_profile(profile)})"
    print(f"{args.key} = {stored}{where}")
    return 0


@failing_on(ConfigError)
def run_unset(args: argparse.Namespace) -> int:
    removed = unset_setting(args.key, getattr(args, "profile", None))
    print(_("{key} removed").format(key=args.key) if removed else _("{key} was not set").format(key=args.key))
    return 0


def read_key(stream: TextIO | None = None) -> str:
    """The key from stdin: without echo on a terminal, one plain line otherwise."""
    stream = stream or sys.stdin
    if stream.isatty():
        return getpass.getpass("API key: ")
    return stream.readline().strip()


@failing_on(ConfigError)
def run_set_key(args: argparse.Namespace) -> int:
    try:
        key = read_key()
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return fail(ValueError("no API key entered; nothing changed"))
    if not key.strip():
        return fail(ValueError("no API key entered; nothing changed"))
    set_api_key(key, getattr(args, "profile", None))
    name = resolve_profile(getattr(args, "profile", None))
    print(_("API key stored in profile {profile} ({path})").format(profile=name, path=config_path()))
    return 0


@failing_on(ConfigError)
def run_fix_perms(args: argparse.Namespace) -> int:
    changed = fix_permissions()
    for line in changed:
        print(line)
    print(_("Permissions are private now.") if changed else _("Nothing to fix: already private."))
    return 0
