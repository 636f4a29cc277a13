"""The filter bars write their widgets in Python: the same markup as Django's form templates."""

import re

import pytest
from django import forms
from django.test import RequestFactory
from django.utils import translation

from accounts.models import Role
from accounts.selectors import AuthEventFilter, UserFilter
from calls.filters import CallSearchFilter
from calls.models import Intervention
from customers.filters import ContactFilter, CustomerFilter, ProductFilter, SiteFilter, UnitFilter
from invoicing.filters import InvoiceFilter, VerificationFilter
from orders.filters import SparePartFilter
from quotes.filters import PriceListFilter, QuoteFilter
from service_portal.templatetags.portal_forms import _widget, filter_field
from tests.calls.factories import make_intervention_type
from tests.factories import make_user

FILTERS = [
    AuthEventFilter,
    UserFilter,
    CallSearchFilter,
    ContactFilter,
    CustomerFilter,
    ProductFilter,
    SiteFilter,
    UnitFilter,
    InvoiceFilter,
    VerificationFilter,
    SparePartFilter,
    PriceListFilter,
    QuoteFilter,
]


def _tight(html: str) -> str:
    """Django's select template puts line breaks between the options; the filter bar does not."""
    return re.sub(r">\s+<", "><", str(html))


HOSTILE = "\"><script>alert('x')</script> & é"


def _filtersets(request, filterset_class):
    """Unbound, bound to hostile text, bound to the first real choice of each select."""
    names = list(filterset_class.base_filters)
    extra = {"request": request}
    if filterset_class._meta.model is None:  # the call search is given its queryset
        extra["queryset"] = Intervention.objects.all()
    yield filterset_class(None, **extra)
    yield filterset_class({name: HOSTILE for name in names}, **extra)
    fields = filterset_class(None, **extra).form.fields
    first_choice = {}
    for name in names:
        choices = [value for value, _label in getattr(fields[name], "choices", [])][1:2]
        first_choice[name] = str(choices[0]) if choices else "2026-04-01"
    yield filterset_class(first_choice, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("filterset_class", FILTERS, ids=lambda cls: cls.__name__)
def test_widgets_match_djangos_templates(filterset_class, administrator):
    make_user("tom", Role.TECHNICIAN, first_name="Tom <b>", last_name="O'Hara & Co")
    make_intervention_type(name='Visit "quick" <now>')
    request = RequestFactory().get("/")
    request.user = administrator
    compared = 0
    with translation.override("de"):
        for filterset in _filtersets(request, filterset_class):
            filterset.form.is_valid()
            for field in filterset.form.visible_fields():
                attrs = {"class": "x form-control", "aria-invalid": "true"}
                ours = _widget(field, field.field.widget, dict(attrs))
                assert ours == _tight(field.as_widget(attrs=dict(attrs))), field.name
                assert f'name="{field.html_name}"' in filter_field(field)
                compared += 1
    assert compared >= 3


def test_a_select_with_groups_matches_djangos_template():
    """Named groups are wrapped in <optgroup>; the options outside any group are not."""

    class GroupedForm(forms.Form):
        pick = forms.ChoiceField(
            choices=[
                ("", "—"),
                ('North "<1>"', [("a", "A & b"), ("b", "B")]),
                ("c", "C"),
                ("South", [("d", "D")]),
            ]
        )

    for data in (None, {"pick": "b"}, {"pick": "c"}):
        field = GroupedForm(data)["pick"]
        attrs = {"class": "x form-select"}
        ours = _widget(field, field.field.widget, dict(attrs))
        assert ours == _tight(field.as_widget(attrs=dict(attrs)))
        assert ours.count("<optgroup") == 2


def _management_forms(data):
    """The management page's forms with a textarea or a hidden field (the token, the version)."""
    from calls.forms import CounterReadingForm, ExpenseForm, NoteForm, ResolveByPhoneForm
    from service_portal.forms import VersionMixin

    class Versioned(VersionMixin):
        editing = True

    return [
        NoteForm(data),
        ResolveByPhoneForm(data),
        ExpenseForm(data),
        CounterReadingForm(data),
        Versioned(data, initial={"version": 3}),
    ]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"note-text": HOSTILE, "note-submission_token": HOSTILE, "resolve-solution": "\nfirst"},
        {"version": "7", "expense-submission_token": "2b1f1a52-6d0b-4c7e-9a52-4c0f1b2d3e4f"},
    ],
    ids=["unbound", "hostile", "bound"],
)
def test_textareas_and_hidden_fields_match_djangos_templates(data):
    compared = 0
    with translation.override("de"):
        for form in _management_forms(data):
            form.is_valid()
            for field in form:
                widget = field.field.widget
                if type(widget).__name__ == "HiddenInput":
                    assert filter_field(field) == field.as_widget(), field.name
                elif type(widget).__name__ == "Textarea":
                    attrs = {"class": "x form-control", "aria-invalid": "true"}
                    ours = _widget(field, widget, dict(attrs))
                    assert ours == field.as_widget(attrs=dict(attrs)), field.name
                else:
                    continue
                compared += 1
    assert compared >= 6
