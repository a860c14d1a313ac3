"""The pack screen opened by a package's id from home: its order's pack screen, on that package."""

from __future__ import annotations

from typing import Any

from pickterm.screens.pack import PackScreen


class PackageScreen(PackScreen):
    """The pack screen opened by a package's id (home): its order's, on that package. What
    home found (:class:`pickterm.resolve.PackageFound`) names the order."""

    def __init__(self, package_id: str) -> None:
        super().__init__("", package_id=package_id)

    def preload(self, data: Any) -> None:
        self.order_id = data.order_id
        self.subtitle = data.order_id
        super().preload((data.order, data.shipments))
