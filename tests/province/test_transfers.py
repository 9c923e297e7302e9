"""Transfers between units: the person, their published results, both units' records and audit."""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, PeriodScore, ProvinceAuditEvent, StaffAssignment, User
from tenant_app.models.transfers import ReceivedResult, StaffTransfer
from tenant_app.services.audit import audit_chain
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import annual
from tenant_app.services.province import transfer_reads, transfers
from tenant_app.tenancy import CrossTenantWrite, tenant_context
from tenant_app.tenancy.door import DoorRefused, read_one_tenant, transfer_write
from tests.province.transfer_helpers import by_code, head, own_months, person, request_for

ROOT = Path(__file__).resolve().parents[2]


def _move(tenant_a, tenant_b, a, b, actor, **over):
    return transfer_write(tenant_a, tenant_b, actor=actor, **request_for(a, b, **over))


def _count(model, tenant):
    with tenant_context(tenant):
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_transfer_ends_the_old_record_and_keeps_its_history(
    tenant_a, tenant_b, wards, province_admin
):
    """In A the clerk's record ends on 30/09 (the day before 01/10), the account is disabled,
    and every period score stays (nine published, one open)."""
    a, b = wards
    _move(tenant_a, tenant_b, a, b, province_admin)
    old = person(tenant_a, a["clerk"])
    assert old.end_date == date(2026, 9, 30)
    with tenant_context(tenant_a):
        assert db.session.get(User, (tenant_a.id, a["clerk_user"])).active is False
        scores = db.session.execute(
            sa.select(sa.func.count()).where(PeriodScore.staff_id == a["clerk"])
        ).scalar()
        assert scores == 10


def test_transfer_creates_the_person_in_the_new_unit(tenant_a, tenant_b, wards, province_admin):
    """In B: a record with the same code, type, rank, salary and quota group from 01/10, posted
    to the office and position chosen in B, on decision 125/QĐ-UBND."""
    a, b = wards
    _tid, new = _move(tenant_a, tenant_b, a, b, province_admin)
    moved = by_code(tenant_b, "NS2")
    assert moved.id == new.id
    assert (moved.full_name, moved.staff_type, moved.rank_code, moved.monthly_salary) == (
        "Trần Thị Văn", "cong_chuc", "01.003", 8000000,
    )  # fmt: skip
    assert (moved.quota_group, moved.start_date, moved.end_date) == ("CV", date(2026, 10, 1), None)
    with tenant_context(tenant_b):
        post = db.session.execute(
            sa.select(StaffAssignment).where(StaffAssignment.staff_id == moved.id)
        ).scalar_one()
    assert (post.org_unit_id, post.position_id) == (b["body"], b["clerk_pos"])
    assert post.decision_ref == "125/QĐ-UBND"


def test_transfer_copies_the_published_results_with_their_source(
    tenant_a, tenant_b, wards, province_admin
):
    """The nine published months move as received results, exact as A stored them (April
    490/7 = 70, not its 6-place 69.999999), named after Phường A; November (open) does not."""
    a, b = wards
    _move(tenant_a, tenant_b, a, b, province_admin)
    with tenant_context(tenant_b):
        rows = db.session.execute(
            sa.select(ReceivedResult).order_by(ReceivedResult.starts_on)
        ).scalars()
        rows = list(rows)
    assert [r.period_code for r in rows] == [f"2026-{m:02d}" for m in range(1, 10)]
    april = rows[3]
    assert (april.total_exact, str(april.total)) == ("70", "69.999999")
    assert {(r.source_unit_name, r.source_unit_slug) for r in rows} == {("Phường A", "phuong-a")}
    assert rows[0].period_label == "Tháng 01/2026"


def test_transfer_preview_lists_the_work_that_stays(tenant_a, wards):
    """The departure read in A: nine months move; November (open, with work and a score) stays."""
    a, _b = wards
    with tenant_context(tenant_a):
        leaving = transfer_reads.departure(a["clerk"], date(2026, 10, 1))
    assert len(leaving.results) == 9
    assert [(w.code, w.status, w.scored) for w in leaving.staying] == [("2026-11", "open", True)]


