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


def test_the_development_key_is_refused_when_debug_is_off():
    from service_portal.startup import DEVELOPMENT_SECRET_KEY

    result = _check({"DEBUG": "0", "SECRET_KEY": DEVELOPMENT_SECRET_KEY})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["manage.py", "runserver"], True),
        (["manage.py", "runserver", "8000"], True),
        (["manage.py", "runserver", "127.0.0.1:8000"], True),  # `make run`
        (["manage.py", "runserver", "localhost:8000", "--noreload"], True),
        (["manage.py", "runserver", "-6"], True),
        (["manage.py", "runserver", "[::1]:8000"], True),
        (["manage.py", "runserver", "0.0.0.0:8000"], False),
        (["manage.py", "runserver", "0:8000"], False),
        (["manage.py", "runserver", "[::]:8000"], False),
        (["manage.py", "runserver", "192.168.1.10:8000"], False),
        (["manage.py", "runserver", "portal.example.com:80"], False),
        ([".venv/bin/gunicorn", "service_portal.wsgi", "--bind", "127.0.0.1:8000"], False),
    ],
)
def test_the_development_key_serves_only_runserver_on_loopback(settings, argv, allowed):
    from service_portal.startup import DEVELOPMENT_SECRET_KEY, refuse_development_key

    settings.SECRET_KEY = DEVELOPMENT_SECRET_KEY
    if allowed:
        refuse_development_key(argv)
    else:
        with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
            refuse_development_key(argv)
    settings.SECRET_KEY = "k" * 64 + "-production-secret-Zz9"
    refuse_development_key(argv)  # a real key: any address


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "manage.py", "runserver", "0.0.0.0:{port}", "--noreload"],
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "service_portal.wsgi", "-b", "127.0.0.1:{port}"],
    ],
    ids=["runserver-on-every-address", "gunicorn"],
)
def test_a_server_does_not_start_with_the_development_key(command):
    ignored = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    port = str(_free_port())
    result = subprocess.run(
        [part.replace("{port}", port) for part in command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is the public development key" in result.stderr + result.stdout


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 64 + "-production-secret-Zz9",
    "ALLOWED_HOSTS": "service.example.com",
}


def test_check_deploy_warns_when_requests_would_send_mail_themselves():
    result = _check({**PRODUCTION, "TASKS_BACKEND": "immediate"}, "--deploy")
    assert "service_portal.W002" in result.stderr + result.stdout
    # The production default is the database queue.
    clean = _check(PRODUCTION, "--deploy", "--fail-level", "WARNING")
    assert clean.returncode == 0, clean.stderr + clean.stdout


def test_check_deploy_warns_behind_a_proxy_without_trusted_proxies():
    result = _check({**PRODUCTION, "BEHIND_TLS_PROXY": "1"}, "--deploy")
    assert "service_portal.W003" in result.stderr + result.stdout
    trusted = {**PRODUCTION, "BEHIND_TLS_PROXY": "1", "TRUSTED_PROXY_COUNT": "1"}
    assert _check(trusted, "--deploy", "--fail-level", "WARNING").returncode == 0
