"""Any string in: a value out or one clear error, never another exception.

Property tests over what reads user and server input: the date parsers, the id and
scan parsers, URL checks and the config loader.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pickterm.api.client import check_base_url, path_segment
from pickterm.api.errors import PickPackError
from pickterm.api.models import TrackingUpdate, format_api_datetime, parse_api_datetime
from pickterm.commands.track import build_update, parse_event
from pickterm.ids import classify
from pickterm.scan import parse_scan
from pickterm.store.config import PROFILE_KEYS, ConfigError, load_settings, save_setting
from pickterm.store.dates import parse_user_datetime

NOW = datetime(2025, 2, 13, 12, 0, tzinfo=UTC)

# Strings shaped like dates, so the parsers get past their first checks.
dates = st.one_of(
    st.text(),
    st.from_regex(
        r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|z|[+-][0-9]{2}:?[0-9]{2})?\Z"
    ),
)
FIELDS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(dates)
@example("0001-01-01T00:00+14:00")
@example("9999-12-31T23:59-14:00")
@example("0001-01-01 00:00")
@settings(**FIELDS)
def test_user_dates_are_a_utc_datetime_or_a_value_error(text):
    try:
        value = parse_user_datetime(text, now=NOW)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert value.tzinfo is not None and value.utcoffset().total_seconds() == 0


@given(dates)
@example("0001-01-01T00:00+14:00")
@example("9999-12-31T23:59:59.9999999-14:00")
@settings(**FIELDS)
def test_server_dates_are_read_or_shown_as_sent(text):
    parse_api_datetime(text)
    assert format_api_datetime(text)


@given(dates)
@example("0001-01-01T00:00+14:00")
@settings(**FIELDS)
def test_tracking_bodies_refuse_bad_dates_with_a_value_error(text):
    try:
        TrackingUpdate(delivered_date=text)
    except ValueError:
        pass


@given(st.text(), dates)
@example("Bogotá|DC|Delivered|x", "0001-01-01T00:00+14:00")
@settings(**FIELDS)
def test_track_options_are_an_update_or_a_value_error(event, delivered):
    for call in (
        lambda: parse_event(event, now=NOW),
        lambda: build_update(delivered, [], now=NOW),
        lambda: build_update(None, [f"a|b|c|{delivered}"], now=NOW),
    ):
        try:
            call()
        except ValueError as exc:
            assert str(exc)


@given(st.text())
def test_ids_and_scans_are_classified_never_raised(text):
    assert classify(text).kind in {"order", "worksheet", "shipment", "tracking", "facility", "unknown"}
    parse_scan(text)
    try:
        assert "/" not in path_segment(text)
    except PickPackError:
        pass


@given(st.one_of(st.text(), st.from_regex(r"\Ahttps?://[a-z0-9.:\[\]_%-]{0,30}(:[0-9]{0,7})?(/.{0,10})?\Z")))
@example("http://127.0.0.1:99999")
@example("https://[::1")
@settings(**FIELDS)
def test_urls_are_accepted_or_refused_with_a_value_error(text):
    try:
        check_base_url(text)
    except ValueError as exc:
        assert str(exc)


toml_values = st.one_of(
    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.integers().map(str),
    st.sampled_from(
        [
            "true",
            "[1, 2]",
            "{a = 1}",
            '"http://127.0.0.1:99999"',
            '"https://api.example.com"',
            "1979-05-27T07:32:00Z",
            "nan",
        ]
    ),
)
toml_lines = st.one_of(
    st.builds(
        lambda k, v: f"{k} = {v}", st.sampled_from([*PROFILE_KEYS, "default_profile", "x", "profiles"]), toml_values
    ),
    st.sampled_from(["[profiles.default]", "[profiles.a]", "[profiles]", "[[profiles.b]]", "[x]", "", "# c"]),
    st.text(max_size=20),
)


@given(st.one_of(st.text(), st.lists(toml_lines, max_size=8).map("\n".join)))
@example('[profiles.default]\ntheme = "dark"\ntheme = "light"\n')
@example('[profiles.default]\napi_url = "http://127.0.0.1:99999"\n')
@settings(**FIELDS, max_examples=300)
def test_any_config_file_loads_or_is_one_config_error(tmp_path_factory, text):
    path = Path(tmp_path_factory.mktemp("cfg")) / "config.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if _encodable(text) else path.write_bytes(b"\xff")
    try:
        load_settings(path=path, env={})
    except ConfigError as exc:
        assert str(exc) and "\n" not in str(exc)


@given(st.sampled_from([*PROFILE_KEYS, "default_profile", "nope"]), st.text())
@example("api_url", "http://127.0.0.1:99999")
@settings(**FIELDS, max_examples=150)
def test_config_set_stores_a_valid_value_or_is_one_config_error(tmp_path_factory, key, value):
    path = Path(tmp_path_factory.mktemp("cfg")) / "config.toml"
    try:
        save_setting(key, value, path=path, env={})
    except ConfigError:
        return
    load_settings(path=path, env={})  # what was stored loads again


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_port_out_of_range_is_refused_by_config_set_and_at_load(tmp_path):
    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError, match="99999"):
        save_setting("api_url", "http://127.0.0.1:99999", path=path, env={})
    path.write_text('[profiles.default]\napi_url = "http://127.0.0.1:99999"\n')
    with pytest.raises(ConfigError, match="api_url.*not a valid URL"):
        load_settings(path=path, env={})


def test_a_key_given_twice_is_one_clear_sentence(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles.default]\ntheme = "dark"\ntheme = "light"\n')
    with pytest.raises(ConfigError, match="key 'theme' is given twice"):
        load_settings(path=path, env={})