def test_transfer_records_both_sides(tenant_a, tenant_b, wards, province_admin):
    """Each unit lists the transfer: ``out`` in A naming Phường B, ``in`` in B naming Phường A,
    with the same transfer id and nine results moved."""
    a, b = wards
    transfer_id, _new = _move(tenant_a, tenant_b, a, b, province_admin)
    with tenant_context(tenant_a):
        out = db.session.execute(sa.select(StaffTransfer)).scalar_one()
    with tenant_context(tenant_b):
        came = db.session.execute(sa.select(StaffTransfer)).scalar_one()
    assert (out.direction, out.other_unit_name, out.transfer_id) == ("out", "Phường B", transfer_id)
    assert (came.direction, came.other_unit_name, came.transfer_id) == (
        "in", "Phường A", transfer_id,
    )  # fmt: skip
    assert out.results_moved == came.results_moved == 9


def test_transfer_audited_in_both_units_and_the_province(tenant_a, tenant_b, wards, province_admin):
    """``staff.transfer_out`` in A's chain, ``staff.transfer_in`` in B's, ``staff.transfer`` in
    the province chain, naming the decision; every chain still verifies."""
    a, b = wards
    _move(tenant_a, tenant_b, a, b, province_admin)
    for tenant, action in ((tenant_a, "staff.transfer_out"), (tenant_b, "staff.transfer_in")):
        with tenant_context(tenant):
            event = db.session.execute(
                sa.select(AuditEvent).where(AuditEvent.action == action)
            ).scalar_one()
        assert event.actor_name == "tinh.admin"
        assert event.after["reference"] == "125/QĐ-UBND"
    province = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "staff.transfer")
    ).scalar_one()
    assert (province.after["from_unit"], province.after["to_unit"]) == ("phuong-a", "phuong-b")
    assert len(province.after["results_moved"]) == 9
    _count_checked, broken = audit_chain.verify_all()
    assert broken == []


def test_annual_counts_nine_received_and_three_own_months(
    tenant_a, tenant_b, wards, province_admin
):
    """B's year for the clerk: 80+85+90+70+75+88+92+60+95 = 735 received, 70+80+91 = 241 own:
    976/12 = 244/3 ≈ 81.33 → HTT, twelve periods counted."""
    a, b = wards
    _tid, new = _move(tenant_a, tenant_b, a, b, province_admin)
    own_months(tenant_b, new.id, {10: 70, 11: 80, 12: 91})
    with tenant_context(tenant_b):
        annual.compute_year(2026, actor=head(tenant_b, b))
        row = {r.staff_id: r for r in annual.rows_of(2026)}[new.id]
        assert (row.average_exact, row.periods_counted, row.proposed_grade) == ("244/3", 12, "HTT")
        assert Fraction(row.average_exact) == Fraction(976, 12)


def test_annual_explanation_names_the_source_of_each_period(
    tenant_a, tenant_b, wards, province_admin
):
    """Each received month is labelled "kết quả do Phường A chuyển sang" with its source unit;
    B's own months carry none."""
    a, b = wards
    _tid, new = _move(tenant_a, tenant_b, a, b, province_admin)
    own_months(tenant_b, new.id, {10: 70, 11: 80, 12: 91})
    with tenant_context(tenant_b):
        annual.compute_year(2026, actor=head(tenant_b, b))
        row = {r.staff_id: r for r in annual.rows_of(2026)}[new.id]
    steps = {s["code"]: s for s in row.explanation}
    assert steps["period:2026-03"]["label"] == "Kỳ 2026-03 (kết quả do Phường A chuyển sang)"
    assert steps["period:2026-03"]["inputs"]["source_unit"] == "Phường A"
    assert steps["period:2026-11"]["inputs"]["source_unit"] is None
    assert "(kết quả do" not in steps["period:2026-11"]["label"]


