#!/usr/bin/env python
"""Server time of the main pages at two data sizes (`make bench`; not part of `make test`).

For each scale it rebuilds a PostgreSQL database, loads `seed_demo --scale N`, then requests each
page in this process through Django's full middleware stack (test client, DEBUG off, logged in
with the role each page is for) and reports p50/p95 server time, the ratio to a trivial page (a
template of 25 rows, no database) and to the Django admin changelist with the same filters (for
the PDFs: to a bare WeasyPrint page with as many rows), and the SQL query count.
The table is printed and written to var/bench-<timestamp>.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sp_bench python scripts/bench.py --scales 1,100

With --keep each scale has its own database (sp_bench_1, sp_bench_100), seeded once and reused
by later runs (`make bench` passes it): the full scale takes about 20 minutes to seed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service_portal.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sp_bench")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("CONN_MAX_AGE", "600")
# Production settings: DEBUG off (cached templates, no query log). The static files are the
# collected ones without the manifest (`make bench` collects them with DEBUG on) and the test
# client asks over HTTPS, as the portal redirects plain HTTP when DEBUG is off.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("STATIC_MANIFEST", "0")
# The customers' offer links allow 30 requests per offer and 60 per address in 10 minutes: the
# benchmark opens the same offer thousands of times from 127.0.0.1, so its throughput row would
# count HTTP 429 answers, and the counter (in Redis, shared by the scales) would make the next
# scale's run stop on a 429. The limits are raised for the benchmark's processes (the server's
# too: it inherits this environment); the counting itself still runs and is measured.
os.environ.setdefault("OFFER_LINK_RATE_PER_OFFER", "1000000")
os.environ.setdefault("OFFER_LINK_RATE_PER_ADDRESS", "1000000")


@dataclass(frozen=True)
class Page:
    name: str
    url: str  # may contain {placeholders} filled from the data (see _placeholders)
    admin_url: str = ""  # the Django admin changelist with the same filters, if any
    role: str = "operator"  # operator, admin, technician or anonymous
    reference: str = ""  # the page this one is compared with besides the trivial one
    # PDFs: a second reference, shown beside the first in the same column
    letterhead_reference: str = ""


TRIVIAL = "trivial page (25 rows, no DB)"
BARE_PDF = "bare WeasyPrint page (same rows)"
BARE_PDF_INVOICE = "bare WeasyPrint page (invoice's rows)"
LETTERHEAD_PDF = "bare WeasyPrint page with the letterhead (same rows)"
LETTERHEAD_PDF_INVOICE = "bare WeasyPrint page with the letterhead (invoice's rows)"
BARE_PDF_REPORT = "bare WeasyPrint page (report's rows)"
LETTERHEAD_PDF_REPORT = "bare WeasyPrint page with the letterhead (report's rows and photos)"
_ADMIN_CALLS = "/admin/calls/intervention/"

# Pages grow with the features: add a row when a page lands. A page answering 404 (not merged
# yet, like the dashboard on a branch without it) is reported "n/a" instead of failing the run.
PAGES = [
    Page(TRIVIAL, "/bench/trivial/", role="anonymous"),
    # The same page for a signed-in operator: the floor every portal page stands on (session
    # and user read, the session's idle-time refresh, the navigation for the user's role).
    Page("trivial page, signed in", "/bench/trivial/"),
    Page("customer list", "/customers/", "/admin/customers/customer/"),
    Page(
        "customer search",
        "/customers/?q={customer_word}",
        "/admin/customers/customer/?q={customer_word}",
    ),
    Page("customer page", "/customers/{customer_pk}/"),
    Page("customer picker (offer wizard)", "/customers/pick/?q={customer_word}"),
    Page("unit list", "/customers/units/", "/admin/customers/unit/"),
    Page(
        "unit search (serial)", "/customers/units/?q={serial}", "/admin/customers/unit/?q={serial}"
    ),
    Page("unit list, warranty", "/customers/units/?warranty=in"),
    Page("unit page", "/customers/units/{unit_pk}/"),
    Page("site list", "/customers/sites/", "/admin/customers/site/"),
    Page(
        "contact search",
        "/customers/contacts/?q=referente",
        "/admin/customers/contact/?q=referente",
    ),
    # The call search (SPEC §6), one row per filter, then all of them together; the admin
    # changelist gets the same filters (its search box stands for the text filters).
    Page("call search, no filter", "/calls/", _ADMIN_CALLS),
    Page(
        "call search, received from/to (1 month)",
        "/calls/?date_from={month_start}&date_to={month_end}",
        _ADMIN_CALLS + "?call__received_at__gte={month_start}&call__received_at__lt={month_after}",
    ),
    Page(
        "call search, call code",
        "/calls/?call_code={call_code}",
        _ADMIN_CALLS + "?q={call_code}",
    ),
    Page(
        "call search, intervention code",
        "/calls/?intervention_code={intervention_code}",
        _ADMIN_CALLS + "?q={intervention_code}",
    ),
    Page(
        "call search, call status",
        "/calls/?status={status}",
        _ADMIN_CALLS + "?call__status__exact={status}",
    ),
    Page(
        "call search, intervention type",
        "/calls/?intervention_type={type_pk}",
        _ADMIN_CALLS + "?type__id__exact={type_pk}",
    ),
    Page(
        "call search, customer",
        "/calls/?customer={customer_part}",
        _ADMIN_CALLS + "?q={customer_part}",
    ),
    Page(
        "call search, technician",
        "/calls/?technician={technician_pk}",
        _ADMIN_CALLS + "?technician__id__exact={technician_pk}",
    ),
    Page(
        "call search, serial number",
        "/calls/?serial_number={serial_part}",
        _ADMIN_CALLS + "?q={serial_part}",
    ),
    Page(
        "call search, all filters",
        "/calls/?date_from={day}&date_to={day}&call_code={call_code}"
        "&intervention_code={intervention_code}&status={call_status}&intervention_type={type_pk}"
        "&customer={customer_part}&technician={technician_pk}&serial_number={serial_part}",
        _ADMIN_CALLS + "?call__received_at__gte={day}&call__received_at__lt={day_after}"
        "&call__status__exact={call_status}&type__id__exact={type_pk}"
        "&technician__id__exact={technician_pk}&q={intervention_code}",
    ),
    # Issue 24: what the search accepts besides whole codes and names: a call's number without
    # its year ("14": that number in every year that has calls), with its year ("2026-14"), an
    # intervention by number ("14/1"), the customer's VAT number, a name typed without accents.
    Page('call search, call number ("14")', "/calls/?call_code={call_number}"),
    Page('call search, year and number ("2026-14")', "/calls/?call_code={call_year_number}"),
    Page(
        'call search, intervention number ("14/1")',
        "/calls/?intervention_code={call_number}/{number}",
    ),
    Page("call search, customer's VAT number", "/calls/?customer={customer_vat}"),
    Page("call search, customer without accents", "/calls/?customer=mecaniques"),
    # Deep pages, reached through the Next links as a user would (keyset: the same cost as the
    # first page): page 40, or the last full page when the data has fewer.
    Page("customer list, page 40", "{customer_page_40}"),
    Page("call search, page 40", "{call_page_40}"),
    # Issue 22: the call search sorted by the next SLA deadline, and its "at risk" and
    # "breached" filters (the partial index on Call.sla_due); the contract list.
    Page("call search, sorted by SLA", "/calls/?sort=sla"),
    Page("call search, SLA breached", "/calls/?sla=breached&sort=sla"),
    Page("call search, SLA at risk", "/calls/?sla=at_risk&sort=sla"),
    Page("contract list", "/contracts/", "/admin/contracts/contract/", role="admin"),
    Page("contract search", "/contracts/?q=CA-", "/admin/contracts/contract/?q=CA-", role="admin"),
    Page("call management page", "/calls/{call_pk}/interventions/{number}/"),
    # Preventive maintenance: what falls due (partial index on the open occurrences' due date).
    Page("maintenance due, 8 weeks", "/calls/maintenance/", "/admin/calls/maintenanceoccurrence/"),
    Page("maintenance due, 6 months", "/calls/maintenance/?weeks=26"),
    Page("maintenance due, overdue only", "/calls/maintenance/?overdue=1"),
    # The solutions search reads the few calls with a solution (a partial index), then words.
    Page("solutions, no filter", "/calls/solutions/"),
    Page("solutions, words", "/calls/solutions/?q=reset+counter"),
    Page("technician's home", "/calls/mine/", role="technician"),
    Page("pages the phone keeps (offline list)", "/planner/my/offline.json", role="technician"),
    Page("planner board, week", "/planner/?view=week&date={today}"),
    Page("planner board, month", "/planner/?view=month&date={today}"),
    Page(
        "hours month (administrator)",
        "/planner/hours/?month={busy_month}&user={technician_pk}",
        role="admin",
    ),
    Page("hours month (technician)", "/planner/hours/?month={busy_month}", role="technician"),
    # "My calendar": the agenda (seven days from today, every visit with its job) and the month.
    Page("my calendar and agenda (technician)", "/planner/my/", role="technician"),
    Page("dashboard", "/dashboard/", role="admin"),
    # A whole year of figures: the call counts come from the daily call summaries.
    Page(
        "dashboard, a whole year",
        "/dashboard/?date_from={year_start}&date_to={year_end}",
        role="admin",
    ),
    Page(
        "dashboard, a year for a technician",
        "/dashboard/?date_from={year_start}&date_to={year_end}&technician={technician_pk}",
        role="admin",
    ),
    Page("company profile", "/company/", role="admin"),
    Page("calls to invoice", "/invoicing/to-invoice/", role="admin"),
    Page("open items", "/invoicing/open-items/", role="admin"),
    Page("open items, overdue only", "/invoicing/open-items/?overdue=on", role="admin"),
    Page("invoice with payments", "/invoicing/invoices/{invoice_pk}/", role="admin"),
    # Issue 19: every verified call up to today, one draft per billing customer, grouped and
    # summed in SQL; the drafts waiting to be issued.
    Page("batch invoicing preview", "/invoicing/batch/?up_to={today}", role="admin"),
    Page("batch invoicing preview, page 2", "/invoicing/batch/?up_to={today}&page=2", role="admin"),
    Page("draft invoices", "/invoicing/drafts/", role="admin"),
    Page("expenses report, a month", "/invoicing/expenses/", role="admin"),
    # Issue 23: the stock pages (the central warehouse holds every part: 200,000 at scale 100)
    # and the parts search with each part's availability per warehouse.
    # The text searches match the code and the five descriptions through the parts' trigram
    # indexes; page 40 as the Next links write it (by key) and as a typed number (OFFSET).
    Page("warehouse list", "/stock/", "/admin/stock/warehouse/"),
    Page("central warehouse stock", "/stock/{central_pk}/", "/admin/stock/stocklevel/"),
    Page(
        "central warehouse stock, search",
        "/stock/{central_pk}/?q={part_word}",
        "/admin/stock/stocklevel/?warehouse__id__exact={central_pk}&q={part_word}",
    ),
    Page("central warehouse stock, search by code", "/stock/{central_pk}/?q={part_code}"),
    Page("central warehouse stock, below minimum", "/stock/{central_pk}/?below_minimum=on"),
    Page("central warehouse stock, page 40", "{stock_page_40}"),
    Page("central warehouse stock, page 40 by number", "/stock/{central_pk}/?page=40"),
    Page("van stock (technician)", "/stock/{van_pk}/", role="technician"),
    Page("van restock proposal", "/stock/{van_pk}/restock/"),
    Page("stock moves", "/stock/moves/", "/admin/stock/stockmove/"),
    Page("stock moves of a van", "/stock/moves/?warehouse={van_pk}"),
    Page("spare parts catalogue", "/orders/parts/", "/admin/orders/sparepart/"),
    Page(
        "spare parts with availability",
        "/orders/parts/?q={part_word}",
        "/admin/orders/sparepart/?q={part_word}",
    ),
    Page("spare parts catalogue, page 40", "{parts_page_40}"),
    Page("cart search with availability", "/orders/offers/{offer_pk}/cart/search/?q={part_word}"),
    # The PDFs against a bare WeasyPrint page of as many table rows (the offer's, the invoice's)
    # and against the same page with the company's letterhead and footer, which every document
    # must print (issue 18): "×admin/ref" shows both ratios, "bare / with letterhead".
    Page(BARE_PDF, "/bench/bare.pdf?rows={offer_rows}", role="anonymous"),
    Page(BARE_PDF_INVOICE, "/bench/bare.pdf?rows={invoice_rows}", role="anonymous"),
    Page(
        LETTERHEAD_PDF,
        "/bench/bare.pdf?rows={offer_rows}&letterhead=1",
        role="anonymous",
        reference=BARE_PDF,
    ),
    Page(
        LETTERHEAD_PDF_INVOICE,
        "/bench/bare.pdf?rows={invoice_rows}&letterhead=1",
        role="anonymous",
        reference=BARE_PDF_INVOICE,
    ),
    Page(
        "offer PDF",
        "/orders/offers/{offer_pk}/pdf/",
        reference=BARE_PDF,
        letterhead_reference=LETTERHEAD_PDF,
    ),
    # Issue 20: the offer and order pages (with the call they came from), the customers' pages
    # behind the signed links (a quote never sent for acceptance: "n/a").
    Page("offer page", "/orders/offers/{offer_pk}/"),
    Page("order page", "/orders/{order_pk}/"),
    # Issue 23: the order's shipments (delivery notes), the webhook endpoints and a delivery log.
    Page("order shipments", "/orders/{order_pk}/shipments/"),
    Page("webhook endpoints", "/events/endpoints/", role="admin"),
    Page("webhook delivery log", "/events/endpoints/{endpoint_pk}/", role="admin"),
    Page("offer link (customer)", "/orders/o/{offer_token}/", role="anonymous"),
    Page("quote link (customer)", "/quotes/q/{quote_token}/", role="anonymous"),
    Page(
        "invoice PDF",
        "/invoicing/invoices/{invoice_pk}/pdf/",
        role="admin",
        reference=BARE_PDF_INVOICE,
        letterhead_reference=LETTERHEAD_PDF_INVOICE,
    ),
    # Issue 21: the intervention report of a demo visit with its "before" and "after" photos,
    # rendered each time (the portal itself renders it once and stores it), against bare pages
    # of as many table rows as the report prints (the demo visit's hours make most of them), the
    # second with the letterhead and the same two photos printed at the report's size (85 mm).
    Page(BARE_PDF_REPORT, "/bench/bare.pdf?rows={report_rows}", role="anonymous"),
    Page(
        LETTERHEAD_PDF_REPORT,
        "/bench/bare.pdf?rows={report_rows}&letterhead=1&photos={photo_report_pk}",
        role="anonymous",
        reference=BARE_PDF_REPORT,
    ),
    Page(
        "report PDF with two photos",
        "/bench/report-{photo_report_pk}.pdf",
        role="admin",
        reference=BARE_PDF_REPORT,
        letterhead_reference=LETTERHEAD_PDF_REPORT,
    ),
    # FatturaPA (SPEC §6): one invoice's XML, built and validated against the schema; the zip
    # of a month's issued invoices and credit notes from the invoice list.
    Page("invoice FatturaPA XML", "/invoicing/invoices/{invoice_pk}/xml/", role="admin"),
    Page(
        "FatturaPA zip, issued in the last 31 days",
        "/invoicing/invoices/fatturapa.zip?date_from={month_ago}&date_to={today}",
        role="admin",
    ),
]


def _run(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def _scale_url(scale: int) -> str:
    """With --keep, each scale has its own database, named after DATABASE_URL's plus the scale."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return url._replace(path=f"{url.path}_{scale}").geturl()


