"""``pickterm`` with no subcommand: the terminal app."""

from __future__ import annotations

import argparse
import sys


def run_app(args: argparse.Namespace) -> int:
    settings = None
    if not args.demo:
        # A broken config file is one clear line and exit 2, before the screen is taken over.
        from pickterm.store.config import ConfigError, load_settings

        try:
            settings = load_settings(args.profile, api_url=args.api_url, auth_url=args.auth_url)
        except ConfigError as exc:
            from pickterm.text import safe_message

            print(f"pickterm: {safe_message(exc)}", file=sys.stderr)
            return 2
    from pickterm.app import PickTermApp

    app = PickTermApp(demo=args.demo, settings=settings, theme=None if settings is None else settings.theme)
    app.run()
    return app.return_code or 0
