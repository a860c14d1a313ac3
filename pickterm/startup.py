"""Start-up of the App's services, in the order the first frames need them. No Textual here.

First the light part (no httpx, no pydantic): the local store, opened in a thread, which the
home screen lists the recent lookups from (its demo ids come from the demo data alone); then,
once the home screen is painted, in threads, the API layer, the settings and the demo's
sandbox, and the client; then the outbox. Neither the first frame nor the home screen's lists
wait for importing httpx and pydantic, nor for building the sandbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient
    from pickterm.services import Services
    from pickterm.store.config import Settings
    from pickterm.watch import StoreWatch

__all__ = ["Startup"]


class Startup:
    """The services of one App, made ready once."""

    def __init__(self, services: Services, store: StoreWatch) -> None:
        self.services = services
        self.store = store
        self.ready = store.services_ready  # set once the API layer and the settings are loaded
        self.error: BaseException | None = None  # what loading them failed with (a broken config)

    async def run(self, painted: Callable[[], Awaitable[None]], adopt: Callable[[Settings | None], None]) -> None:
        """Make everything ready; ``painted``: wait for the home screen to be drawn; ``adopt``:
        take the settings just read (their theme, keys and language)."""
        await self.store.open()
        await painted()
        try:
            await asyncio.to_thread(_import_services)  # the heavy imports, once home is complete
            await asyncio.to_thread(self.services.make_sandbox)  # the demo's backend (none outside the demo)
            adopt(await asyncio.to_thread(self.services.load_settings))  # read once: by the CLI, else here
            self.services.connect()
        except Exception as exc:  # a broken config: screens show it
            self.error = exc
        finally:
            self.ready.set()
        if self.error is None and self.services.client is not None:
            self.store.spawn(_warm_token(self.services.client), "token")
        await self.store.start_outbox()

    @property
    def needs_setup(self) -> bool:
        """No usable API key outside demo mode: the first-run setup screen is due."""
        return not self.services.demo and self.error is None and self.services.client is None


async def _warm_token(client: PickPackClient) -> None:
    """Fetch the token while the user types the first id: the first lookup saves a round trip."""
    try:
        await client.get_token()
    except Exception:  # the screen that needs the API shows the error
        pass


def _import_services() -> None:
    import pickterm.api  # noqa: F401
    import pickterm.store.outbox  # noqa: F401
    import pickterm.store.state  # noqa: F401
