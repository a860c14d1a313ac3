"""Setup: profile, API and auth URLs, auth scheme, the API key and the language.

Opened when the app starts without a usable API key (and not in demo mode), and again
from the command palette (Setup). ctrl+t tests the typed values by asking the auth host
for a token; ctrl+s checks and saves them to the config file, and the app goes on with
them. The key is typed into a password field and never shown, also not in a message, nor
any character of a saved one: the screen only says whether one is saved. The result of a
test or a save stands under the form, above the footer, where a 40x16 screen shows it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from pickterm.i18n import LANGUAGES, N_, _, choose_language, current_language, language_of, ngettext
from pickterm.screens.form_base import FormScreen
from pickterm.store.names import PROFILE_NAME_RULE, is_profile_name
from pickterm.stylesheets import css
from pickterm.text import redact
from pickterm.widgets.common import ErrorPanel, literal
from pickterm.widgets.fields import FormField, Verdict
from pickterm.widgets.keys import bind

if TYPE_CHECKING:  # only the type (see tests/test_layers.py)
    from pickterm.app import PickTermApp


def _profile_check(value: str) -> Verdict:
    if is_profile_name(value.strip()):
        return Verdict(True)
    if not value.strip():
        return Verdict(False, _("A profile name is required"))
    return Verdict(False, _("Use {rule}").format(rule=PROFILE_NAME_RULE))


def _setting_check(key: str, *, keep_empty: bool = False, note: Any = None) -> Any:
    """A check with the config's own validator for ``key`` (its message never holds the value of a key)."""

    def check(value: str) -> Verdict:
        from pickterm.store.config import PROFILE_KEYS

        if keep_empty and not value.strip():
            return Verdict(True, _("empty: keep the key already saved"))
        try:
            clean = PROFILE_KEYS[key](value)
        except ValueError as exc:
            return Verdict(False, str(exc)[:1].upper() + str(exc)[1:])
        return Verdict(True, note(clean) if note else "")

    return check


def _scheme_note(scheme: str) -> str:
    return _("header: Bearer <token>") if scheme == "bearer" else _("header: <token> (no Bearer)")


def _language_note(language: str) -> str:
    from pickterm.i18n import LANGUAGE_NAMES

    return LANGUAGE_NAMES[language]


