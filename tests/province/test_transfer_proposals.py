"""Transfers by both unit administrators (issue 17 item 5): A's administrator proposes moving
the clerk to B from 01/10; B's administrator accepts (choosing the post) or refuses with a
reason. Each step is audited on its side, the read-only door is never used, a third unit sees
nothing and B never sees A's other people.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent, StaffMember, User
from tenant_app.models.transfers import ReceivedResult, StaffTransfer, TransferProposal
from tenant_app.services.audit import audit_chain
from tenant_app.services.errors import ServiceError
from tenant_app.tenancy import tenant_context
from tenant_app.tenancy.door import DoorRefused, transfer_answer_write, transfer_propose_write
from tests.helpers import login, post_form
from tests.province.transfer_helpers import PROPOSAL, by_code, person


def _propose(tenant_a, tenant_b, a, admin_a):
    return transfer_propose_write(
        tenant_a, tenant_b, staff_id=a["clerk"], actor=admin_a, **PROPOSAL
    )


def _rows(tenant):
    with tenant_context(tenant):
        return list(db.session.execute(sa.select(TransferProposal)).scalars())


def _actions(tenant):
    with tenant_context(tenant):
        return [e.action for e in db.session.execute(sa.select(AuditEvent)).scalars()]


def test_proposal_writes_one_side_in_each_unit_and_moves_nothing(tenant_a, tenant_b, wards, admins):
    a, _b = wards
    proposal_id = _propose(tenant_a, tenant_b, a, admins[0])
    (out,) = _rows(tenant_a)
    (came,) = _rows(tenant_b)
    assert (out.side, out.staff_id, out.other_unit_name, out.status) == (
        "out", a["clerk"], "Phường B", "proposed",
    )  # fmt: skip
    assert (came.side, came.staff_id, came.other_unit_slug) == ("in", None, "phuong-a")
    assert out.proposal_id == came.proposal_id == proposal_id
    # B learns the person's name, code and kind, the decision and the nine months that would move.
    assert (came.full_name, came.staff_code, came.staff_type) == (
        "Trần Thị Văn",
        "NS2",
        "cong_chuc",
    )
    assert came.results == [f"2026-{m:02d}" for m in range(1, 10)]
    assert person(tenant_a, a["clerk"]).end_date is None  # nothing moves before B accepts
    assert "staff.transfer_proposed" in _actions(tenant_a)
    assert "staff.transfer_proposal_received" in _actions(tenant_b)
    assert "staff.transfer_proposed" not in _actions(tenant_b)


def test_acceptance_moves_the_person_with_the_results_audited_on_both_sides(
    tenant_a, tenant_b, wards, admins
):
    a, b = wards
    proposal_id = _propose(tenant_a, tenant_b, a, admins[0])
    new = transfer_answer_write(
        tenant_b, proposal_id, accept=True, org_unit_id=b["body"], position_id=b["clerk_pos"],
        actor=admins[1],
    )  # fmt: skip
    assert person(tenant_a, a["clerk"]).end_date == date(2026, 9, 30)
    assert by_code(tenant_b, "NS2").id == new.id
    with tenant_context(tenant_b):
        assert db.session.execute(sa.select(sa.func.count(ReceivedResult.id))).scalar() == 9
        came = db.session.execute(sa.select(StaffTransfer)).scalar_one()
        assert came.made_by_province is None
    (out,) = _rows(tenant_a)
    (into,) = _rows(tenant_b)
    assert (out.status, into.status, into.staff_id) == ("accepted", "accepted", new.id)
    assert out.transfer_id == into.transfer_id == came.transfer_id
    assert into.decided_by == "Quản Trị B"
    assert {"staff.transfer_accepted", "staff.transfer_out"} <= set(_actions(tenant_a))
    assert {"staff.transfer_accepted", "staff.transfer_in"} <= set(_actions(tenant_b))
    _checked, broken = audit_chain.verify_all()
    assert broken == []


def test_refusal_needs_a_reason_and_moves_nothing(tenant_a, tenant_b, wards, admins):
    a, _b = wards
    proposal_id = _propose(tenant_a, tenant_b, a, admins[0])
    with pytest.raises(ServiceError) as short:
        transfer_answer_write(
            tenant_b, proposal_id, accept=False, refusal_reason="không", actor=admins[1]
        )
    assert short.value.field == "refusal_reason"
    transfer_answer_write(
        tenant_b, proposal_id, accept=False, actor=admins[1],
        refusal_reason="Phường chưa có vị trí việc làm phù hợp.",
    )  # fmt: skip
    (out,) = _rows(tenant_a)
    (came,) = _rows(tenant_b)
    assert (out.status, came.status) == ("refused", "refused")
    assert out.refusal_reason == "Phường chưa có vị trí việc làm phù hợp."
    assert person(tenant_a, a["clerk"]).end_date is None and by_code(tenant_b, "NS2") is None
    assert "staff.transfer_refused" in _actions(tenant_a)
    assert "staff.transfer_refused" in _actions(tenant_b)
    with pytest.raises(ServiceError) as again:
        transfer_answer_write(
            tenant_b, proposal_id, accept=True, org_unit_id=_b["body"],
            position_id=_b["clerk_pos"], actor=admins[1],
        )  # fmt: skip
    assert again.value.code == "already_answered"


def test_only_each_sides_administrator_acts(factory, tenant_a, tenant_b, wards, admins):
    """The receiving admin cannot propose from A, the sending admin cannot answer in B, a
    manager or a province account cannot do either (DoorRefused), B cannot propose A's people."""
    a, b = wards
    with pytest.raises(DoorRefused):
        _propose(tenant_a, tenant_b, a, admins[1])
    with tenant_context(tenant_a):
        head = db.session.get(User, (tenant_a.id, a["head_user"]))
    with pytest.raises(DoorRefused):
        _propose(tenant_a, tenant_b, a, head)
    auditor = factory.province_user("tinh.thanhtra", "auditor")
    with pytest.raises(DoorRefused):
        _propose(tenant_a, tenant_b, a, auditor)
    # From B, A's clerk is not one of B's people.
    with pytest.raises(ServiceError):
        transfer_propose_write(tenant_b, tenant_a, staff_id=a["clerk"], actor=admins[1], **PROPOSAL)
    proposal_id = _propose(tenant_a, tenant_b, a, admins[0])
    with pytest.raises(DoorRefused):
        transfer_answer_write(
            tenant_b, proposal_id, accept=True, org_unit_id=b["body"],
            position_id=b["clerk_pos"], actor=admins[0],
        )  # fmt: skip
    # A's administrator answering in A: A holds only the ``out`` side.
    with pytest.raises(ServiceError):
        transfer_answer_write(
            tenant_a, proposal_id, accept=False, refusal_reason="Tự từ chối đề nghị của mình",
            actor=admins[0],
        )  # fmt: skip
    assert [r.status for r in _rows(tenant_a) + _rows(tenant_b)] == ["proposed", "proposed"]


