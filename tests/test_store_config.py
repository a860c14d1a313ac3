"""Config profiles and secrets: precedence, file safety, error sentences, key masking."""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
from pathlib import Path

import pytest

from pickterm.store import config as cfg
from pickterm.store.config import (
    ConfigError,
    config_path,
    load_settings,
    resolve_profile,
    save_setting,
    save_theme,
    set_api_key,
    unset_setting,
)

SECRET = "SeCrEt-0123456789-abcdefXYZW"


def write(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# ---------------------------------------------------------------- where and defaults


def test_config_file_lives_under_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert config_path() == tmp_path / "elsewhere" / "pickterm" / "config.toml"


def test_defaults_without_a_file():
    settings = load_settings(env={})
    assert settings.profile == "default"
    assert settings.api_url == "https://api.pick-and-pack.com/prod/v1"
    assert settings.auth_url == "https://auth.pickingnpacking.com/prod"
    assert settings.auth_scheme == "bearer"
    assert settings.theme == "dark"
    assert settings.api_key is None
    assert settings.config_path == config_path()
    assert not config_path().exists()  # reading never creates the file


# ---------------------------------------------------------------- precedence


def test_precedence_flags_over_env_over_file_over_defaults():
    write(
        'default_profile = "work"\n'
        "[profiles.work]\n"
        'api_url = "https://file.example/v1"\n'
        'auth_url = "https://auth-file.example"\n'
        'auth_scheme = "raw"\n'
        'api_key = "file-key-12345678"\n'
        'theme = "light"\n'
    )
    env = {
        "PICKTERM_API_URL": "https://env.example/v1",
        "PICKTERM_API_KEY": "env-key-87654321",
    }
    flags = load_settings(api_url="https://flag.example/v1", env=env)
    assert flags.api_url == "https://flag.example/v1"  # flag beats env and file
    assert flags.sources["api_url"] == "flag"
    assert flags.api_key_value() == "env-key-87654321"  # env beats file
    assert flags.auth_url == "https://auth-file.example"  # file beats default
    assert flags.auth_scheme == "raw"
    assert flags.theme == "light"
    assert flags.default_facility is None  # default

    no_flag = load_settings(env=env)
    assert no_flag.api_url == "https://env.example/v1"
    assert no_flag.sources["api_url"] == "env PICKTERM_API_URL"

    file_only = load_settings(env={})
    assert file_only.api_url == "https://file.example/v1"
    assert file_only.api_key_value() == "file-key-12345678"
    assert file_only.sources["api_url"] == "file"

    env_scheme = load_settings(env={"PICKTERM_AUTH_SCHEME": "bearer", "PICKTERM_AUTH_URL": "https://auth-env.example"})
    assert env_scheme.auth_scheme == "bearer"
    assert env_scheme.auth_url == "https://auth-env.example"
    assert load_settings(auth_url="https://auth-flag.example", env={}).auth_url == "https://auth-flag.example"


def test_profile_choice_flag_over_env_over_default_profile():
    write(
        'default_profile = "a"\n'
        '[profiles.a]\ntheme = "light"\n'
        '[profiles.b]\ntheme = "monochrome"\n'
        '[profiles.c]\ntheme = "high-contrast"\n'
    )
    assert load_settings(env={}).profile == "a"
    assert load_settings(env={}).theme == "light"
    assert load_settings(env={"PICKTERM_PROFILE": "b"}).theme == "monochrome"
    assert load_settings("c", env={"PICKTERM_PROFILE": "b"}).theme == "high-contrast"
    assert resolve_profile(env={"PICKTERM_PROFILE": "b"}) == "b"


def test_empty_env_values_are_ignored():
    write('[profiles.default]\napi_url = "https://file.example"\n')
    assert load_settings(env={"PICKTERM_API_URL": "", "PICKTERM_API_KEY": "  "}).api_url == "https://file.example"


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/v1", "http://127.5.6.7", "http://localhost:9000", "http://[::1]:8000", "https://x.example"],
)
def test_loopback_http_and_any_https_are_accepted(url):
    assert save_setting("api_url", url) == url.rstrip("/")
    assert load_settings(env={}).api_url == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.1", "ftp://x.example", "api.example.com"])
def test_other_urls_are_refused_naming_file_and_key(url):
    with pytest.raises(ConfigError) as err:
        save_setting("api_url", url)
    message = str(err.value)
    assert str(config_path()) in message and "api_url" in message and url in message
    with pytest.raises(ConfigError, match="PICKTERM_AUTH_URL"):
        load_settings(env={"PICKTERM_AUTH_URL": url})
    with pytest.raises(ConfigError, match="--api-url"):
        load_settings(api_url=url, env={})


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ('[profiles.default]\ntheme = "dark"\napi_url = https://x\n', ["not valid TOML", "line 3"]),
        ('default_profile = "ghost"\n', ["default_profile", "'ghost'", "does not exist"]),
        ('[profiles.default]\napi_url = "http://evil.example"\n', ["'api_url'", "https://"]),
        ("[profiles.default]\ntheme = 5\n", ["'theme'", "must be a string"]),
        ('[profiles.default]\ncolour = "red"\n', ["unknown key 'colour'"]),
        ('theme = "dark"\n', ["'theme'", "inside a profile table"]),
        ('[profiles.default]\ntheme = "purple"\n', ["'purple'", "dark, light, high-contrast, monochrome"]),
        ('[profiles.default]\nscan_layout = "sideways"\n', ["scan_layout", "KIND:ITEM:VALUE"]),
    ],
)
def test_broken_files_give_one_clear_sentence(text, needles):
    path = write(text)
    with pytest.raises(ConfigError) as err:
        load_settings(env={})
    message = str(err.value)
    assert str(path) in message
    assert "\n" not in message
    for needle in needles:
        assert needle in message


