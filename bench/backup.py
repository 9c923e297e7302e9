"""Backup and restore timings: `kpi backup` then `kpi restore` into an empty database.

Three data sets, each backed up and restored with the same use cases the commands run
(``tenant_app.services.backup``: archive written and re-read, restore with every checksum, the
row counts and every audit chain verified through the app):

- ``demo-sqlite``: the demo (``kpi demo``) on the embedded SQLite default;
- ``demo-postgres``: the same demo on PostgreSQL (the app as the RLS-bound role);
- ``province``: ``bench/load.py``'s province data on PostgreSQL (``--tenants`` demo wards, 20 by
  default, each with its evaluation history);
- ``generated``: ``bench/recompute.py``'s generated province on PostgreSQL (``--units`` units and
  ``--people`` people, 166 and 55,000 by default — Thanh Hóa's size — each person with 20
  assignments, reports and assessments; no audit events). Not run unless named with ``--only``.

Prints per data set: rows, files, archive size, backup and restore wall time. Asserts nothing.

    python bench/backup.py                              # all three, 20 wards
    python bench/backup.py --only demo-sqlite
    python bench/backup.py --only province --tenants 5
    python bench/backup.py --only generated --units 166 --people 55000

``--database-url`` is an owner (superuser) URL; the databases ``<name>`` and ``<name>_restore``
on that server are DROPPED and recreated.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cli import bench_parser  # noqa: E402
from bench.server import RLS_KEY, create_database  # noqa: E402

APP_ROLE = "kpi_bench_app"
SETS = ("demo-sqlite", "demo-postgres", "province", "generated")


def _app(app_url: str, owner_url: str, instance: Path):
    from tenant_app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app_url,
            "KPI_DATABASE_OWNER_URL": owner_url,
            "KPI_DATABASE_APP_ROLE": APP_ROLE,
            "KPI_RLS_KEY": RLS_KEY,
            "KPI_INSTANCE_DIR": str(instance),
            "KPI_REDIS_URL": None,
        }
    )


def _close(app) -> None:
    from tenant_app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _evidence(instance: Path, count: int = 200, size: int = 256 * 1024) -> None:
    """Evidence-like files (incompressible, 256 KiB each) so the files' share is not zero."""
    folder = instance / "uploads" / "1" / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"minh-chung-{n:04d}.pdf").write_bytes(os.urandom(size))


def _measure(label: str, source, target, work: Path) -> None:
    from tenant_app.services.backup import create_backup, restore_backup

    with source.app_context():
        backup = create_backup(work / "backups")
    _close(source)
    with target.app_context():
        restored = restore_backup(backup.path)
    _close(target)
    files = len(backup.manifest["members"]) - 1
    database = backup.manifest["members"][0]["size"]
    print(
        f"{label:14} {restored.rows:9,d} rows {files:5d} files  archive "
        f"{backup.size / 1e6:8.1f} MB (database {database / 1e6:.1f} MB)  backup "
        f"{backup.seconds:6.1f} s  restore {restored.seconds:6.1f} s  "
        f"({restored.events_checked:,d} audit events verified)",
        flush=True,
    )


def demo_sqlite(work: Path) -> None:
    from tenant_app import demo

    instance = work / "source"
    url = f"sqlite:///{instance / 'kpi.sqlite3'}"
    source = _app(url, url, instance)
    with source.app_context():
        started = time.perf_counter()
        demo.build(fresh=True)
        print(f"  demo built in {time.perf_counter() - started:.1f} s", flush=True)
    _evidence(instance)
    target_dir = work / "target"
    target_url = f"sqlite:///{target_dir / 'kpi.sqlite3'}"
    _measure("demo-sqlite", source, _app(target_url, target_url, target_dir), work)


def _postgres_pair(server_url: str, name: str) -> tuple[tuple[str, str], tuple[str, str]]:
    base = make_url(server_url)
    source = create_database(
        base.set(database=name).render_as_string(hide_password=False), APP_ROLE
    )
    target = create_database(
        base.set(database=f"{name}_restore").render_as_string(hide_password=False), APP_ROLE
    )
    return source, target


def demo_postgres(server_url: str, work: Path) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from tenant_app import demo
    from tenant_app.extensions import db

    (owner, app_url), (t_owner, t_app) = _postgres_pair(server_url, "kpi_bench_backup_demo")
    instance = work / "source"
    seeding = _app(owner, owner, instance)
    with seeding.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        started = time.perf_counter()
        demo.build(fresh=False)
        print(f"  demo built in {time.perf_counter() - started:.1f} s", flush=True)
    _close(seeding)
    _evidence(instance)
    _measure(
        "demo-postgres", _app(app_url, owner, instance), _app(t_app, t_owner, work / "t"), work
    )


def province(server_url: str, tenants: int, work: Path) -> None:
    from bench.load import prepare

    name = "kpi_bench_backup_province"
    base = make_url(server_url)
    instance = work / "source"
    started = time.perf_counter()
    app_url, _accounts = prepare(
        base.set(database=name).render_as_string(hide_password=False), tenants, instance
    )
    print(f"  {tenants} wards prepared in {time.perf_counter() - started:.1f} s", flush=True)
    owner = make_url(app_url).set(username=base.username, password=base.password)
    owner = owner.render_as_string(hide_password=False)
    _evidence(instance)
    t_owner, t_app = create_database(
        base.set(database=f"{name}_restore").render_as_string(hide_password=False), APP_ROLE
    )
    _measure(
        f"province ({tenants})",
        _app(app_url, owner, instance),
        _app(t_app, t_owner, work / "t"),
        work,
    )


def generated(server_url: str, units: int, people: int, work: Path) -> None:
    from bench import recompute

    name = "kpi_bench_backup_generated"
    owner, app_url, maintenance = recompute._urls(
        make_url(server_url).set(database=name).render_as_string(hide_password=False)
    )
    started = time.perf_counter()
    recompute.create_database(owner, maintenance)
    recompute.migrate(owner, str(work))
    data = recompute.generate(owner, units, people)
    print(f"  generated {data['counts']} in {time.perf_counter() - started:.1f} s", flush=True)
    instance = work / "source"
    _evidence(instance)
    t_owner, t_app = create_database(
        make_url(server_url).set(database=f"{name}_restore").render_as_string(hide_password=False),
        APP_ROLE,
    )
    _measure(
        f"generated ({units})",
        _app(app_url, owner, instance),
        _app(t_app, t_owner, work / "t"),
        work,
    )


def main(argv=None) -> int:
    parser = bench_parser(__doc__, database="kpi_bench_backup", tenants=20)
    parser.add_argument("--only", choices=SETS, action="append", help="one data set (repeatable)")
    parser.add_argument("--units", type=int, default=166, help="units of the generated set")
    parser.add_argument("--people", type=int, default=55_000, help="people of the generated set")
    args = parser.parse_args(argv)
    os.environ["KPI_RLS_KEY"] = RLS_KEY
    os.environ["KPI_DATABASE_APP_ROLE"] = APP_ROLE
    server = args.database_url
    print(f"nproc {os.cpu_count()}, load {os.getloadavg()[0]:.2f}", flush=True)
    for name in args.only or SETS[:3]:
        with tempfile.TemporaryDirectory(prefix=f"kpi-bench-{name}-") as tmp:
            work = Path(tmp)
            if name == "demo-sqlite":
                demo_sqlite(work)
            elif name == "demo-postgres":
                demo_postgres(server, work)
            elif name == "province":
                province(server, args.tenants, work)
            else:
                generated(server, args.units, args.people, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
