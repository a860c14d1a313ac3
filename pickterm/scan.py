"""Barcode scans: cleaning what a wedge scanner types, GTIN validation, GS1
variable-measure codes, and matching a scan to the items of a worksheet.

Pure and fast: no I/O, no Textual. The walkthrough screen builds one
:class:`ScanIndex` per worksheet and calls :func:`parse_scan` and
:meth:`ScanIndex.lookup` on every scan.

Rules in short:

- :func:`clean` drops control characters anywhere, the configured terminator at
  the end, and surrounding whitespace.
- A quantity prefix is written ``N*code`` (``3*4006381333931``), N from 1 to 999.
  Only ``*`` is accepted: ``x`` is not, because SKUs and reference codes may
  contain an ``x`` (``2X100`` is a code, not "2 of 100").
- All-digit codes of 8, 12, 13 or 14 digits are GTINs and must carry a good
  check digit; a bad one is a misread (``Scan.error`` set, never matched).
- A GTIN whose 13-digit form starts with a variable-measure prefix (20-29 by
  default) carries an item code and a weight or price (see
  :class:`VariableMeasureLayout`).
- Anything else is text: a SKU or reference code typed or scanned as is.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from pickterm.i18n import _

__all__ = [
    "DEFAULT_BURST_MS",
    "DEFAULT_WEIGHT_TOLERANCE",
    "DEFAULT_LAYOUT",
    "BurstDetector",
    "GTIN_LENGTHS",
    "ItemKeys",
    "Scan",
    "ScanIndex",
    "ScanSettings",
    "VariableMeasureLayout",
    "clean",
    "gtin_check_digit",
    "is_valid_gtin",
    "normalize_gtin",
    "parse_scan",
    "split_scans",
    "terminator_from_name",
    "terminator_name",
]

GTIN_LENGTHS = (8, 12, 13, 14)
"""EAN-8, UPC-A, EAN-13 and GTIN-14."""

MAX_QUANTITY = 999

DEFAULT_WEIGHT_TOLERANCE = 0.10
"""How far a scale label's weight may be from what the order expects (±10%)."""

ValueKind = Literal["weight", "price"]
ScanKind = Literal["gtin", "variable", "text"]


