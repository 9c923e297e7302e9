"""Row makers of the transfer tables: one side of a transfer, and a received result."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from tenant_app.extensions import db
from tenant_app.models import ReceivedResult, StaffMember, StaffTransfer, TransferProposal
from tenant_app.tenancy import tenant_context


def _staff(tenant, tag):
    with tenant_context(tenant):
        person = StaffMember(
            code=f"T-{tag}", full_name=f"Người {tag}", staff_type="cong_chuc",
            start_date=date(2026, 10, 1),
        )  # fmt: skip
        db.session.add(person)
        db.session.commit()
    return person


def _add(tenant, row):
    with tenant_context(tenant):
        db.session.add(row)
        db.session.commit()
    return row


def _transfer(factory, tenant, tag):
    person = _staff(tenant, f"t{tag}")
    return _add(
        tenant,
        StaffTransfer(
            transfer_id=uuid.uuid4(), direction="in", staff_id=person.id, staff_code=person.code,
            full_name=person.full_name, effective_on=date(2026, 10, 1),
            other_unit_name="Phường Cũ", other_unit_slug="phuong-cu",
            reference=f"QĐ-{tag}", reason="Điều động", results_moved=0,
        ),
    )  # fmt: skip


def _received(factory, tenant, tag):
    person = _staff(tenant, f"r{tag}")
    return _add(
        tenant,
        ReceivedResult(
            staff_id=person.id, transfer_id=uuid.uuid4(), year=2026, period_code="2026-03",
            period_label="Tháng 03/2026", period_kind="month", starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 31), total=Decimal("80"), total_exact="80", grade="HTT",
            source_unit_name="Phường Cũ", source_unit_slug=f"phuong-cu-{tag}",
            source_period_id=str(uuid.uuid4()), source_staff_code="NS2",
        ),
    )  # fmt: skip


def _proposal(factory, tenant, tag):
    person = _staff(tenant, f"p{tag}")
    return _add(
        tenant,
        TransferProposal(
            proposal_id=uuid.uuid4(), side="out", staff_id=person.id, staff_code=person.code,
            full_name=person.full_name, staff_type="cong_chuc", effective_on=date(2026, 10, 1),
            other_unit_name="Phường Mới", other_unit_slug="phuong-moi", reference=f"QĐ-{tag}",
            reason="Điều động", results=[], status="proposed", proposed_by="Quản Trị",
        ),
    )  # fmt: skip


MAKERS = {
    "staff_transfers": (_transfer, "reason"),
    "transfer_proposals": (_proposal, "reason"),
    "received_results": (_received, "source_unit_name"),
}
