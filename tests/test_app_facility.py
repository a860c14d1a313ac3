"""The facility screen: name, full address, contact and coordinates."""

from __future__ import annotations

from pickterm.app import PickTermApp
from pickterm.sandbox import data

from apphelpers import open_screen, settle, static_text, text_of


def facility_text(screen) -> str:
    return text_of(screen, "#facility-text Static")


async def open_facility(pilot, facility_id: str) -> None:
    screen = await open_screen(pilot, "facility", facility_id)
    assert type(screen).__name__ == "FacilityScreen"


async def test_name_address_contact_and_coordinates():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_facility(pilot, data.FACILITY_CDMX)
        shown = facility_text(app.screen)
        assert shown.startswith(f"Roma Norte dark store\nid: {data.FACILITY_CDMX}")
        assert (
            "Address\nAvenida Álvaro Obregón 182\nLocal 4, loading bay at the back\nRoma Norte\n"
            "06700 Ciudad de México\nCDMX, MEX\nreference: Between Córdoba and Mérida"
        ) in shown
        assert (
            "Contact\nname: Roma Norte picking desk\nphone: +52 55 5207 1834\n"
            "email: roma-norte@sandbox.pickterm.invalid"
        ) in shown
        assert "Location\n19.418736, -99.161522" in shown
        assert "Roma Norte dark store" in static_text(app, "#header-subtitle")


async def test_long_lines_wrap_under_their_section_at_40_columns():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_facility(pilot, data.FACILITY_CDMX)
        address = app.screen.query("#facility-text .entry").first()
        # Six lines; the reference wraps, and its second row stays indented under the section.
        assert address.content_region.x == 3
        assert address.content_region.height == 7
        assert address.content_region.right <= 40


async def test_a_facility_that_does_not_exist_shows_the_error():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_facility(pilot, "0" * 32)
        assert app.screen.query_one("#error-panel").display
        shown = static_text(app, "#error-panel")
        assert "Facility not found" in shown and "code FAC0001B" in shown and "requestId" in shown
        assert facility_text(app.screen) == ""


async def test_a_forbidden_facility_says_access_denied():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.sandbox.forbidden.add(data.FACILITY_MDE)
        await open_facility(pilot, data.FACILITY_MDE)
        shown = static_text(app, "#error-panel")
        assert "Access denied" in shown and "FAC0002B" in shown


async def test_f5_fetches_the_facility_again():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_facility(pilot, data.FACILITY_MDE)
        before = len(app.sandbox.requests)
        await pilot.press("f5")
        await settle(pilot)
        assert any(data.FACILITY_MDE in record.path for record in app.sandbox.requests[before:])
        assert "El Poblado warehouse" in facility_text(app.screen)
