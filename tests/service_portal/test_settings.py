"""Configuration from the environment: safe defaults, loud failures that name the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from service_portal.env import env_bool, env_int, parse_email_url

ROOT = Path(__file__).resolve().parents[2]


def _check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    ignored = {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the browser tests set it
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        ({"EMAIL_URL": "carrier-pigeon://coop"}, "EMAIL_URL"),
        ({"CONN_MAX_AGE": "forever"}, "CONN_MAX_AGE"),
        ({"EXPORT_MAX_ROWS_XLSX": "0"}, "EXPORT_MAX_ROWS_XLSX"),
        ({"EXPORT_MAX_ROWS_CSV": "lots"}, "EXPORT_MAX_ROWS_CSV"),
        (
            {"DATABASE_URL": "postgres://u@h/db", "DISABLE_SERVER_SIDE_CURSORS": "perhaps"},
            "DISABLE_SERVER_SIDE_CURSORS",
        ),
    ],
)
def test_a_misconfigured_variable_stops_start_up_and_is_named(env, variable):
    result = _check(env)
    assert result.returncode != 0
    assert variable in result.stderr


def test_production_values_pass_check_deploy():
    result = _check(
        {
            "DEBUG": "0",
            "SECRET_KEY": "k" * 64 + "-production-secret-Zz9",
            "ALLOWED_HOSTS": "service.example.com",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_typed_readers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 0) == 12
    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 0, minimum=0)


def test_email_url():
    config = parse_email_url("EMAIL_URL", "smtp+tls://user%40x:p%3Ass@mail.example.com:2525")
    assert config["EMAIL_HOST"] == "mail.example.com"
    assert config["EMAIL_PORT"] == 2525
    assert config["EMAIL_HOST_USER"] == "user@x"
    assert config["EMAIL_HOST_PASSWORD"] == "p:ss"
    assert config["EMAIL_USE_TLS"] is True