def test_annual_overlap_month_before_the_date_counts_the_received_result(
    factory, tenant_a, tenant_b, wards, province_admin
):
    """Transferred on 15/10 with October published in A (50): B's own October (100) starts
    before the date, so A's counts; November and December are B's: (735 + 50 + 80 + 90) / 12 =
    955/12. October appears once, from Phường A."""
    a, b = wards
    from tests.province.transfer_helpers import publish_months

    publish_months(tenant_a, a["clerk"], {10: 50})
    _tid, new = _move(tenant_a, tenant_b, a, b, province_admin, effective_on=date(2026, 10, 15))
    own_months(tenant_b, new.id, {10: 100, 11: 80, 12: 90})
    with tenant_context(tenant_b):
        annual.compute_year(2026, actor=head(tenant_b, b))
        row = {r.staff_id: r for r in annual.rows_of(2026)}[new.id]
    assert (row.average_exact, row.periods_counted) == ("955/12", 12)
    october = [s for s in row.explanation if s["code"] == "period:2026-10"]
    assert len(october) == 1 and october[0]["inputs"]["source_unit"] == "Phường A"


def test_transfer_refuses_a_code_taken_in_the_new_unit(tenant_a, tenant_b, wards, province_admin):
    """B already has an NS2b; moving A's head (code NS1) is fine, but a B person coded NS2 makes
    the clerk's move fail naming the holder, and nothing changes in either unit."""
    a, b = wards
    with tenant_context(tenant_b):
        by = by_code(tenant_b, "NS2b")
    with tenant_context(tenant_b):
        db.session.execute(sa.update(type(by)).where(type(by).id == by.id).values(code="NS2"))
        db.session.commit()
    with pytest.raises(ServiceError) as refused:
        _move(tenant_a, tenant_b, a, b, province_admin)
    assert refused.value.code == "code_taken"
    assert "NS2" in refused.value.message and "Trần Thị Văn" in refused.value.message
    assert "Phường B" in refused.value.message
    assert person(tenant_a, a["clerk"]).end_date is None
    assert _count(ReceivedResult, tenant_b) == 0


def test_transfer_refuses_a_post_of_another_unit(tenant_a, tenant_b, wards, province_admin):
    """An org unit id of A named as the destination in B is refused (field org_unit_id)."""
    a, b = wards
    with pytest.raises(ServiceError) as refused:
        _move(tenant_a, tenant_b, a, b, province_admin, org_unit_id=a["body"])
    assert refused.value.field == "org_unit_id"
    assert person(tenant_a, a["clerk"]).end_date is None


def test_transfer_requires_a_decision_reference(tenant_a, tenant_b, wards, province_admin):
    """No decision number: refused on the field ``reference`` before anything is read."""
    a, b = wards
    with pytest.raises(ServiceError) as refused:
        _move(tenant_a, tenant_b, a, b, province_admin, reference=" ")
    assert refused.value.field == "reference"


def test_transfer_refused_for_unit_admins_and_auditors(
    tenant_a, tenant_b, wards, admin_a, auditor, head_reviewer
):
    """Only a province administrator transfers: a unit administrator, an auditor and the
    competent higher level are refused, and nothing changes."""
    a, b = wards
    for actor in (admin_a, auditor, head_reviewer):
        with pytest.raises(DoorRefused):
            _move(tenant_a, tenant_b, a, b, actor)
    assert person(tenant_a, a["clerk"]).end_date is None
    assert _count(StaffTransfer, tenant_a) == 0


def test_read_only_door_cannot_be_used_to_transfer(tenant_a, tenant_b, wards, auditor):
    """An auditor inside the read-only door of A cannot run the leaving step: the write is
    refused at the flush and nothing is kept."""
    a, b = wards
    req = transfers.check_request(**request_for(a, b))
    with read_one_tenant(tenant_a, "test", actor=auditor):
        leaving = transfer_reads.departure(a["clerk"], req.effective_on)
        with pytest.raises(CrossTenantWrite):
            transfers.leave(
                leaving, req, transfer_id=1, source=tenant_a, target=tenant_b, actor=auditor
            )
            db.session.flush()
    db.session.rollback()
    assert person(tenant_a, a["clerk"]).end_date is None


