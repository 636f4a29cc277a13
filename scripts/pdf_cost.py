#!/usr/bin/env python
"""What a PDF costs WeasyPrint, measured so that a loaded machine does not blur it (issue 25).

Renders, in this process, the documents `scripts/bench.py` requests (the first offer with lines,
the first issued invoice and the report of the first intervention with two report photos,
through the portal's own `render_pdf`), the bare
WeasyPrint page of the same rows the benchmark compares them with, and variants of each document
(without the logo, without the letterhead, without the stylesheets...) built from the document's
own HTML, then reports per variant either

- the CPU time of one render (`--mode cpu`, the default: `time.process_time`, the variants
  interleaved round after round, the median of the rounds), or
- the instructions executed for one render (`--mode callgrind`: the script re-runs itself under
  `valgrind --tool=callgrind` with instrumentation off until the first render, counts each
  variant's renders between two dumps and divides; a count that the other processes on the
  machine do not change, unlike time).

    DATABASE_URL=postgres://... MEDIA_ROOT=... python scripts/pdf_cost.py --mode callgrind

The callgrind mode needs valgrind and a C compiler (`valgrind/callgrind.h`, for the client
requests that start, zero and dump the counters around each variant). The report's variants
with phone-sized photos write two temporary pictures under MEDIA_ROOT (removed at exit); the
report's first render gives its photos print copies if they have none yet (a file each and the
photo's ``print_file``, as the portal would); nothing else is written.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service_portal.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

_CALLGRIND_C = r"""
#include <valgrind/callgrind.h>
void sp_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void sp_zero(void) { CALLGRIND_ZERO_STATS; }
void sp_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""


class Counters:
    """Callgrind's client requests (no-ops when not under valgrind)."""

    def __init__(self, enabled: bool) -> None:
        self.lib = None
        if enabled:
            build = Path(tempfile.mkdtemp(prefix="pdf_cost_"))
            (build / "cg.c").write_text(_CALLGRIND_C)
            subprocess.run(
                ["cc", "-shared", "-fPIC", "-O1", "-o", str(build / "cg.so"), str(build / "cg.c")],
                check=True,
            )
            self.lib = ctypes.CDLL(str(build / "cg.so"))
            self.lib.sp_dump.argtypes = [ctypes.c_char_p]

    def start(self) -> None:
        if self.lib:
            self.lib.sp_start()

    def zero(self) -> None:
        if self.lib:
            self.lib.sp_zero()

    def dump(self, name: str) -> None:
        if self.lib:
            self.lib.sp_dump(name.encode())


