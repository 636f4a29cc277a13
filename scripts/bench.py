#!/usr/bin/env python
"""Server time of the main pages at two data sizes (`make bench`; not part of `make test`).

For each scale it rebuilds a PostgreSQL database, loads `seed_demo --scale N`, then requests each
page in this process through Django's full middleware stack (test client, logged in as the
operator) and reports p50/p95 server time, the ratio to a trivial page (a template of 25 rows,
no database) and to the Django admin changelist with the same filters, and the SQL query count.
The table is printed and written to var/bench-<timestamp>.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sp_bench python scripts/bench.py --scales 1,100
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


@dataclass(frozen=True)
class Page:
    name: str
    url: str  # may contain {placeholders} filled from the data (see _placeholders)
    admin_url: str = ""  # the Django admin changelist with the same filters, if any
    anonymous: bool = False


# Pages grow with the features: add a row when a page lands.
PAGES = [
    Page("trivial page (25 rows, no DB)", "/bench/trivial/", anonymous=True),
    Page("customer list", "/customers/", "/admin/customers/customer/"),
    Page(
        "customer search",
        "/customers/?q={customer_word}",
        "/admin/customers/customer/?q={customer_word}",
    ),
    Page("customer page", "/customers/{customer_pk}/"),
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
]


def _run(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def _rebuild_database(scale: int) -> None:
    url = urlsplit(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True)
    _run("migrate", "-v0")
    started = time.monotonic()
    _run("seed_demo", "--scale", str(scale), "--no-logins", "-v0")
    print(f"  seeded scale {scale} in {time.monotonic() - started:.0f}s")


def _measure(scale: int, repeat: int) -> dict[str, dict[str, float]]:
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from accounts.models import User
    from customers.models import Customer, Unit

    unit = Unit.objects.order_by("pk")[Unit.objects.count() // 2]
    values = {
        "customer_pk": Customer.objects.order_by("pk")[Customer.objects.count() // 2].pk,
        "customer_word": "industria",
        "unit_pk": unit.pk,
        "serial": unit.serial_number[-5:],
    }
    operator = User.objects.get(username="operator")
    admin = User.objects.get(username="admin")
    results: dict[str, dict[str, float]] = {}
    with override_settings(ROOT_URLCONF="scripts.bench_urls", DEBUG=False):
        for page in PAGES:
            for label, url, user in (
                (page.name, page.url, None if page.anonymous else operator),
                (f"{page.name} [admin]", page.admin_url, admin),
            ):
                if not url:
                    continue
                client = Client()
                if user is not None:
                    client.force_login(user)
                url = url.format(**values)
                assert client.get(url).status_code == 200, url  # warm-up, and a sanity check
                with CaptureQueriesContext(connection) as ctx:
                    client.get(url)
                queries = len(ctx.captured_queries)
                timings = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    client.get(url)
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
    scales = sorted(all_results)
    lines = [
        "| page | "
        + " | ".join(f"scale {s}: p50 ms | p95 ms | ×trivial | ×admin | queries" for s in scales)
        + " | growth p50 |",
        "|---" * (2 + 5 * len(scales)) + "|",
    ]
    for page in PAGES:
        cells = [page.name]
        for s in scales:
            r = all_results[s]
            me = r[page.name]
            trivial = r[PAGES[0].name]["p50"]
            admin = r.get(f"{page.name} [admin]")
            cells += [
                f"{me['p50']:.1f}",
                f"{me['p95']:.1f}",
                f"{me['p50'] / trivial:.1f}",
                f"{me['p50'] / admin['p50']:.2f}" if admin else "–",
                f"{me['queries']:.0f}",
            ]
        growth = (
            all_results[scales[-1]][page.name]["p50"] / all_results[scales[0]][page.name]["p50"]
        )
        cells.append(f"{growth:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,100", help="comma-separated seed_demo scales")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page")
    parser.add_argument("--reuse", action="store_true", help="measure the current database")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    results = {}
    for scale in scales:
        print(f"scale {scale}")
        if not args.reuse:
            _rebuild_database(scale)
        # A fresh process per scale: no cache or connection state carried over.
        out = subprocess.run(
            [sys.executable, __file__, "--measure-one", str(scale), "--repeat", str(args.repeat)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[scale] = json.loads(out.strip().splitlines()[-1])
    table = _table(results)
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
        print(json.dumps(_measure(int(sys.argv[2]), repeat)))
        raise SystemExit(0)
    raise SystemExit(main())
