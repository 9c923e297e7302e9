"""Load benchmark: the production web server (gunicorn with deploy/gunicorn.conf.py) on loopback.

A realistic mix across ``--tenants`` wards: staff reading their explained score and their work,
managers watching their live dashboard, staff saving reports. Prints throughput, p50/p95/p99
latency and errors at each concurrency, and the same server's throughput on /healthz measured in
the same run as the baseline (ratio printed). Asserts nothing.

    python bench/load.py                       # PostgreSQL on 127.0.0.1, 20 wards, 50 and 200 users
    python bench/load.py --users 50 --duration 20 --tenants 5

The database (``--database-url``, an owner URL; default a fresh ``kpi_bench_load`` on the local
server) is rebuilt with demo wards; the app connects as the RLS-bound role ``kpi_bench_app``.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cli import bench_parser  # noqa: E402

# RLS_KEY: the migrations store it, the server signs with it.
from bench.server import (  # noqa: E402
    RLS_KEY,
    NotReady,
    create_database,
    gunicorn,
    gunicorn_env,
)

APP_ROLE = "kpi_bench_app"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REPORT_FORM = re.compile(r'action="(/t/[^"]+/my/work/[0-9a-f-]{36})"')


def prepare(owner_url: str, tenants: int, instance: Path) -> tuple[str, dict]:
    """Rebuild the benchmark database; return the app URL and accounts by tenant.

    PostgreSQL: the database is dropped and recreated and the app connects as the RLS-bound role
    ``kpi_bench_app``. SQLite (the smoke mode on a machine without PostgreSQL): a fresh file.
    """
    os.environ["KPI_RLS_KEY"] = RLS_KEY
    if owner_url.startswith("sqlite"):
        path = Path(make_url(owner_url).database)
        path.unlink(missing_ok=True)
        owner = app_url = owner_url
    else:
        owner, app_url = create_database(owner_url, APP_ROLE)
        os.environ["KPI_DATABASE_APP_ROLE"] = APP_ROLE

    from flask_migrate import upgrade

    from tenant_app import create_app, demo, demo_evaluation
    from tenant_app.extensions import db
    from tenant_app.models import StaffMember, Tenant, TenantStatus, User
    from tenant_app.security.passwords import hash_password
    from tenant_app.tenancy import tenant_context

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": owner,
            "KPI_DATABASE_OWNER_URL": owner,
            "KPI_INSTANCE_DIR": str(instance),
            "KPI_SKIP_ROLE_CHECK": True,
        }
    )
    accounts: dict[str, dict[str, list[str]]] = {}
    with app.app_context():
        upgrade()
        if not owner.startswith("sqlite"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        password_hash = hash_password(demo.DEMO_PASSWORD)
        for n in range(tenants):
            slug = f"phuong-{n + 1:02d}"
            shown = demo.seed_ward(
                slug, f"Phường thử tải {n + 1:02d}", TenantStatus.PILOT, 100 + n, password_hash
            )
            tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one()
            with tenant_context(tenant):
                demo_evaluation.seed(100 + n, today=date.today())
                db.session.commit()
                managers = {
                    m for m in db.session.execute(sa.select(StaffMember.manager_id)).scalars() if m
                }
                rows = db.session.execute(
                    sa.select(User.username, StaffMember.id).join(
                        StaffMember,
                        sa.and_(
                            StaffMember.tenant_id == User.tenant_id, StaffMember.user_id == User.id
                        ),
                    )
                ).all()
                accounts[slug] = {
                    "staff": [u for u, sid in rows if sid not in managers],
                    "manager": [u for u, sid in rows if sid in managers],
                    "head": [shown["chairman"]],  # head of the ward: sees the unit dashboard
                }
            print(f"  seeded {slug}", flush=True)
        db.engine.dispose()
    return app_url, accounts


class Client:
    """One keep-alive HTTP connection with a cookie, like one browser tab."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.etags: dict[str, str] = {}  # a browser's cache revalidates what it holds

    def request(self, method: str, path: str, form: dict | None = None):
        body = urllib.parse.urlencode(form) if form else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if method == "GET" and path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            return 0, b"", time.perf_counter() - started
        if method == "GET" and response.status == 200 and response.headers.get("ETag"):
            self.etags[path] = response.headers["ETag"]
        for value in response.headers.get_all("Set-Cookie") or []:
            if value.startswith("kpi_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data, time.perf_counter() - started

    def login(self, slug: str, username: str, password: str) -> bool:
        status, page, _ = self.request("GET", f"/t/{slug}/login")
        token = CSRF.search(page.decode())
        if status != 200 or not token:
            return False
        status, _, _ = self.request(
            "POST",
            f"/t/{slug}/login",
            {"csrf_token": token.group(1), "username": username, "password": password},
        )
        return status == 302


def user_loop(port, slug, username, kind, stop, results, lock, password):
    client = Client(port)
    if not client.login(slug, username, password):
        with lock:
            results.append(("login", 0, 0.0))
        return
    rng = random.Random(hash((slug, username)))
    while not stop.is_set():
        if kind == "manager":
            paths = [("GET", f"/t/{slug}/dashboard"), ("GET", f"/t/{slug}/dashboard/live")]
        elif kind == "reporter":
            paths = [("GET", f"/t/{slug}/my/work")]
        else:
            paths = [("GET", f"/t/{slug}/my/score"), ("GET", f"/t/{slug}/my/work")]
        for method, path in paths:
            status, data, elapsed = client.request(method, path)
            with lock:
                results.append((path.rsplit("/", 1)[-1], status, elapsed))
            if kind == "reporter" and status == 200:
                forms = REPORT_FORM.findall(data.decode())
                token = CSRF.search(data.decode())
                if forms and token:
                    status, _, elapsed = client.request(
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
                        results.append(("report", status, elapsed))
        time.sleep(rng.uniform(0.2, 1.0))  # think time of a person


def run_mix(port, accounts, users, duration, password):
    stop, lock, results, threads = threading.Event(), threading.Lock(), [], []
    slugs = sorted(accounts)
    rng = random.Random(users)
    for i in range(users):
        slug = slugs[i % len(slugs)]
        kind = rng.choices(["staff", "manager", "reporter"], weights=[60, 25, 15])[0]
        if i < 3:  # every kind of user is in the run, however small
            kind = ("staff", "manager", "reporter")[i]
        pool = accounts[slug]["manager" if kind == "manager" else "staff"]
        thread = threading.Thread(
            target=user_loop,
            daemon=True,
            args=(
                port,
                slug,
                pool[i // len(slugs) % len(pool)],
                kind,
                stop,
                results,
                lock,
                password,
            ),
        )
        threads.append(thread)
        thread.start()
    time.sleep(min(10, 2 + users / 25))  # logins happen before the measured window
    with lock:
        results.clear()
    started = time.perf_counter()
    time.sleep(duration)
    stop.set()
    with lock:
        window = list(results)
    elapsed = time.perf_counter() - started
    for thread in threads:
        thread.join(timeout=30)
    return window, elapsed


def baseline(port, concurrency, duration):
    stop, lock, latencies = threading.Event(), threading.Lock(), []

    def loop():
        client = Client(port)
        while not stop.is_set():
            status, _, elapsed = client.request("GET", "/healthz")
            with lock:
                latencies.append((status, elapsed))

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    return len(latencies) / duration


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 if ordered else 0.0


KINDS = (
    ("live", re.compile(r"/dashboard/live$")),
    ("dashboard", re.compile(r"/dashboard$")),
    ("score", re.compile(r"/my/score$")),
    ("work", re.compile(r"/my/work$")),
    ("report", re.compile(r"/my/work/[0-9a-f-]{36}$")),
    ("healthz", re.compile(r"^/healthz$")),
)


def logged_requests(log: Path, start: int, end: int | None = None):
    """The request records with their server CPU (``cpu_ms``) logged between two offsets of the
    server's JSON log (to its end without ``end``)."""
    with log.open("rb") as fh:
        fh.seek(start)
        chunk = fh.read() if end is None else fh.read(end - start)
    for line in chunk.splitlines():
        if not line.startswith(b"{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("event") == "request" and "cpu_ms" in record:
            yield record


def cpu_by_kind(log: Path, start: int, end: int) -> dict[str, list[float]]:
    """Server CPU (ms) of each request logged between two offsets of the server's JSON log."""
    cpu: dict[str, list[float]] = {}
    for record in logged_requests(log, start, end):
        kind = next((k for k, rx in KINDS if rx.search(record.get("path", ""))), "other")
        cpu.setdefault(kind, []).append(record["cpu_ms"])
    return cpu


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_by_process(master_pid: int, workers: set[int]) -> dict[str, float]:
    """CPU seconds used so far by each group of processes on the machine: the web server (its
    master and workers), the scoring workers (``workers``), PostgreSQL, Redis, this client, and
    everything else (what the machine was doing besides the benchmark); ``machine``: the busy
    time of all CPUs (what no group explains was spent by processes that came and went)."""
    groups = dict.fromkeys(("web", "jobs", "postgres", "redis", "client", "other"), 0.0)
    with open("/proc/stat") as fh:  # the machine's busy time: all CPUs, less idle and I/O wait
        ticks = [int(t) for t in fh.readline().split()[1:]]
    groups["machine"] = (sum(ticks) - ticks[3] - ticks[4]) / _TICK
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
            fields = tail.split()
            pid, parent = int(stat.parent.name), int(fields[1])
            # its own time and its ended children's (rq work horses, PostgreSQL backends)
            seconds = sum(int(f) for f in fields[11:15]) / _TICK
        except (OSError, IndexError, ValueError):
            continue
        name = head.split("(", 1)[1]
        if pid == master_pid or parent == master_pid:
            group = "web"
        elif pid in workers or parent in workers:
            group = "jobs"
        elif name.startswith("postgres"):
            group = "postgres"
        elif name.startswith("redis"):
            group = "redis"
        elif pid == me:
            group = "client"
        else:
            group = "other"
        groups[group] += seconds
    return groups


def cpu_share(before: dict[str, float], after: dict[str, float], elapsed: float) -> str:
    """The cores each group used between two ``cpu_by_process`` readings, as one line."""
    return ", ".join(f"{group} {(after[group] - before[group]) / elapsed:.2f}" for group in after)


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sorted(sizes)


def main(argv=None) -> int:
    parser = bench_parser(__doc__, database="kpi_bench_load", tenants=20, port=8765)
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("KPI_BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"),
        help="jobs go to rq here (the database is emptied) and --scoring-workers run them",
    )
    parser.add_argument(
        "--no-redis", action="store_true", help="no Redis: jobs run in the web request"
    )
    parser.add_argument("--scoring-workers", type=int, default=1)
    parser.add_argument("--web-workers", type=int, help="KPI_WEB_WORKERS (default: the config's)")
    parser.add_argument("--web-threads", type=int, help="KPI_WEB_THREADS (default: the config's)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds on one ward with 5 users; exits 1 on any error (for the test suite)",
    )
    parser.add_argument("--instance", default="/tmp/kpi-bench-load")  # noqa: S108
    args = parser.parse_args(argv)
    if args.smoke:
        args.tenants, args.users, args.duration = 1, [5], 3.0

    instance = Path(args.instance)
    instance.mkdir(parents=True, exist_ok=True)
    print(
        f"code: {ROOT}; {os.cpu_count()} CPUs; load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        flush=True,
    )
    print(f"preparing {args.tenants} wards on {make_url(args.database_url).database} …", flush=True)
    t0 = time.perf_counter()
    app_url, accounts = prepare(args.database_url, args.tenants, instance)
    print(f"prepared in {time.perf_counter() - t0:.0f} s", flush=True)

    url = make_url(args.database_url)
    if url.drivername.startswith("postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    owner = url.render_as_string(hide_password=False)
    env = gunicorn_env(
        app_url=app_url,
        owner_url=owner,
        app_role=None if owner.startswith("sqlite") else APP_ROLE,
        instance=instance,
        port=args.port,
        redis_url=None if args.no_redis else args.redis_url,
        workers=args.web_workers,
        threads=args.web_threads,
    )
    procs = []
    if not args.no_redis:
        from redis import Redis

        Redis.from_url(args.redis_url).flushdb()
        for n in range(args.scoring_workers):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "scoring"],
                    cwd=ROOT,
                    env=env,
                    stdout=(instance / f"scoring-{n}.log").open("ab"),
                    stderr=subprocess.STDOUT,
                )
            )
    log = instance / "server.log"
    log.unlink(missing_ok=True)  # appended to: offsets mark each measured window
    try:
        with gunicorn(env, args.port, wait=90, log=log) as server:
            failed = measure(args, env, accounts, log, server.pid, [p.pid for p in procs])
    except NotReady:
        print("server did not become ready; see", log, file=sys.stderr)
        return 1
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 1 if args.smoke and failed else 0


def measure(
    args, env: dict[str, str], accounts: dict, log: Path, server_pid: int, job_pids=()
) -> bool:
    """The baseline and the mix at each ``--users`` on the running server; print the figures and
    return whether any request failed. After each window: the cores used by the server, the
    scoring workers, PostgreSQL, Redis, this client and everything else on the machine."""
    from tenant_app.demo import DEMO_PASSWORD

    failed = False
    print(
        f"gunicorn: {env.get('KPI_WEB_WORKERS', 'default')} workers × "
        f"{env.get('KPI_WEB_THREADS', 'default')} threads; jobs: "
        + ("in the request" if args.no_redis else f"rq, {args.scoring_workers} worker(s)"),
        flush=True,
    )
    mark = log.stat().st_size
    base = baseline(args.port, 20, 1.0 if args.smoke else min(10.0, args.duration))
    health_cpu = cpu_by_kind(log, mark, log.stat().st_size).get("healthz", [])
    print(
        f"baseline /healthz: {base:.0f} req/s (20 connections), server CPU p50 "
        f"{percentile([c / 1000 for c in health_cpu], 50):.1f} ms"
    )
    print(
        f"{'users':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'refused':>8} {'ratio':>7}"
    )
    for users in args.users:
        mark = log.stat().st_size
        cpu_before, started = cpu_by_process(server_pid, set(job_pids)), time.monotonic()
        window, elapsed = run_mix(args.port, accounts, users, args.duration, DEMO_PASSWORD)
        cores = cpu_share(
            cpu_before, cpu_by_process(server_pid, set(job_pids)), time.monotonic() - started
        )
        time.sleep(0.5)  # the last access lines reach the log
        cpu = cpu_by_kind(log, mark, log.stat().st_size)
        latencies = [e for _k, s, e in window if s and s < 500]
        errors = sum(1 for _k, s, _e in window if s == 0 or s >= 500)
        logins = sum(1 for k, _s, _e in window if k == "login")
        refused = sum(1 for _k, s, _e in window if 400 <= s < 500)
        rate = len(window) / elapsed
        failed = failed or errors > 0 or logins > 0 or not window
        print(
            f"{users:>6} {rate:>8.1f} {percentile(latencies, 50):>8.0f} "
            f"{percentile(latencies, 95):>8.0f} {percentile(latencies, 99):>8.0f} "
            f"{errors:>7} {refused:>8} {base / rate if rate else 0:>7.1f}",
            flush=True,
        )
        by_kind = {}
        for kind, _s, e in window:
            by_kind.setdefault(kind, []).append(e)
        for kind in sorted(by_kind):
            print(
                f"{'':>6} {kind:<10} n={len(by_kind[kind]):<6} p50 "
                f"{percentile(by_kind[kind], 50):>6.0f} ms  p95 "
                f"{percentile(by_kind[kind], 95):>6.0f} ms  server CPU p50 "
                f"{percentile([c / 1000 for c in cpu.get(kind, [])], 50):>6.1f} ms",
                flush=True,
            )
        means = ", ".join(
            f"{kind} {sum(values) / len(values):.1f}"
            for kind, values in sorted(cpu.items())
            if values
        )
        print(f"{'':>6} server CPU mean ms: {means}", flush=True)
        print(f"{'':>6} cores used (incl. sign-ins before the window): {cores}", flush=True)
        if logins:
            print(f"{'':>6} {logins} users could not log in", flush=True)
    rss = worker_rss_mb(server_pid)
    print("gunicorn worker RSS after the run: " + ", ".join(f"{r:.0f} MB" for r in rss))
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
