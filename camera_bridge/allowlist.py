"""The receiver's allow-list: office public keys in a folder, ``{office}.key`` each.

A ZAP authenticator asks ``callback`` about every CURVE handshake. An unknown key makes it re-read
the folder (at most once a second), so a new office is admitted without a restart; a key still
unknown is refused and counted. The office name (the file's stem) becomes the connection's
User-Id, which the receiver reads off every message: an office cannot send as another.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

import zmq
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils import z85

from camera_bridge.keys import KeyFileError, load_public

log = logging.getLogger("camera_bridge.allowlist")
OFFICE_RE = re.compile(r"^[a-z0-9-]+$")


class AllowList:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._offices: dict[bytes, str] = {}
        self._loaded = float("-inf")
        self._lock = threading.Lock()
        self.refused = 0
        self._refused_logged: dict[bytes, float] = {}
        self.reload()

    def reload(self) -> None:
        offices: dict[bytes, str] = {}
        for path in sorted(self.directory.glob("*.key")):
            if not OFFICE_RE.match(path.stem):
                log.warning("allow-list: %s is not named after an office id; ignored", path.name)
                continue
            try:
                offices[load_public(path)] = path.stem
            except KeyFileError as exc:
                log.warning("allow-list: %s", exc)
        with self._lock:
            self._offices, self._loaded = offices, time.monotonic()

    def office(self, z85_key: bytes) -> str | None:
        with self._lock:
            return self._offices.get(z85_key)

    def callback(self, _domain: str, z85_key: bytes) -> bool:
        if self.office(z85_key) is None and time.monotonic() - self._loaded >= 1.0:
            self.reload()
        if self.office(z85_key) is not None:
            return True
        self.refused += 1
        now = time.monotonic()
        if now - self._refused_logged.get(z85_key, float("-inf")) >= 60:
            self._refused_logged[z85_key] = now
            log.warning("refused a connection with an unknown key %s...", z85_key[:8].decode("ascii", "replace"))
        return False


class OfficeAuthenticator(ThreadAuthenticator):
    """ZAP handler whose User-Id for an admitted key is the office name."""

    def __init__(self, ctx: zmq.Context, allow: AllowList) -> None:
        super().__init__(ctx)
        self.allow = allow

    def start(self) -> None:
        super().start()
        self.configure_curve_callback("*", self.allow)

    def curve_user_id(self, client_public_key: bytes) -> str:
        return self.allow.office(z85.encode(client_public_key)) or ""
