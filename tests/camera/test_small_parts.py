"""Timestamps, backoff, secret redaction and key files."""

import logging
import random
import stat

import pytest
from zmq.auth import load_certificate

from camera_bridge.backoff import Backoff
from camera_bridge.cli import keys_main
from camera_bridge.keys import KeyFileError, load_public, load_secret
from camera_bridge.redact import SecretFilter, public_location, scrub, url_secrets
from camera_bridge.timestamps import TimestampFixer


def test_missing_timestamps_are_extrapolated_and_dts_always_rises():
    fixer = TimestampFixer(frame_ticks=9000)
    got = [fixer.fix(p, d) for p, d in [(None, None), (9000, None), (18000, 18000), (18000, 18000),
                                        (27000, 20000), (None, None)]]
    assert got == [(0, 0), (9000, 9000), (18000, 18000), (18001, 18001), (27000, 20000), (36000, 29000)]
    dts = [d for _p, d in got]
    assert dts == sorted(set(dts))


def test_backoff_grows_with_jitter_and_is_capped():
    backoff = Backoff(0.5, 8.0, random.Random(1))
    waits = [backoff.next() for _ in range(10)]
    ceilings = [min(8.0, 0.5 * 2 ** n) for n in range(10)]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True))
    assert len(set(waits)) == 10
    backoff.reset()
    assert 0.25 <= backoff.next() <= 0.5


URL = "rtsp://admin:p%40ss-W0rd@10.0.0.7:554/Streaming/Channels/102?token=abc123"


def test_public_location_has_no_credentials():
    assert public_location(URL) == "rtsp://10.0.0.7:554/Streaming/Channels/102"


def test_scrub_removes_url_password_and_query():
    secrets = url_secrets(URL)
    text = f"open {URL} failed; password p@ss-W0rd; p%40ss-W0rd; token=abc123"
    clean = scrub(text, secrets)
    for secret in ("p@ss-W0rd", "p%40ss-W0rd", "abc123", "admin:"):
        assert secret not in clean


def test_secret_filter_scrubs_messages_and_tracebacks(caplog):
    logger = logging.getLogger("test.redact")
    caplog.handler.addFilter(SecretFilter(url_secrets(URL)))
    try:
        raise RuntimeError(f"cannot open {URL}")
    except RuntimeError:
        logger.exception("camera %s", URL)
    assert "p%40ss-W0rd" not in caplog.text and "***" in caplog.text


def test_keys_command_makes_a_private_secret_and_a_public_key(tmp_path, capsys):
    assert keys_main(["keys", "hoa-an", "--dir", str(tmp_path)]) == 0
    public, secret = tmp_path / "hoa-an.key", tmp_path / "hoa-an.key_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert load_certificate(public)[1] is None
    assert load_secret(secret)[0] == load_public(public)
    assert str(public) in capsys.readouterr().out
    assert keys_main(["keys", "hoa-an", "--dir", str(tmp_path)]) == 2  # never overwritten silently
    assert keys_main(["keys", "hoa-an", "--dir", str(tmp_path), "--force"]) == 0
    assert keys_main(["keys", "../evil", "--dir", str(tmp_path)]) == 2


def test_a_public_key_is_not_a_secret_key(tmp_path):
    keys_main(["keys", "province", "--dir", str(tmp_path)])
    with pytest.raises(KeyFileError):
        load_secret(tmp_path / "province.key")
    with pytest.raises(KeyFileError):
        load_public(tmp_path / "missing.key")
