#!/usr/bin/env python
"""Requests per second of the main pages on a real server (`make bench`'s throughput table).

Starts the portal under gunicorn on loopback (2 sync workers, DEBUG off, PostgreSQL from
DATABASE_URL, sessions in Redis when REDIS_URL is set, as in production), then drives each
page of scripts/bench.py's PAGES in turn with wrk (Debian's `wrk` package: one thread, USERS
connections requesting the page without pause, for SECONDS each). Per page it reports requests
per second, p50 and p99 latency, and the ratios of requests per second to the anonymous trivial
page and to the signed-in one, measured in the same run. The signed-in users' sessions are
created beforehand (no login in the measure). Traffic goes to 127.0.0.1 only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sp_bench_1 REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python scripts/throughput.py --seconds 10 --users 4

scripts/bench.py runs it for each scale after the server-time table (--throughput-seconds 0
leaves it out).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# THROUGHPUT_PORT: another port when someone else measures on the same machine (a second
# server on 8131 would fail to bind, and wrk would measure the first one's code).
PORT = int(os.environ.get("THROUGHPUT_PORT", "8131"))
TRIVIAL = "trivial page (25 rows, no DB)"
SIGNED_IN = "trivial page, signed in"


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="scripts.bench_settings",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="600",
        STATIC_MANIFEST="0",
        # Plain HTTP on loopback: no redirect to HTTPS, cookies without Secure.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
    )
    env.setdefault("SECRET_KEY", "benchmark-only-not-a-secret-" + "x" * 40)
    # As scripts/bench.py: the offer link's rate limits raised, or its row would count 429s.
    env.setdefault("OFFER_LINK_RATE_PER_OFFER", "1000000")
    env.setdefault("OFFER_LINK_RATE_PER_ADDRESS", "1000000")
    return env


def prepare() -> dict:
    """In a Django process (run with _server_env()): the pages with their URLs filled, and a
    session for each role, stored where the server reads it (the database, and Redis when
    REDIS_URL is set)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    from scripts.bench import PAGES, _placeholders

    values, users = _placeholders()
    sessions: dict[str, str] = {}
    for role, user in users.items():
        if user is None:
            sessions[role] = ""
            continue
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies["sessionid"].value
    pages = [
        {"name": page.name, "url": page.url.format(**values), "session": sessions[page.role]}
        for page in PAGES
    ]
    return {"pages": pages}


def _start_server(workers: int) -> subprocess.Popen:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=2).read()
    except OSError:
        pass
    else:
        raise RuntimeError(f"port {PORT} already serves something: set THROUGHPUT_PORT")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "service_portal.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "--preload",
        ],
        cwd=ROOT,
        env=_server_env(),
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=2).read()
            return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.3)


def _duration_ms(text: str) -> float:
    """wrk's "2.43ms", "812.00us", "1.02s" in milliseconds."""
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def _get(page: dict) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{page['url']}")
    if page["session"]:
        request.add_header("Cookie", f"sessionid={page['session']}")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _drive(page: dict, users: int, seconds: int) -> dict[str, float]:
    """One wrk run on one page: requests per second, p50 and p99 (ms), non-2xx answers.

    The page must answer 200 first (a redirect to the login page would pass for a fast page:
    wrk counts 3xx as success); a few requests also warm every worker's connection and caches.
    """
    for _ in range(4):
        status = _get(page)
        if status != 200:
            return {"rps": 0.0, "p50": 0.0, "p99": 0.0, "requests": 0, "failures": status}
    command = ["wrk", "--threads", "1", "--connections", str(users), "--duration", f"{seconds}s"]
    command += ["--latency", "--timeout", "30s"]
    if page["session"]:
        command += ["--header", f"Cookie: sessionid={page['session']}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{PORT}{page['url']}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found: dict[str, float] = {"failures": 0, "requests": 0}
    for line in output.splitlines():
        words = line.split()
        if words[:1] == ["50%"]:
            found["p50"] = _duration_ms(words[1])
        elif words[:1] == ["99%"]:
            found["p99"] = _duration_ms(words[1])
        elif line.startswith("Requests/sec:"):
            found["rps"] = float(words[1])
        elif "requests in" in line:
            found["requests"] = int(words[0])
        elif line.startswith("  Non-2xx or 3xx responses:"):
            found["failures"] = int(words[-1])
    return found


def measure(users: int, seconds: int, workers: int, only: set[str] | None = None) -> dict:
    plan = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--prepare"],
            cwd=ROOT,
            env=_server_env(),
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    results: dict[str, dict[str, float]] = {}
    server = _start_server(workers)
    try:
        for page in plan["pages"]:
            if only and page["name"] not in only | {TRIVIAL, SIGNED_IN}:
                continue
            results[page["name"]] = _drive(page, users, seconds)
            print(f"  {page['name']}: {results[page['name']]['rps']:.1f} req/s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def table(all_results: dict[int, dict[str, dict[str, float]]]) -> str:
    """Per scale: req/s, p50, p99, and the ratios of req/s to the anonymous trivial page
    ("1/x": x times fewer) and to the signed-in one."""
    scales = sorted(all_results)
    head = " | ".join(
        f"scale {s}: req/s | p50 ms | p99 ms | ×anon | ×signed-in | failed" for s in scales
    )
    lines = [f"| page | {head} |", "|---" * (1 + 6 * len(scales)) + "|"]
    names = list(dict.fromkeys(name for s in scales for name in all_results[s]))
    for name in names:
        cells = [name]
        for s in scales:
            r = all_results[s].get(name)
            if r is None or not r["rps"]:
                cells += ["–"] * 6
                continue
            anon = all_results[s].get(TRIVIAL, {}).get("rps") or 0
            signed = all_results[s].get(SIGNED_IN, {}).get("rps") or 0
            cells += [
                f"{r['rps']:.1f}",
                f"{r['p50']:.0f}",
                f"{r['p99']:.0f}",
                f"1/{anon / r['rps']:.1f}" if anon else "–",
                f"1/{signed / r['rps']:.1f}" if signed else "–",
                f"{r['failures']}/{r['requests']}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=4, help="connections kept busy by wrk")
    parser.add_argument("--seconds", type=int, default=10, help="load per page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--only", default="", help="page names separated by ; (and the floors)")
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(";") if name.strip()} or None
    results = measure(args.users, args.seconds, args.workers, only)
    print(table({0: results}))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--prepare"]:
        print(json.dumps(prepare()))
        raise SystemExit(0)
    raise SystemExit(main())