def test_a_third_unit_sees_nothing_and_b_sees_none_of_as_other_people(
    factory, tenant_a, tenant_b, wards, admins
):
    a, _b = wards
    third = factory.tenant("phuong-c", name="Phường C")
    admin_c = factory.user(third, "admin.c", ("unit_admin", "staff"), full_name="Quản Trị C")
    proposal_id = _propose(tenant_a, tenant_b, a, admins[0])
    assert _rows(third) == []
    assert _actions(third) == []
    with pytest.raises(ServiceError) as missing:
        transfer_answer_write(
            third, proposal_id, accept=False, refusal_reason="Không phải đơn vị nhận người",
            actor=admin_c,
        )  # fmt: skip
    assert missing.value.status == 404
    with tenant_context(tenant_b):
        names = set(db.session.execute(sa.select(StaffMember.full_name)).scalars())
    assert "Lê Văn Chánh" in names  # B's own head, built alike
    with tenant_context(tenant_b):
        codes = set(db.session.execute(sa.select(StaffMember.code)).scalars())
    assert codes == {"NS1b", "NS2b"}  # none of A's people, not even the one proposed


# --- the unit administrators' page -------------------------------------------------------------


def test_pages_propose_then_accept(app, tenant_a, tenant_b, wards, admins):
    a, b = wards
    sender, receiver = app.test_client(), app.test_client()
    login(sender, "phuong-a", "admin.a")
    response = post_form(
        sender,
        "/t/phuong-a/transfers/propose",
        {"staff_id": str(a["clerk"]), "target": "phuong-b", "effective_on": "2026-10-01",
         "reference": "125/QĐ-UBND", "reason": "Điều động theo nhu cầu công tác."},
        page="/t/phuong-a/transfers",
    )  # fmt: skip
    assert response.status_code == 302
    login(receiver, "phuong-b", "admin.b")
    page = receiver.get("/t/phuong-b/transfers").get_data(as_text=True)
    assert "Trần Thị Văn (NS2)" in page and "Phường A" in page and "Đồng ý nhận" in page
    (came,) = _rows(tenant_b)
    response = post_form(
        receiver,
        f"/t/phuong-b/transfers/{came.proposal_id}/accept",
        {"org_unit_id": str(b["body"]), "position_id": str(b["clerk_pos"])},
        page="/t/phuong-b/transfers",
    )
    assert response.status_code == 302
    assert by_code(tenant_b, "NS2") is not None
    page = sender.get("/t/phuong-a/transfers").get_data(as_text=True)
    assert "Đã nhận" in page


def test_pages_refuse_with_a_reason_and_are_for_unit_admins_only(
    app, tenant_a, tenant_b, wards, admins
):
    a, _b = wards
    proposal_id = _propose(tenant_a, tenant_b, a, admins[0])
    receiver = app.test_client()
    login(receiver, "phuong-b", "admin.b")
    short = post_form(
        receiver, f"/t/phuong-b/transfers/{proposal_id}/refuse", {"refusal_reason": "không"},
        page="/t/phuong-b/transfers",
    )  # fmt: skip
    assert short.status_code == 400
    assert "Cần ghi lý do từ chối" in short.get_data(as_text=True)
    refused = post_form(
        receiver, f"/t/phuong-b/transfers/{proposal_id}/refuse",
        {"refusal_reason": "Phường chưa có vị trí việc làm phù hợp."},
        page="/t/phuong-b/transfers",
    )  # fmt: skip
    assert refused.status_code == 302
    assert [r.status for r in _rows(tenant_b)] == ["refused"]
    manager = app.test_client()
    login(manager, "phuong-a", "truong")
    assert manager.get("/t/phuong-a/transfers").status_code == 403
