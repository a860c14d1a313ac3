"""Theme names and the profile-name rule are defined once: the config, the setup form and the App agree."""

from __future__ import annotations

import pytest

from pickterm.screens.setup import _profile_check
from pickterm.store.config import PROFILE_KEYS, ConfigError, load_settings
from pickterm.store.names import PROFILE_NAME_RULE, THEMES


def test_every_theme_the_config_accepts_has_colours_in_the_app():
    from pickterm.app import THEMES as APP_THEMES

    for name in THEMES:
        assert PROFILE_KEYS["theme"](name) == name
        assert APP_THEMES[name].name == f"pickterm-{name}"
    assert list(APP_THEMES) == list(THEMES)
    with pytest.raises(ValueError):
        PROFILE_KEYS["theme"]("solarized")


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("default", True),
        ("store-12_b.eu", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("two words", False),
        ("ñandú", False),
        ("a/b", False),
    ],
)
def test_the_setup_form_and_the_config_accept_the_same_profile_names(tmp_path, name, valid):
    verdict = _profile_check(name)
    try:
        load_settings(name, path=tmp_path / "config.toml", env={})
    except ConfigError as exc:
        config_ok, said = False, str(exc)
    else:
        config_ok, said = True, ""
    # An unknown but well-formed name is refused for another reason: it does not exist yet.
    config_ok = config_ok or "is invalid" not in said
    assert verdict.ok == config_ok == valid
    if not valid:
        assert PROFILE_NAME_RULE in said and verdict.message == f"Use {PROFILE_NAME_RULE}"
