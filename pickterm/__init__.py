"""pickterm: a keyboard-only terminal picking assistant for the VTEX Pick and Pack API."""

__version__ = "0.1.0"