def test_unknown_profile_names_the_known_ones():
    write('[profiles.work]\ntheme = "light"\n')
    with pytest.raises(ConfigError, match=r"unknown profile 'home'.*work"):
        load_settings("home", env={})
    with pytest.raises(ConfigError, match="PICKTERM_PROFILE"):
        load_settings(env={"PICKTERM_PROFILE": "home"})
    assert load_settings("default", env={}).profile == "default"  # always usable


def test_scan_settings_are_validated_and_stored_as_strings():
    assert save_setting("scan_layout", "price:2-7:8-12:20-24") == "price:2-7:8-12:20-24"
    assert save_setting("scan_terminator", "TAB") == "tab"
    assert save_setting("scan_terminator", "#") == "#"
    with pytest.raises(ConfigError, match="scan_terminator"):
        save_setting("scan_terminator", "way-too-long")
    settings = load_settings(env={})
    assert (settings.scan_layout, settings.scan_terminator) == ("price:2-7:8-12:20-24", "#")


# ---------------------------------------------------------------- writing


def test_new_file_is_private_and_so_is_its_temp_file(monkeypatch):
    seen: list[int] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(mode(Path(src)))
        real_replace(src, dst)

    monkeypatch.setattr(cfg.os, "replace", spy)
    set_api_key(SECRET)
    assert seen == [0o600]
    assert mode(config_path()) == 0o600
    assert load_settings(env={}).api_key_value() == SECRET


def test_rewrite_makes_a_loose_file_private():
    path = write('[profiles.default]\ntheme = "dark"\n')
    os.chmod(path, 0o644)
    save_theme("light")
    assert mode(path) == 0o600


def test_a_crash_while_writing_leaves_the_old_file_intact(monkeypatch):
    original = '# mine\n[profiles.default]\ntheme = "dark"\n'
    path = write(original)

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cfg.os, "replace", crash)
    with pytest.raises(ConfigError, match="cannot be written"):
        save_theme("light")
    assert path.read_text() == original
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml"]  # no temp file left behind


def test_writing_keeps_comments_and_layout():
    original = (
        "# Warehouse 3 terminals\n"
        'default_profile = "floor"   # handhelds\n'
        "\n"
        "[profiles.floor]\n"
        "# the aisle scanners end codes with a tab\n"
        'scan_terminator = "tab"\n'
        'api_url     = "https://api.pick-and-pack.com/prod/v1"  # aligned\n'
    )
    path = write(original)
    save_theme("high-contrast")
    save_setting("default_facility", "783262b09ddc4b8facee2fa50541fd1e", "office")
    text = path.read_text()
    for line in original.splitlines():
        assert line in text
    settings = load_settings(env={})
    assert settings.profile == "floor" and settings.theme == "high-contrast"
    assert load_settings("office", env={}).default_facility == "783262b09ddc4b8facee2fa50541fd1e"


def test_save_uses_the_chosen_profile_and_unset_removes():
    save_setting("theme", "light", "b")
    save_setting("default_profile", "b")
    assert load_settings(env={}).theme == "light"
    assert unset_setting("theme", "b") is True
    assert unset_setting("theme", "b") is False
    assert load_settings(env={}).theme == "dark"
    with pytest.raises(ConfigError, match="does not exist"):
        save_setting("default_profile", "nobody")


def test_invalid_values_are_not_written():
    with pytest.raises(ConfigError, match="'theme'"):
        save_theme("neon")
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        save_setting("colour", "red")
    assert not config_path().exists()


# ---------------------------------------------------------------- the key stays secret


def test_key_never_in_repr_logs_or_errors(caplog):
    caplog.set_level(logging.DEBUG)
    set_api_key(SECRET, "work")
    settings = load_settings("work", env={})
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert SECRET not in str(dataclasses.asdict(settings))
    assert settings.api_key_value() == SECRET
    # a broken file that holds the key: the error names the key, never its value
    write(f'[profiles.work]\napi_key = "{SECRET}"\nauth_scheme = "basic"\n')
    with pytest.raises(ConfigError) as err:
        load_settings("work", env={})
    assert SECRET not in str(err.value)
    write(f"[profiles.work]\napi_key = {SECRET}\n")  # unquoted: not TOML
    with pytest.raises(ConfigError) as err:
        load_settings("work", env={})
    assert "line 2" in str(err.value) and SECRET not in str(err.value)
    with pytest.raises(ConfigError) as err:
        load_settings(env={"PICKTERM_API_KEY": "has spaces " + SECRET})
    assert SECRET not in str(err.value)
    assert SECRET not in caplog.text
