"""The pickterm App: global keys, themes, navigation between screens, and the services.

Start-up shows the home screen first and loads the API layer, the local store and
(in demo mode) the sandbox in a worker afterwards, so the first frame is not held up
by importing httpx and pydantic. Screens get the client with ``await app.client()``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme


def _styles_dir() -> Path:
    """styles/ ships inside the package when installed; in a checkout it sits beside it."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "styles", here.parent / "styles"):
        if (candidate / "app.tcss").is_file():
            return candidate
    raise FileNotFoundError("pickterm's styles/ folder is missing from this installation")


STYLES_DIR = _styles_dir()


def css(name: str) -> Path:
    """The path of ``styles/<name>.tcss`` for a screen's CSS_PATH."""
    return STYLES_DIR / f"{name}.tcss"


THEMES = {
    "dark": Theme(
        name="pickterm-dark", primary="#4EA1F3", secondary="#81A1C1", accent="#FFB454",
        warning="#FFD75F", error="#FF6B6B", success="#7FD962", foreground="#E6E6E6",
        background="#121417", surface="#1B1F24", panel="#262B33", dark=True,
    ),
    "light": Theme(
        name="pickterm-light", primary="#0B5CAD", secondary="#4C6A8A", accent="#A04A00",
        warning="#8A6100", error="#B00020", success="#1E7A1E", foreground="#111111",
        background="#FAFAF7", surface="#EFEFEA", panel="#E0E0DA", dark=False,
    ),
    "high-contrast": Theme(
        name="pickterm-high-contrast", primary="#FFFF00", secondary="#00FFFF", accent="#FFFF00",
        warning="#FFFF00", error="#FF4040", success="#00FF00", foreground="#FFFFFF",
        background="#000000", surface="#000000", panel="#202020", dark=True,
    ),
    "monochrome": Theme(  # drawn without any colour (widgets.nocolor): cursors and highlights are reverse
        name="pickterm-monochrome", primary="#D0D0D0", secondary="#A0A0A0", accent="#FFFFFF",
        warning="#E0E0E0", error="#FFFFFF", success="#C0C0C0", foreground="#E0E0E0",
        background="#000000", surface="#101010", panel="#303030", dark=True,
        variables={"block-cursor-text-style": "bold reverse", "block-cursor-blurred-text-style": "reverse",
                   "input-cursor-text-style": "reverse", "button-focus-text-style": "bold reverse"},
    ),
}
THEME_BY_NAME = {theme.name: key for key, theme in THEMES.items()}


