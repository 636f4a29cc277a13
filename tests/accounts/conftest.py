import pytest

from accounts import services
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _no_padding(settings):
    settings.RECOVERY_MIN_RESPONSE_SECONDS = 0


@pytest.fixture
def new_technician(administrator):
    """A technician created by the administrator, still in onboarding, and their code."""
    user, code = services.create_user(
        acting_user=administrator,
        first_name="Luca",
        last_name="Bianchi",
        role="technician",
        language="en",
    )
    return user, code


@pytest.fixture
def onboarded(db):
    """A technician who completed onboarding: password and secret answer known."""
    from accounts.secrets import hash_answer

    user = make_user("marta", "technician", password="Marta-secret-2026!")
    user.secret_question = "What was the name of your first pet?"
    user.secret_answer_hash = hash_answer("Fido")
    user.save()
    return user


@pytest.fixture(autouse=True)
def _tasks_run_at_once(monkeypatch):
    # Test transactions never commit, so on_commit hooks would never fire: run tasks at once.
    run_now = lambda task, *args, **kw: task.enqueue(*args, **kw)  # noqa: E731
    monkeypatch.setattr(services, "enqueue_after_commit", run_now)
    monkeypatch.setattr(services, "enqueue_after_response", run_now)


@pytest.fixture
def client():
    # Anonymous pages follow the browser's language; the assertions read English.
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
