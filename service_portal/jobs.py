"""The portal's own scheduled job: purge rows that only serve for a while.

- ``RateCounter`` rows of windows long past (the rate limits also purge now and then);
- ``FormSubmission`` tokens older than ``idempotency.KEEP`` (a double submit is seconds apart);
- ``JobRun`` rows older than ``JOB_RUNS_KEEP_DAYS`` (the log of the scheduled jobs).
"""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.utils import timezone

from service_portal.idempotency import KEEP
from service_portal.models import FormSubmission, JobRun, RateCounter


def purge_old_rows() -> str:
    now = timezone.now()
    counters, _ = RateCounter.objects.filter(expires__lt=int(time.time())).delete()
    tokens, _ = FormSubmission.objects.filter(created_at__lt=now - KEEP).delete()
    keep = datetime.timedelta(days=settings.JOB_RUNS_KEEP_DAYS)
    runs, _ = JobRun.objects.filter(started_at__lt=now - keep).delete()
    return f"purged {counters} rate counter(s), {tokens} form token(s), {runs} job run(s)"
