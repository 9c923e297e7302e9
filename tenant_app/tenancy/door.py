"""The single cross-tenant door: read-only access to every tenant, for province roles, audited.

Nothing else in the code base may lift tenant scoping (a test greps for it). Narrow write
paths sit beside it: ``head_review_write`` (the competent higher level assesses and approves a
unit's head, and nothing else) and ``transfer_write`` (a province administrator moves a person
and their published results from one unit to another), ``unit_rating_write`` (the
province administrator, competent authority over a public service unit, enters the unit's own
rating), and ``window_extension_write`` (the province administrator extends a window of a
unit's period, with a reason).
"""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from flask_login import current_user

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.vocabulary import AssessmentStage
from tenant_app.tenancy.context import _cross_tenant_read_scope, _read_only_scope, tenant_context

DOOR_ROLES = ("province_admin", "auditor")


class DoorRefused(PermissionError):
    """Someone without a province role tried to read across tenants."""


def _check_and_record(actor, purpose: str, tenants) -> None:
    if (
        not getattr(actor, "is_authenticated", False)
        or not getattr(actor, "is_province", False)
        or not actor.has_role(*DOOR_ROLES)
    ):
        raise DoorRefused("cross-tenant reads are for province roles only")
    audit.record(
        "cross_tenant.read",
        object_type="province",
        after={"purpose": purpose, "tenants": tenants},
        actor=actor,
        province=True,
    )
    db.session.commit()


@contextmanager
def read_one_tenant(tenant, purpose: str, *, actor=None):
    """Read one unit inside the block as if acting for it (ordinary scoping), writes refused.

    For drill-downs: the unit's own services (explained scores, forms) run unchanged and can see
    nothing of any other unit. Same checks and audit event as ``cross_tenant_read``.
    """
    actor = actor if actor is not None else current_user
    _check_and_record(actor, purpose, [tenant.id])
    with tenant_context(tenant), _read_only_scope():
        yield tenant


@contextmanager
def cross_tenant_read(purpose: str, *, actor=None, tenant_ids=None):
    """Read across tenants inside the block; writes to tenant tables are refused meanwhile.

    Records an audit event (province chain) naming the actor, the purpose and the tenants.
    Raises DoorRefused unless the actor is a province administrator or auditor.
    """
    actor = actor if actor is not None else current_user
    _check_and_record(actor, purpose, sorted(tenant_ids) if tenant_ids else "all")
    with _cross_tenant_read_scope():
        yield


# --- the competent higher level: the one narrow write into a unit -----------------------------

HEAD_REVIEW_ACTIONS = ("assess", "approve", "annual_decide", "annual_approve")
MIN_HEAD_REVIEW_REASON = 5


