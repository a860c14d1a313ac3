"""``pickterm sandbox``: serve the demo backend on a loopback address until stopped."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import signal
import sys

from pickterm.sandbox import DEMO_API_KEY, Sandbox
from pickterm.sandbox.server import SandboxServer

PROG = "pickterm sandbox"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sandbox`` subcommand."""
    parser = subparsers.add_parser(
        "sandbox",
        help="serve the demo backend (auth + API) on a loopback address",
        description="Serve the embedded demo backend over HTTP on a loopback address, "
        "for trying pickterm or scripting against fake data. Stop it with Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8765, help="port to listen on, 0 for any free port (default 8765)"
    )
    parser.add_argument(
        "--latency-ms", type=_non_negative, default=0.0, metavar="N", help="delay every answer by N milliseconds"
    )
    parser.add_argument(
        "--fail-rate", type=_fraction, default=0.0, metavar="F", help="answer this share of requests (0..1) with 503"
    )
    parser.add_argument(
        "--token-ttl",
        type=_positive,
        default=900.0,
        metavar="S",
        help="lifetime of issued tokens in seconds (default 900)",
    )
    parser.set_defaults(func=run)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _non_negative(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def _positive(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def _fraction(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0..65535: {text!r}")
    return value


def loopback_host(host: str) -> str | None:
    """The address to bind for ``host`` when it is loopback, else None."""
    if host.lower() == "localhost":
        return "127.0.0.1"
    try:
        return host if ipaddress.ip_address(host).is_loopback else None
    except ValueError:
        return None


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; exit 0 then, 2 for a non-loopback host, 1 if it cannot listen."""
    host = loopback_host(args.host)
    if host is None:
        print(
            f"{PROG}: refusing to listen on {args.host}: the demo server only serves loopback addresses "
            "(127.0.0.1, ::1, localhost)",
            file=sys.stderr,
        )
        return 2
    sandbox = Sandbox(token_ttl=args.token_ttl, latency_ms=args.latency_ms, fail_rate=args.fail_rate)
    try:
        return asyncio.run(_serve(sandbox, host, args.port))
    except KeyboardInterrupt:  # no signal handlers on this platform
        return 0


async def _serve(sandbox: Sandbox, host: str, port: int) -> int:
    server = SandboxServer(sandbox)
    try:
        await server.start(host, port)
    except OSError as exc:
        print(f"{PROG}: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not on this platform
            pass
    _print_banner(sandbox, server.url)
    try:
        await stop.wait()
    finally:
        await server.close()
    print("pickterm sandbox stopped.", flush=True)
    return 0


def _print_banner(sandbox: Sandbox, url: str) -> None:
    samples = sandbox.samples()
    lines = [
        f"pickterm demo sandbox listening (Ctrl-C to stop; latency {sandbox.latency_ms:g} ms, "
        f"fail rate {sandbox.fail_rate:g}, token TTL {sandbox.token_ttl:g} s)",
        f"  API URL:   {url}",
        f"  Auth URL:  {url}",
        f"  API key:   {DEMO_API_KEY}",
        "",
    ]
    for kind, title in (("orders", "Orders"), ("worksheets", "Worksheets"), ("tracking_numbers", "Tracking numbers")):
        lines.append(f"{title}:")
        lines += [f"  {ident:<26} {label}" for ident, label in samples[kind]]
    lines += [
        "",
        f"Try: PICKTERM_API_KEY={DEMO_API_KEY} pickterm --api-url {url} --auth-url {url}",
    ]
    print("\n".join(lines), flush=True)
