"""Keeping camera credentials out of logs, MQTT payloads and process titles.

A camera URL carries credentials (``rtsp://user:pass@host/...``, sometimes ``?password=``), and
FFmpeg's error messages repeat the URL they failed on. Only ``public_location`` (host, port, path)
is ever written anywhere; ``SecretFilter`` scrubs every log record as a second line of defence.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

MASK = "***"


def public_location(url: str) -> str:
    """``rtsp://host:port/path`` without user, password or query; safe to log."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}{parts.path}"


def url_secrets(url: str) -> list[str]:
    """Every string of ``url`` that must never be shown: the URL itself, its password, its query."""
    found = [url]
    try:
        parts = urlsplit(url)
    except ValueError:
        return found
    if parts.password:
        found += [parts.password, unquote(parts.password)]
    if parts.query:
        found.append(parts.query)
    if parts.netloc:
        found.append(parts.netloc)
    return [s for s in dict.fromkeys(found) if len(s) >= 3]


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret replaced by ``***`` (longest first, so a URL goes as a whole)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class SecretFilter(logging.Filter):
    """A logging filter that scrubs ``secrets`` from each record's final message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message, self.secrets)
        if clean != message or record.exc_info:
            if record.exc_info:
                clean = scrub(clean + "\n" + logging.Formatter().formatException(record.exc_info), self.secrets)
                record.exc_info = None
                record.exc_text = None
            record.msg, record.args = clean, None
        return True


def install_filter(secrets: list[str]) -> None:
    """Scrub ``secrets`` from everything the root logger's handlers write."""
    if not secrets:
        return
    flt = SecretFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(flt)
