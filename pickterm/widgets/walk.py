"""Widgets of the worksheet walkthrough: the current item, readable at arm's length.

Server text (item names, categories, order ids) is data: every line is built as
``Content`` with the text inserted literally.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Digits, Static

from pickterm.i18n import N_, _, decimal, ngettext
from pickterm.widgets.common import literal, styled_literal
from pickterm.widgets.walk_words import code_text, reason_text, status_text

_TEMPERATURE_STYLE = {"COLD": "bold $primary", "FROZEN": "bold reverse $primary", "HOT": "bold $error"}
_STATE_STYLE = {
    "done": "bold $success",
    "partial": "bold $accent",
    "short": "bold $error",
    "skipped": "bold $warning",
    "todo": "bold",
}


def state_content(item: Any) -> Content:
    """``✔ done`` in the state's colour; symbol and word are always there."""
    return styled_literal(status_text(item), _STATE_STYLE.get(item.status, "bold"))


_TEMPERATURE_WORDS = {"AMBIENT": N_("AMBIENT"), "COLD": N_("COLD"), "FROZEN": N_("FROZEN"), "HOT": N_("HOT")}


def temperature_content(temperature: str | None) -> Content:
    """The temperature word (in the user's words), stronger for COLD, FROZEN and HOT."""
    word = (temperature or "AMBIENT").upper()
    shown = _(_TEMPERATURE_WORDS[word]) if word in _TEMPERATURE_WORDS else word
    return styled_literal(shown, _TEMPERATURE_STYLE.get(word, ""))


def split_content(split: list[tuple[str, int]], max_lines: int = 3) -> Content:
    """How many units go to which order, one order a line: ``→ 1509750516095-01 ×3``.
    Past ``max_lines`` the last line says how many more orders there are."""
    if not split:
        return Content.styled(_("→ no order named"), "dim")
    shown = split if len(split) <= max_lines else split[: max_lines - 1]
    lines = [Content.assemble("→ ", literal(order_id), Content.styled(f" ×{qty}", "bold")) for order_id, qty in shown]
    if len(shown) < len(split):
        rest = split[len(shown) :]
        more = _("+ {n} more orders, {units} units").format(n=len(rest), units=sum(q for _o, q in rest))
        lines.append(Content.styled(more, "dim"))
    return Content("\n").join(lines)


class ItemPanel(Vertical):
    """The current item: name, its notes, units still to pick in big digits, temperature,
    category (and the expected weight of a weighed item), units per order, and what the
    server already counts as picked."""

    def compose(self) -> ComposeResult:
        yield Static("", id="item-name")
        notes = Static("", id="item-notes")
        notes.display = False
        yield notes
        with Horizontal(id="item-qty"):
            yield Digits("", id="item-left")
            yield Static("", id="item-qty-text")
        yield Static("", id="item-where")
        yield Static("", id="item-orders")
        yield Static("", id="item-server")

    def show_item(self, item: Any, position: int, total: int) -> None:
        """Put ``item`` (a picking.WalkItem) on screen; ``position`` is 0-based."""
        self.query_one("#item-name", Static).update(literal(item.name))
        notes = self.query_one("#item-notes", Static)
        item_notes = getattr(item, "notes", None) or []
        notes.display = bool(item_notes)
        notes.update(Content("\n").join(Content.assemble(Content.styled("✎ ", "bold"), literal(n)) for n in item_notes))
        self.query_one("#item-left", Digits).update(str(item.left))
        status = item.status
        if status in ("todo", "partial"):
            first = Content.assemble(Content.styled(_("to pick"), "bold"), "  ", state_content(item))
        elif status == "short":
            reason = reason_text(item.reason) if item.reason else _("no reason")
            first = Content.assemble(state_content(item), ": ", literal(reason))
        else:
            first = state_content(item)
        picked = _("picked {picked} of {need} here").format(picked=item.picked, need=item.need)
        if item.weight_kg is not None:
            picked = _("picked {picked} of {need} · {weight} kg").format(
                picked=item.picked, need=item.need, weight=decimal(f"{item.weight_kg:.3f}")
            )
        server = ngettext(
            "server: {picked} of {quantity} picked", "server: {picked} of {quantity} picked", item.quantity
        ).format(picked=item.server_picked, quantity=item.quantity)
        if item.server_done > item.server_picked:
            n = item.server_done - item.server_picked
            server += ngettext(", {n} rejected/replaced", ", {n} rejected/replaced", n).format(n=n)
        self.query_one("#item-qty-text", Static).update(
            Content("\n").join([first, literal(picked), styled_literal(server, "dim")])
        )
        where = [temperature_content(item.temperature), literal(item.category)]
        if item.weighable:
            expected = getattr(item, "expected_kg", None)
            where.append(
                Content.styled(
                    _("weighable")
                    if expected is None
                    else _("weighable, expect {weight} kg").format(weight=decimal(f"{expected:.3f}")),
                    "italic",
                )
            )
        self.query_one("#item-where", Static).update(Content(" · ").join(where))
        self.query_one("#item-orders", Static).update(split_content(item.split, 6 if self.app.size.height >= 22 else 3))
        self.query_one("#item-server", Static).update(
            Content.assemble(
                literal(code_text(item.codes)),
                Content.styled(_(" · item {n}/{total}").format(n=position + 1, total=total), "dim"),
            )
        )

    def show_nothing(self, text: str) -> None:
        self.query_one("#item-name", Static).update(literal(text))
        self.query_one("#item-notes", Static).display = False
        self.query_one("#item-left", Digits).update("")
        for name in ("#item-qty-text", "#item-where", "#item-orders", "#item-server"):
            self.query_one(name, Static).update("")


def walk_line(item: Any, current: bool = False) -> Content:
    """One item as a list line: ``✔ done     2/2  Baby wipes, fragrance free``."""
    marker = Content.styled("▶ " if current else "  ", "bold $accent")
    state = styled_literal(f"{status_text(item):<10}", _STATE_STYLE.get(item.status, ""))
    count = Content(f"{item.server_done + item.picked}/{item.quantity}".rjust(5) + " ")
    return Content.assemble(marker, state, count, literal(item.name))
