"""One facility (store or warehouse): name, full address, contact and coordinates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from pickterm.i18n import N_, _
from pickterm.screens.base import DataScreen
from pickterm.stylesheets import css
from pickterm.widgets.common import literal, styled_literal
from pickterm.widgets.scan_input import BurstGuard
from pickterm.widgets.text import block, heading, labelled

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient


def coordinates(location: Any) -> str:
    """``19.418736, -99.161522``; ``-`` when the facility has no location."""
    if location is None or location.latitude is None or location.longitude is None:
        return "-"
    return f"{location.latitude}, {location.longitude}"


def facility_blocks(facility: Any) -> list[tuple[str, Content]]:
    """The facility as (CSS class, text) blocks: ``title``, ``group`` headings and ``entry`` lines."""
    contact = facility.contact_information
    address = [literal(line) for line in facility.address_lines()] or [Content("-")]
    if facility.reference:
        address.append(labelled(_("reference"), facility.reference))
    return [
        ("title", block([styled_literal(facility.name or _("(no name)"), "bold"), labelled(_("id"), facility.id)])),
        ("group", heading(_("Address"))),
        ("entry", block(address)),
        ("group", heading(_("Contact"))),
        (
            "entry",
            block(
                [
                    labelled(_("name"), contact.name if contact else None),
                    labelled(_("phone"), contact.phone if contact else None),
                    labelled(_("email"), contact.email if contact else None),
                ]
            ),
        ),
        ("group", heading(_("Location"))),
        ("entry", Content(coordinates(facility.location))),
    ]


class FacilityScreen(BurstGuard, DataScreen):
    TITLE = N_("Facility")
    HELP = N_("A store or warehouse: its name, full address, contact and coordinates. Arrows scroll.")
    CSS_PATH = css("facility")

    def __init__(self, facility_id: str) -> None:
        super().__init__(subtitle=facility_id)
        self.facility_id = facility_id

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Vertical(id="facility-text")

    def on_mount(self) -> None:
        self.query_one("#body").focus()
        super().on_mount()

    async def fetch(self, client: PickPackClient, fresh: bool) -> Any:
        return await client.get_facility(self.facility_id, fresh=fresh)

    def show(self, facility: Any) -> None:
        self.set_subtitle(facility.name or facility.id)
        text = self.query_one("#facility-text", Vertical)
        text.remove_children()
        text.mount_all(Static(content, classes=cls) for cls, content in facility_blocks(facility))
