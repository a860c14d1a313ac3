"""Config profiles and the API key: one TOML file under the user config dir.

The file (``config.toml``) holds a top-level ``default_profile`` and named profiles::

    default_profile = "work"

    [profiles.work]
    api_url = "https://api.pick-and-pack.com/prod/v1"
    api_key = "..."
    theme = "high-contrast"

Effective settings come from, highest first: command-line flags (arguments of
:func:`load_settings`), ``PICKTERM_*`` environment variables, the file's profile,
then defaults. Every problem is a :class:`ConfigError` whose message is one sentence
naming the file (or variable / flag), the key and what is wrong; the API key is never
part of a message, a repr or a log line.

Reading uses the standard library's ``tomllib`` (the settings are read before the first
frame); tomlkit is imported only to write, or to word what is wrong with a file ``tomllib``
refused. Writes keep the user's comments and layout (tomlkit) and are atomic: a 0600 temp
file in the same directory, fsync, then ``os.replace``.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import platformdirs

from pickterm.endpoints import API_URL, AUTH_URL, check_base_url
from pickterm.keymap import PRESETS, Keymap, KeymapError, check_keys_table, resolve
from pickterm.store import PRIVATE_DIR_MODE, private_dir, state_path
from pickterm.store.names import PROFILE_NAME_RULE, THEMES, is_profile_name

if TYPE_CHECKING:
    import tomlkit

__all__ = [
    "DEFAULT_PROFILE",
    "ENV_VARS",
    "PROFILE_KEYS",
    "THEMES",
    "ConfigError",
    "MissingKeyError",
    "PermissionProblem",
    "Secret",
    "Settings",
    "config_path",
    "fix_permissions",
    "permission_problems",
    "permission_warnings",
    "load_settings",
    "resolve_profile",
    "save_setting",
    "save_language",
    "save_theme",
    "set_api_key",
    "unset_setting",
]

DEFAULT_PROFILE = "default"
AUTH_SCHEMES = ("bearer", "raw")
TERMINATOR_NAMES = ("enter", "return", "lf", "cr", "crlf", "tab", "none")
MAX_LITERAL_TERMINATOR = 4

# Environment variables and the setting each one overrides.
ENV_VARS = {
    "PICKTERM_API_URL": "api_url",
    "PICKTERM_AUTH_URL": "auth_url",
    "PICKTERM_API_KEY": "api_key",
    "PICKTERM_AUTH_SCHEME": "auth_scheme",
    "PICKTERM_KEYMAP": "keymap",
}
PROFILE_ENV = "PICKTERM_PROFILE"

_HEADER = """\
# pickterm configuration. Profiles live in [profiles.NAME] tables; default_profile
# picks one. Keys: api_url, auth_url, auth_scheme (bearer|raw), api_key,
# default_facility, scan_terminator (enter|tab|none|literal), scan_layout,
# scan_burst_ms (default 30), scan_weight_tolerance (percent, default 10),
# theme (dark|light|high-contrast|monochrome), language (en|es|pt-BR), keymap
# (default|no-fkeys), printer (tcp://HOST[:PORT], cups:QUEUE, cups://SERVER/QUEUE or
# file:DIR) and a [profiles.NAME.keys] table (binding id = key or [keys];
# see pickterm keys).
# This file is private (mode 0600).
"""


class ConfigError(Exception):
    """A configuration problem, worded as one sentence a person can act on."""


class MissingKeyError(ConfigError):
    """No API key is set for the profile (none was ever given: not one the server rejected)."""


# ---------------------------------------------------------------- validation


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_type_name(value)}")
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def _url(value: object) -> str:
    text = _text(value)
    if any(c.isspace() for c in text):
        raise ValueError(f"{text!r} contains spaces")
    try:
        return check_base_url(text, "URL")
    except ValueError as exc:
        raise ValueError(str(exc).removeprefix("URL ")) from None


def _choice(choices: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        text = _text(value).lower()
        if text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text

    return check


def _api_key(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_type_name(value)}")  # never echo the value
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if any(c.isspace() or ord(c) < 32 for c in value):
        raise ValueError("must not contain spaces or control characters")
    return value


def _terminator(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_type_name(value)}")
    if value.strip().lower() in TERMINATOR_NAMES:
        return value.strip().lower()
    if not value or len(value) > MAX_LITERAL_TERMINATOR:
        raise ValueError(
            f"must be one of {', '.join(TERMINATOR_NAMES)} or up to {MAX_LITERAL_TERMINATOR} literal characters"
        )
    return value


def _number(low: float, high: float, unit: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"must be a number, not {_type_name(value)}")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"must be a number of {unit}, not {value!r}") from None
        if not low <= number <= high:
            raise ValueError(f"must be {low:g} to {high:g} {unit}, not {number:g}")
        return f"{number:g}"

    return check


def _scan_layout(value: object) -> str:
    text = _text(value)
    from pickterm.scan import VariableMeasureLayout  # pure module, no I/O

    VariableMeasureLayout.from_string(text)  # raises ValueError with a clear message
    return text


def _language(value: object) -> str:
    """``language``: en, es or pt-BR (any case, ``pt_BR`` too)."""
    from pickterm.i18n import LANGUAGES, language_of

    text = _text(value)
    language = language_of(text) if text.replace("_", "-").lower() in ("en", "es", "pt-br") else None
    if language is None:
        raise ValueError(f"{text!r} is not one of {', '.join(LANGUAGES)}")
    return language


MAX_RESPONSE_MB = (1, 1024)


def _printer(value: object) -> str:
    """``printer``: tcp://HOST[:PORT], cups:QUEUE, cups://SERVER/QUEUE or file:DIR (pickterm.printers)."""
    from pickterm.printers import parse_printer

    return parse_printer(_text(value)).spec


