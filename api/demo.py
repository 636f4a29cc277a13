"""Demo data for the API and the imports: ERP codes on the demo installed base.

The ERP would send its own codes; the demo gives every customer, site, contact and unit without
one a code derived from its id (C000001, S000001, P000001, U000001), so the API's by-code routes
and an export -> import round trip work on the demo data. One UPDATE per model: idempotent and
fast at any --scale.
"""

from __future__ import annotations

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad

from customers.models import Contact, Customer, Site, Unit

PREFIXES = ((Customer, "C"), (Site, "S"), (Contact, "P"), (Unit, "U"))


def seed(*, scale: int, progress) -> None:
    for model, prefix in PREFIXES:
        code = Concat(Value(prefix), LPad(Cast("id", CharField()), 6, Value("0")))
        done = model.objects.filter(external_code="").update(external_code=code)
        progress.step(f"ERP codes ({model._meta.model_name})", done, done)
