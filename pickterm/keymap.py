"""Every key binding of the app by a stable id, the ``no-fkeys`` preset, and a profile's remapping.

No Textual here: screens build their ``Binding`` objects from :data:`BINDINGS` (the id, the
default keys, the description), and the App hands the keys in effect to Textual's own keymap
(``App.set_keymap``), which replaces a binding's keys by its id.

A profile chooses the keys with::

    [profiles.handheld]
    keymap = "no-fkeys"            # the preset: every F-key action also on a ctrl/alt key

    [profiles.handheld.keys]
    "walk.short" = "ctrl+k"        # one key
    "walk.skip" = ["f8", "ctrl+t"] # or several: they replace the defaults
    allow_printable = ["order.worksheets"]

Checked before the app starts (:func:`resolve`), each a :class:`KeymapError` of one sentence:
an unknown id, a key name that is not a key, a key a terminal sends as another key (ctrl+m is
Enter, ctrl+i Tab, ctrl+h Backspace, ctrl+[ Esc), a key given to two actions that are active on the
same screen (naming both ids), a fixed binding remapped, and a printable character (one the
scan field needs) unless its id is listed in ``allow_printable``: then it is used, and
``pickterm keys`` flags it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pickterm.i18n import N_

__all__ = [
    "ALLOW_PRINTABLE",
    "BINDINGS",
    "PRESETS",
    "KeyDef",
    "Keymap",
    "KeymapError",
    "check_keys_table",
    "is_printable",
    "resolve",
]

ALLOW_PRINTABLE = "allow_printable"  # the entry of a keys table that names ids allowed a printable key
ALL = "*"  # the context of the global keys: active on every screen


class KeymapError(ValueError):
    """A keymap that cannot be used: one sentence naming the id(s) and key."""


@dataclass(frozen=True)
class KeyDef:
    """One binding: its id, default keys, description and the screens (contexts) it acts on."""

    id: str
    keys: tuple[str, ...]
    description: str  # marked with N_: translated where it is shown
    contexts: tuple[str, ...]
    fixed: bool = False  # part of the scanner protocol or the Esc convention: not remappable


def _def(id: str, keys: str, description: str, *contexts: str, fixed: bool = False) -> KeyDef:
    return KeyDef(id, tuple(keys.split(",")), description, contexts, fixed)


_DATA = ("order", "worksheets", "walk", "shipments", "shipment", "facility", "outbox", "pack")

# Every binding of the app. The contexts say where a binding is active at the same time as
# another: a key may be on two ids only when they never share a context.
_TABLE = (
    _def("help", "f1", N_("Help"), ALL),
    _def("home", "f2", N_("Home"), ALL),
    _def("back", "f3", N_("Back"), ALL),
    _def("back.escape", "escape", N_("Back"), ALL, fixed=True),
    _def("palette", "ctrl+p", N_("palette"), ALL),
    _def("quit", "ctrl+q", N_("Quit"), ALL),
    _def("refresh", "f5", N_("Refresh"), "lookup", *_DATA),
    # home (lookup)
    _def("lookup.clear", "escape", N_("Clear"), "lookup", fixed=True),
    _def("lookup.recent", "down", N_("Recent"), "lookup"),
    _def("lookup.tab", "tab", N_("Scan terminator"), "lookup", fixed=True),
    # order
    _def("order.worksheets", "w", N_("Worksheets"), "order"),
    _def("order.shipments", "s", N_("Shipments"), "order"),
    _def("order.tracking", "t", N_("Tracking"), "order"),
    _def("order.facility", "f", N_("Facility"), "order"),
    _def("order.pack", "p", N_("Pack"), "order"),
    # worksheets, shipments, shipment
    _def("worksheets.open", "enter", N_("Open"), "worksheets"),
    _def("worksheets.facility", "f", N_("Facility"), "worksheets"),
    _def("shipments.open", "enter", N_("Open"), "shipments"),
    _def("shipments.tracking", "t", N_("Tracking"), "shipments"),
    _def("shipment.auto_refresh", "a", N_("Auto-refresh"), "shipment"),
    _def("shipment.order", "o", N_("Order"), "shipment"),
    _def("shipment.tracking", "t", N_("Tracking"), "shipment"),
    _def("shipment.pack", "p", N_("Pack"), "shipment"),
    # the walkthrough
    _def("walk.list", "f4", N_("Items"), "walk", "walk.list"),
    _def("walk.prev", "f6", N_("Previous item"), "walk"),
    _def("walk.next", "f7", N_("Next item"), "walk"),
    _def("walk.skip", "f8", N_("Skip"), "walk"),
    _def("walk.short", "f9", N_("Short"), "walk"),
    _def("walk.undo", "f10,ctrl+z", N_("Undo"), "walk"),
    _def("walk.unit_add", "ctrl+up", N_("Add a unit"), "walk"),
    _def("walk.unit_remove", "ctrl+down", N_("Remove a unit"), "walk"),
    _def("walk.summary", "f12", N_("Summary"), "walk", "walk.summary"),
    _def("walk.leave", "escape", N_("Back"), "walk", fixed=True),
    _def("walk.tab", "tab", N_("Scan terminator"), "walk", fixed=True),
    # the walkthrough's dialogs (modal: only their own keys and the global ones act)
    _def("walk.error_ok", "escape,f3", N_("OK, continue"), "walk.error"),
    _def("walk.error_scan", "enter,tab", N_("Scan terminator"), "walk.error", fixed=True),
    _def("walk.short_cancel", "escape,f3", N_("Cancel"), "walk.short"),
    _def("walk.short_reason", "1,2,3,4,5", N_("Choose a reason"), "walk.short", fixed=True),
    _def("walk.list_close", "escape,f3", N_("Close"), "walk.list"),
    _def("walk.summary_close", "escape,f3", N_("Close"), "walk.summary"),
    _def("walk.summary_enter", "enter", N_("Close"), "walk.summary", fixed=True),
    # the packing station
    _def("pack.print", "f4", N_("Print label"), "pack"),
    _def("pack.reprint", "f6", N_("Reprint"), "pack"),
    _def("pack.force", "f7", N_("Print unpacked"), "pack"),
    _def("pack.no_ean", "f8", N_("Confirm item without EAN"), "pack"),
    _def("pack.next", "f9", N_("Next package"), "pack"),
    _def("pack.undo", "f10,ctrl+z", N_("Undo"), "pack"),
    _def("pack.tracking", "f12", N_("Tracking"), "pack"),
    _def("pack.history", "alt+h", N_("Packing history"), "pack", "pack.history"),
    _def("pack.history_close", "escape,f3", N_("Close"), "pack.history"),
    _def("pack.leave", "escape", N_("Back"), "pack", fixed=True),
    _def("pack.tab", "tab", N_("Scan terminator"), "pack", fixed=True),
    _def("pack.reason_cancel", "escape,f3", N_("Cancel"), "pack.reason"),
    _def("pack.reason_choose", "1,2,3,4", N_("Choose a reason"), "pack.reason", fixed=True),
    # questions (yes / no)
    _def("confirm.yes", "y", N_("Yes"), "confirm"),
    _def("confirm.no", "n", N_("No"), "confirm"),
    _def("confirm.cancel", "escape,f3", N_("No"), "confirm"),
    _def("confirm.enter", "enter", N_("Not an answer"), "confirm", fixed=True),
    # forms: the tracking form and the setup screen
    _def("form.next", "down", N_("Next field"), "tracking", "setup"),
    _def("form.prev", "up", N_("Previous field"), "tracking", "setup"),
    _def("tracking.send", "ctrl+s", N_("Send"), "tracking"),
    _def("tracking.add_event", "ctrl+n", N_("New event"), "tracking"),
    _def("tracking.delete_event", "ctrl+d", N_("Delete event"), "tracking"),
    _def("setup.save", "ctrl+s", N_("Save"), "setup"),
    _def("setup.test", "ctrl+t", N_("Test connection"), "setup"),
    # the outbox and help
    _def("outbox.retry", "r", N_("Retry"), "outbox"),
    _def("outbox.edit", "e", N_("Edit"), "outbox"),
    _def("outbox.discard", "d", N_("Discard"), "outbox"),
    _def("outbox.history", "h", N_("History"), "outbox"),
)
BINDINGS: dict[str, KeyDef] = {d.id: d for d in _TABLE}

# Keyboards without F-keys: each F-key action also on a key that SSH and tmux pass unchanged
# and that the scan field does not use. Not used: ctrl+s / ctrl+q (flow control on some
# terminals), ctrl+b (tmux's prefix), ctrl+a/e/d/f/k/u/w/x/c/v (the scan field's editing keys),
# ctrl+h/i/j/m (backspace, tab, enter), alt+b / alt+f (read as ctrl+left / ctrl+right, as macOS
# terminals send them). Back also keeps Esc; undo keeps ctrl+z.
NO_FKEYS: dict[str, tuple[str, ...]] = {
    "help": ("ctrl+g",),
    "home": ("ctrl+o",),
    "back": ("alt+x",),
    "refresh": ("ctrl+r",),
    "walk.list": ("ctrl+l",),
    "walk.prev": ("ctrl+y",),
    "walk.next": ("ctrl+n",),
    "walk.skip": ("ctrl+t",),
    "walk.short": ("alt+s",),
    "walk.summary": ("alt+e",),
    "pack.print": ("ctrl+l",),
    "pack.reprint": ("ctrl+y",),
    "pack.force": ("alt+p",),
    "pack.no_ean": ("ctrl+t",),
    "pack.next": ("ctrl+n",),
    "pack.tracking": ("alt+e",),
}
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {"default": {}, "no-fkeys": NO_FKEYS}

_MODIFIERS = ("ctrl", "alt", "shift", "meta", "super")
_NAMED = {
    "escape",
    "enter",
    "tab",
    "backspace",
    "delete",
    "insert",
    "home",
    "end",
    "pageup",
    "pagedown",
    "up",
    "down",
    "left",
    "right",
    "space",
    *(f"f{n}" for n in range(1, 25)),
}


# Keys a terminal sends as the same byte as another key, so that Textual reads them as that key:
# a binding on one of them never fires (or fires where the other key was meant).
ALIASED_KEYS: dict[str, str] = {
    "ctrl+m": "it is Enter in a terminal",
    "ctrl+j": "it is the line feed a scanner may end a scan with",
    "ctrl+i": "it is Tab in a terminal",
    "ctrl+h": "it is Backspace in a terminal",
    "ctrl+[": "it is Esc in a terminal",
}


def _character(name: str) -> str | None:
    """The character a key name types ("a", "?", "question_mark", "space"), or None."""
    if len(name) == 1:
        return name
    if name == "space":
        return " "
    try:
        char = unicodedata.lookup(name.replace("_", " ").upper())
    except KeyError:
        return None
    return char if ord(char) < 256 else None  # a keyboard's names ("plus", "n_tilde"), not every Unicode name


def normalize(key: str) -> str:
    """A key as written in a profile, checked and in canonical form ("Ctrl+K" -> "ctrl+k")."""
    text = key.strip()
    if len(text) == 1:  # a single character: its case matters ("A" is shift+a)
        if not text.isprintable():
            raise KeymapError(f"{key!r} is not a key name")
        return text
    *mods, base = text.lower().split("+")
    if not base or any(m not in _MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        raise KeymapError(f"{key!r} is not a key name (for example f4, ctrl+l, alt+s, escape)")
    if base not in _NAMED and _character(base) is None:
        raise KeymapError(f"{key!r} is not a key name (for example f4, ctrl+l, alt+s, escape)")
    return "+".join([*sorted(mods, key=_MODIFIERS.index), base])


def _canonical(key: str) -> str:
    """One spelling per key, for comparing ("?" and "question_mark" are one key)."""
    *mods, base = key.split("+") if len(key) > 1 else [key]
    char = _character(base) if len(base) > 1 else None
    return "+".join([*mods, char if char is not None and char != " " else base])


def is_printable(key: str) -> bool:
    """A key that types a character into the scan field: no ctrl, alt, meta or super."""
    *mods, base = key.split("+") if len(key) > 1 else [key]
    if any(m in ("ctrl", "alt", "meta", "super") for m in mods):
        return False
    char = _character(base)
    return char is not None and char.isprintable()


@dataclass(frozen=True)
class Keymap:
    """The keys in effect: per id, and which ids were deliberately given a printable key."""

    keys: dict[str, tuple[str, ...]]
    changed: frozenset[str] = frozenset()  # ids whose keys differ from the defaults
    printable: frozenset[str] = frozenset()  # ids allowed (and given) a printable key
    preset: str = "default"
    overrides: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the profile's own table

    def keys_of(self, binding_id: str) -> tuple[str, ...]:
        return self.keys.get(binding_id, BINDINGS[binding_id].keys if binding_id in BINDINGS else ())

    def for_textual(self) -> dict[str, str]:
        """The ids whose keys changed, as Textual's keymap wants them ("f4,ctrl+l")."""
        return {i: ",".join(self.keys[i]) for i in sorted(self.changed)}


