"""Login benchmark: time to the first byte of a sign-in on the production web server.

Starts gunicorn with deploy/gunicorn.conf.py (``bench/server.py``) on a PostgreSQL database of a
few demo wards and one province administrator, and measures the TTFB of the login POST — a unit
user's web form, a province user's web form, and the API token exchange — over ``--logins``
sign-ins one after the other and with each ``--concurrency`` of clients. Each sign-in is a new
browser: it GETs the form (cookie and CSRF token, not timed) and then POSTs it (timed until the
status line arrives).

It runs twice in the same invocation: first with argon2-cffi's own defaults (t=3, m=64 MiB, p=4,
the parameters before issue 16) as the baseline, then with the shipped defaults; every account's
stored hash is made with the parameters of the server measured. Under the shipped defaults it
also measures the first sign-in of accounts whose hash still has the old parameters (verified,
then re-hashed and committed). Prints p50/p95 side by side. Asserts nothing.

    python bench/login.py                          # 50 logins, concurrency 4 and 8
    python bench/login.py --logins 100 --concurrency 8
    python bench/login.py --profile 30             # cProfile of 30 in-process logins, no server

The database (``--database-url``, an owner URL; default a fresh ``kpi_bench_login``) is rebuilt;
the app connects as the RLS-bound role ``kpi_bench_app``.
"""

from __future__ import annotations

import cProfile
import http.client
import io
import json
import os
import pstats
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cli import bench_parser  # noqa: E402
from bench.load import APP_ROLE, CSRF, percentile, prepare  # noqa: E402
from bench.server import gunicorn, gunicorn_env, psycopg_url  # noqa: E402

PROVINCE_USER = "admin.bench"
# (label, KPI_ARGON2_TIME_COST, KPI_ARGON2_MEMORY_KIB, KPI_ARGON2_PARALLELISM)
OLD = ("before: argon2-cffi defaults t=3 m=65536 p=4", 3, 65536, 4)


def shipped_parameters() -> tuple[str, int, int, int]:
    from tenant_app.config import ARGON2_DEFAULTS

    t, m, p = ARGON2_DEFAULTS
    return (f"after: shipped t={t} m={m} p={p}", t, m, p)


def add_province_user(owner_url: str, instance: Path) -> None:
    from tenant_app import create_app
    from tenant_app.extensions import db
    from tenant_app.models import ProvinceUser

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": owner_url,
            "KPI_DATABASE_OWNER_URL": owner_url,
            "KPI_INSTANCE_DIR": str(instance),
            "KPI_SKIP_ROLE_CHECK": True,
        }
    )
    with app.app_context():
        db.session.add(
            ProvinceUser(
                username=PROVINCE_USER,
                full_name="Quản trị thử tải",
                role="province_admin",
                job_title="Sở Nội vụ",
                password_hash="-",
            )
        )
        db.session.commit()
        db.engine.dispose()


def set_hashes(owner_url: str, password: str, params: tuple[str, int, int, int] | None) -> None:
    """Store, for every account, a hash of ``password`` made with ``params`` (None: with the
    code's own ``hash_password``, in the app in context)."""
    from argon2 import PasswordHasher

    if params is None:
        from tenant_app.security.passwords import hash_password

        digest = hash_password(password)
    else:
        _label, t, m, p = params
        digest = PasswordHasher(time_cost=t, memory_cost=m, parallelism=p).hash(password)
    engine = sa.create_engine(owner_url)  # a superuser: row-level security does not apply
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET password_hash = :h"), {"h": digest})
        conn.execute(sa.text("UPDATE province_users SET password_hash = :h"), {"h": digest})
    engine.dispose()


