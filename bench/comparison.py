"""Province comparison benchmark on PostgreSQL: every unit side by side from precomputed figures.

Creates a fresh database (``KPI_BENCH_DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/kpi_bench_cmp — an owner/superuser URL; the database named
in it is dropped and recreated), migrates it, loads a generated province with COPY (two published
months, ``2026-09`` and ``2026-10``: period scores, 5–10 assignments per person and month over 30
catalogue items whose canonical codes every unit shares, each with a report), then measures as
the row-level-security-bound app role, like production:

1. building the precomputed figures: ``aggregates.refresh_scope("2026-10")`` for every unit in
   its context, one commit each (total, per unit p50/p95); then the real jobs of
   tenant_app.jobs.comparison through the job runner on ``--samples`` units: ``refresh_tenant``
   (nightly, every scope) and ``refresh_period`` of 2026-10 (after a change). ``--build all``
   runs ``refresh_tenant`` on every unit instead (about 7 s per unit on 2 CPUs: 35+ minutes);
2. ``compare("2026-10", None, "published")`` inside the audited door
   (``tenancy.door.cross_tenant_read``) as a province auditor, warm, ``--repeat`` times: p50/p95;
   the HTTP API and page (``GET /api/v1/province/comparison``, ``GET /admin/comparison``) on the
   production server (gunicorn) when the app has them;
3. the baseline, in the same run: the same per-unit figures computed live from ``period_scores``,
   ``reports`` and ``staff`` with GROUP BY queries across all units (what the comparison would
   cost without the precomputed rows), and the ratio baseline / precomputed;
4. ``item_comparison`` of one shared code, ``item_spread`` and ``shared_items``.

Prints figures and asserts nothing. ``--scale 0.01`` is a quick run (3 units, 1,000 people).
Usage: ``.venv/bin/python bench/comparison.py [--scale 1.0] [--repeat 30] [--explain]``;
``--reuse`` keeps the database of an earlier run of the same scale (no generation; the figures are
rebuilt only if missing; ``--samples 0`` skips the sampled jobs), ``--profile N`` prints cProfile's
top costs of N page and N API requests (in-process, test client).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from recompute import (  # noqa: E402  (bench/ is not a package)
    APP_ROLE,
    _config,
    _copy,
    _pct,
    _plain,
    _urls,
    create_database,
    migrate,
)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kpi_bench_cmp"
SCOPE = "2026-10"
MONTHS = (9, 10)  # 2026-09 and 2026-10, both published
ITEMS = 30
RULE_SET = "nd335_2025"
NOW = datetime(2026, 11, 20, 8, 0, 0)
PASSWORD = "Bench-comparison-2026!"
API_PATH = "/api/v1/province/comparison"
PAGE_PATH = "/admin/comparison"
NULL = "\\N"  # NULL in COPY's text format
# The RLS scope key (migration 0012): the migrations, this process and the measured server share it.
RLS_KEY = "bench-comparison-rls-scope-key-0123456789abcdef"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _id(table: int, tenant: int, n: int) -> str:
    """A deterministic UUID (text): which table, which unit, which row — cheap and reproducible."""
    return f"{table:08x}-{tenant:04x}-4000-8000-{n:012x}"


def _copy_lines(conn, table: str, columns: list[str], lines) -> int:
    """COPY pre-formatted text rows (tab-separated, ``\\N`` for NULL) in large writes.

    ``recompute._copy`` (one ``write_row`` per row) is fine for thousands of rows; for the
    millions of assignments and reports, formatting the text here is several times faster."""
    count, batch = 0, []
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for line in lines:
            batch.append(line)
            if len(batch) >= 20_000:
                copy.write("\n".join(batch) + "\n")
                count += len(batch)
                batch = []
        if batch:
            copy.write("\n".join(batch) + "\n")
            count += len(batch)
    return count


def _month(month: int) -> dict:
    starts = date(2026, month, 1)
    ends = date(2026, month + 1, 1) - timedelta(days=1)
    report_until = ends + timedelta(days=3)
    # The report deadline, as the aggregates compute it: end of report_until in Hanoi, naive UTC.
    deadline = datetime.combine(report_until + timedelta(days=1), datetime.min.time()) - timedelta(
        hours=7
    )
    return {
        "code": f"2026-{month:02d}",
        "starts": starts,
        "ends": ends,
        "report_until": report_until,
        "deadline": deadline,
        "published_at": datetime.combine(ends + timedelta(days=15), datetime.min.time()),
    }


def _grade(total: float) -> str:
    if total >= 90:
        return "HTXS"
    if total >= 70:
        return "HTT"
    return "HTNV" if total >= 50 else "KHTNV"


def generate(owner_url: str, tenants: int, people: int, seed: int = 2026) -> dict:
    """Load the province: units, their managers' accounts, 30 shared items, two published months,
    staff, then per unit and month the period scores, assignments and reports (COPY)."""
    rng = random.Random(seed)
    per_tenant = [people // tenants + (1 if i < people % tenants else 0) for i in range(tenants)]
    months = {m: _month(m) for m in MONTHS}
    counts = dict.fromkeys(("tenants", "staff", "period_scores", "assignments", "reports"), 0)
    with psycopg.connect(_plain(owner_url)) as conn:
        try:  # skip the foreign-key triggers while loading rows that are consistent by build
            conn.execute("SET session_replication_role = replica")
        except psycopg.Error:
            conn.rollback()
        tenant_rows = [
            (i + 1, f"bench-{i + 1:04d}", f"Phường so sánh {i + 1:03d}", "phuong", "active", "{}",
             NOW, NOW)
            for i in range(tenants)
        ]  # fmt: skip
        counts["tenants"] = _copy(
            conn,
            "tenants",
            ["id", "slug", "name", "kind", "status", "settings", "created_at", "updated_at"],
            tenant_rows,
        )
        conn.execute("SELECT setval('tenants_id_seq', %s)", (tenants,))
        users, items, versions, periods, staff = [], [], [], [], []
        structure = {}
        for tid in range(1, tenants + 1):
            reviewers = [_id(1, tid, j) for j in range(max(1, per_tenant[tid - 1] // 30))]
            for j, reviewer in enumerate(reviewers):  # a manager reviews about 30 people
                users.append(
                    (tid, reviewer, '["manager"]', f"quanly{j}", f"Quản lý {tid}-{j}", "!", True,
                     False, 0, 0, NOW)
                )  # fmt: skip
            tenant_items = []
            for k in range(ITEMS):
                item, version = _id(2, tid, k), _id(3, tid, k)
                coefficient = rng.choice(("0.5", "1.0", "1.5", "2.0", "2.5", "5.0"))
                items.append(
                    (tid, item, "work_item", f"SP{k:02d}", f"Hồ sơ dùng chung loại {k:02d}",
                     "hồ sơ", True, "template", f"CC{k:02d}", False, NOW)
                )  # fmt: skip
                versions.append((tid, version, item, date(2026, 1, 1), coefficient, NOW))
                tenant_items.append((item, version, coefficient))
            period_ids = {}
            for m, info in months.items():
                period_ids[m] = _id(4, tid, m)
                periods.append(
                    (tid, period_ids[m], "month", 2026, m, info["code"], info["starts"],
                     info["ends"], info["report_until"], info["report_until"] + timedelta(days=2),
                     info["report_until"] + timedelta(days=5),
                     info["report_until"] + timedelta(days=7), "closed", RULE_SET, "{}",
                     info["published_at"], NOW)
                )  # fmt: skip
            # A unit's profile: most are ordinary; a few raise the comparison's warning signs.
            kind = rng.random()
            profile = {
                "mean": rng.uniform(66, 78),
                "sd": rng.uniform(5, 9),
                "self_equal": 0.3,
                "rush": 0.03,
                "exempt": 0.008,  # share of errors and delays exempted
                "lenient": False,  # one manager reviews and exempts everything
                "revised": 0.0,  # share of scores changed after publication
            }
            if kind < 0.03:
                profile["sd"] = 0.3  # uniform scores
            elif kind < 0.06:
                profile["mean"], profile["sd"] = 93, 3  # inflated grades
            elif kind < 0.09:
                profile["self_equal"] = 1.0  # self score always the manager's
            elif kind < 0.12:
                profile["rush"] = 0.6  # reports rushed in before the deadline
            elif kind < 0.15:
                profile["exempt"], profile["lenient"] = 0.5, True
            elif kind < 0.18:
                profile["revised"] = 0.01
            ids = []
            for n in range(per_tenant[tid - 1]):
                sid = _id(5, tid, n)
                ids.append(sid)
                staff.append(
                    (tid, sid, f"NS{n:05d}", f"Nhân sự {tid}-{n}", "cong_chuc",
                     None if n == 0 else ids[0], f"G{n % 3}", 8_000_000 + 100_000 * (n % 40),
                     date(2025, 7, 1), NOW)
                )  # fmt: skip
            structure[tid] = (reviewers, tenant_items, period_ids, profile, ids)
        _copy(conn, "users", ["tenant_id", "id", "roles", "username", "full_name",
                              "password_hash", "active", "must_change_password", "failed_logins",
                              "session_epoch", "created_at"], users)  # fmt: skip
        _copy(conn, "catalogue_items", ["tenant_id", "id", "kind", "code", "name",
                                        "unit_of_measure", "active", "origin", "canonical_code",
                                        "mandatory", "created_at"], items)  # fmt: skip
        _copy(conn, "catalogue_versions", ["tenant_id", "id", "item_id", "effective_from",
                                           "coefficient", "created_at"], versions)  # fmt: skip
        _copy(conn, "periods", ["tenant_id", "id", "kind", "year", "number", "code", "starts_on",
                                "ends_on", "report_until", "self_assessment_until",
                                "review_until", "approval_until", "status", "rule_set", "params",
                                "published_at", "created_at"], periods)  # fmt: skip
        counts["staff"] = _copy(conn, "staff", ["tenant_id", "id", "code", "full_name",
                                                "staff_type", "manager_id", "quota_group",
                                                "monthly_salary", "start_date", "created_at"],
                                staff)  # fmt: skip
        conn.commit()
        del users, items, versions, periods, staff

        score_columns = ["tenant_id", "id", "period_id", "staff_id", "a", "b", "c", "task_score",
                         "task_points", "general_points", "total", "grade", "self_total",
                         "forced_fail", "stage", "explanation", "rule_set", "inputs_digest",
                         "revisions_after_publication", "computed_at"]  # fmt: skip
        assignment_columns = ["tenant_id", "id", "period_id", "staff_id", "item_id", "version_id",
                              "quantity", "coefficient", "due_on", "directing",
                              "created_at"]  # fmt: skip
        report_columns = ["tenant_id", "id", "assignment_id", "completed", "completed_on",
                          "status", "links", "submitted_at", "major_errors", "delays",
                          "exempt_errors", "exempt_delays", "reviewed_by", "reviewed_at",
                          "returned_count", "updated_at"]  # fmt: skip
        digest = "0" * 64
        chunk = max(1, 20_000 // max(1, people // tenants))  # about 20,000 people per commit
        for first in range(1, tenants + 1, chunk):
            scores, assignments, reports = [], [], []
            for tid in range(first, min(tenants, first + chunk - 1) + 1):
                reviewers, tenant_items, period_ids, profile, ids = structure[tid]
                exempt, revised = profile["exempt"], profile["revised"]
                n_assignment = 0
                for m, info in months.items():
                    period = period_ids[m]
                    due = info["ends"].isoformat()
                    deadline = info["deadline"]
                    window_s = 10 * 86400  # submitted over the ten days before the deadline
                    reviewed = (deadline + timedelta(days=1)).isoformat(sep=" ")
                    for n, sid in enumerate(ids):
                        reviewer = reviewers[0 if profile["lenient"] else n % len(reviewers)]
                        # The period score: total and grade consistent with the 90/70/50 bounds.
                        total = min(100.0, max(20.0, rng.gauss(profile["mean"], profile["sd"])))
                        total = round(total, 2)
                        forced = rng.random() < 0.002
                        grade = "KHTNV" if forced else _grade(total)
                        if rng.random() < profile["self_equal"]:
                            self_total = total
                        else:
                            self_total = round(min(100.0, max(0.0, total + rng.gauss(2, 3))), 2)
                        task_points = round(min(70.0, total * 0.7), 2)
                        task_score = round(task_points / 0.7, 2)
                        scores.append(
                            f"{tid}\t{_id(6, tid, m * 1_000_000 + n)}\t{period}\t{sid}\t"
                            f"{task_score}\t{task_score}\t{task_score}\t{task_score}\t"
                            f"{task_points}\t{round(total - task_points, 2)}\t{total}\t{grade}\t"
                            f"{self_total}\t{'discipline' if forced else NULL}\tmanager\t[]\t"
                            f"{RULE_SET}\t{digest}\t{1 if rng.random() < revised else 0}\t{NOW}"
                        )
                        for k in rng.sample(range(ITEMS), 5 + int(rng.random() * 6)):
                            item, version, coefficient = tenant_items[k]
                            n_assignment += 1
                            aid = _id(7, tid, n_assignment)
                            quantity = 1 + int(rng.random() * 10)
                            assignments.append(
                                f"{tid}\t{aid}\t{period}\t{sid}\t{item}\t{version}\t{quantity}\t"
                                f"{coefficient}\t{due}\tf\t{NOW}"
                            )
                            r = rng.random()
                            status = (
                                "draft"
                                if r < 0.01
                                else "submitted"
                                if r < 0.03
                                else "returned"
                                if r < 0.05
                                else "accepted"
                            )
                            done = quantity if rng.random() < 0.8 else int(rng.random() * quantity)
                            errors = delays = exempt_e = exempt_d = 0
                            if rng.random() < 0.1:
                                errors = min(done, 1 + int(rng.random() * 2))
                                exempt_e = errors if rng.random() < exempt else 0
                            if rng.random() < 0.1:
                                delays = min(done, 1 + int(rng.random() * 2))
                                exempt_d = delays if rng.random() < exempt else 0
                            returned = 1 if status == "returned" or rng.random() < 0.03 else 0
                            if status == "draft":
                                submitted = NULL
                            elif rng.random() < profile["rush"]:
                                submitted = deadline - timedelta(seconds=rng.randrange(1, 3600))
                            else:
                                submitted = deadline - timedelta(
                                    seconds=3600 + rng.randrange(window_s)
                                )
                            by = reviewer if status in ("accepted", "returned") else NULL
                            reports.append(
                                f"{tid}\t{_id(8, tid, n_assignment)}\t{aid}\t{done}\t{due}\t"
                                f"{status}\t[]\t{submitted}\t{errors}\t{delays}\t{exempt_e}\t"
                                f"{exempt_d}\t{by}\t{reviewed if by is not NULL else NULL}\t"
                                f"{returned}\t{NOW}"
                            )
            counts["period_scores"] += _copy_lines(conn, "period_scores", score_columns, scores)
            counts["assignments"] += _copy_lines(
                conn, "assignments", assignment_columns, assignments
            )
            counts["reports"] += _copy_lines(conn, "reports", report_columns, reports)
            conn.commit()
    with psycopg.connect(_plain(owner_url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"counts": counts}


# --- the precomputed figures -------------------------------------------------------------


def build_aggregates(app, job: str, tenant_ids: list[int], args_of=None) -> tuple[list, list, int]:
    """Run ``job`` (a tenant_app.jobs.comparison function) for each unit through the job runner:
    its own app context, the unit's context, one commit; ``args_of(unit id)`` gives the job's
    other arguments. Returns wall and CPU seconds per unit and the rows written."""
    from tenant_app.background.runner import execute

    walls, cpus, rows = [], [], 0
    with app.app_context():
        for tid in tenant_ids:
            started, cpu = time.perf_counter(), time.process_time()
            result = execute(
                f"tenant_app.jobs.comparison.{job}", tid, None, args_of(tid) if args_of else ()
            )
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            rows += (result or {}).get("rows", 0)
    return walls, cpus, rows


def build_scope(app, tenant_ids: list[int], scope: str) -> tuple[list, list, int]:
    """``aggregates.refresh_scope(scope)`` for each unit in its context, one commit per unit: the
    part of the jobs the compared month needs (both visibilities, units and items)."""
    from tenant_app.extensions import db
    from tenant_app.models.tenants import Tenant
    from tenant_app.services.comparison import aggregates
    from tenant_app.tenancy.context import tenant_context

    walls, cpus, rows = [], [], 0
    with app.app_context():
        for tid in tenant_ids:
            started, cpu = time.perf_counter(), time.process_time()
            with tenant_context(db.session.get(Tenant, tid)):
                rows += aggregates.refresh_scope(scope)
                db.session.commit()
            db.session.remove()
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
    return walls, cpus, rows


def _per_unit(label: str, walls: list, cpus: list, rows: int) -> None:
    print(
        f"   {label}: {sum(walls):.1f} s for {len(walls)} units ({rows} rows written, "
        f"{sum(cpus):.1f} s app CPU); per unit wall p50 {_pct(walls, 0.5) * 1000:.0f} ms, "
        f"p95 {_pct(walls, 0.95) * 1000:.0f} ms, max {max(walls) * 1000:.0f} ms; app CPU p50 "
        f"{_pct(cpus, 0.5) * 1000:.0f} ms, p95 {_pct(cpus, 0.95) * 1000:.0f} ms",
        flush=True,
    )


# --- reading across units ----------------------------------------------------------------


def _touch(comparison) -> int:
    """Derive every figure a page shows (shares, mean, spread, quota use, self gap, flags)."""
    seen = 0
    for unit in [*comparison.units, comparison.province]:
        seen += len(unit.flags)
        _ = (unit.shares, unit.mean, unit.stdev, unit.quota_use, unit.htxs_of_htt)
        _ = (unit.late_share, unit.returned_share, unit.self_gap, unit.self_equal_share)
    return seen


def _timed(app, actor_id: int, repeat: int, work) -> list[float]:
    """Wall seconds of ``work()`` inside the audited door, one fresh session per repetition (as
    one request would have), after one unmeasured warm-up."""
    from tenant_app.extensions import db
    from tenant_app.models.users import ProvinceUser
    from tenant_app.tenancy.door import cross_tenant_read

    timings = []
    with app.app_context():
        for n in range(repeat + 1):
            started = time.perf_counter()
            actor = db.session.get(ProvinceUser, actor_id)
            with cross_tenant_read("bench: province comparison", actor=actor):
                work()
            db.session.remove()
            if n:
                timings.append(time.perf_counter() - started)
    return timings


BASELINE_SCORES = """
SELECT ps.tenant_id, count(*) AS people,
       count(*) FILTER (WHERE ps.grade = 'HTXS') AS htxs,
       count(*) FILTER (WHERE ps.grade = 'HTT') AS htt,
       count(*) FILTER (WHERE ps.grade = 'HTNV') AS htnv,
       count(*) FILTER (WHERE ps.grade = 'KHTNV') AS khtnv,
       count(*) FILTER (WHERE ps.forced_fail IS NOT NULL) AS forced_fails,
       sum(ps.total) AS total_sum, sum(ps.total * ps.total) AS total_sq_sum,
       min(ps.total) AS total_min, max(ps.total) AS total_max,
       count(DISTINCT round(ps.total, 2)) AS distinct_totals,
       count(*) FILTER (WHERE ps.self_total IS NOT NULL AND ps.stage IN ('manager', 'leader'))
           AS self_compared,
       coalesce(sum(ps.self_total - ps.total)
           FILTER (WHERE ps.stage IN ('manager', 'leader')), 0) AS self_gap_sum,
       coalesce(sum(abs(ps.self_total - ps.total))
           FILTER (WHERE ps.stage IN ('manager', 'leader')), 0) AS self_gap_abs_sum,
       count(*) FILTER (WHERE ps.stage IN ('manager', 'leader')
                          AND abs(ps.self_total - ps.total) < 0.005) AS self_equal,
       coalesce(sum(ps.revisions_after_publication), 0) AS changed_after_publication
