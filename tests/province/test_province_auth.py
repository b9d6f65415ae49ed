"""Supervisor accounts: salted scrypt hashes, no default password, one-time links, throttling."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from province.auth import Sessions, Throttle, Users, create_login_link, hash_password, redeem_login_link, verify_password
from province.migrations import migrate

ROOT = Path(__file__).resolve().parents[2]


def test_hashes_are_salted_scrypt_and_verify_only_the_right_password():
    first, second = hash_password("mật khẩu dài đủ"), hash_password("mật khẩu dài đủ")
    assert first.startswith("scrypt$32768$8$1$") and first != second
    assert verify_password("mật khẩu dài đủ", first) and verify_password("mật khẩu dài đủ", second)
    assert not verify_password("mật khẩu dài đu", first)
    assert not verify_password("anything", "plain:text")


def test_users_file_is_private_and_an_unknown_user_never_logs_in(tmp_path):
    users = Users(tmp_path / "etc" / "users")
    assert users.names() == [] and not users.check("admin", "admin")
    users.set_password("giamsat.tinh", "mot-mat-khau-dai")
    assert stat.S_IMODE((tmp_path / "etc" / "users").stat().st_mode) == 0o600
    assert "mot-mat-khau-dai" not in (tmp_path / "etc" / "users").read_text()
    assert users.check("giamsat.tinh", "mot-mat-khau-dai") and not users.check("giamsat.tinh", "sai-mat-khau-roi")
    users.set_password("giamsat.tinh", "mat-khau-moi-dai")
    assert users.check("giamsat.tinh", "mat-khau-moi-dai") and not users.check("giamsat.tinh", "mot-mat-khau-dai")


def _cli(args: list[str], stdin: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **env_extra)
    return subprocess.run([sys.executable, "-m", "province", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)


def test_add_user_reads_the_password_from_stdin_and_refuses_weak_input(tmp_path):
    env = {"MOTCUA_DATA_DIR": str(tmp_path)}
    done = _cli(["add-user", "lan.nguyen"], "mat-khau-cua-lan\n", env)
    assert done.returncode == 0, done.stderr
    assert "Đã lưu tài khoản lan.nguyen" in done.stdout
    assert Users(tmp_path / "province-users").check("lan.nguyen", "mat-khau-cua-lan")
    short = _cli(["add-user", "hung"], "ngan\n", env)
    assert short.returncode == 2 and "ít nhất 10 ký tự" in short.stderr
    bad = _cli(["add-user", "Hùng"], "mat-khau-cua-hung\n", env)
    assert bad.returncode == 2 and "không hợp lệ" in bad.stderr
    assert Users(tmp_path / "province-users").names() == ["lan.nguyen"]


def test_a_login_link_works_once_and_expires(dsn):
    with psycopg.connect(dsn, autocommit=True, row_factory=dict_row) as conn:
        migrate(conn)
        token = create_login_link(conn, "giamsat", minutes=10)
        assert conn.execute("SELECT count(*) AS n FROM login_tokens WHERE token_hash = %s", (token,)).fetchone()["n"] == 0
        assert redeem_login_link(conn, token) == "giamsat"
        assert redeem_login_link(conn, token) is None
        expired = create_login_link(conn, "giamsat", minutes=10)
        conn.execute("UPDATE login_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL")
        assert redeem_login_link(conn, expired) is None
        assert redeem_login_link(conn, "not-a-token") is None


def test_sessions_are_random_and_end_on_logout():
    sessions = Sessions(lifetime_s=3600)
    a, b = sessions.create("giamsat"), sessions.create("giamsat")
    assert a != b and len(a) >= 40
    assert sessions.user(a) == "giamsat" and sessions.user("forged") is None and sessions.user(None) is None
    sessions.drop(a)
    assert sessions.user(a) is None and sessions.user(b) == "giamsat"
    assert Sessions(lifetime_s=0).user(Sessions(lifetime_s=0).create("x")) is None


def test_throttle_blocks_after_repeated_failures_and_forgets_on_success():
    throttle = Throttle(failures=3, window_s=600)
    for _ in range(2):
        throttle.failed("user:lan", "addr:127.0.0.1")
    assert throttle.blocked_for("user:lan") == 0
    throttle.failed("user:lan", "addr:127.0.0.1")
    assert 590 < throttle.blocked_for("user:lan") <= 600
    assert throttle.blocked_for("user:hung", "addr:127.0.0.1") > 0
    throttle.succeeded("user:lan", "addr:127.0.0.1")
    assert throttle.blocked_for("user:lan", "addr:127.0.0.1") == 0
