"""One long-lived feed worker across many large batches: seconds per batch, memory, GC, plans.

Measurement only, asserts nothing (issue 14: a no-fork worker decided 5,000-record batches about
3× slower than forking workers in the full ``bench/feeds.py`` run).

Once (or again with ``--reseed``), it builds a seed database ``<name>_seed`` from the owner URL
(``KPI_BENCH_DATABASE_URL``, default ``kpi_bench_feedprof`` on the local server): ``--units``
demo wards with the demo's one-stop source (``bench/feeds.py``'s ``prepare``), then stores
``--batches`` batches of ``--batch`` realistic records (the simulator's dossier stream, the same
as ``bench/feeds.py`` posts) through the intake service as the RLS-bound role, the wards taking
turns. Their jobs go to Redis (``--redis-url``, default database 7, emptied) and are not run.

Each run then copies the seed to ``<name>`` (``CREATE DATABASE … TEMPLATE``, so every variant
starts from the same rows) and decides the stored batches one after another IN THIS PROCESS,
as ``kpi worker feeds`` without fork does: ``runner.execute`` of ``FEED_PROCESS_BATCH`` with the
job's arguments, inside the app context, the same engine and connection pool throughout. Per
batch it prints the seconds, the process's RSS, the garbage collections and their time, and the
server-side prepared statements of the worker's connection (how many run with a generic plan).

Variants (one per run; compare the curves):

    --fresh-connection-per-batch   dispose the engine after each batch (a forked horse's
                                   connection lived for one job)
    --prepare-threshold none|N     psycopg's prepare_threshold (psycopg's default: 5, the
                                   app's before issue 14; ``none``, the app's now, never prepares)
    --no-prepare                   the same as ``--prepare-threshold none``
    --plan-cache-mode MODE         the session's plan_cache_mode (auto, force_custom_plan, …);
                                   since the app prepares nothing, with --prepare-threshold 5
    --gc-freeze                    gc.freeze() after the app is built, as a forking server does
    --statements                   also time every SQL statement: the slowest kinds per batch
    --profile N                    cProfile batch N (1-based) and print its top functions

    .venv/bin/python bench/feed_worker.py                       # seed (~30 s) and one run
    .venv/bin/python bench/feed_worker.py --reuse-seed --no-prepare
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import feeds as feeds_bench  # noqa: E402  (bench/feeds.py: prepare, stream_for)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kpi_bench_feedprof"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
APP_ROLE = "kpi_bench_feedprof_app"
feeds_bench.APP_ROLE = APP_ROLE  # prepare() creates and grants this role, not bench/feeds.py's


def _admin(url):
    return sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _exists(url) -> bool:
    admin = _admin(url)
    with admin.connect() as conn:
        found = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": url.database}
        ).first()
    admin.dispose()
    return found is not None


def _app(db_url: str, owner_url: str, redis_url: str, instance: Path, engine_options=None):
    from tenant_app import create_app

    config = {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "KPI_DATABASE_OWNER_URL": owner_url,
        "KPI_DATABASE_APP_ROLE": APP_ROLE,
        "KPI_RLS_KEY": feeds_bench.RLS_KEY,
        "KPI_REDIS_URL": redis_url,
        "KPI_INSTANCE_DIR": str(instance),
    }
    if engine_options is not None:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    return create_app(config)


def seed(seed_url, args, instance: Path) -> None:
    """The seed database: the wards, their source, and the stored (undecided) batches."""
    from redis import Redis

    owner = seed_url.render_as_string(hide_password=False)
    print(f"seeding {seed_url.database}: {args.units} wards …", flush=True)
    t0 = time.perf_counter()
    app_url, wards = feeds_bench.prepare(owner, args.units, instance)
    print(f"  wards in {time.perf_counter() - t0:.0f} s", flush=True)
    Redis.from_url(args.redis_url).flushdb()
    app = _app(app_url, owner, args.redis_url, instance)

    from tenant_app.extensions import db
    from tenant_app.models import Tenant
    from tenant_app.models.feeds import FeedSource
    from tenant_app.services.feeds import intake, simulator
    from tenant_app.tenancy import tenant_context

    streams = {w["slug"]: feeds_bench.stream_for(w, f"FW{n:02d}", n) for n, w in enumerate(wards)}
    with app.app_context():
        for n in range(args.batches):
            ward = wards[n % len(wards)]
            # Each turn of a ward is one "second" of its stream: the follow-ups (settled,
            # returned) of the dossiers received in its previous batch come first.
            records = streams[ward["slug"]].events(
                args.batch, simulator.local_now(), float(n // len(wards) + 1)
            )
            tenant = db.session.get(Tenant, ward["tenant_id"])
            with tenant_context(tenant):
                source = db.session.execute(
                    sa.select(FeedSource).where(FeedSource.code == "mot-cua")
                ).scalar_one()
                intake.receive(source, records, channel="api")
            db.session.remove()
        db.engine.dispose()
    Redis.from_url(args.redis_url).flushdb()
    print(f"  {args.batches} batches of {args.batch} stored in {time.perf_counter() - t0:.0f} s",
          flush=True)  # fmt: skip


def clone(seed_url, run_url) -> None:
    admin = _admin(run_url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{run_url.database}" WITH (FORCE)'))
        conn.execute(
            sa.text(f'CREATE DATABASE "{run_url.database}" TEMPLATE "{seed_url.database}"')
        )
    admin.dispose()


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class GcTimer:
    """Counts collections per generation and their time (gc.callbacks)."""

    def __init__(self):
        self.count = [0, 0, 0]
        self.seconds = 0.0
        self._t = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase, info):
        if phase == "start":
            self._t = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._t
            self.count[info["generation"]] += 1

    def take(self):
        out = (tuple(self.count), self.seconds)
        self.count, self.seconds = [0, 0, 0], 0.0
        return out


_LITERALS = re.compile(r"%\(\w+\)s|\$\d+|\s+")


class StatementTimer:
    """Wall time of every statement the engine runs, by the statement's first 90 characters."""

    def __init__(self, engine):
        self.by: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["kpi_t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        key = _LITERALS.sub(" ", statement)[:90]
        entry = self.by[key]
        entry[0] += 1
        entry[1] += time.perf_counter() - conn.info.pop("kpi_t0", time.perf_counter())

    def take(self, top: int = 6):
        out = sorted(self.by.items(), key=lambda kv: -kv[1][1])[:top]
        self.by.clear()
        return out


class PreparedWatch:
    """The server-side prepared statements of each pooled connection, read when it is returned
    to the pool (``pg_prepared_statements`` is per session): their count and plans."""

    QUERY = (
        "SELECT generic_plans, custom_plans, left(regexp_replace(statement, '\\s+', ' ', 'g'),"
        " 150) FROM pg_prepared_statements ORDER BY generic_plans DESC, custom_plans DESC"
    )

    def __init__(self, engine):
        self.by_connection: dict[int, list[tuple]] = {}
        sa.event.listen(engine, "checkin", self._checkin)

    def _checkin(self, dbapi_connection, record):
        if dbapi_connection is None:
            return
        try:
            with dbapi_connection.cursor() as cur:
                cur.execute(self.QUERY, prepare=False)
                self.by_connection[id(dbapi_connection)] = cur.fetchall()
            # COMMIT, not ROLLBACK: psycopg forgets every prepared statement at a ROLLBACK.
            dbapi_connection.commit()
        except Exception as exc:  # measurement only: never break the run
            print(f"  (prepared statements not read: {exc})")

    def summary(self) -> str:
        rows = [r for rs in self.by_connection.values() for r in rs]
        return (
            f"{len(self.by_connection)}c {len(rows)} "
            f"({sum(r[0] for r in rows)}/{sum(r[1] for r in rows)})"
        )

    def forget(self):
        self.by_connection.clear()

    def top(self, n: int = 12) -> list[tuple]:
        rows = [r for rs in self.by_connection.values() for r in rs]
        return sorted(rows, key=lambda r: (-r[0], -r[1]))[:n]


def engine_options(args) -> dict | None:
    if args.no_prepare:
        args.prepare_threshold = "none"
    connect_args: dict = {}
    if args.prepare_threshold is not None:
        value = args.prepare_threshold.lower()
        connect_args["prepare_threshold"] = None if value == "none" else int(value)
    if args.plan_cache_mode:
        connect_args["options"] = f"-c plan_cache_mode={args.plan_cache_mode}"
    if not connect_args:
        return None
    from tenant_app import config as settings

    options = dict(settings.load()["SQLALCHEMY_ENGINE_OPTIONS"])
    options["connect_args"] = {**options.get("connect_args", {}), **connect_args}
    return options


def run(run_url, args, instance: Path) -> None:
    from redis import Redis

    owner = run_url.render_as_string(hide_password=False)
    app_url = run_url.set(username=APP_ROLE, password="bench").render_as_string(hide_password=False)
    options = engine_options(args)
    Redis.from_url(args.redis_url).flushdb()
    app = _app(app_url, owner, args.redis_url, instance, options)

    from tenant_app.background import paths, runner
    from tenant_app.extensions import db

    runner.bind_app(app)
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    owner_engine = sa.create_engine(owner, pool_size=1)
    with owner_engine.connect() as conn:
        jobs = conn.execute(
            sa.text(
                "SELECT tenant_id, id, job_run_id, record_count FROM feed_batches "
                "WHERE status = 'received' ORDER BY received_at"
            )
        ).all()
    owner_engine.dispose()
    gc_timer = GcTimer()
    with app.app_context():
        statements = StatementTimer(db.engine) if args.statements else None
        watch = PreparedWatch(db.engine) if db.engine.dialect.name == "postgresql" else None
    variant = ", ".join(
        name
        for name, on in (
            ("fresh connection per batch", args.fresh_connection_per_batch),
            (f"prepare_threshold={args.prepare_threshold}", args.prepare_threshold is not None),
            (f"plan_cache_mode={args.plan_cache_mode}", bool(args.plan_cache_mode)),
            ("gc.freeze()", args.gc_freeze),
        )
        if on
    )
    print(f"variant: {variant or 'as configured (a no-fork worker)'}; engine options {options}")
    print(f"load average {os.getloadavg()}")
    print(f"{'batch':>5} {'records':>7} {'seconds':>8} {'rec/s':>7} {'RSS MiB':>8} "
          f"{'gc gen0/1/2':>12} {'gc s':>6} {'conns, prepared (generic/custom)':>34}")  # fmt: skip
    seconds = []
    for n, (tenant_id, batch_id, run_id, count) in enumerate(jobs, start=1):
        profiler = cProfile.Profile() if args.profile == n else None
        t0 = time.perf_counter()
        with app.app_context():  # as rq's perform_job in the worker (_InApp)
            if profiler:
                profiler.enable()
            runner.execute(paths.FEED_PROCESS_BATCH, tenant_id, str(run_id), (str(batch_id),), {})
            if profiler:
                profiler.disable()
        took = time.perf_counter() - t0
        seconds.append(took)
        plans_text = watch.summary() if watch else ""
        if args.fresh_connection_per_batch:
            with app.app_context():
                db.engine.dispose()
            if watch:
                watch.forget()
        collections, gc_seconds = gc_timer.take()
        print(f"{n:>5} {count:>7} {took:>8.2f} {count / took:>7.0f} {rss_mib():>8.0f} "
              f"{'/'.join(map(str, collections)):>12} {gc_seconds:>6.2f} {plans_text:>34}",
              flush=True)  # fmt: skip
        if statements:
            for key, (calls, spent) in statements.take():
                print(f"        {spent:6.2f} s {calls:5d}×  {key}")
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(25)
    if not seconds:
        print("no stored batch to decide (was the seed built?)")
        return
    total = sum(count for *_rest, count in jobs)
    print(f"total {total} records in {sum(seconds):.1f} s: {total / sum(seconds):,.0f} rec/s; "
          f"first {seconds[0]:.2f} s, last {seconds[-1]:.2f} s, max {max(seconds):.2f} s; "
          f"load average {os.getloadavg()}")  # fmt: skip
    if watch and not args.fresh_connection_per_batch:
        print("prepared statements of the worker's connections (generic, custom plans):")
        for generic, custom, text in watch.top():
            print(f"  {generic:4d} {custom:4d}  {text}")
    with app.app_context():
        db.engine.dispose()
    Redis.from_url(args.redis_url).flushdb()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("KPI_BENCH_DATABASE_URL",
                                                                 DEFAULT_URL))  # fmt: skip
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--units", type=int, default=2)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--reuse-seed", action="store_true", help="keep the seed if it exists")
    parser.add_argument("--fresh-connection-per-batch", action="store_true")
    parser.add_argument("--prepare-threshold", default=None, metavar="none|N")
    parser.add_argument("--no-prepare", action="store_true")
    parser.add_argument("--plan-cache-mode", default=None)
    parser.add_argument("--gc-freeze", action="store_true")
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--drop", action="store_true", help="drop both databases at the end")
    args = parser.parse_args(argv)

    base = make_url(args.database_url).set(drivername="postgresql+psycopg")
    seed_url = base.set(database=f"{base.database}_seed")
    instance = Path(tempfile.mkdtemp(prefix="kpi-bench-feedprof-"))
    print(f"code: {ROOT}; {os.cpu_count()} CPUs; load average {os.getloadavg()}", flush=True)
    if not (args.reuse_seed and _exists(seed_url)):
        seed(seed_url, args, instance)
    clone(seed_url, base)
    run(base, args, instance)
    if args.drop:
        admin = _admin(base)
        with admin.connect() as conn:
            for url in (base, seed_url):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
