"""Pages for invoicing many calls (issue 19): the selection's tick (htmx), the batch with its
preview, the drafts waiting to be issued and issuing several together, taking a call off a
draft. Administrators only; thin views over ``invoicing.batches`` and ``invoicing.selection``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from calls.models import Call
from customers.models import Customer
from invoicing import batches, selection, services
from invoicing.filters import DraftFilter
from invoicing.forms import BatchForm
from invoicing.models import Invoice
from service_portal.crud import PortalListView
from service_portal.errors import show_error
from service_portal.forms import parse_id
from service_portal.pagination import decode_key, encode_key
from service_portal.permissions import role_required
from service_portal.roles import ADMINISTRATORS


@role_required(*ADMINISTRATORS)
@require_POST
def selection_toggle(request: HttpRequest) -> HttpResponse:
    """A tick of the calls to invoice, kept at once (htmx sends the page's form: the calls it
    shows and the ticked ones); answers the selection's count."""
    chosen = selection.update(
        request.session,
        shown=_ids(request.POST.getlist("shown")),
        ticked=_ids(request.POST.getlist("calls")),
    )
    return render(request, "invoicing/selection_count.html", {"selected_count": len(chosen)})


def _ids(values: list[str]) -> list[int]:
    return [pk for pk in map(parse_id, values) if pk]


def _report(request: HttpRequest, outcome: batches.Outcome, done: str) -> None:
    if outcome.done:
        codes = ", ".join(str(invoice) for invoice in outcome.done[:20])
        more = len(outcome.done) - 20
        messages.success(
            request,
            done
            % {"count": len(outcome.done), "codes": codes + (f" (+{more})" if more > 0 else "")},
        )
    for refusal in outcome.refused:
        messages.error(request, refusal)


@role_required(*ADMINISTRATORS)
def batch(request: HttpRequest) -> HttpResponse:
    """GET: the preview of the drafts for calls verified up to a day, one per paying customer,
    a page at a time (Next by key, no total count); POST: make those drafts."""
    if request.method == "POST":
        form = BatchForm(request.POST)
        if form.is_valid():
            outcome = batches.create_drafts(
                up_to=form.cleaned_data["up_to"], acting_user=request.user
            )
            _report(request, outcome, _("%(count)s draft invoices created."))
            if outcome.left:
                messages.warning(
                    request,
                    ngettext(
                        "%(left)s more billing customer waits: run the batch again.",
                        "%(left)s more billing customers wait: run the batch again.",
                        outcome.left,
                    )
                    % {"left": outcome.left},
                )
            if not outcome.done and not outcome.refused:
                messages.info(request, _("No verified calls to invoice up to that day."))
            return redirect("invoicing:draft_list")
    else:
        form = BatchForm(request.GET or None, initial={"up_to": timezone.localdate()})
    up_to = form.cleaned_data["up_to"] if form.is_bound and form.is_valid() else None
    context: dict = {"form": form, "up_to": up_to}
    if up_to is not None:
        context.update(_preview_page(request, up_to))
    return render(request, "invoicing/batch.html", context)


MAX_PAGE = 100_000  # a typed page number beyond any data set, kept within the OFFSET's range


def _preview_page(request: HttpRequest, up_to) -> dict:
    """One page of the preview: its payers from the key of the previous page's last one
    (``after``, carried by the Next link) or, for a page number typed without a key, by
    offset; one payer more than the page tells whether a next page exists."""
    size = settings.PAGE_SIZE
    number = min(parse_id(request.GET.get("page")) or 1, MAX_PAGE)
    after = None
    if number > 1 and request.GET.get("after"):
        key = decode_key(request.GET["after"], Customer, ["name", "pk"])
        if key is not None:
            after = (key[0], key[1])
    offset = 0 if after is not None else (number - 1) * size
    payers = list(batches.preview_payers(up_to, after=after, offset=offset)[: size + 1])
    has_next = len(payers) > size
    payers = payers[:size]
    return {
        "drafts": batches.preview_details(payers, up_to),
        "page_number": number,
        "next_key": encode_key(payers[-1], ["name", "pk"]) if has_next else "",
        "query_string": f"up_to={up_to.isoformat()}",
    }


class DraftList(PortalListView):
    """The draft invoices, to review and to issue together."""

    allowed_roles = ADMINISTRATORS
    filterset_class = DraftFilter
    template_name = "invoicing/draft_list.html"

    def get_queryset(self):
        return batches.drafts()


@role_required(*ADMINISTRATORS)
@require_POST
def drafts_issue(request: HttpRequest) -> HttpResponse:
    """Issue the ticked drafts, each on its own; every refusal is listed by customer."""
    ids = _ids(request.POST.getlist("invoices"))
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the confirmation to issue the invoices."))
    elif not ids:
        messages.error(request, _("Tick the draft invoices to issue."))
    else:
        outcome = batches.issue_drafts(invoice_ids=ids, acting_user=request.user)
        _report(request, outcome, _("%(count)s invoices issued: %(codes)s."))
    return redirect("invoicing:draft_list")


@role_required(*ADMINISTRATORS)
@require_POST
def draft_remove_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one call off a draft invoice; the last one taken off deletes the draft."""
    try:
        invoice = Invoice.objects.get(pk=pk)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    call = Call.objects.filter(pk=parse_id(request.POST.get("call")) or 0).first()
    if call is None:
        messages.error(request, _("This call is not on the draft."))
        return redirect(invoice)
    try:
        remaining = batches.remove_call(invoice=invoice, call=call, acting_user=request.user)
    except services.InvoicingError as error:
        show_error(request, error)
        return redirect(invoice)
    if remaining is None:
        messages.success(
            request,
            _("Call %(code)s taken off; the draft had no other call and was deleted.")
            % {"code": call.code},
        )
        return redirect("invoicing:draft_list")
    messages.success(request, _("Call %(code)s taken off the draft.") % {"code": call.code})
    return redirect(remaining)
