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
from invoicing import billing, documents, exports, selectors, services
from invoicing.filters import BillableCallFilter, InvoiceFilter, VerificationFilter
from invoicing.forms import CorrectionForm, CreditNoteForm, ExpensesReportForm, SendBackForm
from invoicing.models import Invoice, InvoiceState
from service_portal import exports as limits
from service_portal import idempotency
from service_portal.crud import PortalListView
from service_portal.errors import show_error
from service_portal.forms import parse_id
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


class BillableCalls(PortalListView):
    """Verified calls, one customer's together and paginated; the ticked calls of one customer
    (on one page) make a draft invoice."""

    allowed_roles = ADMINISTRATORS
    filterset_class = BillableCallFilter
    template_name = "invoicing/billable_calls.html"
    # Each counted call costs three index probes (the billing rule): counting a backlog of
    # 10,000 took most of the page's time. 40 pages are more than one sitting of invoicing;
    # the customer filter lists the rest.
    count_limit = 1_000

    def get_queryset(self):
        return selectors.billable_calls()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = selectors.by_customer(context["object_list"])
        customer_id = parse_id(self.request.GET.get("customer_id"))
        context["one_customer"] = customer_id is not None
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        pks = [pk for pk in map(parse_id, request.POST.getlist("calls")) if pk]
        calls = list(Call.objects.filter(pk__in=pks))
        try:
            invoice = services.create_draft(calls=calls, acting_user=request.user)
        except services.InvoicingError as error:
            show_error(request, error)
            return redirect(request.get_full_path())  # back to the same filters and page
        messages.success(request, _("Draft invoice created: review it, then issue it."))
        return redirect(invoice)


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
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(pk)
    context = {"invoice": invoice, "credit_form": CreditNoteForm()}
    if invoice.state == InvoiceState.DRAFT:
        bills = selectors.draft_bills(invoice)
        context["bills"] = bills
        context["totals"] = billing.totals(line for item in bills for line in item.lines)
        # Said before the administrator tries: issuing refuses while this list is not empty.
        context["missing_fiscal"] = missing_labels(missing_for_invoice(invoice.customer))
    else:
        context.update(documents.invoice_context(invoice))
        context["totals"] = billing.totals(context["lines"])
    return render(request, "invoicing/invoice_detail.html", context)


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
    invoice = _invoice(pk)
    form = CreditNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason for the credit note."))
        return redirect(invoice)
    try:
        note = services.issue_credit_note(
            invoice=invoice, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
    except services.InvoicingError as error:
        show_error(request, error)
        return redirect(invoice)
    messages.success(request, _("Credit note %(code)s issued.") % {"code": note.code})
    return redirect(note)


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
