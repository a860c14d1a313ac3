"""Where the top-level ``styles/*.tcss`` files are, for the App's and the screens' CSS_PATH.

A helper of its own (no Textual, nothing of pickterm imported) so that screens find
their styles without importing ``pickterm.app``.
"""

from __future__ import annotations

from pathlib import Path


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
