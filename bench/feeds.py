"""Feed benchmark: records from a one-stop system through the production server and real workers.

PostgreSQL (``KPI_BENCH_DATABASE_URL``, an owner URL; default a fresh ``kpi_bench_feeds`` on the
local server, DROPPED and recreated, dropped again at the end) and Redis (``--redis-url``, default
database 9 of the local server, emptied before and after: use a database nobody else uses). The
production server (gunicorn with ``deploy/gunicorn.conf.py``) serves the API as the RLS-bound role
``kpi_bench_feeds_app``; ``kpi worker feeds`` ×``--feed-workers`` (default 2: a batch holds its
source's lock, so two workers decide two units' batches at once) and ``kpi worker scoring``
×``--scoring-workers`` (default 2, the Helm chart's scoring pool) run the jobs, as in production.

Measured, on ``--units`` demo wards each with a one-stop source ``mot-cua`` (the demo's mappings):

(a) sustained ingestion: ``--clients`` threads post ``--batch``-record batches (realistic dossier
    events from ``kpi feeds simulate``'s generator) for ``--seconds``: records/second accepted by
    the API (202) and records/second fully decided by the workers (batches processed, from the
    first post to the last ``processed_at``); target ≥ 2,000/s for both;
(b) latency: while one client keeps posting batches to the other wards, single ``settled``
    records for one person of the first ward; for each, the time from the API's 202 to the
    person's ``period_scores.computed_at`` changing (read in the database): p50/p95, target p95 ≤
    2 s;
(c) the baseline in the same run: ``/healthz`` requests/second with the same number of
    connections, and the latency of a one-record POST with nothing else running; the ratios.

    .venv/bin/python bench/feeds.py --quick          # smoke test (~2 min, most of it seeding)
    .venv/bin/python bench/feeds.py                  # 4 wards, 4 clients, 30 s, 5,000 records
    .venv/bin/python bench/feeds.py --seconds 60 --clients 8 --samples 50

Prints a table and asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cli import bench_parser  # noqa: E402
from bench.server import create_database, psycopg_url  # noqa: E402

DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
APP_ROLE = "kpi_bench_feeds_app"
RLS_KEY = "bench-feeds-rls-scope-key-0123456789abcdef"  # the migration and the server share it


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def prepare(owner_url: str, units: int, instance: Path) -> tuple[str, list[dict]]:
    """Rebuild the database with ``units`` wards, each with its one-stop source and a token."""
    owner, app_url = create_database(owner_url, APP_ROLE)
    os.environ["KPI_DATABASE_APP_ROLE"] = APP_ROLE
    os.environ["KPI_RLS_KEY"] = RLS_KEY

    from flask_migrate import upgrade

    from tenant_app import create_app, demo, demo_feeds
    from tenant_app.extensions import db
    from tenant_app.models import Tenant, TenantStatus
    from tenant_app.security.passwords import hash_password
    from tenant_app.services.evaluation import periods
    from tenant_app.services.feeds import simulator, sources
    from tenant_app.tenancy import tenant_context

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": owner,
            "KPI_DATABASE_OWNER_URL": owner,
            "KPI_INSTANCE_DIR": str(instance),
            "KPI_SKIP_ROLE_CHECK": True,
            "KPI_REDIS_URL": None,
            "KPI_RLS_KEY": RLS_KEY,
        }
    )
    wards = []
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        password_hash = hash_password(demo.DEMO_PASSWORD)
        today = simulator.local_now().date()
        for n in range(units):
            slug = f"phuong-{n + 1:02d}"
            demo.seed_ward(slug, f"Phường thử {n + 1:02d}", TenantStatus.PILOT, 300 + n,
                           password_hash)  # fmt: skip
            tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one()
            with tenant_context(tenant):
                period = periods.open_period(year=today.year, number=today.month, kind="month")
                source, officers = demo_feeds.configure()
                token, _row = sources.issue_token(source)
                db.session.commit()
                wards.append(
                    {"slug": slug, "tenant_id": tenant.id, "token": token, "officers": officers,
                     "period_id": str(period.id), "period_end": period.ends_on}
                )  # fmt: skip
            print(f"  seeded {slug}: {len(officers)} mapped officers", flush=True)
        db.engine.dispose()
    return app_url, wards


class Api:
    """One keep-alive connection to the server, posting a ward's records with its token."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, token: str = ""):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for _attempt in range(2):  # once more on a keep-alive connection the server closed
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        return 0, b""

    def post(self, ward: dict, records: list[dict]):
        body = json.dumps({"records": records}, ensure_ascii=False).encode()
        return self.request(
            "POST", f"/api/v1/t/{ward['slug']}/feeds/mot-cua/records", body, ward["token"]
        )


