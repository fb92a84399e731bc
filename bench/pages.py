"""Benchmark c: the cluster dashboard, the nomination list and the ranking under load.

    .venv/bin/python -m bench.pages --scale 1 [--engine postgres] [--seconds 15]

A real server (gunicorn, sync workers, on 127.0.0.1 only) serves the dataset; a load tool
(wrk, 20 connections) asks for each page as the cluster's secretariat for a fixed time and
reports the median and 95th-percentile latency. Baseline, in the same run and the same
server: a plain logged-in Django view (bench/urls.py) that runs the middleware and no query.
Install the load tool with `apt-get install -y wrk` (the script tries it when missing).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.generate import CURRENT_YEAR

CLUSTER = "cum-thi-dua-001"
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50=%d p95=%d p99=%d requests=%d errors=%d non2xx=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status))
end
"""


def pages() -> dict[str, str]:
    base = f"/c/{CLUSTER}/{CURRENT_YEAR}/"
    return {
        "plain Django view (baseline)": "/bench/plain/",
        "cluster dashboard": base,
        "nomination list (filtered, page 2)": (
            f"/awards/{base.lstrip('/')}nominations/?status=submitted&page=2"
        ),
        "ranking": f"{base}scoring/ranking/",
    }


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("bench: installing wrk (apt-get install -y wrk)")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: no load tool; install it: apt-get install -y wrk")
    return found


def session_cookie() -> str:
    """A logged-in session of the secretariat (the head unit's officer) of the cluster."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from thidua.cycle.models import Membership
    from thidua.orgs.models import User

    head = Membership.objects.get(
        year__cluster__slug=CLUSTER, year__year=CURRENT_YEAR, role=Membership.Role.HEAD
    )
    user = User.objects.get(organization_id=head.organization_id, position="officer")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "THIDUA_CONN_MAX_AGE": "600",
        "PYTHONPATH": str(common.ROOT),
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return subprocess.Popen(
        [gunicorn, "thidua.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--worker-class", "sync", "--log-level", "warning"],
        cwd=common.ROOT,
        env=env,
        start_new_session=True,
    )  # fmt: skip


def wait_for(port: int, cookie: str) -> None:
    for _ in range(120):
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/bench/plain/", headers={"Cookie": cookie}
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("bench: the server did not answer")


def check_page(port: int, path: str, cookie: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=120) as response:
        return len(response.read())


def load(wrk: str, port: int, path: str, cookie: str, seconds: int, clients: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    try:
        out = subprocess.run(
            [wrk, "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "60s",
             "-s", script.name, "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    found = re.search(
        r"RESULT p50=(\d+) p95=(\d+) p99=(\d+) requests=(\d+) errors=(\d+) non2xx=(\d+)", out
    )
    assert found, out
    p50, p95, p99, requests, errors, non2xx = (int(x) for x in found.groups())
    return {
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "requests": requests,
        "per_second": round(requests / seconds, 1),
        "errors": errors,
        "non_2xx": non2xx,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_dataset_arguments(parser)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args(argv)
    url = common.open_dataset(args)
    wrk = ensure_wrk()
    cookie = session_cookie()
    port = free_port()
    server = start_server(url, port, args.workers)
    figures: dict[str, Any] = {
        "clients": args.clients,
        "seconds": args.seconds,
        "gunicorn_workers": args.workers,
        "load_tool": subprocess.run(
            [wrk, "--version"], capture_output=True, text=True
        ).stdout.splitlines()[0],
        "pages": {},
    }
    try:
        wait_for(port, cookie)
        print(f"bench c: {args.clients} clients, {args.seconds} s per page, {args.workers} workers")
        for label, path in pages().items():
            size = check_page(port, path, cookie)
            load(wrk, port, path, cookie, 2, args.clients)  # warm every worker first
            result = load(wrk, port, path, cookie, args.seconds, args.clients)
            result |= {"path": path, "bytes": size}
            figures["pages"][label] = result
            print(
                f"  {label:<40} p50 {result['p50_ms']:>8.1f} ms  p95 {result['p95_ms']:>8.1f} ms"
                f"  {result['per_second']:>7.1f}/s"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    plain = figures["pages"]["plain Django view (baseline)"]["p95_ms"]
    for result in figures["pages"].values():
        result["p95_ratio"] = round(result["p95_ms"] / plain, 2) if plain else None
    common.write_result("pages", args, figures)


if __name__ == "__main__":
    main()
