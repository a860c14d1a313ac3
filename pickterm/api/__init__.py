"""The Pick and Pack API: async client, models and errors. No Textual in here."""

from pickterm.api import errors, models
from pickterm.api.client import PickPackClient
from pickterm.api.errors import PickPackError
from pickterm.endpoints import API_URL, AUTH_URL, check_base_url

__all__ = ["API_URL", "AUTH_URL", "PickPackClient", "PickPackError", "check_base_url", "errors", "models"]
