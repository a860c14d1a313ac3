"""The devices allowed to sign in to ``pickterm serve``: a name, a profile and a hashed token.

The file sits next to the config file (``devices.json``), 0600 in a 0700 directory,
written atomically. Only a scrypt hash of each token is kept: the token is printed once, by
``pickterm serve add-device NAME``, and cannot be read back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pickterm.store import private_dir
from pickterm.store.config import config_path

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
# scrypt's cost: about 20 ms a check on a small server, 16 MiB of memory.
_N, _R, _P = 2**14, 8, 1


class DeviceError(Exception):
    """A device name or a devices file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Device:
    name: str
    profile: str | None
    salt: str
    digest: str

    def state_dir(self, base: Path) -> Path:
        return base / "devices" / self.name


def devices_path() -> Path:
    """``devices.json`` beside the config file."""
    return config_path().parent / "devices.json"


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise DeviceError(
            f"bad device name {name!r}: 1 to 40 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def _hash(token: str, salt: bytes) -> str:
    return hashlib.scrypt(token.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32).hex()


def new_token() -> str:
    """A token a person can type on a handheld (or scan from a printed code): 4 groups of 5."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def normalise_token(token: str) -> str:
    return token.strip().lower().replace(" ", "")


class DeviceStore:
    """The devices file: read at each sign-in, so a device added while serving can sign in."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else devices_path()

    def _read(self) -> dict[str, Device]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise DeviceError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            raw = json.loads(text)
            return {
                name: Device(name, entry.get("profile"), entry["salt"], entry["hash"]) for name, entry in raw.items()
            }
        except (ValueError, AttributeError, KeyError, TypeError):
            raise DeviceError(f"{self.path} is not a devices file") from None

    def _write(self, devices: dict[str, Device]) -> None:
        private_dir(self.path.parent)
        body = {d.name: {"profile": d.profile, "salt": d.salt, "hash": d.digest} for d in devices.values()}
        fd, tmp = tempfile.mkstemp(prefix=".devices-", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(body, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def names(self) -> list[Device]:
        return sorted(self._read().values(), key=lambda d: d.name)

    def add(self, name: str, profile: str | None = None) -> str:
        """Add (or give a new token to) device ``name``; returns the token, never stored as is."""
        check_name(name)
        devices = self._read()
        token = new_token()
        salt = secrets.token_bytes(16)
        devices[name] = Device(name, profile, salt.hex(), _hash(normalise_token(token), salt))
        self._write(devices)
        return token

    def remove(self, name: str) -> bool:
        devices = self._read()
        if devices.pop(name, None) is None:
            return False
        self._write(devices)
        return True

    def verify(self, name: str, token: str) -> Device | None:
        """The device when ``token`` is its token; None otherwise (unknown names cost the same)."""
        device = self._read().get(name.strip())
        salt = bytes.fromhex(device.salt) if device else b"\0" * 16
        digest = _hash(normalise_token(token), salt)
        if device is not None and hmac.compare_digest(digest, device.digest):
            return device
        return None
