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

``--workers N`` (PostgreSQL only) runs the first rollout on real rq workers instead: ``kpi worker
rollout`` processes on Redis (``KPI_BENCH_REDIS_URL``, default redis://127.0.0.1:6379/13, flushed),
first with one worker, then with N, each time to its own ``--tenants`` empty units, and prints
both totals (from the rollout's creation to its last unit committed) and their ratio.
``--profile`` runs the first rollout in-process under cProfile and prints the top costs.
Usage: ``.venv/bin/python bench/rollout.py [--sqlite] [--tenants 300] [--profile]
[--workers 2 [--fork|--no-fork]]``
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import create_database  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kpi_bench_rollout"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
ROOT = Path(__file__).resolve().parent.parent
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
    from tenant_app.services.rollout import rollouts

    wall: list[float] = []
    cpu: list[float] = []
    real = rollouts.enqueue  # imported by name there: wrap it where it is called

    def timing(*args, **kwargs):
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)

    rollouts.enqueue = timing
    try:
        started = time.perf_counter()
        rollouts.create_rollout(version, units, dry_run=dry_run, actor=actor)
        total = time.perf_counter() - started
    finally:
        rollouts.enqueue = real
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
    parser.add_argument(
        "--workers", type=int, default=0,
        help="run the first rollout on 1 and then N real rq workers (PostgreSQL and Redis)",
    )  # fmt: skip
    parser.add_argument(
        "--fork", action=argparse.BooleanOptionalAction, default=None,
        help="with --workers: pass --fork/--no-fork to the workers (default: the worker's own)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true",
        help="profile the first rollout (cProfile, in-process) and print its top costs",
    )  # fmt: skip
    args = parser.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="kpi-bench-rollout-")
    postgres = not args.sqlite
    if args.workers and not postgres:
        parser.error("--workers needs PostgreSQL (workers are separate processes)")
    counts = sorted({1, args.workers}) if args.workers else []
    if postgres:
        owner_url, app_url = create_database(
            os.environ.get("KPI_BENCH_DATABASE_URL", DEFAULT_URL), APP_ROLE, password="kpi"
        )
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
        groups = [f"bench-w{c}-" for c in counts] if counts else ["bench-"]
        db.session.add_all(
            Tenant(slug=f"{prefix}{n:04d}", name=f"Phường thử nghiệm {prefix}{n}", kind="phuong",
                   status="active", settings={})
            for prefix in groups
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
        if counts:
            totals = {}
            for count, prefix in zip(counts, groups, strict=True):
                group = [u for u in units if u.slug.startswith(prefix)]
                totals[count] = on_workers(app, versions[0], group, actor, count, fork=args.fork)
            if len(counts) > 1:
                one, many = totals[counts[0]], totals[counts[-1]]
                print(
                    f"first rollout, {counts[-1]} workers vs 1: {many:.1f} s vs {one:.1f} s, "
                    f"speed-up {one / many:.2f} (linear: {counts[-1]})"
                )
            print(f"load average at the end: {os.getloadavg()}")
            db.engine.dispose()
            return 0
        if args.profile:
            profile_first_rollout(versions[0], units, actor)
            db.engine.dispose()
            return 0
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


def start_workers(app, count: int, log_dir: str, fork: bool | None) -> list[subprocess.Popen]:
    """Start ``count`` ``kpi worker rollout`` processes serving ``app``'s database and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPI_")}
    env.update(
        KPI_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        KPI_REDIS_URL=app.config["KPI_REDIS_URL"],
        KPI_INSTANCE_DIR=app.config["KPI_INSTANCE_DIR"],
        KPI_SECRET_KEY=app.config["SECRET_KEY"],
        KPI_RLS_KEY=app.config["KPI_RLS_KEY"],  # the workers must sign the scope like the app
        KPI_DATABASE_APP_ROLE=APP_ROLE,
        PYTHONPATH=str(ROOT),
    )
    kpi = str(Path(sys.executable).parent / "kpi")
    return [
        subprocess.Popen(
            [
                kpi,
                "worker",
                "rollout",
                *([] if fork is None else ["--fork" if fork else "--no-fork"]),
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(log_dir, f"worker-{count}-{n}.log"), "w"),  # noqa: SIM115
        )
        for n in range(count)
    ]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def _wait_registered(connection, count: int) -> None:
    from rq import Worker

    deadline = time.monotonic() + 60
    while len(Worker.all(connection=connection)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the rq workers did not start (see their logs)")
        time.sleep(0.2)


class LockSampler:
    """Samples ``pg_stat_activity`` of the bench database every 20 ms while the workers run:
    how often a backend waited for a lock (advisory: an audit chain; tuple/transactionid: a
    row), i.e. how much the units were serialised against each other."""

    def __init__(self, owner_url: str, database: str):
        self.engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
        self.database, self.samples, self.waits = database, 0, {}
        self.busy = 0  # samples with at least one worker backend running a statement
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        query = sa.text(
            "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
            "WHERE datname = :db AND usename = :role AND pid <> pg_backend_pid()"
        )
        with self.engine.connect() as conn:
            while not self._stop.wait(0.02):
                rows = conn.execute(query, {"db": self.database, "role": APP_ROLE}).all()
                conn.rollback()
                self.samples += 1
                self.busy += any(r.state == "active" for r in rows)
                for row in rows:
                    if row.wait_event_type == "Lock":
                        self.waits[row.wait_event] = self.waits.get(row.wait_event, 0) + 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        self._thread.join()
        self.engine.dispose()

    def summary(self) -> str:
        waits = ", ".join(f"{k} {v}" for k, v in sorted(self.waits.items())) or "none"
        return (
            f"{self.samples} samples of pg_stat_activity, a statement running in "
            f"{self.busy}; backends waiting for a lock: {waits}"
        )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc), 0 when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def on_workers(app, version, units, actor, count: int, fork: bool | None) -> float:
    """Run the first rollout of ``version`` to ``units`` on ``count`` real rq workers; print and
    return the total (from the rollout's creation to its last unit committed)."""
    from redis import Redis

    from tenant_app.extensions import db
    from tenant_app.models.rollout import RolloutTarget
    from tenant_app.models.vocabulary import RolloutStatus
    from tenant_app.services.rollout import rollouts

    app.config["KPI_REDIS_URL"] = os.environ.get("KPI_BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    connection = Redis.from_url(app.config["KPI_REDIS_URL"])
    connection.flushdb()
    workers = start_workers(app, count, app.config["KPI_INSTANCE_DIR"], fork)
    try:
        _wait_registered(connection, count)
        load = os.getloadavg()
        cpu_before = sum(_cpu_seconds(w.pid) for w in workers)
        owner = app.config["KPI_DATABASE_OWNER_URL"]
        with LockSampler(owner, make_url(owner).database) as sampler:
            started = time.perf_counter()
            rollout = rollouts.create_rollout(version, units, dry_run=False, actor=actor)
            enqueued = time.perf_counter() - started
            while True:
                db.session.expire_all()
                status = rollouts.get_rollout(rollout.id).status
                db.session.commit()
                if status == RolloutStatus.FINISHED:
                    break
                time.sleep(0.1)
            total = time.perf_counter() - started
        worker_cpu = sum(_cpu_seconds(w.pid) for w in workers) - cpu_before
    finally:
        stop_workers(workers)
        app.config["KPI_REDIS_URL"] = None
        connection.flushdb()
        connection.close()
    db.session.expire_all()
    data = rollouts.board(rollouts.get_rollout(rollout.id))
    rows = db.session.execute(
        sa.select(RolloutTarget.started_at, RolloutTarget.finished_at).where(
            RolloutTarget.rollout_id == rollout.id
        )
    ).all()
    wall = [(end - start).total_seconds() for start, end in rows]
    ms = [s * 1000 for s in wall]
    print(
        f"first rollout v1 on {count} rq worker(s) ({_fork_label(fork)}): {total:.1f} s total "
        f"for {data['total']} units (applied {data['counts']['applied']}, "
        f"failed {data['counts']['failed']}; "
        f"enqueued in {enqueued:.1f} s); per unit wall (target started → finished) "
        f"p50 {_percentile(ms, 50):.0f} ms, p95 {_percentile(ms, 95):.0f} ms, "
        f"max {max(ms):.0f} ms; workers' CPU {worker_cpu * 1000 / len(units):.0f} ms per unit "
        f"(without a forked horse's); load average before {load[0]:.2f}, "
        f"after {os.getloadavg()[0]:.2f}"
    )
    print(f"  locks: {sampler.summary()}")
    return total


def _fork_label(fork: bool | None) -> str:
    if fork is None:
        return "the worker's default"
    return "--fork: a horse per job" if fork else "--no-fork"


def profile_first_rollout(version, units, actor) -> None:
    """Run the first rollout under cProfile and print the top costs (cumulative, own time)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    total, wall, cpu = timed_rollout(version, units, actor)
    profiler.disable()
    print(f"profiled first rollout: {total:.1f} s for {len(units)} units (profiler overhead in)")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def board(rollouts) -> dict:
    from tenant_app.extensions import db

    db.session.expire_all()
    return rollouts.board(rollouts.list_rollouts()[0])


if __name__ == "__main__":
    raise SystemExit(main())
