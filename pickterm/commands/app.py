"""``pickterm`` with no subcommand: the terminal app."""

from __future__ import annotations

import argparse
import sys

from pickterm.services import Services


def run_app(args: argparse.Namespace) -> int:
    services = Services.from_args(args)
    if not services.demo:
        # A broken config file is one clear line and exit 2, before the screen is taken over.
        # The settings are read here, once: the App takes them with the services.
        from pickterm.store.config import ConfigError

        try:
            services.load_settings()
        except ConfigError as exc:
            from pickterm.text import safe_message

            print(f"pickterm: {safe_message(exc)}", file=sys.stderr)
            return 2
    keymap = None
    if services.demo:
        # The demo has no settings of its own, but the keys (and PICKTERM_KEYMAP) and the language
        # of the profile apply: a picker tries it as they will use it.
        from pickterm.i18n import choose_language, set_language
        from pickterm.store.config import ConfigError, load_settings

        try:
            profile = load_settings(services.profile)
            keymap = profile.key_bindings()
            set_language(choose_language(profile.language))
        except ConfigError as exc:
            from pickterm.text import safe_message

            print(f"pickterm: {safe_message(exc)}", file=sys.stderr)
            return 2
    from pickterm.app import PickTermApp

    app = PickTermApp(services=services, keymap=keymap)
    app.run()
    return app.return_code or 0