def test_transfer_all_or_nothing(tenant_a, tenant_b, wards, province_admin, monkeypatch):
    """A failure after the results are copied into B leaves both units as they were: A's record
    open and its account active, no record, result or transfer row in B, no audit event."""
    a, b = wards
    arrive = transfers.arrive

    def failing(*args, **kwargs):
        arrive(*args, **kwargs)
        db.session.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr(transfers, "arrive", failing)
    with pytest.raises(RuntimeError):
        _move(tenant_a, tenant_b, a, b, province_admin)
    assert person(tenant_a, a["clerk"]).end_date is None
    with tenant_context(tenant_a):
        assert db.session.get(User, (tenant_a.id, a["clerk_user"])).active is True
    assert by_code(tenant_b, "NS2") is None
    for tenant in (tenant_a, tenant_b):
        assert _count(ReceivedResult, tenant) == 0
        assert _count(StaffTransfer, tenant) == 0
        with tenant_context(tenant):
            actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
        assert not {"staff.transfer_in", "staff.transfer_out"} & actions
    assert (
        db.session.execute(
            sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "staff.transfer")
        ).first()
        is None
    )


def test_received_results_are_not_seen_by_the_old_unit(tenant_a, tenant_b, wards, province_admin):
    """A cannot read B's received results or B's side of the transfer, nor B A's side."""
    a, b = wards
    _move(tenant_a, tenant_b, a, b, province_admin)
    assert _count(ReceivedResult, tenant_a) == 0
    with tenant_context(tenant_a):
        sides = {t.direction for t in db.session.execute(sa.select(StaffTransfer)).scalars()}
    with tenant_context(tenant_b):
        sides_b = {t.direction for t in db.session.execute(sa.select(StaffTransfer)).scalars()}
    assert (sides, sides_b) == ({"out"}, {"in"})
    assert _count(ReceivedResult, tenant_b) == 9


def test_transfer_steps_are_called_only_by_the_door():
    """The writing steps (``leave``, ``arrive``) are called from ``tenancy/door.py`` only."""
    pattern = re.compile(r"transfers\.(leave|arrive)\(")
    allowed = {ROOT / "tenant_app/tenancy/door.py"}
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(p in {".venv", "tests", "node_modules"} for p in parts) or path in allowed:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_transfer_api_moves_the_person(client, tenant_a, tenant_b, wards, province_admin):
    """POST /api/v1/province/transfers with a province administrator's token: 201 with the new
    record's id and code; the nine results are in B."""
    from tests.helpers import bearer, token_for

    a, b = wards
    token = token_for(client, None, "tinh.admin")
    body = {k: str(v) for k, v in request_for(a, b).items()}
    body.update(source="phuong-a", target="phuong-b")
    response = client.post("/api/v1/province/transfers", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert (data["staff_code"], data["full_name"]) == ("NS2", "Trần Thị Văn")
    assert str(by_code(tenant_b, "NS2").id) == data["staff_id"]
    assert _count(ReceivedResult, tenant_b) == 9


def test_transfer_api_second_move_is_a_400_naming_the_reason(
    client, tenant_a, tenant_b, wards, province_admin
):
    """Moving A's clerk twice: the second answer is 400 ``already_left`` on ``staff_id``."""
    from tests.helpers import bearer, token_for

    a, b = wards
    token = token_for(client, None, "tinh.admin")
    body = {k: str(v) for k, v in request_for(a, b).items()}
    body.update(source="phuong-a", target="phuong-b")
    assert (
        client.post("/api/v1/province/transfers", json=body, headers=bearer(token)).status_code
        == 201
    )
    again = client.post("/api/v1/province/transfers", json=body, headers=bearer(token))
    assert again.status_code == 400
    assert again.get_json()["error"]["code"] == "already_left"
