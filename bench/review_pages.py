"""Review and assignment pages at scale: a ward of 300 people, server time and weight per page.

Generates the ward of tests/evaluation/big_ward.py (300 staff in six divisions under the head's
office, four assignments each in the open month, reports in every state) on a fresh SQLite file
(or on ``--database-url``, an empty PostgreSQL database the bench migrates and fills as its
owner), signs in as the head, then requests each page ``--repeat`` times through the WSGI app in
process (no network: the figure is the server's time) and prints p50/p95 and bytes for:

- /review (default filter "Chờ tôi duyệt"), a division filter, page 2 of "Tất cả";
- /assign (default), a division filter, page 2;
- the baselines measured in the same run: /healthz (ratio page p50 / healthz p50) and, with
  ``--old COMMIT``, the same pages of that commit (e.g. ``a992297``, the pages before the
  queues: every person on one page), extracted with ``git archive`` and run in a child process
  on the same generated ward (ratio old / new).

Prints figures and asserts nothing (the size budget is asserted in tests/evaluation).

    .venv/bin/python bench/review_pages.py                 # 300 people, 20 repeats (~1 min)
    .venv/bin/python bench/review_pages.py --old a992297 --repeat 5
    .venv/bin/python bench/review_pages.py --people 1000 --repeat 10
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "phuong-a"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _config(tmp: Path, url: str) -> dict:
    return {
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": url,
        "KPI_DATABASE_OWNER_URL": url,
        "KPI_INSTANCE_DIR": str(tmp),
        "KPI_LOGIN_RATE_LIMIT": "100000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "KPI_REDIS_URL": None,
        "KPI_SKIP_ROLE_CHECK": True,
        "WTF_CSRF_ENABLED": False,
    }


def _measure(client, url: str, repeat: int) -> tuple[list[float], int]:
    client.get(url)  # warm: templates compiled, caches filled
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        size = len(response.data)
    return times, size


def _old_figures(commit: str, people: int, repeat: int) -> dict:
    """The figures of the same pages at ``commit``, measured by this bench in a child process."""
    tree = Path(tempfile.mkdtemp(prefix="kpi-bench-review-old-"))
    archive = subprocess.run(
        ["git", "archive", commit], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    for name in ("tests/evaluation/big_ward.py", "bench/review_pages.py"):
        shutil.copy(ROOT / name, tree / name)
    child = subprocess.run(
        [sys.executable, "bench/review_pages.py", "--people", str(people),
         "--repeat", str(repeat), "--json"],
        cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    shutil.rmtree(tree, ignore_errors=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (owner)")
    parser.add_argument("--old", default="", help="a commit to measure the same pages at")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    options = parser.parse_args()

    from flask_migrate import upgrade

    from tenant_app import create_app
    from tenant_app.extensions import db
    from tenant_app.security.passwords import hash_password
    from tests.evaluation.big_ward import build_big_ward
    from tests.helpers import PASSWORD, Factory

    tmp = Path(tempfile.mkdtemp(prefix="kpi-bench-review-"))
    url = options.database_url or f"sqlite:///{tmp / 'kpi.sqlite3'}"
    app = create_app(_config(tmp, url))
    with app.app_context():
        upgrade()
        factory = Factory(hash_password(PASSWORD))
        tenant = factory.tenant(SLUG, name="Phường A")
        start = time.perf_counter()
        ward = build_big_ward(factory, tenant, people=options.people)
        built = time.perf_counter() - start
        db.session.remove()
    if not options.json:
        print(f"ward: {options.people + 2} people, built in {built:.1f} s ({url.split(':')[0]})")

    client = app.test_client()
    client.post(f"/t/{SLUG}/login", data={"username": "truong", "password": PASSWORD})
    unit = ward["divisions"][0]
    pages = [
        ("/healthz (baseline)", "/healthz"),
        ("/review default", f"/t/{SLUG}/review"),
        ("/review division", f"/t/{SLUG}/review?show=all&unit={unit}"),
        ("/review page 2", f"/t/{SLUG}/review?show=all&page=2"),
        ("/assign default", f"/t/{SLUG}/assign"),
        ("/assign division", f"/t/{SLUG}/assign?unit={unit}"),
        ("/assign page 2", f"/t/{SLUG}/assign?page=2"),
    ]
    figures = {}
    for name, path in pages:
        times, size = _measure(client, path, options.repeat)
        figures[name] = (_pct(times, 0.5), _pct(times, 0.95), size)
    if options.json:
        print(json.dumps(figures))
        return
    old = _old_figures(options.old, options.people, options.repeat) if options.old else {}
    baseline = figures[pages[0][0]][0]
    header = f"{'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'KB':>9}{'× healthz':>11}"
    if old:
        header += f"{'old p50 ms':>12}{'old KB':>9}{'old/new':>9}"
    print(header)
    for name, (p50, p95, size) in figures.items():
        line = f"{name:<22}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}{size / 1024:>9.1f}"
        line += f"{p50 / baseline:>11.1f}"
        if name in old:
            o50, _o95, osize = old[name]
            line += f"{o50 * 1000:>12.1f}{osize / 1024:>9.1f}{o50 / p50:>9.1f}"
        print(line)


if __name__ == "__main__":
    main()
