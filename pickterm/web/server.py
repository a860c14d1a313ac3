"""``pickterm serve``: the app in a browser, one ``pickterm`` process per signed-in device.

A small aiohttp server speaking textual-serve's websocket protocol (``["stdin", text]``,
``["resize", {...}]``, ``["ping", x]`` from the page; the app's bytes back as binary messages).
Each session's app runs through :class:`DeviceAppService`, a textual-serve ``AppService``
started with ``exec`` (no shell) in a minimal environment of the device's own.

What it holds to (docs/ARCHITECTURE.md, "Browser mode"): a device signs in with its token (kept hashed);
a websocket from another origin is refused; each device has its own state and profile; the
app gets no secret by inheritance and ends with its session; the number of sessions is capped.
"""

from __future__ import annotations

import asyncio
import contextlib
import gettext
import html
import json
import logging
import os
import re
import secrets
import signal
import ssl
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from aiohttp.typedefs import Handler
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from pickterm.i18n import DOMAIN, LOCALE_DIR, N_, language_of
from pickterm.store.config import config_path
from pickterm.web.devices import Device, DeviceError, DeviceStore

log = logging.getLogger("pickterm.serve")

STATIC_DIR = Path(__file__).resolve().parent / "static"
COOKIE = "pickterm_session"

# Mouse reports a page could still send (SGR and X10 encodings): taps are never clicks.
_MOUSE = re.compile(r"\x1b\[<\d+;\d+;\d+[Mm]|\x1b\[M[\s\S]{3}")

# The environment a device's app process gets: these names from the server's, nothing else.
_KEPT = ("PATH", "TZ", "LANG", "LC_ALL", "LC_CTYPE", "SSL_CERT_FILE", "SSL_CERT_DIR", "NO_COLOR")

# The page's words, translated for the language the browser asks for (Accept-Language).
WORDS = {
    "title": N_("pickterm: sign in"),
    "heading": N_("Sign in this device"),
    "device": N_("Device name"),
    "token": N_("Device token"),
    "submit": N_("Sign in"),
    "wrong": N_("Wrong device name or token. Ask your supervisor for this device's token."),
    "busy": N_("The server holds as many sessions as it may. Try again in a minute."),
    "reconnecting": N_("reconnecting…"),
    "ended": N_("Signed out: sign in again."),
    "noscript": N_("This page needs JavaScript."),
}


