#!/usr/bin/env python
"""Where a page's server time goes: SQL, template rendering, the rest (view, forms, middleware).

Requests the pages of scripts/bench.py (chosen by words in their names, as `bench.py --only`)
through the test client as bench.py does (DEBUG off, the role each page is for), and splits the
time of N requests into
- SQL: time inside the database cursor's execute (Django's execute wrapper), outside templates;
- template: the outermost template renders, less the SQL run from inside them;
- SQL in template: the queries a template triggered (lazy querysets);
- Python: the rest (middleware, the view, forms, building the rows, model instances);
and the CPU time of this process per request (what a loaded machine disturbs least).
With --profile it also prints the functions with the most own time under cProfile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sp_bench_100_copy \\
        .venv/bin/python scripts/profile_pages.py --only "call search;planner" --repeat 10

Read the shares, not the milliseconds, on a shared machine.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts import bench  # noqa: E402  (sets the production-like environment first)


class _Split:
    """Clocks for one request: SQL (split by whether a template was rendering) and templates."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sql = self.sql_in_template = self.template = 0.0
        self.queries = 0
        self._depth = 0

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.queries += 1
            if self._depth:
                self.sql_in_template += spent
            else:
                self.sql += spent

    def wrap_render(self, render):
        split = self

        def timed(template, context):
            split._depth += 1
            started = time.perf_counter()
            try:
                return render(template, context)
            finally:
                split._depth -= 1
                if not split._depth:
                    split.template += time.perf_counter() - started

        return timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", required=True, help="page names or words of them, separated by ;")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="cProfile: top functions")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per force_login otherwise
    from django.db import connection
    from django.template import base
    from django.test import Client
    from django.test.utils import override_settings

    values, users = bench._placeholders()
    words = [word.strip() for word in args.only.split(";") if word.strip()]
    pages = [
        page
        for page in bench.PAGES
        if page.name == "trivial page, signed in" or any(word in page.name for word in words)
    ]
    split = _Split()
    original_render = base.Template.render
    base.Template.render = split.wrap_render(original_render)
    print("| page | total ms | SQL | template | SQL in template | Python | queries | CPU ms |")
    print("|---|---|---|---|---|---|---|---|")
    with override_settings(ROOT_URLCONF="scripts.bench_urls", DEBUG=False):
        for page in pages:
            client = Client()
            if users[page.role] is not None:
                client.force_login(users[page.role])
            url = page.url.format(**values)
            for _ in range(2):  # warm-up: caches, connections
                assert client.get(url, secure=True).status_code == 200, url
            split.reset()
            total = 0.0
            cpu = time.process_time()
            with connection.execute_wrapper(split.execute):
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    client.get(url, secure=True)
                    total += time.perf_counter() - started
            cpu = time.process_time() - cpu
            python = total - split.sql - split.template  # the template's clock holds its SQL
            n = args.repeat
            cells = [
                f"{seconds / n * 1000:.1f} ({seconds / total:.0%})"
                for seconds in (
                    split.sql,
                    split.template - split.sql_in_template,
                    split.sql_in_template,
                    python,
                )
            ]
            print(
                f"| {page.name} | {total / n * 1000:.1f} | " + " | ".join(cells) + " | "
                f"{split.queries // n} | {cpu / n * 1000:.1f} |",
                flush=True,
            )
            if args.profile:
                profiler = cProfile.Profile(time.process_time)  # CPU: load disturbs it less
                profiler.enable()
                for _ in range(args.repeat):
                    client.get(url, secure=True)
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("tottime").print_stats(args.top)
                print(f"\n<details><summary>{page.name}: cProfile, CPU, own time</summary>\n")
                print("```\n" + out.getvalue().split("\n\n", 2)[-1].strip() + "\n```\n</details>\n")
    base.Template.render = original_render
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
