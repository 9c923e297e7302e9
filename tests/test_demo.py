"""`kpi demo` builds a believable province from scratch."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tenant_app import create_app, demo
from tenant_app.extensions import db
from tenant_app.models import (
    Absence,
    AnnualClassification,
    Assignment,
    ConcurrentPost,
    DeputyField,
    FeedBatch,
    FeedRecord,
    PeriodScore,
    ProvinceUser,
    ReceivedResult,
    Report,
    StaffMember,
    Tenant,
    User,
)
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import IncomeLine, IncomeRun, Period
from tenant_app.services.feeds import sources
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
        assert sources.list_sources() == []

    for slug in ("hac-thanh", "dong-son"):
        with tenant_context(tenants[slug]):
            _assert_fed(slug)
            _assert_concurrent_post(slug)

    for slug in ("hac-thanh", "dong-son"):
        with tenant_context(tenants[slug]):
            _assert_maternity_leave_explained()

    for slug in ("hac-thanh", "dong-son"):
        with tenant_context(tenants[slug]):
            _assert_deputy_in_charge_of_two_divisions()
    with tenant_context(tenants["hac-thanh"]):
        _assert_transfer_received()

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


def _assert_concurrent_post(slug: str) -> None:
    """A deputy holds a concurrent post on a higher salary, and the past month's income pays
    them on it (the highest of their posts)."""
    post = db.session.execute(sa.select(ConcurrentPost)).scalar_one()
    last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    line = db.session.execute(
        sa.select(IncomeLine)
        .join(IncomeRun, tenant_join(IncomeRun.id, IncomeLine.run_id))
        .join(Period, tenant_join(Period.id, IncomeRun.period_id))
        .where(IncomeLine.staff_id == post.staff_id, Period.starts_on == last_month)
    ).scalar_one_or_none()
    assert line is not None and line.salary == post.monthly_salary, slug


def _assert_fed(slug: str) -> None:
    """The ward's one-stop source is mapped and has fed a month of dossiers into the open period:
    most settled on time, some late, a few returned, each person's fed work scored."""
    source = sources.find_source("mot-cua")
    assert source is not None and source.name == "Hệ thống một cửa điện tử", slug
    officers = sources.officer_maps(source)
    items = sources.item_maps(source)
    assert len(officers) >= 3 and all(m.external_id == f"MC-{p.code}" for m, p in officers)
    assert {m.external_code for m, _i in items} == {"1.001193", "2.000908", "1.004227"}
    assert all(i.kind == "work_item" for _m, i in items)
    batches = db.session.execute(sa.select(FeedBatch)).scalars().all()
    assert batches and all(b.status == "processed" and b.rejected == 0 for b in batches), slug
    statuses = Counter(db.session.execute(sa.select(FeedRecord.status)).scalars())
    assert set(statuses) == {"accepted"}, statuses
    fed = db.session.execute(
        sa.select(Assignment, Report)
        .join(
            Report,
            sa.and_(
                Report.tenant_id == Assignment.tenant_id, Report.assignment_id == Assignment.id
            ),
        )
        .where(Assignment.feed_source_id == source.id)
    ).all()
    dossiers = sum(a.quantity for a, _r in fed)
    assert 150 <= dossiers <= 300, dossiers
    assert len({a.period_id for a, _r in fed}) == 1
    assert {a.staff_id for a, _r in fed} <= {p.id for _m, p in officers}
    assert len({a.staff_id for a, _r in fed}) >= 3
    completed = sum(r.completed for _a, r in fed)
    delays = sum(r.delays for _a, r in fed)
    errors = sum(r.major_errors for _a, r in fed)
    assert completed == dossiers  # a month of history: every dossier settled
    if date.today().day > 1:  # on the 1st no dossier of the month can be late yet
        assert 0.04 <= delays / dossiers <= 0.16, delays
    assert errors >= 1 and errors * 10 <= dossiers, errors
    scored = db.session.execute(
        sa.select(PeriodScore.staff_id).where(PeriodScore.period_id == fed[0][0].period_id)
    ).scalars()
    assert {a.staff_id for a, _r in fed} <= set(scored)


