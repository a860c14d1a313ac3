"""What JSON decodes to, as types: the server's bodies and the local store's records before they
are read into models. No Textual here.

The aliases are strings, so importing this module costs nothing at run time; mypy reads them.
"""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["JSONObject", "JSONValue"]

JSONValue: TypeAlias = "dict[str, JSONValue] | list[JSONValue] | str | int | float | bool | None"
"""A JSON value, as ``json.loads`` returns it."""

JSONObject: TypeAlias = "dict[str, JSONValue]"
"""A JSON object, as ``json.loads`` returns it."""
