"""Screenshots of the main pages of the demo, at 1366 px (a laptop) and 390 px (a phone).

    PYTHONPATH=. .venv/bin/python docs/screens/make_screens.py

Builds ``kpi demo`` in a temporary instance folder (never the developer's database), serves it on
a loopback port, logs in as each role with Debian's chromium (KPI_CHROMIUM) and writes one PNG
of the viewport per page and width into this folder (``<role>-<page>-<width>.png``), and
per role the phone's navigation opened by the menu button (``<role>-menu-390.png``).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("KPI_CHROMIUM", "/usr/bin/chromium")
WIDTHS = {1366: 768, 390: 844}
WARD = "/t/hac-thanh"
# (role as in demo-accounts.json, ward or None, [(name, path)]): about eight pages in all.
PAGES = [
    ("province_admin", None, [("units", "/admin/"), ("comparison", "/admin/comparison")]),
    ("unit_admin", "hac-thanh", [("org", f"{WARD}/org"), ("staff", f"{WARD}/staff"),
                                 ("catalogue", f"{WARD}/catalogue")]),
    ("manager", "hac-thanh", [("home", f"{WARD}/"), ("dashboard", f"{WARD}/dashboard")]),
    ("staff", "hac-thanh", [("my-work", f"{WARD}/my/work")]),
]  # fmt: skip


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="kpi-screens-")
    os.environ.update(KPI_INSTANCE_DIR=tmp, KPI_DEMO="true", KPI_LOCALE="vi")
    os.environ.pop("KPI_DATABASE_URL", None)
    os.environ.pop("KPI_REDIS_URL", None)

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tenant_app import create_app, demo

    app = create_app()
    with app.app_context():
        accounts = demo.build(fresh=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for role, ward, pages in PAGES:
            account = next(a for a in accounts if a["role"] == role and a["tenant"] == ward)
            for width, height in WIDTHS.items():
                context = browser.new_context(
                    locale="vi-VN", viewport={"width": width, "height": height}
                )
                page = context.new_page()
                prefix = f"/t/{ward}" if ward else "/admin"
                page.goto(f"{base}{prefix}/login")
                page.get_by_label("Tên đăng nhập").fill(account["username"])
                page.get_by_label("Mật khẩu").fill(account["password"])
                page.get_by_role("button", name="Đăng nhập").click()
                page.wait_for_url(re.compile(rf".*{re.escape(prefix)}/?$"))
                if width < 900:  # the phone's navigation, opened by the menu button
                    page.get_by_role("button", name="Menu").click()
                    target = HERE / f"{role.replace('_', '-')}-menu-{width}.png"
                    page.screenshot(path=str(target))
                    print(target.name)
                for name, path in pages:
                    page.goto(f"{base}{path}")
                    target = HERE / f"{role.replace('_', '-')}-{name}-{width}.png"
                    page.screenshot(path=str(target))
                    print(target.name)
                context.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