def _megabytes(value: object) -> int:
    """``max_response_mb``: whole megabytes, 1 to 1024 (a number, or its digits as text)."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text is None or not text.isdigit():
        raise ValueError(f"must be a whole number of megabytes, {MAX_RESPONSE_MB[0]} to {MAX_RESPONSE_MB[1]}")
    number = int(text)
    if not MAX_RESPONSE_MB[0] <= number <= MAX_RESPONSE_MB[1]:
        raise ValueError(f"{number} is out of range ({MAX_RESPONSE_MB[0]} to {MAX_RESPONSE_MB[1]} MB)")
    return number


SettingValue: TypeAlias = "str | int | dict[str, tuple[str, ...]]"
"""A profile's value once checked: text (numbers as their text), whole megabytes, the keys table."""

# Every key a profile may hold, with its validator (returns the normalised value).
PROFILE_KEYS: dict[str, Callable[[object], SettingValue]] = {
    "api_url": _url,
    "auth_url": _url,
    "auth_scheme": _choice(AUTH_SCHEMES),
    "api_key": _api_key,
    "default_facility": _text,
    "scan_terminator": _terminator,
    "scan_layout": _scan_layout,
    "scan_burst_ms": _number(1, 500, "ms"),  # keys closer than this are a scanner's burst
    "scan_weight_tolerance": _number(0, 100, "%"),  # how far a scale label may be from the expected weight
    "theme": _choice(THEMES),
    "max_response_mb": _megabytes,
    "keymap": _choice(tuple(PRESETS)),  # a preset of keys (pickterm.keymap)
    "keys": check_keys_table,  # [profiles.NAME.keys]: binding id = key or [keys]
    "language": _language,
    "printer": _printer,  # the label printer of the packing station
}
TOP_KEYS = ("default_profile", "profiles")


def _check_profile_name(name: str, where: str) -> str:
    if not is_profile_name(name):
        raise ConfigError(f"{where}: profile name {name!r} is invalid (use {PROFILE_NAME_RULE})")
    return name


# ---------------------------------------------------------------- settings


class Secret:
    """A secret text (the API key): its repr and str never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The effective settings of one profile. ``api_key`` is a :class:`Secret`: never shown.

    A plain dataclass (no pydantic): the settings are read before the first frame, and the
    values come checked by :data:`PROFILE_KEYS`.
    """

    profile: str = DEFAULT_PROFILE
    config_path: Path
    api_url: str = API_URL
    auth_url: str = AUTH_URL
    auth_scheme: Literal["bearer", "raw"] = "bearer"
    api_key: Secret | None = None
    default_facility: str | None = None
    scan_terminator: str = "enter"
    scan_layout: str | None = None
    scan_burst_ms: float = 30.0
    scan_weight_tolerance: float = 10.0
    theme: str = "dark"
    max_response_mb: int = 8
    keymap: str = "default"
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    printer: str | None = None  # the label printer (pickterm.printers spec); None: none configured
    language: str | None = None  # None: PICKTERM_LANG, then the locale (pickterm.i18n.choose_language)
    # Where each non-default value came from: "flag", "env PICKTERM_...", "file".
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The checks of PROFILE_KEYS give numbers as their text ("30"): the fields hold numbers.
        for name in ("scan_burst_ms", "scan_weight_tolerance"):
            object.__setattr__(self, name, float(getattr(self, name)))
        object.__setattr__(self, "max_response_mb", int(self.max_response_mb))
        object.__setattr__(self, "config_path", Path(self.config_path))
        if isinstance(self.api_key, str):
            object.__setattr__(self, "api_key", Secret(self.api_key))

    def api_key_value(self) -> str:
        """The key itself (for the client only), or '' when none is configured."""
        return self.api_key.get_secret_value() if self.api_key is not None else ""

    def key_bindings(self) -> Keymap:
        """The keys in effect for this profile (checked when the settings were read)."""
        return resolve(self.keymap, self.keys)


