"""Hostile input shared by the hostile-input tests of every app (tests/*/test_hostile_input.py).

``NASTY`` is a hypothesis strategy of strings an attacker or a careless paste would send;
``NASTY_VALUES`` the same as a plain list for parametrised tests; ``HYPOTHESIS`` the settings that
keep those tests bounded in CI (few examples, no deadline). ``row_counts`` snapshots the tables a
form touches, to assert that a refused form saved nothing.
"""

from __future__ import annotations

from django.db import models
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
MARKUP = f"{IMG}{SCRIPT}<b>bold</b>"

NASTY_VALUES = [
    SCRIPT,
    IMG,
    "' OR 1=1 --",
    "\u202etxt.exe",
    "Ünïcödé 名前 🚀",
    "x" * 5000,
    "-1",
    "-99999999999999999999",
    "9" * 30,
    "1e309",
    "NaN",
    "Infinity",
    "2026-02-30",
    "0000-00-00",
    "25:99",
    "\x00",
    "%00",
    "../../etc/passwd",
    "",
    " ",
]

NASTY = st.one_of(st.text(max_size=300), st.sampled_from(NASTY_VALUES))

HYPOTHESIS = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def row_counts(*model_classes: type[models.Model]) -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in model_classes}
