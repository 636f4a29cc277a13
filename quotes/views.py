"""Staff pages: price lists with their rates, the quote editor and its PDF.

Views parse the request, call a service and render; the rules live in quotes/services.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.models import Customer
from quotes import documents, selectors
from quotes.access import can_change_prices
from quotes.filters import PriceListFilter, QuoteFilter
from quotes.forms import (
    AddLineForm,
    CopyPriceListForm,
    PriceListForm,
    PublicQuoteDecisionForm,
    QuoteCreateForm,
    QuoteLineFormSet,
    QuoteTermsForm,
    RateFormSet,
)
from quotes.links import read_token
from quotes.models import PriceList, Quote
from quotes.services import (
    QuoteError,
    confirm_quote,
    copy_price_list,
    create_quote_from_price_list,
    price_lists_for,
    record_quote_decision,
    revise_quote,
    update_quote_lines,
    update_quote_terms,
)
from service_portal import idempotency, ratelimit, signed_links
from service_portal.crud import PortalDetailView, PortalListView
from service_portal.errors import show_error
from service_portal.forms import VersionConflict, parse_id
from service_portal.money import line_net, single_rate_totals
from service_portal.permissions import role_required
from service_portal.roles import STAFF

CUSTOMER_MATCHES = 20


def _create_once(request: HttpRequest, form, create, success: str) -> HttpResponse | None:
    """Run ``create()`` (which returns the new record) once per form, however often the form is
    submitted (``idempotency.once``): a repeat is sent to what the first one created.
    Returns the redirect, or None when ``create`` raised QuoteError (added to the form)."""
    try:
        with idempotency.once(form.cleaned_data["submission_token"], request.user) as sent:
            record = create()
            sent.done(record.get_absolute_url())
    except idempotency.AlreadySubmitted as repeat:
        return idempotency.already_saved(request, repeat, "home")
    except QuoteError as error:
        show_error(request, error, form)
        return None
    messages.success(request, success)
    return redirect(record)


# --- Price lists ----------------------------------------------------------------------------
class PriceListList(PortalListView):
    allowed_roles = STAFF
    model = PriceList
    filterset_class = PriceListFilter
    template_name = "quotes/pricelist_list.html"

    def get_queryset(self):
        return selectors.price_lists()


class PriceListDetail(PortalDetailView):
    allowed_roles = STAFF
    model = PriceList
    template_name = "quotes/pricelist_detail.html"

    def get_queryset(self):
        return selectors.price_list_with_rates()


@role_required(*STAFF)
def pricelist_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a price list and its rates on one page (an inline formset)."""
    price_list = get_object_or_404(PriceList, pk=pk) if pk else PriceList()
    data = request.POST if request.method == "POST" else None
    customer_pk = request.GET.get("customer", "")
    customer_pk = parse_id(customer_pk) if not pk else None
    form = PriceListForm(data, instance=price_list, customer_pk=customer_pk)
    formset = RateFormSet(data, instance=price_list, prefix="rates")
    if data is not None and form.is_valid() and formset.is_valid():

        def save() -> PriceList:
            saved = form.save()
            formset.instance = saved
            formset.save()
            return saved

        try:
            if price_list.pk:
                with transaction.atomic():
                    price_list = save()
                messages.success(request, _("Price list saved."))
                response = redirect(price_list)
            else:
                response = _create_once(request, form, save, _("Price list saved."))
        except VersionConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            if response is not None:
                return response
    title = (
        _("Edit price list %(name)s") % {"name": price_list.name}
        if price_list.pk
        else _("New price list")
    )
    cancel = price_list.get_absolute_url() if price_list.pk else reverse("quotes:pricelist_list")
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    matches = _customer_matches(query) if not pk else []
    return render(
        request,
        "quotes/pricelist_form.html",
        {
            "form": form,
            "formset": formset,
            "page_title": title,
            "cancel_url": cancel,
            "query": query,
            "matches": matches,
        },
    )


def _customer_matches(query: str):
    if not query:
        return []
    return (
        Customer.objects.filter(is_active=True)
        .matching(query)
        .order_by("name", "pk")[:CUSTOMER_MATCHES]
    )


