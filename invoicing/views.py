"""Final verification and invoicing pages: administrators only, thin views over the services."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.models import Call, Intervention, State
from customers.fiscal import missing_for_invoice, missing_labels
from invoicing import (
    billing,
    credits,
    documents,
    exports,
    payments,
    selection,
    selectors,
    services,
    vat,
)
from invoicing.fatturapa import build as fatturapa
from invoicing.fatturapa import bundle as fatturapa_bundle
from invoicing.filters import (
    BillableCallFilter,
    InvoiceFilter,
    OpenItemFilter,
    VerificationFilter,
)
from invoicing.forms import (
    CorrectionForm,
    CreditNoteForm,
    ExpensesReportForm,
    PaymentForm,
    SendBackForm,
)
from invoicing.models import Invoice, InvoiceKind, InvoiceState
from invoicing.selectors import fatturapa_document
from service_portal import exports as limits
from service_portal import idempotency
from service_portal.crud import PortalListView
from service_portal.errors import show_error
from service_portal.forms import parse_id
from service_portal.money import ZERO
from service_portal.permissions import role_required
from service_portal.roles import ADMINISTRATORS


def _intervention(pk: int) -> Intervention:
    try:
        return selectors.verification_detail(pk)
    except ObjectDoesNotExist as error:
        raise Http404 from error


def _invoice(pk: int) -> Invoice:
    try:
        return selectors.invoice_detail(pk)
    except ObjectDoesNotExist as error:
        raise Http404 from error


class VerificationList(PortalListView):
    allowed_roles = ADMINISTRATORS
    filterset_class = VerificationFilter
    template_name = "invoicing/verification_list.html"

    def get_queryset(self):
        return selectors.verification_queue()


@role_required(*ADMINISTRATORS)
def verification_detail(
    request: HttpRequest,
    pk: int,
    correction_form: CorrectionForm | None = None,
    send_back_form: SendBackForm | None = None,
    reopen_form: SendBackForm | None = None,
) -> HttpResponse:
    intervention = _intervention(pk)
    item = billing.bill(intervention)
    verified = selectors.verified_figures(intervention)
    return render(
        request,
        "invoicing/verification_detail.html",
        {
            "intervention": intervention,
            "bill": item,
            "totals": billing.totals(item.lines),
            "vat_summary": vat.summary(item.lines),
            "correction_form": correction_form or CorrectionForm(lines=item.lines),
            "send_back_form": send_back_form or SendBackForm(),
            "reopen_form": reopen_form or SendBackForm(),
            "is_done": intervention.state == State.DONE,
            "is_verified": intervention.state == State.VERIFIED,
            "verified": verified,
            "changed_since_verification": verified is not None
            and billing.figures(item.lines) != verified.lines,
        },
    )


@role_required(*ADMINISTRATORS)
@require_POST
def correction_add(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _intervention(pk)
    form = CorrectionForm(request.POST, lines=billing.bill(intervention).lines)
    if form.is_valid():
        data = dict(form.cleaned_data)
        token = data.pop("submission_token")
        try:
            with idempotency.once(token, request.user):
                services.add_correction(intervention=intervention, acting_user=request.user, **data)
        except idempotency.AlreadySubmitted:
            messages.info(request, idempotency.ALREADY_SAVED)
            return redirect("invoicing:verification_detail", pk=pk)
        except services.InvoicingError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Correction recorded."))
            return redirect("invoicing:verification_detail", pk=pk)
    return verification_detail(request, pk, correction_form=form)


@role_required(*ADMINISTRATORS)
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = _intervention(pk)
    try:
        services.verify(intervention=intervention, acting_user=request.user)
    except services.InvoicingError as error:
        show_error(request, error)
        return redirect("invoicing:verification_detail", pk=pk)
    messages.success(request, _("Intervention %(code)s verified.") % {"code": intervention.code})
    return redirect("invoicing:verification_list")


def _move_with_reason(request: HttpRequest, pk: int, *, move, done: str, form_name: str, then):
    """Send back or reopen: the reason's form, the service, its refusal shown on the form (the
    typed reason kept) or the success message and the next page."""
    intervention = _intervention(pk)
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            move(
                intervention=intervention,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.InvoicingError as error:
            show_error(request, error, form)
        else:
            messages.success(request, done % {"code": intervention.code})
            return then
    return verification_detail(request, pk, **{form_name: form})


@role_required(*ADMINISTRATORS)
@require_POST
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _move_with_reason(
        request,
        pk,
        move=services.send_back,
        done=_("Intervention %(code)s sent back to the technician."),
        form_name="send_back_form",
        then=redirect("invoicing:verification_list"),
    )


@role_required(*ADMINISTRATORS)
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """verified -> done with a reason: the actuals may change again until a new verification."""
    return _move_with_reason(
        request,
        pk,
        move=services.reopen,
        done=_("Intervention %(code)s reopened: verify it again before invoicing."),
        form_name="reopen_form",
        then=redirect("invoicing:verification_detail", pk=pk),
    )


# The fields invoicing/billable_calls.html shows of a call to invoice (str(unit) reads its
# serial number and its product's code) and those of the list's ordering.
LISTED_CALL_FIELDS = (
    "code",
    "received_at",
    "description",
    "customer__name",
    "customer__vat_number",
    "unit__serial_number",
    "unit__product__code",
)


class BillableCalls(PortalListView):
    """Verified calls, one customer's together and paginated. The ticked calls are kept on the
    server (``invoicing.selection``) across pages and filters; the selection of one paying
    customer makes a draft invoice."""

    allowed_roles = ADMINISTRATORS
    filterset_class = BillableCallFilter
    template_name = "invoicing/billable_calls.html"
    # Each counted call costs three index probes (the billing rule): counting a backlog of
    # 10,000 took most of the page's time. 40 pages are more than one sitting of invoicing;
    # the customer filter lists the rest.
    count_limit = 1_000

    def get_queryset(self):
        # What the page shows of each call (and the ordering's columns, which the page links
        # carry): not the 30 columns of the call and the customer's 25.
        return selectors.billable_calls().only(*LISTED_CALL_FIELDS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = selectors.by_customer(context["object_list"])
        customer_id = parse_id(self.request.GET.get("customer_id"))
        context["one_customer"] = customer_id is not None
        chosen = selection.selected(self.request.session)
        context["selected"] = set(chosen)
        context["selected_count"] = len(chosen)
        context["max_selected"] = selection.MAX_SELECTED
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        """Keep the page's ticks, then: select all matching, clear, or make the draft."""
        back = request.get_full_path()  # the same filters and page
        action = request.POST.get("action", "create")
        if action == "clear":
            selection.clear(request.session)
            messages.info(request, _("Selection cleared."))
            return redirect(back)
        chosen = selection.update(
            request.session,
            shown=_ids(request.POST.getlist("shown")),
            ticked=_ids(request.POST.getlist("calls")),
        )
        if action == "select_all":
            return self._select_all(request, back)
        if action == "save":
            messages.info(request, _("Selection kept: %(count)s calls.") % {"count": len(chosen)})
            return redirect(back)
        calls = list(Call.objects.filter(pk__in=chosen))
        try:
            invoice = services.create_draft(calls=calls, acting_user=request.user)
        except services.InvoicingError as error:
            show_error(request, error)
            return redirect(back)
        selection.clear(request.session)
        messages.success(request, _("Draft invoice created: review it, then issue it."))
        return redirect(invoice)

    def _select_all(self, request: HttpRequest, back: str) -> HttpResponse:
        filterset = BillableCallFilter(request.GET, queryset=selectors.billable_calls())
        limit = selection.MAX_SELECTED
        matching = list(filterset.qs.order_by().values_list("pk", flat=True)[: limit + 1])
        if len(set(matching) | set(selection.selected(request.session))) > limit:
            messages.error(
                request,
                _("More than %(limit)s calls would be selected: narrow the filters.")
                % {"limit": limit},
            )
            return redirect(back)
        chosen = selection.add(request.session, matching)
        messages.success(
            request,
            _("%(added)s calls matching the filters selected; %(count)s calls selected in all.")
            % {"added": len(matching), "count": len(chosen)},
        )
        return redirect(back)