def _is_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits only (no other scripts' digits)."""
    return text.isascii() and text.isdigit()


# --------------------------------------------------------------------------- cleaning


def _drop_controls(text: str) -> str:
    """Remove control and format characters (Unicode category C*) anywhere."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def clean(raw: str, terminator: str = "\n") -> str:
    """What a wedge scanner typed, without the noise around the code.

    Drops control characters anywhere (CR, LF, Tab, NUL, ESC...), then surrounding
    whitespace, then ``terminator`` if the text ends with it (a control-character
    terminator such as Enter or Tab is already gone by then), then whitespace again.
    """
    text = _drop_controls(raw).strip()
    term = _drop_controls(terminator).strip()
    if term and text.endswith(term):
        text = text[: -len(term)].rstrip()
    return text


_TERMINATORS = {
    "enter": "\n",
    "return": "\n",
    "lf": "\n",
    "cr": "\r",
    "crlf": "\r\n",
    "tab": "\t",
    "none": "",
    "": "",
}


def terminator_from_name(name: str) -> str:
    """The terminator string for a config name.

    ``enter`` (also ``return``, ``lf``) -> newline, ``cr``, ``crlf``, ``tab``, and
    ``none`` (or empty) -> no terminator; names are case-insensitive. Anything else
    is taken literally (e.g. ``#`` for a scanner set to end codes with ``#``).
    """
    return _TERMINATORS.get(name.strip().lower(), name)


def terminator_name(terminator: str) -> str:
    """The config name of a terminator string (the reverse of :func:`terminator_from_name`)."""
    for name in ("enter", "cr", "crlf", "tab", "none"):
        if _TERMINATORS[name] == terminator:
            return name
    return terminator


# --------------------------------------------------------------------------- GTIN


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for a GTIN body of 7, 11, 12 or 13 digits.

    Raises ValueError for anything else.
    """
    if not _is_digits(body) or len(body) + 1 not in GTIN_LENGTHS:
        raise ValueError(f"A GTIN body is 7, 11, 12 or 13 digits, not {body!r}")
    total = 0
    # Weights 3, 1, 3, 1... counted from the rightmost digit of the body.
    for position, char in enumerate(reversed(body)):
        total += (ord(char) - 48) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """True for an EAN-8, UPC-A, EAN-13 or GTIN-14 with a good check digit."""
    if not _is_digits(code) or len(code) not in GTIN_LENGTHS:
        return False
    return gtin_check_digit(code[:-1]) == ord(code[-1]) - 48


def normalize_gtin(code: str) -> str:
    """The GTIN-14 form (left-padded with zeros) of a GTIN-length digit string.

    A UPC-A ``036000291452`` and the EAN-13 ``0036000291452`` are the same product:
    both become ``00036000291452``. The check digit is not verified here.
    """
    if not _is_digits(code) or len(code) not in GTIN_LENGTHS:
        raise ValueError(f"Not a GTIN: {code!r}")
    return code.zfill(14)


# --------------------------------------------------------------------------- variable measure


def _default_prefixes() -> tuple[str, ...]:
    return tuple(str(n) for n in range(20, 30))


@dataclass(frozen=True)
class VariableMeasureLayout:
    """Where a GS1 variable-measure code keeps its item code and value.

    Positions are Python slices ``(start, end)`` into the 13-digit form of the code
    (0-based, end excluded; index 12 is the check digit). The default reads
    ``2 0 01234 00200 C`` as prefix 20, item code ``01234`` (``code[2:7]``) and value
    ``00200`` (``code[7:12]``) = 200 g.

    ``kind`` is ``"weight"`` (the value is grams, read as kilograms) or ``"price"``
    (the value is in minor currency units). Digits covered by neither span are
    ignored: a layout with a price check digit inside the value, such as
    ``weight:2-7:8-12``, simply skips ``code[7]`` (the full-code check digit is
    still verified).

    UPC-A codes are read in their 13-digit form (a leading 0), so a store with
    UPC number-system 2 codes configures prefix ``02``.

    The compact config form is ``KIND:ITEM:VALUE[:PREFIXES]``, e.g.
    ``weight:2-7:7-12`` or ``price:2-7:8-12:20-24,28``; PREFIXES is a comma list
    of prefixes or ranges of prefixes of the same width (default ``20-29``).
    """

    prefixes: tuple[str, ...] = field(default_factory=_default_prefixes)
    item_span: tuple[int, int] = (2, 7)
    value_span: tuple[int, int] = (7, 12)
    kind: ValueKind = "weight"

    def __post_init__(self) -> None:
        if self.kind not in ("weight", "price"):
            raise ValueError(f"Value kind must be 'weight' or 'price', not {self.kind!r}")
        if not self.prefixes:
            raise ValueError("A variable-measure layout needs at least one prefix")
        for prefix in self.prefixes:
            if not _is_digits(prefix) or len(prefix) > 3:
                raise ValueError(f"A variable-measure prefix is 1 to 3 digits, not {prefix!r}")
        widest = max(len(p) for p in self.prefixes)
        for name, span in (("item code", self.item_span), ("value", self.value_span)):
            start, end = span
            if not (widest <= start < end <= 12):
                raise ValueError(
                    f"The {name} position {start}-{end} must lie after the prefix"
                    f" ({widest} digit(s)) and before the check digit (12), start before end"
                )
        (item_start, item_end), (value_start, value_end) = self.item_span, self.value_span
        if item_start < value_end and value_start < item_end:
            raise ValueError(
                f"The item code ({item_start}-{item_end}) and value ({value_start}-{value_end}) positions overlap"
            )

    # -- config form

    @classmethod
    def from_string(cls, text: str) -> VariableMeasureLayout:
        """Parse the compact form ``KIND:ITEM:VALUE[:PREFIXES]`` (see the class doc)."""
        example = "e.g. weight:2-7:7-12 or price:2-7:8-12:20-29"
        parts = [p.strip() for p in text.strip().split(":")]
        if len(parts) not in (3, 4):
            raise ValueError(f"Bad variable-measure layout {text!r}: expected KIND:ITEM:VALUE[:PREFIXES], {example}")
        kind = parts[0].lower()
        if kind not in ("weight", "price"):
            raise ValueError(f"Bad variable-measure layout {text!r}: kind must be 'weight' or 'price', {example}")
        item_span = _parse_span(parts[1], text, "item code")
        value_span = _parse_span(parts[2], text, "value")
        prefixes = _parse_prefixes(parts[3], text) if len(parts) == 4 else _default_prefixes()
        try:
            return cls(prefixes=prefixes, item_span=item_span, value_span=value_span, kind=kind)  # type: ignore[arg-type]
        except ValueError as exc:
            raise ValueError(f"Bad variable-measure layout {text!r}: {exc}") from None

    parse = from_string

    def to_string(self) -> str:
        """The compact config form; ``from_string(layout.to_string()) == layout``."""
        spans = f"{self.item_span[0]}-{self.item_span[1]}:{self.value_span[0]}-{self.value_span[1]}"
        prefixes = ",".join(self.prefixes)
        if self.prefixes == _default_prefixes():
            prefixes = "20-29"
        return f"{self.kind}:{spans}:{prefixes}"

    def __str__(self) -> str:
        return self.to_string()

    # -- reading and writing codes

    def read(self, code13: str) -> tuple[str, int] | None:
        """``(item_code, value)`` of a 13-digit code with one of our prefixes, else None."""
        if len(code13) != 13 or not code13.startswith(self.prefixes):
            return None
        item = code13[self.item_span[0] : self.item_span[1]]
        value = code13[self.value_span[0] : self.value_span[1]]
        return item, int(value)

    def build(self, item_code: str, value: int, prefix: str | None = None) -> str:
        """A valid EAN-13 carrying ``item_code`` and ``value`` (grams or minor units).

        Unused digits are zeros. Handy for demo data and tests.
        """
        prefix = self.prefixes[0] if prefix is None else prefix
        if prefix not in self.prefixes:
            raise ValueError(f"Prefix {prefix!r} is not one of this layout's prefixes")
        item_len = self.item_span[1] - self.item_span[0]
        value_len = self.value_span[1] - self.value_span[0]
        if not _is_digits(item_code) or len(item_code) > item_len:
            raise ValueError(f"Item code {item_code!r} must be up to {item_len} digits")
        if not 0 <= value < 10**value_len:
            raise ValueError(f"Value {value} does not fit in {value_len} digits")
        digits = list(prefix.ljust(12, "0"))
        digits[self.item_span[0] : self.item_span[1]] = item_code.zfill(item_len)
        digits[self.value_span[0] : self.value_span[1]] = str(value).zfill(value_len)
        body = "".join(digits)
        return body + str(gtin_check_digit(body))


def _parse_span(text: str, whole: str, name: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", text)
    if not match:
        raise ValueError(
            f"Bad variable-measure layout {whole!r}: the {name} position must be START-END, e.g. 2-7, not {text!r}"
        )
    return int(match[1]), int(match[2])


def _parse_prefixes(text: str, whole: str) -> tuple[str, ...]:
    prefixes: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if _is_digits(part):
            prefixes.append(part)
            continue
        match = re.fullmatch(r"(\d{1,3})-(\d{1,3})", part)
        if not match or len(match[1]) != len(match[2]) or int(match[1]) > int(match[2]):
            raise ValueError(
                f"Bad variable-measure layout {whole!r}: prefixes are a comma list of"
                f" prefixes or ranges like 20-29, not {part!r}"
            )
        width = len(match[1])
        prefixes.extend(str(n).zfill(width) for n in range(int(match[1]), int(match[2]) + 1))
    return tuple(dict.fromkeys(prefixes))


DEFAULT_LAYOUT = VariableMeasureLayout()
"""Prefixes 20-29, item code ``code[2:7]``, weight in grams ``code[7:12]``."""


# --------------------------------------------------------------------------- scans


@dataclass(frozen=True)
class Scan:
    """One parsed scan. ``error`` is a sentence for the picker when it is a misread."""

    raw: str
    code: str
    quantity: int = 1
    kind: ScanKind = "text"
    item_code: str | None = None
    weight_kg: float | None = None
    price_minor: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the scan can be matched (no error)."""
        return self.error is None


def _quantity_error(raw: str, text: str, reason: str) -> Scan:
    return Scan(
        raw=raw, code=text, error=_("Bad quantity prefix in {code}: {reason}").format(code=repr(text), reason=reason)
    )


def parse_scan(raw: str, *, terminator: str = "\n", layout: VariableMeasureLayout = DEFAULT_LAYOUT) -> Scan:
    """Clean and classify one scan (see the module doc for the rules)."""
    text = clean(raw, terminator)
    if not text:
        return Scan(raw=raw, code="", error=_("Empty scan: nothing was read"))
    quantity = 1
    if "*" in text:
        head, _star, tail = text.partition("*")
        head, tail = head.strip(), tail.strip()
        example = _("write N*code, e.g. 3*4006381333931")
        if not _is_digits(head):
            return _quantity_error(raw, text, _("the quantity must be a number; {example}").format(example=example))
        if "*" in tail:
            return _quantity_error(raw, text, _("only one '*' is allowed; {example}").format(example=example))
        quantity = int(head)
        if not 1 <= quantity <= MAX_QUANTITY:
            return _quantity_error(raw, text, _("the quantity must be 1 to {max}").format(max=MAX_QUANTITY))
        if not tail:
            return _quantity_error(raw, text, _("no code after the '*'"))
        text = tail
    if not (_is_digits(text) and len(text) in GTIN_LENGTHS):
        return Scan(raw=raw, code=text, quantity=quantity, kind="text")
    expected = gtin_check_digit(text[:-1])
    if expected != ord(text[-1]) - 48:
        return Scan(
            raw=raw,
            code=text,
            quantity=quantity,
            kind="gtin",
            error=_("Bad check digit: {code} (expected {digit})").format(code=text, digit=expected),
        )
    gtin14 = normalize_gtin(text)
    variable = layout.read(gtin14[1:]) if gtin14[0] == "0" else None
    if variable is None:
        return Scan(raw=raw, code=text, quantity=quantity, kind="gtin")
    item_code, value = variable
    if layout.kind == "weight":
        return Scan(
            raw=raw,
            code=text,
            quantity=quantity,
            kind="variable",
            item_code=item_code,
            weight_kg=round(value / 1000, 3),
        )
    return Scan(raw=raw, code=text, quantity=quantity, kind="variable", item_code=item_code, price_minor=value)


@dataclass(frozen=True)
class ScanSettings:
    """The configurable bits of scanning, as the config store holds them."""

    terminator: str = "\n"
    layout: VariableMeasureLayout = DEFAULT_LAYOUT
    weight_tolerance: float = DEFAULT_WEIGHT_TOLERANCE  # a scale label may differ this much (0.10 = ±10%)

    @classmethod
    def from_config(
        cls, terminator: str = "enter", layout: str | None = None, weight_tolerance_pct: float | None = None
    ) -> ScanSettings:
        """Settings from config values: a terminator name, a compact layout string and the
        weight tolerance in percent.

        Raises ValueError with a clear message on a bad layout or tolerance.
        """
        tolerance = DEFAULT_WEIGHT_TOLERANCE
        if weight_tolerance_pct is not None:
            tolerance = float(weight_tolerance_pct) / 100
            if not 0 <= tolerance <= 1:
                raise ValueError(f"the weight tolerance must be 0 to 100 %, not {weight_tolerance_pct!r}")
        return cls(
            terminator=terminator_from_name(terminator),
            layout=VariableMeasureLayout.from_string(layout) if layout else DEFAULT_LAYOUT,
            weight_tolerance=tolerance,
        )

    def parse(self, raw: str) -> Scan:
        """:func:`parse_scan` with these settings."""
        return parse_scan(raw, terminator=self.terminator, layout=self.layout)


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class ItemKeys:
    """The codes an item can be found by (order item ``id`` = its SKU)."""

    item_id: str
    ean: str | None = None
    sku: str | None = None
    reference_code: str | None = None


def _number_key(digits: str) -> str:
    """Digits with leading zeros ignored (``"01234"`` and ``"1234"`` are the same)."""
    return digits.lstrip("0") or "0"


class ScanIndex:
    """Item ids by every code they can be scanned as; built once per worksheet.

    Matching rules of :meth:`lookup`:

    - GTIN scan: items whose ``ean`` is the same GTIN (compared in GTIN-14 form, so
      UPC-A ``036000291452`` matches a stored EAN-13 ``0036000291452``). If none,
      items whose ``sku`` or ``reference_code`` is exactly the scanned digits.
    - Variable-measure scan: items whose ``ean`` is exactly the scanned code; if
      none, items whose ``ean`` is a variable-measure code (under this index's
      layout) with the same item code, or whose ``sku`` / ``reference_code`` is the
      item code, leading zeros ignored.
    - Text scan: items whose ``sku``, ``reference_code``, or non-GTIN ``ean`` (such
      as ``EAN174``) equals the text, case-insensitive, stripped.
    - A scan with an error matches nothing.

    Several items may share a code (reference codes often are shared): lookup
    returns every one, in the order the items were given, without duplicates.
    """

    def __init__(self, items: Iterable[ItemKeys], *, layout: VariableMeasureLayout = DEFAULT_LAYOUT) -> None:
        self.layout = layout
        self._order: dict[str, int] = {}
        self._by_gtin: dict[str, list[str]] = {}
        self._by_variable: dict[str, list[str]] = {}
        self._by_text: dict[str, list[str]] = {}
        self._by_number: dict[str, list[str]] = {}
        for item in items:
            self._add_item(item)

    def __len__(self) -> int:
        return len(self._order)

    @staticmethod
    def _add(table: dict[str, list[str]], key: str, item_id: str) -> None:
        ids = table.setdefault(key, [])
        if item_id not in ids:
            ids.append(item_id)

    def _add_item(self, item: ItemKeys) -> None:
        item_id = item.item_id
        self._order.setdefault(item_id, len(self._order))
        ean = (item.ean or "").strip()
        if _is_digits(ean) and len(ean) in GTIN_LENGTHS:
            gtin14 = normalize_gtin(ean)
            self._add(self._by_gtin, gtin14, item_id)
            variable = self.layout.read(gtin14[1:]) if gtin14[0] == "0" else None
            if variable is not None:
                self._add(self._by_variable, _number_key(variable[0]), item_id)
        elif ean:
            self._add(self._by_text, ean.casefold(), item_id)
        for code in (item.sku, item.reference_code):
            code = (code or "").strip()
            if not code:
                continue
            self._add(self._by_text, code.casefold(), item_id)
            if _is_digits(code):
                self._add(self._by_number, _number_key(code), item_id)

    def _merge(self, *lists: list[str]) -> list[str]:
        ids = {item_id for ids in lists for item_id in ids}
        return sorted(ids, key=self._order.__getitem__)

    def lookup(self, scan: Scan) -> list[str]:
        """The ids of the items this scan matches (empty when none or on error)."""
        if scan.error is not None or not scan.code:
            return []
        if scan.kind == "text":
            return list(self._by_text.get(scan.code.strip().casefold(), ()))
        exact = self._by_gtin.get(normalize_gtin(scan.code))
        if exact:
            return list(exact)
        if scan.kind == "gtin":
            return list(self._by_text.get(scan.code, ()))
        key = _number_key(scan.item_code or "")
        return self._merge(self._by_variable.get(key, []), self._by_number.get(key, []))


# --------------------------------------------------------------------------- scanner input

DEFAULT_BURST_MS = 30.0
"""Printable keys closer together than this (milliseconds) come from a scanner, not a person."""


def split_scans(pending: str, chunk: str, terminator: str = "\n") -> tuple[list[str], str]:
    """Split what arrived (``pending`` left over, then ``chunk``) on the scan terminator.

    Returns the complete scans, in order, and what is left for the next chunk (a scan
    split across two reads). Enter is CR, LF or CRLF whatever ``terminator`` says, so
    ``"A\r\nB\n"`` is two scans. With no terminator (scanners set to send none) nothing
    is complete: the caller ends the scan after a pause.
    """
    text = pending + chunk
    if not terminator:
        return [], text
    if terminator in ("\n", "\r", "\r\n"):
        parts = re.split(r"\r\n|\r|\n", text)
    else:
        parts = text.split(terminator)
    rest = parts.pop()
    return [p for p in parts if p.strip()], rest


class BurstDetector:
    """Tells a scanner's burst from a person's typing by the gap between printable keys.

    A scanner types a code far faster than a person (a few ms a key); a gap shorter
    than ``threshold_ms`` between two printable keys makes them one burst. The
    terminator that follows a burst (or comes within the threshold of its last key)
    ends it. ``clock`` returns seconds (``time.monotonic`` by default; tests pass
    their own so that nothing depends on how fast the machine is).

    :meth:`key` is fed every key, in order; :meth:`end` says whether a terminator ends
    a burst, and returns what it typed.
    """

    def __init__(self, threshold_ms: float = DEFAULT_BURST_MS, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = max(0.0, threshold_ms) / 1000
        self.clock = clock
        self.typed = ""  # the printable keys since the last pause
        self.last: float | None = None  # when the last printable key came
        self.burst = False  # two or more of them came closer than the threshold

    def key(self, character: str) -> bool:
        """A printable key came: True when it is part of a burst."""
        now = self.clock()
        if self.last is not None and now - self.last < self.threshold:
            self.burst = True
            self.typed += character
        else:
            self.typed, self.burst = character, False
        self.last = now
        return self.burst

    def quick(self) -> bool:
        """True when a key now comes within the threshold of the last printable key."""
        return self.last is not None and self.clock() - self.last < self.threshold

    def end(self) -> str | None:
        """A terminator (Enter, Tab) came: what the burst typed when it ends one, else None.
        Either way the next key starts afresh."""
        ended = self.typed if (self.burst or self.quick()) and self.typed else None
        self.reset()
        return ended

    def reset(self) -> None:
        self.typed, self.last, self.burst = "", None, False
