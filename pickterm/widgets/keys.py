"""Textual bindings built from the keymap's table (pickterm.keymap): one id, one set of keys.

Screens declare ``bind("walk.short", "short", priority=True)``; the id, the default keys and
the description come from the table, so ``pickterm keys``, the config's checks and the App's
keymap (``App.set_keymap``, which replaces a binding's keys by its id) all speak of the same
binding. :func:`keys_in_effect` is what the help screen and the palette show.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding

from pickterm.i18n import _
from pickterm.keymap import BINDINGS


def bind(
    binding_id: str,
    action: str,
    *,
    described: bool = True,
    description: str | None = None,
    keys: str | None = None,
    **kwargs: Any,
) -> Binding:
    """The Binding of ``binding_id`` for ``action``; ``described=False``: no description (kept
    out of the help and the palette, as before); ``description``: a screen's own words for it.
    ``keys``: the default keys, when a screen binds only some of the id's keys.

    The description stays the English msgid (bindings are made once, when a screen's class
    is): the footer, the help and the palette translate it when they show it
    (:func:`shown_description`), so a switch of language reaches them too."""
    definition = BINDINGS[binding_id]
    if description is None:
        description = definition.description if described else ""
    return Binding(keys or ",".join(definition.keys), action, description, id=binding_id, **kwargs)


def shown_description(binding: Binding) -> str:
    """A binding's description in the user's language."""
    return _(binding.description) if binding.description else ""


def keys_in_effect(app: App[Any], binding: Binding) -> list[str]:
    """The keys that run ``binding`` now (after the profile's keymap), as the user reads them."""
    keymap = getattr(app, "key_bindings", None)
    if binding.id is not None and keymap is not None and binding.id in keymap.changed:
        keys = list(keymap.keys_of(binding.id))
    else:
        keys = [k.strip() for k in binding.key.split(",")]
    return [app.get_key_display(Binding(k, "")) for k in keys]


def in_declared_order(active: dict[str, Any]) -> dict[str, Any]:
    """The screen's active bindings in the order the screens declare them.

    Textual's keymap moves a remapped binding to the end of its node's bindings, so the
    footer (which shows them in this order, and cuts what does not fit) would show the
    walk's picking keys after the rest. Within each node, this puts them back in place."""
    nodes: dict[int, int] = {}
    declared: dict[int, dict[tuple[str | None, str], int]] = {}

    def rank(item: tuple[int, tuple[str, Any]]) -> tuple[int, int, int]:
        position, (_key, active_binding) = item
        node, binding = active_binding.node, active_binding.binding
        order = nodes.setdefault(id(node), len(nodes))
        if id(node) not in declared:
            index: dict[tuple[str | None, str], int] = {}
            for n, (_k, b) in enumerate(node._bindings):
                index.setdefault((b.id, b.action), n)
            declared[id(node)] = index
        return order, declared[id(node)].get((binding.id, binding.action), position), position

    return dict(item for _position, item in sorted(enumerate(active.items()), key=rank))
