"""The administrators' user pages and the authentication log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.audit import record_event
from accounts.models import AuthEvent, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_user_list_searches_names_and_shows_last_login(admin_client_, technician, operator):
    make_user("zeno", first_name="Zeno", last_name="Verdi")
    response = admin_client_.get(reverse("accounts:user_list"), {"q": "verdi"})
    assert [u.username for u in response.context["object_list"]] == ["zeno"]
    assert "never" in response.content.decode()


def test_user_list_filters_by_status(admin_client_, administrator, technician):
    pending, _ = services.create_user(
        acting_user=administrator, first_name="P", last_name="Q", role="technician", language="en"
    )
    response = admin_client_.get(reverse("accounts:user_list"), {"status": "onboarding"})
    assert list(response.context["object_list"]) == [pending]


def test_user_list_query_count_does_not_grow(admin_client_):
    url = reverse("accounts:user_list")
    make_user()
    few = _count_queries(admin_client_, url)
    for _ in range(30):
        make_user()
    assert _count_queries(admin_client_, url) == few


def test_audit_log_query_count_does_not_grow(admin_client_, technician, administrator):
    url = reverse("accounts:audit_log")
    record_event(AuthEvent.Kind.LOGIN, user=technician)
    few = _count_queries(admin_client_, url)
    for _ in range(30):
        record_event(AuthEvent.Kind.CODE_ISSUED, user=technician, actor=administrator)
    assert _count_queries(admin_client_, url) == few


def test_user_detail_query_count_does_not_grow(admin_client_, technician, administrator):
    url = reverse("accounts:user_detail", args=[technician.pk])
    record_event(AuthEvent.Kind.LOGIN, user=technician)
    few = _count_queries(admin_client_, url)
    for _ in range(15):
        record_event(AuthEvent.Kind.CODE_ISSUED, user=technician, actor=administrator)
    assert _count_queries(admin_client_, url) == few


def test_deactivation_logs_the_user_out_and_reactivation_lets_them_back(
    admin_client_, client_for, technician
):
    session = client_for(technician)
    admin_client_.post(reverse("accounts:user_deactivate", args=[technician.pk]))
    technician.refresh_from_db()
    assert not technician.is_active
    assert session.get(reverse("customers:customer_list")).status_code == 302
    admin_client_.post(reverse("accounts:user_reactivate", args=[technician.pk]))
    technician.refresh_from_db()
    assert technician.is_active
    kinds = set(AuthEvent.objects.filter(user=technician).values_list("kind", flat=True))
    assert {AuthEvent.Kind.DEACTIVATED, AuthEvent.Kind.REACTIVATED} <= kinds


def test_administrators_cannot_deactivate_themselves(admin_client_, administrator):
    admin_client_.post(reverse("accounts:user_deactivate", args=[administrator.pk]))
    administrator.refresh_from_db()
    assert administrator.is_active


def test_services_check_the_role(technician, other_technician):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_active(user=other_technician, active=False, acting_user=technician)
    with pytest.raises(PermissionDenied):
        services.issue_first_login_code(user=other_technician, acting_user=technician)


def test_the_menu_shows_user_management_to_administrators_only(admin_client_, operator_client):
    users_url = reverse("accounts:user_list")
    assert users_url in admin_client_.get(reverse("customers:customer_list")).content.decode()
    assert users_url not in operator_client.get(reverse("customers:customer_list")).content.decode()


def test_create_admin_and_seed_demo_users_are_onboarded(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", "--no-logins", stdout=StringIO())
    assert not User.objects.filter(must_onboard=True).exists()


def test_django_admin_pages_render(client_for, technician, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client = client_for(administrator)
    record_event(AuthEvent.Kind.LOGIN, user=technician)
    for url in (
        reverse("admin:accounts_user_change", args=[technician.pk]),
        reverse("admin:accounts_secretquestion_changelist"),
        reverse("admin:accounts_authevent_changelist"),
    ):
        assert client.get(url).status_code == 200, url


def test_a_double_submit_creates_one_user(admin_client_):
    data = {
        "first_name": "Doppio",
        "last_name": "Clic",
        "role": "technician",
        "language": "it",
        "submission_token": "8a5c1a52-6a4e-4c39-9b0e-6d1f1c1f0a01",
    }
    url = reverse("accounts:user_create")
    first = admin_client_.post(url, data)
    second = admin_client_.post(url, data)
    assert User.objects.filter(last_name="Clic").count() == 1
    assert second["Location"] == first["Location"]