class PickTermApp(App):
    """Keyboard-only picking assistant for the Pick and Pack API."""

    TITLE = "pickterm"
    CSS_PATH = [STYLES_DIR / "app.tcss"]
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("f1", "help", "Help", priority=True),
        Binding("f2", "home", "Home", priority=True),
        Binding("f3", "back", "Back", priority=True),
        Binding("escape", "back", "Back", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    # (pending, failed) tracking writes in the outbox; the header of every screen shows them.
    outbox_counts: reactive[tuple[int, int]] = reactive((0, 0))

    def __init__(
        self,
        *,
        demo: bool = False,
        settings: Any = None,
        profile: str | None = None,
        api_url: str | None = None,
        auth_url: str | None = None,
        sandbox: Any = None,
        state: Any = None,
        client: Any = None,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.demo = demo
        self.settings = settings
        self._overrides = {"profile": profile, "api_url": api_url, "auth_url": auth_url}
        self.sandbox = sandbox
        self.state = state
        self.outbox: Any = None
        self._client = client
        self._services_ready = asyncio.Event()
        self._startup_error: BaseException | None = None
        self._retrying = False
        self.animation_level = "none"
        for t in THEMES.values():
            self.register_theme(t)
        if os.environ.get("NO_COLOR") is not None:
            theme = "monochrome"
        self.theme = THEMES.get(theme or "dark", THEMES["dark"]).name
        self._theme_loaded = theme is not None

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

    def on_mount(self) -> None:
        from pickterm.screens.lookup import LookupScreen

        self.push_screen(LookupScreen())
        self.call_after_refresh(self._start_services)
        self._warn_about_permissions()

    def _warn_about_permissions(self) -> None:
        """A config file with a key that others can read (or a wide directory): one toast each."""
        if self.demo or self.settings is None:
            return
        from pickterm.store.config import permission_warnings

        for warning in permission_warnings(self.settings.config_path):
            self.notify(f"⚠ {warning[0].upper()}{warning[1:]}", severity="warning", timeout=30)

    @work(group="services", exit_on_error=False)
    async def _start_services(self) -> None:
        try:
            await self._load_services()
        except Exception as exc:  # a broken config or store: screens show it
            self._startup_error = exc
        finally:
            self._services_ready.set()
        if self._startup_error is None:
            self.refresh_outbox_counts()
            self.start_outbox_retries()
            self._warm_token()
            if self.needs_setup:
                self.open_setup()

    async def _load_services(self) -> None:
        # Heavy imports happen here, after the first frame.
        await asyncio.to_thread(_import_services)
        from pickterm.store.outbox import Outbox
        from pickterm.store.state import StateDB

        if self.demo:
            from pickterm.connect import demo_client
            from pickterm.sandbox import Sandbox

            if self.sandbox is None:
                self.sandbox = Sandbox()
            if self._client is None:
                self._client = demo_client(self.sandbox)
        else:
            if self.settings is None:
                from pickterm.store.config import load_settings

                self.settings = await asyncio.to_thread(
                    load_settings, self._overrides["profile"],
                    api_url=self._overrides["api_url"], auth_url=self._overrides["auth_url"],
                )
            if not self._theme_loaded and os.environ.get("NO_COLOR") is None:
                self.theme = THEMES.get(self.settings.theme, THEMES["dark"]).name
            self._theme_loaded = True
            if self._client is None and self.settings.api_key is not None:
                from pickterm.connect import client_from_settings

                self._client = client_from_settings(self.settings)
        if self.state is None:
            self.state = await asyncio.to_thread(StateDB.open, demo=self.demo)
        self.outbox = Outbox(self.state)

    @work(group="token", exit_on_error=False)
    async def _warm_token(self) -> None:
        """Fetch the token while the user types the first id: the first lookup saves a round trip."""
        if self._client is not None:
            try:
                await self._client.get_token()
            except Exception:  # the screen that needs the API shows the error
                pass

    @property
    def needs_setup(self) -> bool:
        """No usable API key outside demo mode: the first-run setup screen is due."""
        return not self.demo and self._startup_error is None and self._client is None

    async def ready(self) -> BaseException | None:
        """Wait for the services; the start-up error if there was one."""
        await self._services_ready.wait()
        return self._startup_error

    async def client(self):
        """The API client, once the services are loaded. Raises what start-up failed with."""
        await self._services_ready.wait()
        if self._startup_error is not None:
            raise self._startup_error
        if self._client is None:
            from pickterm.api.errors import AuthenticationError

            raise AuthenticationError("No API key is configured: finish the setup (or start with --demo)")
        return self._client

    def use_settings(self, settings: Any) -> None:
        """Adopt new settings (after the setup screen saved them) and a client for them."""
        from pickterm.connect import client_from_settings

        old, self._client = self._client, client_from_settings(settings)
        if old is not None:
            self.run_worker(old.aclose(), group="close", exit_on_error=False)
        self.settings = settings
        self.start_outbox_retries()

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    # ------------------------------------------------------------ outbox

    def refresh_outbox_counts(self) -> None:
        if self.outbox is not None:
            self.outbox_counts = tuple(self.outbox.counts())

    def start_outbox_retries(self) -> None:
        """Retry pending tracking writes in the background while the app runs."""
        if self.outbox is not None and self._client is not None and not self._retrying:
            self._retrying = True
            self._retry_outbox()

    @work(group="outbox", exit_on_error=False)
    async def _retry_outbox(self) -> None:
        from pickterm.store.outbox import run_retries

        try:
            await run_retries(self._client, self.outbox, stop=asyncio.Event(),
                              on_change=lambda: self.call_later(self.refresh_outbox_counts))
        finally:
            self._retrying = False

    # ------------------------------------------------------------ navigation

    def remember(self, kind: str, ident: str) -> None:
        """Add to the recent lookups (order, worksheet, shipment)."""
        if self.state is not None:
            try:
                self.state.add_recent(kind, ident)
            except Exception as exc:  # the store is a convenience here: never block opening
                self.notify(f"Could not save the recent lookup: {exc}", severity="warning", markup=False)

    def open_order(self, order_id: str) -> None:
        from pickterm.screens.order import OrderScreen

        self.push_screen(OrderScreen(order_id))

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

    def open_outbox(self) -> None:
        from pickterm.screens.outbox import OutboxScreen

        self.push_screen(OutboxScreen())

    def open_setup(self) -> None:
        from pickterm.screens.setup import SetupScreen

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

    @property
    def _home_depth(self) -> int:
        # The default screen plus the lookup screen stay at the bottom.
        return 2

    def action_back(self) -> None:
        self._leave(1)

    def action_home(self) -> None:
        self._leave(len(self.screen_stack) - self._home_depth)

    def _leave(self, levels: int) -> None:
        """Pop ``levels`` screens; a screen with ``confirm_leave`` is asked first (in a worker)."""
        while levels > 0 and len(self.screen_stack) > self._home_depth:
            if getattr(self.screen, "confirm_leave", None) is not None:
                self._leave_after_asking(levels)
                return
            self.pop_screen()
            levels -= 1

    @work(group="leave", exclusive=True, exit_on_error=False)
    async def _leave_after_asking(self, levels: int) -> None:
        while levels > 0 and len(self.screen_stack) > self._home_depth:
            confirm = getattr(self.screen, "confirm_leave", None)
            if confirm is not None and not await confirm():
                return
            self.pop_screen()
            levels -= 1

    def action_quit(self) -> None:
        self._quit()

    @work(group="quit", exclusive=True, exit_on_error=False)
    async def _quit(self) -> None:
        pending, failed = self.outbox_counts
        if pending or failed:
            from pickterm.screens.confirm import ConfirmScreen

            parts = [f"{pending} pending" if pending else "", f"{failed} failed" if failed else ""]
            question = (f"The outbox still holds tracking writes ({', '.join(p for p in parts if p)}). "
                        "They are kept and sent next time. Quit anyway?")
            if not await self.push_screen_wait(ConfirmScreen(question, yes="Quit", no="Stay")):
                return
        self.exit()

    def action_outbox(self) -> None:
        self.open_outbox()

    def action_use_theme(self, key: str) -> None:
        self.theme = THEMES[key].name
        if not self.demo and self.settings is not None:
            self._save_theme(key)

    @work(thread=True, group="theme", exit_on_error=False)
    def _save_theme(self, key: str) -> None:
        from pickterm.store.config import save_theme

        try:
            save_theme(key, self.settings.profile)
        except Exception as exc:
            self.call_from_thread(self.notify, f"Theme not saved: {exc}", severity="warning", markup=False)

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
                key = self.get_key_display(Binding(binding.key.split(",")[0], ""))
                yield SystemCommand(binding.description, f"{key} · this screen",
                                    _runner(screen, binding.action))
        yield SystemCommand("Home", "F2 · the lookup screen", self.action_home)
        yield SystemCommand("Back", "F3/Esc · the previous screen", self.action_back)
        yield SystemCommand("Help", "F1 · every key of this screen", self.action_help)
        yield SystemCommand("Outbox", "tracking writes waiting or refused", self.action_outbox)
        for key in THEMES:
            yield SystemCommand(f"Theme: {key}", "colours (remembered)", _bind(self.action_use_theme, key))
        yield SystemCommand("Quit", "ctrl+q", self.action_quit)


def _runner(screen: Screen, action: str):
    async def run() -> None:
        await screen.run_action(action)

    return run


def _bind(func, *args):
    def call() -> None:
        func(*args)

    return call


def _import_services() -> None:
    import pickterm.api  # noqa: F401
    import pickterm.store.outbox  # noqa: F401
    import pickterm.store.state  # noqa: F401
