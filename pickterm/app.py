"""The pickterm App: global keys, themes, navigation between screens, and the services.

The settings, client, local store, outbox and sandbox live in one
:class:`~pickterm.services.Services` object (the command line's, or one the App makes);
the App exposes them as typed read-only properties, and screens reach the App through
their typed ``pickapp`` accessor (:class:`~pickterm.screens.base.BaseScreen`).

Start-up draws the home screen (the default screen) first; a worker then makes the
sandbox (demo mode) and opens the local store, which the home screen lists its ids from
(``await app.store_ready()``), and only then loads the API layer, so neither waits for
importing httpx and pydantic. Screens get the client with ``await app.client()``.

Back (F3, Esc) and Home (F2) never take the home screen away; a screen that may hold
unsent work is a :class:`~pickterm.screens.base.LeaveGuard` and is asked before it goes.

The local store is a convenience, never a condition: lookups work without it. Its
SQLite calls run off the event loop (a busy database is a word in the header, not a
frozen screen). A store that cannot be opened (locked, corrupt, read-only) is said to
be unavailable, with why, and is tried again every :attr:`PickTermApp.STORE_POLL_SECONDS`;
an open one is watched (``PRAGMA data_version``) so that writes by another pickterm,
such as ``pickterm outbox flush`` in another terminal, show in the header within seconds.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme

from pickterm.i18n import LANGUAGE_NAMES, N_, _, current_language, set_language
from pickterm.services import Services
from pickterm.store.names import THEMES as THEME_NAMES
from pickterm.stylesheets import STYLES_DIR
from pickterm.widgets.keys import bind, keys_in_effect, shown_description

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient
    from pickterm.keymap import Keymap
    from pickterm.sandbox.backend import Sandbox
    from pickterm.store.config import Settings
    from pickterm.store.outbox import Outbox
    from pickterm.store.state import StateDB

# The Theme of each of the config's theme names (pickterm.store.names.THEMES), in that order.
_THEME_OBJECTS = (
    Theme(  # dark
        name="pickterm-dark",
        primary="#4EA1F3",
        secondary="#81A1C1",
        accent="#FFB454",
        warning="#FFD75F",
        error="#FF6B6B",
        success="#7FD962",
        foreground="#E6E6E6",
        background="#121417",
        surface="#1B1F24",
        panel="#262B33",
        dark=True,
    ),
    Theme(  # light
        name="pickterm-light",
        primary="#0B5CAD",
        secondary="#4C6A8A",
        accent="#A04A00",
        warning="#8A6100",
        error="#B00020",
        success="#1E7A1E",
        foreground="#111111",
        background="#FAFAF7",
        surface="#EFEFEA",
        panel="#E0E0DA",
        dark=False,
    ),
    Theme(  # high-contrast
        name="pickterm-high-contrast",
        primary="#FFFF00",
        secondary="#00FFFF",
        accent="#FFFF00",
        warning="#FFFF00",
        error="#FF4040",
        success="#00FF00",
        foreground="#FFFFFF",
        background="#000000",
        surface="#000000",
        panel="#202020",
        dark=True,
    ),
    Theme(  # monochrome: drawn without any colour (widgets.nocolor): cursors and highlights are reverse
        name="pickterm-monochrome",
        primary="#D0D0D0",
        secondary="#A0A0A0",
        accent="#FFFFFF",
        warning="#E0E0E0",
        error="#FFFFFF",
        success="#C0C0C0",
        foreground="#E0E0E0",
        background="#000000",
        surface="#101010",
        panel="#303030",
        dark=True,
        variables={
            "block-cursor-text-style": "bold reverse",
            "block-cursor-blurred-text-style": "reverse",
            "input-cursor-text-style": "reverse",
            "button-focus-text-style": "bold reverse",
        },
    ),
)
THEMES = dict(zip(THEME_NAMES, _THEME_OBJECTS, strict=True))
THEME_BY_NAME = {theme.name: key for key, theme in THEMES.items()}


class PickTermApp(App):
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
    # Private files or directories others can read (pickterm.store.config.PermissionProblem), found
    # at start: every screen shows a line under its header while there are any.
    permission_problems: reactive[tuple[Any, ...]] = reactive(())
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
        self._store_ready = asyncio.Event()  # set once the store was opened, or could not be
        self._store_wake = asyncio.Event()  # F5: check the store now, not at the next poll
        self._startup_error: BaseException | None = None
        self.store_error: BaseException | None = None  # why the store is unavailable or failed last
        self._retrying = False
        self.animation_level = "none"
        for t in THEMES.values():
            self.register_theme(t)
        if os.environ.get("NO_COLOR") is not None:
            theme = "monochrome"
        self.theme = THEMES.get(theme or "dark", THEMES["dark"]).name
        self._theme_loaded = theme is not None
        self._drawn_language = current_language()  # the screens' words are in it

    # The services, as screens read them (``self.pickapp.state``...): the Services object holds them.

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
        """The local store; None while it is unavailable (see ``store_error``)."""
        return self.services.state

    @property
    def outbox(self) -> Outbox | None:
        """The outbox on the local store, once the API layer is loaded."""
        return self.services.outbox

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

    def get_line_filters(self) -> Any:
        """``NO_COLOR`` or the monochrome theme: no colour at all, not Textual's greys."""
        filters = list(super().get_line_filters())
        if self.no_color or self.theme == THEMES["monochrome"].name:
            from textual.filter import Monochrome

            from pickterm.widgets.nocolor import NoColorAtAll

            plain = self.__dict__.setdefault("_plain_filter", NoColorAtAll())
            filters = [f for f in filters if not isinstance(f, Monochrome)] + [plain]
        return filters

    # ------------------------------------------------------------ start-up

    def get_default_screen(self) -> Screen:
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
        await self._open_store()
        await self._painted()
        try:
            await self._load_services()
        except Exception as exc:  # a broken config: screens show it
            self._startup_error = exc
        finally:
            self._services_ready.set()
        if self._startup_error is None:
            self._warm_token()
        await self._start_outbox()
        self._watch_store()
        if self.needs_setup:
            self.open_setup()

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

    # ------------------------------------------------------------ the local store

    async def _open_store(self) -> bool:
        """Open the local store in a thread; when it cannot be opened, say what is off and why.
        The outbox on it comes once the API layer is loaded (:meth:`_start_outbox`)."""
        was_missing = self.store_error is not None and self.state is None
        try:
            if self.state is None:
                await asyncio.to_thread(self.services.open_state)
        except Exception as exc:
            self.services.forget_store()
            self.store_failed(exc)
            return False
        finally:
            self._store_ready.set()
        self.store_error = None
        self.store_status = ""
        if was_missing:
            self.notify(
                _("The local store is available again: recent lookups, pick progress and the outbox are back."),
                title=_("Local store"),
                markup=False,
            )
        if self._services_ready.is_set():
            await self._start_outbox()
        return True

    async def _start_outbox(self) -> None:
        """The outbox on the open store (it needs the API layer): count it, retry what waits."""
        if self.state is None:
            return
        self.services.open_outbox()
        await self.update_outbox_counts()
        self.start_outbox_retries()

    def store_failed(self, exc: BaseException) -> None:
        """A store call failed: show it in the header, and say once what is affected and why."""
        if self.state is None:
            status = N_("no store")  # the header shows these translated
            text = _(
                "Local store unavailable: {error}. Lookups work; recent lookups, pick progress and the "
                "outbox are off until it can be opened (tried again every few seconds)."
            ).format(error=exc)
        elif getattr(exc, "busy", False):
            status = N_("store busy")
            text = _("The local store is busy: {error}.").format(error=exc)
        else:
            status = N_("store error")
            text = _("The local store failed: {error}.").format(error=exc)
        self.store_error = exc
        if status != self.store_status:
            self.store_status = status
            self.notify(text, title=_("Local store"), severity="warning", markup=False)

    def _store_worked(self, wrote: bool) -> None:
        # Reading works while another process holds the write lock: only a write ends "busy".
        if self.state is not None and self.store_status and (wrote or self.store_status != "store busy"):
            self.store_status = ""
            self.store_error = None

    async def in_store(self, call: Any, *args: Any, writes: bool = False) -> Any:
        """``call(*args)`` (a StateDB or Outbox method) in a thread; a failure shows in the
        header and is raised. ``writes``: the call writes (its success ends "store busy")."""
        try:
            result = await asyncio.to_thread(call, *args)
        except Exception as exc:
            self.store_failed(exc)
            raise
        self._store_worked(writes)
        return result

    def wake_store(self) -> None:
        """Try an unavailable store (and count the outbox) now rather than at the next poll."""
        self._store_wake.set()

    @work(group="store-watch", exit_on_error=False)
    async def _watch_store(self) -> None:
        """Reopen an unavailable store; notice what other processes change in an open one."""
        seen: int | None = None
        while True:
            try:
                await asyncio.wait_for(self._store_wake.wait(), self.STORE_POLL_SECONDS)
            except TimeoutError:
                pass
            self._store_wake.clear()
            state = self.state
            if state is None:
                seen = None
                await self._open_store()
                continue
            try:
                if self.store_status == "store busy":  # can we write again?
                    await self.in_store(_try_write, state, writes=True)
                version = await asyncio.to_thread(state.data_version)
            except Exception as exc:
                self.store_failed(exc)
                continue
            if version != seen:
                seen = version
                await self.update_outbox_counts()

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

    async def store_ready(self) -> None:
        """Wait until the store was opened (or could not be) and, in demo mode, the sandbox is made."""
        await self._store_ready.wait()

    async def ready(self) -> BaseException | None:
        """Wait for the services and the first try to open the store; the start-up error if
        there was one (an unavailable store is none: see ``store_error``)."""
        await self._services_ready.wait()
        await self._store_ready.wait()
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
        self.start_outbox_retries()
        self.relabel()  # the language the setup saved

    async def on_unmount(self) -> None:
        if self.services.client is not None:
            await self.services.client.aclose()

    # ------------------------------------------------------------ outbox

    def refresh_outbox_counts(self) -> None:
        """Count the outbox again (in the background)."""
        if self.outbox is not None:
            self.run_worker(self.update_outbox_counts(), group="counts", exit_on_error=False)

    async def update_outbox_counts(self) -> None:
        """Count this profile's writes in the outbox (off the event loop); a busy store keeps the
        last counts."""
        outbox = self.outbox
        if outbox is None:
            return
        try:
            counts = await self.in_store(outbox.counts, self.services.profile_name)
        except Exception:
            return
        self.outbox_counts = counts

    def start_outbox_retries(self) -> None:
        """Retry pending tracking writes in the background while the app runs."""
        if self.outbox is not None and self.services.client is not None and not self._retrying:
            self._retrying = True
            self._retry_outbox()

    @work(group="outbox", exit_on_error=False)
    async def _retry_outbox(self) -> None:
        """The retry loop runs on a thread of its own (its SQLite calls never hold up the
        screen); its requests come back to this loop, where the client lives."""
        from pickterm.offloop import off_loop
        from pickterm.store.outbox import run_retries

        loop = asyncio.get_running_loop()
        outbox = self.outbox
        if outbox is None:  # the store went away since
            self._retrying = False
            return

        def changed() -> None:
            try:
                loop.call_soon_threadsafe(self.refresh_outbox_counts)
            except RuntimeError:  # the app has closed
                pass

        try:
            await off_loop(
                self.services.client,
                lambda client: run_retries(client, outbox, stop=asyncio.Event(), on_change=changed),
            )
        finally:
            self._retrying = False

    # ------------------------------------------------------------ navigation

    def remember(self, kind: str, ident: str) -> None:
        """Add to this profile's recent lookups (order, worksheet, shipment), off the event loop."""
        if self.state is not None:
            self._remember(self.state, kind, ident)

    async def recent_lookups(self, limit: int) -> list[Any]:
        """This profile's recent lookups, newest first, once those being saved are in (off the
        event loop); none while the profile is not known yet (the settings not read)."""
        for worker in [w for w in self.workers if w.group == "remember" and not w.is_finished]:
            try:
                await worker.wait()
            except Exception:  # its failure is in the header already
                pass
        profile = self.services.profile_name
        if self.state is None or profile is None:
            return []
        return await self.in_store(self.state.recent, limit, profile)

    @work(group="remember", exit_on_error=False)
    async def _remember(self, state: Any, kind: str, ident: str) -> None:
        await self._services_ready.wait()  # the profile is known (a lookup needed the settings anyway)
        profile = self.services.profile_name
        if profile is None:  # the settings could not be read
            return
        try:
            await self.in_store(state.add_recent, kind, ident, profile, writes=True)
        except Exception:  # the store is a convenience here: the header says it is busy
            pass

    def open_order(self, order_id: str, picture: Any = None) -> None:
        """``picture``: the order as home fetched it (``pickterm.resolve.OrderPicture``), shown as is."""
        from pickterm.screens.order import OrderScreen

        self.push_screen(OrderScreen(order_id, picture))

    def open_worksheets(self, order_id: str) -> None:
        from pickterm.screens.worksheets import WorksheetsScreen

        self.push_screen(WorksheetsScreen(order_id))

    def open_worksheet(self, worksheet_id: str) -> None:
        from pickterm.screens.walkthrough import WalkthroughScreen

        self.push_screen(WalkthroughScreen(worksheet_id))

    def open_shipments(self, order_id: str) -> None:
        from pickterm.screens.shipments import ShipmentsScreen

        self.push_screen(ShipmentsScreen(order_id))

    def open_shipment(self, shipment_id: str, by: str = "internal") -> None:
        from pickterm.screens.shipment import ShipmentScreen

        self.push_screen(ShipmentScreen(shipment_id, by=by))

    def open_facility(self, facility_id: str) -> None:
        from pickterm.screens.facility import FacilityScreen

        self.push_screen(FacilityScreen(facility_id))

    def open_tracking(self, order_id: str, entry_id: int | None = None) -> None:
        from pickterm.screens.tracking import TrackingScreen

        self.push_screen(TrackingScreen(order_id, entry_id=entry_id))

    def open_pack(self, order_id: str) -> None:
        from pickterm.screens.pack import PackScreen

        self.push_screen(PackScreen(order_id))

    def open_outbox(self) -> None:
        from pickterm.screens.outbox import OutboxScreen

        self.push_screen(OutboxScreen())

    def open_setup(self) -> None:
        from pickterm.screens.setup import SetupScreen

        if not isinstance(self.screen, SetupScreen):  # once: the palette may ask again over it
            self.push_screen(SetupScreen())

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
        await self.update_outbox_counts()  # another pickterm may have sent them meanwhile
        pending, sending, failed, uncertain = self.outbox_counts
        if pending or sending or failed or uncertain:
            from pickterm.screens.confirm import ConfirmScreen

            question = quit_question(pending + sending, failed, uncertain)
            if not await self.push_screen_wait(ConfirmScreen(question, yes=_("Quit"), no=_("Stay"))):
                return
        self.exit()

    def action_outbox(self) -> None:
        self.open_outbox()

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the current screen by its name, then the global ones."""
        seen: set[str] = set()
        for cls in type(screen).__mro__:
            if not cls.__module__.startswith("pickterm"):
                continue
            for binding in getattr(cls, "BINDINGS", []):
                if isinstance(binding, tuple):
                    binding = Binding(*binding)
                if not binding.description or binding.description in seen or binding.action.startswith("app."):
                    continue
                seen.add(binding.description)
                key = keys_in_effect(self, binding)[0]
                yield SystemCommand(
                    shown_description(binding),
                    _("{key} · this screen").format(key=key),
                    _runner(screen, binding.action),
                )
        back = "/".join(dict.fromkeys([self.keys_of("back"), self.keys_of("back.escape")]))
        yield SystemCommand(
            _("Home"), _("{key} · the lookup screen").format(key=self.keys_of("home")), self.action_home
        )
        yield SystemCommand(_("Back"), _("{key} · the previous screen").format(key=back), self.action_back)
        yield SystemCommand(
            _("Help"), _("{key} · every key of this screen").format(key=self.keys_of("help")), self.action_help
        )
        yield SystemCommand(_("Outbox"), _("tracking writes waiting or refused"), self.action_outbox)
        if not self.demo:  # the demo has no settings of its own
            yield SystemCommand(_("Setup"), _("API key, hosts and language of this profile"), self.open_setup)
        for key in THEMES:
            yield SystemCommand(
                _("Theme: {name}").format(name=key), _("colours (remembered)"), _bind(self.action_use_theme, key)
            )
        for code, name in LANGUAGE_NAMES.items():
            yield SystemCommand(
                _("Language: {name}").format(name=name),
                _("words on screen (remembered)"),
                _bind(self.action_use_language, code),
            )
        yield SystemCommand(_("Quit"), self.keys_of("quit"), self.action_quit)


def quit_question(pending: int, failed: int, uncertain: int = 0) -> str:
    """What quitting does to the writes in the outbox, truthfully: pending ones wait for the
    next run, failed ones and those that may have been sent are never sent again unless
    someone resends them."""

    def writes(n: int) -> str:
        return _("1 tracking write") if n == 1 else _("{n} tracking writes").format(n=n)

    parts = []
    if pending:
        parts.append(
            _("{writes} not sent yet: kept, and sent when pickterm runs again (or by pickterm outbox flush).").format(
                writes=writes(pending)
            )
        )
    if failed:
        parts.append(
            _(
                "{writes} refused by the server: kept, but never sent again unless you edit or resend them in the outbox."
            ).format(writes=writes(failed))
        )
    if uncertain:
        parts.append(
            _("{writes} may have been sent: kept, and never sent again unless you resend them in the outbox.").format(
                writes=writes(uncertain)
            )
        )
    return " ".join([*parts, _("Quit anyway?")])


def _runner(screen: Screen, action: str):
    async def run() -> None:
        await screen.run_action(action)

    return run


def _bind(func, *args):
    def call() -> None:
        func(*args)

    return call


def _try_write(state: Any) -> None:
    """An empty write transaction: raises while another process holds the database."""
    with state.write():
        pass


def _import_services() -> None:
    import pickterm.api  # noqa: F401
    import pickterm.store.outbox  # noqa: F401
    import pickterm.store.state  # noqa: F401