def _psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", url, "-Atqc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def _seeded_mark(scale: int) -> str:
    return f"seed_demo --scale {scale}: complete"


def _rebuild_database(scale: int, *, keep: bool = False) -> None:
    """Drop, create, migrate and seed the database for ``scale``. With ``keep``, a database
    already seeded at this scale (marked by a comment written after its seed and VACUUM) is only
    migrated: the largest scale takes about 20 minutes to seed."""
    url = urlsplit(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    # As docs/operations.md recommends for the portal's database (JIT compile time exceeds the
    # portal's short queries).
    jit_off = f'ALTER DATABASE "{name}" SET jit = off'
    if keep:
        marks = dict(
            line.split("|", 1)
            for line in _psql(
                admin, "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
            ).splitlines()
        )
        mark = marks.get(name, "")
        if mark == _seeded_mark(scale):
            _psql(admin, jit_off)
            _run("migrate", "-v0")
            print(f"  kept database {name}, seeded at scale {scale}")
            return
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"', jit_off):
        subprocess.run(["psql", admin, "-qc", sql], check=True)
    _run("migrate", "-v0")
    started = time.monotonic()
    _run("seed_demo", "--scale", str(scale), "--no-logins", "-v0")
    print(f"  seeded scale {scale} in {time.monotonic() - started:.0f}s")
    # Statistics, as autovacuum would gather them on a live database: without them PostgreSQL
    # plans the fresh tables as if they were empty.
    subprocess.run(["psql", os.environ["DATABASE_URL"], "-qc", "VACUUM ANALYZE"], check=True)
    _psql(admin, f"COMMENT ON DATABASE \"{name}\" IS '{_seeded_mark(scale)}'")


def _placeholders() -> tuple[dict[str, object], dict[str, object]]:
    """Values for the URLs, taken from the data in the middle of the generated volume (so the
    same kind of row at every scale), and the users to request the pages as."""
    import datetime

    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import User
    from calls.models import Intervention, State
    from customers.models import Customer, Unit
    from invoicing.models import Invoice, InvoiceState
    from orders.links import make_token as offer_token
    from orders.models import Offer, Order
    from planner.models import TimeEntry
    from quotes.links import make_token as quote_token
    from quotes.models import Quote

    unit = Unit.objects.order_by("pk")[Unit.objects.count() // 2]
    # A carried-out intervention whose call is not verified yet: its management page shows every
    # section (hours, expenses, parts) and their forms, so the page is the same kind at every
    # scale (a cancelled or verified one shows fewer).
    visited = Intervention.objects.filter(
        type__isnull=False,
        technician__isnull=False,
        call__unit__isnull=False,
        state=State.DONE,
        call__status=State.DONE,  # and its call waiting for verification (editable sections)
    ).select_related("call__customer", "call__unit", "technician")
    target = visited.order_by("pk")[visited.count() // 2]
    call = target.call
    day = timezone.localtime(call.received_at).date()
    month_start = day.replace(day=1)
    month_after = (month_start + datetime.timedelta(days=32)).replace(day=1)
    busy = (
        TimeEntry.objects.filter(user=target.technician)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    ) or timezone.localdate()
    busy = busy - datetime.timedelta(days=40)  # a whole month of entries
    offer = Offer.objects.order_by("pk").filter(lines__isnull=False).distinct().first()
    order = Order.objects.order_by("pk").first()
    from events.models import WebhookEndpoint

    sent_offer = Offer.objects.filter(sent_at__isnull=False).order_by("pk").first()
    sent_quote = Quote.objects.filter(sent_at__isnull=False).order_by("pk").first()
    invoice = Invoice.objects.filter(state=InvoiceState.ISSUED).order_by("pk").first()
    from scripts.bench_urls import report_rows

    photo_report = (
        Intervention.objects.filter(attachments__report_tag__in=["before", "after"])
        .annotate(photos=Count("attachments"))
        .filter(photos__gte=2)
        .order_by("pk")
        .first()
    )
    digits = "".join(ch for ch in call.customer.name if ch.isdigit())
    from django.conf import settings

    from service_portal.pagination import encode_key

    def page_40(path: str, rows, ordering: list[str]) -> str:
        """The link of page 40 (or of the last full page, on small data) as the previous page's
        Next link writes it: with the key of that page's last row."""
        page = max(2, min(40, rows.count() // settings.PAGE_SIZE))
        last_before = rows.order_by(*ordering)[(page - 1) * settings.PAGE_SIZE - 1]
        return f"{path}?page={page}&after={encode_key(last_before, ordering)}"

    values = {
        "customer_pk": Customer.objects.order_by("pk")[Customer.objects.count() // 2].pk,
        "customer_word": "industria",
        "unit_pk": unit.pk,
        "serial": unit.serial_number[-5:],
        "today": timezone.localdate().isoformat(),
        # the demo issues its invoices in the last weeks (the FatturaPA zip of a period)
        "month_ago": (timezone.localdate() - datetime.timedelta(days=31)).isoformat(),
        "day": day.isoformat(),
        "day_after": (day + datetime.timedelta(days=1)).isoformat(),
        "month_start": month_start.isoformat(),
        "month_end": (month_after - datetime.timedelta(days=1)).isoformat(),
        "month_after": month_after.isoformat(),
        "call_code": call.code,
        "call_number": str(int(call.code.split("-")[1])),
        "call_year_number": f"{call.code.split('-')[0]}-{int(call.code.split('-')[1])}",
        "customer_vat": call.customer.vat_number or call.customer.fiscal_code,
        "intervention_code": target.code,
        # The same status at every scale (the middle call's status depends on the data drawn).
        "status": State.DONE.value,
        "call_status": call.status,  # "all filters" finds the middle call itself
        "type_pk": target.type_id,
        "customer_part": digits or call.customer.name[:12],
        "technician_pk": target.technician_id,
        "serial_part": call.unit.serial_number[-6:],
        "call_pk": call.pk,
        "number": target.number,
        "customer_page_40": page_40("/customers/", Customer.objects.all(), ["name", "pk"]),
        "call_page_40": page_40(
            "/calls/",
            Intervention.objects.select_related("call"),
            ["-call__received_at", "-pk"],
        ),
        "busy_month": busy.strftime("%Y-%m"),
        "year_start": (timezone.localdate() - datetime.timedelta(days=364)).isoformat(),
        "year_end": timezone.localdate().isoformat(),
        "offer_pk": offer.pk if offer else 0,
        "offer_rows": offer.lines.count() if offer else 5,
        "invoice_pk": invoice.pk if invoice else 0,
        "invoice_rows": invoice.lines.count() if invoice else 5,
        "order_pk": order.pk if order else 0,
        "endpoint_pk": WebhookEndpoint.objects.order_by("pk").values_list("pk", flat=True).first()
        or 0,
        "photo_report_pk": photo_report.pk if photo_report else 0,
        "report_rows": report_rows(photo_report) if photo_report else 5,
        "offer_token": offer_token(sent_offer.pk) if sent_offer else "0",
        "quote_token": quote_token(sent_quote.pk) if sent_quote else "0",
    }
    from stock.models import Warehouse, WarehouseKind

    central = Warehouse.objects.filter(kind=WarehouseKind.CENTRAL).order_by("pk").first()
    van = Warehouse.objects.filter(technician=target.technician).first()
    values["central_pk"] = central.pk if central else 0
    values["van_pk"] = van.pk if van else 0
    values["part_word"] = "filtro"
    # The code of the part in the middle of the catalogue, less its first and last letters.
    from orders.models import SparePart
    from stock.models import StockLevel

    middle = SparePart.objects.order_by("code")[SparePart.objects.count() // 2].code
    values["part_code"] = middle[1:-1]
    values["parts_page_40"] = page_40("/orders/parts/", SparePart.objects.all(), ["code"])
    values["stock_page_40"] = page_40(
        f"/stock/{values['central_pk']}/",
        StockLevel.objects.filter(warehouse_id=values["central_pk"]).select_related("spare_part"),
        ["spare_part__code", "pk"],
    )
    users = {
        "operator": User.objects.get(username="operator"),
        "admin": User.objects.get(username="admin"),
        "technician": target.technician,
        "anonymous": None,
    }
    return values, users


def _selected_pages() -> list[Page]:
    """--only (BENCH_ONLY): the pages whose name contains one of its words, with the trivial
    pages and the bare WeasyPrint page the ratios are read against; every page without it."""
    only = [word.strip() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]
    return [
        page
        for page in PAGES
        if not only
        or page.name.startswith(("trivial page", "bare WeasyPrint"))
        or any(word in page.name for word in only)
    ]


def _measure(scale: int, repeat: int, admin_repeat: int) -> dict[str, dict[str, float]]:
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    values, users = _placeholders()
    results: dict[str, dict[str, float]] = {}
    pages = _selected_pages()
    with override_settings(ROOT_URLCONF="scripts.bench_urls", DEBUG=False):
        for page in pages:
            for label, url, user, times in (
                (page.name, page.url, users[page.role], repeat),
                (f"{page.name} [admin]", page.admin_url, users["admin"], admin_repeat),
            ):
                if not url:
                    continue
                client = Client()
                if user is not None:
                    client.force_login(user)
                url = url.format(**values)
                status = client.get(url, secure=True).status_code  # warm-up, and a sanity check
                if status == 404:
                    results[label] = {"missing": url}
                    continue
                assert status == 200, (url, status)
                with CaptureQueriesContext(connection) as ctx:
                    client.get(url, secure=True)
                queries = len(ctx.captured_queries)
                timings = []
                for _ in range(times):
                    started = time.perf_counter()
                    client.get(url, secure=True)
                    timings.append((time.perf_counter() - started) * 1000)
                    reset_queries()
                timings.sort()
                results[label] = {
                    "p50": statistics.median(timings),
                    "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
                    "queries": queries,
                }
    return results


def _table(all_results: dict[int, dict[str, dict[str, float]]]) -> str:
    """Per scale: p50, p95, ratio to the trivial page, to the admin changelist with the same
    filters (or, for PDFs, to the bare WeasyPrint page) and the SQL queries; then the growth
    from the smallest to the largest scale. "≠" flags query counts that differ between scales."""
    scales = sorted(all_results)
    lines = [
        "| page | "
        + " | ".join(
            f"scale {s}: p50 ms | p95 ms | ×trivial | ×admin/ref | queries" for s in scales
        )
        + " | growth p50 |",
        "|---" * (2 + 5 * len(scales)) + "|",
    ]
    for page in PAGES:
        if not all(page.name in all_results[s] for s in scales):
            continue  # left out by --only
        cells = [page.name]
        if any("missing" in all_results[s].get(page.name, {"missing": ""}) for s in scales):
            url = next(iter(all_results[s][page.name].get("missing", "") for s in scales))
            lines.append(f"| {page.name} | n/a: {url} answers 404 on this branch |")
            continue
        counts = {all_results[s][page.name]["queries"] for s in scales}
        for s in scales:
            r = all_results[s]
            me = r[page.name]
            trivial = r[TRIVIAL]["p50"]
            other = r.get(f"{page.name} [admin]") or r.get(page.reference)
            if other and "missing" in other:
                other = None
            ratio = f"{me['p50'] / other['p50']:.2f}" if other else "–"
            letterhead = r.get(page.letterhead_reference)
            if other and letterhead and "missing" not in letterhead:
                ratio += f" / {me['p50'] / letterhead['p50']:.2f}"
            cells += [
                f"{me['p50']:.1f}",
                f"{me['p95']:.1f}",
                f"{me['p50'] / trivial:.1f}",
                ratio,
                f"{me['queries']:.0f}" + (" ≠" if len(counts) > 1 else ""),
            ]
        growth = (
            all_results[scales[-1]][page.name]["p50"] / all_results[scales[0]][page.name]["p50"]
        )
        cells.append(f"{growth:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Admin changelists (the reference of the ×admin column):", ""]
    for page in PAGES:
        label = f"{page.name} [admin]"
        if not page.admin_url or any(
            "missing" in all_results[s].get(label, {"missing": ""}) for s in scales
        ):
            continue
        cells = [
            f"{all_results[s][label]['p50']:.1f} ms p50, "
            f"{all_results[s][label]['queries']:.0f} queries (scale {s})"
            for s in scales
        ]
        lines.append(f"- {page.name}: " + "; ".join(cells))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,100", help="comma-separated seed_demo scales")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="one database per scale (DATABASE_URL's name + _N), kept and reused when it is "
        "already seeded at that scale",
    )
    parser.add_argument(
        "--admin-repeat",
        type=int,
        default=0,
        help="requests per admin changelist (default: --repeat); they take seconds at scale 100",
    )
    parser.add_argument(
        "--throughput-seconds",
        type=int,
        default=10,
        help="load per page in the throughput table (gunicorn + wrk, scripts/throughput.py); "
        "0 leaves the table out",
    )
    parser.add_argument(
        "--throughput-users", type=int, default=4, help="connections kept busy by wrk"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the current database (already seeded at the single scale given)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated words: measure only the pages whose name contains one of them "
        "(and the trivial and bare WeasyPrint pages), e.g. --only 'batch,PDF'",
    )
    args = parser.parse_args()
    if args.only:
        os.environ["BENCH_ONLY"] = args.only
    scales = [int(s) for s in args.scales.split(",")]
    results = {}
    throughput_results = {}
    base_url = os.environ["DATABASE_URL"]
    for scale in scales:
        print(f"scale {scale}")
        if args.keep:
            os.environ["DATABASE_URL"] = _scale_url(scale)
        if not args.reuse:
            _rebuild_database(scale, keep=args.keep)
        # A fresh process per scale: no cache or connection state carried over.
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure-one",
                str(scale),
                "--repeat",
                str(args.repeat),
                "--admin-repeat",
                str(args.admin_repeat or args.repeat),
            ],
            cwd=ROOT,
            check=True,
            # stderr stays on the terminal: a page that fails shows its traceback.
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        results[scale] = json.loads(out.strip().splitlines()[-1])
        if args.throughput_seconds > 0:
            from scripts import throughput

            print(f"scale {scale}: throughput (gunicorn + wrk, {args.throughput_seconds}s a page)")
            # The same pages as the server-time table (--only applies to both).
            throughput_results[scale] = throughput.measure(
                args.throughput_users,
                args.throughput_seconds,
                workers=2,
                only={page.name for page in _selected_pages()} if args.only else None,
            )
        os.environ["DATABASE_URL"] = base_url
    table = _table(results)
    if throughput_results:
        table += (
            "\n\nThroughput on a real server (gunicorn, 2 sync workers, DEBUG off; wrk, "
            f"{args.throughput_users} connections, {args.throughput_seconds}s a page; "
            "1/x: x times fewer requests per second than the trivial page):\n\n"
            + throughput.table(throughput_results)
        )
    print(table)
    out_dir = ROOT / "var"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(f"# Benchmark {time.strftime('%Y-%m-%d %H:%M')}\n\n{table}\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure-one":
        repeat = int(sys.argv[sys.argv.index("--repeat") + 1])
        admin_repeat = int(sys.argv[sys.argv.index("--admin-repeat") + 1])
        measured = json.dumps(_measure(int(sys.argv[2]), repeat, admin_repeat))
        # Kept on disk as well: a long run that stops later still leaves this scale's numbers.
        (ROOT / "var").mkdir(exist_ok=True)
        (ROOT / "var" / f"bench-scale-{sys.argv[2]}.json").write_text(measured)
        print(measured)
        raise SystemExit(0)
    raise SystemExit(main())
