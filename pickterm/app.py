"""The pickterm App: global keys, themes and the screen stack.

The services are a :class:`~pickterm.services.Services` (the command line's, or made here),
started by :class:`~pickterm.startup.Startup`; the local store is watched by a
:class:`~pickterm.watch.StoreWatch` that reports to the App. Screens reach the App through
their typed ``pickapp`` (``services``, ``store``, ``client()``, ``open(kind, ...)`` with the
kinds of :mod:`pickterm.screens.registry`, ``key_words``). Back (F3, Esc) and Home (F2) never
take the home screen away; a :class:`~pickterm.screens.base.LeaveGuard` is asked first.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from pickterm.i18n import _, current_language, set_language
from pickterm.services import Services
from pickterm.startup import Startup
from pickterm.stylesheets import STYLES_DIR
from pickterm.watch import Job, StoreWatch
from pickterm.widgets.keys import bind
from pickterm.widgets.themes import THEME_BY_NAME, THEMES, start_with_theme, theme_name

if TYPE_CHECKING:
    from textual.filter import LineFilter

    from pickterm.api.client import PickPackClient
    from pickterm.keymap import Keymap
    from pickterm.sandbox.backend import Sandbox
    from pickterm.store.config import PermissionProblem, Settings
    from pickterm.store.outbox import OutboxCounts
    from pickterm.store.state import StateDB

__all__ = ["THEMES", "THEME_BY_NAME", "PickTermApp"]


class PickTermApp(App[None]):
    """Keyboard-only picking assistant for the Pick and Pack API."""

    TITLE = "pickterm"
    # The home screen's styles too: as the default screen (see get_default_screen) its own
    # CSS_PATH is not read.
    CSS_PATH = [STYLES_DIR / "app.tcss", STYLES_DIR / "lookup.tcss"]
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        bind("help", "help", priority=True),
        bind("home", "home", priority=True),
        bind("back", "back", priority=True),
        bind("back.escape", "back", show=False),
        bind("quit", "quit", priority=True),
        bind("palette", "command_palette", show=False, priority=True, tooltip=_("Open the command palette")),
    ]

    # (pending, sending, failed, uncertain) tracking writes in the outbox: every header shows them.
    outbox_counts: reactive[tuple[int, int, int, int]] = reactive((0, 0, 0, 0))
    # "" while the local store works; else a few words for the header ("store busy", "no store").
    store_status: reactive[str] = reactive("")
    # Private files others can read, found at start: a line under every header says so.
    permission_problems: reactive[tuple[PermissionProblem, ...]] = reactive(())
    # How often an unavailable store is tried again, and an open one checked for outside changes.
    STORE_POLL_SECONDS: ClassVar[float] = 2.0

    def __init__(
        self,
        *,
        services: Services | None = None,
        demo: bool = False,
        settings: Settings | None = None,
        sandbox: Sandbox | None = None,
        state: StateDB | None = None,
        client: PickPackClient | None = None,
        theme: str | None = None,
        keymap: Keymap | None = None,
    ) -> None:
        """``services`` as the command line made them; else made from ``demo`` and any ready-made
        parts (tests). ``keymap``: the keys in effect; else the settings' (the defaults until read)."""
        super().__init__()
        if services is None:
            services = Services(demo=demo, settings=settings, sandbox=sandbox, state=state, client=client)
        self.services = services
        self._keymap_given = keymap is not None
        if keymap is None and services.settings is not None:
            keymap = services.settings.key_bindings()
        self.use_key_bindings(keymap)
        if theme is None and services.settings is not None:
            theme = services.settings.theme
        self._services_ready = asyncio.Event()
        self.store = StoreWatch(services, self, self._spawn, self._services_ready)
        self.startup = Startup(services, self.store)
        self.animation_level = "none"
        for t in THEMES.values():  # in the order of the config's names
            self.register_theme(t)
        start_with_theme(self, theme_name(theme))  # before the CSS is read: it is parsed once
        self._theme_loaded = theme is not None or os.environ.get("NO_COLOR") is not None
        self._drawn_language = current_language()  # the screens' words are in it

    demo = property(lambda self: self.services.demo)
    settings = property(lambda self: self.services.settings)  # None in demo mode, and until read
    sandbox = property(lambda self: self.services.sandbox)
    state = property(lambda self: self.services.state)  # None while the store is unavailable
    outbox = property(lambda self: self.services.outbox)
    store_error = property(lambda self: self.store.error)  # these six: what the walk and tests read

    def use_key_bindings(self, keymap: Keymap | None) -> None:
        """Put the keys of ``keymap`` in effect (Textual's keymap replaces a binding's keys by its id)."""
        from pickterm.keymap import resolve

        self.key_bindings = keymap if keymap is not None else resolve()
        self.COMMAND_PALETTE_BINDING = self.key_bindings.keys_of("palette")[0]  # type: ignore[misc]  # the footer shows it
        self.set_keymap(self.key_bindings.for_textual())

    def key_words(self, binding_id: str) -> str:
        """The keys of a binding in effect as a sentence names them ("F5", "F3/esc", "ctrl+r")."""
        keys = self.keys_of(binding_id).split("/")
        return "/".join(k.upper() if k[:1] == "f" and k[1:].isdigit() else k for k in keys)

    def keys_of(self, binding_id: str) -> str:
        """The keys of a binding in effect, as the user reads them ("F3/Esc")."""
        return "/".join(self.get_key_display(Binding(k, "")) for k in self.key_bindings.keys_of(binding_id))

    def get_line_filters(self) -> list[LineFilter]:
        """``NO_COLOR`` or the monochrome theme: no colour at all, not Textual's greys."""
        from pickterm.widgets.nocolor import line_filters

        return line_filters(self, list(super().get_line_filters()))

    def get_default_screen(self) -> Screen[Any]:  # home: the bottom of the stack, in the first frame
        from pickterm.screens.lookup import LookupScreen

        return LookupScreen()

    def on_mount(self) -> None:
        self._warn_about_permissions()

    def on_ready(self) -> None:  # the first frame is on the terminal: not after the frames that follow
        self._start_services()

    def _warn_about_permissions(self) -> None:
        """A config file with a key others can read: the line under every header says so (not a toast)."""
        if not self.demo and self.settings is not None and not self.permission_problems:
            from pickterm.store.config import permission_problems

            self.permission_problems = tuple(permission_problems(self.settings.config_path))

    @work(group="services", exit_on_error=False)
    async def _start_services(self) -> None:
        from pickterm.screens.lookup import painted

        await self.startup.run(lambda: painted(self), self._adopt)
        self._spawn(self.store.watch(self.STORE_POLL_SECONDS), "store-watch")
        if self.needs_setup:
            self.open("setup")

    def _adopt(self, settings: Settings | None) -> None:
        """The settings read at start: their theme (unless given or NO_COLOR), keys and language."""
        if settings is not None and not self._theme_loaded:
            self.theme = theme_name(settings.theme)
        if settings is not None and not self._keymap_given:
            self.use_key_bindings(settings.key_bindings())
        self._theme_loaded = True
        self.relabel()  # the profile's language, read just now
        self._warn_about_permissions()  # the settings may not have been known when the app was mounted

    def _spawn(self, work: Coroutine[Any, Any, None], group: str) -> Job:  # for the store's watch
        return self.run_worker(work, group=group, exit_on_error=False)

    def report_store_status(self, status: str) -> None:
        self.store_status = status

    def report_outbox_counts(self, counts: OutboxCounts) -> None:
        self.outbox_counts = counts

    def report_store_news(self, news: str, error: BaseException | None) -> None:
        from pickterm.widgets.common import store_news

        self.notify(store_news(news, error), title=_("Local store"), severity="warning" if error else "information")

    @property
    def needs_setup(self) -> bool:  # no usable API key outside demo mode: the setup is due
        return self.startup.needs_setup

    async def ready(self) -> BaseException | None:
        """Wait for the services and the first try to open the store; what start-up failed with."""
        await self._services_ready.wait()
        await self.store.ready.wait()
        return self.startup.error

    async def client(self) -> PickPackClient:
        """The API client, once the services are loaded. Raises what start-up failed with."""
        await self._services_ready.wait()
        if self.startup.error is not None:
            raise self.startup.error
        client = self.services.client
        if client is None:  # no key was ever set: not a key the server rejected
            raise self.missing_key()
        return client

    def missing_key(self) -> Exception:
        from pickterm.widgets.common import missing_key

        return missing_key(self.settings.profile if self.settings is not None else None, self.key_words("palette"))

    def use_settings(self, settings: Settings) -> None:
        """Adopt new settings (after the setup screen saved them) and a client for them."""
        old = self.services.use_settings(settings)
        if not self._keymap_given:
            self.use_key_bindings(settings.key_bindings())
        if old is not None:
            self.run_worker(old.aclose(), group="close", exit_on_error=False)
        self.store.start_retries()
        self.relabel()  # the language the setup saved

    async def on_unmount(self) -> None:
        if self.services.client is not None:
            await self.services.client.aclose()

    def open(self, kind: str, *args: Any, found: Any = None, **options: Any) -> None:
        """The screen of ``kind`` (screens.registry) for ``args``, showing ``found`` (what home fetched)."""
        from pickterm.screens.registry import make

        screen = make(kind, *args, found=found, over=self.screen, **options)
        if screen is not None:
            self.push_screen(screen)

    def notify(self, message: str, *, title: str = "", markup: bool = True, **kwargs: Any) -> None:
        """Every toast: plain text (never markup), secrets redacted, no terminal or bidi control."""
        from pickterm.text import clean, one_line, redact

        super().notify(clean(redact(message)), title=one_line(redact(title)), markup=False, **kwargs)

    def action_help(self) -> None:
        from pickterm.screens.help import toggle_help

        toggle_help(self)

    def action_command_palette(self) -> None:  # Textual's, with its placeholder in the user's language
        from pickterm.screens.palette import open_palette

        open_palette(self)

    def go_back(self, levels: int = 1) -> None:
        """Leave the current screen (a form with unsent changes asks first); never the home screen."""
        from pickterm.screens.base import leave

        leave(self, levels)

    async def action_back(self) -> None:
        self.go_back()

    def action_home(self) -> None:
        self.go_back(len(self.screen_stack) - 1)  # each screen on the way that wants to be asked is

    async def action_quit(self) -> None:
        from pickterm.screens.confirm import quit_asking

        self.run_worker(quit_asking(self), group="quit", exclusive=True, exit_on_error=False)

    def action_use_theme(self, key: str) -> None:
        self.theme = THEMES[key].name
        self._save("theme", key)

    def action_use_language(self, language: str) -> None:
        """Speak ``language`` from now on (every screen is drawn again in it) and remember it."""
        set_language(language)
        self.relabel()
        self._save("language", language)

    def relabel(self) -> None:
        """Draw every screen again when the language changed since they were drawn."""
        if current_language() == self._drawn_language:
            return
        self._drawn_language = current_language()
        for screen in self.screen_stack:
            if hasattr(screen, "relabel"):
                self.call_later(screen.relabel)

    def _save(self, what: str, value: str) -> None:
        """Remember the theme or the language in the profile's config (in a thread); never in the demo."""
        from pickterm.widgets.themes import save_choice

        if not self.demo and self.settings is not None:
            job = partial(save_choice, self, what, value, self.settings.profile)
            self.run_worker(job, thread=True, group=what, exit_on_error=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action of the current screen by its name, then the global ones."""
        from pickterm.screens.palette import system_commands

        return system_commands(self, screen)
