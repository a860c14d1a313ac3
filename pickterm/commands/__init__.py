"""Subcommands of the ``pickterm`` command line (see ``pickterm.cli``)."""
