"""What every pickterm screen shares: header, error panel, footer, and loading data in a worker.

A data screen implements ``fetch`` (runs in a worker, may await the API) and
``show`` (puts the result on screen). ``reload`` shows a loading indicator on
``#body``, catches every error into the error panel, and never blocks the event loop.
Leaving the screen (Esc, F3) cancels its workers.

A screen that can hold work not yet saved or sent (a form) is a :class:`LeaveGuard`:
the App asks its ``confirm_leave`` before Back (F3, Esc) or Home (F2) takes it away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.cells import cell_len
from textual import work
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding
from textual.screen import Screen
from textual.widgets import Static

from pickterm.i18n import _
from pickterm.widgets.common import AppHeader, ErrorPanel
from pickterm.widgets.footer import AppFooter
from pickterm.widgets.keys import bind, in_declared_order

if TYPE_CHECKING:  # only the type: screens never import the App at run time (see tests/test_layers.py)
    from textual.widget import Widget

    from pickterm.api.client import PickPackClient
    from pickterm.app import PickTermApp


class PermissionLine(Static):
    """The line under the header while private files are readable by others (see
    ``PickTermApp.permission_problems``): it stands for the whole session, over no work."""

    def __init__(self) -> None:
        super().__init__("", id="permission-line", markup=False)
        self.display = False

    def on_mount(self) -> None:
        self.watch(self.app, "permission_problems", self._show)

    def on_resize(self) -> None:
        self._show(cast("PickTermApp", self.app).permission_problems)

    def _show(self, problems: tuple[Any, ...]) -> None:
        self.display = bool(problems)
        sentence = _("⚠ Others can read pickterm's private files: run pickterm config fix-perms")
        narrow = cell_len(sentence) + 2 > self.app.size.width  # the handheld: the short one, no margin
        self.set_class(narrow, "-narrow")
        self.update(_("⚠ Not private: pickterm config fix-perms") if narrow else sentence)


class BaseScreen(Screen[Any]):
    """A full screen with the header line, an error panel and the footer."""

    TITLE: ClassVar[str] = "pickterm"  # marked with N_ in each screen: shown translated
    # Shown by the help screen above the key list (marked with N_, shown translated).
    HELP: ClassVar[str] = ""

    def __init__(self, *, subtitle: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.subtitle = subtitle

    def compose(self) -> ComposeResult:
        # A subtitle marked with N_ is drawn in the language in effect (again after a switch).
        yield AppHeader(_(self.TITLE), _(self.subtitle) if self.subtitle else "")
        yield PermissionLine()
        yield ErrorPanel()
        yield from self.compose_body()
        yield AppFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's, in the order the screen declares them also when the profile remaps keys."""
        active = super().active_bindings
        return in_declared_order(active) if self.app._keymap else active

    @property
    def pickapp(self) -> PickTermApp:
        """The running App with its services, typed (``self.app`` is typed as any Textual App)."""
        return cast("PickTermApp", self.app)

    @property
    def error_panel(self) -> ErrorPanel:
        return self.query_one(ErrorPanel)

    async def relabel(self) -> None:
        """The language changed: the screen is drawn again in it (a data screen loads its
        data again, from the cache)."""
        await self.recompose()
        mount = getattr(self, "on_mount", None)
        if mount is not None:
            mount()

    def set_subtitle(self, text: str) -> None:
        self.subtitle = text
        self.query_one(AppHeader).set_subtitle(text)

    def action_refresh(self) -> None:
        """F5: screens with data reload it, bypassing the 30 s cache."""