def head_review_write(
    tenant,
    reason: str,
    *,
    action: str,
    period_id=None,
    year: int | None = None,
    general=None,
    organising=None,
    comment=None,
    final_grade=None,
    staff_id=None,
    actor=None,
):
    """Write in ``tenant`` for the competent higher level, exactly one of four service calls,
    all about the unit's head (its own ``unit_head``; nobody else can be named): in period
    ``period_id``, the manager-stage assessment (``assess``) or the approval of the result
    (``approve``); in ``year``, the final grade of the head's classification (``annual_decide``,
    ``reason`` is the decision's reason) or its approval (``annual_approve``).

    Only a province account with the ``head_reviewer`` duty (DoorRefused otherwise). The unit is
    in context for these calls only; a ``head_review.<action>`` event naming ``reason`` goes to
    the unit's chain and to the province chain, committed with the change (or nothing is).
    With ``staff_id`` (``approve``, ``annual_decide``, ``annual_approve`` only) the person is a
    viên chức whose decision the configuration gives to the higher level (``vc_deciding_role`` =
    ``higher_level`` under ``vc_2026``, ``services.evaluation.deciding``); anyone else is refused
    (``not_reserved``, 403).

    Returns the Assessment, PeriodScore or AnnualClassification; raises ServiceError as the
    services do.
    """
    from flask_babel import gettext as _

    from tenant_app.models.staff import StaffMember
    from tenant_app.services.errors import ServiceError
    from tenant_app.services.evaluation import annual, assessments, deciding, periods
    from tenant_app.services.evaluation.unit_head import unit_head

    actor = actor if actor is not None else current_user
    if not assessments.is_head_reviewer(actor) or action not in HEAD_REVIEW_ACTIONS:
        raise DoorRefused("writes into a unit are for the competent higher level's two actions")
    reason = (reason or "").strip()
    if len(reason) < MIN_HEAD_REVIEW_REASON:
        raise ServiceError(
            "reason_required",
            _("Cần ghi căn cứ (văn bản, cuộc họp) của việc đánh giá, phê duyệt."),
            field="reason",
        )
    try:
        with tenant_context(tenant):
            period = None if action.startswith("annual_") else periods.get_period(period_id)
            if staff_id is None:
                person = unit_head(tenant)
                if person is None:
                    raise ServiceError(
                        "no_head", _("Đơn vị chưa xác định được người đứng đầu."), status=409
                    )
            else:
                reserved = (
                    deciding.year_reserved(year, [staff_id])
                    if period is None
                    else deciding.period_reserved(period, [staff_id])
                )
                if action == "assess" or reserved.get(staff_id) != "vien_chuc":
                    raise ServiceError(
                        "not_reserved",
                        _(
                            "Người này không thuộc diện cấp có thẩm quyền cấp trên quyết định "
                            "xếp loại."
                        ),
                        status=403,
                    )
                person = db.session.get(StaffMember, (tenant.id, staff_id))
            if action == "annual_decide":
                row = (
                    annual.head_row(year)
                    if staff_id is None
                    else annual.reserved_row(year, staff_id)
                )
                if row is None:
                    raise ServiceError(
                        "nothing_to_approve",
                        _("Người đứng đầu chưa có kết quả xếp loại năm %(y)d.", y=year),
                        status=409,
                    )
                result = annual.decide(row, final_grade=final_grade, reason=reason, actor=actor)
            elif action == "annual_approve":
                result = annual.approve_head(year, actor=actor, staff_id=staff_id)
            elif action == "assess":
                result = assessments.save_assessment(
                    period,
                    person,
                    stage=AssessmentStage.MANAGER,
                    general=general,
                    organising=organising,
                    comment=comment,
                    actor=actor,
                )
            else:
                result = assessments.approve(period, [person.id], actor=actor)[0]
            when = {"year": year} if period is None else {"period": period.code}
            detail = {"reason": reason, **when, "staff_id": person.id}
            # The head's decisions, or a viên chức's the configuration gives the higher level.
            event = f"head_review.{action}" if staff_id is None else f"higher_level.{action}"
            audit.record(
                event,
                object_type="staff",
                object_id=person.id,
                after=detail,
                actor=actor,
            )
            audit.record(
                event,
                object_type="tenant",
                object_id=tenant.id,
                after={**detail, "tenant": tenant.slug},
                actor=actor,
                province=True,
                subject_tenant_id=tenant.id,
            )
            db.session.commit()  # an assessment re-scores the head (``save_assessment``)
    except Exception:
        db.session.rollback()
        raise
    return result


# --- transfers between units: the one write into two units at once ----------------------------

TRANSFER_ROLES = ("province_admin",)


