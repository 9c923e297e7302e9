"""The approval chain of a period: which stages it runs, whose they are, what comes next.

A chain is 2 to 4 stages chosen from self → manager (direct reviewer) → deputy (cấp phó phụ
trách) → leader (người đứng đầu), in that order, self first and the leader (who decides) last.
It comes from the unit's configuration (``Tenant.settings["approval_chain"]``, set by a template
version) and is copied into the period when it opens, so switching chains never touches a period
already opened, closed or locked.

Per person the period's chain loses the deputy stage when nobody is the person's deputy in
charge (the org chart names none above them) and for the unit's head (the competent higher level
assesses the head at the manager stage and approves; no deputy assesses their own head).

The deputy in charge: the deputy to whom the person's division (their unit or the nearest unit
above it) is assigned as a field (lĩnh vực phụ trách, ``DeputyField``) today; when no field
covers the person, whoever holds a current ``leader_deputy`` post in the nearest unit *above* the
person's own unit that has one (e.g. the vice-chairmen of the committee for a clerk of a
division).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period, label
from tenant_app.models.org import JobPosition, OrgUnit
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.models.vocabulary import DEFAULT_APPROVAL_CHAIN, AssessmentStage
from tenant_app.services.evaluation.unit_head import unit_head
from tenant_app.services.workspace import deputy_fields

ORDER = (
    AssessmentStage.SELF,
    AssessmentStage.MANAGER,
    AssessmentStage.DEPUTY,
    AssessmentStage.LEADER,
)
MIN_STAGES, MAX_STAGES = 2, 4

# The period window each stage must be done in: the deputy acts after the manager's review,
# before the head's decision, so within the approval window.
STAGE_WINDOW = {
    AssessmentStage.SELF: "self_assessment",
    AssessmentStage.MANAGER: "review",
    AssessmentStage.DEPUTY: "approval",
    AssessmentStage.LEADER: "approval",
}


def chain_problem(chain) -> str | None:
    """What is wrong with ``chain`` in Vietnamese, or None when it is a valid chain."""
    if not isinstance(chain, list | tuple) or not all(isinstance(s, str) for s in chain):
        return _("Trình tự phê duyệt phải là danh sách các bước.")
    unknown = [s for s in chain if s not in ORDER]
    if unknown:
        return _("Bước phê duyệt không hợp lệ: %(stages)s.", stages=", ".join(unknown))
    if not MIN_STAGES <= len(chain) <= MAX_STAGES:
        return _(
            "Trình tự phê duyệt gồm từ %(min)d đến %(max)d bước.", min=MIN_STAGES, max=MAX_STAGES
        )
    if len(set(chain)) != len(chain):
        return _("Các bước phê duyệt không được trùng lặp.")
    if chain[0] != AssessmentStage.SELF:
        return _("Bước đầu tiên của trình tự phê duyệt phải là tự đánh giá.")
    if chain[-1] != AssessmentStage.LEADER:
        return _("Bước cuối của trình tự phê duyệt phải là người đứng đầu phê duyệt.")
    if list(chain) != [s for s in ORDER if s in chain]:
        return _(
            "Các bước phê duyệt phải theo thứ tự: tự đánh giá, quản lý trực tiếp, cấp phó phụ "
            "trách, người đứng đầu."
        )
    return None


def configured_chain(settings: dict | None) -> tuple[str, ...]:
    """The chain the unit's settings name (the default when none); ValueError if invalid."""
    chain = (settings or {}).get("approval_chain") or list(DEFAULT_APPROVAL_CHAIN)
    problem = chain_problem(chain)
    if problem is not None:
        raise ValueError(problem)
    return tuple(AssessmentStage(s) for s in chain)


def chain_of(period: Period) -> tuple[str, ...]:
    """The chain ``period`` opened with (the default for a period without one)."""
    stored = period.approval_chain or list(DEFAULT_APPROVAL_CHAIN)
    return tuple(AssessmentStage(s) for s in stored)


