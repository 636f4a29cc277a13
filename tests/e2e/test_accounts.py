"""The whole life of a technician's credentials, in a real browser.

The administrator creates a technician and reads the identification code; the technician logs in
with it, is held on the onboarding page, sets up the account, logs out and back in with the new
credentials; then forgets the password and recovers it with the e-mailed code and the secret
answer.
"""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail

from accounts.models import AuthEvent, SecretQuestion, User
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

CHOSEN_PASSWORD = "Trattore-blu-2026!"
RECOVERED_PASSWORD = "Nuova-chiave-inglese-77"


def log_out(page) -> None:
    page.click("[data-testid=user-menu]")
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_selector("h1:has-text('Log in')")


def test_technician_from_code_to_onboarding_to_recovery(page, login, administrator, settings):
    settings.RECOVERY_MIN_RESPONSE_SECONDS = 0
    # The list comes from a data migration, which an earlier browser test's flush may have emptied.
    SecretQuestion.objects.get_or_create(
        text_en="What was the name of your first pet?",
        defaults={"text_it": "Come si chiamava il tuo primo animale?", "position": 1},
    )

    # 1. The administrator creates the technician and reads the code, once.
    login(administrator.username, PASSWORD)
    page.goto("/accounts/users/")
    page.click("text=New technician or operator")
    page.fill("input[name=first_name]", "Luca")
    page.fill("input[name=last_name]", "Bianchi")
    page.select_option("select[name=role]", "technician")
    page.select_option("main select[name=language]", "en")
    page.click("button:has-text('Save')")
    code = page.inner_text("[data-testid=code]").strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    screenshot(page, "accounts-code-sheet")
    page.reload()
    page.wait_for_selector("text=cannot be displayed again")
    log_out(page)

    # 2. The technician logs in with the code and cannot go anywhere but onboarding.
    login(code, code)
    page.wait_for_selector("h1:has-text('set up your account')")
    page.goto("/customers/")
    page.wait_for_selector("h1:has-text('set up your account')")

    page.fill("input[name=email]", "luca.bianchi@example.com")
    page.fill("input[name=phone]", "+39 333 1234567")
    page.fill("input[name=username]", "luca.bianchi")
    page.fill("input[name=password1]", CHOSEN_PASSWORD)
    page.fill("input[name=password2]", CHOSEN_PASSWORD)
    page.select_option("select[name=question_choice]", index=1)
    page.fill("input[name=secret_answer]", "Bottega Rossi")
    screenshot(page, "accounts-onboarding")
    page.click("button:has-text('Save and start')")
    page.wait_for_selector("text=Your account is ready")
    log_out(page)

    # The code is spent; the new credentials work.
    login(code, code)
    page.wait_for_selector("text=Wrong username or password")
    login("luca.bianchi", CHOSEN_PASSWORD)
    page.wait_for_selector("[data-testid=user-menu]:has-text('Luca Bianchi')")
    log_out(page)

    # 3. Forgotten password: e-mailed code, then the secret answer, then a new password.
    page.click("text=Forgot your password?")
    page.fill("input[name=username]", "luca.bianchi")
    page.click("button:has-text('Continue')")
    page.wait_for_selector("input[name=code]")
    deadline = time.monotonic() + 10  # the e-mail leaves once the answer has been sent
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["luca.bianchi@example.com"]
    recovery_code = re.search(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b", mail.outbox[0].body).group(0)
    page.fill("input[name=code]", recovery_code)
    page.click("button:has-text('Continue')")
    page.wait_for_selector("[data-testid=secret-question]")
    page.fill("input[name=answer]", "  bottega   ROSSI ")
    page.click("button:has-text('Continue')")
    page.fill("input[name=new_password1]", RECOVERED_PASSWORD)
    page.fill("input[name=new_password2]", RECOVERED_PASSWORD)
    page.click("button:has-text('Continue')")
    page.wait_for_selector("text=Log in with it now")

    login("luca.bianchi", RECOVERED_PASSWORD)
    page.wait_for_selector("[data-testid=user-menu]:has-text('Luca Bianchi')")

    log_out(page)

    # 4. The administrator sees it all in the authentication log.
    login(administrator.username, PASSWORD)
    page.wait_for_selector("[data-testid=user-menu]")
    page.goto("/accounts/audit/?q=luca")
    page.wait_for_selector("td:has-text('Password recovered')")
    page.wait_for_selector("td:has-text('Onboarding completed')")
    screenshot(page, "accounts-audit-log")
    page.goto("/accounts/users/?q=bianchi")
    page.click("td a:has-text('Luca Bianchi')")
    page.wait_for_selector("h1:has-text('Luca Bianchi')")
    screenshot(page, "accounts-user-detail")

    user = User.objects.get(username="luca.bianchi")
    assert not user.must_onboard
    assert "password has been changed" in mail.outbox[-1].subject
    kinds = set(AuthEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert {"code_issued", "onboarded", "recovery_completed", "login"} <= kinds
