# Not part of the test suite: run with DATABASE_URL=postgres://.../sp_stock (see docs/stock.md).
"""Seed 200,000 parts, 50 technicians and the demo stock on sp_stock, time the stock seeding
and the stock pages (median of 5 requests, server side, with the query count)."""

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service_portal.settings")
sys.path.insert(0, os.getcwd())
import logging

import django

logging.disable(logging.INFO)
django.setup()
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts import demo as accounts_demo  # noqa: E402
from accounts.models import User  # noqa: E402
from orders import demo as orders_demo  # noqa: E402
from orders.models import SparePart  # noqa: E402
from stock import demo as stock_demo  # noqa: E402
from stock.models import StockLevel, StockMove, Warehouse  # noqa: E402


class P:
    def step(self, *a):
        pass


if not SparePart.objects.filter(code="GEN-199999").exists():
    t = time.monotonic()
    accounts_demo.seed(scale=1, progress=P())
    orders_demo._catalogue(scale=100, progress=P())
    print(f"parts: {SparePart.objects.count()}  ({time.monotonic() - t:.1f}s)")
    t = time.monotonic()
    stock_demo.seed(scale=100, progress=P())
    print(
        f"stock seed: {time.monotonic() - t:.1f}s; warehouses {Warehouse.objects.count()}, "
        f"vans {Warehouse.objects.filter(kind='van').count()}, "
        f"levels {StockLevel.objects.count()}, moves {StockMove.objects.count()}"
    )
central = Warehouse.objects.get(kind="central")
van = Warehouse.objects.filter(kind="van").first()
op = User.objects.get(username="operator")
tech = van.technician
pages = [
    ("warehouse list", "/stock/", op),
    ("central stock", f"/stock/{central.pk}/", op),
    ("central stock, search", f"/stock/{central.pk}/?q=filtro", op),
    ("central stock, below minimum", f"/stock/{central.pk}/?below_minimum=on", op),
    ("central stock, page 40", f"/stock/{central.pk}/?page=40", op),
    ("van stock (technician)", f"/stock/{van.pk}/", tech),
    ("van restock", f"/stock/{van.pk}/restock/", op),
    ("stock moves", "/stock/moves/", op),
    ("stock moves of a van", f"/stock/moves/?warehouse={van.pk}", op),
    ("spare parts, search + availability", "/orders/parts/?q=filtro", op),
    ("spare parts, generic search + availability", "/orders/parts/?q=generico", op),
]
for name, url, user in pages:
    c = Client(HTTP_HOST="localhost")
    c.force_login(user)
    times = []
    for _ in range(6):
        with CaptureQueriesContext(connection) as q:
            t = time.monotonic()
            r = c.get(url, secure=True)
            times.append((time.monotonic() - t) * 1000)
    print(f"{name:45s} {r.status_code} {statistics.median(times[1:]):7.1f} ms  {len(q)} queries")