def stream_for(ward: dict, run_id: str, seed: int):
    from tenant_app.services.feeds import simulator

    codes = sorted({c for cs in ward["officers"].values() for c in cs})
    return simulator.DossierStream(
        sorted(ward["officers"]), codes, run_id=run_id, rng=random.Random(seed),
        period_end=ward["period_end"], settle_after=1.0,
    )  # fmt: skip


def ingest(port, wards, clients, batch, seconds, tag, rate=None):
    """Post batches from ``clients`` threads for ``seconds`` (None: until the returned event is
    set), as fast as the server answers or at ``rate`` records/s per client; return the
    results per post."""
    from tenant_app.services.feeds import simulator

    stop = threading.Event()
    results: list[tuple[int, int, float]] = []  # (status, records, seconds)
    lock = threading.Lock()

    def loop(k: int):
        api = Api(port)
        streams = {w["slug"]: stream_for(w, f"{tag}{k:02d}", k) for w in wards}
        started = time.perf_counter()
        turn = k
        while not stop.is_set():
            ward = wards[turn % len(wards)]
            turn += 1
            records = streams[ward["slug"]].events(
                batch, simulator.local_now(), time.perf_counter() - started
            )
            t0 = time.perf_counter()
            status, _data = api.post(ward, records)
            with lock:
                results.append((status, len(records), time.perf_counter() - t0))
            if rate:
                stop.wait(max(0.0, len(records) / rate - (time.perf_counter() - t0)))

    threads = [threading.Thread(target=loop, args=(k,), daemon=True) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    if seconds is None:
        return stop, threads, results
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return time.perf_counter() - started, results


def decided(owner, since: datetime) -> tuple[int, int, int, datetime | None]:
    """(batches, processed batches, records in processed batches, last processed_at) since."""
    with owner.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT count(*), count(*) FILTER (WHERE status = 'processed'), "
                "coalesce(sum(record_count) FILTER (WHERE status = 'processed'), 0), "
                "max(processed_at) FROM feed_batches WHERE received_at >= :since"
            ),
            {"since": since},
        ).one()
    return int(row[0]), int(row[1]), int(row[2]), row[3]


def healthz(port: int, clients: int, seconds: float) -> float:
    stop = threading.Event()
    counts = [0] * clients

    def loop(k):
        api = Api(port)
        while not stop.is_set():
            status, _ = api.request("GET", "/healthz")
            counts[k] += status == 200

    threads = [threading.Thread(target=loop, args=(k,), daemon=True) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def computed_at(owner, ward: dict, staff_code: str):
    with owner.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT ps.computed_at FROM period_scores ps JOIN staff s "
                "ON s.tenant_id = ps.tenant_id AND s.id = ps.staff_id "
                "WHERE ps.tenant_id = :t AND ps.period_id = :p AND s.code = :c"
            ),
            {"t": ward["tenant_id"], "p": ward["period_id"], "c": staff_code},
        ).scalar()


def probe(api, owner, ward, officer, code, n, timeout=30.0) -> float | None:
    """Post one settled record for ``officer``; seconds from the 202 to their score's change."""
    from tenant_app.services.feeds import simulator

    now = simulator.local_now()
    before = computed_at(owner, ward, officer.removeprefix("MC-"))
    record = {"external_id": f"PROBE-{os.getpid()}-{n:05d}", "event": "settled",
              "officer": officer, "item_code": code, "occurred_at": now.isoformat(),
              "due_on": now.date().isoformat()}  # fmt: skip
    status, data = api.post(ward, [record])
    accepted = time.perf_counter()
    if status != 202:
        print(f"  probe {n}: HTTP {status} {data[:200]!r}", flush=True)
        return None
    while time.perf_counter() - accepted < timeout:
        after = computed_at(owner, ward, officer.removeprefix("MC-"))
        if after is not None and after != before:
            return time.perf_counter() - accepted
        time.sleep(0.01)
    return None


