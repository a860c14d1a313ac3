"""``pickterm`` with no subcommand: the terminal app."""

from __future__ import annotations

import argparse
import sys

from pickterm.services import Services

SWITCH_INTERVAL = 0.001  # seconds a thread holds the interpreter lock while another waits for it


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
    # A frame is written to the terminal by Textual's writer thread, and a store call or an import
    # runs in a thread of its own: each waits for the interpreter lock while the event loop works,
    # 5 ms at a time by default. 1 ms shows a frame sooner (the home's list 7-8 ms sooner at start).
    sys.setswitchinterval(SWITCH_INTERVAL)
    app.run()
    return app.return_code or 0