def _variants() -> dict[str, Callable[[], bytes]]:
    import django

    django.setup()
    from django.utils import translation
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from invoicing import selectors as invoice_selectors
    from invoicing.documents import invoice_context
    from invoicing.documents import invoice_pdf as portal_invoice_pdf
    from invoicing.models import Invoice, InvoiceState
    from orders.documents import offer_context
    from orders.documents import offer_pdf as portal_offer_pdf
    from orders.models import Offer
    from orders.selectors import get_offer_document_for
    from scripts.bench_urls import BARE_PDF
    from service_portal import pdf
    from service_portal.company import branding

    offer_pk = Offer.objects.order_by("pk").filter(lines__isnull=False).distinct().first().pk
    invoice_pk = Invoice.objects.filter(state=InvoiceState.ISSUED).order_by("pk").first().pk
    from accounts.models import User

    operator = User.objects.get(username="operator")
    offer = get_offer_document_for(operator, offer_pk)
    invoice = invoice_selectors.invoice_document(invoice_pk)
    offer_rows = offer.lines.count()
    invoice_rows = invoice.lines.count()

    def html_of(template: str, context: dict, language: str) -> str:
        from django.template.loader import render_to_string

        with translation.override(language):
            if hasattr(pdf, "document_html"):
                return pdf.document_html(template, context, language=language)
            return render_to_string(  # the code before the letterhead's logo was sized
                template, {"company": branding(), **context, "LANGUAGE_CODE": language}
            )

    invoice_language = invoice.language or invoice.customer.language or "it"
    invoice_html = html_of("invoicing/invoice_pdf.html", invoice_context(invoice), invoice_language)
    offer_html = html_of("orders/pdf/offer.html", offer_context(offer), offer.language)
    invoice_sheets = [pdf.COMPANY_STYLESHEET, "pdf/lines.css", "invoicing/invoice_pdf.css"]
    offer_sheets = [pdf.COMPANY_STYLESHEET, "orders/pdf/offer.css"]

    def write(html: str, sheets: list[str], *, kept: bool = True) -> bytes:
        document = HTML(string=html, base_url="file:///", url_fetcher=pdf.PortalURLFetcher())
        if not kept:
            return document.write_pdf(
                stylesheets=[CSS(filename=pdf.finders.find(name)) for name in sheets] or None
            )
        return document.write_pdf(
            stylesheets=[pdf._stylesheet(name) for name in sheets] or None,
            font_config=pdf._font_config(),
            cache=dict(pdf._image_cache()),  # the logo kept, this document's images not
        )

    no_logo = re.compile(r'<img class="company-logo"[^>]*>')
    no_header = re.compile(r'<div class="company-header"[^>]*>.*?\n</div>\n', re.S)
    no_page_footer = re.compile(r"@bottom-[a-z]+ \{[^}]*\}")
    assert no_logo.search(invoice_html) and no_header.search(invoice_html), "no letterhead?"

    def bare(rows: int, *, kept: bool = False) -> Callable[[], bytes]:
        html = BARE_PDF.render({"rows": range(rows)})
        if kept:
            return lambda: HTML(string=html).write_pdf(font_config=pdf._font_config())
        return lambda: HTML(string=html).write_pdf()  # exactly what the benchmark's page does

    def letterhead(rows: int) -> Callable[[], bytes]:
        from django.test import RequestFactory

        from scripts.bench_urls import bare_pdf

        request = RequestFactory().get(f"/bench/bare.pdf?rows={rows}&letterhead=1")
        return lambda: bare_pdf(request).content  # as the benchmark's reference page

    def bare_with_photos(rows: int, photos: str) -> Callable[[], bytes]:
        from django.test import RequestFactory

        from scripts.bench_urls import bare_pdf

        request = RequestFactory().get(f"/bench/bare.pdf?rows={rows}&letterhead=1&photos={photos}")
        return lambda: bare_pdf(request).content

    # Issue 21: the intervention report with its two photos, as the benchmark prints it.
    from calls.documents import report_context, report_pdf
    from calls.models import Intervention
    from scripts.bench_urls import report_rows

    report = _photo_report()
    report_language = report.call.customer.language
    report_html = html_of("calls/report_pdf.html", report_context(report), report_language)
    report_sheets = [pdf.COMPANY_STYLESHEET, "calls/report_pdf.css"]
    rows_of_report = report_rows(report)
    no_photos = re.compile(r'<h2>[^<]*</h2>\n<div class="photos">.*?\n</div>\n', re.S)
    no_signature = re.compile(r'<div class="signature">.*?</div>', re.S)
    assert no_photos.search(report_html) and no_signature.search(report_html), "no photos?"

    phone = _phone_photos()
    photo_src = re.compile(r'(<figure class="photo"><img src=")[^"]*(")')

    def with_photos(html: str, sources: list[str]) -> str:
        remaining = iter(sources)
        return photo_src.sub(lambda m: m.group(1) + next(remaining) + m.group(2), html)

    def fresh_report() -> bytes:
        return report_pdf(Intervention.objects.select_related("call__customer").get(pk=report.pk))

    def empty_fc() -> bytes:
        return HTML(string="<p>x</p>").write_pdf(font_config=FontConfiguration())

    return {
        f"bare page, offer's {offer_rows} rows (bench reference)": bare(offer_rows),
        f"bare page, invoice's {invoice_rows} rows": bare(invoice_rows),
        f"bare page, offer's {offer_rows} rows, kept font config": bare(offer_rows, kept=True),
        f"bare page with the letterhead, offer's {offer_rows} rows": letterhead(offer_rows),
        f"bare page with the letterhead, invoice's {invoice_rows} rows": letterhead(invoice_rows),
        "one-word page, new font config": empty_fc,
        f"bare page with the letterhead, report's {rows_of_report} rows": letterhead(
            rows_of_report
        ),
        f"bare page with the letterhead and the report's photos, {rows_of_report} rows": (
            bare_with_photos(rows_of_report, str(report.pk))
        ),
        "report, as the portal renders it": fresh_report,
        "report without the photos": lambda: write(no_photos.sub("", report_html), report_sheets),
        "report without the signature": lambda: write(
            no_signature.sub("", report_html), report_sheets
        ),
        "report without the letterhead": lambda: write(
            no_header.sub("", report_html), report_sheets
        ),
        # The demo's photos are small (800 x 600, 8 kB); a phone's are stored at 2048 pixels.
        "report with two phone photos (2048 px) as data: addresses": lambda: write(
            with_photos(report_html, phone["data"]), report_sheets
        ),
        "report with two phone photos (2048 px) by file": lambda: write(
            with_photos(report_html, phone["file"]), report_sheets
        ),
        "report with the phone photos' print copies (1004 px) by file": lambda: write(
            with_photos(report_html, phone["print"]), report_sheets
        ),
        "invoice, as the portal renders it": lambda: portal_invoice_pdf(
            invoice_selectors.invoice_document(invoice_pk)
        ),
        "invoice HTML + sheets (render only)": lambda: write(invoice_html, invoice_sheets),
        "invoice, nothing kept between renders": lambda: write(
            invoice_html, invoice_sheets, kept=False
        ),
        "invoice without the logo": lambda: write(no_logo.sub("", invoice_html), invoice_sheets),
        "invoice without the letterhead": lambda: write(
            no_header.sub("", invoice_html), invoice_sheets
        ),
        "invoice without the page footer": lambda: write(
            no_page_footer.sub("", invoice_html), invoice_sheets
        ),
        "invoice without stylesheets": lambda: write(invoice_html, []),
        "invoice with lines.css only": lambda: write(invoice_html, ["pdf/lines.css"]),
        "offer, as the portal renders it": lambda: portal_offer_pdf(
            get_offer_document_for(operator, offer_pk)
        ),
        "offer HTML + sheets (render only)": lambda: write(offer_html, offer_sheets),
        "offer without the logo": lambda: write(no_logo.sub("", offer_html), offer_sheets),
        "offer without the letterhead": lambda: write(no_header.sub("", offer_html), offer_sheets),
        "offer without the page footer": lambda: write(
            no_page_footer.sub("", offer_html), offer_sheets
        ),
        "offer without stylesheets": lambda: write(offer_html, []),
    }