def _ids(values: list[str]) -> list[int]:
    return [pk for pk in map(parse_id, values) if pk]


class InvoiceList(PortalListView):
    allowed_roles = ADMINISTRATORS
    filterset_class = InvoiceFilter
    template_name = "invoicing/invoice_list.html"

    def get_queryset(self):
        return selectors.invoices()


def _filtered_invoices(request: HttpRequest):
    return InvoiceFilter(request.GET, queryset=selectors.invoices()).qs


def _too_large(request: HttpRequest, invoices, kind: str) -> HttpResponse | None:
    back = limits.list_url(reverse("invoicing:invoice_list"), request)
    return limits.too_large(request, invoices, kind=kind, back=back)


@role_required(*ADMINISTRATORS)
def export_csv(request: HttpRequest) -> HttpResponse:
    invoices = _filtered_invoices(request)
    return _too_large(request, invoices, limits.CSV) or exports.csv_response(request, invoices)


@role_required(*ADMINISTRATORS)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    invoices = _filtered_invoices(request)
    return _too_large(request, invoices, limits.EXCEL) or exports.xlsx_response(invoices)


@role_required(*ADMINISTRATORS)
def invoice_detail(
    request: HttpRequest,
    pk: int,
    payment_form: PaymentForm | None = None,
    credit_form: CreditNoteForm | None = None,
) -> HttpResponse:
    invoice = _invoice(pk)
    context: dict = {"invoice": invoice}
    if invoice.state == InvoiceState.DRAFT:
        bills = selectors.draft_bills(invoice)
        context["bills"] = bills
        # The stamp duty is its own line when due (invoicing.vat), added again when issuing.
        lines = vat.with_stamp_duty(line for item in bills for line in item.lines)
        context["totals"] = billing.totals(lines)
        context["vat_summary"] = vat.summary(lines)
        context["stamp_duty"] = sum(
            (line.amount for line in lines if isinstance(line, vat.StampDutyLine)), ZERO
        )
        context["split_payment"] = vat.split_payment(invoice.customer)
        context["amount_due"] = context["totals"].total - context["totals"].vat
        # Said before the administrator tries: issuing refuses while this list is not empty.
        context["missing_fiscal"] = missing_labels(missing_for_invoice(invoice.customer))
    else:
        context.update(documents.invoice_context(invoice))
        context["totals"] = billing.totals(context["lines"])
        if invoice.kind == InvoiceKind.INVOICE:
            context["balance"] = payments.Balance(invoice)
            context["payments"] = selectors.payments_of(invoice)
            context["payment_form"] = payment_form or PaymentForm(
                initial={"date": timezone.localdate(), "method": selectors.method_of(invoice)}
            )
            credited = credits.credited_so_far(invoice)
            form = credit_form or CreditNoteForm(lines=context["lines"])
            context["credit_form"] = form
            context["credit_rows"] = [
                (line, credits.remaining(line, credited), form.amount_field(line))
                for line in context["lines"]
            ]
            context["creditable"] = any(left > 0 for _line, left, _f in context["credit_rows"])
        context["vat_summary"] = context["vat_lines"]
        context["stamp_duty"] = invoice.stamp_duty
        context["split_payment"] = invoice.split_payment
        context["amount_due"] = invoice.amount_due
    return render(request, "invoicing/invoice_detail.html", context)