def start(cmd, env, log: Path):
    handle = log.open("wb")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def main(argv=None) -> int:
    parser = bench_parser(__doc__, database="kpi_bench_feeds", port=8767)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--units", type=int, default=4)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=30, help="latency probes")
    parser.add_argument("--feed-workers", type=int, default=2)
    parser.add_argument(
        "--scoring-workers", type=int, default=2, help="as the Helm chart's scoring pool (2)"
    )
    parser.add_argument(
        "--fork",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="workers fork a horse per job (default: as `kpi worker` decides)",
    )
    parser.add_argument(
        "--drain", type=float, default=120, help="seconds to wait for the workers after (a)"
    )
    parser.add_argument(
        "--background-rate",
        type=float,
        default=200,
        help="records/s the other wards post during (b) (default 200: a province's busiest hour "
        "is far below it); 0 = half the rate the workers decided in (a)",
    )
    parser.add_argument(
        "--background-batch",
        type=int,
        default=100,
        help="records per background batch during (b), as a live system sends them",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 2 wards, 2 clients, 1,000 records, 5 s"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.clients, args.units = 5, 2, 2
        args.batch, args.samples, args.drain = 1000, 8, 40
    args.units = max(2, args.units)

    from redis import Redis

    redis = Redis.from_url(args.redis_url)
    redis.flushdb()
    instance = Path(tempfile.mkdtemp(prefix="kpi-bench-feeds-"))
    owner_url = psycopg_url(args.database_url)
    print(f"code: {ROOT}; {os.cpu_count()} CPUs; load average {os.getloadavg()}", flush=True)
    print(f"preparing {args.units} wards on {make_url(owner_url).database} …", flush=True)
    t0 = time.perf_counter()
    app_url, wards = prepare(owner_url, args.units, instance)
    print(f"prepared in {time.perf_counter() - t0:.0f} s", flush=True)

    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KPI_ENV": "production",
        "KPI_SECRET_KEY": "f" * 48,
        "KPI_RLS_KEY": RLS_KEY,
        "KPI_DATABASE_URL": app_url,
        "KPI_DATABASE_OWNER_URL": owner_url,
        "KPI_DATABASE_APP_ROLE": APP_ROLE,
        "KPI_REDIS_URL": args.redis_url,
        "KPI_SESSION_COOKIE_SECURE": "false",
        "KPI_ACCESS_LOG": "off",
        "KPI_INSTANCE_DIR": str(instance),
        "KPI_BIND": f"127.0.0.1:{args.port}",
        "KPI_LOG_FORMAT": "json",
        "KPI_LOG_LEVEL": "warning",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    fork_flag = [] if args.fork is None else ["--fork" if args.fork else "--no-fork"]
    procs = [
        start([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
               "wsgi:app"], env, instance / "gunicorn.log")
    ]  # fmt: skip
    procs += [
        start([*flask, "worker", "feeds", *fork_flag], env, instance / f"feeds-{n}.log")
        for n in range(args.feed_workers)
    ]
    procs += [
        start([*flask, "worker", "scoring", *fork_flag], env, instance / f"scoring-{n}.log")
        for n in range(args.scoring_workers)
    ]
    owner = sa.create_engine(owner_url, pool_size=2)
    rows = []
    try:
        api = Api(args.port)
        for _ in range(90):
            if api.request("GET", "/readyz")[0] == 200:
                break
            time.sleep(1)
        else:
            print("server did not become ready", file=sys.stderr)
            return 1
        time.sleep(2)  # the workers connect
        first, others = wards[0], wards[1:]
        officer = sorted(first["officers"])[0]
        code = first["officers"][officer][0]

        # (c) baselines, nothing else running
        base = healthz(args.port, args.clients, min(5.0, args.seconds))
        single = []
        for n in range(10):
            record = {"external_id": f"BASE-{n}", "event": "received", "officer": officer,
                      "item_code": code, "occurred_at": datetime.now().astimezone().isoformat(),
                      "due_on": str(first["period_end"])}  # fmt: skip
            t = time.perf_counter()
            api.post(first, [record])
            single.append(time.perf_counter() - t)
        # the probe person has a score before the latency probes
        probe(api, owner, first, officer, code, 0)

        # (a) sustained ingestion
        print(f"load average before ingestion: {os.getloadavg()}", flush=True)
        since = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # naive UTC, as stored
        window, results = ingest(args.port, wards, args.clients, args.batch, args.seconds, "ING")
        ok = [(n, s) for status, n, s in results if status == 202]
        failed = sum(1 for status, _n, _s in results if status != 202)
        api_rate = sum(n for n, _s in ok) / window
        print(f"load average after ingestion: {os.getloadavg()}; waiting for the workers …",
              flush=True)  # fmt: skip
        end_of_window = time.perf_counter()
        deadline = end_of_window + args.drain
        while time.perf_counter() < deadline:
            total, done, records, last = decided(owner, since)
            if done >= total:
                break
            time.sleep(0.5)
        drain = time.perf_counter() - end_of_window
        total, done, records, last = decided(owner, since)
        if done < total:  # what is left would delay (b): the rate is measured already
            from rq import Queue

            Queue("feeds", connection=redis).empty()
            time.sleep(5)  # the batches the workers hold finish
            print(f"  {total - done} batches still queued after {args.drain:.0f} s: "
                  "the feeds queue is emptied before (b)", flush=True)  # fmt: skip
        decided_rate = records / max(1e-9, (last - since).total_seconds()) if last else 0.0
        rows.append(("(c) /healthz", f"{base:,.0f} req/s", f"{args.clients} connections", ""))
        rows.append(("(c) 1-record POST (idle)",
                     f"p50 {percentile(single, 50) * 1000:.0f} ms",
                     f"p95 {percentile(single, 95) * 1000:.0f} ms", ""))  # fmt: skip
        rows.append(("(a) accepted by the API", f"{api_rate:,.0f} records/s",
                     f"{len(ok)} batches of {args.batch}, {failed} failed; POST p50 "
                     f"{percentile([s for _n, s in ok], 50):.2f} s, p95 "
                     f"{percentile([s for _n, s in ok], 95):.2f} s",
                     "≥ 2,000/s " + ("met" if api_rate >= 2000 else "NOT met")))  # fmt: skip
        rows.append(("(a) decided by the workers", f"{decided_rate:,.0f} records/s",
                     f"{done}/{total} batches, {records:,} records decided; waited {drain:.1f} s "
                     f"after the window", "≥ 2,000/s " + ("met" if decided_rate >= 2000
                                                          else "NOT met")))  # fmt: skip
        rows.append(("(a)/(c) ratio", f"{api_rate / base:.1f} records",
                     "accepted per /healthz answered", ""))  # fmt: skip

        # (b) latency under a background load
        background_rate = args.background_rate or max(50.0, round(decided_rate / 2))
        stop, threads, background = ingest(
            args.port, others, 1, args.background_batch, None, "BG", rate=background_rate
        )
        time.sleep(1)
        latencies, lost = [], 0
        for n in range(1, args.samples + 1):
            took = probe(api, owner, first, officer, code, n)
            if took is None:
                lost += 1
            else:
                latencies.append(took)
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join()
        bg = sum(n for status, n, _s in background if status == 202)
        p95 = percentile(latencies, 95)
        rows.append(("(b) 202 → score updated", f"p50 {percentile(latencies, 50):.2f} s",
                     f"p95 {p95:.2f} s, max {max(latencies, default=float('nan')):.2f} s; "
                     f"{len(latencies)} probes, {lost} timed out; background {background_rate:,.0f}"
                     f" records/s ({bg:,} sent)",
                     "p95 ≤ 2 s " + ("met" if p95 <= 2 else "NOT met")))  # fmt: skip
        rows.append(("(b)/(c) ratio", f"{p95 / percentile(single, 50):.0f}×",
                     "p95 latency / idle 1-record POST p50", ""))  # fmt: skip
        print(f"load average at the end: {os.getloadavg()}")
        print()
        print(f"{'measure':30} {'value':>20}  detail")
        for name, value, detail, target in rows:
            print(f"{name:30} {value:>20}  {detail}{'  [' + target + ']' if target else ''}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        owner.dispose()
        redis.flushdb()
        if not args.keep:
            server = make_url(owner_url)
            admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)'))
                conn.execute(sa.text(f"DROP ROLE IF EXISTS {APP_ROLE}"))
            admin.dispose()
            shutil.rmtree(instance, ignore_errors=True)
        else:
            print(f"kept: database {make_url(owner_url).database}, logs in {instance}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
