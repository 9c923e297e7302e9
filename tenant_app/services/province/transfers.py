"""Transfers between units of the province, the writes: the steps on each side, run by the door.

A province administrator moves a person from unit X to unit Y from an effective date D. The
steps below each run inside one unit's ordinary scope; ``tenancy.door.transfer_write`` is the
only caller of the writing steps (``leave`` in X, ``arrive`` in Y), in one transaction, with the
audit events of both units and of the province (a test checks that nothing else calls them).
What is read first (the departure, the arrival check) is in ``transfer_reads``.

- ``leave`` (in X): the record ends the day before D, the account is disabled, nothing deleted.
- ``arrive`` (in Y): a new record from D with the same code, type, rank, salary and quota group,
  one ``ReceivedResult`` per result moved, and the ``StaffTransfer`` row of each side.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.staff import StaffMember
from tenant_app.models.transfers import ReceivedResult, StaffTransfer
from tenant_app.models.users import User
from tenant_app.services.errors import ServiceError
from tenant_app.services.province.transfer_reads import Departure
from tenant_app.services.workspace import accounts
from tenant_app.services.workspace import staff as staff_service

MIN_REFERENCE = 3
MAX_REFERENCE = 100
MIN_REASON = 10
MAX_REASON = 1000
# A transfer takes effect within the product's years: nothing before its records, nothing far off.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


@dataclass(frozen=True)
class TransferRequest:
    """The administrator's request, validated: who, from when, where to, on what decision."""

    staff_id: uuid.UUID
    effective_on: date
    org_unit_id: uuid.UUID
    position_id: uuid.UUID
    reference: str
    reason: str


def _uuid(value, name: str, label: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ServiceError("required", _("Cần chọn %(f)s.", f=label), field=name) from None


def check_request(
    *, staff_id, effective_on, org_unit_id, position_id, reference, reason
) -> TransferRequest:
    """Validate the request's fields (not yet against either unit); raises ServiceError naming
    the field."""
    if not isinstance(effective_on, date):
        raise ServiceError(
            "required", _("Cần nhập ngày hiệu lực của việc chuyển."), field="effective_on"
        )
    if not EARLIEST <= effective_on <= LATEST:
        raise ServiceError(
            "date_out_of_range",
            _("Ngày hiệu lực nằm ngoài khoảng cho phép."),
            field="effective_on",
        )
    reference = (reference or "").strip()
    if not MIN_REFERENCE <= len(reference) <= MAX_REFERENCE:
        raise ServiceError(
            "reference_required",
            _(
                "Cần ghi số quyết định điều động, luân chuyển (%(a)d đến %(b)d ký tự).",
                a=MIN_REFERENCE,
                b=MAX_REFERENCE,
            ),
            field="reference",
        )
    reason = (reason or "").strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise ServiceError(
            "reason_required",
            _("Cần ghi lý do chuyển (%(a)d đến %(b)d ký tự).", a=MIN_REASON, b=MAX_REASON),
            field="reason",
        )
    return TransferRequest(
        staff_id=_uuid(staff_id, "staff_id", _("người được chuyển")),
        effective_on=effective_on,
        org_unit_id=_uuid(org_unit_id, "org_unit_id", _("đơn vị công tác ở nơi đến")),
        position_id=_uuid(position_id, "position_id", _("vị trí việc làm ở nơi đến")),
        reference=reference,
        reason=reason,
    )


def _side(transfer_id, direction, person_id, leaving: Departure, request, other, actor, moved):
    row = StaffTransfer(
        transfer_id=transfer_id, direction=direction, staff_id=person_id,
        staff_code=leaving.code, full_name=leaving.full_name,
        effective_on=request.effective_on, other_unit_name=other.name,
        other_unit_slug=other.slug, reference=request.reference, reason=request.reason,
        results_moved=moved,
        made_by_province=actor.id if getattr(actor, "is_province", False) else None,
    )  # fmt: skip
    db.session.add(row)
    return row


def _detail(transfer_id, leaving: Departure, request, source, target) -> dict:
    return {
        "transfer_id": transfer_id,
        "staff_code": leaving.code,
        "full_name": leaving.full_name,
        "effective_on": request.effective_on,
        "from_unit": source.slug,
        "to_unit": target.slug,
        "reference": request.reference,
        "reason": request.reason,
        "results_moved": [r.code for r in leaving.results],
    }


def leave(leaving: Departure, request: TransferRequest, *, transfer_id, source, target, actor):
    """In X: end the record the day before, disable the account, keep everything, record the
    ``out`` side and the ``staff.transfer_out`` event. Returns the StaffTransfer row."""
    person = staff_service.get_staff(leaving.staff_id)
    staff_service.end_staff(person, request.effective_on - timedelta(days=1))
    if person.user_id is not None:
        user = db.session.get(User, (person.tenant_id, person.user_id))
        if user is not None and user.active:
            accounts.update_user(user, actor=actor, active=False)
    row = _side(
        transfer_id, "out", person.id, leaving, request, target, actor, len(leaving.results)
    )
    audit.record(
        "staff.transfer_out",
        object_type="staff",
        object_id=person.id,
        after=_detail(transfer_id, leaving, request, source, target),
        actor=actor,
    )
    return row


def arrive(
    leaving: Departure, request: TransferRequest, *, transfer_id, source, target, actor
) -> StaffMember:
    """In Y: the new record from the date (same code, type, rank, salary, quota group; the post
    chosen), the received results, the ``in`` side and the ``staff.transfer_in`` event.

    Returns the new StaffMember; raises ServiceError as ``staff.create_staff`` does.
    """
    person = staff_service.create_staff(
        {
            "code": leaving.code,
            "full_name": leaving.full_name,
            "staff_type": leaving.staff_type,
            "rank_code": leaving.rank_code,
            "quota_group": leaving.quota_group,
            "monthly_salary": leaving.monthly_salary,
            "start_date": request.effective_on,
            "org_unit_id": request.org_unit_id,
            "position_id": request.position_id,
            "decision_ref": request.reference,
        }
    )
    db.session.flush()
    for result in leaving.results:
        db.session.add(
            ReceivedResult(
                staff_id=person.id, transfer_id=transfer_id, year=result.year,
                period_code=result.code, period_label=result.label, period_kind=result.kind,
                starts_on=result.starts_on, ends_on=result.ends_on, total=result.total,
                total_exact=result.total_exact, grade=result.grade,
                forced_fail=result.forced_fail, service=result.service,
                source_unit_name=source.name, source_unit_slug=source.slug,
                source_period_id=result.period_id, source_staff_code=leaving.code,
            )
        )  # fmt: skip
    _side(transfer_id, "in", person.id, leaving, request, source, actor, len(leaving.results))
    audit.record(
        "staff.transfer_in",
        object_type="staff",
        object_id=person.id,
        after=_detail(transfer_id, leaving, request, source, target),
        actor=actor,
    )
    return person