@role_required(*ADMINISTRATORS)
@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a payment; a refusal (overpayment, a draft...) is shown on the form, data kept."""
    invoice = _invoice(pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        token = data.pop("submission_token")
        try:
            with idempotency.once(token, request.user):
                payments.record_payment(invoice=invoice, acting_user=request.user, **data)
        except idempotency.AlreadySubmitted:
            messages.info(request, idempotency.ALREADY_SAVED)
            return redirect(invoice)
        except payments.PaymentError as error:
            if invoice.state != InvoiceState.ISSUED:
                show_error(request, error)
                return redirect(invoice)
            show_error(request, error, form)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect(invoice)
    if invoice.state != InvoiceState.ISSUED or invoice.kind != InvoiceKind.INVOICE:
        messages.error(request, _("Payments are recorded against issued invoices only."))
        return redirect(invoice)
    return invoice_detail(request, pk, payment_form=form)


class OpenItems(PortalListView):
    """Issued invoices with money still to collect, per customer; the overdue ones marked."""

    allowed_roles = ADMINISTRATORS
    filterset_class = OpenItemFilter
    template_name = "invoicing/open_items.html"

    def get_queryset(self):
        return payments.open_items()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = selectors.by_customer(context["object_list"])
        context["overdue_total"] = payments.overdue_total()
        context["today"] = timezone.localdate()
        return context


@role_required(*ADMINISTRATORS)
@require_POST
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the confirmation to issue the invoice."))
        return redirect(invoice)
    try:
        issued = services.issue(invoice=invoice, acting_user=request.user)
    except services.InvoicingError as error:
        show_error(request, error)
        return redirect(invoice)
    messages.success(request, _("Invoice %(code)s issued.") % {"code": issued.code})
    return redirect(issued)


@role_required(*ADMINISTRATORS)
@require_POST
def invoice_discard(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(pk)
    try:
        services.discard_draft(invoice=invoice, acting_user=request.user)
    except services.InvoicingError as error:
        show_error(request, error)
        return redirect(invoice)
    messages.success(request, _("Draft invoice discarded."))
    return redirect("invoicing:billable_calls")


@role_required(*ADMINISTRATORS)
@require_POST
def credit_note(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole invoice (``scope=whole``, or no amount typed) or the amounts typed against its
    lines; a refusal shows the form again with what was typed."""
    invoice = _invoice(pk)
    form = CreditNoteForm(request.POST, lines=invoice.lines.all())
    if form.is_valid():
        amounts = None if request.POST.get("scope") == "whole" else form.amounts()
        try:
            with idempotency.once(form.cleaned_data["submission_token"], request.user):
                note = credits.issue_credit_note(
                    invoice=invoice,
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                    amounts=amounts,
                    rebill=form.cleaned_data["rebill"],
                )
        except idempotency.AlreadySubmitted:
            messages.info(request, idempotency.ALREADY_SAVED)
            return redirect(invoice)
        except services.InvoicingError as error:
            show_error(request, error, form)
        else:
            messages.success(request, _("Credit note %(code)s issued.") % {"code": note.code})
            return redirect(note)
    return invoice_detail(request, pk, credit_form=form)