FROM period_scores ps
JOIN periods p ON p.tenant_id = ps.tenant_id AND p.id = ps.period_id
WHERE p.code = :scope AND (p.published_at IS NOT NULL OR p.status = 'locked')
GROUP BY ps.tenant_id
"""

BASELINE_QUOTA = """
SELECT ps.tenant_id, s.quota_group,
       count(*) FILTER (WHERE ps.grade = 'HTXS') AS htxs,
       count(*) FILTER (WHERE ps.grade = 'HTT') AS htt
FROM period_scores ps
JOIN periods p ON p.tenant_id = ps.tenant_id AND p.id = ps.period_id
JOIN staff s ON s.tenant_id = ps.tenant_id AND s.id = ps.staff_id
WHERE p.code = :scope AND (p.published_at IS NOT NULL OR p.status = 'locked')
  AND s.quota_group IS NOT NULL
GROUP BY ps.tenant_id, s.quota_group
"""

_COUNTED = "(r.status <> 'draft' OR r.returned_count > 0)"
_DEADLINE = "(((p.report_until + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AT TIME ZONE 'UTC')"
BASELINE_REPORTS = f"""
SELECT a.tenant_id, r.reviewed_by,
       count(*) AS reports,
       count(*) FILTER (WHERE r.returned_count > 0 OR r.status = 'returned') AS reports_returned,
       count(*) FILTER (WHERE r.delays - r.exempt_delays > 0) AS reports_late,
       count(r.submitted_at) AS submissions,
       count(*) FILTER (WHERE r.submitted_at
                          BETWEEN {_DEADLINE} - make_interval(mins => :minutes) AND {_DEADLINE})
           AS deadline_submissions,
       coalesce(sum(r.exempt_errors + r.exempt_delays), 0) AS exemptions
