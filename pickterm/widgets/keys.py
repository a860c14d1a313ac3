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
    ``keys``: the default keys, when a screen binds only some of the id's keys."""
    definition = BINDINGS[binding_id]
    if description is None:
        description = _(definition.description) if described else ""
    return Binding(keys or ",".join(definition.keys), action, description, id=binding_id, **kwargs)


def keys_in_effect(app: App, binding: Binding) -> list[str]:
    """The keys that run ``binding`` now (after the profile's keymap), as the user reads them."""
    keymap = getattr(app, "key_bindings", None)
    if binding.id is not None and keymap is not None and binding.id in keymap.changed:
        keys = list(keymap.keys_of(binding.id))
    else:
        keys = [k.strip() for k in binding.key.split(",")]
    return [app.get_key_display(Binding(k, "")) for k in keys]
