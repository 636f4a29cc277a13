"""The portal's settings with the benchmark's reference pages (scripts/bench_urls.py): what the
gunicorn server of `make bench`'s throughput table runs."""

from service_portal.settings import *  # noqa: F403

ROOT_URLCONF = "scripts.bench_urls"
