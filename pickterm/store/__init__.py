"""Local store: config profiles and secrets (``config``), SQLite state with pick progress
and recent lookups (``state``), the outbox of tracking writes (``outbox``), the names the
settings allow (``names``: themes, profile names), and typed dates (``dates``). No Textual in here."""
