"""Local store: config profiles and secrets (``config``), SQLite state with pick progress
and recent lookups (``state``), the outbox of tracking writes (``outbox``), and typed
dates (``dates``). No Textual in here."""
