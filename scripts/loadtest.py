#!/usr/bin/env python
"""Bounded load test: two gunicorn app processes on PostgreSQL, virtual users on loopback.

Starts two separate gunicorn processes (as two machines would run, sharing one database),
replays a mix of realistic sessions against them for a fixed time, then checks the data: no
errors, no lost or duplicated writes. Prints p50/p95 per action. Traffic goes to 127.0.0.1 only,
and every loop is bounded by the duration and a request cap.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sp_load python scripts/loadtest.py --duration 60

Scenarios live in SCENARIOS: each is a function(session, rng, plan) that performs one user
action and records what it wrote, so that the final check can find it again. The mix:
operators search calls with the SPEC filters and take new calls (through the real form, with
its idempotency token, and a double submit); technicians record hours on their interventions
and on past days; administrators verify done interventions and invoice verified calls (draft,
then issue). The data side (what to work on, and the final check) is
scripts/loadtest_data.py, run inside Django.

    --duration 180                          the full run (about 3 minutes of load)
    --duration 10 --operators 3 ...         the short form run in CI (tests/perf/test_load.py)
"""

from __future__ import annotations

import argparse
import datetime
import http.cookiejar
import json
import math
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
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
PORTS = (8101, 8102)
PASSWORD = "load-test-password-2026"  # noqa: S105 - users of the throw-away load database
HOURS_TAG = "load-test "  # the same prefix as in scripts/loadtest_data.py
TECHNICIANS = ("tech1", "tech2")


