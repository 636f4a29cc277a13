"""The new-call page: pick the customer (search as you type), then its site, contact and unit;
add a site or a contact without leaving it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from calls import selectors, services
from calls.forms import (
    NewCallForm,
)
from calls.services import CallError
from customers.forms import ContactForm, SiteForm
from customers.models import Customer, Unit
from service_portal import idempotency
from service_portal.errors import show_error
from service_portal.permissions import role_required
from service_portal.roles import STAFF

PICKER_LIMIT = 10


# --- New call -------------------------------------------------------------------------------
def _customer_from(value: Any) -> Customer | None:
    if value and str(value).isdecimal():
        return Customer.objects.filter(pk=value, is_active=True).first()
    return None


@role_required(*STAFF)
def call_create(request: HttpRequest) -> HttpResponse:
    """Take a call: pick the customer (search as you type), then its site, contact and unit."""
    if request.method == "POST":
        customer = _customer_from(request.POST.get("customer"))
        form = NewCallForm(request.POST, customer=customer)
        if customer is not None and form.is_valid():
            data = form.cleaned_data
            try:
                with idempotency.once(data["submission_token"], request.user) as sent:
                    call = services.create_call(
                        acting_user=request.user,
                        customer=customer,
                        site=data["site"],
                        contact=data["contact"],
                        unit=data["unit"],
                        description=data["description"],
                        channel=data["channel"],
                        priority=data["priority"],
                        received_at=data["received_at"],
                        no_contact_reason=data["no_contact_reason"],
                    )
                    url = reverse("calls:manage", args=[call.pk, 1])
                    sent.done(url)
            except idempotency.AlreadySubmitted as repeat:  # show what the first one made
                message = _("This call had already been created.")
                return idempotency.already_saved(request, repeat, "calls:call_search", message)
            except CallError as error:
                show_error(request, error, form)
            else:
                messages.success(request, _("Call %(code)s created.") % {"code": call.code})
                return redirect(url)
        elif customer is None:
            form.add_error(None, _("Choose the customer first."))
    else:
        customer, unit = _picked(request.GET)
        initial = {"customer": customer.pk} if customer else {}
        if unit is not None:
            initial.update(site=unit.site_id, unit=unit.pk)
        form = NewCallForm(customer=customer, initial=initial)
    context = {"form": form, "customer": customer, **_intake_hints(form)}
    return render(request, "calls/call_create.html", context)


def _intake_hints(form: NewCallForm) -> dict:
    """What intake warns of, for the unit chosen (typed or given): its open calls, with links
    (a warning, never a refusal: a second problem on the same machine is possible)."""
    unit = form.data.get("unit") if form.is_bound else form.initial.get("unit")
    return {
        "open_calls": selectors.open_calls_of_unit(unit),
        "unit_contract": selectors.contract_of_unit(unit),
    }


def _picked(params: Any) -> tuple[Customer | None, Unit | None]:
    """Customer (and unit) chosen in the picker or passed by a link (?customer=, ?unit=)."""
    unit = None
    if params.get("unit", "").isdecimal():
        unit = Unit.objects.with_relations().filter(pk=params["unit"]).first()
    customer = unit.site.customer if unit else _customer_from(params.get("customer"))
    return customer, unit


@require_GET
@role_required(*STAFF)
def customer_picker(request: HttpRequest) -> HttpResponse:
    """Search as you type: customers by name or VAT number, and units by serial number."""
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    customers, units = [], []
    if len(q) >= 2:
        customers = list(
            Customer.objects.filter(is_active=True).matching(q).order_by("name")[:PICKER_LIMIT]
        )
        units = list(
            Unit.objects.with_relations()
            .filter(is_active=True, serial_number__icontains=q)
            .order_by("serial_number")[:PICKER_LIMIT]
        )
    return render(
        request, "calls/new/picker_results.html", {"q": q, "customers": customers, "units": units}
    )


def _customer_fields(
    request: HttpRequest, customer: Customer, initial: dict, **extra: Any
) -> HttpResponse:
    form = NewCallForm(customer=customer, initial={"customer": customer.pk, **initial})
    context = {"form": form, "customer": customer, **_intake_hints(form), **extra}
    return render(request, "calls/new/customer_fields.html", context)


def _typed(params: Any) -> dict:
    """Site, unit and contact already chosen in the call being typed (kept across refreshes)."""
    return {
        name: params[name]
        for name in ("site", "unit", "contact")
        if params.get(name, "").isdecimal()
    }


@require_GET
@role_required(*STAFF)
def customer_fields(request: HttpRequest) -> HttpResponse:
    """The customer's own sites, contacts and units, once the customer is picked."""
    customer, unit = _picked(request.GET)
    if customer is None:  # unknown or inactive: back to "search the customer"
        return render(request, "calls/new/customer_fields.html", {"customer": None})
    initial = _typed(request.GET)
    if unit is not None:
        initial["site"] = unit.site_id  # the unit chosen decides the site
    return _customer_fields(request, customer, initial)


@role_required(*STAFF)
def new_contact(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """Add a contact without leaving the call being typed (inline, with htmx)."""
    return _inline_create(request, customer_pk, ContactForm, "new_contact", "contact")


@role_required(*STAFF)
def new_site(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """Add a site without leaving the call being typed (inline, with htmx)."""
    return _inline_create(request, customer_pk, SiteForm, "new_site", "site")


def _inline_create(request, customer_pk, form_class, prefix, field) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_pk, is_active=True)
    if request.method != "POST":
        form = form_class(customer=customer, prefix=prefix)
        typed = _typed(request.GET)
        return _customer_fields(request, customer, typed, inline_form=form, inline_kind=prefix)
    form = form_class(request.POST, customer=customer, prefix=prefix)
    typed = _typed(request.POST)
    if not form.is_valid():
        return _customer_fields(request, customer, typed, inline_form=form, inline_kind=prefix)
    try:
        with idempotency.once(form.cleaned_data["submission_token"], request.user):
            created = form.save()
    except idempotency.AlreadySubmitted:  # a double click: already added
        return _customer_fields(request, customer, typed)
    typed[field] = created.pk
    if field == "site":
        typed.pop("unit", None)  # a new site has no units yet
    return _customer_fields(request, customer, typed)
