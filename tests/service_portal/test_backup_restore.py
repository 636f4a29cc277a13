"""scripts/backup.sh and scripts/restore.sh, as docs/operations.md tells an administrator to use
them: dump a database holding the demo data, restore it into an empty database, and the portal
works on the copy (health check, a log-in, a page, the same numbers of records)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from calls.models import Call, Intervention
from customers.models import Customer
from invoicing.models import Invoice
from planner.models import TimeEntry

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "restore-check-2026"  # noqa: S105 - a throw-away test database

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="backups are pg_dump/pg_restore: PostgreSQL only"
)

CHECK_THE_COPY = f"""
import json
from django.test import Client
from accounts.models import User
from calls.models import Call, Intervention
from customers.models import Customer
from invoicing.models import Invoice
from planner.models import TimeEntry

client = Client()
health = client.get("/health/").status_code
login = client.post("/accounts/login/", {{"username": "admin", "password": {PASSWORD!r}}})
logged_in = login.status_code == 302 and "_auth_user_id" in client.session
page = client.get("/calls/?call_code=" + Call.objects.order_by("pk").first().code)
print(json.dumps({{
    "health": health,
    "logged_in": logged_in,
    "calls_page": page.status_code,
    "first_call_listed": Call.objects.order_by("pk").first().code in page.content.decode(),
    "counts": [m.objects.count() for m in (User, Customer, Call, Intervention, TimeEntry, Invoice)],
}}))
"""


def _url(name: str) -> str:
    params = connection.settings_dict
    host = params.get("HOST") or "127.0.0.1"
    return (
        f"postgres://{params.get('USER') or 'postgres'}@{host}:{params.get('PORT') or 5432}/{name}"
    )


def _psql(sql: str) -> None:
    subprocess.run(["psql", _url("postgres"), "-qc", sql], check=True, capture_output=True)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    _psql(f'DROP DATABASE IF EXISTS "{name}"')
    _psql(f'CREATE DATABASE "{name}"')
    yield name
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)  # committed rows, so that pg_dump sees them
def test_backup_restores_into_an_empty_database_and_the_portal_works(
    tmp_path, settings, empty_database
):
    # The demo's e-mails with PDFs are not what is tested here: queue them nowhere.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("seed_demo", "--no-logins", verbosity=0)
    # The real hasher: the copy is checked with the portal's own settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    admin = User.objects.get(username="admin")
    admin.set_password(PASSWORD)
    admin.save()
    counts = [m.objects.count() for m in (User, Customer, Call, Intervention, TimeEntry, Invoice)]
    media = tmp_path / "media"
    (media / "receipts").mkdir(parents=True)
    (media / "receipts" / "fuel.pdf").write_bytes(b"%PDF-1.4 receipt")
    env = {**os.environ, "MEDIA_ROOT": str(media)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    backup = _run(
        ["scripts/backup.sh", str(tmp_path / "backups")],
        {**env, "DATABASE_URL": _url(connection.settings_dict["NAME"])},
    )
    assert backup.returncode == 0, backup.stderr
    dumps = list((tmp_path / "backups").glob("service_portal-*.dump"))
    archives = list((tmp_path / "backups").glob("media-*.tgz"))
    assert len(dumps) == 1 and len(archives) == 1, backup.stdout

    restored_env = {
        **env,
        "DATABASE_URL": _url(empty_database),
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
        "ALLOWED_HOSTS": "testserver",
        "PYTHON": sys.executable,
    }
    restore = _run(["scripts/restore.sh", str(dumps[0]), str(archives[0])], restored_env)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert (tmp_path / "restored-media" / "receipts" / "fuel.pdf").read_bytes().startswith(b"%PDF")

    check = _run([sys.executable, "manage.py", "shell", "-v0", "-c", CHECK_THE_COPY], restored_env)
    assert check.returncode == 0, check.stderr
    result = json.loads(check.stdout.strip().splitlines()[-1])
    assert result == {
        "health": 200,
        "logged_in": True,
        "calls_page": 200,
        "first_call_listed": True,
        "counts": counts,
    }

    # A second restore into the now full database is refused and changes nothing.
    again = _run(["scripts/restore.sh", str(dumps[0])], restored_env)
    assert again.returncode == 1
    assert "already has" in again.stderr


def test_backup_refuses_a_database_url_that_is_not_postgresql(tmp_path):
    env = {**os.environ, "DATABASE_URL": "sqlite:///var/db.sqlite3"}
    result = _run(["scripts/backup.sh", str(tmp_path)], env)
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr
    assert not list(tmp_path.iterdir())
