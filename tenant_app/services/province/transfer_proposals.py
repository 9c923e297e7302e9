"""Transfers proposed by the sending unit's administrator and answered by the receiving unit's
(issue 17 item 5: "the province administrator (or both unit administrators)").

Two steps, each in one unit's ordinary scope, called only by the door
(``tenancy.door.transfer_propose_write`` / ``transfer_answer_write``), never the read-only door:

1. In X the unit administrator proposes moving one of X's people to Y from a date, with the
   decision's reference and a reason: an ``out`` row in X (``staff.transfer_proposed`` on X's
   chain) and an ``in`` row in Y holding only the person's name, code and kind, the date, the
   decision and the codes of the results that would move (``staff.transfer_proposal_received``
   on Y's chain). Y sees nothing else of X.
2. In Y the unit administrator accepts, choosing the division and post, and the transfer is
   made exactly as the province's (``services.province.transfers``: record ended in X, created in
   Y with the published results of the year); or refuses with a reason. Either way both rows
   take the answer and each unit's chain records it (``staff.transfer_accepted`` /
   ``staff.transfer_refused``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.tenants import Tenant
from tenant_app.models.transfers import TransferProposal
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.province import tenants
from tenant_app.services.province.transfer_reads import Departure

MIN_REFUSAL = 10


def _who(actor) -> str:
    return getattr(actor, "full_name", None) or getattr(actor, "username", "") or ""


def _detail(row: TransferProposal) -> dict:
    return {
        "proposal_id": row.proposal_id,
        "staff_code": row.staff_code,
        "full_name": row.full_name,
        "effective_on": row.effective_on,
        "other_unit": row.other_unit_slug,
        "reference": row.reference,
        "reason": row.reason,
        "results": list(row.results),
    }


def propose_side(
    side: str, leaving: Departure, *, proposal_id, effective_on, reference, reason, other, actor
) -> TransferProposal:
    """Write one side of a new proposal in the unit in context and audit it there: ``out`` in
    the sending unit (naming the person's record), ``in`` in the receiving unit."""
    row = TransferProposal(
        proposal_id=proposal_id, side=side,
        staff_id=leaving.staff_id if side == "out" else None, staff_code=leaving.code,
        full_name=leaving.full_name, staff_type=leaving.staff_type, effective_on=effective_on,
        other_unit_name=other.name, other_unit_slug=other.slug, reference=reference,
        reason=reason, results=[r.code for r in leaving.results], status="proposed",
        proposed_by=_who(actor),
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    audit.record(
        "staff.transfer_proposed" if side == "out" else "staff.transfer_proposal_received",
        object_type="transfer_proposal",
        object_id=row.id,
        after=_detail(row),
        actor=actor,
    )
    return row


def side_of(proposal_id) -> TransferProposal:
    """The unit in context's side of ``proposal_id`` (answered or not); NotFound for a malformed
    id or a proposal this unit does not hold."""
    try:
        key = proposal_id if isinstance(proposal_id, uuid.UUID) else uuid.UUID(str(proposal_id))
    except (TypeError, ValueError):
        key = None
    row = (
        None
        if key is None
        else db.session.execute(
            sa.select(TransferProposal).where(TransferProposal.proposal_id == key)
        ).scalar_one_or_none()
    )
    if row is None:
        raise NotFound("not_found", _("Không tìm thấy đề nghị chuyển công tác."))
    return row


def pending_side(proposal_id) -> TransferProposal:
    """The unit in context's side of ``proposal_id``, still waiting for an answer."""
    row = side_of(proposal_id)
    if row.status != "proposed":
        raise ServiceError(
            "already_answered",
            _("Đề nghị chuyển công tác này đã được trả lời (%(s)s).", s=row.status_label),
            status=409,
        )
    return row


def check_refusal(reason) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REFUSAL:
        raise ServiceError(
            "reason_required",
            _("Cần ghi lý do từ chối (ít nhất %(n)d ký tự).", n=MIN_REFUSAL),
            field="refusal_reason",
        )
    return reason


def answer_side(
    row: TransferProposal,
    *,
    accepted: bool,
    actor,
    refusal_reason=None,
    transfer_id=None,
    staff_id=None,
) -> TransferProposal:
    """Record the answer on the unit in context's side and audit it there."""
    row.status = "accepted" if accepted else "refused"
    row.refusal_reason = None if accepted else refusal_reason
    row.decided_by, row.decided_at = _who(actor), utcnow()
    row.transfer_id = transfer_id
    if staff_id is not None:
        row.staff_id = staff_id
    audit.record(
        "staff.transfer_accepted" if accepted else "staff.transfer_refused",
        object_type="transfer_proposal",
        object_id=row.id,
        after={**_detail(row), "transfer_id": transfer_id, "refusal_reason": row.refusal_reason},
        actor=actor,
    )
    return row


def listing(status: str | None = None, side: str | None = None):
    """The query of the unit in context's proposals, newest first; ``status`` and ``side``
    (``out`` sent, ``in`` received) narrow it."""
    stmt = sa.select(TransferProposal).order_by(
        TransferProposal.created_at.desc(), TransferProposal.id
    )
    if status:
        stmt = stmt.where(TransferProposal.status == status)
    if side:
        stmt = stmt.where(TransferProposal.side == side)
    return stmt


def proposals() -> list[TransferProposal]:
    """The unit in context's proposals, both directions, newest first."""
    return list(db.session.execute(listing()).scalars())


def target_unit(slug: str):
    """The unit a proposal would send the person to, by its slug (any status: the door says
    whether it serves); ServiceError ``unknown_target`` naming the field otherwise."""
    try:
        return tenants.get_by_slug((slug or "").strip().lower())
    except NotFound:
        raise ServiceError(
            "unknown_target",
            _("Không có đơn vị chuyển đến “%(slug)s”.", slug=(slug or "")[:64]),
            field="target",
        ) from None


@dataclass(frozen=True)
class WaitingProposal:
    """A proposal still waiting for the receiving unit, as the province console lists it."""

    proposal_id: uuid.UUID
    proposed_at: datetime
    proposed_by: str
    full_name: str
    staff_code: str
    from_unit: str
    from_unit_name: str
    to_unit: str
    to_unit_name: str
    effective_on: date
    reference: str
    status: str
    status_label: str


def waiting_between_units() -> list[WaitingProposal]:
    """Every proposal waiting for an answer, across units, newest first, read from the sending
    side. Call it only inside ``tenancy.door.cross_tenant_read`` (the unit in context alone
    otherwise); plain values, so nothing of the units stays attached to the session."""
    rows = db.session.execute(
        sa.select(TransferProposal, Tenant.slug, Tenant.name)
        .join(Tenant, Tenant.id == TransferProposal.tenant_id)
        .where(TransferProposal.side == "out", TransferProposal.status == "proposed")
        .order_by(TransferProposal.created_at.desc(), TransferProposal.id)
    ).all()
    return [
        WaitingProposal(
            proposal_id=row.proposal_id, proposed_at=row.created_at,
            proposed_by=row.proposed_by, full_name=row.full_name, staff_code=row.staff_code,
            from_unit=slug, from_unit_name=name, to_unit=row.other_unit_slug,
            to_unit_name=row.other_unit_name, effective_on=row.effective_on,
            reference=row.reference, status=row.status, status_label=row.status_label,
        )
        for row, slug, name in rows
    ]  # fmt: skip


def form_choices(tenant) -> dict:
    """What the unit administrator's page offers (read in the unit in context): the unit's
    people in post, its divisions and positions, and the other units serving users."""
    from tenant_app.models.org import JobPosition
    from tenant_app.models.staff import StaffMember
    from tenant_app.services.province import tenants
    from tenant_app.services.workspace import org

    people = db.session.execute(
        sa.select(StaffMember)
        .where(StaffMember.end_date.is_(None))
        .order_by(StaffMember.full_name, StaffMember.code)
    ).scalars()
    positions = db.session.execute(
        sa.select(JobPosition).where(JobPosition.active.is_(True)).order_by(JobPosition.name)
    ).scalars()
    return {
        "people": list(people),
        "units": [u for u, _depth in org.tree()],
        "positions": list(positions),
        "targets": [t for t in tenants.list_serving() if t.id != tenant.id],
    }
