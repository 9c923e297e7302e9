"""Province-scale scoring benchmark on PostgreSQL: bulk recompute and single-person re-score.

Creates a fresh database (``KPI_BENCH_DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/kpi_bench — an owner/superuser URL; the database named in it
is dropped and recreated), migrates it, loads a generated province with COPY, then measures as
the row-level-security-bound app role, like production:

1. a plain SELECT of the period's scoring input rows (assignments with reports, assessments,
   posts, staff) tenant by tenant, against ``kpi recompute``'s code path
   (tenant_app.services.recompute) over the same rows — both times and their ratio, for the first
   run (scores inserted) and a second one (scores updated);
2. the single-person re-score after one report changes (scores.rescore_person + commit):
   p50/p95 over ``--samples`` people.

Prints figures and asserts nothing. ``--scale 0.01`` is a quick run (3 units, 1,000 people).
Usage: ``.venv/bin/python bench/recompute.py [--scale 1.0] [--samples 200]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
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

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kpi_bench"
APP_ROLE = "kpi_bench_app"
PERIOD_CODE = "2026-11"
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
        "KPI_REDIS_URL": None,
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
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


def plain_select(app_url: str, tenants: int) -> tuple[float, float, int]:
    """Fetch every scoring input row of the period, tenant by tenant, under RLS as the app.

    Returns (wall seconds, CPU seconds of this process, rows)."""
    rows = 0
    started, cpu = time.perf_counter(), time.process_time()
    with psycopg.connect(_plain(app_url)) as conn:
        for tid in range(1, tenants + 1):
            with conn.transaction():
                conn.execute("SELECT set_config('kpi.tenant_id', %s, true)", (str(tid),))
                period = conn.execute(
                    "SELECT id FROM periods WHERE code = %s", (PERIOD_CODE,)
                ).fetchone()[0]
                for query in INPUT_QUERIES:
                    rows += len(conn.execute(query, {"period": period}).fetchall())
    return time.perf_counter() - started, time.process_time() - cpu, rows


def recompute(app) -> tuple[float, float, int]:
    """Run kpi recompute's service over every unit: (wall seconds, CPU seconds, people)."""
    from tenant_app.services.recompute import recompute_period

    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        results = recompute_period(PERIOD_CODE)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    failed = [r for r in results if r.error]
    if failed:
        print(f"  ! {len(failed)} units failed, first: {failed[0].error}")
    return seconds, cpu, sum(r.scored for r in results)


def single_person(app, people: dict, samples: int, seed: int = 7) -> tuple[list, list]:
    """Change one report of a random person, then time rescore_person + commit."""
    from tenant_app.extensions import db
    from tenant_app.models.evaluation import Assignment, Period, Report
    from tenant_app.models.tenants import Tenant
    from tenant_app.services import scores
    from tenant_app.tenancy.context import tenant_context

    rng = random.Random(seed)
    timings, cpu_timings = [], []
    with app.app_context():
        for _ in range(samples):
            tid = rng.choice(list(people))
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
                started, cpu = time.perf_counter(), time.process_time()
                scores.rescore_person(period, sid)
                db.session.commit()
                timings.append(time.perf_counter() - started)
                cpu_timings.append(time.process_time() - cpu)
            db.session.remove()
    return timings, cpu_timings


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 300 units, 100,000 people")
    parser.add_argument("--tenants", type=int, default=None, help="override the unit count")
    parser.add_argument("--people", type=int, default=None, help="override the people count")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)
    tenants = args.tenants or max(1, round(300 * args.scale))
    people = args.people or max(tenants, round(100_000 * args.scale))
    owner_url, app_url, maintenance_url = _urls(
        os.environ.get("KPI_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"scale {args.scale}: {tenants} units, {people} people, {people * ITEMS} assignments")
    print(f"load average at the start: {os.getloadavg()}")
    tmp = tempfile.mkdtemp(prefix="kpi-bench-")

    started = time.perf_counter()
    create_database(owner_url, maintenance_url)
    migrate(owner_url, tmp)
    print(f"database created and migrated in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    data = generate(owner_url, tenants, people)
    print(f"generated {data['counts']} in {time.perf_counter() - started:.1f} s")

    from tenant_app import create_app

    app = create_app(_config(app_url, owner_url, tmp))
    for label in ("first run (scores inserted)", "second run (scores updated)"):
        select_s, select_cpu, rows = plain_select(app_url, tenants)
        recompute_s, recompute_cpu, scored = recompute(app)
        print(
            f"full-period recompute, {label}: {recompute_s:.2f} s wall ({recompute_cpu:.2f} s "
            f"app CPU) for {scored} people; plain SELECT of the {rows} input rows: "
            f"{select_s:.2f} s wall ({select_cpu:.2f} s CPU); ratio {recompute_s / select_s:.1f}x"
        )
    timings, cpu_timings = single_person(app, data["people"], args.samples)
    print(
        f"single-person re-score after one report changes ({len(timings)} samples): "
        f"p50 {_pct(timings, 0.5) * 1000:.1f} ms, p95 {_pct(timings, 0.95) * 1000:.1f} ms, "
        f"max {max(timings) * 1000:.1f} ms, mean {statistics.mean(timings) * 1000:.1f} ms; "
        f"app CPU p50 {_pct(cpu_timings, 0.5) * 1000:.1f} ms, "
        f"p95 {_pct(cpu_timings, 0.95) * 1000:.1f} ms"
    )
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