def check_keys_table(value: object) -> dict[str, tuple[str, ...]]:
    """A profile's ``keys`` table, checked on its own: known ids, key names, the allow list.
    ``allow_printable`` comes back as a tuple of ids under that name."""
    if not isinstance(value, Mapping):
        raise KeymapError(f"must be a table of binding id = key (or [keys]), not {type(value).__name__}")
    table: dict[str, tuple[str, ...]] = {}
    for name, keys in value.items():
        if name == ALLOW_PRINTABLE:
            ids = _string_list(keys, ALLOW_PRINTABLE)
            for i in ids:
                _known(i)
            table[ALLOW_PRINTABLE] = ids
            continue
        definition = _known(name)
        if definition.fixed:
            raise KeymapError(f"{name!r} cannot be remapped (the scanner or Esc relies on it)")
        given = _string_list(keys, name)
        if not given:
            raise KeymapError(f"{name!r} needs at least one key")
        try:
            table[name] = tuple(dict.fromkeys(normalize(k) for k in given))
        except KeymapError as exc:
            raise KeymapError(f"{name!r}: {exc}") from None
        for key in table[name]:
            why = ALIASED_KEYS.get(_canonical(key))
            if why:
                raise KeymapError(f"{name!r}: key {key!r} can never fire as its own key ({why}); choose another key")
    return table