def test_demo_readme_pair_is_a_manager_and_their_staff(demo_app):
    """The README's printed pair per ward is a manager who directs that staff member, so the
    assign → report → review loop can be tried with the printed accounts."""
    from pathlib import Path

    from tenant_app.services.evaluation import assignments
    from tenant_app.services.workspace import staff

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    accounts = demo.build(fresh=True)
    printed = {(a["tenant"], a["username"]): a["role"] for a in accounts}
    pairs = {
        "hac-thanh": ("binhpc", "dungld"),
        "dong-son": ("hoann", "hieula"),
    }
    for slug, (manager, clerk) in pairs.items():
        assert f"`{manager}`" in readme and f"`{clerk}`" in readme, slug
        assert printed[(slug, manager)] == "manager" and printed[(slug, clerk)] == "staff"
        tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one()
        with tenant_context(tenant):
            users = {
                u.username: u
                for u in db.session.execute(
                    sa.select(User).where(User.username.in_((manager, clerk)))
                ).scalars()
            }
            person = staff.staff_for_user(users[clerk])
            assert assignments.can_manage(users[manager], person), slug


def _assert_maternity_leave_explained():
    """One person is on four months of maternity leave; their annual explanation names it."""
    leave = db.session.execute(sa.select(Absence)).scalar_one()
    assert leave.kind == "maternity" and leave.reference.endswith("/QĐ-TS")
    row = db.session.execute(
        sa.select(AnnualClassification).where(AnnualClassification.staff_id == leave.staff_id)
    ).scalar_one()
    assert any("nghỉ thai sản" in step["formula"] for step in row.explanation)


def _assert_deputy_in_charge_of_two_divisions():
    """A vice-chairman is in charge of two divisions; their unit result counts those people."""
    fields = db.session.execute(sa.select(DeputyField)).scalars().all()
    assert len(fields) == 2 and len({f.staff_id for f in fields}) == 1
    score = (
        db.session.execute(sa.select(PeriodScore).where(PeriodScore.staff_id == fields[0].staff_id))
        .scalars()
        .first()
    )
    assert score is not None and score.inputs.get("leader") is not None


def _assert_transfer_received():
    """A land officer came from Đông Sơn at the start of last month with the month before's
    result: Hạc Thành scored them for last month, and the year counts both months, the received
    one with its source named in the explanation. They can sign in to see it."""
    person = db.session.execute(
        sa.select(StaffMember).where(StaffMember.code.like("DS-%"))
    ).scalar_one()
    first = date.today().replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    assert person.start_date == last_month
    assert db.session.get(User, (person.tenant_id, person.user_id)).active
    own = (
        db.session.execute(sa.select(PeriodScore).where(PeriodScore.staff_id == person.id))
        .scalars()
        .all()
    )
    assert own, "scored in the new unit for last month"
    received = db.session.execute(sa.select(ReceivedResult)).scalars().all()
    if last_month.month == 1:  # a January transfer hands over nothing of the new year
        assert received == []
        return
    assert [(r.staff_id, r.source_unit_name) for r in received] == [(person.id, "Phường Đông Sơn")]
    assert received[0].starts_on == (last_month - timedelta(days=1)).replace(day=1)
    row = db.session.execute(
        sa.select(AnnualClassification).where(AnnualClassification.staff_id == person.id)
    ).scalar_one()
    # Last month's own result (and this month's, while open, when in the same year) and the
    # month received.
    own_this_year = sum(1 for score in own if score.period_id in year_periods(last_month.year))
    assert own_this_year >= 1
    assert row.periods_counted == own_this_year + 1, [s.get("label") for s in row.explanation]
    assert any("Phường Đông Sơn" in str(step) for step in row.explanation)


def year_periods(year: int) -> set:
    return set(db.session.execute(sa.select(Period.id).where(Period.year == year)).scalars())
