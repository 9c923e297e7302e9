"""Province-scale scoring benchmark on PostgreSQL: bulk recompute and single-person re-score.

Creates a fresh database (``KPI_BENCH_DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/kpi_bench — an owner/superuser URL; the database named in it
is dropped and recreated), migrates it, loads a generated province with COPY, then measures as
the row-level-security-bound app role, like production:

1. a plain SELECT of the period's scoring input rows (assignments with reports, assessments,
   posts, staff) unit by unit — in this process and split over ``--workers`` spawned processes —
   against ``kpi recompute``'s code path (``recompute.recompute_tenant`` per unit, the units
   split over the same number of processes, each with its own app): wall time of the whole,
   CPU summed over the workers, and the ratio to the SELECT run the same way. Three runs: scores
   inserted; inputs unchanged (everyone skipped by digest); every stored digest made stale
   (scores updated). The comparison-figure refresh that each unit's commit triggers (inline
   without Redis; with ``--redis-url`` enqueued on rq, as in production) is timed apart;
2. the single-person re-score after one report changes (scores.rescore_person + commit) in
   units of about 334 people: p50/p95 over ``--samples`` people, wall and CPU, with and without
   the inline comparison-figure refresh.

Prints figures and asserts nothing. ``--scale 0.01`` is a quick run (3 units, 1,000 people).
Usage: ``.venv/bin/python bench/recompute.py [--scale 1.0] [--samples 200] [--workers 2]
[--redis-url URL] [--no-single-select]``
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import multiprocessing
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tenant_app.tenancy import rls  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kpi_bench"
APP_ROLE = "kpi_bench_app"
PERIOD_CODE = "2026-11"
# The key that signs the RLS scope (KPI_RLS_KEY): the app's and the plain baseline's.
RLS_KEY = "bench-rls-key-that-is-long-enough-0123456789"
ITEMS = 20
NOW = datetime(2026, 11, 1, 8, 0, 0)


def _uuid() -> uuid.UUID:
    return uuid.uuid4()


def _urls(raw: str) -> tuple[str, str, str]:
    """(owner URL of the bench database, app-role URL, maintenance URL), psycopg driver."""
    url = make_url(raw).set(drivername="postgresql+psycopg")
    owner = url.render_as_string(hide_password=False)
    app = url.set(username=APP_ROLE, password="kpi").render_as_string(hide_password=False)
    maintenance = url.set(database="postgres").render_as_string(hide_password=False)
    return owner, app, maintenance


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def create_database(owner_url: str, maintenance_url: str) -> None:
    name = make_url(owner_url).database
    with psycopg.connect(_plain(maintenance_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone():
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'kpi'")
        conn.execute(f'GRANT CONNECT ON DATABASE "{name}" TO {APP_ROLE}')


def _config(app_url: str, owner_url: str, tmp: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": app_url,
        "KPI_DATABASE_OWNER_URL": owner_url,
        "KPI_DATABASE_APP_ROLE": APP_ROLE,
        "KPI_INSTANCE_DIR": tmp,
        # --redis-url: jobs (the comparison-figure refresh after a commit) go to rq, as in
        # production; without it they run in-process, inside the commit being timed.
        "KPI_REDIS_URL": os.environ.get("KPI_BENCH_REDIS_URL") or None,
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "KPI_RLS_KEY": RLS_KEY,
    }


def migrate(owner_url: str, tmp: str) -> None:
    from flask_migrate import upgrade

    from tenant_app import create_app
    from tenant_app.extensions import db

    os.environ["KPI_DATABASE_APP_ROLE"] = APP_ROLE
    app = create_app({**_config(owner_url, owner_url, tmp), "KPI_SKIP_ROLE_CHECK": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    with psycopg.connect(_plain(owner_url), autocommit=True) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")


def _copy(conn, table: str, columns: list[str], rows) -> int:
    count = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(owner_url: str, tenants: int, people: int, seed: int = 2026) -> dict:
    """Load ``tenants`` units sharing ``people`` people, 20 assignments each, reports, reviews and
    manager assessments, in COPY batches (one transaction per table group)."""
    rng = random.Random(seed)
    per_tenant = [people // tenants + (1 if i < people % tenants else 0) for i in range(tenants)]
    counts = dict.fromkeys(("tenants", "staff", "assignments", "reports", "assessments"), 0)
    with psycopg.connect(_plain(owner_url)) as conn:
        tenant_rows = [
            (i + 1, f"bench-{i + 1:04d}", f"Phường thử nghiệm {i + 1}", "phuong", "active",
             "{}", NOW, NOW)
            for i in range(tenants)
        ]  # fmt: skip
        counts["tenants"] = _copy(
            conn,
            "tenants",
            ["id", "slug", "name", "kind", "status", "settings", "created_at", "updated_at"],
            tenant_rows,
        )
        conn.execute("SELECT setval('tenants_id_seq', %s)", (tenants,))
        structure = {}
        units, positions, items, versions, periods = [], [], [], [], []
        for tid in range(1, tenants + 1):
            unit, leader_pos, clerk_pos, period = _uuid(), _uuid(), _uuid(), _uuid()
            units.append((tid, unit, "UB", "UBND phường", "committee", True, NOW))
            positions.append((tid, leader_pos, "LD", "Chủ tịch", "leader_head", True, NOW))
            positions.append(
                (tid, clerk_pos, "CV", "Chuyên viên", "professional_common", True, NOW)
            )
            periods.append(
                (tid, period, "month", 2026, 11, PERIOD_CODE, date(2026, 11, 1),
                 date(2026, 11, 30), date(2026, 12, 3), date(2026, 12, 5), date(2026, 12, 8),
                 date(2026, 12, 10), "open", "nd335_2025", "{}", NOW)
            )  # fmt: skip
            tenant_items = []
            for k in range(ITEMS):
                item, version = _uuid(), _uuid()
                coefficient = rng.choice(("0.5", "1.0", "1.5", "2.0", "2.5", "5.0"))
                items.append(
                    (tid, item, "work_item", f"SP{k:02d}", f"Sản phẩm {k}", "hồ sơ", True,
                     "local", False, NOW)
                )  # fmt: skip
                versions.append((tid, version, item, date(2026, 1, 1), coefficient, NOW))
                tenant_items.append((item, version, coefficient))
            structure[tid] = (unit, leader_pos, clerk_pos, period, tenant_items)
        _copy(conn, "org_units", ["tenant_id", "id", "code", "name", "kind", "active",
                                  "created_at"], units)  # fmt: skip
        _copy(conn, "job_positions", ["tenant_id", "id", "code", "name", "position_group",
                                      "active", "created_at"], positions)  # fmt: skip
        _copy(conn, "catalogue_items", ["tenant_id", "id", "kind", "code", "name",
                                        "unit_of_measure", "active", "origin", "mandatory",
                                        "created_at"], items)  # fmt: skip
        _copy(conn, "catalogue_versions", ["tenant_id", "id", "item_id", "effective_from",
                                           "coefficient", "created_at"], versions)  # fmt: skip
        _copy(conn, "periods", ["tenant_id", "id", "kind", "year", "number", "code", "starts_on",
                                "ends_on", "report_until", "self_assessment_until",
                                "review_until", "approval_until", "status", "rule_set",
                                "params", "created_at"], periods)  # fmt: skip
        conn.commit()

        staff_rows, posts, assessments, people_ids = [], [], [], {}
        for tid in range(1, tenants + 1):
            unit, leader_pos, clerk_pos, period, _items = structure[tid]
            head = None
            ids = []
            for n in range(per_tenant[tid - 1]):
                sid = _uuid()
                ids.append(sid)
                staff_rows.append(
                    (tid, sid, f"NS{n:05d}", f"Nhân sự {tid}-{n}", "cong_chuc", head,
                     f"G{n % 3}", 8_000_000 + 100_000 * (n % 40), date(2025, 7, 1), NOW)
                )  # fmt: skip
                posts.append((tid, _uuid(), sid, unit, leader_pos if head is None else clerk_pos,
                              date(2025, 7, 1)))  # fmt: skip
                general = (
                    f'["{rng.randint(6, 10)}", "{rng.randint(6, 10)}", "{rng.randint(6, 10)}"]'
                )
                assessments.append(
                    (tid, _uuid(), period, sid, "manager", general,
                     None if head is not None else 90, NOW)
                )  # fmt: skip
                if head is None:
                    head = sid
            people_ids[tid] = ids
        counts["staff"] = _copy(conn, "staff", ["tenant_id", "id", "code", "full_name",
                                                "staff_type", "manager_id", "quota_group",
                                                "monthly_salary", "start_date", "created_at"],
                                staff_rows)  # fmt: skip
        _copy(conn, "staff_assignments", ["tenant_id", "id", "staff_id", "org_unit_id",
                                          "position_id", "effective_from"], posts)  # fmt: skip
        counts["assessments"] = _copy(conn, "assessments", ["tenant_id", "id", "period_id",
                                                            "staff_id", "stage", "general",
                                                            "organising", "updated_at"],
                                      assessments)  # fmt: skip
        conn.commit()
        del staff_rows, posts, assessments

        for tid in range(1, tenants + 1):
            _unit, _lp, _cp, period, tenant_items = structure[tid]
            assignment_rows, report_rows = [], []
            for sid in people_ids[tid]:
                for item, version, coefficient in tenant_items:
                    aid = _uuid()
                    quantity = rng.randint(1, 10)
                    done = quantity if rng.random() < 0.8 else rng.randint(0, quantity)
                    errors = rng.randint(0, min(done, 2)) if rng.random() < 0.1 else 0
                    delays = rng.randint(0, min(done, 2)) if rng.random() < 0.1 else 0
                    assignment_rows.append(
                        (tid, aid, period, sid, item, version, quantity, coefficient,
                         date(2026, 11, 25), False, NOW)
                    )  # fmt: skip
                    report_rows.append(
                        (tid, _uuid(), aid, done, date(2026, 11, 20), "accepted", "[]", NOW,
                         errors, delays, 0, 0, NOW, NOW)
                    )  # fmt: skip
            counts["assignments"] += _copy(
                conn, "assignments", ["tenant_id", "id", "period_id", "staff_id", "item_id",
                                      "version_id", "quantity", "coefficient", "due_on",
                                      "directing", "created_at"], assignment_rows)  # fmt: skip
            counts["reports"] += _copy(
                conn, "reports", ["tenant_id", "id", "assignment_id", "completed",
                                  "completed_on", "status", "links", "submitted_at",
                                  "major_errors", "delays", "exempt_errors", "exempt_delays",
                                  "reviewed_at", "updated_at"], report_rows)  # fmt: skip
            conn.commit()
    with psycopg.connect(_plain(owner_url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"counts": counts, "people": people_ids}


INPUT_QUERIES = (
    """SELECT a.*, r.* FROM assignments a
       LEFT JOIN reports r ON r.tenant_id = a.tenant_id AND r.assignment_id = a.id
       WHERE a.period_id = %(period)s""",
    "SELECT * FROM assessments WHERE period_id = %(period)s",
    "SELECT * FROM period_scores WHERE period_id = %(period)s",
    """SELECT sa.staff_id, p.position_group FROM staff_assignments sa
       JOIN job_positions p ON p.tenant_id = sa.tenant_id AND p.id = sa.position_id""",
    "SELECT id, manager_id FROM staff",
    "SELECT staff_id, reason FROM discipline_records",
)


def _select_unit(conn, tid: int) -> int:
    """Fetch every scoring input row of the period of unit ``tid`` under RLS; the row count.

    The scope is claimed as the app claims it (``rls.set_signed_scope``: the binding read, then
    the three settings with their signature), so the baseline pays the same two round trips."""
    rows = 0
    with conn.transaction():
        pid, usec = conn.execute(rls.BINDING_SQL).fetchone()
        sig = rls.scope_signature(rls.scope_key(RLS_KEY), rls.scope_claim(tid, False), pid, usec)
        conn.execute(
            "SELECT set_config('kpi.tenant_id', %s, true), "
            "set_config('kpi.cross_tenant', '', true), set_config('kpi.scope_sig', %s, true)",
            (str(tid), sig),
        )
        period = conn.execute("SELECT id FROM periods WHERE code = %s", (PERIOD_CODE,)).fetchone()[
            0
        ]
        for query in INPUT_QUERIES:
            rows += len(conn.execute(query, {"period": period}).fetchall())
    return rows


def plain_select(app_url: str, tenants: int) -> tuple[float, float, int]:
    """Fetch every scoring input row of the period, unit by unit, in this process, as the app.

    Returns (wall seconds, CPU seconds of this process, rows)."""
    rows = 0
    started, cpu = time.perf_counter(), time.process_time()
    with psycopg.connect(_plain(app_url)) as conn:
        for tid in range(1, tenants + 1):
            rows += _select_unit(conn, tid)
    return time.perf_counter() - started, time.process_time() - cpu, rows


class _Timed:
    """Wall and CPU seconds spent in a patched function (the comparison-figure refresh)."""

    def __init__(self):
        self.wall = self.cpu = 0.0
        self.calls = 0

    def wrap(self, func):
        def timed(*args, **kwargs):
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                self.wall += time.perf_counter() - started
                self.cpu += time.process_time() - cpu
                self.calls += 1

        return timed


def _time_refresh() -> _Timed:
    """Time ``aggregates.refresh_period``: the comparison figures rebuilt after each commit that
    changed scores (an after-commit hook enqueues it; without Redis it runs inline, in the
    committing process; with ``--redis-url`` it is a job on the ``scoring`` queue, not run here)."""
    from tenant_app.services.comparison import aggregates

    timed = _Timed()
    aggregates.refresh_period = timed.wrap(aggregates.refresh_period)
    return timed


def _worker(mode, app_url, owner_url, tmp, tenant_ids, counter, barrier, out) -> None:
    """One process of a parallel run: take the next unit until none is left, then report
    (wall, CPU, people or rows, errors, refresh wall, refresh CPU) on ``out``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["KPI_DATABASE_APP_ROLE"] = APP_ROLE

    def next_unit():
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        return tenant_ids[index] if index < len(tenant_ids) else None

    count, errors = 0, []
    if mode == "select":
        with psycopg.connect(_plain(app_url)) as conn:
            barrier.wait()
            started, cpu = time.perf_counter(), time.process_time()
            while (tid := next_unit()) is not None:
                count += _select_unit(conn, tid)
            out.put((time.perf_counter() - started, time.process_time() - cpu, count, [], 0, 0))
        return
    from tenant_app import create_app
    from tenant_app.extensions import db
    from tenant_app.services.evaluation.recompute import recompute_tenant

    app = create_app(_config(app_url, owner_url, tmp))
    timed = _time_refresh()
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # connect before the clock starts
        db.session.rollback()
        barrier.wait()
        started, cpu = time.perf_counter(), time.process_time()
        while (tid := next_unit()) is not None:
            result = recompute_tenant(tid, PERIOD_CODE)
            count += result.scored
            if result.error:
                errors.append(result.error)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.engine.dispose()
    out.put((wall, cpu, count, errors, timed.wall, timed.cpu))


