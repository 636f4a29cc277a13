"""Thin views: parse the request, call a service or a selector, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customers.models import Customer
from orders import services
from orders.documents import offer_context, offer_filename, offer_pdf
from orders.filters import OfferFilter, OrderFilter, SparePartFilter
from orders.forms import (
    DecisionForm,
    LineForm,
    OfferPartiesForm,
    OfferTermsForm,
    PublicDecisionForm,
)
from orders.links import read_token
from orders.models import Offer, OfferLine, OfferState, Order, SparePart
from orders.selectors import (
    DOCUMENT_RELATIONS,
    availability,
    document_totals,
    get_offer_document_for,
    get_offer_for,
    get_order_for,
    parts_for_cart,
    with_availability,
)
from orders.services import OfferError
from service_portal import exports, idempotency, ratelimit, signed_links, spreadsheets
from service_portal.crud import PortalListView
from service_portal.errors import show_error
from service_portal.forms import parse_id
from service_portal.permissions import role_required
from service_portal.roles import STAFF


def _steps(offer: Offer | None, current: str) -> list[dict[str, Any]]:
    names = [
        ("parties", gettext_lazy("Customer")),
        ("cart", gettext_lazy("Spare parts")),
        ("terms", gettext_lazy("Offer data")),
        ("review", gettext_lazy("Review and send")),
    ]
    steps = []
    for number, (key, label) in enumerate(names, start=1):
        if offer is None:
            url = reverse("orders:offer_create") if key == "parties" else ""
        elif key == "review":
            url = offer.get_absolute_url()
        else:
            url = reverse(f"orders:offer_{key}", args=[offer.pk])
        steps.append({"number": number, "label": label, "url": url, "current": key == current})
    return steps


# --- Catalogue ------------------------------------------------------------------------------
class SparePartList(PortalListView):
    allowed_roles = STAFF
    model = SparePart
    filterset_class = SparePartFilter
    template_name = "orders/sparepart_list.html"
    queryset = SparePart.objects.select_related("vat_rate").order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object_list"] = with_availability(context["object_list"])
        return context


# --- Wizard step 1 --------------------------------------------------------------------------
def _pick(model, value, **filters):
    if parse_id(value):
        return model.objects.filter(pk=parse_id(value), **filters).first()
    return None


def _parties_form(request: HttpRequest, offer: Offer | None, refresh_url: str) -> OfferPartiesForm:
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" or source.get("customer"):
        customer = _pick(Customer, source.get("customer"))
        data = source
    else:
        customer = offer.customer if offer else None
        data = None
    initial = {}
    if offer is not None and data is None:
        initial = {
            "customer": offer.customer_id,
            "site": offer.site_id,
            "contact": offer.contact_id,
            "unit": offer.unit_id,
        }
    if data is not None and request.method == "GET":
        # A prefill link (?customer=&site=&contact=&unit=) or an htmx refresh: show, don't judge.
        initial = {key: source.get(key) for key in ("customer", "site", "contact", "unit")}
        data = None
    return OfferPartiesForm(
        data,
        initial=initial,
        refresh_url=refresh_url,
        customer=customer,
        editing=offer is not None,
    )


def _save_parties(request: HttpRequest, form: OfferPartiesForm, offer: Offer | None) -> str:
    """Create or update the draft; the URL of the next step.

    A double-submitted step 1 creates one draft: the second request finds the first one's
    submission token and goes where the first one went.
    """
    values = {key: form.cleaned_data[key] for key in ("customer", "site", "contact", "unit")}
    if offer is not None:
        offer = services.update_offer_parties(offer=offer, acting_user=request.user, **values)
        return reverse("orders:offer_cart", args=[offer.pk])
    try:
        with idempotency.once(form.cleaned_data["submission_token"], request.user) as sent:
            offer = services.create_draft_offer(acting_user=request.user, **values)
            url = reverse("orders:offer_cart", args=[offer.pk])
            sent.done(url)
    except idempotency.AlreadySubmitted as repeat:  # a double submit: where the first one went
        return repeat.result_url or reverse("orders:offer_list")
    return url


def _parties_view(request: HttpRequest, offer: Offer | None) -> HttpResponse:
    refresh_url = (
        reverse("orders:offer_parties", args=[offer.pk])
        if offer
        else reverse("orders:offer_create")
    )
    form = _parties_form(request, offer, refresh_url)
    if request.method == "POST" and form.is_valid():
        try:
            return redirect(_save_parties(request, form, offer))
        except OfferError as error:
            show_error(request, error, form)
    return render(
        request,
        "orders/offer_parties.html",
        {"form": form, "offer": offer, "steps": _steps(offer, "parties")},
    )


@role_required(*STAFF)
def offer_create(request: HttpRequest) -> HttpResponse:
    return _parties_view(request, None)


@role_required(*STAFF)
def offer_parties(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    if not offer.is_draft:
        return redirect(offer)
    return _parties_view(request, offer)


# --- Wizard step 2: the cart ----------------------------------------------------------------
def _cart_context(offer: Offer, line_forms: dict[int, LineForm] | None = None) -> dict[str, Any]:
    """The cart's lines; ``line_forms`` are posted forms shown back as typed (refused)."""
    line_forms = line_forms or {}
    totals = document_totals(offer)
    rows = [
        {
            "line": line,
            "net": net,
            "form": line_forms.get(line.pk)
            or LineForm(initial=_line_initial(line), prefix=f"l{line.pk}"),
        }
        for line, net in totals.lines
    ]
    found = availability(row["line"].spare_part_id for row in rows if row["line"].spare_part_id)
    for row in rows:
        row["availability"] = found.get(row["line"].spare_part_id)
    return {"offer": offer, "rows": rows, "totals": totals}