FROM assignments a
JOIN reports r ON r.tenant_id = a.tenant_id AND r.assignment_id = a.id
JOIN periods p ON p.tenant_id = a.tenant_id AND p.id = a.period_id
WHERE p.code = :scope AND (p.published_at IS NOT NULL OR p.status = 'locked') AND {_COUNTED}
GROUP BY a.tenant_id, r.reviewed_by
"""

BASELINE_QUERIES = {
    "scores": BASELINE_SCORES,
    "quota groups": BASELINE_QUOTA,
    "reports (per unit and reviewer)": BASELINE_REPORTS,
}
REPORT_COUNTERS = ("reports", "reports_returned", "reports_late", "submissions",
                   "deadline_submissions", "exemptions")  # fmt: skip


def live_comparison(scope: str):
    """The comparison without precomputed rows: the same PeriodAggregate figures from GROUP BY
    queries over every unit's scores and reports, then the same derivation (UnitFigures, flags).
    Must run inside the door."""
    from flask import current_app

    from scoring import quota_allowed
    from scoring.registry import get_rule_set
    from tenant_app.extensions import db
    from tenant_app.models.comparison import PeriodAggregate
    from tenant_app.services.comparison.comparison import (
        Comparison,
        UnitFigures,
        _sum_aggregates,
        _tenants,
    )
    from tenant_app.services.comparison.comparison_flags import flags_for

    params = get_rule_set(RULE_SET).default_params  # the generated periods keep the defaults
    binds = {
        "scope": scope,
        "minutes": int(current_app.config.get("KPI_COMPARISON_DEADLINE_MINUTES", 60)),
    }
    tenants = _tenants(None)
    aggs = {}
    for row in db.session.execute(sa.text(BASELINE_SCORES), binds).mappings():
        values = dict(row)
        aggs[values["tenant_id"]] = PeriodAggregate.blank(
            **values, scope=scope, scope_kind="month", visibility="published", periods=[scope]
        )
    groups: dict[int, list] = {}
    for tid, group, htxs, htt in db.session.execute(sa.text(BASELINE_QUOTA), binds):
        groups.setdefault(tid, []).append(
            {"group": group, "htxs": htxs, "htt": htt, "allowed": quota_allowed(htt, params)}
        )
    # One pass over the reports: counters per unit and reviewer, added up per unit here; the
    # reviewer who exempted the most (ties: the first by id) is named as the aggregates do.
    top: dict[int, tuple] = {}
    for row in db.session.execute(sa.text(BASELINE_REPORTS), binds).mappings():
        agg = aggs.get(row["tenant_id"])
        if agg is None:
            continue
        for key in REPORT_COUNTERS:
            setattr(agg, key, getattr(agg, key) + row[key])
        reviewer, granted = row["reviewed_by"], row["exemptions"]
        if reviewer is not None and granted > 0:
            best = top.get(row["tenant_id"])
            if best is None or (-granted, str(reviewer)) < (-best[1], str(best[0])):
                top[row["tenant_id"]] = (reviewer, granted, row["reports"])
    if top:
        names = dict(
            db.session.execute(
                sa.text("SELECT id, full_name FROM users WHERE id = ANY(:ids)"),
                {"ids": [reviewer for reviewer, _g, _r in top.values()]},
            ).all()
        )
        for tid, (reviewer, granted, reviewed) in top.items():
            aggs[tid].exemptions_top_count, aggs[tid].exemptions_top_reviewed = granted, reviewed
            aggs[tid].exemptions_top_reviewer = names.get(reviewer) or str(reviewer)
    for tid, agg in aggs.items():
        agg.quota_allowed = quota_allowed(agg.htt, params)
        agg.quota_groups = groups.get(tid, [])
    units = []
    for tenant in tenants:
        unit = UnitFigures(tenant, aggs.get(tenant.id))
        unit.flags = flags_for(unit)
        units.append(unit)
    province = UnitFigures(None, _sum_aggregates([u.agg for u in units if u.agg]))
    return Comparison(scope, "month", "published", units, province)


CHECKED = ("people", "htxs", "htt", "htnv", "khtnv", "forced_fails", "total_sum", "total_min",
           "total_max", "distinct_totals", "quota_allowed", "reports", "reports_late",
           "reports_returned", "submissions", "deadline_submissions", "self_compared",
           "self_equal", "exemptions", "exemptions_top_count", "exemptions_top_reviewed",
           "changed_after_publication")  # fmt: skip


def _agreement(precomputed, live) -> tuple[int, int, set]:
    """Units whose live figures equal the precomputed ones, of units compared; fields differing."""
    live_by = {u.tenant.id: u.agg for u in live.units}
    same, differing = 0, set()
    for unit in precomputed.units:
        other = live_by.get(unit.tenant.id)
        diff = {
            f
            for f in CHECKED
            if unit.agg is None
            or other is None
            or Decimal(getattr(unit.agg, f) or 0) != Decimal(getattr(other, f) or 0)
        }
        differing |= diff
        same += not diff
    return same, len(precomputed.units), differing


def explain(app, actor_id: int, scope: str) -> None:
    """EXPLAIN ANALYZE, as the app role inside the door, of the comparison's read and the
    baseline's queries."""
    from tenant_app.extensions import db
    from tenant_app.models.users import ProvinceUser
    from tenant_app.tenancy.door import cross_tenant_read

    binds = {"scope": scope, "minutes": 60}
    queries = {
        "compare(): period_aggregates": "SELECT * FROM period_aggregates "
        "WHERE scope = :scope AND visibility = 'published'",
        "item_comparison(): item_aggregates": "SELECT * FROM item_aggregates WHERE scope = :scope"
        " AND visibility = 'published' AND canonical_code = 'CC07'",
        **{f"baseline {k}": q for k, q in BASELINE_QUERIES.items()},
    }
    with app.app_context():
        actor = db.session.get(ProvinceUser, actor_id)
        with cross_tenant_read("bench: explain", actor=actor):
            for label, query in queries.items():
                plan = db.session.execute(
                    sa.text(f"EXPLAIN (ANALYZE, BUFFERS) {query}"), binds
                ).scalars()
                print(f"\nEXPLAIN ANALYZE — {label}")
                for line in plan:
                    print(f"    {line}")
        db.session.remove()