def chain_label(chain: Sequence[str]) -> str:
    """The chain as read on screen: "Tự đánh giá → … → Người đứng đầu phê duyệt"."""
    return " → ".join(label(s) for s in chain)


def _ancestors(unit_id, parents: dict) -> list:
    seen, out, current = set(), [], parents.get(unit_id)
    while current is not None and current not in seen:
        seen.add(current)
        out.append(current)
        current = parents.get(current)
    return out


def deputies_in_charge(staff_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """{staff id: the staff ids of their deputies in charge} (empty set: none); few queries."""
    ids = list(staff_ids)
    if not ids:
        return {}
    parents = dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.parent_id)).all())
    posts = db.session.execute(
        sa.select(StaffAssignment.staff_id, StaffAssignment.org_unit_id, JobPosition.position_group)
        .join(
            JobPosition,
            sa.and_(
                JobPosition.tenant_id == StaffAssignment.tenant_id,
                JobPosition.id == StaffAssignment.position_id,
            ),
        )
        .where(StaffAssignment.effective_to.is_(None))
    ).all()
    unit_of = {sid: unit for sid, unit, _group in posts}
    deputies_by_unit: dict = {}
    for sid, unit, group in posts:
        if group == "leader_deputy":
            deputies_by_unit.setdefault(unit, set()).add(sid)
    in_charge = deputy_fields.deputies_of_units(date.today())
    out = {}
    for sid in ids:
        found: set = set()
        unit = unit_of.get(sid)
        if unit is not None and in_charge:
            for own in (unit, *_ancestors(unit, parents)):
                if in_charge.get(own, set()) - {sid}:
                    found = in_charge[own] - {sid}
                    break
        if unit is not None and not found:
            for above in _ancestors(unit, parents):
                if deputies_by_unit.get(above):
                    found = deputies_by_unit[above] - {sid}
                    break
        out[sid] = found
    return out


def chains_for(period: Period, people: Iterable[StaffMember]) -> dict[uuid.UUID, tuple]:
    """{staff id: the stages ``period``'s chain runs for that person} (see the module)."""
    people = list(people)
    chain = chain_of(period)
    if AssessmentStage.DEPUTY not in chain:
        return {p.id: chain for p in people}
    head = unit_head()
    deputies = deputies_in_charge([p.id for p in people])
    without = tuple(s for s in chain if s != AssessmentStage.DEPUTY)
    return {
        p.id: without if (head is not None and head.id == p.id) or not deputies[p.id] else chain
        for p in people
    }


def chain_for(period: Period, person: StaffMember) -> tuple[str, ...]:
    """The stages ``period``'s chain runs for ``person``."""
    return chains_for(period, [person])[person.id]


def is_deputy_in_charge(user, person: StaffMember) -> bool:
    """Whether ``user``'s staff record is one of ``person``'s deputies in charge."""
    if user is None or getattr(user, "is_province", False) or not user.has_role("manager"):
        return False
    own = db.session.execute(
        sa.select(StaffMember.id).where(StaffMember.user_id == user.id)
    ).scalar_one_or_none()
    return own is not None and own in deputies_in_charge([person.id])[person.id]


def next_stage(chain: Sequence[str], done: Iterable[str]) -> str | None:
    """The first stage of ``chain`` not recorded yet (None when all are)."""
    done = set(done)
    return next((s for s in chain if s not in done), None)


def decision_stage_reached(chain: Sequence[str], stage: str | None) -> bool:
    """Whether a score at ``stage`` (the latest stage recorded) may go to the final decision:
    it has reached the stage just before the last one (the head decides the last)."""
    return stage in chain and chain.index(stage) >= len(chain) - 2


def previous_stage(chain: Sequence[str], stage: str) -> str | None:
    """The stage before ``stage`` in ``chain`` (None for the first)."""
    i = chain.index(stage)
    return chain[i - 1] if i > 0 else None