def config_path() -> Path:
    """Where the config file lives (``$XDG_CONFIG_HOME/pickterm/config.toml`` on Linux)."""
    return Path(platformdirs.user_config_dir("pickterm")) / "config.toml"


# ---------------------------------------------------------------- reading


def _read_text(path: Path) -> str | None:
    """The file's text (None when it does not exist)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise ConfigError(f"Config file {path} is not valid UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"Config file {path} cannot be read ({exc.strerror or exc})") from None


def _read_values(path: Path) -> Mapping[str, object]:
    """The file's values, to read them (empty when it does not exist): ``tomllib``, no tomlkit.

    A file ``tomllib`` refuses is parsed again by :func:`_read_document`, which words the
    problem (a key given twice, the line and column of a syntax error) as the messages say it.
    """
    text = _read_text(path)
    if text is None:
        return {}
    import tomllib

    try:
        return tomllib.loads(text)
    except (ValueError, OverflowError, RecursionError):  # TOMLDecodeError is a ValueError
        return _parse_document(text, path)


def _read_document(path: Path) -> tomlkit.TOMLDocument:
    """The parsed file, to edit it (an empty document when it does not exist)."""
    return _parse_document(_read_text(path) or "", path)


def _parse_document(text: str, path: Path) -> tomlkit.TOMLDocument:
    """``text`` parsed by tomlkit (comments and layout kept); its problems as a ConfigError."""
    import tomlkit
    import tomlkit.exceptions

    try:
        doc = tomlkit.parse(text)
        doc.unwrap()  # some problems (a key given twice in a table) only show when the values are read
        return doc
    except (tomlkit.exceptions.KeyAlreadyPresent, tomlkit.exceptions.ParseError) as exc:
        # A key given twice: KeyAlreadyPresent up to tomlkit 0.15.2, a ParseError saying so after.
        if twice := re.match(r'Key "(.*)" already exists', str(exc)):
            raise ConfigError(f"Config file {path}: key {twice.group(1)!r} is given twice; keep one") from None
        if not isinstance(exc, tomlkit.exceptions.ParseError):
            raise ConfigError(f"Config file {path} cannot be read as TOML ({type(exc).__name__})") from None
        if isinstance(exc, tomlkit.exceptions.UnexpectedCharError):
            reason = "unexpected character (is a text value missing its quotes?)"
        else:  # tomlkit's own wording, without quoting the file's content
            reason = re.sub(r" at line \d+ col \d+$", "", str(exc)).rstrip(".")
            reason = re.sub(r"'[^']*'", "a character", reason)
        raise ConfigError(
            f"Config file {path} is not valid TOML at line {exc.line}, column {exc.col}: {reason}"
        ) from None
    except (tomlkit.exceptions.TOMLKitError, ValueError, OverflowError, RecursionError) as exc:
        raise ConfigError(f"Config file {path} cannot be read as TOML ({type(exc).__name__})") from None


def _profiles_of(doc: Mapping[str, object], path: Path) -> dict[str, dict[str, object]]:
    """The file's profiles as plain dicts, after checking the file's structure and keys."""
    for key in doc:
        if key not in TOP_KEYS:
            if key in PROFILE_KEYS:
                raise ConfigError(
                    f"Config file {path}: key {key!r} must be inside a profile table such as [profiles.{DEFAULT_PROFILE}]"
                )
            raise ConfigError(f"Config file {path}: unknown top-level key {key!r} (known: {', '.join(TOP_KEYS)})")
    raw = doc.get("profiles", {})
    if not isinstance(raw, Mapping):
        raise ConfigError(f"Config file {path}: 'profiles' must be a table of [profiles.NAME] tables")
    profiles: dict[str, dict[str, object]] = {}
    for name, table in raw.items():
        where = f"Config file {path}"
        _check_profile_name(name, where)
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: profile {name!r} must be a table ([profiles.{name}]), not a single value")
        values: dict[str, object] = {}
        for key, value in table.items():
            if key not in PROFILE_KEYS:
                raise ConfigError(f"{where}, profile {name!r}: unknown key {key!r} (known: {', '.join(PROFILE_KEYS)})")
            try:
                values[key] = PROFILE_KEYS[key](_plain(value))
            except ValueError as exc:
                raise ConfigError(f"{where}, profile {name!r}, key {key!r}: {exc}") from None
        _check_keymap(values, f"{where}, profile {name!r}")
        profiles[name] = values
    default = doc.get("default_profile")
    if default is not None:
        if not isinstance(default, str):
            raise ConfigError(
                f"Config file {path}, key 'default_profile': must be a string, not {_type_name(_plain(default))}"
            )
        if default != DEFAULT_PROFILE and default not in profiles:
            raise ConfigError(
                f"Config file {path}, key 'default_profile': profile {str(default)!r} does not exist"
                f" (profiles: {', '.join(profiles) or 'none'})"
            )
    return profiles


def _check_keymap(values: Mapping[str, object], where: str) -> None:
    """The profile's keymap and keys together: no two actions on one key, no printable key by accident."""
    try:
        keymap, keys = values.get("keymap"), values.get("keys")  # as PROFILE_KEYS checked them
        resolve(keymap if isinstance(keymap, str) else None, keys if isinstance(keys, Mapping) else None)
    except KeymapError as exc:
        raise ConfigError(f"{where}, keys: {exc}") from None