def parallel(mode: str, workers: int, app_url: str, owner_url: str, tmp: str, tenants: int):
    """Run ``mode`` ("select" or "recompute") over every unit split across ``workers`` spawned
    processes (each takes the next unit from a shared counter). The clock starts when every
    process is ready (app created, connected) and stops when the last one is done.

    Returns (wall seconds, summed CPU seconds of the workers, rows or people, errors,
    refresh wall, refresh CPU)."""
    ctx = multiprocessing.get_context("spawn")
    counter = ctx.Value("i", 0)
    barrier = ctx.Barrier(workers + 1)
    out = ctx.Queue()
    ids = list(range(1, tenants + 1))
    processes = [
        ctx.Process(
            target=_worker, args=(mode, app_url, owner_url, tmp, ids, counter, barrier, out)
        )
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    reports = [out.get() for _ in processes]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
    return (
        wall,
        sum(r[1] for r in reports),
        sum(r[2] for r in reports),
        [e for r in reports for e in r[3]],
        sum(r[4] for r in reports),
        sum(r[5] for r in reports),
    )


def invalidate_digests(owner_url: str) -> int:
    """Make every stored score of the period look stale, so the next recompute rewrites all."""
    with psycopg.connect(_plain(owner_url), autocommit=True) as conn:
        return conn.execute(
            "UPDATE period_scores SET inputs_digest = 'stale' WHERE period_id IN "
            "(SELECT id FROM periods WHERE code = %s)",
            (PERIOD_CODE,),
        ).rowcount


def single_person(app, people: dict, samples: int, seed: int = 7) -> dict:
    """Change one report of a random person, then time rescore_person + commit.

    People are drawn from the units whose size is closest to 334 (the full-scale shape). The
    commit's after-commit hook rebuilds the unit's comparison figures (inline here, as there is
    no Redis; a job on the ``scoring`` queue in production): its share is timed apart."""
    from tenant_app.extensions import db
    from tenant_app.models.evaluation import Assignment, Period, Report
    from tenant_app.models.tenants import Tenant
    from tenant_app.services.evaluation import scores
    from tenant_app.tenancy.context import tenant_context

    rng = random.Random(seed)
    closest = min(abs(len(ids) - 334) for ids in people.values())
    units = [tid for tid, ids in people.items() if abs(len(ids) - 334) == closest]
    timed = _time_refresh()
    out = {"wall": [], "cpu": [], "refresh_wall": [], "refresh_cpu": [], "units": units,
           "size": len(people[units[0]])}  # fmt: skip
    with app.app_context():
        for _ in range(samples):
            tid = rng.choice(units)
            sid = rng.choice(people[tid])
            tenant = db.session.get(Tenant, tid)
            with tenant_context(tenant):
                period = db.session.execute(
                    sa.select(Period).where(Period.code == PERIOD_CODE)
                ).scalar_one()
                report = db.session.execute(
                    sa.select(Report)
                    .join(Assignment, sa.and_(Assignment.tenant_id == Report.tenant_id,
                                              Assignment.id == Report.assignment_id))
                    .where(Assignment.staff_id == sid)
                    .limit(1)
                ).scalar_one()  # fmt: skip
                report.delays = 0 if report.delays else min(1, int(report.completed))
                db.session.commit()
                refresh_wall, refresh_cpu = timed.wall, timed.cpu
                started, cpu = time.perf_counter(), time.process_time()
                scores.rescore_person(period, sid)
                db.session.commit()
                out["wall"].append(time.perf_counter() - started)
                out["cpu"].append(time.process_time() - cpu)
                out["refresh_wall"].append(timed.wall - refresh_wall)
                out["refresh_cpu"].append(timed.cpu - refresh_cpu)
            db.session.remove()
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _ms(values: list[float]) -> str:
    return f"p50 {_pct(values, 0.5) * 1000:.1f} ms, p95 {_pct(values, 0.95) * 1000:.1f} ms"


def _empty_queue() -> int:
    """With ``--redis-url``: drop the jobs this run left on the ``scoring`` queue (no worker
    runs them here); the number dropped."""
    url = os.environ.get("KPI_BENCH_REDIS_URL")
    if not url:
        return 0
    from redis import Redis
    from rq import Queue

    return Queue("scoring", connection=Redis.from_url(url)).empty()


def _refresh_note(wall: float, cpu: float) -> str:
    if os.environ.get("KPI_BENCH_REDIS_URL"):
        return f"comparison-figure refresh enqueued on rq, not run here ({_empty_queue()} jobs)"
    return (
        f"of which the comparison-figure refresh after each unit's commit (inline, no Redis): "
        f"{wall:.2f} s wall summed, {cpu:.2f} s CPU"
    )


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _peak_memory() -> str:
    """Peak resident memory so far: this process, and the largest of its finished workers (issue
    16: the full-scale recompute stays under 2 GB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return f"peak RSS: this process {own:.0f} MB, largest worker {workers:.0f} MB"


def _code_state() -> str:
    """The commit measured, and a digest of uncommitted changes if any (figures depend on it)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        diff = subprocess.run(
            ["git", "-C", str(root), "diff", "HEAD"], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return f"{root} (not a git checkout)"
    dirty = f" + uncommitted changes (diff sha256 {hashlib.sha256(diff).hexdigest()[:12]})"
    return f"{root} at {head}{dirty if diff else ''}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 300 units, 100,000 people")
    parser.add_argument("--tenants", type=int, default=None, help="override the unit count")
    parser.add_argument("--people", type=int, default=None, help="override the people count")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="processes for the full period")
    parser.add_argument(
        "--redis-url",
        help="Redis for rq (use a database nobody else uses, e.g. redis://127.0.0.1:6379/13): "
        "the refresh after a commit is enqueued as in production instead of run inline; the "
        "bench empties that database's 'scoring' queue before and after",
    )
    parser.add_argument(
        "--no-single-select",
        action="store_true",
        help="skip the single-process plain SELECT (printed beside the N-process one)",
    )
    args = parser.parse_args(argv)
    tenants = args.tenants or max(1, round(300 * args.scale))
    people = args.people or max(tenants, round(100_000 * args.scale))
    workers = max(1, args.workers)
    if args.redis_url:
        os.environ["KPI_BENCH_REDIS_URL"] = args.redis_url
        _empty_queue()
    owner_url, app_url, maintenance_url = _urls(
        os.environ.get("KPI_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    print(
        f"machine: {platform.platform()}, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}; {_load()} at the start",
        flush=True,
    )
    print(
        f"scale {args.scale}: {tenants} units, {people} people, {people * ITEMS} assignments; "
        f"{workers} worker processes; jobs "
        + (f"on rq at {args.redis_url}" if args.redis_url else "in-process (no Redis)"),
        flush=True,
    )
    print(f"code: {_code_state()}", flush=True)
    tmp = tempfile.mkdtemp(prefix="kpi-bench-")

    started = time.perf_counter()
    create_database(owner_url, maintenance_url)
    migrate(owner_url, tmp)
    print(f"database created and migrated in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    data = generate(owner_url, tenants, people)
    print(
        f"generated {data['counts']} in {time.perf_counter() - started:.1f} s; {_load()}",
        flush=True,
    )

    # The generated ids stay referenced; keep the collector from rescanning them during the
    # single-process SELECT (it would otherwise double that process's CPU time at full scale).
    gc.collect()
    gc.freeze()
    runs = (
        ("first run (scores inserted)", None),
        ("second run (inputs unchanged: every person skipped by digest)", None),
        ("third run (every stored digest made stale: scores updated)", invalidate_digests),
    )
    for label, before in runs:
        if before is not None:
            print(f"  made {before(owner_url)} stored digests stale", flush=True)
        if not args.no_single_select:
            s_wall, s_cpu, s_rows = plain_select(app_url, tenants)
            print(
                f"  plain SELECT, 1 process: {s_rows} rows in {s_wall:.2f} s wall "
                f"({s_cpu:.2f} s CPU)",
                flush=True,
            )
        sel = parallel("select", workers, app_url, owner_url, tmp, tenants)
        print(
            f"  plain SELECT, {workers} processes: {sel[2]} rows in {sel[0]:.2f} s wall "
            f"({sel[1]:.2f} s CPU summed); {_load()}",
            flush=True,
        )
        rec = parallel("recompute", workers, app_url, owner_url, tmp, tenants)
        if rec[3]:
            print(f"  ! {len(rec[3])} units failed, first: {rec[3][0]}")
        print(
            f"full-period recompute, {label}, {workers} processes: {rec[0]:.2f} s wall "
            f"({rec[1]:.2f} s CPU summed over the workers) for {rec[2]} people written; "
            f"ratio to the {workers}-process SELECT {rec[0] / sel[0]:.2f}x wall, "
            f"{rec[1] / max(sel[1], 1e-9):.1f}x CPU; {_refresh_note(rec[4], rec[5])}; {_load()}",
            flush=True,
        )
        print(f"  {_peak_memory()}", flush=True)

    from tenant_app import create_app

    app = create_app(_config(app_url, owner_url, tmp))
    single = single_person(app, data["people"], args.samples)
    without = [w - r for w, r in zip(single["wall"], single["refresh_wall"], strict=True)]
    without_cpu = [c - r for c, r in zip(single["cpu"], single["refresh_cpu"], strict=True)]
    print(
        f"single-person re-score after one report changes ({len(single['wall'])} samples, units "
        f"of {single['size']} people): rescore_person + commit {_ms(single['wall'])} wall "
        f"(max {max(single['wall']) * 1000:.1f} ms, mean "
        f"{statistics.mean(single['wall']) * 1000:.1f} ms), CPU {_ms(single['cpu'])}",
        flush=True,
    )
    if args.redis_url:
        print(f"  comparison-figure refresh enqueued on rq ({_empty_queue()} jobs left)")
    else:
        print(
            f"  of which the comparison-figure refresh run inline by the commit hook: "
            f"{_ms(single['refresh_wall'])} wall; without it (as with Redis, where it is a "
            f"job): {_ms(without)} wall, CPU {_ms(without_cpu)}",
            flush=True,
        )
    print(f"{_load()} at the end; {_peak_memory()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
