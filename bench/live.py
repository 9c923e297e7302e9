"""Live dashboards: polled ``*/live`` answered 304 against server-sent events, under the shipped
gunicorn configuration (issue 16: "measure both and keep the cheaper").

Each run starts the production server (``deploy/gunicorn.conf.py``, the RLS-bound role, Redis and
one scoring worker) serving the app plus a benchmark-only event stream (``bench/live_sse_app.py``),
then, for each number of managers:

- **poll**: every manager polls ``/dashboard/live`` every 5 s with the ETag it last received,
  as ``static/js/live.js`` does;
- **sse**: every manager holds ``/dashboard/stream`` open and reads its events;

while in each ward one staff member saves a report every 5 s (so the dashboards do change) and a
probe reads a staff member's score page twice a second. It prints the server's CPU (all gunicorn
workers, from /proc) per manager-minute, the number of updates delivered, and the probe's latency
and failures: a stream holds one of the server's worker threads for as long as it is open.

In poll mode the head of each ward also polls the unit dashboard's ``/dashboard/unit/live``, and
the server CPU of each live answer is read from the server's JSON request log (``cpu_ms``): its
median, p95 and count for each endpoint, changed answers (200) apart from unchanged ones (304).

    python bench/live.py                     # 5 wards, 30 and 50 managers, 30 s each (~4 min)
    python bench/live.py --managers 20 --duration 15
    python bench/live.py --managers 20 --duration 30 --modes poll   # the per-answer CPU only
"""

from __future__ import annotations

import http.client
import os
import random
import re
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cli import bench_parser  # noqa: E402
from bench.load import (  # noqa: E402
    APP_ROLE,
    CSRF,
    REPORT_FORM,
    Client,
    logged_requests,
    percentile,
    prepare,
)
from bench.server import gunicorn, gunicorn_env  # noqa: E402

POLL_SECONDS = 5.0  # static/js/live.js INTERVAL
LIVE_PATHS = (("manager", re.compile(r"/dashboard/live$")), ("unit", re.compile(r"/unit/live$")))


def _tick() -> int:
    return os.sysconf("SC_CLK_TCK")


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of the gunicorn workers (children of the master) so far."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])
    return total / _tick()


def live_cpu(log: Path, start: int) -> dict[tuple[str, int], list[float]]:
    """Server CPU (ms) of each live answer logged after offset ``start`` of the server's JSON
    log, by (endpoint, status)."""
    cpu: dict[tuple[str, int], list[float]] = {}
    for record in logged_requests(log, start):
        kind = next((k for k, rx in LIVE_PATHS if rx.search(record.get("path", ""))), None)
        if kind:
            cpu.setdefault((kind, record.get("status")), []).append(record["cpu_ms"])
    return cpu


def manager_poll(port, slug, username, password, stop, tally, lock, path="/dashboard/live"):
    client = Client(port)
    if not client.login(slug, username, password):
        with lock:
            tally["login failed"] += 1
        return
    time.sleep(random.uniform(0, POLL_SECONDS))
    while not stop.is_set():
        status, _, _ = client.request("GET", f"/t/{slug}{path}")
        if status == 0:  # the server closed the idle keep-alive connection: a browser retries
            status, _, _ = client.request("GET", f"/t/{slug}{path}")
        with lock:
            tally["updates" if status == 200 else "304" if status == 304 else "failed"] += 1
        stop.wait(POLL_SECONDS)


def manager_stream(port, slug, username, password, stop, tally, lock):
    client = Client(port)
    if not client.login(slug, username, password):
        with lock:
            tally["login failed"] += 1
        return
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", f"/t/{slug}/dashboard/stream", headers={"Cookie": client.cookie})
        response = conn.getresponse()
        if response.status != 200:
            with lock:
                tally["failed"] += 1
            return
        with lock:
            tally["streams open"] += 1
        while not stop.is_set():
            line = response.fp.readline()  # the server's restart at the end closes it
            if not line:
                break
            if line.startswith(b"data:"):
                with lock:
                    tally["updates"] += 1
    except (OSError, http.client.HTTPException):
        with lock:
            tally["failed"] += 1
    finally:
        conn.close()


def writer(port, slug, username, password, stop, tally, lock):
    client = Client(port)
    if not client.login(slug, username, password):
        return
    rng = random.Random(slug)
    while not stop.is_set():
        status, page, _ = client.request("GET", f"/t/{slug}/my/work")
        forms, token = REPORT_FORM.findall(page.decode()), CSRF.search(page.decode())
        if status == 200 and forms and token:
            status, _, _ = client.request(
                "POST",
                rng.choice(forms),
                {
                    "csrf_token": token.group(1),
                    "completed": str(rng.randint(0, 2)),
                    "completed_on": date.today().isoformat(),
                    "note": "Cập nhật tiến độ",
                    "save": "Lưu nháp",
                },
            )
            with lock:
                tally["reports saved" if status in (200, 302) else "reports failed"] += 1
        stop.wait(POLL_SECONDS)


def probe(port, slug, username, password, stop, latencies, tally, lock):
    client = Client(port)
    client.conn.timeout = 10
    if not client.login(slug, username, password):
        return
    while not stop.is_set():
        status, _, elapsed = client.request("GET", f"/t/{slug}/my/score")
        with lock:
            if status == 200:
                latencies.append(elapsed)
            else:
                tally["probe failed"] += 1
        stop.wait(0.5)


