#!/usr/bin/env python
"""Bounded load test: two gunicorn app processes on PostgreSQL, virtual users on loopback.

Starts two separate gunicorn processes (as two machines would run, sharing one database),
replays a mix of realistic sessions against them for a fixed time, then checks the data: no
errors, no lost or duplicated writes. Prints p50/p95 per action. Traffic goes to 127.0.0.1 only,
and every loop is bounded by the duration and a request cap.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sp_load python scripts/loadtest.py --duration 60

Scenarios live in SCENARIOS: each is a function(session, rng) that performs one user action and
records what it wrote, so that the final check can find it again.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PORTS = (8101, 8102)
PASSWORD = "load-test-password-2026"  # noqa: S105 - users of the throw-away load database


class Session:
    """One virtual user: cookies, CSRF token, timings; talks to one of the app processes."""

    def __init__(self, base: str, stats: Stats) -> None:
        self.base = base
        self.stats = stats
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, action: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            req.add_header("Referer", self.base + path)
            req.add_header("X-CSRFToken", self.csrf())
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=30) as resp:
                status, text, location = resp.status, resp.read().decode(), ""
        except urllib.error.HTTPError as exc:
            status, text, location = (
                exc.code,
                exc.read().decode(errors="replace"),
                exc.headers.get("Location", ""),
            )
        self.stats.record(action, (time.perf_counter() - started) * 1000, status)
        return status, text, location

    def csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def login(self, username: str) -> None:
        self.request("login page", "/accounts/login/")
        status, _, _ = self.request(
            "login", "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"login of {username} failed with {status}")

    def form_token(self, path: str) -> str:
        _, text, _ = self.request("open form", path)
        match = re.search(r'name="submission_token" value="([0-9a-f-]+)"', text)
        return match.group(1) if match else ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.written: dict[str, list[str]] = defaultdict(list)

    def record(self, action: str, ms: float, status: int) -> None:
        with self.lock:
            self.timings[action].append(ms)
            if status >= 500 or status in (403, 404):
                self.errors.append(f"{action}: HTTP {status}")

    def wrote(self, kind: str, key: str) -> None:
        with self.lock:
            self.written[kind].append(key)


# --- Scenarios ----------------------------------------------------------------------------------
def operator_searches_units(session: Session, rng: random.Random) -> None:
    session.request("unit search", f"/customers/units/?q=GEN-{rng.randint(0, 999):08d}"[:40])


def operator_browses_customers(session: Session, rng: random.Random) -> None:
    session.request("customer search", f"/customers/?q=demo+{rng.randint(0, 199):06d}")
    session.request("customer list", "/customers/")


def operator_creates_customer(session: Session, rng: random.Random) -> None:
    token = session.form_token("/customers/new/")
    name = f"Load {rng.getrandbits(48):012x} S.r.l."
    data = {"name": name, "country": "IT", "language": "it", "submission_token": token}
    status, _, _ = session.request("create customer", "/customers/new/", data)
    if status == 302:
        session.stats.wrote("customer", name)
        # A double click: the same form again must not create a second customer.
        session.request("create customer (double submit)", "/customers/new/", data)


def technician_looks_up_a_unit(session: Session, rng: random.Random) -> None:
    session.request("unit list", "/customers/units/")


SCENARIOS = {
    "operator": [
        (operator_searches_units, 4),
        (operator_browses_customers, 3),
        (operator_creates_customer, 2),
    ],
    "technician": [(technician_looks_up_a_unit, 1)],
}


def _prepare(database_url: str) -> dict[str, str]:
    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--scale", "1", "--no-logins", "-v0"], cwd=ROOT, env=env, check=True
    )
    script = (
        "from accounts.models import User\n"
        "for u in User.objects.filter(username__in=['operator', 'tech1', 'admin']):\n"
        f"    u.set_password({PASSWORD!r}); u.save()\n"
    )
    subprocess.run([*manage, "shell", "-v0", "-c", script], cwd=ROOT, env=env, check=True)
    return env


def _start_servers(env: dict[str, str], workers: int) -> list[subprocess.Popen]:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    servers = [
        subprocess.Popen(
            [
                gunicorn,
                "service_portal.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for port in PORTS
    ]
    deadline = time.monotonic() + 60
    for port in PORTS:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the app process on port {port} did not start") from None
                time.sleep(0.3)
    return servers


def _user_loop(index: int, role: str, duration: float, max_requests: int, stats: Stats) -> None:
    rng = random.Random(index)
    session = Session(f"http://127.0.0.1:{PORTS[index % len(PORTS)]}", stats)
    try:
        session.login({"operator": "operator", "technician": "tech1"}[role])
        scenarios, weights = zip(*SCENARIOS[role], strict=True)
        end = time.monotonic() + duration
        done = 0
        while time.monotonic() < end and done < max_requests:
            rng.choices(scenarios, weights)[0](session, rng)
            done += 1
    except Exception as exc:  # noqa: BLE001 - a crashed virtual user is a failed test
        with stats.lock:
            stats.errors.append(f"virtual user {index} stopped: {exc!r}")


def _check_data(env: dict[str, str], stats: Stats) -> list[str]:
    names = stats.written["customer"]
    script = (
        "import json, sys\n"
        "from customers.models import Customer\n"
        "names = json.load(sys.stdin)\n"
        "from collections import Counter\n"
        "c = Counter(Customer.objects.filter(name__in=names).values_list('name', flat=True))\n"
        "print(json.dumps({'missing': [n for n in names if c[n] == 0],"
        " 'duplicated': [n for n, k in c.items() if k > 1]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", script],
        cwd=ROOT,
        env=env,
        input=json.dumps(names),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    problems = [f"customer lost: {n}" for n in result["missing"]]
    problems += [f"customer duplicated: {n}" for n in result["duplicated"]]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--operators", type=int, default=6)
    parser.add_argument("--technicians", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process")
    parser.add_argument("--max-requests", type=int, default=5000, help="cap per virtual user")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sp_load")
    if not database_url.startswith("postgres"):
        print("The load test needs PostgreSQL (DATABASE_URL=postgres://...).")
        return 2
    env = _prepare(database_url)
    servers = _start_servers(env, args.workers)
    stats = Stats()
    try:
        roles = ["operator"] * args.operators + ["technician"] * args.technicians
        threads = [
            threading.Thread(
                target=_user_loop, args=(i, role, args.duration, args.max_requests, stats)
            )
            for i, role in enumerate(roles)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    total = sum(len(t) for t in stats.timings.values())
    print(
        f"{total} requests in {elapsed:.0f}s ({total / elapsed:.0f}/s), "
        f"{len(roles)} virtual users, 2 app processes x {args.workers} workers"
    )
    print(f"{'action':<34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for action, timings in sorted(stats.timings.items()):
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{action:<34} {len(timings):>6} {statistics.median(timings):>8.1f} {p95:>8.1f}")
    problems = stats.errors + _check_data(env, stats)
    print(f"customers created: {len(stats.written['customer'])}")
    if problems:
        print("PROBLEMS:")
        for problem in problems[:50]:
            print(f"  {problem}")
        return 1
    print("no errors; every write found exactly once")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