@role_required(*ADMINISTRATORS)
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        invoice = selectors.invoice_document(pk)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    if invoice.state != InvoiceState.ISSUED:
        raise Http404
    response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(invoice)}"'
    return response


@role_required(*ADMINISTRATORS)
def invoice_xml(request: HttpRequest, pk: int) -> HttpResponse:
    """The FatturaPA file of an issued invoice or credit note (SPEC §6); a draft has none."""
    try:
        invoice = fatturapa_document(pk)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    if invoice.state != InvoiceState.ISSUED:
        raise Http404
    try:
        xml, name = fatturapa.document(invoice), fatturapa.filename(invoice)
    except fatturapa.FatturaPAError as error:
        show_error(request, error)
        return redirect(invoice)
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*ADMINISTRATORS)
def export_fatturapa(request: HttpRequest) -> HttpResponse:
    """The FatturaPA files of the issued invoices and credit notes the list's filters select
    (a period: issued from / to), in one zip for the SDI intermediary or the accountant."""
    back = limits.list_url(reverse("invoicing:invoice_list"), request)
    filtered = InvoiceFilter(request.GET, queryset=fatturapa_bundle.issued())
    if not filtered.is_valid():
        messages.error(
            request, _("Check the filters (the dates of the period), then download again.")
        )
        return redirect(back)
    invoices = filtered.qs
    refused = limits.too_large(
        request,
        invoices,
        kind=limits.EXCEL,
        back=back,
        message=_(
            "The zip would hold more than %(limit)s files. Choose a shorter period and "
            "download again."
        ),
    )
    if refused is not None:
        return refused
    invoices = list(invoices)
    if not invoices:
        messages.error(request, _("No issued invoice or credit note matches these filters."))
        return redirect(back)
    try:
        archive = fatturapa_bundle.zip_bytes(invoices)
    except fatturapa.FatturaPAError as error:
        show_error(request, error)
        return redirect(back)
    period = [filtered.form.cleaned_data.get(key) for key in ("date_from", "date_to")]
    suffix = "".join(f"_{day.isoformat()}" for day in period if day)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="fatturapa{suffix}.zip"'
    return response


# --- Expenses report ----------------------------------------------------------------------------
def _expenses_form(request: HttpRequest) -> ExpensesReportForm:
    data = request.GET.copy()
    data.setdefault("month", timezone.localdate().strftime("%Y-%m"))
    return ExpensesReportForm(data)


@role_required(*ADMINISTRATORS)
def expenses_report(request: HttpRequest) -> HttpResponse:
    """What each technician is reimbursed in a month, apart from the customers' invoices."""
    form = _expenses_form(request)
    groups = []
    if form.is_valid():
        expenses = selectors.reimbursed_expenses(
            form.cleaned_data["month"], form.cleaned_data["technician"]
        )
        groups = selectors.expenses_by_technician(expenses)
    return render(
        request,
        "invoicing/expenses_report.html",
        {
            "form": form,
            "groups": groups,
            "total": sum((group.total for group in groups), Decimal("0.00")),
            "query_string": request.GET.urlencode(),
        },
    )


def _expenses_export(request: HttpRequest, kind: str) -> HttpResponse:
    form = _expenses_form(request)
    if not form.is_valid():
        return redirect(limits.list_url(reverse("invoicing:expenses_report"), request))
    month, technician = form.cleaned_data["month"], form.cleaned_data["technician"]
    expenses = selectors.reimbursed_expenses(month, technician)
    back = limits.list_url(reverse("invoicing:expenses_report"), request)
    refused = limits.too_large(request, expenses, kind=kind, back=back)
    if refused is not None:
        return refused
    rows = [row for group in selectors.expenses_by_technician(expenses) for row in group.rows]
    filename = f"expenses-{month:%Y-%m}"
    if kind == limits.CSV:
        return exports.expenses_csv(request, rows, filename)
    return exports.expenses_xlsx(rows, filename)


@role_required(*ADMINISTRATORS)
def expenses_csv(request: HttpRequest) -> HttpResponse:
    return _expenses_export(request, limits.CSV)


@role_required(*ADMINISTRATORS)
def expenses_xlsx(request: HttpRequest) -> HttpResponse:
    return _expenses_export(request, limits.EXCEL)
