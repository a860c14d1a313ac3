"""``pickterm serve``: the app in a browser, for handhelds with a browser and no terminal.

``pickterm serve [--host H] [--port N] [--certfile F --keyfile F] [--max-sessions N]``
serves it (127.0.0.1 unless ``--host`` says otherwise); ``pickterm serve add-device NAME``
lets a device sign in and prints its token once; ``devices`` lists them, ``remove-device``
takes one away. Needs the ``web`` extra: ``pip install 'pickterm[web]'``.
"""

from __future__ import annotations

import argparse
import sys

from pickterm.commands._errors import INVALID, fail, say
from pickterm.i18n import _


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="serve the app to browsers (handhelds with no terminal)")
    _shared(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8080, help="port to bind (default 8080)")
    parser.add_argument("--certfile", help="TLS certificate (PEM): serve https")
    parser.add_argument("--keyfile", help="TLS private key (PEM), with --certfile")
    parser.add_argument("--max-sessions", type=int, default=30, help="sessions at once (default 30)")
    parser.add_argument(
        "--origin",
        action="append",
        default=[],
        metavar="URL",
        help="another origin the page is reached at (a reverse proxy's https://NAME); repeatable",
    )
    parser.set_defaults(func=run_serve)
    actions = parser.add_subparsers(dest="serve_action", metavar="ACTION", parser_class=type(parser))

    p = actions.add_parser("add-device", help="let a device sign in: prints its token once (a new one if it exists)")
    p.add_argument("name", help="the device's name (letters, digits, '.', '_', '-')")
    p.add_argument("--profile", default=argparse.SUPPRESS, help="the config profile its app uses")
    p.set_defaults(func=run_add_device)

    p = actions.add_parser("devices", help="list the devices that may sign in")
    p.set_defaults(func=run_devices)

    p = actions.add_parser("remove-device", help="a device may no longer sign in")
    p.add_argument("name")
    p.set_defaults(func=run_remove_device)


def _shared(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="serve the embedded demo")
    parser.add_argument("--profile", default=argparse.SUPPRESS, help="config profile of devices that name none")


def _web_missing(exc: ModuleNotFoundError) -> int:
    return fail(
        _("browser mode needs the web extra ({module} is missing): pip install 'pickterm[web]'").format(
            module=exc.name
        ),
        INVALID,
    )


def run_serve(args: argparse.Namespace) -> int:
    try:
        from pickterm.web.server import ServeOptions, serve
    except ModuleNotFoundError as exc:
        return _web_missing(exc)
    if (args.certfile is None) != (args.keyfile is None):
        return fail(_("--certfile and --keyfile go together"), INVALID)
    if args.max_sessions < 1:
        return fail(_("--max-sessions must be 1 or more"), INVALID)
    if not 0 < args.port < 65536:
        return fail(_("--port must be between 1 and 65535"), INVALID)
    options = ServeOptions(
        host=args.host,
        port=args.port,
        max_sessions=args.max_sessions,
        demo=bool(getattr(args, "demo", False)),
        profile=getattr(args, "profile", None),
        certfile=args.certfile,
        keyfile=args.keyfile,
        origins=tuple(args.origin),
    )
    try:
        serve(options, print_line=lambda line: print(line, flush=True))
    except OSError as exc:  # the port is taken, the address is not this machine's, a certificate unreadable
        return fail(_("cannot serve on {host}:{port}: {error}").format(host=args.host, port=args.port, error=exc))
    return 0


def run_add_device(args: argparse.Namespace) -> int:
    from pickterm.web.devices import DeviceError, DeviceStore

    store = DeviceStore()
    try:
        token = store.add(args.name, getattr(args, "profile", None))
    except (DeviceError, OSError) as exc:
        return fail(exc, INVALID)
    print(token)
    say(
        _("device {name} added; its token is shown only now (kept hashed in {path})").format(
            name=args.name, path=store.path
        )
    )
    return 0


def run_devices(args: argparse.Namespace) -> int:
    from pickterm.web.devices import DeviceError, DeviceStore

    try:
        devices = DeviceStore().names()
    except DeviceError as exc:
        return fail(exc, INVALID)
    for device in devices:
        print(f"{device.name}\t{device.profile or '-'}")
    return 0


def run_remove_device(args: argparse.Namespace) -> int:
    from pickterm.web.devices import DeviceError, DeviceStore

    try:
        removed = DeviceStore().remove(args.name)
    except (DeviceError, OSError) as exc:
        return fail(exc, INVALID)
    if not removed:
        return fail(_("no device named {name}").format(name=args.name), INVALID)
    sys.stdout.flush()
    return 0
