"""The load test in its short form (the full one: `python scripts/loadtest.py --duration 180`).

Two gunicorn processes on a database of its own, operators, technicians and an administrator
working at once for ten seconds; the script then checks codes, hours and invoice numbers.
"""

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
    # Next to the test database, so that two checkouts running the suite do not collide.
    name = f"{params['NAME']}_load"
    url = f"postgres://{user}@{host}:{params.get('PORT') or 5432}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    short_form = ["--duration", "10", "--operators", "3", "--technicians", "2"]
    short_form += ["--administrators", "1", "--scale", "0", "--prepare", "12"]
    result = subprocess.run(
        [sys.executable, "scripts/loadtest.py", *short_form],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "no errors; every write found exactly once" in result.stdout
    # Every part of the mix ran: calls taken, hours recorded, invoices issued.
    for action in ("call search", "create call", "hours on intervention", "issue invoice"):
        assert f"\n{action} " in result.stdout, action