def run(mode, port, accounts, managers, duration, password, master_pid, log):
    stop, lock = threading.Event(), threading.Lock()
    tally = {
        k: 0
        for k in (
            "updates",
            "304",
            "failed",
            "login failed",
            "streams open",
            "reports saved",
            "reports failed",
            "probe failed",
        )
    }
    latencies: list[float] = []
    slugs = sorted(accounts)
    threads = []
    target = manager_poll if mode == "poll" else manager_stream
    for i in range(managers):
        slug = slugs[i % len(slugs)]
        pool = accounts[slug]["manager"]
        args = (port, slug, pool[i // len(slugs) % len(pool)], password, stop, tally, lock)
        threads.append(threading.Thread(target=target, args=args, daemon=True))
    if mode == "poll":  # the head of each ward watches the unit dashboard
        for slug in slugs:
            args = (port, slug, accounts[slug]["head"][0], password, stop, tally, lock)
            kwargs = {"path": "/dashboard/unit/live"}
            threads.append(
                threading.Thread(target=manager_poll, args=args, kwargs=kwargs, daemon=True)
            )
    for slug in slugs:
        args = (port, slug, accounts[slug]["staff"][0], password, stop, tally, lock)
        threads.append(threading.Thread(target=writer, args=args, daemon=True))
    probe_args = (port, slugs[0], accounts[slugs[0]]["staff"][1], password, stop)
    threads.append(
        threading.Thread(target=probe, args=(*probe_args, latencies, tally, lock), daemon=True)
    )
    for thread in threads:
        thread.start()
    time.sleep(min(15, 3 + managers / 10))  # sign-ins and the first answers
    with lock:
        for key in ("updates", "304", "failed", "reports saved", "probe failed"):
            tally[key] = 0
        latencies.clear()
    mark = log.stat().st_size
    cpu0, t0 = workers_cpu_seconds(master_pid), time.perf_counter()
    time.sleep(duration)
    cpu, elapsed = workers_cpu_seconds(master_pid) - cpu0, time.perf_counter() - t0
    with lock:
        window, seen = dict(tally), list(latencies)
    stop.set()
    return window, seen, cpu, elapsed, live_cpu(log, mark)


def main(argv=None) -> int:
    parser = bench_parser(__doc__, database="kpi_bench_live", tenants=5, port=8767)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--managers", type=int, nargs="+", default=[30, 50])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--instance", default="/tmp/kpi-bench-live")  # noqa: S108
    parser.add_argument("--modes", nargs="+", choices=("poll", "sse"), default=["poll", "sse"])
    args = parser.parse_args(argv)

    from redis import Redis
    from sqlalchemy.engine import make_url

    from tenant_app.demo import DEMO_PASSWORD

    instance = Path(args.instance)
    instance.mkdir(parents=True, exist_ok=True)
    print(
        f"{os.cpu_count()} CPUs; load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        flush=True,
    )
    app_url, accounts = prepare(args.database_url, args.tenants, instance)
    owner = make_url(args.database_url).set(drivername="postgresql+psycopg")
    env = gunicorn_env(
        app_url=app_url,
        owner_url=owner.render_as_string(hide_password=False),
        app_role=APP_ROLE,
        instance=instance,
        port=args.port,
        redis_url=args.redis_url,
    )
    print(
        f"gunicorn: {env.get('KPI_WEB_WORKERS', 'default')} workers × "
        f"{env.get('KPI_WEB_THREADS', 'default')} threads (deploy/gunicorn.conf.py); "
        f"{args.tenants} wards, a report saved every {POLL_SECONDS:.0f} s in each",
        flush=True,
    )
    print(
        f"{'mode':>5} {'managers':>8} {'CPU s':>7} {'CPU ms/manager-min':>18} {'updates':>8} "
        f"{'304':>6} {'failed':>6} {'streams':>7} {'probe p50':>9} {'p95 ms':>7} "
        f"{'probe fail':>10}",
        flush=True,
    )
    for managers in args.managers:
        for mode in args.modes:
            Redis.from_url(args.redis_url).flushdb()
            worker = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "scoring"],
                cwd=ROOT,
                env=env,
                stdout=(instance / "scoring.log").open("ab"),
                stderr=subprocess.STDOUT,
            )
            try:
                with gunicorn(
                    env, args.port, log=instance / "server.log", app="bench.live_sse_app:app"
                ) as server:
                    tally, seen, cpu, elapsed, answers = run(
                        mode,
                        args.port,
                        accounts,
                        managers,
                        args.duration,
                        DEMO_PASSWORD,
                        server.pid,
                        instance / "server.log",
                    )
            finally:
                worker.terminate()
                worker.wait(timeout=30)
            per = cpu * 1000 / (managers * elapsed / 60)
            print(
                f"{mode:>5} {managers:>8} {cpu:>7.2f} {per:>18.0f} {tally['updates']:>8} "
                f"{tally['304']:>6} {tally['failed']:>6} {tally['streams open']:>7} "
                f"{percentile(seen, 50):>9.0f} {percentile(seen, 95):>7.0f} "
                f"{tally['probe failed'] + (0 if seen else 1):>10}",
                flush=True,
            )
            for (kind, status), values in sorted(answers.items()):
                ms = [v / 1000 for v in values]  # percentile() answers in thousandths
                print(
                    f"{'':>5} live CPU {kind:>7} {status}: p50 {percentile(ms, 50):.1f} ms, "
                    f"p95 {percentile(ms, 95):.1f} ms, n={len(values)}",
                    flush=True,
                )
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