def _known(name: object) -> KeyDef:
    if not isinstance(name, str) or name not in BINDINGS:
        raise KeymapError(f"unknown binding id {name!r} (see pickterm keys)")
    return BINDINGS[name]


def _string_list(value: object, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple | frozenset) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise KeymapError(f"{name!r} must be a key or a list of keys, not {type(value).__name__}")


def resolve(preset: str | None = None, table: Mapping[str, str | Iterable[str]] | None = None) -> Keymap:
    """The keys in effect: the defaults, the preset's extra keys, then the profile's table.

    Raises :class:`KeymapError` for an unknown preset, a printable key not allowed, or two
    ids sharing a key where they are active at the same time (naming both)."""
    preset = preset or "default"
    if preset not in PRESETS:
        raise KeymapError(f"unknown keymap {preset!r} (known: {', '.join(PRESETS)})")
    table = dict(table or {})
    allowed = frozenset(_string_list(table.pop(ALLOW_PRINTABLE, ()), ALLOW_PRINTABLE))
    keys = {i: d.keys for i, d in BINDINGS.items()}
    for i, extra in PRESETS[preset].items():
        keys[i] = tuple(dict.fromkeys((*extra, *keys[i])))  # first: the footer shows a binding's first key
    overrides = {_known(i).id: tuple(normalize(k) for k in _string_list(ks, i)) for i, ks in table.items()}
    keys.update(overrides)
    changed = frozenset(i for i in keys if keys[i] != BINDINGS[i].keys)
    printable: set[str] = set()
    for i in sorted(changed):
        for key in keys[i]:
            if is_printable(key) and key not in BINDINGS[i].keys:
                if i not in allowed:
                    raise KeymapError(
                        f"key {key!r} for {i!r} is a printable character the scan field needs; "
                        f"list {i!r} in {ALLOW_PRINTABLE} to use it anyway"
                    )
                printable.add(i)
    _check_conflicts(keys)
    return Keymap(keys, changed, frozenset(printable), preset, overrides)


def _check_conflicts(keys: Mapping[str, tuple[str, ...]]) -> None:
    """Two ids on one key where both act: an error naming both. The defaults' own overlaps
    (a dialog's Esc and F3 before the global Back) are by design; a key added by the preset or
    the profile that meets another id's key is not."""
    owners: dict[str, list[str]] = {}
    for i, ks in keys.items():
        for k in ks:
            owners.setdefault(_canonical(k), []).append(i)
    for key, ids in owners.items():
        for n, a in enumerate(ids):
            for b in ids[n + 1 :]:
                if _default(a, key) and _default(b, key):
                    continue
                if _shared(BINDINGS[a].contexts, BINDINGS[b].contexts):
                    raise KeymapError(f"key {key!r} is on both {a!r} and {b!r}; give one of them another key")


def _default(binding_id: str, key: str) -> bool:
    return key in {_canonical(k) for k in BINDINGS[binding_id].keys}


def _shared(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return ALL in a or ALL in b or bool(set(a) & set(b))