class LeaveGuard(BaseScreen):
    """A screen that may hold work not yet saved or sent. Back and Home ask
    :meth:`confirm_leave` first (in a worker of the App); other screens simply go."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Left on purpose (saved, sent, or the user said to leave): nothing more to ask.
        self.leaving = False

    async def relabel(self) -> None:
        """A form keeps what was typed: drawn in the new language only when it holds nothing unsaved."""
        if not getattr(self, "has_unsent_changes", False):
            await super().relabel()

    async def confirm_leave(self) -> bool:
        """Whether the screen may go now; a form with unsent changes asks (:meth:`ask_to_leave`)."""
        return True

    async def ask_to_leave(self, question: str, *, yes: str = "", no: str = "") -> bool:
        """Ask with a ConfirmScreen (Leave / Stay unless told); a yes marks the screen as being left."""
        from pickterm.screens.confirm import ConfirmScreen

        answer: bool = await self.app.push_screen_wait(
            ConfirmScreen(_(question), yes=yes or _("Leave"), no=no or _("Stay"))
        )
        if answer:
            self.leaving = True
        return answer


def leave(app: App[None], levels: int) -> None:
    """Pop ``levels`` screens, never the home screen (the bottom of the stack); a
    :class:`LeaveGuard` screen is asked first (in a worker of the App)."""
    while levels > 0 and len(app.screen_stack) > 1:
        if isinstance(app.screen, LeaveGuard):
            app.run_worker(_leave_after_asking(app, levels), group="leave", exclusive=True, exit_on_error=False)
            return
        app.pop_screen()
        levels -= 1


async def _leave_after_asking(app: App[None], levels: int) -> None:
    while levels > 0 and len(app.screen_stack) > 1:
        screen = app.screen
        if isinstance(screen, LeaveGuard) and not await screen.confirm_leave():
            return
        app.pop_screen()
        levels -= 1


class DataScreen(BaseScreen):
    """A screen that shows something fetched from the API."""

    BINDINGS = [bind("refresh", "refresh", priority=True)]
    # The kind of recent lookup ("order", "worksheet", "shipment") a successful load records.
    RECENT: ClassVar[str | None] = None

    def recent_ident(self) -> str:
        """The id a successful load adds to the recent lookups (when RECENT is set)."""
        raise NotImplementedError

    def __init__(self, *, preloaded: Any = None, **kwargs: Any) -> None:
        """``preloaded``: what the screen shows, already fetched (home found it): the first
        load shows it without asking the server again."""
        super().__init__(**kwargs)
        self.data: Any = None
        self._preloaded = preloaded
        self._generation = 0  # counts the loads: only the newest one's answer is shown

    def preload(self, data: Any) -> None:
        """Show ``data`` (what home fetched) at the first load instead of asking the server again."""
        self._preloaded = data

    def on_mount(self) -> None:
        self.reload()

    def action_refresh(self) -> None:
        self.pickapp.store.wake()  # an unavailable local store is tried again too
        self.reload(fresh=True)

    async def fetch(self, client: PickPackClient, fresh: bool) -> Any:
        """Fetch what the screen shows (in a worker). Raise PickPackError on failure."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Put fetched data on screen."""

    def loading_target(self) -> Widget:
        return self.query_one("#body")

    @work(exclusive=True, group="load")
    async def reload(self, fresh: bool = False) -> None:
        """Load and show. A newer load (F5 again) cancels this one, its request with it; should
        its answer still come, it is dropped: only the newest load shows, or ends the indicator."""
        self._generation += 1
        generation = self._generation
        target = self.loading_target()
        target.loading = True
        try:
            preloaded, self._preloaded = self._preloaded, None
            if preloaded is not None and not fresh:
                data = preloaded
            else:
                client = await self.pickapp.client()
                data = await self.fetch(client, fresh)
        except Exception as exc:  # every failure becomes a message, never a traceback
            if generation == self._generation:
                self.show_failure(exc)
        else:
            if generation != self._generation:
                return
            self.error_panel.clear()
            self.data = data
            self.show(data)
            self.show_problems(data)
            if self.RECENT is not None:  # only what was really found becomes a recent lookup
                self.pickapp.store.remember(self.RECENT, self.recent_ident())
        finally:
            if generation == self._generation and target.is_attached:  # the user may have left while it loaded
                target.loading = False

    def show_problems(self, data: Any) -> None:
        """Records of the answer that could not be read (a broken id or quantity): named, the rest shown."""
        problems = [
            p for item in (data if isinstance(data, (list, tuple)) else [data]) for p in getattr(item, "problems", ())
        ]
        if problems:
            more = [_("… and {n} more").format(n=len(problems) - 3)] if len(problems) > 3 else []
            self.error_panel.show_message(
                "\n".join(
                    [
                        _("⚠ Part of the server's answer could not be read; the rest is shown:"),
                        *problems[:3],
                        *more,
                        _("Contact support with this message; {key} reloads.").format(
                            key=self.pickapp.key_words("refresh")
                        ),
                    ]
                )
            )

    def show_failure(self, exc: BaseException) -> None:
        self.error_panel.show_error(exc)