class Browser:
    """A new browser on the sign-in page: one connection, its cookie and the form's CSRF token."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def _send(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        ttfb = time.perf_counter() - started
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            if value.startswith("kpi_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data, ttfb

    def form_login(self, path: str, username: str, password: str) -> tuple[bool, float]:
        """GET the form, POST it; return (signed in, TTFB of the POST in seconds)."""
        _status, page, _ = self._send("GET", path)
        token = CSRF.search(page.decode())
        body = urllib.parse.urlencode(
            {
                "csrf_token": token.group(1) if token else "",
                "username": username,
                "password": password,
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _data, ttfb = self._send("POST", path, body, headers)
        return status == 302, ttfb

    def token_login(self, tenant: str | None, username: str, password: str) -> tuple[bool, float]:
        body = json.dumps(
            {"tenant": tenant, "username": username, "password": password, "name": "bench"}
        )
        status, _data, ttfb = self._send(
            "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"}
        )
        return status == 201, ttfb

    def close(self) -> None:
        self.conn.close()


def one_login(port: int, kind: str, slug: str, username: str, password: str):
    browser = Browser(port)
    try:
        if kind == "unit web":
            return browser.form_login(f"/t/{slug}/login", username, password)
        if kind == "province web":
            return browser.form_login("/admin/login", username, password)
        return browser.token_login(slug, username, password)
    except (OSError, http.client.HTTPException):
        return False, 0.0
    finally:
        browser.close()


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids) -> float:
    """User + system CPU seconds used so far by the processes ``pids`` (those still alive)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (gunicorn's master and workers)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _backends(owner_url: str) -> list[int]:
    """The PostgreSQL backends of the app role on the benchmark database."""
    engine = sa.create_engine(owner_url)
    with engine.connect() as conn:
        pids = conn.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE usename = :role "
                "AND datname = current_database()"
            ),
            {"role": APP_ROLE},
        ).scalars()
        pids = list(pids)
    engine.dispose()
    return pids


class CpuMeter:
    """CPU seconds spent by the server's processes and its PostgreSQL backends during a block."""

    def __init__(self, server_pid: int, owner_url: str):
        self.server_pid, self.owner_url = server_pid, owner_url

    def __enter__(self):
        self.pids = _tree(self.server_pid)
        self.backends = _backends(self.owner_url)
        self.start = (_cpu_seconds(self.pids), _cpu_seconds(self.backends))
        return self

    def __exit__(self, *exc):
        # Backends opened during the block started from zero.
        new = [pid for pid in _backends(self.owner_url) if pid not in self.backends]
        self.server = _cpu_seconds(self.pids) - self.start[0]
        self.database = _cpu_seconds(self.backends) - self.start[1] + _cpu_seconds(new)


def measure(port, kind, users, password, logins, concurrency):
    """Run ``logins`` sign-ins of ``kind`` over ``users`` (slug, username) with ``concurrency``
    clients; return (TTFBs of the successful ones, failures, wall seconds)."""
    lock, ttfbs, failures, next_i = threading.Lock(), [], [0], [0]

    def worker():
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= logins:
                return
            slug, username = users[i % len(users)]
            ok, ttfb = one_login(port, kind, slug, username, password)
            with lock:
                if ok:
                    ttfbs.append(ttfb)
                else:
                    failures[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ttfbs, failures[0], time.perf_counter() - started


def run_phase(args, env_base, params, accounts, password, owner_url):
    """Measure every kind of sign-in with the server on ``params``; return rows of figures."""
    label, t, m, p = params
    kinds = {
        "unit web": accounts,
        "province web": [(None, PROVINCE_USER)],
        "API token": accounts,
    }
    rows = []
    env = {
        **env_base,
        "KPI_ARGON2_TIME_COST": str(t),
        "KPI_ARGON2_MEMORY_KIB": str(m),
        "KPI_ARGON2_PARALLELISM": str(p),
    }
    first_login = params != OLD
    # Accounts start with the old hash: under the shipped parameters, their first sign-in re-hashes.
    set_hashes(owner_url, password, OLD)
    log = Path(env["KPI_INSTANCE_DIR"]) / "gunicorn.log"
    with gunicorn(env, args.port, log=log) as server:
        if first_login:
            with CpuMeter(server.pid, owner_url) as cpu:
                ttfbs, failed, _wall = measure(
                    args.port, "unit web", accounts, password, len(accounts), 1
                )
            rows.append((label, "unit web, first (re-hash)", 1, ttfbs, failed, cpu))
            print(_row(rows[-1]), flush=True)
        else:
            # Warm every worker (imports, pools) outside the measured windows.
            measure(args.port, "unit web", accounts, password, 20, 4)
        for kind, users in kinds.items():
            for concurrency in [1, *args.concurrency]:
                with CpuMeter(server.pid, owner_url) as cpu:
                    ttfbs, failed, _wall = measure(
                        args.port, kind, users, password, args.logins, concurrency
                    )
                rows.append((label, kind, concurrency, ttfbs, failed, cpu))
                print(_row(rows[-1]), flush=True)
    return rows


def _row(row) -> str:
    label, kind, concurrency, ttfbs, failed, cpu = row
    n = max(len(ttfbs) + failed, 1)
    return (
        f"{label[:7]:<8} {kind:<26} {concurrency:>4} {len(ttfbs):>5} {failed:>5} "
        f"{percentile(ttfbs, 50):>8.0f} {percentile(ttfbs, 95):>8.0f} "
        f"{cpu.server / n * 1000:>8.1f} {cpu.database / n * 1000:>8.1f}"
    )


def profile(app_url: str, owner_url: str, instance: Path, accounts, password, count: int) -> None:
    """cProfile ``count`` unit and ``count`` province sign-ins in-process (POSTs only), with the
    hashes made by the code measured (so that no sign-in re-hashes)."""
    from tenant_app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app_url,
            "KPI_DATABASE_OWNER_URL": owner_url,
            "KPI_INSTANCE_DIR": str(instance),
            "KPI_LOGIN_RATE_LIMIT": "1000000 per minute",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        set_hashes(owner_url, password, None)
    commits = []
    with app.app_context():
        from tenant_app.extensions import db

        sa.event.listen(db.engine, "commit", lambda _conn: commits.append(1))
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *_args: statements.append(1))
    profiler = cProfile.Profile()
    walls: dict[str, list[float]] = {"unit web": [], "province web": []}
    counts: dict[str, tuple[int, int]] = {}
    for i in range(count + 3):
        for kind in walls:
            if kind == "unit web":
                slug, username = accounts[i % len(accounts)]
                path = f"/t/{slug}/login"
            else:
                username, path = PROVINCE_USER, "/admin/login"
            client = app.test_client()
            page = client.get(path).get_data(as_text=True)
            form = {"csrf_token": CSRF.search(page).group(1), "username": username}
            form["password"] = password
            measured = i >= 3  # the first sign-ins warm the pools and caches
            commits.clear()
            statements.clear()
            started = time.perf_counter()
            if measured:
                profiler.enable()
            response = client.post(path, data=form)
            if measured:
                profiler.disable()
                walls[kind].append(time.perf_counter() - started)
                counts[kind] = (len(statements), len(commits))
            assert response.status_code == 302, response.status_code
    for kind, values in walls.items():
        statements, commits_ = counts[kind]
        print(
            f"{kind}: in-process POST p50 {percentile(values, 50):.1f} ms, "
            f"{statements} SQL statements, {commits_} commits per sign-in"
        )
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(20)
    print(out.getvalue())