def translator(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` (``en`` has none)."""
    code = language_of(language) or "en"
    if code == "en":
        return gettext.NullTranslations()
    try:
        with open(LOCALE_DIR / code.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as file:
            return gettext.GNUTranslations(file)
    except OSError:
        return gettext.NullTranslations()


def browser_language(accept_language: str) -> str:
    """The first language of an ``Accept-Language`` header pickterm speaks (by weight), else English."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        name, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        code = language_of(name) if name not in ("", "*") else None
        if code is not None and weight > 0:
            choices.append((-weight, index, code))
    return min(choices)[2] if choices else "en"


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    max_sessions: int = 30
    demo: bool = False
    profile: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    origins: tuple[str, ...] = ()  # more origins the websocket accepts (a reverse proxy's public name)
    quit_timeout: float = 5.0  # seconds an app has to quit before it is killed
    heartbeat: float = 10.0  # a client that answers no ping for half of this is gone
    base_dir: Path | None = None  # where the devices' state lives (default: beside the devices file)
    app_argv: tuple[str, ...] = ()  # the app command (default: this Python, -m pickterm)


class DeviceAppService(AppService):
    """textual-serve's app service for one device: ``exec`` of an argv, the device's own
    environment, and a stop that asks the app to quit and then kills it."""

    def __init__(self, argv: list[str], environment: Mapping[str, str], quit_timeout: float, **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.environment = dict(environment)
        self.quit_timeout = quit_timeout
        self.stopped = asyncio.Event()

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = dict(self.environment)
        environment.update(
            TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
            TEXTUAL_FPS="60",
            TEXTUAL_COLOR_SYSTEM="truecolor",
            TERM_PROGRAM="textual",
            TERM_PROGRAM_VERSION=version("textual-serve"),
            COLUMNS=str(width),
            ROWS=str(height),
        )
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,  # its own process group: killed as a whole
            cwd=self.environment.get("HOME"),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """Ask the app to quit; kill its process group if it has not ended within ``quit_timeout``."""
        process = self._process
        if process is None or self.stopped.is_set():
            return
        if process.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), 1)
            try:
                await asyncio.wait_for(process.wait(), self.quit_timeout)
            except TimeoutError:
                log.warning("app %s ignored quit: killed", process.pid)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 5)
            self._task = None
        self.stopped.set()

    async def on_meta(self, data: bytes) -> None:
        """Only the app's exit is relayed: no URL to open, no download, no other host."""
        with contextlib.suppress(ValueError):
            if json.loads(data).get("type") == "exit":
                await self.remote_close()


@dataclass
class Session:
    device: Device
    websocket: web.WebSocketResponse
    service: DeviceAppService
    done: asyncio.Event = field(default_factory=asyncio.Event)


class PickServer:
    """The aiohttp application and its sessions."""

    def __init__(self, options: ServeOptions, devices: DeviceStore | None = None) -> None:
        self.options = options
        self.devices = devices if devices is not None else DeviceStore()
        self.base_dir = options.base_dir if options.base_dir is not None else self.devices.path.parent
        self.signins: dict[str, tuple[str, str]] = {}  # cookie value -> (device name, language)
        self.sessions: dict[str, Session] = {}  # device name -> its live session
        self.starting = 0  # sessions being started (they count against the cap)
        self.download_manager = DownloadManager()

    # ------------------------------------------------------------------ the application

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers])
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.post("/login", self.handle_login),
                web.post("/logout", self.handle_logout),
                web.get("/session", self.handle_session),
                web.get("/ws", self.handle_websocket),
                web.static("/static", STATIC_DIR),
            ]
        )
        app.on_shutdown.append(self._on_shutdown)
        return app

    @web.middleware
    async def _headers(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        if not response.prepared:
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
                "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            )
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            # same-origin, not no-referrer: with no-referrer a browser posts the sign-in form with
            # "Origin: null", which the sign-in refuses as cross-origin.
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    async def _on_shutdown(self, app: web.Application) -> None:
        sessions = list(self.sessions.values())
        for session in sessions:
            with contextlib.suppress(Exception):
                await session.websocket.close()
        await asyncio.gather(*(s.service.stop() for s in sessions), return_exceptions=True)

    # ------------------------------------------------------------------ sign-in

    def _language(self, request: web.Request) -> str:
        return browser_language(request.headers.get("Accept-Language", ""))

    def _signed_in(self, request: web.Request) -> tuple[str, str] | None:
        value = request.cookies.get(COOKIE)
        return self.signins.get(value) if value else None

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return False
        if origin in self.options.origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()

    async def handle_index(self, request: web.Request) -> web.Response:
        signed_in = self._signed_in(request)
        if signed_in is None:
            return self._login_page(self._language(request))
        return self._terminal_page(signed_in[1])

    async def handle_session(self, request: web.Request) -> web.Response:
        """For the page before it reconnects: 200 signed in, 401 not (any more), 503 no room."""
        signed_in = self._signed_in(request)
        if signed_in is None:
            return web.Response(status=401, text="sign in first")
        if signed_in[0] not in self.sessions and len(self.sessions) + self.starting >= self.options.max_sessions:
            return web.Response(status=503, text="too many sessions")
        return web.Response(text="ok")

    async def handle_login(self, request: web.Request) -> web.Response:
        language = self._language(request)
        origin = request.headers.get("Origin")
        if origin is not None and not self._same_origin(request):
            raise web.HTTPForbidden(text="cross-origin sign-in refused")
        form = await request.post()
        name, token = str(form.get("device", "")), str(form.get("token", ""))
        device: Device | None = None
        error = ""
        try:
            device = await asyncio.get_running_loop().run_in_executor(None, self.devices.verify, name, token)
        except DeviceError as exc:
            log.error("%s", exc)
        if device is None:
            await asyncio.sleep(0.5)  # a guesser gets two tries a second
            error = "wrong"
            return self._login_page(language, name=name, error=error, status=401)
        value = secrets.token_urlsafe(32)
        self.signins[value] = (device.name, language)
        response = web.HTTPSeeOther("/")
        response.set_cookie(COOKIE, value, httponly=True, samesite="Strict", secure=request.secure, path="/")
        raise response

    async def handle_logout(self, request: web.Request) -> web.Response:
        value = request.cookies.get(COOKIE)
        if value and self._same_origin(request):
            self.signins.pop(value, None)
        response = web.HTTPSeeOther("/")
        response.del_cookie(COOKIE, path="/")
        raise response

    def _login_page(self, language: str, *, name: str = "", error: str = "", status: int = 200) -> web.Response:
        words = translator(language)
        say = {key: html.escape(words.gettext(text)) for key, text in WORDS.items()}
        message = f'<p class="error" role="alert">{say[error]}</p>' if error else ""
        body = f"""<!DOCTYPE html>
<html lang="{html.escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no">
<title>{say["title"]}</title>
<link rel="stylesheet" href="/static/page.css">
</head>
<body class="login">
<form method="post" action="/login" autocomplete="off">
<h1>{say["heading"]}</h1>
{message}
<label for="device">{say["device"]}</label>
<input id="device" name="device" value="{html.escape(name)}" autocapitalize="none" spellcheck="false" {"" if name else "autofocus"}>
<label for="token">{say["token"]}</label>
<input id="token" name="token" type="password" autocapitalize="none" spellcheck="false" {"autofocus" if name else ""}>
<button type="submit">{say["submit"]}</button>
</form>
</body>
</html>
"""
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

    def _terminal_page(self, language: str) -> web.Response:
        words = translator(language)
        say = {key: html.escape(words.gettext(text)) for key, text in WORDS.items()}
        body = f"""<!DOCTYPE html>
<html lang="{html.escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no">
<title>pickterm</title>
<link rel="stylesheet" href="/static/vendor/xterm/xterm.css">
<link rel="stylesheet" href="/static/page.css">
</head>
<body class="terminal" data-reconnecting="{say["reconnecting"]}" data-busy="{say["busy"]}" data-ended="{say["ended"]}">
<noscript>{say["noscript"]}</noscript>
<div id="terminal"></div>
<div id="status" role="status" hidden></div>
<script src="/static/vendor/xterm/xterm.js"></script>
<script src="/static/vendor/addon-fit/addon-fit.js"></script>
<script src="/static/client.js"></script>
</body>
</html>
"""
        return web.Response(text=body, content_type="text/html", charset="utf-8")

    # ------------------------------------------------------------------ sessions

    def child_environment(self, device: Device, language: str) -> dict[str, str]:
        """The device's app environment: a few harmless names from the server's, the device's
        own home and XDG dirs (its state), the server's config file (the profile says where
        the key is), the language of the page. Never ``PICKTERM_API_KEY`` or anything else."""
        home = device.state_dir(self.base_dir)
        environment = {name: os.environ[name] for name in _KEPT if name in os.environ}
        environment.setdefault("PATH", os.defpath)
        environment.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(config_path().parent.parent),
            XDG_STATE_HOME=str(home / "state"),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_DATA_HOME=str(home / "data"),
            TERM="xterm-256color",
            PICKTERM_LANG=language,
        )
        if "LANG" not in environment:
            environment["LANG"] = "C.UTF-8"
        profile = device.profile or self.options.profile
        if profile:
            environment["PICKTERM_PROFILE"] = profile
        return environment

    def app_argv(self) -> list[str]:
        argv = list(self.options.app_argv) or [sys.executable, "-m", "pickterm"]
        if self.options.demo:
            argv.append("--demo")
        return argv

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        if not self._same_origin(request):
            raise web.HTTPForbidden(text="websocket from another origin refused")
        signed_in = self._signed_in(request)
        if signed_in is None:
            raise web.HTTPUnauthorized(text="sign in first")
        name, language = signed_in
        try:
            device = next(d for d in self.devices.names() if d.name == name)
        except (StopIteration, DeviceError):  # removed while signed in
            raise web.HTTPUnauthorized(text="sign in first") from None
        previous = self.sessions.get(name)
        if previous is None and len(self.sessions) + self.starting >= self.options.max_sessions:
            raise web.HTTPServiceUnavailable(text="too many sessions")
        width = _clamp(request.query.get("width"), 80, 10, 500)
        height = _clamp(request.query.get("height"), 24, 5, 300)
        self.starting += 1
        try:
            if previous is not None:  # the same device again (a reconnect): its old app ends first
                with contextlib.suppress(Exception):
                    await previous.websocket.close()
                await previous.service.stop()
            home = device.state_dir(self.base_dir)
            home.mkdir(parents=True, exist_ok=True, mode=0o700)
            websocket = web.WebSocketResponse(heartbeat=self.options.heartbeat, max_msg_size=1 << 16)
            await websocket.prepare(request)
            service = DeviceAppService(
                self.app_argv(),
                self.child_environment(device, language),
                self.options.quit_timeout,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
            )
            session = Session(device, websocket, service)
            self.sessions[name] = session
        finally:
            self.starting -= 1
        try:
            await service.start(width, height)
            assert service._task is not None
            service._task.add_done_callback(lambda _task: asyncio.ensure_future(websocket.close()))
            await self._relay(websocket, service)
        except Exception:
            log.exception("session of %s failed", name)
        finally:
            await service.stop()
            if self.sessions.get(name) is session:
                del self.sessions[name]
            session.done.set()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, service: DeviceAppService) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind = envelope[0]
            except (ValueError, IndexError, KeyError, TypeError):
                continue
            if kind == "stdin" and isinstance(envelope[1], str):
                data = _MOUSE.sub("", envelope[1])
                if data:
                    await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(envelope[1], dict):
                width = _clamp(envelope[1].get("width"), 80, 10, 500)
                height = _clamp(envelope[1].get("height"), 24, 5, 300)
                await service.set_terminal_size(width, height)
            elif kind == "ping":
                await websocket.send_json(["pong", envelope[1] if len(envelope) > 1 else None])
            elif kind == "focus":
                await service.focus()
            elif kind == "blur":
                await service.blur()


def _clamp(value: object, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return max(low, min(high, number))


def ssl_context(certfile: str | None, keyfile: str | None) -> ssl.SSLContext | None:
    if certfile is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    return context


def serve(options: ServeOptions, *, print_line: Callable[[str], object] = print) -> None:
    """Run the server until SIGINT or SIGTERM."""
    context = ssl_context(options.certfile, options.keyfile)
    server = PickServer(options)
    scheme = "https" if context else "http"
    host = f"[{options.host}]" if ":" in options.host else options.host
    print_line(f"pickterm serve: {scheme}://{host}:{options.port}/ (up to {options.max_sessions} sessions)")
    web.run_app(
        server.make_app(),
        host=options.host,
        port=options.port,
        ssl_context=context,
        print=None,
        access_log=None,
    )
