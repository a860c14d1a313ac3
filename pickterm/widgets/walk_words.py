"""The walk in words: what the picker reads about an item, the counts and every outcome.

:mod:`pickterm.picking` returns codes and data (an :class:`~pickterm.picking.Outcome`
has a :class:`~pickterm.picking.OutcomeCode` and the numbers and names as fields);
this module words them in the user's language. Server text (item names, codes) is
inserted as it came: the screens show it literally.
"""

from __future__ import annotations

from dataclasses import dataclass

from pickterm.i18n import N_, _, decimal, ngettext
from pickterm.picking import STATE_SYMBOLS, Code, Counts, ItemCodes, Outcome, WalkItem

__all__ = [
    "REASON_WORDS",
    "STATE_WORDS",
    "Said",
    "code_text",
    "counts_text",
    "format_kg",
    "reason_text",
    "said",
    "state_text",
    "status_text",
]

# Every state has a symbol and a word: never colour alone.
STATE_WORDS = {
    "done": N_("done"),
    "partial": N_("partial"),
    "short": N_("short"),
    "skipped": N_("skipped"),
    "todo": N_("to do"),
}
# Why an item was picked short (stored in English, shown translated): one per SHORT_REASONS.
REASON_WORDS = {
    "out of stock": N_("out of stock"),
    "damaged": N_("damaged"),
    "not found": N_("not found"),
    "expired": N_("expired"),
    "other": N_("other"),
}


def format_kg(weight: float | None) -> str:
    return "-" if weight is None else decimal(f"{weight:.3f}") + " kg"


def state_text(state: str) -> str:
    """A state's word (``done``), the state itself when it has none."""
    return _(STATE_WORDS[state]) if state in STATE_WORDS else state


def reason_text(reason: str) -> str:
    """A short reason as the picker reads it (one of ours translated; any other as stored)."""
    return _(REASON_WORDS[reason]) if reason in REASON_WORDS else reason


def status_text(item: WalkItem) -> str:
    """``✔ done``: symbol and word."""
    return f"{STATE_SYMBOLS[item.status]} {state_text(item.status)}"


def code_text(codes: ItemCodes) -> str:
    """What to scan for an item: its EAN, else its SKU or reference code."""
    if codes.ean:
        return f"EAN {codes.ean}"
    parts = [f"SKU {codes.sku}"]
    if codes.reference_code:
        parts.append(_("ref {code}").format(code=codes.reference_code))
    return " · ".join(parts)


def counts_text(counts: Counts) -> str:
    """``7/23 items · 15/41 units``."""
    return _("{done}/{total} items · {units_done}/{units_total} units").format(
        done=counts.items_done, total=counts.items_total, units_done=counts.units_done, units_total=counts.units_total
    )


@dataclass(frozen=True)
class Said:
    """An outcome in words: a title, what was scanned and expected, and the rest."""

    title: str = ""
    scanned: str = ""  # what was scanned
    scanned_item: str = ""  # what the scanned code is, when it is another item or a label
    expected: str = ""  # what was expected: an item's name, or a quantity
    expected_code: str = ""  # the code (or the weight) of what was expected
    detail: str = ""

    @property
    def message(self) -> str:
        """One line for a feedback line or a test."""
        scanned = " = ".join(p for p in (self.scanned, self.scanned_item) if p)
        expected = " ".join(p for p in (self.expected, self.expected_code and f"({self.expected_code})") if p)
        parts = [
            self.title,
            scanned and _("scanned {code}").format(code=scanned),
            expected and _("expected {what}").format(what=expected),
            self.detail,
        ]
        return " — ".join(p for p in parts if p)


def _of(o: Outcome) -> str:
    return _("{units} × {name} ({picked} of {need})").format(units=o.units, name=o.name, picked=o.picked, need=o.need)


def _expected_weight(o: Outcome) -> str:
    if o.expected_kg is None:
        return _("a weight above 0 kg")
    low, high = o.expected_kg * (1 - o.tolerance), o.expected_kg * (1 + o.tolerance)
    return f"{format_kg(o.expected_kg)} ({decimal(f'{low:.3f}')}-{decimal(f'{high:.3f}')} kg)"


def _changed_elsewhere(o: Outcome, nothing: str) -> str:
    return (
        _("Another terminal on the same local store changed {name} first: the store counts {units} of {need}.").format(
            name=o.name, units=o.stored, need=o.need
        )
        + " "
        + nothing
    )


