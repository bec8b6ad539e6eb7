"""A spike of public interest must not slow the staff (issue 21). Run on demand, never as a test:

    .venv/bin/python bench/public_bench.py [--concurrency 8] [--seconds 10] [--workers 2]
        [--database postgres://USER@HOST:5432/NAME]

Builds the demo (``load_demo``: 150525's published 2020 disclosures) in a scratch SQLite file of
its own, or in the database ``--database`` names (an empty one, or one holding the demo:
``load_demo`` is idempotent, and the database is left for the next run), collects the static
files, and starts the app under gunicorn on loopback with ``redcross.settings.production``, as
``tests/test_production.py`` does (requests come through the TLS proxy's ``X-Forwarded-Proto``).
Then, with the same number of concurrent clients, each on its own keep-alive connection, it
requests for the same time

- a published disclosure page, anonymously (``/public/150525/<id>/``: served as stored), and
- a staff list page, logged in as demo-staff (``/donations/``: computed from the records),

and prints requests per second, median and p99 of each. The clients run in this process (threads)
on the same machines' cores as the server: the figures compare the two pages under one load, they
are not the server's ceiling.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="redcross.settings.production",
        SECRET_KEY="b" * 30 + "-only-for-the-public-benchmark-" + "c" * 30,
        ALLOWED_HOSTS="localhost",
        LOG_LEVEL="CRITICAL",
        **extra,
    )
    return env


def prepare(workdir, database=None):
    """The demo in a scratch database (or ``database``), its static files, and a staff session's
    cookie."""
    database = database or f"sqlite:///{workdir / 'bench.sqlite3'}"
    static = workdir / "static"
    env = production_env(DATABASE_URL=database, STATIC_ROOT=str(static))
    for command in (["migrate", "--no-input", "-v0"], ["collectstatic", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    # The session is made here under the server's own settings (its secret signs the session).
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from disclosure.models import DisclosureVersion

    client = Client()
    client.force_login(get_user_model().objects.get(username="demo-staff"))
    # The epidemic drive's: the demo's largest published page (its gifts, payouts and goods lists).
    version = DisclosureVersion.objects.filter(
        chapter__code="150525", disclosure__drive__name="疫情防控专项募捐"
    ).first()
    return env, f"/public/150525/{version.pk}/", client.cookies["sessionid"].value


def serve(env, workers):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "redcross.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def hammer(port, path, headers, *, concurrency, seconds):
    """Requests/s, median and p99 in ms of ``concurrency`` clients asking for ``path`` for
    ``seconds``; refuses figures when any answer was not 200."""
    latencies, failures = [], []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        mine, bad = [], 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                bad += 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock:
            latencies.extend(mine)
            failures.append(bad)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if sum(failures):
        raise SystemExit(f"{path}: {sum(failures)} answers were not 200")
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, p99 * 1000, len(latencies)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", help="a DATABASE_URL to build the demo in (default: scratch SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="public-bench-") as tmp:
        env, public_path, session = prepare(Path(tmp), args.database)
        print(f"database: {env['DATABASE_URL'].split('://')[0]}")
        server, port = serve(env, args.workers)
        proxy = {"Host": "localhost", "X-Forwarded-Proto": "https"}
        try:
            staff = {**proxy, "Cookie": f"sessionid={session}"}
            pages = [
                ("published disclosure (anonymous)", public_path, proxy),
                ("staff list /donations/ (demo-staff)", "/donations/", staff),
            ]
            print(f"gunicorn -w {args.workers}, {args.concurrency} clients at once, {args.seconds:g} s each")
            print(f"{'page':40} {'req/s':>8} {'median ms':>10} {'p99 ms':>8} {'requests':>9}")
            for label, path, headers in pages:
                hammer(port, path, headers, concurrency=2, seconds=1)  # warm-up
                rps, median, p99, count = hammer(
                    port, path, headers, concurrency=args.concurrency, seconds=args.seconds
                )
                print(f"{label:40} {rps:8.1f} {median:10.1f} {p99:8.1f} {count:9d}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
