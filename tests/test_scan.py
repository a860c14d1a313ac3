"""Barcode parsing and matching (pickterm.scan)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pickterm.scan import (
    DEFAULT_LAYOUT,
    ItemKeys,
    Scan,
    ScanIndex,
    ScanSettings,
    VariableMeasureLayout,
    clean,
    gtin_check_digit,
    is_valid_gtin,
    normalize_gtin,
    parse_scan,
    terminator_from_name,
    terminator_name,
)

EAN13 = "4006381333931"
UPCA = "036000291452"
EAN8 = "96385074"
GTIN14 = "00012345600012"
# GS1's own example: 2 0 01234 00200 C = item 01234, 200 g.
WEIGHED = "2001234002004"

FAST = settings(max_examples=200, deadline=None)
digits = st.text(alphabet="0123456789", min_size=1)


# --------------------------------------------------------------------------- clean


@pytest.mark.parametrize(
    "raw",
    [
        f"{EAN13}\n",
        f"{EAN13}\r\n",
        f"\t{EAN13}\t",
        f"  {EAN13}  \r",
        f"\x00{EAN13}\x00",
        f"\x1b{EAN13}\x1b",
        "4006381\x00333931\n",
        f"\ufeff{EAN13}\u200b",
    ],
)
def test_clean_strips_control_characters_and_whitespace(raw: str) -> None:
    assert clean(raw) == EAN13


def test_clean_strips_a_literal_terminator_only_at_the_end() -> None:
    assert clean("ABC#12#", terminator="#") == "ABC#12"
    assert clean("ABC#12# \r\n", terminator="#") == "ABC#12"
    assert clean("ABC#12", terminator="#") == "ABC#12"
    assert clean("abcEND", terminator="END") == "abc"


def test_clean_keeps_inner_spaces_and_text() -> None:
    assert clean(" SKU 12-x\n") == "SKU 12-x"


@pytest.mark.parametrize(
    ("name", "terminator"),
    [
        ("enter", "\n"),
        ("Enter", "\n"),
        ("tab", "\t"),
        ("TAB", "\t"),
        ("none", ""),
        ("", ""),
        ("crlf", "\r\n"),
        ("#", "#"),
    ],
)
def test_terminator_from_name(name: str, terminator: str) -> None:
    assert terminator_from_name(name) == terminator


@pytest.mark.parametrize("name", ["enter", "tab", "none", "cr", "crlf", "#"])
def test_terminator_name_round_trip(name: str) -> None:
    assert terminator_name(terminator_from_name(name)) == name


# --------------------------------------------------------------------------- GTIN


@pytest.mark.parametrize(("code", "digit"), [(EAN13, 1), (UPCA, 2), (EAN8, 4), (GTIN14, 2), (WEIGHED, 4)])
def test_check_digit_of_real_codes(code: str, digit: int) -> None:
    assert gtin_check_digit(code[:-1]) == digit
    assert is_valid_gtin(code)


@pytest.mark.parametrize("body", ["", "123", "123456", "12345678901234", "40063813339a", "４００６３８１"])
def test_check_digit_rejects_bad_bodies(body: str) -> None:
    with pytest.raises(ValueError):
        gtin_check_digit(body)


@pytest.mark.parametrize(
    "code",
    [
        "4006381333932",
        "036000291453",
        "96385075",
        "00012345600013",
        "4006381",
        "400638133393",
        "40063813339311",
        "400638133393X",
        "",
        "ABC",
        "４００６３８１３３３９３１",
    ],
)
def test_invalid_gtins(code: str) -> None:
    assert not is_valid_gtin(code)


def test_normalize_gtin_pads_to_fourteen_digits() -> None:
    assert normalize_gtin(UPCA) == normalize_gtin("0" + UPCA) == "00036000291452"
    assert normalize_gtin(EAN8) == "000000" + EAN8
    with pytest.raises(ValueError):
        normalize_gtin("12345")


@FAST
@given(st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)))
def test_check_digit_round_trip(body: str) -> None:
    code = body + str(gtin_check_digit(body))
    assert is_valid_gtin(code)
    scan = parse_scan(code + "\n")
    assert scan.error is None and scan.code == code


@FAST
@given(
    st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)),
    st.data(),
)
def test_every_single_digit_substitution_is_caught(body: str, data: st.DataObject) -> None:
    code = body + str(gtin_check_digit(body))
    position = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    misread = code[:position] + wrong + code[position + 1 :]
    assert not is_valid_gtin(misread)
    scan = parse_scan(misread)
    assert scan.error is not None and scan.error.startswith("Bad check digit")


# --------------------------------------------------------------------------- parse_scan


@pytest.mark.parametrize("code", [EAN13, UPCA, EAN8, GTIN14])
def test_valid_gtins_parse_as_gtin(code: str) -> None:
    scan = parse_scan(f"{code}\r\n")
    assert scan == Scan(raw=f"{code}\r\n", code=code, quantity=1, kind="gtin")
    assert scan.ok


def test_bad_check_digit_is_an_error_with_the_expected_digit() -> None:
    scan = parse_scan("4006381333932")
    assert scan.kind == "gtin"
    assert scan.error == "Bad check digit: 4006381333932 (expected 1)"
    assert not scan.ok


@pytest.mark.parametrize("raw", ["", "\n", "   \t\r\n", "\x00\x1b"])
def test_empty_scan_is_an_error(raw: str) -> None:
    scan = parse_scan(raw)
    assert scan.code == ""
    assert scan.error is not None and "Empty" in scan.error


@pytest.mark.parametrize("raw", ["000673", "12345", "75", "SKU-75", "EAN174", "4006381 333931", "400638133393100"])
def test_non_gtin_codes_are_text(raw: str) -> None:
    scan = parse_scan(raw)
    assert scan.kind == "text"
    assert scan.error is None
    assert scan.code == raw


@pytest.mark.parametrize(
    ("raw", "quantity", "code"),
    [
        ("3*4006381333931", 3, EAN13),
        ("12*96385074\n", 12, EAN8),
        ("999*SKU-1", 999, "SKU-1"),
        ("1*75", 1, "75"),
        ("2 * 036000291452", 2, UPCA),
        ("007*75", 7, "75"),
    ],
)
def test_quantity_prefix(raw: str, quantity: int, code: str) -> None:
    scan = parse_scan(raw)
    assert scan.error is None
    assert (scan.quantity, scan.code) == (quantity, code)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("0*4006381333931", "1 to 999"),
        ("1000*4006381333931", "1 to 999"),
        ("*4006381333931", "number"),
        ("a*4006381333931", "number"),
        ("3*", "no code"),
        ("3*4*4006381333931", "only one"),
        ("-1*75", "number"),
    ],
)
def test_bad_quantity_prefix_is_an_error(raw: str, words: str) -> None:
    scan = parse_scan(raw)
    assert scan.error is not None
    assert "quantity prefix" in scan.error and words in scan.error


def test_x_is_not_a_quantity_separator() -> None:
    scan = parse_scan("3x4006381333931")
    assert (scan.kind, scan.quantity, scan.code) == ("text", 1, "3x4006381333931")


def test_quantity_prefix_does_not_hide_a_bad_check_digit() -> None:
    scan = parse_scan("3*4006381333932")
    assert scan.quantity == 3
    assert scan.error == "Bad check digit: 4006381333932 (expected 1)"


@FAST
@given(
    st.integers(1, 999),
    st.sampled_from([EAN13, UPCA, EAN8, GTIN14, "SKU-75", "000673"]),
    st.sampled_from(["", "\n", "\r\n", "\t"]),
)
def test_quantity_prefix_round_trip(quantity: int, code: str, end: str) -> None:
    plain = parse_scan(code)
    scan = parse_scan(f"{quantity}*{code}{end}")
    assert scan.error is None
    assert scan.quantity == quantity
    assert (scan.code, scan.kind) == (plain.code, plain.kind)


# --------------------------------------------------------------------------- variable measure


def test_gs1_example_weight_code() -> None:
    scan = parse_scan(WEIGHED)
    assert scan.kind == "variable"
    assert scan.item_code == "01234"
    assert scan.weight_kg == 0.2
    assert scan.price_minor is None
    assert scan.error is None


def test_variable_code_with_bad_check_digit_is_an_error() -> None:
    scan = parse_scan("2001234002005")
    assert scan.error == "Bad check digit: 2001234002005 (expected 4)"
    assert scan.item_code is None


def test_price_layout() -> None:
    layout = VariableMeasureLayout.from_string("price:2-7:7-12")
    scan = parse_scan("2212345016990", layout=layout)
    assert (scan.kind, scan.item_code, scan.price_minor, scan.weight_kg) == ("variable", "12345", 1699, None)


def test_layout_with_price_check_digit_inside_the_value() -> None:
    layout = VariableMeasureLayout.from_string("weight:2-7:8-12")
    # 20 | 01234 | 9 (in-value check digit, skipped) | 1500 g | check digit
    body = "20012349" + "1500"
    scan = parse_scan(body + str(gtin_check_digit(body)), layout=layout)
    assert (scan.item_code, scan.weight_kg) == ("01234", 1.5)


def test_prefix_outside_the_layout_is_a_plain_gtin() -> None:
    assert parse_scan(EAN13).kind == "gtin"
    layout = VariableMeasureLayout.from_string("weight:2-7:7-12:28-29")
    assert parse_scan(WEIGHED, layout=layout).kind == "gtin"


def test_upca_reads_in_thirteen_digit_form() -> None:
    # UPC-A number system 2: "2 12345 00150 C" is 0212345001500 + C as an EAN-13.
    layout = VariableMeasureLayout.from_string("price:2-7:8-12:02")
    body = "21234500150"
    scan = parse_scan(body + str(gtin_check_digit(body)), layout=layout)
    assert (scan.kind, scan.item_code, scan.price_minor) == ("variable", "12345", 150)
    assert parse_scan(body + str(gtin_check_digit(body))).kind == "gtin"


@FAST
@given(st.text(alphabet="0123456789", min_size=5, max_size=5), st.integers(0, 99_999), st.integers(20, 29))
def test_variable_measure_round_trip(item_code: str, grams: int, prefix: int) -> None:
    body = f"{prefix}{item_code}{grams:05d}"
    scan = parse_scan(body + str(gtin_check_digit(body)) + "\n")
    assert scan.error is None and scan.kind == "variable"
    assert scan.item_code == item_code
    assert scan.weight_kg == round(grams / 1000, 3)
    assert DEFAULT_LAYOUT.build(item_code, grams, prefix=str(prefix)) == scan.code


def test_layout_default_and_string_round_trip() -> None:
    assert VariableMeasureLayout.from_string("weight:2-7:7-12") == DEFAULT_LAYOUT
    assert DEFAULT_LAYOUT.to_string() == "weight:2-7:7-12:20-29"
    for text in ["price:2-7:8-12:20-24,28", "weight:3-7:8-12:200-205", "price:1-6:6-12:2"]:
        layout = VariableMeasureLayout.parse(text)
        assert VariableMeasureLayout.from_string(layout.to_string()) == layout
    assert VariableMeasureLayout.from_string(" Price : 2-7 : 7-12 : 21,22 ").prefixes == ("21", "22")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "KIND:ITEM:VALUE"),
        ("weight", "KIND:ITEM:VALUE"),
        ("volume:2-7:7-12", "'weight' or 'price'"),
        ("weight:2:7-12", "START-END"),
        ("weight:a-b:7-12", "START-END"),
        ("weight:2-7:7-13", "check digit"),
        ("weight:7-2:7-12", "start before end"),
        ("weight:2-8:7-12", "overlap"),
        ("weight:1-7:7-12", "prefix"),
        ("weight:2-7:7-12:29-20", "ranges"),
        ("weight:2-7:7-12:2-29", "ranges"),
        ("weight:2-7:7-12:abc", "ranges"),
        ("weight:2-7:7-12:20:x", "KIND:ITEM:VALUE"),
    ],
)
def test_nonsense_layouts_raise_clear_errors(text: str, words: str) -> None:
    with pytest.raises(ValueError, match="Bad variable-measure layout") as info:
        VariableMeasureLayout.from_string(text)
    assert words in str(info.value)


def test_layout_constructor_validates_too() -> None:
    with pytest.raises(ValueError, match="overlap"):
        VariableMeasureLayout(item_span=(2, 8), value_span=(7, 12))
    with pytest.raises(ValueError, match="'weight' or 'price'"):
        VariableMeasureLayout(kind="volume")  # type: ignore[arg-type]


def test_build_refuses_values_that_do_not_fit() -> None:
    with pytest.raises(ValueError):
        DEFAULT_LAYOUT.build("01234", 100_000)
    with pytest.raises(ValueError):
        DEFAULT_LAYOUT.build("123456", 1)
    with pytest.raises(ValueError):
        DEFAULT_LAYOUT.build("01234", 1, prefix="30")


# --------------------------------------------------------------------------- settings


def test_scan_settings_from_config() -> None:
    settings_ = ScanSettings.from_config(terminator="tab", layout="price:2-7:7-12")
    assert settings_.terminator == "\t"
    scan = settings_.parse("2212345016990\t")
    assert (scan.kind, scan.price_minor) == ("variable", 1699)
    assert ScanSettings.from_config() == ScanSettings()
    with pytest.raises(ValueError, match="Bad variable-measure layout"):
        ScanSettings.from_config(layout="nonsense")


def test_scan_settings_literal_terminator() -> None:
    assert ScanSettings.from_config(terminator="#").parse("96385074#\r\n").code == EAN8


# --------------------------------------------------------------------------- matching

# Items as the contract's examples carry them: shared reference code 000673, text EANs.
CONTRACT_ITEMS = [
    ItemKeys("75", ean="EAN174", sku="75", reference_code="000673"),
    ItemKeys("137", ean="EAN241", sku="137", reference_code="000673"),
    ItemKeys("140", ean="EAN244", sku="140", reference_code="000673"),
    ItemKeys("73", ean=None, sku="73", reference_code="12345"),
]


@pytest.fixture
def index() -> ScanIndex:
    return ScanIndex(
        [
            ItemKeys("chocolate", ean=EAN13, sku="CHOC-1"),
            ItemKeys("soda", ean="0" + UPCA, sku="SODA"),
            ItemKeys("gum", ean=EAN8, sku="GUM"),
            ItemKeys("case", ean=GTIN14, sku="CASE"),
            ItemKeys("cheese", ean="2001234000007", sku="cheese-kg"),
            ItemKeys("ham", sku="4321", reference_code="HAM"),
            ItemKeys("tomato", ean="2100777000001", reference_code="00555"),
            *CONTRACT_ITEMS,
        ]
    )


@pytest.mark.parametrize(
    ("raw", "ids"),
    [
        (EAN13, ["chocolate"]),
        (UPCA, ["soda"]),  # UPC-A scan matches the stored EAN-13 with a leading 0
        ("0" + UPCA, ["soda"]),
        ("00" + UPCA, ["soda"]),  # GTIN-14 form too
        (EAN8, ["gum"]),
        ("000000" + EAN8, ["gum"]),
        (GTIN14, ["case"]),
        ("12345600012", []),  # not a GTIN length: text, matches nothing
        ("5*" + EAN13, ["chocolate"]),
    ],
)
def test_gtin_matching(index: ScanIndex, raw: str, ids: list[str]) -> None:
    assert index.lookup(parse_scan(raw)) == ids


def test_bad_check_digit_never_matches(index: ScanIndex) -> None:
    assert index.lookup(parse_scan("4006381333932")) == []
    # Even when the misread digits equal some item's stored code exactly.
    misread = ScanIndex([ItemKeys("x", ean="4006381333932", sku="4006381333932")])
    assert misread.lookup(parse_scan("4006381333932")) == []


def test_error_scans_match_nothing(index: ScanIndex) -> None:
    for raw in ["", "0*" + EAN13, "a*75"]:
        assert index.lookup(parse_scan(raw)) == []


def test_unknown_gtin_matches_nothing(index: ScanIndex) -> None:
    assert index.lookup(parse_scan("5901234123457")) == []


def test_gtin_falls_back_to_sku_or_reference_code() -> None:
    index = ScanIndex([ItemKeys("a", ean=None, sku="5901234123457"), ItemKeys("b", reference_code=EAN8)])
    assert index.lookup(parse_scan("5901234123457")) == ["a"]
    assert index.lookup(parse_scan(EAN8)) == ["b"]


@pytest.mark.parametrize(
    ("item_code", "grams", "ids"),
    [
        ("01234", 200, ["cheese"]),  # stored ean is a variable code with the same item code
        ("01234", 1500, ["cheese"]),
        ("04321", 250, ["ham"]),  # sku 4321 = item code, leading zeros ignored
        ("00555", 100, ["tomato"]),  # reference code 00555
        ("00777", 100, ["tomato"]),  # stored ean 21 00777 ...: same item code, other prefix in the family
        ("99999", 100, []),
    ],
)
def test_variable_measure_matching(index: ScanIndex, item_code: str, grams: int, ids: list[str]) -> None:
    code = DEFAULT_LAYOUT.build(item_code, grams, prefix="20")
    scan = parse_scan(code)
    assert scan.kind == "variable"
    assert index.lookup(scan) == ids


def test_variable_scan_prefers_an_exact_ean() -> None:
    index = ScanIndex([ItemKeys("fixed", ean=WEIGHED), ItemKeys("other", sku="1234")])
    # Both items carry item code 01234, but the exact code wins.
    assert index.lookup(parse_scan(WEIGHED)) == ["fixed"]
    assert index.lookup(parse_scan(DEFAULT_LAYOUT.build("01234", 300))) == ["fixed", "other"]


def test_variable_item_code_does_not_match_text_scans_of_the_item_code(index: ScanIndex) -> None:
    # "1234" typed by hand is text: it must equal a sku/reference code exactly.
    assert index.lookup(parse_scan("01234")) == []
    assert index.lookup(parse_scan("4321")) == ["ham"]


@pytest.mark.parametrize(
    ("raw", "ids"),
    [
        ("CHOC-1", ["chocolate"]),
        ("choc-1\n", ["chocolate"]),
        ("  Ham \t", ["ham"]),
        ("ham", ["ham"]),
        ("75", ["75"]),
        ("EAN241", ["137"]),  # the contract's text EANs scan as text
        ("ean241", ["137"]),
        ("12345", ["73"]),
        ("000673", ["75", "137", "140"]),  # a shared reference code returns every item
        ("673", []),  # text compares exactly: no leading-zero games
        ("CHOC", []),
    ],
)
def test_text_matching(index: ScanIndex, raw: str, ids: list[str]) -> None:
    assert index.lookup(parse_scan(raw)) == ids


def test_lookup_returns_each_item_once_in_given_order() -> None:
    index = ScanIndex(
        [
            ItemKeys("b", sku="X", reference_code="x"),
            ItemKeys("a", sku="y", reference_code="X"),
            ItemKeys("b", sku="X"),  # the same item listed again (e.g. from a second order)
        ]
    )
    assert index.lookup(parse_scan("x")) == ["b", "a"]
    assert len(index) == 2


def test_shared_ean_returns_every_item() -> None:
    index = ScanIndex([ItemKeys("1", ean=EAN13), ItemKeys("2", ean="0" + EAN13), ItemKeys("3", ean=UPCA)])
    assert index.lookup(parse_scan(EAN13)) == ["1", "2"]


def test_index_uses_its_own_layout_for_stored_eans() -> None:
    layout = VariableMeasureLayout.from_string("price:2-7:8-12")
    stored = layout.build("05555", 0)
    index = ScanIndex([ItemKeys("fish", ean=stored)], layout=layout)
    scan = parse_scan(layout.build("05555", 1234), layout=layout)
    assert scan.price_minor == 1234
    assert index.lookup(scan) == ["fish"]


# --------------------------------------------------------------------------- purity


def test_import_does_not_pull_in_textual() -> None:
    code = "import sys, pickterm.scan; print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --------------------------------------------------------------------------- scanner input


def test_split_scans_on_the_terminator_keeps_the_unfinished_rest():
    from pickterm.scan import split_scans

    assert split_scans("", "4006381333931\n8406125560665\n") == (["4006381333931", "8406125560665"], "")
    assert split_scans("", "A\r\nB\rC\n") == (["A", "B", "C"], "")  # CR, LF and CRLF are all Enter
    scans, rest = split_scans("", "4006381333931\n84061")  # a scan split across two reads
    assert (scans, rest) == (["4006381333931"], "84061")
    assert split_scans(rest, "25560665\n") == (["8406125560665"], "")
    assert split_scans("", "A\tB\t", "\t") == (["A", "B"], "")
    assert split_scans("", "A#B#C", "#") == (["A", "B"], "C")
    assert split_scans("", "\n\n  \nA\n") == (["A"], "")  # empty lines are no scans
    assert split_scans("", "ABC", "") == ([], "ABC")  # no terminator: a pause ends it


def test_a_burst_is_keys_closer_than_a_person_types():
    from pickterm.scan import BurstDetector

    now = [0.0]
    burst = BurstDetector(30, clock=lambda: now[0])
    assert burst.key("4") is False  # one key: a person, until the next says otherwise
    now[0] += 0.005
    assert burst.key("0") is True
    now[0] += 0.005
    assert burst.end() == "40"  # the terminator ends the burst: what it typed
    now[0] += 1
    assert burst.key("2") is False
    now[0] += 0.2  # a person's Enter, a while after their key
    assert burst.end() is None
    assert burst.end() is None  # a bare Enter
    now[0] += 1
    burst.key("y")
    assert burst.end() == "y"  # Enter right on a key's heels: a scanner's
    slow = BurstDetector(1, clock=lambda: now[0])
    slow.key("1")
    now[0] += 0.002
    assert slow.key("2") is False  # 2 ms apart is a person for a 1 ms threshold


def test_the_weight_tolerance_comes_from_the_config():
    assert ScanSettings().weight_tolerance == pytest.approx(0.10)
    assert ScanSettings.from_config("enter", None, 25).weight_tolerance == pytest.approx(0.25)
    with pytest.raises(ValueError, match="0 to 100"):
        ScanSettings.from_config("enter", None, 250)


def test_the_scan_settings_of_a_profile_are_checked(tmp_path):
    from pickterm.store.config import ConfigError, load_settings, save_setting

    path = tmp_path / "config.toml"
    assert save_setting("scan_burst_ms", "45", path=path) == "45"
    assert save_setting("scan_weight_tolerance", 5, path=path) == "5"
    settings = load_settings(path=path, env={})
    assert (settings.scan_burst_ms, settings.scan_weight_tolerance) == (45, 5)
    for key, bad in (("scan_burst_ms", "fast"), ("scan_burst_ms", 0), ("scan_weight_tolerance", "150")):
        with pytest.raises(ConfigError, match=key):
            save_setting(key, bad, path=path)