def main(argv=None) -> int:
    parser = bench_parser(__doc__, database="kpi_bench_login", tenants=2, port=8766)
    parser.add_argument("--accounts", type=int, default=20, help="unit accounts signing in")
    parser.add_argument("--logins", type=int, default=50)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--profile", type=int, default=0, help="profile N in-process logins")
    args = parser.parse_args(argv)

    instance = Path("/tmp/kpi-bench-login")
    instance.mkdir(exist_ok=True)
    print(f"preparing {args.tenants} wards on {make_url(args.database_url).database} …", flush=True)
    started = time.perf_counter()
    app_url, by_tenant = prepare(args.database_url, args.tenants, instance)
    owner = psycopg_url(args.database_url)
    add_province_user(owner, instance)
    print(f"prepared in {time.perf_counter() - started:.0f} s", flush=True)
    accounts = [
        (slug, username)
        for slug in sorted(by_tenant)
        for username in by_tenant[slug]["staff"][: args.accounts // args.tenants]
    ]

    from tenant_app.demo import DEMO_PASSWORD

    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} CPUs", flush=True)
    if args.profile:
        profile(app_url, owner, instance, accounts, DEMO_PASSWORD, args.profile)
        return 0
    env = gunicorn_env(
        app_url=app_url, owner_url=owner, app_role=APP_ROLE, instance=instance, port=args.port
    )
    header = f"{'params':<8} {'sign-in':<26} {'conc':>4} {'ok':>5} {'fail':>5}"
    print(f"{header} {'p50 ms':>8} {'p95 ms':>8} {'app CPU':>8} {'PG CPU':>8}")
    print(f"{'':<52}(TTFB of the POST)  (ms per sign-in, form GET included)")
    rows = []
    try:
        for params in (OLD, shipped_parameters()):
            rows += run_phase(args, env, params, accounts, DEMO_PASSWORD, owner)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"load average after: {os.getloadavg()}")
    print("\nTTFB of the login POST, side by side (p50 / p95 ms; before → after):")
    before = {(k, c): r for label, k, c, *r in rows if label == OLD[0]}
    # r: (TTFBs, failures, CPU)
    for label, kind, concurrency, ttfbs, _failed, _cpu in rows:
        if label == OLD[0]:
            continue
        old = before.get((kind, concurrency))
        old_text = (
            f"{percentile(old[0], 50):6.0f} / {percentile(old[0], 95):6.0f}" if old else " " * 15
        )
        print(
            f"  {kind:<26} c={concurrency:<2} {old_text}  →  "
            f"{percentile(ttfbs, 50):6.0f} / {percentile(ttfbs, 95):6.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
