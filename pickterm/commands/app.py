"""``pickterm`` with no subcommand: the terminal app."""

from __future__ import annotations

import argparse


def run_app(args: argparse.Namespace) -> int:
    from pickterm.app import PickTermApp

    app = PickTermApp(
        demo=args.demo, profile=args.profile, api_url=args.api_url, auth_url=args.auth_url,
    )
    app.run()
    return app.return_code or 0