def _plain(value: object) -> object:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _resolve_profile(profile: str | None, env: Mapping[str, str], doc: Mapping[str, object]) -> tuple[str, str]:
    """The profile name to use and where it came from."""
    if profile:
        return profile, "flag"
    if env.get(PROFILE_ENV):
        return env[PROFILE_ENV], f"env {PROFILE_ENV}"
    default = doc.get("default_profile")
    if isinstance(default, str) and default:
        return str(default), "file"
    return DEFAULT_PROFILE, "default"


def resolve_profile(
    profile: str | None = None, *, env: Mapping[str, str] = os.environ, path: Path | None = None
) -> str:
    """The name of the profile a command works on: the argument, ``PICKTERM_PROFILE``,
    the file's ``default_profile``, else ``default``."""
    path = Path(path) if path is not None else config_path()
    return _resolve_profile(profile, env, _read_values(path))[0]


def load_settings(
    profile: str | None = None,
    *,
    api_url: str | None = None,
    auth_url: str | None = None,
    env: Mapping[str, str] = os.environ,
    path: Path | None = None,
) -> Settings:
    """The effective settings: flags (arguments) > env > the file's profile > defaults."""
    path = Path(path) if path is not None else config_path()
    doc = _read_values(path)
    profiles = _profiles_of(doc, path)
    name, name_source = _resolve_profile(profile, env, doc)
    _check_profile_name(name, "--profile" if name_source == "flag" else name_source)
    if name not in profiles and name != DEFAULT_PROFILE:
        known = ", ".join(profiles) or "none yet"
        via = {"flag": "--profile", "file": "default_profile"}.get(name_source, name_source)
        raise ConfigError(f"Config file {path}: unknown profile {name!r} (from {via}; profiles: {known})")

    # Keyed by a name only known at run time and spread into Settings(**values): each value is what
    # PROFILE_KEYS checked for its key, and Settings.__post_init__ gives the fields their types.
    values: dict[str, Any] = {}  # type: ignore[explicit-any]  # see above
    sources: dict[str, str] = {}
    for key, value in profiles.get(name, {}).items():
        values[key], sources[key] = value, "file"
    for var, key in ENV_VARS.items():
        raw = env.get(var)
        if raw is None or not raw.strip():
            continue
        try:
            values[key] = PROFILE_KEYS[key](raw)
        except ValueError as exc:
            raise ConfigError(f"Environment variable {var}: {exc}") from None
        sources[key] = f"env {var}"
        if key == "keymap":
            _check_keymap(values, f"Environment variable {var}")
    for flag, key, raw in (("--api-url", "api_url", api_url), ("--auth-url", "auth_url", auth_url)):
        if raw is None:
            continue
        try:
            values[key] = PROFILE_KEYS[key](raw)
        except ValueError as exc:
            raise ConfigError(f"Option {flag}: {exc}") from None
        sources[key] = "flag"
    if "api_key" in values:
        values["api_key"] = Secret(values["api_key"])
    sources["profile"] = name_source
    return Settings(profile=name, config_path=path, sources=sources, **values)