def _phone_photos() -> dict[str, list[str]]:
    """Two photos as a phone's are stored (2048 x 1536, JPEG quality 85, a textured picture of
    about the size of a real one) and their print copies, written under MEDIA_ROOT (where the
    documents' fetcher reads) in a folder removed at exit; as data: addresses and by file."""
    import atexit
    import base64
    import io
    import shutil

    from django.conf import settings
    from PIL import Image, ImageFilter

    from calls.photos import REPORT_PHOTO_PRINT_SIDE

    folder = Path(tempfile.mkdtemp(prefix="pdf_cost_", dir=settings.MEDIA_ROOT))
    atexit.register(shutil.rmtree, folder, True)
    found: dict[str, list[str]] = {"data": [], "file": [], "print": []}
    for n, colour in enumerate(((150, 60, 40), (40, 120, 70))):
        noise = Image.effect_noise((2048, 1536), 60).convert("RGB")
        image = Image.blend(Image.new("RGB", noise.size, colour), noise, 0.35)
        image = image.filter(ImageFilter.GaussianBlur(1))
        for kind, side in (("file", 2048), ("print", REPORT_PHOTO_PRINT_SIDE)):
            copy = image.copy()
            copy.thumbnail((side, side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            copy.save(out, "JPEG", quality=85, optimize=True)
            (folder / f"{kind}-{n}.jpg").write_bytes(out.getvalue())
            found[kind].append(
                settings.MEDIA_URL
                + str((folder / f"{kind}-{n}.jpg").relative_to(settings.MEDIA_ROOT))
            )
            if kind == "file":
                found["data"].append(
                    "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
                )
    return found


def _photo_report():
    """The intervention whose report the benchmark prints (its first with two report photos)."""
    from django.db.models import Count

    from calls.models import Intervention

    return (
        Intervention.objects.filter(attachments__report_tag__in=["before", "after"])
        .annotate(photos=Count("attachments"))
        .filter(photos__gte=2)
        .select_related("call__customer")
        .order_by("pk")
        .first()
    )


def _select(variants: dict, only: str) -> dict:
    if not only:
        return variants
    words = [word.strip().lower() for word in only.split("|") if word.strip()]
    return {
        name: run
        for name, run in variants.items()
        if "bench reference" in name or any(word in name.lower() for word in words)
    }


def measure_cpu(variants: dict, rounds: int, repeat: int) -> dict[str, float]:
    for run in variants.values():  # warm: stylesheets, fonts, images, templates
        run()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            start = time.process_time()
            for _ in range(repeat):
                run()
            samples[name].append((time.process_time() - start) / repeat * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def measure_callgrind(variants: dict, repeat: int) -> None:
    counters = Counters(enabled=True)
    for run in variants.values():
        run()  # warm, uninstrumented
    counters.start()
    for name, run in variants.items():
        run()  # the first instrumented run fills valgrind's translation caches
        counters.zero()
        for _ in range(repeat):
            run()
        counters.dump(name)


def _callgrind_parent(args: argparse.Namespace) -> dict[str, float]:
    out = Path(tempfile.mkdtemp(prefix="pdf_cost_cg_"))
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}/cg.out",
        f"--log-file={out}/valgrind.log",
        sys.executable,
        __file__,
        "--child",
        "--repeat",
        str(args.repeat),
        "--only",
        args.only,
    ]
    subprocess.run(command, check=True)
    results = {}
    dumps = sorted(out.glob("cg.out.*"), key=lambda path: int(path.suffix.lstrip(".") or 0))
    for dump in dumps:
        text = dump.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (.*)$", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if trigger and total:
            results[trigger.group(1).strip()] = int(total.group(1)) / args.repeat / 1e6
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["cpu", "callgrind"], default="cpu")
    parser.add_argument("--rounds", type=int, default=7, help="cpu mode: interleaved rounds")
    parser.add_argument("--repeat", type=int, default=3, help="renders per variant and round")
    parser.add_argument(
        "--only", default="", help="variants whose name holds one of these |-separated words"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure_callgrind(_select(_variants(), args.only), args.repeat)
        return
    if args.mode == "callgrind":
        figures, unit = _callgrind_parent(args), "M instructions"
    else:
        figures, unit = (
            measure_cpu(_select(_variants(), args.only), args.rounds, args.repeat),
            "CPU ms",
        )
    reference = next((v for k, v in figures.items() if "bench reference" in k), None)
    print(f"| variant | {unit} / render | × bare page (bench reference) |")
    print("|---|---|---|")
    for name, value in figures.items():
        ratio = f"{value / reference:.2f}" if reference else "–"
        print(f"| {name} | {value:.1f} | {ratio} |")


if __name__ == "__main__":
    main()
