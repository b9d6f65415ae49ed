"""Supervisors' accounts: salted scrypt hashes in a file, sessions, one-time login links, throttling.

There is no default account and no default password: ``motcua province add-user NAME`` writes
``NAME:scrypt$N$r$p$salt$hash`` (base64) to the users file (mode 0600). Sessions are random
256-bit tokens kept in memory. A login link is a random token whose SHA-256 is stored in
PostgreSQL with an expiry; it logs in once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 10
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=128 * 1024 * 1024, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), maxmem=128 * 1024 * 1024, dklen=len(base64.b64decode(expected)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


class Users:
    """The users file, re-read when it changes (an added user can log in without a restart)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        with self._lock:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                self._stamp, self._hashes = None, {}
                return self._hashes
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                hashes = {}
                for line in self.path.read_text(encoding="utf-8").splitlines():
                    name, sep, encoded = line.strip().partition(":")
                    if sep and USERNAME_RE.match(name):
                        hashes[name] = encoded
                self._stamp, self._hashes = stamp, hashes
            return self._hashes

    def names(self) -> list[str]:
        return sorted(self._load())

    def exists(self, name: str) -> bool:
        return name in self._load()

    def check(self, name: str, password: str) -> bool:
        encoded = self._load().get(name)
        if encoded is None:
            verify_password(password, _DUMMY_HASH)  # same cost whether or not the user exists
            return False
        return verify_password(password, encoded)

    def set_password(self, name: str, password: str) -> None:
        """Add ``name`` or replace its password (the file is replaced atomically, mode 0600)."""
        if not USERNAME_RE.match(name):
            raise ValueError(f"bad user name {name!r}")
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"password shorter than {MIN_PASSWORD} characters")
        hashes = dict(self._load())
        hashes[name] = hash_password(password)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".users-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("".join(f"{n}:{h}\n" for n, h in sorted(hashes.items())))
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


_DUMMY_HASH = hash_password("not a password", salt=b"\0" * 16)


@dataclass
class _Session:
    user: str
    expires: float


class Sessions:
    """Random session tokens in memory; a restart logs everyone out."""

    def __init__(self, lifetime_s: float) -> None:
        self.lifetime_s = lifetime_s
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def create(self, user: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
            self._sessions[token] = _Session(user, now + self.lifetime_s)
        return token

    def user(self, token: str | None) -> str | None:
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is None or session.expires <= time.monotonic():
                self._sessions.pop(token, None)
                return None
            return session.user

    def drop(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)


class Throttle:
    """Refuses logins for a key (user name, client address) after repeated failures."""

    def __init__(self, failures: int = 5, window_s: float = 600) -> None:
        self.failures, self.window_s = failures, window_s
        self._seen: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked_for(self, *keys: str) -> float:
        """Seconds until every key may try again (0 when none is blocked)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                recent = [t for t in self._seen.get(key, []) if now - t < self.window_s]
                self._seen[key] = recent
                if len(recent) >= self.failures:
                    wait = max(wait, self.window_s - (now - recent[-self.failures]))
        return wait

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._seen.setdefault(key, []).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._seen.pop(key, None)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_login_link(conn: psycopg.Connection, user: str, minutes: int) -> str:
    """A new one-time token for ``user`` (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    with conn.transaction():
        conn.execute("DELETE FROM login_tokens WHERE expires_at < now() - interval '1 day'")
        conn.execute("INSERT INTO login_tokens (token_hash, username, expires_at) "
                     "VALUES (%s, %s, now() + make_interval(mins => %s))", (_token_hash(token), user, minutes))
    return token


def redeem_login_link(conn: psycopg.Connection, token: str) -> str | None:
    """The user of a valid, unused, unexpired token, which is thereby used up; else None."""
    if not token or len(token) > 128:
        return None
    row = conn.execute("""
        UPDATE login_tokens SET used_at = now()
        WHERE token_hash = %s AND used_at IS NULL AND expires_at > now()
        RETURNING username
    """, (_token_hash(token),)).fetchone()
    if row is None:
        return None
    return row["username"] if isinstance(row, dict) else row[0]
