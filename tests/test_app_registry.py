"""The registry of kinds (pickterm.screens.registry): a new kind of id is one registration, not
an edit of the App, and home opens every kind with what it fetched, never asking twice."""

from __future__ import annotations

import re

import pytest
from textual.app import ComposeResult
from textual.widgets import Static

from pickterm import ids, resolve
from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens import registry
from pickterm.screens.base import DataScreen

from apphelpers import settle, static_text, text_of


class BinScreen(DataScreen):
    """A screen pickterm does not have: a storage bin, by its label."""

    TITLE = "Bin"

    def __init__(self, label: str) -> None:
        super().__init__(subtitle=label)
        self.label = label

    def compose_body(self) -> ComposeResult:
        yield Static("", id="body", markup=False)

    async def fetch(self, client, fresh: bool):
        raise AssertionError("the bin screen asked again for what home fetched")

    def show(self, data) -> None:
        self.query_one("#body", Static).update(f"{data['label']} holds {data['units']} units")


@pytest.fixture
def bins(monkeypatch):
    """The bin kind registered as a screen module would: its id's form, its screen, how it is fetched."""
    monkeypatch.setattr(ids, "FORMS", list(ids.FORMS))
    monkeypatch.setattr(registry, "KINDS", dict(registry.KINDS))
    monkeypatch.setattr(resolve, "FETCHERS", dict(resolve.FETCHERS))
    fetched: list[str] = []

    async def fetch_bin(client, label: str) -> dict:
        fetched.append(label)
        return {"label": label, "units": 12}

    ids.add_form(ids.IdForm("bin", re.compile(r"^BIN-\d{4}$"), "Bin {id}"))
    registry.register(registry.Kind("bin", BinScreen), fetch=fetch_bin)
    return fetched


async def test_a_registered_kind_of_id_opens_its_screen_from_home(bins):
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press(*"BIN-0042")
        assert static_text(app, "#lookup-understood") == "Bin BIN-0042"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BinScreen)
        assert "BIN-0042 holds 12 units" in text_of(app.screen)
        assert bins == ["BIN-0042"]  # fetched once, by home: the screen shows that answer


@pytest.mark.parametrize(
    ("typed", "method", "screen"),
    [
        (data.WS_MAIN, "get_worksheet", "WalkthroughScreen"),
        (data.SHIP_ON_ROUTE, "get_shipment", "ShipmentScreen"),
        (data.TRACK_INCIDENT, "get_shipment", "ShipmentScreen"),
        (data.FACILITY_MDE, "get_facility", "FacilityScreen"),
    ],
    ids=["worksheet", "shipment", "tracking", "facility"],
)
async def test_home_hands_every_kind_what_it_fetched(typed, method, screen):
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        client = await app.client()
        asked: list[tuple] = []
        real = getattr(client, method)

        async def counted(*args, **kwargs):
            asked.append(args)
            return await real(*args, **kwargs)

        setattr(client, method, counted)
        await pilot.press(*typed, "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == screen
        assert len(asked) == 1, asked  # home's lookup; the screen shows its answer
