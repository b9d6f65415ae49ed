"""Fixtures of the provincial centre: a private PostgreSQL cluster, one fresh database per test."""

from __future__ import annotations

import uuid

import pytest

from province.pgcluster import LocalPostgres, PostgresUnavailable, postgres_bindir


@pytest.fixture(scope="session")
def postgres():
    try:
        postgres_bindir()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL server binaries are missing ({exc})")
    with LocalPostgres(fsync=False) as cluster:
        yield cluster


@pytest.fixture
def dsn(postgres) -> str:
    return postgres.create_database(f"t_{uuid.uuid4().hex[:12]}")
