"""The top bar's menu is rendered once per role, language and current entry, then reused
({% nav_menu %}): what each reader sees must still follow their role, language and page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<ul class="navbar-nav me-auto">.*?\n</ul>', re.S)


def _menu(response) -> str:
    found = MENU.search(response.content.decode())
    assert found, "the page has no menu"
    return found.group(0)


def test_each_role_sees_its_own_menu_on_the_same_page(client_for, operator, technician):
    page = reverse("customers:customer_list")
    for _ in range(2):  # the second time from the kept rendering
        staff = _menu(client_for(operator).get(page))
        field = _menu(client_for(technician).get(page))
        assert reverse("dashboard:home") in staff and reverse("orders:offer_list") in staff
        assert reverse("dashboard:home") not in field
        assert reverse("orders:offer_list") not in field
        assert reverse("calls:my_interventions") in field


def test_a_role_change_shows_the_new_menu_at_the_next_page(client_for, operator):
    client = client_for(operator)
    page = reverse("customers:customer_list")
    assert reverse("invoicing:invoice_list") not in _menu(client.get(page))
    operator.role = Role.ADMINISTRATOR
    operator.save(update_fields=["role"])
    assert reverse("invoicing:invoice_list") in _menu(client.get(page))


def test_a_language_change_shows_the_menu_in_the_new_language(client_for, operator):
    client = client_for(operator)
    page = reverse("customers:customer_list")
    operator.language = "en"
    operator.save(update_fields=["language"])
    assert "Installed base" in _menu(client.get(page))
    client.post(reverse("accounts:set_language"), {"language": "fr", "next": page})
    menu = _menu(client.get(page))
    assert "Installed base" not in menu and "Parc installé" in menu


def test_only_the_current_top_level_entry_is_marked(client_for, operator):
    client = client_for(operator)
    dashboard = reverse("dashboard:home")
    current = f'<a class="nav-link active" href="{dashboard}" aria-current="page">'
    assert current in _menu(client.get(dashboard))
    elsewhere = _menu(client.get(reverse("customers:customer_list")))
    assert 'aria-current="page"' not in elsewhere and current not in elsewhere
    assert current in _menu(client.get(dashboard))  # and again from the kept rendering


def test_a_user_in_onboarding_sees_no_menu(client_for, operator):
    staff = client_for(operator)
    page = reverse("customers:customer_list")
    assert reverse("dashboard:home") in _menu(staff.get(page))  # the operator's menu is kept
    operator.must_onboard = True
    operator.first_login_code_hash = "x" * 64
    operator.first_login_code_expires = timezone.now() + datetime.timedelta(days=1)
    operator.save()
    onboarding = client_for(operator).get(reverse("accounts:onboarding"))
    assert onboarding.status_code == 200
    assert reverse("dashboard:home") not in _menu(onboarding)


# --- The rest of the layout kept per language ({% keep %}, {% language_switcher %}) ------------

TOKENS = re.compile(
    r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|submission_token" value=")[^"]+'
)


def _without_tokens(response) -> str:
    return TOKENS.sub(r"\1…", response.content.decode())


@pytest.mark.parametrize("language", ["it", "en", "de"])
def test_the_kept_layout_is_the_page_rendered_afresh(
    client_for, operator, client, settings, language
):
    """The kept parts (links, scripts, the calendar's words, the brand, the language switch) give
    the same page as rendering everything on each request (as DEBUG does), signed in or not."""
    operator.language = language
    operator.save(update_fields=["language"])
    staff = client_for(operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = [(staff, reverse("customers:customer_list")), (client, reverse("accounts:login"))]
    kept = [_without_tokens(reader.get(url)) for reader, url in pages * 2]
    assert kept[:2] == kept[2:]  # the second time from the kept parts
    settings.DEBUG = True
    fresh = [_without_tokens(reader.get(url)) for reader, url in pages]
    assert fresh == kept[:2]
    assert f'<html lang="{language}">' in fresh[1]


def test_the_language_switch_brings_each_reader_back_to_their_own_page(client_for, operator):
    """The switch is kept per language, but the page to come back to and the CSRF field are each
    request's own (escaped)."""
    first, second = client_for(operator), client_for(operator)
    list_url = reverse("customers:customer_list")
    a = first.get(list_url, {"q": 'Rossi & "figli"', "page": "2"}).content.decode()
    b = second.get(reverse("customers:unit_list")).content.decode()
    assert (
        '<input type="hidden" name="next" '
        f'value="{list_url}?q=Rossi+%26+%22figli%22&amp;page=2">' in a
    )
    assert f'<input type="hidden" name="next" value="{reverse("customers:unit_list")}">' in b
    tokens = [
        re.search(
            r'data-testid="language-switcher">\s*<input type="hidden" '
            r'name="csrfmiddlewaretoken" value="([^"]+)">',
            page,
        ).group(1)
        for page in (a, b)
    ]
    assert tokens[0] != tokens[1]
    response = first.post(
        reverse("accounts:set_language"),
        {"language": "es", "next": f"{list_url}?page=2", "csrfmiddlewaretoken": tokens[0]},
    )
    assert response.status_code == 302 and response["Location"] == f"{list_url}?page=2"


def test_a_new_company_name_logo_or_colour_shows_at_the_next_page(client_for, operator):
    from tests.factories import make_company_profile

    staff = client_for(operator)
    page = reverse("customers:customer_list")
    staff.get(page)  # the layout is kept with the name the portal had
    make_company_profile(legal_name="Officine Nuove S.r.l.", accent_colour="#7a1f5c")
    html = staff.get(page).content.decode()
    assert '<span class="brand-name">Officine Nuove S.r.l.</span>' in html
    assert f"{reverse('company_theme')}?v=7a1f5c" in html
