"""``pickterm keys [--profile P] [--json]``: every binding id, its keys in effect and what it does.

For support over the phone: "press the key next to walk.short". The keys are the profile's
(its ``keymap`` preset and ``[profiles.NAME.keys]`` table, ``PICKTERM_KEYMAP`` over the preset),
checked as the app checks them: a conflict is the same one-line error and exit 2.
"""

from __future__ import annotations

import argparse
import json

from pickterm.commands._errors import failing_on
from pickterm.i18n import _
from pickterm.keymap import BINDINGS, Keymap
from pickterm.store.config import ConfigError, load_settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("keys", help="print every key binding in effect (id, keys, description)")
    parser.add_argument("--profile", default=argparse.SUPPRESS, help="profile to use (default: the default profile)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run_keys)


def rows(keymap: Keymap) -> list[dict[str, object]]:
    """One row per binding id, in the table's order."""
    return [
        {
            "id": binding_id,
            "keys": list(keymap.keys_of(binding_id)),
            "description": definition.description,  # English: JSON stays the same in every language
            "changed": binding_id in keymap.changed,
            "source": (
                "profile"
                if binding_id in keymap.overrides
                else keymap.preset
                if binding_id in keymap.changed
                else "default"
            ),
            "printable": binding_id in keymap.printable,
            "fixed": definition.fixed,
        }
        for binding_id, definition in BINDINGS.items()
    ]


def _note(row: dict[str, object]) -> str:
    notes = []
    if row["printable"]:
        notes.append(_("PRINTABLE KEY, chosen deliberately: a scan types it"))
    elif row["source"] == "profile":
        notes.append(_("set in the profile"))
    elif row["changed"]:
        notes.append(_("from the keymap {keymap}").format(keymap=row["source"]))
    if row["fixed"]:
        notes.append(_("fixed"))
    return "; ".join(notes)


@failing_on(ConfigError)
def run_keys(args: argparse.Namespace) -> int:
    settings = load_settings(getattr(args, "profile", None))
    keymap = settings.key_bindings()
    table = rows(keymap)
    if args.json:
        print(json.dumps({"profile": settings.profile, "keymap": keymap.preset, "bindings": table}, indent=2))
        return 0
    print(_("# profile {profile}, keymap {keymap}").format(profile=settings.profile, keymap=keymap.preset))
    width = max(len(str(row["id"])) for row in table)
    key_width = max(len(", ".join(row["keys"])) for row in table)  # type: ignore[arg-type]
    for row in table:
        keys = ", ".join(row["keys"])  # type: ignore[arg-type]
        note = _note(row)
        line = f"{row['id']:<{width}}  {keys:<{key_width}}  {_(str(row['description']))}"
        print(f"{line}  [{note}]" if note else line)
    return 0
