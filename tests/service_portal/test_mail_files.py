"""Development e-mail (`make run`): one file per message under var/mail/, one line on the console,
and links that follow SITE_URL."""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
from email import policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse

from accounts.secrets import hash_answer
from service_portal.mail import build_email
from service_portal.mail_files import EmailBackend
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40  # an attachment that would be base64 on a console


def _read(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_each_message_is_a_file_and_one_line_with_its_subject_and_path(tmp_path, capsys):
    message = mail.EmailMessage(
        subject="Offer 2026-O000012 — Officine Bianchi",
        body="Dear customer, the offer is attached.",
        to=["giulia@bianchi.example"],
    )
    message.attach("offer.pdf", PDF, "application/pdf")
    other = mail.EmailMessage(subject="Second", body="Another one", to=["b@example.com"])
    sent = EmailBackend(file_path=tmp_path).send_messages([message, other])
    assert sent == 2
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    assert "Offer 2026-O000012 — Officine Bianchi" in lines[0]
    assert "giulia@bianchi.example" in lines[0]
    assert str(files[0]) in lines[0]
    assert all(len(line) < 300 for line in lines)  # no base64 body on the console
    saved = _read(files[0])
    assert saved["Subject"] == "Offer 2026-O000012 — Officine Bianchi"
    assert "the offer is attached" in saved.get_body(("plain",)).get_content()
    (attachment,) = saved.iter_attachments()
    assert attachment.get_content() == PDF


def test_a_message_without_recipients_is_not_written(tmp_path, capsys):
    assert EmailBackend(file_path=tmp_path).send_messages([mail.EmailMessage("x", "y")]) == 0
    assert not list(tmp_path.iterdir())
    assert capsys.readouterr().out == ""


@pytest.mark.django_db
def test_the_recovery_code_is_readable_in_the_saved_mail(
    client, settings, tmp_path, capsys, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "service_portal.mail_files.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    user = make_user("marta", "technician", password="Marta-secret-2026!")
    user.secret_question = "What was the name of your first pet?"
    user.secret_answer_hash = hash_answer("Fido")
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:recover_start"), {"username": "marta"})
    (line,) = capsys.readouterr().out.splitlines()
    (path,) = tmp_path.glob("*.eml")
    assert "recovery code" in line and str(path) in line
    text = _read(path).get_body(("plain",)).get_content()
    assert re.search(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b", text)


def test_development_saves_mail_under_var_mail_by_default(tmp_path):
    """No EMAIL_URL nor EMAIL_BACKEND (as with `make run`): the file backend, under VAR_DIR."""
    ignored = {"DATABASE_URL", "DEBUG", "EMAIL_URL", "EMAIL_BACKEND", "EMAIL_FILE_PATH"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    code = (
        "from django.core.mail import send_mail; "
        "send_mail('Il tuo codice', 'Codice: ABCD-EFGH', None, ['marta@example.com'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (path,) = (tmp_path / "mail").glob("*.eml")
    assert result.stdout.strip().endswith(str(path))
    assert "Il tuo codice" in result.stdout
    assert "ABCD-EFGH" in _read(path).get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    ("template", "context"),
    [
        ("accounts/email/password_changed", {"user": SimpleNamespace(username="marta")}),
        ("planner/email/activity_planned", {}),
    ],
)
def test_links_in_e_mails_follow_site_url(settings, template, context):
    settings.SITE_URL = "https://service.example.com:8443"
    message = build_email(template=template, context=context, to=["a@example.com"], language="en")
    links = re.findall(r"https?://\S+", message.body)
    assert links, message.body
    assert all(link.startswith("https://service.example.com:8443") for link in links)