# ---------------------------------------------------------------- permissions


def _private_dirs(path: Path) -> list[Path]:
    """The directories pickterm creates 0700: the config file's, and the state database's."""
    return [path.parent, state_path().parent]


def _file_holds_key(path: Path) -> bool:
    try:
        doc = _read_values(path)
    except ConfigError:
        return "api_key" in path.read_text(encoding="utf-8", errors="replace")
    profiles = _plain(doc.get("profiles", {}))
    return isinstance(profiles, dict) and any(isinstance(t, dict) and "api_key" in t for t in profiles.values())


@dataclass(frozen=True)
class PermissionProblem:
    """A file or directory that should be private and others can read: what it is, its mode
    and the mode pickterm gives it (0600 a file, 0700 a directory). The screens word it."""

    path: Path
    mode: int
    wanted: int

    @property
    def is_dir(self) -> bool:
        return self.wanted == PRIVATE_DIR_MODE


def permission_problems(path: Path | None = None) -> list[PermissionProblem]:
    """Every file or directory others can read that should be private (empty when fine).

    A config file holding an API key must be 0600; pickterm's own directories 0700 (said
    when they hold something private: the key, or the state database).
    """
    path = Path(path) if path is not None else config_path()
    problems = []
    holds_key = False
    try:
        mode = path.stat().st_mode & 0o777
        holds_key = _file_holds_key(path)
        if mode & 0o077 and holds_key:
            problems.append(PermissionProblem(path, mode, 0o600))
    except OSError:
        pass
    config_dir, state_dir = _private_dirs(path)
    for directory, private in ((config_dir, holds_key), (state_dir, any(state_dir.glob("*.db")))):
        try:
            mode = directory.stat().st_mode & 0o777
        except OSError:
            continue
        if mode & 0o077 and private:
            problems.append(PermissionProblem(directory, mode, PRIVATE_DIR_MODE))
    return problems


def permission_warnings(path: Path | None = None) -> list[str]:
    """One sentence per problem of :func:`permission_problems` (the command line prints them)."""
    warnings = []
    for problem in permission_problems(path):
        target, mode = problem.path, problem.mode
        if problem.is_dir:
            warnings.append(
                f"directory {target} is mode {mode:04o}, wider than the 0700 pickterm creates:"
                f" run 'chmod 700 {target}' or 'pickterm config fix-perms'"
            )
        else:
            warnings.append(
                f"config file {target} holds an API key and others can read it (mode {mode:04o}):"
                f" run 'chmod 600 {target}' or 'pickterm config fix-perms'"
            )
    return warnings


def fix_permissions(path: Path | None = None) -> list[str]:
    """Make the config file 0600 and pickterm's directories 0700; what was changed, one line each."""
    path = Path(path) if path is not None else config_path()
    changed = []
    for target, wanted in ((path, 0o600), *((d, 0o700) for d in _private_dirs(path))):
        try:
            mode = target.stat().st_mode & 0o777
            if mode != wanted and mode & 0o077:
                os.chmod(target, wanted)
                changed.append(f"{target}: {mode:04o} -> {wanted:04o}")
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ConfigError(f"{target} cannot be made private ({exc.strerror or exc})") from None
    return changed


# ---------------------------------------------------------------- writing


def _write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: 0600 temp file in the same dir, fsync, os.replace."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".tmp", dir=path.parent)  # mkstemp: mode 0600
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _edit(path: Path | None, change: Callable[[tomlkit.TOMLDocument, Path], None]) -> Path:
    """Read, check, change and atomically rewrite the file; returns its path."""
    import tomlkit

    path = Path(path) if path is not None else config_path()
    doc = _read_document(path)
    if not doc.body:
        doc = tomlkit.parse(_HEADER)
        doc.add(tomlkit.nl())
    change(doc, path)
    try:
        _write_atomic(path, tomlkit.dumps(doc))
    except OSError as exc:
        raise ConfigError(f"Config file {path} cannot be written ({exc.strerror or exc})") from None
    return path


