"""Every kind of thing pickterm opens, in one table: which screen shows it, how home fetches
it, and its palette entry.

A kind is what :func:`pickterm.ids.classify` says an id is ("order", "worksheet", "shipment",
"tracking", "facility"; "package" when a shipment's id is not found, see
:func:`pickterm.resolve.package_order`), or a screen opened from another ("worksheets" and "shipments" of an
order, "track": an order's tracking form) or from the palette ("outbox", "setup"). The App opens
one with ``app.open(kind, *args, found=..., **options)``; a new screen is one :func:`register`
call (an entry in :data:`KINDS` below, or a call from its own module), never an edit of the App.

A screen is named by ``"module:Class"`` and imported only when first opened, so the home
screen's first frame loads none of the others. What home fetched (``found``) is handed to the
screen, which shows it without asking the server again (:meth:`DataScreen.preload`).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from pickterm.i18n import N_

if TYPE_CHECKING:
    from pickterm.resolve import Fetch

__all__ = ["KINDS", "Kind", "make", "palette_entries", "register"]


@dataclass(frozen=True)
class Kind:
    """One kind of thing and the screen that shows it."""

    name: str
    screen: str | type[Screen[Any]]  # "module:Class" (imported when first opened), or the class itself
    options: Mapping[str, Any] = field(default_factory=dict)  # keyword arguments its screen always gets
    palette: tuple[str, str] | None = None  # (name, help), marked with N_: opened from the palette, no id
    in_demo: bool = True  # offered by the palette in demo mode too
    once: bool = False  # never opened over a screen of its own class

    def screen_class(self) -> type[Screen[Any]]:
        if not isinstance(self.screen, str):
            return self.screen
        module, _sep, name = self.screen.partition(":")
        cls: type[Screen[Any]] = getattr(importlib.import_module(module), name)
        return cls


KINDS: dict[str, Kind] = {}


def register(kind: Kind, *, fetch: Fetch | None = None) -> Kind:
    """Add (or replace) a kind; ``fetch``: how an id of it is fetched (:data:`pickterm.resolve.FETCHERS`),
    for a kind home opens by its id."""
    if fetch is not None:
        from pickterm.resolve import FETCHERS

        FETCHERS[kind.name] = fetch
    KINDS[kind.name] = kind
    return kind


for _kind in (
    Kind("order", "pickterm.screens.order:OrderScreen"),
    Kind("worksheet", "pickterm.screens.walkthrough:WalkthroughScreen"),
    Kind("shipment", "pickterm.screens.shipment:ShipmentScreen", {"by": "internal"}),
    Kind("tracking", "pickterm.screens.shipment:ShipmentScreen", {"by": "external"}),
    Kind("facility", "pickterm.screens.facility:FacilityScreen"),
    Kind("worksheets", "pickterm.screens.worksheets:WorksheetsScreen"),
    Kind("shipments", "pickterm.screens.shipments:ShipmentsScreen"),
    Kind("track", "pickterm.screens.tracking:TrackingScreen"),
    Kind("pack", "pickterm.screens.pack:PackScreen"),
    Kind("package", "pickterm.screens.package:PackageScreen"),  # a package's id: its order's pack screen
    Kind(
        "outbox",
        "pickterm.screens.outbox:OutboxScreen",
        palette=(N_("Outbox"), N_("tracking writes waiting or refused")),
    ),
    Kind(
        "setup",
        "pickterm.screens.setup:SetupScreen",
        palette=(N_("Setup"), N_("API key, hosts and language of this profile")),
        in_demo=False,  # the demo has no settings of its own
        once=True,  # the palette may ask again over it
    ),
):
    register(_kind)


def make(
    name: str, *args: Any, found: Any = None, over: Screen[Any] | None = None, **options: Any
) -> Screen[Any] | None:
    """The screen of kind ``name`` for ``args`` (its id...), showing ``found`` when home fetched it;
    None when the kind is opened once and ``over`` (the screen on top) is one already."""
    from pickterm.screens.base import DataScreen

    kind = KINDS[name]
    cls = kind.screen_class()
    if kind.once and isinstance(over, cls):
        return None
    screen = cls(*args, **{**kind.options, **options})
    if found is not None and isinstance(screen, DataScreen):
        screen.preload(found)
    return screen


def palette_entries(demo: bool) -> list[tuple[str, str, str]]:
    """(kind, name, help) of the kinds the palette opens (names and help still to translate)."""
    return [
        (kind.name, *kind.palette) for kind in KINDS.values() if kind.palette is not None and (kind.in_demo or not demo)
    ]
