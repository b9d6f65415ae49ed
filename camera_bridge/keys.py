"""CurveZMQ key pairs: one per office, one per receiver, in ZeroMQ's certificate file format.

``NAME.key`` holds the public key (copy it to the other side: an office's into the receiver's
allow-list folder, the receiver's to each office); ``NAME.key_secret`` holds both keys and is
created readable by its owner only.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import zmq
from zmq.auth import load_certificate

NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


class KeyFileError(Exception):
    """A key file is missing, unreadable or of the wrong kind (the message names the file only)."""


def _write(path: Path, public: bytes, secret: bytes | None) -> None:
    lines = [f"#   ZeroMQ CURVE {'secret' if secret else 'public'} certificate, made by motcua "
             f"camera keys on {datetime.now(timezone.utc):%Y-%m-%d}", "metadata", "curve",
             f'    public-key = "{public.decode("ascii")}"']
    if secret:
        lines.append(f'    secret-key = "{secret.decode("ascii")}"')
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write("\n".join(lines) + "\n")


def make_key_pair(directory: Path, name: str, force: bool = False) -> tuple[Path, Path]:
    """Write ``NAME.key`` and ``NAME.key_secret`` in ``directory``; refuse to overwrite unless ``force``."""
    if not name or not set(name) <= NAME_CHARS:
        raise ValueError("a key name is made of a-z, 0-9, '-' and '_' (use the office id)")
    directory.mkdir(parents=True, exist_ok=True)
    public_path, secret_path = directory / f"{name}.key", directory / f"{name}.key_secret"
    if not force and (public_path.exists() or secret_path.exists()):
        raise FileExistsError(str(public_path))
    public, secret = zmq.curve_keypair()
    _write(secret_path, public, secret)
    _write(public_path, public, None)
    return public_path, secret_path


def load_secret(path: Path) -> tuple[bytes, bytes]:
    """(public, secret) from a secret certificate."""
    try:
        public, secret = load_certificate(path)
    except (OSError, ValueError):
        raise KeyFileError(f"cannot read the key file {path}") from None
    if not secret:
        raise KeyFileError(f"{path} holds no secret key (use the .key_secret file)")
    return public, secret


def load_public(path: Path) -> bytes:
    try:
        public, _secret = load_certificate(path)
    except (OSError, ValueError):
        raise KeyFileError(f"cannot read the key file {path}") from None
    return public
