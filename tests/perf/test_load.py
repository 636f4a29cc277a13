"""The load test in its short form (the full one: `python scripts/loadtest.py --duration 180`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the load test runs on PostgreSQL")
def test_two_app_processes_under_load_lose_nothing():
    params = connection.settings_dict
    host = params.get("HOST") or "127.0.0.1"
    user = params.get("USER") or "postgres"
    url = f"postgres://{user}@{host}:{params.get('PORT') or 5432}/sp_load_test"
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [
            sys.executable,
            "scripts/loadtest.py",
            "--duration",
            "8",
            "--operators",
            "4",
            "--technicians",
            "2",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "no errors; every write found exactly once" in result.stdout
