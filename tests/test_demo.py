"""`kpi demo` builds a believable province from scratch."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import sqlalchemy as sa

from tenant_app import create_app, demo
from tenant_app.extensions import db
from tenant_app.models import ProvinceUser, Tenant, User
from tenant_app.tenancy import tenant_context


@pytest.fixture()
def demo_app(tmp_path):
    """An app on the embedded default (the demo always rebuilds SQLite) in its own folder."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "KPI_INSTANCE_DIR": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": url,
            "KPI_DATABASE_OWNER_URL": url,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_demo_builds_the_province(demo_app, tmp_path):
    """Two pilot wards with 35–45 people each and their leadership, one ward onboarding."""
    accounts = demo.build(fresh=True)

    tenants = {t.slug: t for t in db.session.execute(sa.select(Tenant)).scalars()}
    assert {s: t.status for s, t in tenants.items()} == {
        "hac-thanh": "pilot",
        "dong-son": "pilot",
        "nguyet-vien": "onboarding",
    }
    roles = {u.role for u in db.session.execute(sa.select(ProvinceUser)).scalars()}
    assert roles == {"province_admin", "auditor"}
    for slug in ("hac-thanh", "dong-son"):
        with tenant_context(tenants[slug]):
            users = db.session.execute(sa.select(User)).scalars().all()
        assert 35 <= len(users) <= 45
        titles = Counter(u.job_title for u in users)
        assert titles["Chủ tịch UBND"] == 1 and titles["Phó Chủ tịch UBND"] == 2
        for body in (
            "Văn phòng HĐND và UBND",
            "Phòng Kinh tế, Hạ tầng và Đô thị",
            "Phòng Văn hóa – Xã hội",
            "Trung tâm Phục vụ hành chính công",
        ):
            members = [u for u in users if u.job_title.endswith(" – " + body)]
            assert len(members) >= 5, body
            assert sum(1 for u in members if "manager" in u.roles) >= 2, body
        assert any("unit_admin" in u.roles for u in users)
        assert all(" " in u.full_name and u.full_name != u.full_name.lower() for u in users)
    with tenant_context(tenants["nguyet-vien"]):
        assert db.session.execute(sa.select(User)).scalars().all() == []

    written = json.loads((tmp_path / "demo-accounts.json").read_text(encoding="utf-8"))
    assert written == accounts
    assert {a["tenant"] for a in written} == {None, "hac-thanh", "dong-son"}
    assert set(written[0]) == {"tenant", "username", "password", "role"}


def test_demo_names_make_vietnamese_usernames():
    """Usernames follow the given name + initials convention and stay unique."""
    taken: set[str] = set()
    assert demo._username("Lê Thị Hoa", taken) == "hoalt"
    assert demo._username("Lý Thanh Hoa", taken) == "hoalt2"
    assert demo._username("Đặng Đức Dũng", taken) == "dungdd"