def _target_profile(profile: str | None, env: Mapping[str, str], doc: Mapping[str, object], path: Path) -> str:
    name, source = _resolve_profile(profile, env, doc)
    return _check_profile_name(name, "--profile" if source == "flag" else f"Config file {path}")


def _profile_table(doc: tomlkit.TOMLDocument, name: str, path: Path) -> MutableMapping[str, object]:
    import tomlkit

    if "profiles" not in doc:
        doc.add("profiles", tomlkit.table(is_super_table=True))
    profiles = doc["profiles"]
    if not isinstance(profiles, MutableMapping):
        raise ConfigError(f"Config file {path}: 'profiles' must be a table of [profiles.NAME] tables")
    if name not in profiles:
        profiles[name] = tomlkit.table()
    table = profiles[name]
    if not isinstance(table, MutableMapping):
        raise ConfigError(
            f"Config file {path}: profile {name!r} must be a table ([profiles.{name}]), not a single value"
        )
    return table


def save_setting(
    key: str,
    value: object,
    profile: str | None = None,
    *,
    env: Mapping[str, str] = os.environ,
    path: Path | None = None,
) -> SettingValue:
    """Validate and write one setting of a profile (or ``default_profile``); returns the stored value.

    Without ``profile``: ``PICKTERM_PROFILE``, else the file's ``default_profile``, else
    ``default``. A new profile is created on its first setting.
    """
    stored: dict[str, SettingValue] = {}

    def change(doc: tomlkit.TOMLDocument, file: Path) -> None:
        if key == "default_profile":
            name = _check_profile_name(_text_or_error(value, file, key), f"Config file {file}, key 'default_profile'")
            profiles = _plain(doc.get("profiles", {}))
            existing = profiles if isinstance(profiles, Mapping) else {}
            if name != DEFAULT_PROFILE and name not in existing:
                raise ConfigError(
                    f"Config file {file}, key 'default_profile': profile {name!r} does not exist"
                    f" (profiles: {', '.join(existing) or 'none'}); set one of its keys first"
                )
            doc["default_profile"] = stored.setdefault("value", name)
            return
        if key not in PROFILE_KEYS:
            known = ", ".join((*PROFILE_KEYS, "default_profile"))
            raise ConfigError(f"Config file {file}: unknown key {key!r} (known: {known})")
        name = _target_profile(profile, env, doc, file)
        try:
            clean = PROFILE_KEYS[key](value)
        except ValueError as exc:
            raise ConfigError(f"Config file {file}, profile {name!r}, key {key!r}: {exc}") from None
        _profile_table(doc, name, file)[key] = stored.setdefault("value", clean)

    _edit(path, change)
    return stored["value"]


def _text_or_error(value: object, file: Path, key: str) -> str:
    try:
        return _text(value)
    except ValueError as exc:
        raise ConfigError(f"Config file {file}, key {key!r}: {exc}") from None


def unset_setting(
    key: str, profile: str | None = None, *, env: Mapping[str, str] = os.environ, path: Path | None = None
) -> bool:
    """Remove one setting of a profile (or ``default_profile``); True when it was there."""
    removed: list[bool] = []

    def change(doc: tomlkit.TOMLDocument, file: Path) -> None:
        if key == "default_profile":
            removed.append(doc.pop("default_profile", None) is not None)
            return
        if key not in PROFILE_KEYS:
            raise ConfigError(f"Config file {file}: unknown key {key!r} (known: {', '.join(PROFILE_KEYS)})")
        name = _target_profile(profile, env, doc, file)
        profiles = doc.get("profiles", {})
        table = profiles.get(name) if isinstance(profiles, Mapping) else None
        removed.append(isinstance(table, MutableMapping) and table.pop(key, None) is not None)

    _edit(path, change)
    return removed[0]


def set_api_key(
    key: str, profile: str | None = None, *, env: Mapping[str, str] = os.environ, path: Path | None = None
) -> None:
    """Store the API key in a profile (the file stays 0600)."""
    save_setting("api_key", key, profile, env=env, path=path)


def save_language(
    language: str, profile: str | None = None, *, env: Mapping[str, str] = os.environ, path: Path | None = None
) -> str:
    """Remember the language chosen in the app for a profile."""
    return str(save_setting("language", language, profile, env=env, path=path))


def save_theme(
    theme: str, profile: str | None = None, *, env: Mapping[str, str] = os.environ, path: Path | None = None
) -> str:
    """Remember the theme chosen in the app for a profile."""
    return str(save_setting("theme", theme, profile, env=env, path=path))