def said(o: Outcome) -> Said:
    """What ``o`` says to the picker."""
    expected = o.name if o.codes is not None else ""
    codes = code_text(o.codes) if o.codes is not None else ""
    scanned = o.scanned
    match o.code:
        case Code.COUNTED:
            if o.weight_kg is not None:
                detail = _("{units} × {name} ({picked} of {need}, {weight})").format(
                    units=o.units, name=o.name, picked=o.picked, need=o.need, weight=format_kg(o.weight_kg)
                )
            else:
                detail = _of(o)
            if o.status == "done":
                detail += " — " + state_text("done")
            return Said(_("Counted"), scanned, detail=detail)
        case Code.NO_ITEMS:
            return Said(_("Nothing to pick"), scanned, detail=_("This worksheet has no items."))
        case Code.MISREAD:
            detail = _("{error}. Nothing was counted: scan again.").format(error=o.error)
            return Said(_("Misread"), scanned, "", expected, codes, detail)
        case Code.BARCODES_NOT_LOADED:
            detail = _("Wait for the barcodes to load, then scan again.")
            return Said(_("Barcodes not loaded"), scanned, "", expected, codes, detail)
        case Code.WRONG_ITEM:
            other = o.other_name if o.other_status in ("", "todo") else f"{o.other_name}, {state_text(o.other_status)}"
            detail = _("Nothing was counted. Put it back, or open it from the item list.")
            return Said(_("Wrong item"), scanned, other, expected, codes, detail)
        case Code.UNKNOWN_CODE:
            missing = ""
            if o.missing:
                missing = ngettext(
                    " (barcodes of {n} order could not be loaded)",
                    " (barcodes of {n} orders could not be loaded)",
                    o.missing,
                ).format(n=o.missing)
            detail = _("No item of this worksheet has this code{missing}. Nothing was counted.").format(missing=missing)
            return Said(_("Unknown code"), scanned, "", expected, codes, detail)
        case Code.ZERO_WEIGHT | Code.WRONG_WEIGHT:
            label = _("label {weight}").format(weight=format_kg(o.weight_kg))
            if o.code == Code.ZERO_WEIGHT:
                title = _("Zero weight")
                detail = _(
                    "A label of 0 kg is a misprint: weigh the item again and print a new label. Nothing was counted."
                )
            else:
                title = _("Wrong weight")
                detail = _(
                    "The label says {weight}, the order expects {expected} (±{tolerance}%). Weigh it again. Nothing was counted."
                ).format(
                    weight=format_kg(o.weight_kg),
                    expected=format_kg(o.expected_kg),
                    tolerance=decimal(f"{o.tolerance * 100:g}"),
                )
            return Said(title, scanned, label, o.name, _expected_weight(o), detail)
        case Code.TOO_MANY:
            if o.left == 0:
                detail = _("{name} is already complete ({picked} of {need}). Nothing was counted.").format(
                    name=o.name, picked=o.picked, need=o.need
                )
            else:
                detail = _("{units} units confirmed, but {name} needs only {left} more. Nothing was counted.").format(
                    units=o.units, name=o.name, left=o.left
                )
            expected = _("at most {left} × {name}").format(left=o.left, name=o.name)
            return Said(_("Too many"), scanned, "", expected, "", detail)
        case Code.NOTHING_TO_REMOVE:
            return Said(_("Nothing to remove"), detail=_("No unit of this item is counted here."))
        case Code.REMOVED:
            detail = _("-1 {name} ({picked} of {need})").format(name=o.name, picked=o.picked, need=o.need)
            return Said(_("Removed"), detail=detail)
        case Code.PICKED_ELSEWHERE:
            return Said(
                _("Already picked elsewhere"), scanned, detail=_changed_elsewhere(o, _("Nothing was counted here."))
            )
        case Code.NOT_REMOVED_ELSEWHERE:
            return Said(_("Not removed"), scanned, detail=_changed_elsewhere(o, _("Nothing was removed.")))
        case Code.NOT_UNDONE_ELSEWHERE:
            return Said(_("Not undone"), scanned, detail=_changed_elsewhere(o, _("Nothing was undone.")))
        case Code.NOT_UNDONE_GONE:
            return Said(_("Not undone"), detail=o.name)
        case Code.NOTHING_TO_SKIP:
            return Said(_("Nothing to skip"))
        case Code.SKIP_DONE:
            return Said(_("Already done"), detail=_("{name} is complete: nothing to skip.").format(name=o.name))
        case Code.SKIPPED:
            return Said(_("Skipped"), detail=_("{name} moved to the end").format(name=o.name))
        case Code.NOTHING_TO_SHORT:
            return Said(_("Nothing to short"))
        case Code.SHORT_DONE:
            return Said(_("Already done"), detail=_("{name} is complete: it cannot be short.").format(name=o.name))
        case Code.SHORT:
            detail = _("{name}: {picked} of {need} ({reason})").format(
                name=o.name, picked=o.picked, need=o.need, reason=reason_text(o.reason)
            )
            return Said(_("Short"), detail=detail)
        case Code.NOTHING_TO_UNDO:
            return Said(_("Nothing to undo"))
        case Code.NO_CONFIRMATION_LEFT:
            return Said(_("Nothing to undo"), detail=_("No confirmation of this worksheet is left."))
        case Code.UNDONE:
            units = f"+{o.units}" if o.units > 0 else str(o.units)
            detail = _("{units} × {name} ({picked} of {need})").format(
                units=units, name=o.name, picked=o.picked, need=o.need
            )
            return Said(_("Undone"), detail=detail)
        case Code.UNDONE_GONE:
            return Said(_("Undone"), detail=f"{-o.units} × {o.name}")
        case Code.UNDONE_STATE:
            now = f"{STATE_SYMBOLS[o.status]} {state_text(o.status)}" if o.status in STATE_SYMBOLS else o.status
            detail = _("{name} is no longer {state} ({now})").format(name=o.name, state=state_text(o.state), now=now)
            return Said(_("Undone"), detail=detail)
        case Code.WALK_EMPTY:
            return Said(_("No items"))
        case Code.LAST_ITEM:
            return Said(_("Last item"))
        case Code.FIRST_ITEM:
            return Said(_("First item"))
        case Code.NO_SUCH_ITEM:
            return Said(_("No such item"), detail=o.name)
        case Code.NOT_SAVED:
            detail = _("The local store refused the write ({error}). Nothing was counted.").format(error=o.error)
            return Said(_("Not saved"), detail=detail)
        case Code.MOVED:
            return Said()
    return Said(str(o.code))
