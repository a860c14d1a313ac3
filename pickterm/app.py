"""The pickterm App: global keys, themes and the screen stack.

The settings, client, local store, outbox and sandbox live in one
:class:`~pickterm.services.Services` object (the command line's, or one the App makes);
the local store's health, the outbox's counts and retries and the recent lookups are a
:class:`~pickterm.watch.StoreWatch` (no Textual in it) that reports to the App. Screens reach
the App through their typed ``pickapp`` accessor (:class:`~pickterm.screens.base.BaseScreen`):
``services``, ``store``, ``client()``, ``open(kind, ...)`` (the kinds of
:mod:`pickterm.screens.registry`), ``key_words``.

Start-up draws the home screen (the default screen) first; a worker then makes the
sandbox (demo mode) and opens the local store, which the home screen lists its ids from,
and only then loads the API layer, so neither waits for importing httpx and pydantic.

Back (F3, Esc) and Home (F2) never take the home screen away; a screen that may hold
unsent work is a :class:`~pickterm.screens.base.LeaveGuard` and is asked before it goes.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.reactive import reactive
from textual.screen import Screen

from pickterm.i18n import _, current_language, set_language
from pickterm.services import Services
from pickterm.stylesheets import STYLES_DIR
from pickterm.watch import NO_STORE, STORE_BACK, STORE_BUSY, Job, StoreWatch
from pickterm.widgets.keys import bind
from pickterm.widgets.themes import THEME_BY_NAME, THEMES

if TYPE_CHECKING:
    from textual.filter import LineFilter

    from pickterm.api.client import PickPackClient
    from pickterm.keymap import Keymap
    from pickterm.sandbox.backend import Sandbox
    from pickterm.store.config import PermissionProblem, Settings
    from pickterm.store.outbox import Outbox, OutboxCounts
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

    # (pending, sending, failed, uncertain) tracking writes in the outbox
    # (pickterm.store.outbox.OutboxCounts); the header of every screen shows them.
    outbox_counts: reactive[tuple[int, int, int, int]] = reactive((0, 0, 0, 0))
    # "" while the local store works; else a few words for the header ("store busy", "no store").
    store_status: reactive[str] = reactive("")
    # Private files or directories others can read, found at start: every screen shows a line
    # under its header while there are any.
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
        """``services`` as the command line made them (settings read); without them, the
        App makes its own from ``demo`` and any ready-made parts (tests, screenshots).
        ``keymap``: the keys in effect (pickterm.keymap); else the settings' (the defaults
        until they are read)."""
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
        self._startup_error: BaseException | None = None
        self.animation_level = "none"
        for t in THEMES.values():
            self.register_theme(t)
        if os.environ.get("NO_COLOR") is not None:
            theme = "monochrome"
        self.theme = THEMES.get(theme or "dark", THEMES["dark"]).name
        self._theme_loaded = theme is not None
        self._drawn_language = current_language()  # the screens' words are in it

    # What the walkthrough and the tests read of the services (screens: ``pickapp.services``).

    @property
    def demo(self) -> bool:
        return self.services.demo

    @property
    def settings(self) -> Settings | None:
        """The effective settings (None in demo mode, and until read at start-up)."""
        return self.services.settings

    @property
    def sandbox(self) -> Sandbox | None:
        return self.services.sandbox

    @property
    def state(self) -> StateDB | None:
        """The local store; None while it is unavailable (see ``store.error``)."""
        return self.services.state

    @property
    def outbox(self) -> Outbox | None:
        return self.services.outbox

    @property
    def store_error(self) -> BaseException | None:
        return self.store.error

    def use_key_bindings(self, keymap: Keymap | None) -> None:
        """Put the keys of ``keymap`` in effect (Textual's keymap replaces a binding's keys by its id)."""
        from pickterm.keymap import resolve

        self.key_bindings = keymap if keymap is not None else resolve()
        self.COMMAND_PALETTE_BINDING = self.key_bindings.keys_of("palette")[0]  # type: ignore[misc]  # the footer shows it
        self.set_keymap(self.key_bindings.for_textual())

    def key_words(self, binding_id: str) -> str:
        """The keys of a binding in effect as a sentence names them ("F5", "F3/esc", "ctrl+r")."""
        return "/".join(
            key.upper() if key[:1] == "f" and key[1:].isdigit() else key for key in self.keys_of(binding_id).split("/")
        )

    def keys_of(self, binding_id: str) -> str:
        """The keys of a binding in effect, as the user reads them ("F3/Esc")."""
        from textual.binding import Binding

        return "/".join(self.get_key_display(Binding(k, "")) for k in self.key_bindings.keys_of(binding_id))

    def get_line_filters(self) -> list[LineFilter]:
        """``NO_COLOR`` or the monochrome theme: no colour at all, not Textual's greys."""
        filters = list(super().get_line_filters())
        if self.no_color or self.theme == THEMES["monochrome"].name:
            from textual.filter import Monochrome

            from pickterm.widgets.nocolor import NoColorAtAll

            plain = self.__dict__.setdefault("_plain_filter", NoColorAtAll())
            filters = [f for f in filters if not isinstance(f, Monochrome)] + [plain]
        return filters

    # ------------------------------------------------------------ start-up

    def get_default_screen(self) -> Screen[Any]:
        # The home screen is the bottom of the stack, drawn in the first frame with its input
        # (a screen pushed from on_mount comes a frame later).
        from pickterm.screens.lookup import LookupScreen

        return LookupScreen()

    def on_mount(self) -> None:
        self._warn_about_permissions()

    def on_ready(self) -> None:
        # Sent once the first frame is on the terminal: the services start at once, not after
        # the frames that follow it (the footer's keys, the cursor) as call_after_refresh would.
        self._start_services()

    def _warn_about_permissions(self) -> None:
        """A config file with a key that others can read (or a wide directory): the line under
        every screen's header says so for the whole session (a toast would cover the work)."""
        if self.demo or self.settings is None:
            return
        from pickterm.store.config import permission_problems

        self.permission_problems = tuple(permission_problems(self.settings.config_path))

    @work(group="services", exit_on_error=False)
    async def _start_services(self) -> None:
        # First the light part (no httpx, no pydantic): the sandbox's data in demo mode and the
        # local store; the home screen lists the demo ids and recent lookups from them.
        if self.demo and self.sandbox is None:
            await asyncio.to_thread(self.services.make_sandbox)
        await self.store.open()
        await self._painted()
        try:
            await self._load_services()
        except Exception as exc:  # a broken config: screens show it
            self._startup_error = exc
        finally:
            self._services_ready.set()
        if self._startup_error is None:
            self._warm_token()
        await self.store.start_outbox()
        self._spawn(self.store.watch(self.STORE_POLL_SECONDS), "store-watch")
        if self.needs_setup:
            self.open("setup")

    async def _painted(self) -> None:
        """Let the screens draw what was just made ready before a worker thread takes the CPU."""
        await asyncio.sleep(0)  # the workers waiting for it run first
        # The home screen's lists read the store in a thread of their own: wait for them too (a
        # second at most), or the API layer's imports would take the CPU while the list is drawn.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 1.0
        while loop.time() < deadline and any(w.group == "lookup-lists" and not w.is_finished for w in self.workers):
            await asyncio.sleep(0.005)
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        await painted.wait()

    async def _load_services(self) -> None:
        # The heavy imports (httpx, pydantic), once the home screen is complete.
        await asyncio.to_thread(_import_services)
        # The settings are read once: by the command line before the App, else here.
        settings = await asyncio.to_thread(self.services.load_settings)
        if settings is not None and not self._theme_loaded and os.environ.get("NO_COLOR") is None:
            self.theme = THEMES.get(settings.theme, THEMES["dark"]).name
        if settings is not None and not self._keymap_given:
            self.use_key_bindings(settings.key_bindings())
        self._theme_loaded = True
        self.relabel()  # the profile's language, read just now
        if not self.permission_problems:  # the settings were not known when the app was mounted
            self._warn_about_permissions()
        self.services.connect()

    # ------------------------------------------------------------ the local store (pickterm.watch)

    def _spawn(self, work: Coroutine[Any, Any, None], group: str) -> Job:
        return self.run_worker(work, group=group, exit_on_error=False)

    def report_store_status(self, status: str) -> None:
        self.store_status = status

    def report_outbox_counts(self, counts: OutboxCounts) -> None:
        self.outbox_counts = counts

    def report_store_news(self, news: str, error: BaseException | None) -> None:
        """Said once, as a toast: what the store's trouble (or its return) means for the picker."""
        if news == STORE_BACK:
            text = _("The local store is available again: recent lookups, pick progress and the outbox are back.")
        elif news == NO_STORE:
            text = _(
                "Local store unavailable: {error}. Lookups work; recent lookups, pick progress and the "
                "outbox are off until it can be opened (tried again every few seconds)."
            ).format(error=error)
        elif news == STORE_BUSY:
            text = _("The local store is busy: {error}.").format(error=error)
        else:
            text = _("The local store failed: {error}.").format(error=error)
        self.notify(text, title=_("Local store"), severity="information" if news == STORE_BACK else "warning")

    @work(group="token", exit_on_error=False)
    async def _warm_token(self) -> None:
        """Fetch the token while the user types the first id: the first lookup saves a round trip."""
        client = self.services.client
        if client is not None:
            try:
                await client.get_token()
            except Exception:  # the screen that needs the API shows the error
                pass

    @property
    def needs_setup(self) -> bool:
        """No usable API key outside demo mode: the first-run setup screen is due."""
        return not self.demo and self._startup_error is None and self.services.client is None

    async def ready(self) -> BaseException | None:
        """Wait for the services and the first try to open the store; the start-up error if
        there was one (an unavailable store is none: see ``store_error``)."""
        await self._services_ready.wait()
        await self.store.ready.wait()
        return self._startup_error

    async def client(self) -> PickPackClient:
        """The API client, once the services are loaded. Raises what start-up failed with."""
        await self._services_ready.wait()
        if self._startup_error is not None:
            raise self._startup_error
        client = self.services.client
        if client is None:  # no key was ever set: not a key the server rejected
            raise self.missing_key()
        return client

    def missing_key(self) -> Exception:
        """What a screen says while no API key is set: so, and how to open the setup."""
        from pickterm.store.config import DEFAULT_PROFILE, MissingKeyError

        return MissingKeyError(
            _(
                "No API key is set for profile {profile}. Open the setup: {key}, then Setup"
                " (or run pickterm config set-key)."
            ).format(
                profile=self.settings.profile if self.settings is not None else DEFAULT_PROFILE,
                key=self.key_words("palette"),
            )
        )

    def say_if_no_key(self) -> None:
        """The setup was left without a key: the screen now shown says so at once."""
        from pickterm.widgets.common import ErrorPanel

        panels = self.screen.query(ErrorPanel)  # none while the app closes
        if self.needs_setup and panels and not self.screen.query("#setup-key"):
            panels.first().show_error(self.missing_key())

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

    # ------------------------------------------------------------ navigation

    def open(self, kind: str, *args: Any, found: Any = None, **options: Any) -> None:
        """Open the screen of ``kind`` (pickterm.screens.registry) for ``args`` (its id...);
        ``found``: what home fetched, shown as is."""
        from pickterm.screens.registry import make

        screen = make(kind, *args, found=found, over=self.screen, **options)
        if screen is not None:
            self.push_screen(screen)

    # ------------------------------------------------------------ global actions

    def notify(self, message: str, *, title: str = "", markup: bool = True, **kwargs: Any) -> None:
        """Every toast: plain text (never markup), secrets redacted, no terminal or bidi control."""
        from pickterm.text import clean, one_line, redact

        super().notify(clean(redact(message)), title=one_line(redact(title)), markup=False, **kwargs)

    def action_help(self) -> None:
        from pickterm.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen(self.screen))

    def _screens_above_home(self) -> int:
        """How many screens sit on the home screen (the default screen: the bottom of the stack,
        which Back and Home never take away)."""
        return len(self.screen_stack) - 1

    def go_back(self) -> None:
        """Leave the current screen (a form with unsent changes asks first); never the home screen."""
        self._leave(1)

    def go_home(self) -> None:
        """Back to the home screen, asking each screen on the way that wants to be asked."""
        self._leave(self._screens_above_home())

    async def action_back(self) -> None:
        self.go_back()

    def action_home(self) -> None:
        self.go_home()

    def _leave(self, levels: int) -> None:
        """Pop ``levels`` screens; a :class:`LeaveGuard` screen is asked first (in a worker)."""
        from pickterm.screens.base import LeaveGuard

        while levels > 0 and self._screens_above_home() > 0:
            if isinstance(self.screen, LeaveGuard):
                self._leave_after_asking(levels)
                return
            self.pop_screen()
            levels -= 1

    @work(group="leave", exclusive=True, exit_on_error=False)
    async def _leave_after_asking(self, levels: int) -> None:
        from pickterm.screens.base import LeaveGuard

        while levels > 0 and self._screens_above_home() > 0:
            screen = self.screen
            if isinstance(screen, LeaveGuard) and not await screen.confirm_leave():
                return
            self.pop_screen()
            levels -= 1

    async def action_quit(self) -> None:
        self._quit()

    @work(group="quit", exclusive=True, exit_on_error=False)
    async def _quit(self) -> None:
        await self.store.count_outbox()  # another pickterm may have sent them meanwhile
        pending, sending, failed, uncertain = self.outbox_counts
        if pending or sending or failed or uncertain:
            from pickterm.screens.confirm import ConfirmScreen, quit_question

            question = quit_question(pending + sending, failed, uncertain)
            if not await self.push_screen_wait(ConfirmScreen(question, yes=_("Quit"), no=_("Stay"))):
                return
        self.exit()

    def action_outbox(self) -> None:
        self.open("outbox")

    def action_use_theme(self, key: str) -> None:
        self.theme = THEMES[key].name
        if not self.demo and self.settings is not None:
            self._save_theme(key, self.settings.profile)

    @work(thread=True, group="theme", exit_on_error=False)
    def _save_theme(self, key: str, profile: str) -> None:
        from pickterm.store.config import save_theme

        try:
            save_theme(key, profile)
        except Exception as exc:
            self.call_from_thread(
                self.notify, _("Theme not saved: {error}").format(error=exc), severity="warning", markup=False
            )

    def action_use_language(self, language: str) -> None:
        """Speak ``language`` from now on (every screen is drawn again in it) and remember it."""
        set_language(language)
        self.relabel()
        if not self.demo and self.settings is not None:
            self._save_language(language, self.settings.profile)

    def relabel(self) -> None:
        """Draw every screen again when the language changed since they were drawn."""
        if current_language() == self._drawn_language:
            return
        self._drawn_language = current_language()
        for screen in self.screen_stack:
            if hasattr(screen, "relabel"):
                self.call_later(screen.relabel)

    @work(thread=True, group="language", exit_on_error=False)
    def _save_language(self, language: str, profile: str) -> None:
        from pickterm.store.config import save_language

        try:
            save_language(language, profile)
        except Exception as exc:
            self.call_from_thread(
                self.notify, _("Language not saved: {error}").format(error=exc), severity="warning", markup=False
            )

    # ------------------------------------------------------------ command palette

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action of the current screen by its name, then the global ones."""
        from pickterm.screens.palette import system_commands

        return system_commands(self, screen)


def _import_services() -> None:
    import pickterm.api  # noqa: F401
    import pickterm.store.outbox  # noqa: F401
    import pickterm.store.state  # noqa: F401