@role_required(*STAFF)
def pricelist_copy(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(PriceList, pk=pk)
    if request.method == "POST":
        form = CopyPriceListForm(request.POST)
        if form.is_valid():
            response = _create_once(
                request,
                form,
                lambda: copy_price_list(
                    price_list=source,
                    acting_user=request.user,
                    name=form.cleaned_data["name"],
                    valid_from=form.cleaned_data["valid_from"],
                    valid_to=form.cleaned_data["valid_to"],
                    percent_increase=form.cleaned_data["percent_increase"],
                ),
                _("Price list copied: check the new prices."),
            )
            if response is not None:
                return response
    else:
        next_year = timezone.localdate().year + 1
        form = CopyPriceListForm(
            initial={
                "name": _("%(name)s (copy)") % {"name": source.name},
                "valid_from": f"{next_year}-01-01",
            }
        )
    return render(
        request,
        "portal/form.html",
        {
            "form": form,
            "page_title": _("Copy price list %(name)s") % {"name": source.name},
            "cancel_url": source.get_absolute_url(),
        },
    )


# --- Quotes ---------------------------------------------------------------------------------
class QuoteList(PortalListView):
    allowed_roles = STAFF
    filterset_class = QuoteFilter
    template_name = "quotes/quote_list.html"

    def get_queryset(self):
        return selectors.quotes()


@role_required(*STAFF)
def quote_create(request: HttpRequest) -> HttpResponse:
    """Pick a customer (searched by name), then one of the price lists valid for them.

    The call management page does the same with the intervention's customer and unit; this page
    is for quotes made outside a call and for trying a list out.
    """
    customer_pk = parse_id(request.GET.get("customer"))
    if customer_pk is None:
        query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        matches = _customer_matches(query)
        return render(
            request, "quotes/quote_pick_customer.html", {"query": query, "matches": matches}
        )
    customer = get_object_or_404(Customer, pk=customer_pk)
    under_warranty = request.GET.get("warranty") == "1"
    lists = price_lists_for(customer, timezone.localdate(), under_warranty=under_warranty)
    form = QuoteCreateForm(request.POST or None, price_lists=lists)
    if request.method == "POST" and form.is_valid():
        response = _create_once(
            request,
            form,
            lambda: create_quote_from_price_list(
                customer=customer,
                price_list=form.cleaned_data["price_list"],
                acting_user=request.user,
            ),
            _("Quote created."),
        )
        if response is not None:
            return response
    return render(
        request,
        "quotes/quote_create.html",
        {
            "form": form,
            "customer": customer,
            "under_warranty": under_warranty,
            "price_lists": lists,
        },
    )


def _editor_forms(quote, may_price: bool, data=None):
    lines = list(quote.lines.all())
    initial = [
        {
            "id": line.pk,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.discount,
        }
        for line in lines
    ]
    formset = QuoteLineFormSet(
        data, initial=initial, prefix="lines", form_kwargs={"may_price": may_price}
    )
    add_form = AddLineForm(data, quote=quote, may_price=may_price)
    terms = QuoteTermsForm(
        data,
        may_price=may_price,
        initial={
            "version": quote.version,
            "vat_rate": quote.vat_rate,
            "notes": quote.notes,
        },
    )
    return lines, formset, add_form, terms


@role_required(*STAFF)
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote editor: quantities (prices and discounts with permission), add/remove lines."""
    quote = selectors.get_quote_for(request.user, pk)
    may_price = can_change_prices(request.user)
    editable = quote.is_editable
    if request.method == "POST" and not editable:
        messages.error(
            request,
            _("Quote %(code)s is %(state)s and can no longer be changed.")
            % {"code": quote.code, "state": quote.get_state_display().lower()},
        )
        return redirect(quote)
    data = request.POST if request.method == "POST" else None
    lines, formset, add_form, terms = _editor_forms(quote, may_price, data)
    errors: list[str] = []
    if data is not None:
        if formset.is_valid() and add_form.is_valid() and terms.is_valid():
            changes = [form.change() for form in formset]
            added = add_form.change()
            if added is not None:
                changes.append(added)
            try:
                with transaction.atomic():
                    update_quote_lines(
                        quote=quote,
                        lines=changes,
                        acting_user=request.user,
                        version=terms.cleaned_data["version"],
                    )
                    update_quote_terms(
                        quote=quote,
                        acting_user=request.user,
                        notes=terms.cleaned_data["notes"],
                        vat_rate=terms.cleaned_data["vat_rate"],
                    )
            except QuoteError as error:
                errors = error.messages
            else:
                messages.success(request, _("Quote saved."))
                return redirect(quote)
        else:
            errors = [_("Some values are not valid: see the highlighted fields.")]
    rows = list(zip(lines, formset.forms, strict=True)) if lines else []
    return render(
        request,
        "quotes/quote_detail.html",
        {
            "quote": quote,
            "rows": rows,
            "formset": formset,
            "add_form": add_form,
            "terms": terms,
            "totals": quote.totals(lines),
            "may_price": may_price,
            "editable": editable,
            "errors": errors,
        },
    )


@role_required(*STAFF)
@require_POST
def quote_totals(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the totals of the editor's current (unsaved) values, recomputed as the user types.

    Nothing is saved; rows that are not valid yet count as they were. Disabled fields (prices
    without permission) keep the saved values, exactly as the save would.
    """
    quote = selectors.get_quote_for(request.user, pk)
    may_price = can_change_prices(request.user)
    lines, formset, add_form, terms = _editor_forms(quote, may_price, request.POST)
    amounts = []
    nets = []
    for line, form in zip(lines, formset.forms, strict=False):
        values = (line.quantity, line.unit_price, line.discount)
        if form.is_valid():
            if form.cleaned_data.get("DELETE"):
                nets.append((form.prefix, None))
                continue
            data = form.cleaned_data
            values = (data["quantity"], data["unit_price"], data["discount"])
        amounts.append(values)
        nets.append((form.prefix, line_net(*values)))
    if add_form.is_valid() and (added := add_form.change()) is not None:
        rate = add_form.cleaned_data.get("rate")
        price = rate.price if rate is not None else added.unit_price
        amounts.append((added.quantity, price, Decimal(0)))
    vat_rate = terms.cleaned_data["vat_rate"] if terms.is_valid() else quote.vat_rate
    totals = single_rate_totals([line_net(*values) for values in amounts], vat_rate)
    return render(
        request,
        "quotes/quote_totals.html",
        {"quote": quote, "totals": totals, "nets": nets, "oob": True},
    )


@role_required(*STAFF)
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote as a PDF in the customer's language (whatever the user's own language)."""
    quote = selectors.get_quote_for(request.user, pk)
    response = HttpResponse(documents.quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.filename(quote)}"'
    return response


@role_required(*STAFF)
@require_POST
def quote_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.get_quote_for(request.user, pk)
    try:
        confirm_quote(quote=quote, acting_user=request.user)
    except QuoteError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Quote %(code)s confirmed.") % {"code": quote.code})
    return redirect(quote)


@role_required(*STAFF)
@require_POST
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.get_quote_for(request.user, pk)
    try:
        new = revise_quote(quote=quote, acting_user=request.user)
    except QuoteError as error:
        show_error(request, error)
        return redirect(quote)
    messages.success(
        request,
        _("Quote %(new)s replaces %(old)s: edit it and confirm it.")
        % {"new": new.code, "old": quote.code},
    )
    return redirect(new)


# --- The customer's page (no login) ---------------------------------------------------------
def public_quote(request: HttpRequest, token: str) -> HttpResponse:
    """What the link in the quote e-mail opens: the quote, and accept / decline with a name
    (a refusal with its reason). Expired, forged and altered links get a page that says so;
    a link used again shows the answer already given."""
    quote_id = signed_links.open_link(request, token, read_token, kind="quote")
    if isinstance(quote_id, HttpResponse):
        return quote_id
    quote = get_object_or_404(
        Quote.objects.select_related("customer", "contact", "replaced_by"), pk=quote_id
    )
    if quote.sent_at is None:
        return signed_links.refused(request)
    language = documents.quote_language(quote)
    wait = ratelimit.hit(
        "quote-link-quote",
        str(quote.pk),
        limit=settings.OFFER_LINK_RATE_PER_OFFER,
        window=settings.OFFER_LINK_RATE_WINDOW_SECONDS,
    )
    with translation.override(language):  # the customer's language, whoever opens the link
        if wait:
            return signed_links.too_many_requests(request, wait)
        return _public_quote(request, token, quote)


def _public_quote(request: HttpRequest, token: str, quote: Quote) -> HttpResponse:
    contact_name = quote.contact.name if quote.contact_id else ""
    form = PublicQuoteDecisionForm(request.POST or None, initial={"name": contact_name})
    if request.method == "POST" and form.is_valid():
        try:
            record_quote_decision(
                quote=quote,
                accept=request.POST.get("decision") == "accept",
                name=form.cleaned_data["name"],
                reason=form.cleaned_data["reason"],
            )
        except QuoteError as error:
            show_error(request, error, form)
        else:
            return redirect("quotes:public_quote", token)
        quote.refresh_from_db()
    with translation.override(documents.quote_language(quote)):
        context = documents.quote_context(quote)
    context.update({"form": form, "can_decide": quote.awaits_answer})
    return render(request, "quotes/public_quote.html", context)
