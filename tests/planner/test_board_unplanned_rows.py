"""The board's "To plan" list is read as plain values (planner.selectors.unplanned_rows): each
item must be the very HTML the model instances gave, in every language (the intervention
type's name is translated, with modeltranslation's fallbacks), for interventions with and
without a type, technician (named by full name or username) and requested date.

The reference is the list's markup as the board's template had it before, kept here and
rendered with the model instances of ``unplanned_interventions``."""

from __future__ import annotations

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, User
from calls.models import Intervention, InterventionType, State
from planner import selectors
from tests.calls.factories import first_intervention, make_expected_call, make_intervention_type
from tests.factories import make_customer, make_site, make_unit, make_user

pytestmark = pytest.mark.django_db

UNPLANNED = Template(
    """{% load i18n %}{% for intervention in unplanned %}
        <li class="list-group-item px-0" draggable="true" data-plan-url="{{ intervention.plan_url }}">
          <div class="d-flex justify-content-between gap-2">
            <strong>{{ intervention.code }}</strong>
            <span class="badge text-bg-info">{{ intervention.state_label }}</span>
          </div>
          <div class="small">{{ intervention.call.customer.name }} · {{ intervention.call.site.city }}</div>
          <div class="small text-body-secondary">
            {% if intervention.type %}{{ intervention.type }} · {% endif %}{% if intervention.requested_date %}{% blocktranslate trimmed with date=intervention.requested_date|date:"SHORT_DATE_FORMAT" %}requested for {{ date }}{% endblocktranslate %}{% endif %}
            {% if intervention.technician %} · {{ intervention.technician }}{% endif %}
          </div>
          <a class="btn btn-sm btn-outline-primary mt-1" href="{{ intervention.plan_url }}"><i class="bi bi-calendar-plus" aria-hidden="true"></i> {% translate "Plan" %}</a>
        </li>{% endfor %}"""  # noqa: E501 (the template's lines as they were)
)

ITEM = re.compile(r'<li class="list-group-item px-0" draggable.*?</li>', re.DOTALL)


def _reference(language: str) -> list[str]:
    with translation.override(language):
        unplanned = selectors.unplanned_interventions()
        states = {value: str(label) for value, label in State.choices}
        for intervention in unplanned:  # as the board's view did
            intervention.plan_url = reverse("planner:plan", args=[intervention.pk])
            intervention.state_label = states[intervention.state]
        return ITEM.findall(UNPLANNED.render(Context({"unplanned": unplanned})))


@pytest.fixture
def unplanned(operator, technician):
    technician.first_name, technician.last_name = "Tina", "Rossi"
    technician.save()
    nameless = make_user("otto", Role.TECHNICIAN)  # no full name: the username is shown
    full = make_intervention_type(
        name_it="Riparazione", name_en="Repair", name_de="Reparatur", name_fr="Réparation"
    )
    italian = make_intervention_type(name_it="Collaudo", name_en="")
    english = make_intervention_type(name_it="", name_en="Check <up>")
    customer = make_customer(name="Verdi & Figli <S.p.A.>")
    site = make_site(customer, city="Reggio <Emilia>")
    for n, (kind, person) in enumerate(
        [(full, technician), (italian, nameless), (english, None), (None, technician)] * 2
    ):
        call = make_expected_call(by=operator, technician=person, type=kind or full)
        intervention = first_intervention(call)
        changes = {"requested_date": datetime.date(2026, 4, 1 + n) if n % 3 else None}
        if kind is None:
            changes["type"] = None
        if n == 0:
            call.site = site
            call.customer = customer
            call.unit = make_unit(site)
            call.save()
        Intervention.objects.filter(pk=intervention.pk).update(**changes)
    assert Intervention.objects.filter(type=None).exists()
    assert User.objects.filter(username="otto", first_name="").exists()
    assert InterventionType.objects.filter(name_it="").exists()


@pytest.mark.parametrize("language", ["it", "en", "de", "fr"])
def test_the_to_plan_list_is_the_model_instances_list(
    unplanned, operator, operator_client, language
):
    operator.language = language
    operator.save(update_fields=["language"])
    for view in ("week", "month"):
        response = operator_client.get(f"/planner/?view={view}")
        assert response.status_code == 200
        shown = ITEM.findall(response.content.decode())
        assert len(shown) == 8
        assert shown == _reference(language)
