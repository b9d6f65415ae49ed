"""A private PostgreSQL cluster on a free loopback port, for tests, the benchmark and demos.

Production uses a managed PostgreSQL server; this one is made with ``initdb`` in a temporary
folder, trusts local connections, and therefore listens only on 127.0.0.1 and a socket in its
own folder. As root the server runs as the ``postgres`` system user (PostgreSQL refuses root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed (Debian package ``postgresql``)."""


def postgres_bindir() -> Path:
    """The folder of ``initdb``/``pg_ctl``: ``pg_config --bindir``, else Debian's versioned folders."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise PostgresUnavailable("PostgreSQL is not installed: apt-get install postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalPostgres:
    """``with LocalPostgres() as pg: pg.dsn("motcua")`` — a throwaway cluster, removed on exit.

    ``workdir`` (default: a new folder in /tmp) must be reachable by the ``postgres`` user when
    running as root."""

    def __init__(self, port: int | None = None, workdir: Path | None = None, fsync: bool = True) -> None:
        self.bindir = postgres_bindir()
        self.port = port or free_port()
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="motcua-pg-"))
        self.datadir = self.workdir / "data"
        self.fsync = fsync
        self.superuser = "postgres"
        self._run_as = self._system_user()

    @staticmethod
    def _system_user() -> str | None:
        """``postgres`` when we are root (the server will not run as root), else ourselves."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no 'postgres' system user") from None
        return "postgres"

    def _cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", self._run_as, "--"] if self._run_as else []) + list(args)

    def _run(self, *args: str) -> None:
        done = subprocess.run(self._cmd(*args), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()[-1500:]}")

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={self.superuser} dbname={dbname}"

    def start(self, timeout: float = 30.0) -> "LocalPostgres":
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self._run_as:
            entry = pwd.getpwnam(self._run_as)
            os.chown(self.workdir, entry.pw_uid, entry.pw_gid)
        if not (self.datadir / "PG_VERSION").exists():
            self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", self.superuser, "--auth=trust",
                      "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.workdir} -c fsync={'on' if self.fsync else 'off'} "
                   "-c max_connections=50 -c shared_buffers=128MB")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.workdir / "server.log"),
                  "-o", options, "-w", "-t", str(int(timeout)), "start")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            probe = subprocess.run([str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                   capture_output=True, check=False)
            if probe.returncode == 0:
                return self
            time.sleep(0.1)
        raise TimeoutError(f"PostgreSQL did not accept connections on port {self.port}: see {self.workdir}/server.log")

    def create_database(self, name: str) -> str:
        """Create database ``name`` (owned by the superuser) and return its DSN."""
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            subprocess.run(self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"),
                           capture_output=True, check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "LocalPostgres":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.remove()
