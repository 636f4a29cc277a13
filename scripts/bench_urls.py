"""The portal's URLs plus the benchmark's reference pages: the trivial page (the portal's layout
around a table of 25 rows, for an anonymous visitor, with no database query) and a bare
WeasyPrint document (plain HTML, no stylesheet, no database) with as many rows as the offer or
the invoice the benchmark prints, to compare the PDFs with. With ``letterhead=1`` the bare
document also carries the company's letterhead and footer (the partials and the small
stylesheet every document has, the logo included): what any document of the portal must print
besides its rows (issue 18), so that the PDFs' ratio to it shows what their own content costs.
With ``photos=<intervention pk>`` as well, it also prints the photos that intervention's report
prints, as stored, at the size the report prints them (85 mm wide, ``calls/report_pdf.css``):
the reference for the report PDF with two photos (issue 21).
Both are rendered as WeasyPrint renders by default (a new font configuration, the stylesheet and
the logo read each time)."""

from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from service_portal.urls import urlpatterns as portal_urlpatterns

TRIVIAL = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<table class="table">'
    "{% for row in rows %}<tr><td>{{ row }}</td><td>row {{ row }}</td><td>{{ row|add:1 }}</td>"
    "</tr>{% endfor %}</table>{% endblock %}"
)


BARE_PDF = engines["django"].from_string(
    "<!doctype html><html><head><meta charset=utf-8><title>Offer</title>"
    "<style>@page { size: A4; margin: 18mm 15mm }</style></head><body>"
    '{% if company %}{% include "portal/document_header.html" %}{% endif %}'
    "<h1>Spare-part offer {{ rows|length }}</h1><p>Customer S.r.l.<br>Via Roma 1, Milano</p>"
    "<table><tr><th>Code</th><th>Description</th><th>Qty</th><th>Price</th><th>Total</th></tr>"
    "{% for row in rows %}<tr><td>SP-{{ row }}</td><td>Spare part number {{ row }}</td>"
    "<td>1</td><td>{{ row }}.00</td><td>{{ row }}.00</td></tr>{% endfor %}</table>"
    "<p>Total: 100.00</p>"
    '{% for photo in photos %}<img src="{{ photo }}" style="width: 85mm">{% endfor %}'
    '{% if company %}{% include "portal/document_footer.html" %}{% endif %}</body></html>'
)


def trivial(request):
    return HttpResponse(TRIVIAL.render({"rows": range(25)}, request))


def bare_pdf(request):
    from weasyprint import CSS, HTML

    rows = range(min(int(request.GET.get("rows", "5")), 200))
    if not request.GET.get("letterhead"):
        html = BARE_PDF.render({"rows": rows})
        return HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    from django.contrib.staticfiles import finders

    from service_portal import pdf
    from service_portal.company import branding

    company = branding()
    logo = pdf._logo_box(company.logo_document_url) if company.logo_document_url else None
    photos = []
    if request.GET.get("photos"):
        from calls.documents import REPORT_TAG_ORDER
        from calls.models import Attachment

        photos = [
            settings.MEDIA_URL + name
            for name in Attachment.objects.filter(
                intervention_id=int(request.GET["photos"]), report_tag__in=REPORT_TAG_ORDER
            )
            .order_by("created_at")
            .values_list("file", flat=True)
        ]
    html = BARE_PDF.render(
        {"rows": rows, "company": company, "letterhead_logo": logo, "photos": photos}
    )
    document = HTML(string=html, base_url="file:///", url_fetcher=pdf.PortalURLFetcher())
    sheet = CSS(filename=finders.find(pdf.COMPANY_STYLESHEET))
    return HttpResponse(document.write_pdf(stylesheets=[sheet]), content_type="application/pdf")


def report_rows(intervention) -> int:
    """The table rows of an intervention's report: the four of the call's identity, one per time
    entry plus the total, one per part, expense and checklist item (a table without rows
    prints one row with a dash)."""
    from calls import checklists
    from calls.models import Expense, PartUsed

    entries = intervention.time_entries.count()
    parts = PartUsed.objects.filter(intervention=intervention).count()
    expenses = Expense.objects.filter(intervention=intervention).count()
    items = len(list(checklists.items_with_answers(intervention)))
    return 4 + entries + 1 + max(parts, 1) + max(expenses, 1) + items


def report_with_photos(request, pk: int):
    """The intervention report rendered afresh (the portal stores it once signed and serves the
    stored bytes): the time of WeasyPrint with the two "before"/"after" photos (issue 21)."""
    from django.http import Http404

    from calls.documents import report_pdf
    from calls.models import Intervention

    intervention = Intervention.objects.select_related("call__customer").filter(pk=pk).first()
    if intervention is None:
        raise Http404
    return HttpResponse(report_pdf(intervention), content_type="application/pdf")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("bench/bare.pdf", bare_pdf),
    path("bench/report-<int:pk>.pdf", report_with_photos),
    *portal_urlpatterns,
]