class SetupScreen(FormScreen):
    TITLE = N_("Setup")
    HELP = N_(
        "Connect pickterm to the Pick and Pack API. Type the profile name, the API and auth URLs, "
        "the auth scheme (bearer, or raw for the token without 'Bearer'), the API key and the language "
        "(en, es or pt-BR). ctrl+t tests the connection; ctrl+s saves and goes on. The key is never shown."
    )
    CSS_PATH = [css("fields"), css("setup")]
    BINDINGS = [
        bind("setup.save", "save", priority=True),
        bind("setup.test", "test", priority=True),
    ]
    LEAVE_QUESTION = N_("The setup was not saved. Leave without saving?")

    def __init__(self) -> None:
        super().__init__(subtitle=_("connect to the API"))
        self._initial: dict[str, str] | None = None
        self._has_saved_key = False

    def compose_body(self) -> ComposeResult:
        from pickterm.endpoints import API_URL, AUTH_URL
        from pickterm.store.config import DEFAULT_PROFILE

        settings = self.pickapp.services.settings
        profile = getattr(settings, "profile", None) or DEFAULT_PROFILE
        api_url = getattr(settings, "api_url", None) or API_URL
        auth_url = getattr(settings, "auth_url", None) or AUTH_URL
        scheme = getattr(settings, "auth_scheme", None) or "bearer"
        saved_key = getattr(settings, "api_key", None)
        self._has_saved_key = saved_key is not None
        # Whether a key is saved, never a character of it.
        key_hint = _("a key is saved; empty keeps it") if saved_key is not None else _("paste or type the key")
        if saved_key is None:
            intro = _(
                "No usable API key yet: tell pickterm where and how to connect. (pickterm --demo runs without one.)"
            )
        else:
            intro = _(
                "Where and how this profile connects. The saved key is never shown; type a new one to replace it."
            )
        with VerticalScroll(id="body", can_focus=False):
            yield Static(Content(intro), id="setup-intro")
            yield FormField(_("Profile"), name="profile", value=profile, check=_profile_check, id="setup-profile")
            yield FormField(
                _("API URL"), name="api_url", value=api_url, check=_setting_check("api_url"), id="setup-api-url"
            )
            yield FormField(
                _("Auth URL"), name="auth_url", value=auth_url, check=_setting_check("auth_url"), id="setup-auth-url"
            )
            yield FormField(
                _("Auth scheme"),
                name="auth_scheme",
                value=scheme,
                placeholder=_("bearer or raw"),
                check=_setting_check("auth_scheme", note=_scheme_note),
                id="setup-scheme",
            )
            yield FormField(
                _("API key"),
                name="api_key",
                password=True,
                placeholder=key_hint,
                check=_setting_check("api_key", keep_empty=self._has_saved_key),
                id="setup-key",
            )
            yield FormField(
                _("Language"),
                name="language",
                value=getattr(settings, "language", None) or current_language(),
                placeholder=" / ".join(LANGUAGES),
                check=_setting_check("language", note=_language_note),
                id="setup-language",
            )
        yield Static("", id="setup-result", markup=False)  # outside the scroll: always in sight

    def on_mount(self) -> None:
        self._initial = self.values()
        self.query_one("#setup-key", FormField).focus_input()

    def on_unmount(self) -> None:
        self.app.call_later(say_if_no_key, self.pickapp)  # left without a key: home says so

    # ------------------------------------------------------------ values

    def values(self) -> dict[str, str]:
        return {field.field_name: field.value.strip() for field in self.fields()}

    def _checked_values(self) -> dict[str, str] | None:
        """The typed values when every field is valid; else focus the first bad one."""
        bad = self.invalid_fields()
        if bad:
            bad[0].focus_input()
            self.app.bell()
            self._say(
                ngettext("✘ {n} field to fix first.", "✘ {n} fields to fix first.", len(bad)).format(n=len(bad)),
                error=True,
            )
            return None
        return self.values()

    def _say(self, text: str, *, error: bool = False, secret: str = "") -> None:
        """Show a result line (the key, if it slipped into a message, is masked)."""
        if secret:
            text = text.replace(secret, "••••")
        result = self.query_one("#setup-result", Static)
        result.update(literal(redact(text)))
        result.display = True
        focused = self.focused
        if focused is not None:  # the form is shorter now: the field being typed in stays in sight
            self.call_after_refresh(focused.scroll_visible, animate=False)
        result.set_class(error, "-error")
        result.set_class(not error, "-ok")

    # ------------------------------------------------------------ test connection

    def action_test(self) -> None:
        values = self._checked_values()
        if values is not None:
            self._test(values)

    @work(exclusive=True, group="test", exit_on_error=False)
    async def _test(self, values: dict[str, str]) -> None:
        from pickterm.api.client import PickPackClient
        from pickterm.api.errors import AuthenticationError, PickPackError

        key = values["api_key"] or self._saved_key()
        if not key:
            self._say(_("✘ Type the API key first."), error=True)
            return
        self._say(_("Asking {url} for a token…").format(url=values["auth_url"]))
        try:
            async with PickPackClient(
                values["api_url"],
                values["auth_url"],
                key,
                auth_scheme="raw" if values["auth_scheme"].lower() == "raw" else "bearer",
            ) as client:
                await client.get_token()
        except PickPackError as exc:
            hint = (
                _("Check the API key and the auth scheme.")
                if isinstance(exc, AuthenticationError)
                else _("Check the auth URL and the network; ctrl+t tries again.")
            )
            self._say(
                _("✘ Connection test failed: {error}. {hint}").format(error=exc, hint=hint), error=True, secret=key
            )
            return
        except ValueError as exc:
            self._say(f"✘ {exc}", error=True, secret=key)
            return
        self._say(_("✔ Connection works: the auth host accepted the key. ctrl+s saves."), secret=key)

    def _saved_key(self) -> str:
        settings = self.pickapp.services.settings
        return settings.api_key_value() if settings is not None and self._has_saved_key else ""

    # ------------------------------------------------------------ save

    def action_save(self) -> None:
        values = self._checked_values()
        if values is None:
            return
        if not values["api_key"] and not self._has_saved_key:
            self.query_one("#setup-key", FormField).focus_input()
            self._say(_("✘ Type the API key first."), error=True)
            return
        self._save(values)

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _save(self, values: dict[str, str]) -> None:
        try:
            settings = await asyncio.to_thread(save_profile, values)
        except Exception as exc:  # a ConfigError names the file and what is wrong
            self._say(_("✘ Not saved: {error}").format(error=exc), error=True, secret=values["api_key"])
            return
        try:
            self.pickapp.use_settings(settings)
        except Exception as exc:
            self._say(
                _("✘ Saved, but the settings cannot be used: {error}").format(error=exc),
                error=True,
                secret=values["api_key"],
            )
            return
        self.leaving = True
        self.notify(
            _("✔ Saved profile {profile} ({path}).").format(profile=settings.profile, path=settings.config_path),
            title=_("Setup"),
            markup=False,
        )
        if self.app.screen is self:
            self.dismiss()

    @property
    def has_unsent_changes(self) -> bool:
        return self._initial is not None and self.values() != self._initial


def save_profile(values: dict[str, str]) -> Any:
    """Write the typed settings to their profile, make it the default one, and load it."""
    from pickterm.endpoints import API_URL, AUTH_URL
    from pickterm.store.config import load_settings, save_setting, set_api_key, unset_setting

    profile = values["profile"]
    for key, default in (("api_url", API_URL), ("auth_url", AUTH_URL), ("auth_scheme", "bearer")):
        if values[key].rstrip("/") == default:
            unset_setting(key, profile)
        else:
            save_setting(key, values[key], profile)
    if values["api_key"]:
        set_api_key(values["api_key"], profile)
    # Like the URLs: the language is written only when it is not the one the environment gives.
    if values.get("language") and language_of(values["language"]) != choose_language(None):
        save_setting("language", values["language"], profile)
    else:
        unset_setting("language", profile)
    save_setting("default_profile", profile)
    return load_settings(profile)


def say_if_no_key(app: PickTermApp) -> None:
    """The setup was left without a key: the screen now shown says so at once."""
    panels = app.screen.query(ErrorPanel)  # none while the app closes
    if app.needs_setup and panels and not app.screen.query("#setup-key"):
        panels.first().show_error(app.missing_key())