# --- HTTP: the API and the page on the production server ----------------------------------


def _reusable(owner_url: str, maintenance_url: str, tenants: int, people: int) -> bool:
    """Whether the bench database exists with the units and people this run would generate."""
    name = make_url(owner_url).database
    with psycopg.connect(_plain(maintenance_url), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
    with psycopg.connect(_plain(owner_url), autocommit=True) as conn:
        try:
            found = conn.execute(
                "SELECT (SELECT count(*) FROM tenants), (SELECT count(*) FROM staff)"
            ).fetchone()
        except psycopg.Error:
            return False
    if tuple(found) != (tenants, people):
        print(f"   --reuse: the database has {found[0]} units and {found[1]} people, not "
              f"{tenants} and {people}: generating afresh")  # fmt: skip
        return False
    return True


def _store_rls_key(owner_url: str) -> None:
    """Store RLS_KEY in the database (as ``kpi db rls-key`` does): a reused database may hold the
    key of another run, and the production server refuses to start on a mismatch."""
    from tenant_app.tenancy import rls

    engine = sa.create_engine(owner_url)
    try:
        with engine.begin() as conn:
            rls.store_key(conn, rls.scope_key(RLS_KEY))
    finally:
        engine.dispose()


def _built(owner_url: str, scope: str) -> int:
    """How many units have precomputed figures of ``scope`` (both visibilities)."""
    with psycopg.connect(_plain(owner_url), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM (SELECT tenant_id FROM period_aggregates WHERE scope = %s"
            " GROUP BY tenant_id HAVING count(DISTINCT visibility) = 2) AS built",
            (scope,),
        ).fetchone()[0]


def profile_http(app, token: str, n: int) -> None:
    """cProfile of ``n`` API and ``n`` page requests through Flask's test client (in-process,
    after two warm-ups each): the top functions by cumulative and by own time."""
    import cProfile
    import pstats

    client = app.test_client()
    html = client.get("/admin/login").get_data(as_text=True)
    csrf = CSRF.search(html)
    client.post(
        "/admin/login",
        data={"csrf_token": csrf.group(1) if csrf else "", "username": "bench-auditor",
              "password": PASSWORD},
    )  # fmt: skip
    requests = {
        "API": (f"{API_PATH}?period={SCOPE}", {"Authorization": f"Bearer {token}"}),
        "page": (f"{PAGE_PATH}?period={SCOPE}", {}),
    }
    for label, (path, headers) in requests.items():
        for _ in range(2):
            client.get(path, headers=headers)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(n):
            response = client.get(path, headers=headers)
        profiler.disable()
        elapsed = (time.perf_counter() - started) / n
        print(f"\nprofile of {label} GET {path}: {n} requests, {elapsed * 1000:.1f} ms each "
              f"under cProfile (status {response.status_code})")  # fmt: skip
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)


def _routes(app) -> tuple[bool, bool]:
    rules = {r.rule.rstrip("/") for r in app.url_map.iter_rules()}
    return API_PATH in rules, PAGE_PATH in rules


def _auditor(app) -> tuple[int, str]:
    """A province auditor (password PASSWORD) and a bearer token issued to them."""
    from tenant_app.extensions import db
    from tenant_app.models.users import ProvinceUser
    from tenant_app.security.passwords import hash_password
    from tenant_app.services.workspace import tokens

    with app.app_context():
        user = db.session.execute(
            sa.select(ProvinceUser).where(ProvinceUser.username == "bench-auditor")
        ).scalar_one_or_none()  # --reuse: the auditor of an earlier run
        if user is None:
            user = ProvinceUser(
                username="bench-auditor",
                full_name="Thanh tra so sánh",
                role="auditor",
                password_hash=hash_password(PASSWORD),
            )
            db.session.add(user)
            db.session.commit()
        token, _row = tokens.issue_token(user, name="bench comparison")
        user_id = user.id
        db.session.remove()
    return user_id, token


def _http_series(request, path: str, repeat: int) -> tuple[list[float], list[int]]:
    timings, statuses = [], []
    for n in range(repeat + 2):  # two warm-ups: the worker loads its code and connections
        status, elapsed = request(path)
        if n >= 2:
            timings.append(elapsed)
            statuses.append(status)
    return timings, statuses


def _cold_series(request, paths: list[str]) -> tuple[list[float], list[int]]:
    """Each path once, after the warm series: a page or body no request has asked for yet."""
    timings, statuses = [], []
    for path in paths:
        status, elapsed = request(path)
        timings.append(elapsed)
        statuses.append(status)
    return timings, statuses


def _cold_paths(tenants: int, repeat: int) -> tuple[list[str], list[str]]:
    """Requests that no cache can have answered before: the API with another selection each
    time (every unit but one), the page in another sort order each time (both directions of
    every column but the name)."""
    from tenant_app.services.comparison.comparison_export import UNIT_SORT_KEYS

    api = []
    for left_out in range(1, min(repeat, tenants - 1) + 1):
        chosen = "&".join(f"tenants={t}" for t in range(1, tenants + 1) if t != left_out)
        api.append(f"{API_PATH}?period={SCOPE}&{chosen}")
    orders = [f"{sign}{key}" for key in UNIT_SORT_KEYS if key != "name" for sign in ("", "-")]
    page = [f"{PAGE_PATH}?period={SCOPE}&sort={order}" for order in orders[:repeat]]
    return api, page


def measure_http(app, app_url, owner_url, tmp, token, repeat, port, test_client, tenants=0) -> dict:
    """p50/p95 of the API and the page, when the app has them (``{}`` otherwise): warm (the
    same request again and again) and, with ``tenants``, cold (another request each time)."""
    cold_api, cold_page = _cold_paths(tenants, repeat) if tenants > 1 else ([], [])
    has_api, has_page = _routes(app)
    if not (has_api or has_page):
        return {}
    api = f"{API_PATH}?period={SCOPE}"
    page = f"{PAGE_PATH}?period={SCOPE}"
    out = {}
    if test_client:
        client = app.test_client()

        def call(path, headers=None):
            started = time.perf_counter()
            response = client.get(path, headers=headers or {})
            return response.status_code, time.perf_counter() - started

        if has_api:
            out["API (test client)"] = _http_series(
                lambda p: call(p, {"Authorization": f"Bearer {token}"}), api, repeat
            )
        if has_page:
            html = client.get("/admin/login").get_data(as_text=True)
            csrf = CSRF.search(html)
            client.post(
                "/admin/login",
                data={
                    "csrf_token": csrf.group(1) if csrf else "",
                    "username": "bench-auditor",
                    "password": PASSWORD,
                },
            )
            out["page (test client)"] = _http_series(call, page, repeat)
        return out

    from load import Client  # bench/load.py: one keep-alive connection with a cookie

    env = {
        **os.environ,
        "KPI_ENV": "production",
        "KPI_SECRET_KEY": "c" * 48,
        "KPI_RLS_KEY": RLS_KEY,
        "KPI_DATABASE_URL": app_url,
        "KPI_DATABASE_OWNER_URL": owner_url,
        "KPI_DATABASE_APP_ROLE": APP_ROLE,
        "KPI_SESSION_COOKIE_SECURE": "false",
        "KPI_LOGIN_RATE_LIMIT": "1000000 per minute",
        "KPI_ACCESS_LOG": "off",
        "KPI_INSTANCE_DIR": tmp,
        "KPI_BIND": f"127.0.0.1:{port}",
        "KPI_LOG_FORMAT": "json",
    }
    env.pop("KPI_REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                if Client(port).request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(1)
        else:
            print("  ! the server did not become ready: HTTP not measured")
            return out
        if has_api:
            client = Client(port)

            def api_call(path):
                started = time.perf_counter()
                client.conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
                response = client.conn.getresponse()
                response.read()
                return response.status, time.perf_counter() - started

            out["API GET " + api] = _http_series(api_call, api, repeat)
            if cold_api:
                out["API, another selection each call (not cached)"] = _cold_series(
                    api_call, cold_api
                )
        if has_page:
            client = Client(port)
            status, html, _ = client.request("GET", "/admin/login")
            csrf = CSRF.search(html.decode())
            client.request(
                "POST",
                "/admin/login",
                {
                    "csrf_token": csrf.group(1) if csrf else "",
                    "username": "bench-auditor",
                    "password": PASSWORD,
                },
            )

            def page_call(path):
                status, _data, elapsed = client.request("GET", path)
                return status, elapsed

            out["page GET " + page] = _http_series(page_call, page, repeat)
            if cold_page:
                out["page, another sort order each view (not cached)"] = _cold_series(
                    page_call, cold_page
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


# --- the run -----------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    return (
        f"{_pct(values, 0.5) * 1000:>9.1f} {_pct(values, 0.95) * 1000:>9.1f} "
        f"{max(values) * 1000:>9.1f}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 300 units, 100,000 people")
    parser.add_argument("--tenants", type=int, default=None, help="override the unit count")
    parser.add_argument("--people", type=int, default=None, help="override the people count")
    parser.add_argument("--repeat", type=int, default=30, help="repetitions of each read")
    parser.add_argument(
        "--baseline-repeat", type=int, default=10, help="repetitions of the (slow) live baseline"
    )
    parser.add_argument("--samples", type=int, default=6, help="units the whole jobs time")
    parser.add_argument(
        "--build",
        choices=("month", "all"),
        default="month",
        help="build every unit's compared month (default) or run refresh_tenant on every unit",
    )
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans")
    parser.add_argument("--port", type=int, default=8766, help="port of the measured server")
    parser.add_argument(
        "--test-client", action="store_true", help="measure HTTP through Flask's test client"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database of an earlier run with the same units and people (migrated to"
        " the latest revision; the figures are rebuilt only if the compared month has none)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N page and N API requests in-process (cProfile, test client) and print"
        " the top costs",
    )
    args = parser.parse_args(argv)
    tenants = args.tenants or max(1, round(300 * args.scale))
    people = args.people or max(tenants, round(100_000 * args.scale))
    owner_url, app_url, maintenance_url = _urls(
        os.environ.get("KPI_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"scale {args.scale}: {tenants} units, {people} people, months {len(MONTHS)} "
        f"(compared: {SCOPE}, published)"
    )
    print(f"load average at the start: {os.getloadavg()}")
    tmp = tempfile.mkdtemp(prefix="kpi-bench-cmp-")
    run_started = time.perf_counter()

    started = time.perf_counter()
    os.environ["KPI_RLS_KEY"] = RLS_KEY
    reused = args.reuse and _reusable(owner_url, maintenance_url, tenants, people)
    if reused:
        migrate(owner_url, tmp)
        print(f"database reused (same units and people), migrated in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    else:
        create_database(owner_url, maintenance_url)
        migrate(owner_url, tmp)
        print(f"database created and migrated in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        data = generate(owner_url, tenants, people)
        print(f"generated {data['counts']} in {time.perf_counter() - started:.1f} s", flush=True)
    _store_rls_key(owner_url)

    from tenant_app import create_app
    from tenant_app.services.comparison.comparison import (
        compare,
        item_comparison,
        item_spread,
        shared_items,
    )

    app = create_app(_config(app_url, owner_url, tmp))
    actor_id, token = _auditor(app)
    ids = list(range(1, tenants + 1))

    # 1. Build every unit's figures; the whole jobs on a sample (or on every unit: --build all).
    print(f"\n1. building the precomputed figures ({len(ids)} units)")
    if reused and _built(owner_url, SCOPE) == len(ids):
        print(f"   every unit's {SCOPE} figures are there from the reused run: not rebuilt")
    elif args.build == "all":
        _per_unit("refresh_tenant job (every scope of both months)", *build_aggregates(
            app, "refresh_tenant", ids))  # fmt: skip
    else:
        _per_unit(f"refresh_scope('{SCOPE}') per unit, every unit", *build_scope(app, ids, SCOPE))
    sample = random.Random(11).sample(ids, min(args.samples, len(ids)))
    if args.build != "all" and args.samples:
        walls, cpus, rows = build_aggregates(app, "refresh_tenant", sample)
        _per_unit("refresh_tenant job (nightly; 5 scopes × 2 visibilities), sample", walls, cpus,
                  rows)  # fmt: skip
        print(
            f"   → all {len(ids)} units, one worker: about {_pct(walls, 0.5) * len(ids):.0f} s "
            f"at the sample's p50",
            flush=True,
        )
    if args.samples:
        _per_unit(f"refresh_period({SCOPE}) job after a change (month, quarter, year), sample",
                  *build_aggregates(app, "refresh_period", sample[: max(1, len(sample) // 2)],
                                    lambda tid: (_id(4, tid, int(SCOPE[5:])),)))  # fmt: skip

    # 2–4. Reads across units, each inside the audited door, warm.
    holder = {}

    def precomputed():
        holder["pre"] = compare(SCOPE, None, "published")
        _touch(holder["pre"])

    def live():
        holder["live"] = live_comparison(SCOPE)
        _touch(holder["live"])

    def one_item():
        rows = item_comparison(SCOPE, "CC07", None, "published")
        holder["items"] = len(rows)
        _ = [(r.a, r.b, r.c, r.score, r.rank) for r in rows]

    def spread():
        holder["spread"] = len(item_spread(SCOPE, None, "published"))

    def shared():
        holder["shared"] = len(shared_items(SCOPE, None, "published"))

    series = {"door alone (audit event and commit)": _timed(app, actor_id, args.repeat, lambda: 0)}
    series[f"compare('{SCOPE}') + figures + flags"] = _timed(
        app, actor_id, args.repeat, precomputed
    )
    series["baseline: live GROUP BY + figures + flags"] = _timed(
        app, actor_id, args.baseline_repeat, live
    )
    series["item_comparison(CC07)"] = _timed(app, actor_id, args.repeat, one_item)
    series["item_spread()"] = _timed(app, actor_id, args.repeat, spread)
    series["shared_items()"] = _timed(app, actor_id, args.repeat, shared)
    http = measure_http(
        app, app_url, owner_url, tmp, token, args.repeat, args.port, args.test_client, tenants
    )
    if args.profile:
        profile_http(app, token, args.profile)
    bad = {}
    for label, (timings, statuses) in http.items():
        series[label] = timings
        bad[label] = sorted({s for s in statuses if s != 200})

    same, compared, differing = _agreement(holder["pre"], holder["live"])
    by_sign: dict[str, int] = {}
    for unit in holder["pre"].flagged:
        for flag in unit.flags:
            by_sign[flag.code] = by_sign.get(flag.code, 0) + 1
    signs = ", ".join(f"{code} {n}" for code, n in sorted(by_sign.items())) or "none"
    print(
        f"\n2–4. reads across {tenants} units inside the door, warm (one unmeasured call first),"
        f" n repetitions, one fresh session each, the door's audit event included:"
    )
    print(f"   {'measurement':<58} {'n':>3} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for label, timings in series.items():
        note = f"  (answered {bad[label]}, not 200)" if bad.get(label) else ""
        print(f"   {label:<58} {len(timings):>3} {_ms(timings)}{note}")
    if not http:
        print(f"   API {API_PATH} and page {PAGE_PATH}: not in this app yet, not measured")
    pre = series[f"compare('{SCOPE}') + figures + flags"]
    base = series["baseline: live GROUP BY + figures + flags"]
    print(
        f"   ratio baseline / precomputed: p50 {_pct(base, 0.5) / _pct(pre, 0.5):.1f}x, "
        f"p95 {_pct(base, 0.95) / _pct(pre, 0.95):.1f}x; 500 ms target "
        f"{'met' if _pct(pre, 0.95) < 0.5 else 'NOT met'} by compare() at p95"
    )
    print(
        f"   live figures equal the precomputed ones on {same}/{compared} units"
        + (f" (differing: {', '.join(sorted(differing))})" if differing else "")
        + f"; {holder['items']} units in item_comparison, {holder['spread']} items in "
        f"item_spread, {holder['shared']} shared items; "
        f"{len(holder['pre'].flagged)} units flagged ({signs})"
    )
    if args.explain:
        explain(app, actor_id, SCOPE)
    print(f"\nwhole run {time.perf_counter() - run_started:.0f} s")
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
