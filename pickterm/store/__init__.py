"""Local store: config profiles and secrets (``config``), SQLite state (``state``: pick
progress in ``picks``, pack progress in ``packs``, recent lookups and the facility cache in
``lookups``, on the connection of ``database``), the outbox of tracking writes (``outbox``),
the names the settings allow (``names``: themes, profile names), and typed dates (``dates``).
No Textual in here.

:func:`private_dir` makes every directory pickterm creates (the config dir, the state dir,
the token cache): 0700 at every level it creates, not only the last one."""

from __future__ import annotations

from pathlib import Path

import platformdirs

__all__ = ["PRIVATE_DIR_MODE", "private_dir", "state_path"]

PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path | str) -> Path:
    """Make ``path`` and each missing parent 0700 (``mkdir -p`` gives its mode to the last one
    only); directories that exist already are left as they are. Raises OSError."""
    path = Path(path)
    missing = []
    here = path
    while not here.is_dir():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:  # made by another pickterm meanwhile (a file there: raised below)
            if not directory.is_dir():
                raise
        else:
            directory.chmod(PRIVATE_DIR_MODE)  # the umask may have taken bits: exactly 0700
    return path


def state_path(demo: bool = False) -> Path:
    """Where the local store lives: ``$XDG_STATE_HOME/pickterm/state.db`` (``demo-state.db``
    for the demo). Here, not in ``state``, so that naming it does not import SQLite."""
    return Path(platformdirs.user_state_dir("pickterm")) / ("demo-state.db" if demo else "state.db")
