"""Telling apart what a picker types or scans into the lookup field. No Textual here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pickterm.i18n import N_, _

_ORDER = re.compile(r"^\d{6,}-\d{2}$")
_WORKSHEET = re.compile(r"^\d{12}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_FACILITY = re.compile(r"^[0-9a-fA-F]{32}$")
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{3,63}$")
# What can be sent as an order id: digits and a two-digit suffix (``1507400515991-01``),
# optionally after an upper-case seller prefix (``SLR-880102018018-01``).
_SENDABLE_ORDER = re.compile(r"^(?:[A-Z]{2,8}-)?\d{1,24}-\d{2}$")
ORDER_ID_MAX = 40


@dataclass(frozen=True)
class LookupTarget:
    kind: str  # an IdForm's kind ("order", "worksheet", "shipment", "facility", "tracking"...) or "unknown"
    ident: str
    understood: str  # what the app understood, said to the user

    @property
    def ok(self) -> bool:
        return self.kind != "unknown"


@dataclass(frozen=True)
class IdForm:
    """What an id of one kind looks like. The kind names the screen that shows it
    (``pickterm.screens.registry``) and how it is fetched (``pickterm.resolve``)."""

    kind: str
    pattern: re.Pattern[str]
    understood: str  # marked with N_, ``{id}`` for the id: said (translated) while it is typed
    lower: bool = False  # the id is case-blind: sent in lower case


FORMS: list[IdForm] = [
    IdForm("order", _ORDER, N_("Order {id}")),
    IdForm("worksheet", _WORKSHEET, N_("Worksheet {id}")),
    IdForm("shipment", _UUID, N_("Shipment (internal id) {id}"), lower=True),
    IdForm("facility", _FACILITY, N_("Facility {id}"), lower=True),
    IdForm("tracking", _TRACKING, N_("Tracking number {id}")),  # nearly anything: last
]
"""The forms ids are told apart by, in the order they are tried."""


def add_form(form: IdForm) -> None:
    """Tell a new kind of id apart, before the others (a tracking number's form takes nearly anything)."""
    FORMS.insert(0, form)


def classify(text: str) -> LookupTarget:
    """What an id is, by its form (:data:`FORMS`): order, worksheet, shipment UUID, facility or tracking number."""
    ident = "".join(ch for ch in text if ch.isprintable()).strip()
    if not ident:
        return LookupTarget("unknown", "", _("Type or scan an order id, worksheet id or tracking number"))
    for form in FORMS:
        if form.pattern.match(ident):
            ident = ident.lower() if form.lower else ident
            return LookupTarget(form.kind, ident, _(form.understood).format(id=ident))
    return LookupTarget("unknown", ident, _("Not an id pickterm knows: {id}").format(id=repr(ident)))


# ------------------------------------------------------------ what an id is not
# Kept apart from ``classify``: these say what a scan at home most likely was when it is no
# id the lookup opens (a product barcode), or what a typed id lacks (an order id's suffix).

_PRODUCT_GTINS = {8: "EAN-8", 13: "EAN-13", 14: "GTIN-14"}
_DIGITS = re.compile(r"^\d{6,}$")


def product_barcode(ident: str) -> str | None:
    """The GTIN name ("EAN-13", "EAN-8", "GTIN-14") when ``ident`` is a product barcode with a
    good check digit; None otherwise.

    Twelve digits are a worksheet id first (UPC-A shares that length): the lookup tries them as
    a worksheet. A code of another length with a bad check digit is no product barcode either.
    """
    from pickterm.scan import is_valid_gtin  # pure module, no I/O

    name = _PRODUCT_GTINS.get(len(ident))
    return name if name is not None and is_valid_gtin(ident) else None


def order_id_without_suffix(ident: str) -> bool:
    """True when ``ident`` could be an order id missing its ``-NN`` suffix (six or more digits,
    not the 12 of a worksheet id)."""
    return bool(_DIGITS.match(ident)) and len(ident) != 12


def order_id_problem(text: str) -> str | None:
    """Why ``text`` cannot be an order id (one sentence), or None when it can be one.

    The outbox refuses such ids before queueing them: a write to an id that cannot
    exist would only ever fail, or (too long, odd characters) not even leave."""
    ident = str(text).strip()
    if not ident:
        return "the order id is empty"
    if len(ident) > ORDER_ID_MAX:
        return f"an order id has at most {ORDER_ID_MAX} characters, this one has {len(ident)}"
    if not _SENDABLE_ORDER.match(ident):
        return f"{ident!r} is not an order id (expected digits and a suffix, like 1507400515991-01)"
    return None


def is_order_id(text: str) -> bool:
    """True when ``text`` has the form of an order id (see :func:`order_id_problem`)."""
    return order_id_problem(text) is None
