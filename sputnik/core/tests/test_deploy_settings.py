"""Production settings: `sputnik check --deploy` is clean, and secrets are not optional."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection


def _run(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: the tests may run against PostgreSQL, these commands not.
    drop = {"DEBUG", "SPUTNIK_TESTING", "DATABASE_URL", "REDIS_URL"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "sputnik.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _run(
        {
            "SECRET_KEY": "k" * 30 + "-production-secret-" + "z" * 20,
            "ALLOWED_HOSTS": "crm.example.com",
            "SPUTNIK_VAR_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run({"SECRET_KEY": "", "SPUTNIK_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_embedded_sqlite_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The test database is in memory ("memory" mode); a file database reports "wal".
    assert mode in {"wal", "memory"}


def test_file_database_uses_wal(tmp_path):
    result = _run(
        {"DEBUG": "1", "SPUTNIK_VAR_DIR": str(tmp_path)},
        "shell",
        "-c",
        "from django.db import connection; c=connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"


def test_task_queue_runs_on_redis_when_redis_url_is_set(tmp_path):
    code = "from huey.contrib.djhuey import HUEY; print(type(HUEY).__name__)"
    on_redis = _run(
        {"DEBUG": "1", "SPUTNIK_VAR_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/15"},
        "shell",
        "-c",
        code,
    )
    embedded = _run(
        {"DEBUG": "1", "SPUTNIK_VAR_DIR": str(tmp_path), "REDIS_URL": ""}, "shell", "-c", code
    )
    assert on_redis.stdout.strip().splitlines()[-1] == "RedisHuey", on_redis.stderr
    assert embedded.stdout.strip().splitlines()[-1] == "SqliteHuey", embedded.stderr
