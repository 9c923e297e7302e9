"""Rollout benchmark: a 60-item template rolled out to 300 units, jobs in-process.

PostgreSQL (default): creates a fresh database (``KPI_BENCH_DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/kpi_bench_rollout — an owner/superuser URL; the database
named in it is dropped and recreated), migrates it, and runs the app as a row-level-security-bound
role, like production. ``--sqlite`` runs the same on a temporary SQLite file (a quick run).

Measured, through the real services (``rollouts.create_rollout`` with ``dry_run=False``: the
per-tenant jobs run in-process, one transaction each):

1. first rollout: v1 (12 positions, 50 work items, 10 indicators, rules) to empty units;
2. upgrade: v2 (10 coefficients changed, 2 items added, 1 removed, a scoring parameter) to the
   same units, a third of which made a local change first (kept by the merge) and 3 of which
   changed an item v2 also changes (conflicts: those stop, untouched);
3. the dry run of a v3 over the same units (diffs only).

Prints total time and per-tenant apply time p50/p95 (the job as enqueued: its run bookkeeping,
merge, writes, audit and commit) and asserts nothing.
Usage: ``.venv/bin/python bench/rollout.py [--sqlite] [--tenants 300]``
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kpi_bench_rollout"
APP_ROLE = "kpi_bench_app"
GROUPS = ("professional_common", "professional_sector", "leader_head", "leader_deputy", "support")


def _config(app_url: str, owner_url: str, tmp: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": app_url,
        "KPI_DATABASE_OWNER_URL": owner_url,
        "KPI_DATABASE_APP_ROLE": APP_ROLE,
        "KPI_INSTANCE_DIR": tmp,
        "KPI_REDIS_URL": None,
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
    }


def postgres_urls(raw: str) -> tuple[str, str]:
    """Create the bench database and the app role; return (owner URL, app-role URL)."""
    url = make_url(raw).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
        if not conn.execute(
            sa.text(f"SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}'")
        ).first():
            conn.execute(
                sa.text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'kpi'")
            )
        conn.execute(sa.text(f'GRANT CONNECT ON DATABASE "{url.database}" TO {APP_ROLE}'))
    admin.dispose()
    owner = url.render_as_string(hide_password=False)
    app = url.set(username=APP_ROLE, password="kpi").render_as_string(hide_password=False)
    return owner, app


def migrate(owner_url: str, tmp: str, postgres: bool) -> None:
    from flask_migrate import upgrade

    from tenant_app import create_app
    from tenant_app.extensions import db

    os.environ["KPI_DATABASE_APP_ROLE"] = APP_ROLE
    app = create_app({**_config(owner_url, owner_url, tmp), "KPI_SKIP_ROLE_CHECK": True})
    with app.app_context():
        upgrade()
        if postgres:
            db.session.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
            db.session.commit()
        db.engine.dispose()


def payload_v1() -> dict:
    """12 positions, 50 work items (every 5th mandatory, with a range), 10 indicators."""
    from tenant_app.services.rollout.template_payload import validate_payload

    positions = [
        {"code": f"VT{n:02d}", "name": f"Vị trí việc làm {n}", "position_group": GROUPS[n % 5]}
        for n in range(1, 13)
    ]
    items = []
    for n in range(1, 51):
        coefficient = f"{0.5 + (n % 10) * 0.25:.2f}"
        entry = {
            "canonical_code": f"TH.SP{n:02d}", "kind": "work_item", "code": f"SP{n:02d}",
            "name": f"Sản phẩm {n}", "unit_of_measure": "hồ sơ", "coefficient": coefficient,
            "positions": [f"VT{1 + n % 12:02d}", f"VT{1 + (n + 5) % 12:02d}"],
        }  # fmt: skip
        if n % 5 == 0:
            low, high = float(coefficient) * 0.8, float(coefficient) * 1.2
            entry.update(mandatory=True, allowed_min=f"{low:.2f}", allowed_max=f"{high:.2f}")
        items.append(entry)
    for n in range(1, 11):
        items.append(
            {"canonical_code": f"TH.CT{n:02d}", "kind": "indicator", "code": f"CT{n:02d}",
             "name": f"Chỉ tiêu {n}", "unit_of_measure": "%", "direction": "higher",
             "scoring_method": "ratio_capped", "aggregation": "average", "target": "90",
             "weight": "10", "positions": ["VT01"], "mandatory": n <= 3}
        )  # fmt: skip
    return validate_payload(
        {"positions": positions, "items": items,
         "scoring": {"rule_set": "nd335_2025", "params": {"threshold_htxs": "90"}},
         "schedule": {"period_kind": "month", "windows": {}},
         "approval": {"chain": ["self", "manager", "leader"]},
         "income": {"scheme": "coefficient_salary", "settings": {}}}
    )  # fmt: skip


def payload_next(base: dict, step: int) -> dict:
    """10 coefficients changed, 2 items added, 1 removed, the HTXS threshold moved."""
    from tenant_app.services.rollout.template_payload import validate_payload

    data = copy.deepcopy(base)
    for entry in data["items"]:
        number = int(entry["code"][2:])
        if entry["kind"] == "work_item" and number % 5 == 1 and number <= 50:
            entry["coefficient"] = f"{float(entry['coefficient']) + 0.25 * step:.2f}"
    data["items"] = [e for e in data["items"] if e["canonical_code"] != f"TH.SP{49 - step:02d}"]
    for n in (1, 2):
        data["items"].append(
            {**data["items"][1], "canonical_code": f"TH.SN{step}{n}", "code": f"SN{step}{n}",
             "name": f"Sản phẩm mới {step}.{n}", "mandatory": False, "allowed_min": None,
             "allowed_max": None}
        )  # fmt: skip
    data["scoring"]["params"] = {"threshold_htxs": str(90 + step)}
    return validate_payload(data)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed_rollout(version, units, actor, *, dry_run=False):
    """(total seconds, per-tenant wall seconds, per-tenant app CPU seconds) of one rollout."""
    from tenant_app import jobs
    from tenant_app.services.rollout import rollouts

    wall: list[float] = []
    cpu: list[float] = []
    real = jobs.enqueue

    def timing(*args, **kwargs):
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)

    jobs.enqueue = timing
    try:
        started = time.perf_counter()
        rollouts.create_rollout(version, units, dry_run=dry_run, actor=actor)
        total = time.perf_counter() - started
    finally:
        jobs.enqueue = real
    return total, wall, cpu


def report(label: str, total: float, wall: list[float], cpu: list[float], board: dict) -> None:
    ms = [s * 1000 for s in wall]
    cpu_ms = [s * 1000 for s in cpu]
    print(
        f"{label}: {total:.1f} s total for {board['total']} units "
        f"(applied {board['counts']['applied']}, skipped {board['counts']['skipped']}, "
        f"failed {board['counts']['failed']}, would apply {board['counts']['pending']}); "
        f"per unit wall p50 {_percentile(ms, 50):.0f} ms, p95 {_percentile(ms, 95):.0f} ms, "
        f"max {max(ms):.0f} ms; app CPU p50 {_percentile(cpu_ms, 50):.0f} ms, "
        f"p95 {_percentile(cpu_ms, 95):.0f} ms"
    )


def local_changes(units) -> None:
    """A third of the units change a non-mandatory coefficient v2 keeps (kept by the merge);
    three change one v2 also changes (conflicts)."""
    from tenant_app.extensions import db
    from tenant_app.models.catalogue import CatalogueItem
    from tenant_app.services.workspace import catalogue
    from tenant_app.tenancy import tenant_context

    for n, unit in enumerate(units):
        changes = []
        if n % 3 == 0:
            changes.append(("TH.SP02", "2.0"))
        if n < 3:
            changes.append(("TH.SP11", "0.9"))
        if not changes:
            continue
        with tenant_context(unit):
            for code, value in changes:
                item = db.session.execute(
                    sa.select(CatalogueItem).where(CatalogueItem.canonical_code == code)
                ).scalar_one()
                catalogue.update_item(item, {"coefficient": value})
            db.session.commit()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file")
    parser.add_argument("--tenants", type=int, default=300)
    args = parser.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="kpi-bench-rollout-")
    postgres = not args.sqlite
    if postgres:
        owner_url, app_url = postgres_urls(os.environ.get("KPI_BENCH_DATABASE_URL", DEFAULT_URL))
    else:
        owner_url = app_url = f"sqlite:///{tmp}/bench.sqlite3"
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; backend: {'PostgreSQL' if postgres else 'SQLite'}"
    )
    started = time.perf_counter()
    migrate(owner_url, tmp, postgres)
    print(f"database migrated in {time.perf_counter() - started:.1f} s")

    from tenant_app import create_app
    from tenant_app.extensions import db
    from tenant_app.models.rollout import ConfigTemplate, TemplateVersion
    from tenant_app.models.tenants import Tenant
    from tenant_app.models.users import ProvinceUser
    from tenant_app.services.rollout import rollouts

    app = create_app(_config(app_url, owner_url, tmp))
    with app.app_context():
        actor = ProvinceUser(username="bench.admin", full_name="Bench", role="province_admin",
                             password_hash="-")  # fmt: skip
        db.session.add(actor)
        db.session.add_all(
            Tenant(slug=f"bench-{n:04d}", name=f"Phường thử nghiệm {n}", kind="phuong",
                   status="active", settings={})
            for n in range(1, args.tenants + 1)
        )  # fmt: skip
        template = ConfigTemplate(code="BENCH", name="Mẫu thử nghiệm 60 mục")
        db.session.add(template)
        db.session.flush()
        v1 = payload_v1()
        v2 = payload_next(v1, 1)
        versions = [
            TemplateVersion(template_id=template.id, number=n, status="published", payload=p)
            for n, p in ((1, v1), (2, v2), (3, payload_next(v2, 2)))
        ]
        db.session.add_all(versions)
        db.session.commit()
        units = rollouts.select_tenants(kind="phuong")
        print(f"{len(units)} units, template of {len(v1['items'])} items")

        print(f"load average at the start: {os.getloadavg()}")
        report("first rollout v1 (empty units)", *timed_rollout(versions[0], units, actor),
               board(rollouts))  # fmt: skip
        local_changes(units)
        report("upgrade v1 → v2 (three-way)", *timed_rollout(versions[1], units, actor),
               board(rollouts))  # fmt: skip
        report("dry run v2 → v3", *timed_rollout(versions[2], units, actor, dry_run=True),
               board(rollouts))  # fmt: skip
        print(f"load average at the end: {os.getloadavg()}")
        db.engine.dispose()
    return 0


def board(rollouts) -> dict:
    from tenant_app.extensions import db

    db.session.expire_all()
    return rollouts.board(rollouts.list_rollouts()[0])


if __name__ == "__main__":
    raise SystemExit(main())
