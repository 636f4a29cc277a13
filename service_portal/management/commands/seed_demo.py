"""Demo data for `make run` and volume for benchmarks.

Each app that has demo data provides ``<app>/demo.py`` with ``seed(*, scale, progress)``
(idempotent: running it twice adds nothing) and, optionally, ``logins()`` returning the demo
credentials to print, and ``bulk_load(scale)``, a context manager entered around the whole seed
when ``--scale`` adds volume. The modules run in layer order (``PORTAL_APPS``), lower apps first.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from service_portal.apps import PORTAL_APPS

DEMO_MODULES = [f"{app}.demo" for app in PORTAL_APPS if find_spec(f"{app}.demo")]


class Progress:
    """A one-line progress bar on a terminal, plain lines elsewhere."""

    def __init__(self, stdout, verbosity: int) -> None:
        self.stdout = stdout
        self.verbosity = verbosity
        self.tty = hasattr(stdout, "isatty") and stdout.isatty()

    def step(self, label: str, done: int, total: int) -> None:
        if self.verbosity < 1 or total <= 0:
            return
        if self.tty:
            width = 30
            filled = int(width * done / total)
            bar = "#" * filled + "-" * (width - filled)
            sys.stdout.write(f"\r  {label:<28} [{bar}] {done:>9,}/{total:,}")
            if done >= total:
                sys.stdout.write("\n")
            sys.stdout.flush()
        elif done >= total:
            self.stdout.write(f"  {label}: {total:,}")

    def note(self, text: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"  {text}")


class Command(BaseCommand):
    help = "Load idempotent demo data (Italian and English); --scale N multiplies the volume."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Add generated volume: N x (200 customers, 1,000 units, ...). 0 = demo only.",
        )
        parser.add_argument("--no-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, scale: int, no_logins: bool, verbosity: int, **options):
        if scale < 0:
            raise CommandError("--scale must be 0 or more.")
        progress = Progress(self.stdout, verbosity)
        started = time.monotonic()
        modules = [import_module(name) for name in DEMO_MODULES]
        # Demo documents (offers, invoices...) are "sent" to fictitious customers: keep those
        # e-mails in memory instead of printing whole PDFs on the console or mailing anyone.
        with ExitStack() as stack:
            stack.enter_context(
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
            )
            # A module may keep what it maintains by itself off while the volume is written in
            # bulk (``bulk_load(scale)``, a context manager) and recount it at the end.
            for module in modules:
                if scale and hasattr(module, "bulk_load"):
                    stack.enter_context(module.bulk_load(scale))
            for module in modules:
                module.seed(scale=scale, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s.")
        )
        if no_logins:
            return
        self.stdout.write("")
        self.stdout.write("Demo logins (username / password / role):")
        for module in modules:
            for username, password, role in getattr(module, "logins", list)():
                self.stdout.write(f"  {username:<12} {password:<22} {role}")