def _line_initial(line: OfferLine) -> dict[str, Any]:
    return {
        "quantity": line.quantity.normalize()
        if line.quantity == line.quantity.to_integral()
        else line.quantity,
        "unit_price": line.unit_price,
        "discount_percent": line.discount_percent,
        "version": line.version,
    }


def _cart_response(
    request: HttpRequest,
    offer: Offer,
    error: str = "",
    *,
    notice: str = "",
    line_forms: dict[int, LineForm] | None = None,
    added: SparePart | None = None,
) -> HttpResponse:
    """htmx: the cart (and, after an add, a fresh token for that part's form, so that adding it
    again on purpose works); plain POST: the cart page with the error and what was typed, or a
    redirect to it."""
    if request.htmx:
        context = {**_cart_context(offer, line_forms), "error": error, "notice": notice}
        if added is not None:
            context["added"] = idempotency.with_tokens([added])[0]
        return render(request, "orders/cart_lines.html", context)
    if error:
        return _cart_page(request, offer, error=error, line_forms=line_forms)
    if notice:
        messages.info(request, notice)
    return redirect("orders:offer_cart", offer.pk)


def _cart_page(
    request: HttpRequest,
    offer: Offer,
    *,
    error: str = "",
    line_forms: dict[int, LineForm] | None = None,
) -> HttpResponse:
    query = request.GET.get("q", "")
    context = {
        **_cart_context(offer, line_forms),
        "error": error,
        "steps": _steps(offer, "cart"),
        "query": query,
        "parts": with_availability(
            idempotency.with_tokens(parts_for_cart(query=query, offer=offer))
        ),
    }
    return render(request, "orders/offer_cart.html", context)