def transfer_write(
    source,
    target,
    *,
    staff_id,
    effective_on,
    org_unit_id,
    position_id,
    reference: str,
    reason: str,
    actor=None,
):
    """Move person ``staff_id`` of ``source`` (unit X) to ``target`` (unit Y) from
    ``effective_on`` with their published results of that year, for a province administrator.

    Exactly the steps of ``services.province.transfers``, each inside one unit's ordinary scope
    (never the read-only door): read X, check Y, end the record in X (account disabled, history
    kept), create it in Y with the results received; ``staff.transfer_out`` in X's chain,
    ``staff.transfer_in`` in Y's, ``staff.transfer`` in the province chain; one commit, or a
    rollback of everything. Raises DoorRefused for anyone but a province administrator,
    ServiceError (a field named) for a request the rules refuse. Returns (transfer id, the new
    StaffMember in Y).
    """

    from tenant_app.services.province import transfers

    actor = actor if actor is not None else current_user
    if (
        not getattr(actor, "is_authenticated", False)
        or not getattr(actor, "is_province", False)
        or not actor.has_role(*TRANSFER_ROLES)
    ):
        raise DoorRefused("transfers between units are for province administrators only")
    request = transfers.check_request(
        staff_id=staff_id, effective_on=effective_on, org_unit_id=org_unit_id,
        position_id=position_id, reference=reference, reason=reason,
    )  # fmt: skip
    _check_units(source, target)
    try:
        transfer_id, person = _move(source, target, request, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return transfer_id, person


def _check_units(source, target) -> None:
    from flask_babel import gettext as _

    from tenant_app.services.errors import ServiceError

    if source.id == target.id:
        raise ServiceError(
            "same_unit", _("Đơn vị chuyển đến phải khác đơn vị chuyển đi."), field="target"
        )
    for unit in (source, target):
        if not unit.status_enum.serves_users:
            raise ServiceError(
                "unit_not_serving",
                _("Đơn vị %(name)s không hoạt động.", name=unit.name),
                field="target" if unit is target else "source",
            )


def _move(source, target, request, actor):
    """The transfer's steps, each in one unit's ordinary scope (no commit): read X, check Y, end
    the record in X, create it in Y with the results; ``staff.transfer`` on the province chain.
    Returns (transfer id, the new StaffMember in Y)."""
    import uuid

    from tenant_app.services.province import transfer_reads, transfers

    transfer_id = uuid.uuid4()
    kwargs = {"transfer_id": transfer_id, "source": source, "target": target, "actor": actor}
    with tenant_context(source):
        leaving = transfer_reads.departure(request.staff_id, request.effective_on)
    with tenant_context(target):
        transfer_reads.check_arrival(
            leaving, request.org_unit_id, request.position_id, unit_name=target.name
        )
    with tenant_context(source):
        transfers.leave(leaving, request, **kwargs)
    with tenant_context(target):
        person = transfers.arrive(leaving, request, **kwargs)
    audit.record(
        "staff.transfer",
        object_type="tenant",
        object_id=source.id,
        after={
            "transfer_id": transfer_id,
            "staff_code": leaving.code,
            "full_name": leaving.full_name,
            "from_unit": source.slug,
            "to_unit": target.slug,
            "effective_on": request.effective_on,
            "reference": request.reference,
            "reason": request.reason,
            "results_moved": [r.code for r in leaving.results],
        },
        actor=actor,
        province=True,
        subject_tenant_id=source.id,
    )
    return transfer_id, person


# --- transfers by both unit administrators: propose in X, answer in Y -------------------------


def _unit_admin_of(actor, tenant) -> bool:
    """Whether ``actor`` is an active unit administrator of ``tenant``. The account is read in
    its own unit's scope (its key says which unit without loading it), so an account expired by
    an earlier rollback reloads under row-level security."""
    if actor is None or getattr(actor, "is_province", False):
        return False
    state = sa.inspect(actor, raiseerr=False)
    identity = getattr(state, "identity", None)
    owner = identity[0] if identity else getattr(actor, "tenant_id", None)
    if owner != tenant.id:
        return False
    with tenant_context(tenant):
        return bool(
            getattr(actor, "is_authenticated", False)
            and getattr(actor, "active", False)
            and actor.has_role("unit_admin")
        )


def transfer_propose_write(
    source, target, *, staff_id, effective_on, reference: str, reason: str, actor=None
):
    """The sending unit's administrator (of ``source``, X) proposes moving one of X's people to
    ``target`` (Y) from ``effective_on``, on a decision (``reference``) with a reason.

    Each side in its own ordinary scope (never the read-only door): X's person and the results
    that would move are read in X; the ``out`` row and ``staff.transfer_proposed`` are written
    in X, the ``in`` row (name, code, kind, date, decision, result codes: nothing else of X)
    and ``staff.transfer_proposal_received`` in Y. One commit, or nothing. Raises DoorRefused
    for anyone but an active unit administrator of X, ServiceError as the checks do. Returns
    the proposal id.
    """
    import uuid

    from tenant_app.services.province import transfer_proposals, transfer_reads, transfers

    actor = actor if actor is not None else current_user
    if not _unit_admin_of(actor, source):
        raise DoorRefused("a transfer is proposed by the sending unit's administrator only")
    _check_units(source, target)
    request = transfers.check_request(
        staff_id=staff_id,
        effective_on=effective_on,
        org_unit_id=uuid.UUID(int=0),
        position_id=uuid.UUID(int=0),
        reference=reference,
        reason=reason,
    )  # fmt: skip  (the post in Y is chosen by Y when accepting)
    proposal_id = uuid.uuid4()
    common = {
        "proposal_id": proposal_id,
        "effective_on": request.effective_on,
        "reference": request.reference,
        "reason": request.reason,
        "actor": actor,
    }
    try:
        with tenant_context(source):
            leaving = transfer_reads.departure(request.staff_id, request.effective_on)
            transfer_proposals.propose_side("out", leaving, other=target, **common)
        with tenant_context(target):
            transfer_proposals.propose_side("in", leaving, other=source, **common)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return proposal_id


def transfer_answer_write(
    target,
    proposal_id,
    *,
    accept: bool,
    org_unit_id=None,
    position_id=None,
    refusal_reason: str | None = None,
    actor=None,
):
    """The receiving unit's administrator (of ``target``, Y) answers a proposal: ``accept``
    with the division and post in Y (the transfer is then made as the province's, ``_move``),
    or refuse with a reason (at least 10 characters). Both sides take the answer, each audited
    in its own unit (``staff.transfer_accepted`` / ``staff.transfer_refused``). One commit, or
    nothing. Raises DoorRefused for anyone but an active unit administrator of Y, NotFound for
    a proposal Y does not have, ServiceError otherwise. Returns the new StaffMember (accepted)
    or None (refused).
    """
    from flask_babel import gettext as _

    from tenant_app.models.tenants import Tenant
    from tenant_app.models.transfers import TransferProposal
    from tenant_app.services.errors import NotFound
    from tenant_app.services.province import transfer_proposals, transfers

    actor = actor if actor is not None else current_user
    if not _unit_admin_of(actor, target):
        raise DoorRefused("a proposal is answered by the receiving unit's administrator only")
    try:
        with tenant_context(target):
            incoming = transfer_proposals.pending_side(proposal_id)
            if incoming.side != "in":  # the sender's own side: nothing for it to answer
                raise NotFound("not_found", _("Không tìm thấy đề nghị chuyển công tác."))
            key, slug = incoming.proposal_id, incoming.other_unit_slug
            refusal = None if accept else transfer_proposals.check_refusal(refusal_reason)
        source = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one()
        with tenant_context(source):
            outgoing = db.session.execute(
                sa.select(TransferProposal).where(TransferProposal.proposal_id == key)
            ).scalar_one()
            staff_id = outgoing.staff_id
        person, transfer_id = None, None
        if accept:
            _check_units(source, target)
            request = transfers.check_request(
                staff_id=staff_id, effective_on=incoming.effective_on, org_unit_id=org_unit_id,
                position_id=position_id, reference=incoming.reference, reason=incoming.reason,
            )  # fmt: skip
            transfer_id, person = _move(source, target, request, actor)
        answer = {"accepted": accept, "actor": actor, "refusal_reason": refusal}
        with tenant_context(source):
            transfer_proposals.answer_side(
                transfer_proposals.pending_side(key), transfer_id=transfer_id, **answer
            )
        with tenant_context(target):
            transfer_proposals.answer_side(
                transfer_proposals.pending_side(key),
                transfer_id=transfer_id,
                staff_id=None if person is None else person.id,
                **answer,
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return person


# --- the competent authority over a public service unit: its rating (a second narrow write) --

UNIT_RATING_ROLES = ("province_admin",)


def unit_rating_write(
    tenant,
    period_code: str,
    grade: str,
    reason: str,
    decision_ref: str,
    *,
    decision_date=None,
    score=None,
    note: str | None = None,
    actor=None,
):
    """Write in ``tenant`` the unit's own rating for ``period_code`` (a period's code, or the
    year "2026"), exactly one service call (``unit_rating_writes.set_rating``): the province is
    the competent authority over its units (public employees' decree 2026, art. 12(7)).

    Only an active province administrator (DoorRefused otherwise), only in a unit that serves
    (ServiceError 409 ``unit_not_serving`` for a suspended or archived one). ``reason`` and
    ``decision_ref`` are required. A ``unit_rating.set`` event goes to the unit's chain (with
    before and after, by the service) and to the province chain, committed with the change (or
    nothing is). Returns the UnitRating; raises ServiceError as the service does.
    """
    from tenant_app.services.evaluation import unit_rating_writes

    actor = actor if actor is not None else current_user
    if (
        not getattr(actor, "is_authenticated", False)
        or not getattr(actor, "is_province", False)
        or not getattr(actor, "is_active", False)
        or not actor.has_role(*UNIT_RATING_ROLES)
    ):
        raise DoorRefused("a unit's rating is entered by the province administrator only")
    if not tenant.status_enum.serves_users:
        # An archived unit's records are read-only (a suspended one waits to be reactivated).
        from flask_babel import gettext as _

        from tenant_app.services.errors import ServiceError

        raise ServiceError(
            "unit_not_serving", _("Đơn vị %(name)s không hoạt động.", name=tenant.name), status=409
        )
    try:
        with tenant_context(tenant):
            row = unit_rating_writes.set_rating(
                period_code,
                grade=grade,
                reason=reason,
                decision_ref=decision_ref,
                decision_date=decision_date,
                score=score,
                note=note,
                actor=actor,
            )
            audit.record(
                "unit_rating.set",
                object_type="tenant",
                object_id=tenant.id,
                after={
                    "tenant": tenant.slug,
                    "period": row.period_code,
                    "grade": row.grade,
                    "decision_ref": row.decision_ref,
                    "reason": row.reason,
                },
                actor=actor,
                province=True,
                subject_tenant_id=tenant.id,
            )
            db.session.commit()  # the head's re-score is queued after this commit
    except Exception:
        db.session.rollback()
        raise
    return row


# --- extending a window of a unit's period: the province administrator's one calendar write ----

WINDOW_EXTENSION_ROLES = ("province_admin",)


def window_extension_write(tenant, period_id, window: str, new_until, reason: str, *, actor=None):
    """Extend ``window`` of period ``period_id`` in ``tenant`` to ``new_until`` with ``reason``,
    exactly one service call (``window_extensions.extend_window``).

    Only an active province administrator (DoorRefused otherwise). A ``period.window_extended``
    event goes to the unit's chain (by the service) and to the province chain, committed with
    the change (or nothing is). Returns the extensions; raises ServiceError as the service does.
    """
    from tenant_app.services.evaluation import periods, window_extensions

    actor = actor if actor is not None else current_user
    if (
        not getattr(actor, "is_authenticated", False)
        or not getattr(actor, "is_province", False)
        or not getattr(actor, "is_active", False)
        or not actor.has_role(*WINDOW_EXTENSION_ROLES)
    ):
        raise DoorRefused("a unit's window is extended by the province administrator only")
    try:
        with tenant_context(tenant):
            period = periods.get_period(period_id)
            made = window_extensions.extend_window(period, window, new_until, reason, actor=actor)
            audit.record(
                "period.window_extended",
                object_type="tenant",
                object_id=tenant.id,
                after={
                    "tenant": tenant.slug,
                    "period": period.code,
                    "window": window,
                    "new_until": new_until.isoformat(),
                    "reason": (reason or "").strip(),
                },
                actor=actor,
                province=True,
                subject_tenant_id=tenant.id,
            )
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return made