class Session:
    """One virtual user: cookies, CSRF token, timings; talks to one of the app processes."""

    def __init__(self, base: str, stats: Stats, username: str, queue: dict) -> None:
        self.base = base
        self.stats = stats
        self.username = username
        self.queue = queue  # work reserved for this user (administrators: what to verify/invoice)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, action: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
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

    def login(self) -> None:
        self.request("login page", "/accounts/login/")
        status, _, _ = self.request(
            "login", "/accounts/login/", {"username": self.username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"login of {self.username} failed with {status}")

    def form_token(self, action: str, path: str) -> str:
        _, text, _ = self.request(action, path)
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
        self.written: dict[str, list] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def record(self, action: str, ms: float, status: int) -> None:
        with self.lock:
            self.timings[action].append(ms)
            if status >= 500 or status in (403, 404):
                self.errors.append(f"{action}: HTTP {status}")

    def wrote(self, kind: str, key: object) -> None:
        with self.lock:
            self.written[kind].append(key)

    def fail(self, problem: str) -> None:
        with self.lock:
            self.errors.append(problem)

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1


# --- Scenarios ----------------------------------------------------------------------------------
# Each scenario is one user action: the pages a person opens for it, then the form they post.
# ``plan`` is what scripts/loadtest_data.py:plan() found in the seeded database.
def _now() -> datetime.datetime:
    """The portal's local time (its TIME_ZONE), so that nothing is in its future."""
    return datetime.datetime.now(ZoneInfo(os.environ.get("TIME_ZONE", "Europe/Rome")))


def _today() -> datetime.date:
    return _now().date()


def operator_searches_calls(session: Session, rng: random.Random, plan: dict) -> None:
    """The call search with a random combination of the SPEC filters (sometimes page 2)."""
    filters: dict[str, str] = {}
    choices = {
        "date_from": lambda: (_today() - datetime.timedelta(days=rng.randint(7, 700))).isoformat(),
        "date_to": lambda: _today().isoformat(),
        "call_code": lambda: rng.choice(plan["call_codes"])[:9],
        "intervention_code": lambda: rng.choice(plan["call_codes"]) + "/1",
        "status": lambda: rng.choice(plan["states"]),
        "intervention_type": lambda: str(rng.choice(plan["types"])),
        "customer": lambda: rng.choice(plan["customers"]).split()[0][:8],
        "technician": lambda: str(rng.choice(plan["technicians"])),
        "serial_number": lambda: rng.choice(plan["units"])[3][:6],
    }
    for key in rng.sample(sorted(choices), rng.randint(1, 3)):
        filters[key] = choices[key]()
    query = urllib.parse.urlencode(filters)
    _, text, _ = session.request("call search", "/calls/?" + query)
    if "page=2" in text and rng.random() < 0.3:  # the next page, when there is one
        session.request("call search, page 2", f"/calls/?{query}&page=2")


def operator_creates_call(session: Session, rng: random.Random, plan: dict) -> None:
    """New call for a unit (the unit's link pre-fills customer and site), then a double submit."""
    unit_pk, customer_pk, site_pk, _serial = rng.choice(plan["units"])
    token = session.form_token("new call form", f"/calls/new/?unit={unit_pk}")
    data = {
        "customer": customer_pk,
        "site": site_pk,
        "unit": unit_pk,
        "contact": "",
        "no_contact_reason": "Load test: the caller gave no name",
        "channel": rng.choice(["phone", "phone", "email"]),
        "priority": rng.choice(["normal", "normal", "high", "urgent"]),
        "received_at": (_now() - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        "description": f"Load test: machine {rng.getrandbits(32):08x} stops with an alarm",
        "submission_token": token,
    }
    status, _, location = session.request("create call", "/calls/new/", data)
    match = re.match(r".*/calls/(\d+)/interventions/1/$", location)
    if status != 302 or not match:
        session.stats.fail(f"create call answered {status} {location!r}")
        return
    session.stats.wrote("calls", int(match.group(1)))
    session.request("call page", location)
    # A double click: the same form again must lead to the same call, not a second one.
    status, _, again = session.request("create call (double submit)", "/calls/new/", data)
    if again != location:
        session.stats.fail(f"double submit of call {match.group(1)} led to {status} {again!r}")


def operator_browses(session: Session, rng: random.Random, plan: dict) -> None:
    serial = rng.choice(plan["units"])[3][:6]
    session.request("unit search", "/customers/units/?" + urllib.parse.urlencode({"q": serial}))
    name = rng.choice(plan["customers"])[:6]
    session.request("customer search", "/customers/?" + urllib.parse.urlencode({"q": name}))


def technician_records_hours_on_intervention(
    session: Session, rng: random.Random, plan: dict
) -> None:
    """Section 4 of the management page, on one of the technician's own interventions."""
    pk = rng.choice(plan["hours"][session.username])
    path = f"/planner/interventions/{pk}/hours/"
    token = session.form_token("intervention hours page", path)  # create once: the form's token
    data = {"kind": rng.choice(KINDS[:2]), "submission_token": token}
    _post_hours(session, rng, "hours on intervention", path, data)


def technician_records_hours_on_day(session: Session, rng: random.Random, plan: dict) -> None:
    """The hours page of one past day: office or training hours with a description."""
    day = _today() - datetime.timedelta(days=rng.randint(1, 90))
    path = f"/planner/hours/{day.isoformat()}/"
    token = session.form_token("hours day page", path)
    data = {"kind": rng.choice(KINDS), "submission_token": token}
    _post_hours(session, rng, "hours on a day", path, data, day)


KINDS = ("labour", "travel", "office", "training")


def _post_hours(
    session: Session,
    rng: random.Random,
    action: str,
    path: str,
    data: dict,
    day: datetime.date | None = None,
) -> None:
    day = day or _today() - datetime.timedelta(days=rng.randint(1, 90))
    hours = f"{rng.randint(1, 8) * 0.25:.2f}"
    tag = f"{HOURS_TAG}{rng.getrandbits(64):016x}"
    data = {**data, "date": day.isoformat(), "hours": hours, "description": tag}
    status, _, _ = session.request(action, path, data)
    if status == 302:
        session.stats.wrote("hours", (tag, hours))
    else:  # refused with a message (e.g. more than 24 hours that day): nothing may be stored
        session.stats.count("hours refused")


def technician_looks_at_own_work(session: Session, rng: random.Random, plan: dict) -> None:
    session.request("my interventions", "/calls/mine/")
    session.request("my hours", "/planner/hours/")


def administrator_verifies(session: Session, rng: random.Random, plan: dict) -> None:
    """Final verification: the queue, one done intervention, verify."""
    if not session.queue["verify"]:
        return administrator_browses(session, rng, plan)
    pk = session.queue["verify"].pop()
    session.request("verification list", "/invoicing/verification/")
    session.request("verification detail", f"/invoicing/verification/{pk}/")
    status, _, location = session.request("verify", f"/invoicing/verification/{pk}/verify/", {})
    if status == 302 and location.endswith("/invoicing/verification/"):
        session.stats.wrote("verified", pk)
    else:
        session.stats.fail(f"verify {pk} answered {status} {location!r}")
    return None


def administrator_invoices(session: Session, rng: random.Random, plan: dict) -> None:
    """Verified calls of one customer -> a draft invoice -> issued (a number is taken)."""
    if not session.queue["invoice"]:
        return administrator_browses(session, rng, plan)
    calls = session.queue["invoice"].pop()
    session.request("calls to invoice", "/invoicing/to-invoice/")
    status, _, location = session.request(
        "create draft", "/invoicing/to-invoice/", {"calls": calls}
    )
    match = re.match(r".*/invoicing/invoices/(\d+)/$", location)
    if status != 302 or not match:
        session.stats.fail(f"draft for calls {calls} answered {status} {location!r}")
        return None
    session.request("draft invoice", location)
    session.request("issue invoice", location + "issue/", {"confirm": "yes"})
    session.stats.wrote("invoices", int(match.group(1)))
    return None


def administrator_browses(session: Session, rng: random.Random, plan: dict) -> None:
    session.request("invoice list", "/invoicing/invoices/")
    session.request("team hours", "/planner/hours/team/")


SCENARIOS = {
    "operator": [
        (operator_searches_calls, 5),
        (operator_creates_call, 2),
        (operator_browses, 1),
    ],
    "technician": [
        (technician_records_hours_on_intervention, 3),
        (technician_records_hours_on_day, 2),
        (technician_looks_at_own_work, 1),
    ],
    "administrator": [
        (administrator_verifies, 2),
        (administrator_invoices, 2),
        (administrator_browses, 1),
        (operator_searches_calls, 1),
    ],
}
USERNAMES = {"operator": ("operator",), "technician": TECHNICIANS, "administrator": ("admin",)}


def _prepare(database_url: str, scale: int) -> dict[str, str]:
    """A new database with the demo data, and the demo users' passwords set."""
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
        # As in production: e-mails with PDFs (issued invoices) are queued for the db_worker,
        # not rendered inside the request. Nothing sends them here: the customers are fictitious.
        "TASKS_BACKEND": "database",
        "EMAIL_URL": "dummy://",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run([*MANAGE, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seed = [*MANAGE, "seed_demo", "--scale", str(scale), "--no-logins", "-v0"]
    subprocess.run(seed, cwd=ROOT, env=env, check=True)
    return env


MANAGE = [sys.executable, "manage.py"]


def _django(env: dict[str, str], code: str, stdin: str = "") -> dict:
    """Run ``code`` inside Django (manage.py shell) and return the JSON it prints last."""
    out = subprocess.run(
        [*MANAGE, "shell", "-v0", "-c", code],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


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
                # Import the portal once in the master and fork the workers (as in production:
                # faster start, shared memory pages).
                "--preload",
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


def _user_loop(index: int, role: str, args: argparse.Namespace, plan: dict, stats: Stats) -> None:
    rng = random.Random(index)
    usernames = USERNAMES[role]
    queue: dict[str, list] = {"verify": [], "invoice": []}
    if role == "administrator":
        # Disjoint shares, so that every verification and invoice must succeed.
        nth = index % args.administrators
        queue = {"verify": list(plan["verify"][nth]), "invoice": list(plan["invoice"][nth])}
    session = Session(
        f"http://127.0.0.1:{PORTS[index % len(PORTS)]}",
        stats,
        usernames[index % len(usernames)],
        queue,
    )
    try:
        session.login()
        scenarios, weights = zip(*SCENARIOS[role], strict=True)
        end = time.monotonic() + args.duration
        done = 0
        while time.monotonic() < end and done < args.max_requests:
            rng.choices(scenarios, weights)[0](session, rng, plan)
            done += 1
    except Exception as exc:  # noqa: BLE001 - a crashed virtual user is a failed test
        stats.fail(f"virtual user {index} ({role}) stopped: {exc!r}")


def _check_data(env: dict[str, str], stats: Stats) -> dict:
    written = {kind: stats.written[kind] for kind in ("calls", "hours", "invoices", "verified")}
    code = "from scripts.loadtest_data import check; check()"
    return _django(env, code, json.dumps(written))


def _report(stats: Stats, elapsed: float, users: int, workers: int) -> None:
    total = sum(len(t) for t in stats.timings.values())
    print(
        f"{total} requests in {elapsed:.0f}s ({total / elapsed:.1f}/s), "
        f"{users} virtual users, 2 app processes x {workers} workers"
    )
    print(f"{'action':<34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for action, timings in sorted(stats.timings.items()):
        timings.sort()
        p95 = timings[max(0, math.ceil(len(timings) * 0.95) - 1)]
        print(
            f"{action:<34} {len(timings):>6} {statistics.median(timings):>8.1f} "
            f"{p95:>8.1f} {timings[-1]:>8.1f}"
        )
    everything = sorted(t for timings in stats.timings.values() for t in timings)
    if everything:
        p95 = everything[max(0, math.ceil(len(everything) * 0.95) - 1)]
        print(
            f"{'all requests':<34} {len(everything):>6} {statistics.median(everything):>8.1f} "
            f"{p95:>8.1f} {everything[-1]:>8.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--operators", type=int, default=6)
    parser.add_argument("--technicians", type=int, default=4)
    parser.add_argument("--administrators", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per process")
    parser.add_argument("--max-requests", type=int, default=5000, help="cap per virtual user")
    parser.add_argument("--scale", type=int, default=1, help="seed_demo --scale")
    parser.add_argument(
        "--prepare", type=int, default=40, help="calls made done (half verified) before the run"
    )
    args = parser.parse_args()
    args.administrators = max(args.administrators, 0)
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sp_load")
    if not database_url.startswith("postgres"):
        print("The load test needs PostgreSQL (DATABASE_URL=postgres://...).")
        return 2
    phases = [("start", time.monotonic())]
    env = _prepare(database_url, args.scale)
    phases.append(("database, migrate, seed_demo", time.monotonic()))
    code = (
        "from scripts.loadtest_data import plan, prepare_work, set_passwords\n"
        f"set_passwords({PASSWORD!r})\n"
        f"prepare_work({args.prepare})\n"
        f"plan({max(args.administrators, 1)})\n"
    )
    plan = _django(env, code)
    phases.append(("prepare work", time.monotonic()))
    servers = _start_servers(env, args.workers)
    phases.append(("start the app processes", time.monotonic()))
    stats = Stats()
    roles = (
        ["operator"] * args.operators
        + ["technician"] * args.technicians
        + ["administrator"] * args.administrators
    )
    try:
        threads = [
            threading.Thread(target=_user_loop, args=(i, role, args, plan, stats))
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
    phases.append(("load", time.monotonic()))
    _report(stats, elapsed, len(roles), args.workers)
    checked = _check_data(env, stats)
    phases.append(("check the data", time.monotonic()))
    print(
        "phases: "
        + ", ".join(f"{name} {t - phases[i][1]:.0f}s" for i, (name, t) in enumerate(phases[1:]))
    )
    problems = stats.errors + checked["problems"]
    print(
        f"calls created: {len(stats.written['calls'])}, "
        f"hours entries: {len(stats.written['hours'])} "
        f"({stats.counts['hours refused']} refused with a message), "
        f"interventions verified: {len(stats.written['verified'])}, "
        f"invoices issued: {len(stats.written['invoices'])}"
    )
    print("database: " + ", ".join(f"{k} {v}" for k, v in checked["facts"].items()))
    if problems:
        print("PROBLEMS:")
        for problem in problems[:50]:
            print(f"  {problem}")
        return 1
    print("no errors; every write found exactly once")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