@role_required(*STAFF)
def offer_cart(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    if not offer.is_draft:
        return redirect(offer)
    return _cart_page(request, offer)


@role_required(*STAFF)
def cart_search(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    query = request.GET.get("q", "")[:100]
    parts = with_availability(idempotency.with_tokens(parts_for_cart(query=query, offer=offer)))
    return render(
        request, "orders/cart_search.html", {"offer": offer, "parts": parts, "query": query}
    )


@require_POST
@role_required(*STAFF)
def cart_add(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    part = _pick(SparePart, request.POST.get("part"))
    if part is None:
        return _cart_response(request, offer, _("Choose a spare part."))
    token = idempotency.parse_token(request.POST.get("submission_token"))
    if token is None:
        return _cart_response(request, offer, str(idempotency.MISSING_TOKEN))
    try:
        with idempotency.once(token, request.user):
            services.add_line(offer=offer, spare_part=part, acting_user=request.user)
    except idempotency.AlreadySubmitted:
        return _cart_response(request, offer, notice=str(idempotency.ALREADY_SAVED))
    except OfferError as error:
        return _cart_response(request, offer, str(error))
    return _cart_response(request, offer, added=part)


@require_POST
@role_required(*STAFF)
def cart_line(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    line = get_object_or_404(OfferLine.objects.select_related("offer"), pk=line_pk, offer=offer)
    if request.POST.get("action") == "remove":
        try:
            services.remove_line(line=line, acting_user=request.user)
        except OfferError as error:
            return _cart_response(request, offer, str(error))
        return _cart_response(request, offer)
    form = LineForm(request.POST, prefix=f"l{line.pk}")
    kept = {line.pk: form}  # a refused line shows what was typed
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
            for k, v in form.errors.items()
        )
        return _cart_response(request, offer, errors, line_forms=kept)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        services.update_line(line=line, acting_user=request.user, expected_version=version, **data)
    except OfferError as error:
        return _cart_response(request, offer, str(error), line_forms=kept)
    return _cart_response(request, offer)


# --- Wizard step 3: offer data --------------------------------------------------------------
@role_required(*STAFF)
def offer_terms(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    if not offer.is_draft:
        return redirect(offer)
    refresh_url = reverse("orders:offer_terms", args=[offer.pk])
    if request.method == "POST":
        form = OfferTermsForm(request.POST, instance=offer, refresh_url=refresh_url)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.update_offer_terms(
                    offer=get_offer_for(request.user, pk),
                    acting_user=request.user,
                    expected_version=form.cleaned_data["version"],
                    **values,
                )
            except OfferError as error:
                show_error(request, error, form)
            else:
                return redirect(offer)
    elif request.GET.get("billing_customer"):
        # htmx refresh after the billing customer changed: keep what was typed.
        form = OfferTermsForm(request.GET, instance=offer, refresh_url=refresh_url)
        form.errors.clear()
    else:
        form = OfferTermsForm(instance=offer, refresh_url=refresh_url)
    return render(
        request,
        "orders/offer_terms.html",
        {"form": form, "offer": offer, "steps": _steps(offer, "terms")},
    )


# --- Step 4: the offer page (review, send, decide, convert) ---------------------------------
@role_required(*STAFF)
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    revisions = _revisions(offer.code)
    context = {
        **offer_context(offer),
        "steps": _steps(offer, "review") if offer.is_draft else None,
        "history": offer.history.select_related("by"),
        "decision_form": DecisionForm(),
        "order": Order.objects.filter(offer=offer).first(),
        "revisions": revisions,
        "call_link": _call_link(revisions),
    }
    return render(request, "orders/offer_detail.html", context)


def _call_link(revisions: list[Offer]) -> Any:
    """The call the offer was created from (``calls.InterventionOffer``, on its first revision:
    reached through the reverse relation, the calls app being above this one), or None."""
    return getattr(revisions[0], "call_link", None) if revisions else None


def _revisions(code: str) -> list[Offer]:
    return list(
        Offer.objects.filter(code=code)
        .select_related("call_link__intervention__call")
        .order_by("revision")
    )


@role_required(*STAFF)
def offer_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The document as the customer gets it, shown inline; ``?prices=0|1`` overrides the flag."""
    offer = get_offer_document_for(request.user, pk)
    prices = request.GET.get("prices")
    show = None if prices not in {"0", "1"} else prices == "1"
    response = HttpResponse(offer_pdf(offer, show_prices=show), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{offer_filename(offer)}"'
    return response


def _action(request: HttpRequest, pk: int, run, success: str) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    try:
        result = run(offer)
    except OfferError as error:
        show_error(request, error)
        return redirect(offer)
    messages.success(request, success)
    return redirect(result)


@require_POST
@role_required(*STAFF)
def offer_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda offer: services.send_offer(offer=offer, acting_user=request.user),
        _("The offer has been sent to the contact."),
    )


@require_POST
@role_required(*STAFF)
def offer_resend(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda offer: services.resend_offer(offer=offer, acting_user=request.user),
        _("The offer has been sent to the contact."),
    )


@require_POST
@role_required(*STAFF)
def offer_revise(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    try:
        new = services.revise_offer(offer=offer, acting_user=request.user)
    except OfferError as error:
        show_error(request, error)
        return redirect(offer)
    messages.success(request, _("New revision %(code)s: change it, then send it.") % {"code": new})
    return redirect("orders:offer_cart", new.pk)


@require_POST
@role_required(*STAFF)
def offer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda offer: services.cancel_offer(offer=offer, acting_user=request.user),
        _("The offer has been cancelled."),
    )


@require_POST
@role_required(*STAFF)
def offer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the decision, how it was received and the name."))
        return redirect(offer)
    return _action(
        request,
        pk,
        lambda offer: services.record_decision(
            offer=offer,
            accept=form.cleaned_data["decision"] == "accept",
            name=form.cleaned_data["name"],
            channel=form.cleaned_data["channel"],
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
        ),
        _("The customer's decision has been recorded."),
    )


@require_POST
@role_required(*STAFF)
def offer_convert(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda offer: services.convert_to_order(offer=offer, acting_user=request.user),
        _("The order has been created."),
    )


# --- The customer's page (no login) ---------------------------------------------------------
def public_offer(request: HttpRequest, token: str) -> HttpResponse:
    """What the link in the e-mail opens: the offer, and accept / decline with a name."""
    offer_id = signed_links.open_link(request, token, read_token, kind="offer")
    if isinstance(offer_id, HttpResponse):
        return offer_id
    offer = get_object_or_404(Offer.objects.select_related("contact", "customer"), pk=offer_id)
    if offer.state == OfferState.DRAFT:
        return signed_links.refused(request)
    wait = ratelimit.hit(
        "offer-link-offer",
        str(offer.pk),
        limit=settings.OFFER_LINK_RATE_PER_OFFER,
        window=settings.OFFER_LINK_RATE_WINDOW_SECONDS,
    )
    if wait:
        with translation.override(offer.language):
            return signed_links.too_many_requests(request, wait)
    # The customer reads the offer in the language it was written in, whoever opens the link.
    with translation.override(offer.language):
        return _public_offer(request, token, offer)


def _public_offer(request: HttpRequest, token: str, offer: Offer) -> HttpResponse:
    form = PublicDecisionForm(request.POST or None, initial={"name": offer.contact.name})
    if request.method == "POST" and form.is_valid():
        accept = request.POST.get("decision") == "accept"
        try:
            services.record_decision(
                offer=offer,
                accept=accept,
                name=form.cleaned_data["name"],
                channel="link",
                reason=form.cleaned_data["reason"],
            )
        except OfferError as error:
            show_error(request, error, form)
        else:
            return redirect("orders:public_offer", token)
        offer.refresh_from_db()
    context = {
        **offer_context(Offer.objects.select_related(*DOCUMENT_RELATIONS).get(pk=offer.pk)),
        "form": form,
        "token": token,
        "can_decide": offer.state == OfferState.SENT
        and not (offer.valid_until and offer.valid_until < timezone.localdate()),
    }
    return render(request, "orders/public_offer.html", context)


# --- Lists and exports ----------------------------------------------------------------------
class OfferList(PortalListView):
    allowed_roles = STAFF
    model = Offer
    filterset_class = OfferFilter
    template_name = "orders/offer_list.html"
    queryset = Offer.objects.with_relations().with_lines()


class OrderList(PortalListView):
    allowed_roles = STAFF
    model = Order
    filterset_class = OrderFilter
    template_name = "orders/order_list.html"
    queryset = Order.objects.with_relations().with_lines()


def _document_header() -> list[str]:
    return [
        _("Code"),
        _("Date"),
        _("Customer"),
        _("Site"),
        _("Serial number"),
        _("State"),
        _("Taxable amount"),
        _("Total"),
    ]


def _document_row(document) -> list[Any]:
    return [
        document.code,
        timezone.localtime(document.created_at).date(),
        document.customer.name,
        document.site.name,
        document.unit.serial_number if document.unit_id else "",
        document.get_state_display(),
        document.totals.taxable,
        document.totals.total,
    ]


@role_required(*STAFF)
def offer_export(request: HttpRequest) -> HttpResponse:
    offers = OfferFilter(request.GET, queryset=Offer.objects.with_relations().with_lines()).qs
    back = exports.list_url(reverse("orders:offer_list"), request)
    if refused := exports.too_large(request, offers, kind=exports.CSV, back=back):
        return refused
    header = [*_document_header(), _("Revision")]
    rows = ([*_document_row(o), o.revision] for o in offers.iterator(chunk_size=2000))
    return spreadsheets.csv_response(request, filename="offers.csv", header=header, rows=rows)


@role_required(*STAFF)
def order_export(request: HttpRequest) -> HttpResponse:
    orders = OrderFilter(request.GET, queryset=Order.objects.with_relations().with_lines()).qs
    back = exports.list_url(reverse("orders:order_list"), request)
    if refused := exports.too_large(request, orders, kind=exports.CSV, back=back):
        return refused
    rows = (_document_row(o) for o in orders.iterator(chunk_size=2000))
    return spreadsheets.csv_response(
        request, filename="orders.csv", header=_document_header(), rows=rows
    )


@role_required(*STAFF)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for(request.user, pk)
    context = {
        "order": order,
        "call_link": _call_link(_revisions(order.code)[:1]),
        "totals": document_totals(order),
        "history": order.history.select_related("by"),
        "next_states": [
            (state, services.OrderState(state).label)
            for state in sorted(
                services.ORDER_TRANSITIONS[order.state], key=lambda s: (s == "cancelled", s)
            )
            # Shipped and partly shipped follow the delivery notes (the shipments page).
            if state not in (services.OrderState.SHIPPED, services.OrderState.PARTLY_SHIPPED)
        ],
    }
    return render(request, "orders/order_detail.html", context)


@require_POST
@role_required(*STAFF)
def order_state(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_order_for(request.user, pk)
    to_state = request.POST.get("state", "")
    if to_state not in services.ORDER_TRANSITIONS:
        messages.error(request, _("Unknown state."))
        return redirect(order)
    try:
        services.set_order_state(order=order, to_state=to_state, acting_user=request.user)
    except OfferError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("The order is now %(state)s.") % {"state": services.OrderState(to_state).label},
        )
    return redirect(order)
