"""The demo province (``kpi demo``) for the shell's browser tests: its people by role, logging
in as one of them, and the main pages of each role.

The accounts are the ones ``demo.build`` returns (tenant_app/demo.py): the province admin, and in
the pilot ward Hạc Thành its unit admin, its chairman (a manager and the head of the agency) and a
staff member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tenant_app import demo
from tenant_app.extensions import db

WARD = "hac-thanh"


@dataclass(frozen=True)
class Role:
    """One demo account: where it logs in, its home page and its main pages (paths)."""

    name: str
    tenant: str | None
    username: str
    main: tuple[str, ...]

    @property
    def prefix(self) -> str:
        return f"/t/{self.tenant}" if self.tenant else "/admin"

    @property
    def home(self) -> str:
        return f"{self.prefix}/"


def build_demo() -> dict[str, Role]:
    """Build the demo in the test database; the four roles the shell is checked as, by name."""
    accounts = demo.build(fresh=False)
    db.session.remove()  # nothing held open while the server works on the same database
    ward = {a["role"]: a["username"] for a in reversed(accounts) if a["tenant"] == WARD}
    chairman = next(
        a["username"] for a in accounts if a["tenant"] == WARD and a["role"] == "manager"
    )
    province = next(a["username"] for a in accounts if a["role"] == "province_admin")
    t = f"/t/{WARD}"
    return {
        "province_admin": Role(
            "province_admin",
            None,
            province,
            (
                "/admin/",
                "/admin/comparison",
                "/admin/onboarding",
                "/admin/templates",
                "/admin/audit",
                "/admin/tenants/hac-thanh",
                "/admin/retention",
            ),
        ),
        "unit_admin": Role(
            "unit_admin",
            WARD,
            ward["unit_admin"],
            (f"{t}/", f"{t}/org", f"{t}/staff", f"{t}/catalogue", f"{t}/users", f"{t}/periods"),
        ),
        "manager": Role(
            "manager",
            WARD,
            chairman,  # the chairman: a manager who also approves (the widest unit header)
            (f"{t}/", f"{t}/assign", f"{t}/review", f"{t}/dashboard", f"{t}/approval"),
        ),
        "staff": Role(
            "staff",
            WARD,
            ward["staff"],
            (f"{t}/", f"{t}/my/work", f"{t}/my/score", f"{t}/notifications"),
        ),
    }


def log_in(page, base: str, role: Role) -> None:
    """Log ``page`` in as ``role`` and wait for its home page."""
    page.goto(f"{base}{role.prefix}/login")
    page.get_by_label("Tên đăng nhập").fill(role.username)
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(rf".*{re.escape(role.prefix)}/?$"))
