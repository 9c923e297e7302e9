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

import argparse
import http.client
import os
import random
import re
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

from bench.server import RLS_KEY, gunicorn, gunicorn_env  # noqa: E402

APP_ROLE = "kpi_bench_app"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REPORT_FORM = re.compile(r'action="(/t/[^"]+/my/work/[0-9a-f-]{36})"')


def prepare(owner_url: str, tenants: int, instance: Path) -> tuple[str, dict]:
    """Rebuild the benchmark database; return the app URL and accounts by tenant."""
    server = make_url(owner_url).set(drivername="postgresql+psycopg")
    name = server.database
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        if not conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
        ).first():
            conn.execute(
                sa.text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'bench'")
            )
    admin.dispose()
    owner = server.render_as_string(hide_password=False)
    app_url = server.set(username=APP_ROLE, password="bench").render_as_string(hide_password=False)
    os.environ["KPI_DATABASE_APP_ROLE"] = APP_ROLE
    os.environ["KPI_RLS_KEY"] = RLS_KEY  # stored by the migrations; the server signs with it

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
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        password_hash = hash_password(demo.DEMO_PASSWORD)
        for n in range(tenants):
            slug = f"phuong-{n + 1:02d}"
            demo.seed_ward(
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
                }
            print(f"  seeded {slug}", flush=True)
        db.engine.dispose()
    return app_url, accounts


class Client:
    """One keep-alive HTTP connection with a cookie, like one browser tab."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None):
        body = urllib.parse.urlencode(form) if form else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "KPI_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/kpi_bench_load"
        ),
    )
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)

    instance = Path("/tmp/kpi-bench-load")
    instance.mkdir(exist_ok=True)
    print(f"preparing {args.tenants} wards on {make_url(args.database_url).database} …", flush=True)
    t0 = time.perf_counter()
    app_url, accounts = prepare(args.database_url, args.tenants, instance)
    print(f"prepared in {time.perf_counter() - t0:.0f} s", flush=True)

    from tenant_app.demo import DEMO_PASSWORD

    owner = (
        make_url(args.database_url)
        .set(drivername="postgresql+psycopg")
        .render_as_string(hide_password=False)
    )
    server_env = gunicorn_env(
        app_url=app_url, owner_url=owner, app_role=APP_ROLE, instance=instance, port=args.port
    )
    try:
        with gunicorn(server_env, args.port):
            base = baseline(args.port, 20, min(10.0, args.duration))
            print(f"baseline /healthz: {base:.0f} req/s (20 connections)")
            print(
                f"{'users':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
                f"{'errors':>7} {'refused':>8} {'ratio':>7}"
            )
            for users in args.users:
                window, elapsed = run_mix(args.port, accounts, users, args.duration, DEMO_PASSWORD)
                latencies = [e for _k, s, e in window if s and s < 500]
                errors = sum(1 for _k, s, _e in window if s == 0 or s >= 500)
                refused = sum(1 for _k, s, _e in window if 400 <= s < 500)
                rate = len(window) / elapsed
                print(
                    f"{users:>6} {rate:>8.1f} {percentile(latencies, 50):>8.0f} "
                    f"{percentile(latencies, 95):>8.0f} {percentile(latencies, 99):>8.0f} "
                    f"{errors:>7} {refused:>8} {base / rate if rate else 0:>7.1f}",
                    flush=True,
                )
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
