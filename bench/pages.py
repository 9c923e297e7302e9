"""Where a page of the load mix spends its CPU: in-process, one request at a time, cProfile.

The pages of ``bench/load.py``'s mix (a staff member's explained score and work, a manager's
dashboard and its live endpoint, a report saved) are requested through the Flask test client of
an app configured like production (PostgreSQL as the RLS-bound role), ``--repeat`` times each.
Prints the median and p95 CPU (``time.thread_time``) and wall time per page kind, and with
``--profile`` the top functions by cumulative time for each kind. Asserts nothing.

    python bench/pages.py                      # 2 demo wards, 30 requests per page kind
    python bench/pages.py --profile --repeat 50
    python bench/pages.py --reuse              # keep the database of an earlier run

The database (``--database-url``, an owner URL; default ``kpi_bench_pages``) is rebuilt with demo
wards by ``bench/load.py``'s preparation unless ``--reuse`` is given.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402  (bench/load.py: the same wards, role and mix)

from bench.cli import bench_parser  # noqa: E402
from bench.server import psycopg_url, role_url  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _accounts(owner_url: str) -> dict:
    """Staff and managers by ward, read back from an existing benchmark database."""
    engine = sa.create_engine(psycopg_url(owner_url))
    accounts: dict[str, dict[str, list[str]]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT t.slug, u.username, EXISTS (SELECT 1 FROM staff m "
                " WHERE m.tenant_id = s.tenant_id AND m.manager_id = s.id) "
                "FROM users u JOIN tenants t ON t.id = u.tenant_id "
                "JOIN staff s ON s.tenant_id = u.tenant_id AND s.user_id = u.id "
                "ORDER BY t.slug, u.username"
            )
        ).all()
    engine.dispose()
    for slug, username, manages in rows:
        pools = accounts.setdefault(slug, {"staff": [], "manager": []})
        pools["manager" if manages else "staff"].append(username)
    return accounts


def _app(app_url: str, owner_url: str, instance: str):
    from tenant_app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app_url,
            "KPI_DATABASE_OWNER_URL": owner_url,
            "KPI_DATABASE_APP_ROLE": load.APP_ROLE,
            "KPI_INSTANCE_DIR": instance,
            "KPI_REDIS_URL": None,
            "SECRET_KEY": "p" * 48,
            "KPI_LOGIN_RATE_LIMIT": "1000000 per minute",
            "SESSION_COOKIE_SECURE": False,
        }
    )


def _login(client, slug: str, username: str, password: str) -> None:
    page = client.get(f"/t/{slug}/login").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    response = client.post(
        f"/t/{slug}/login",
        data={"csrf_token": token, "username": username, "password": password},
    )
    if response.status_code != 302:
        raise SystemExit(f"login of {username}@{slug} answered {response.status_code}")


def _kinds(app, accounts: dict, password: str):
    """(kind, callable making one request) for each page kind of the mix."""
    slug = sorted(accounts)[0]
    staff_client, manager_client, reporter_client = (app.test_client() for _ in range(3))
    _login(staff_client, slug, accounts[slug]["staff"][0], password)
    _login(manager_client, slug, accounts[slug]["manager"][0], password)
    for username in accounts[slug]["staff"][1:]:  # someone with a report still open
        reporter_client = app.test_client()
        _login(reporter_client, slug, username, password)
        page = reporter_client.get(f"/t/{slug}/my/work").get_data(as_text=True)
        if load.REPORT_FORM.search(page):
            break
    rng = random.Random(7)

    def get(client, path):
        return lambda: client.get(path)

    def report():
        page = reporter_client.get(f"/t/{slug}/my/work").get_data(as_text=True)
        forms, token = load.REPORT_FORM.findall(page), CSRF.search(page)
        started_cpu, started = time.thread_time(), time.perf_counter()
        response = reporter_client.post(
            rng.choice(forms),
            data={
                "csrf_token": token.group(1),
                "completed": str(rng.randint(0, 2)),
                "completed_on": date.today().isoformat(),
                "note": "Cập nhật tiến độ",
                "save": "Lưu nháp",
            },
        )
        return response, time.thread_time() - started_cpu, time.perf_counter() - started

    return [
        ("score", get(staff_client, f"/t/{slug}/my/score")),
        ("work", get(staff_client, f"/t/{slug}/my/work")),
        ("dashboard", get(manager_client, f"/t/{slug}/dashboard")),
        ("live", get(manager_client, f"/t/{slug}/dashboard/live")),
        ("report", report),
    ]


def measure(app, kinds, repeat: int, profile: bool, top: int, sort: str = "cumulative") -> None:
    print(
        f"{'page':<10} {'cpu p50 ms':>10} {'cpu p95 ms':>10} {'wall p50 ms':>11} "
        f"{'wall p95 ms':>11} {'KB':>6}"
    )
    profiles = {}
    for kind, call in kinds:
        for _ in range(3):  # warm caches and the pool, as a running server has them
            call()
        cpus, walls, size = [], [], 0
        profiler = cProfile.Profile() if profile else None
        for _ in range(repeat):
            started_cpu, started = time.thread_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            result = call()
            if profiler:
                profiler.disable()
            cpu, wall = time.thread_time() - started_cpu, time.perf_counter() - started
            response = result
            if isinstance(result, tuple):  # the report: only the POST is timed
                response, cpu, wall = result
            if response.status_code >= 400:
                raise SystemExit(f"{kind} answered {response.status_code}")
            size = len(response.get_data())
            cpus.append(cpu)
            walls.append(wall)
        cpus.sort()
        walls.sort()
        p95 = max(0, int(len(cpus) * 0.95) - 1)
        print(
            f"{kind:<10} {statistics.median(cpus) * 1000:>10.1f} {cpus[p95] * 1000:>10.1f} "
            f"{statistics.median(walls) * 1000:>11.1f} {walls[p95] * 1000:>11.1f} "
            f"{size / 1024:>6.0f}",
            flush=True,
        )
        profiles[kind] = profiler
    if profile:
        for kind, profiler in profiles.items():
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(sort).print_stats(top)
            print(f"\n=== {kind}: top {top} by {sort} ({repeat} requests) ===")
            print("\n".join(out.getvalue().splitlines()[6:]))


def main(argv=None) -> int:
    parser = bench_parser(__doc__, database="kpi_bench_pages", tenants=2)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    parser.add_argument("--profile", action="store_true", help="print cProfile per page kind")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime")
    args = parser.parse_args(argv)

    from tenant_app.demo import DEMO_PASSWORD

    owner = psycopg_url(args.database_url)
    instance = tempfile.mkdtemp(prefix="kpi-bench-pages-")
    if args.reuse:
        app_url = role_url(owner, load.APP_ROLE)
        accounts = _accounts(owner)
    else:
        app_url, accounts = load.prepare(args.database_url, args.tenants, Path(instance))
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs", flush=True)
    app = _app(app_url, owner, instance)
    # No app context around the requests: each test-client request pushes its own, as a server's do.
    measure(
        app, _kinds(app, accounts, DEMO_PASSWORD), args.repeat, args.profile, args.top, args.sort
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
