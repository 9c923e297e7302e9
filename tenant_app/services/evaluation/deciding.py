"""Who decides and locks a classification: the unit's head, or the competent higher level.

The competent higher level (a province account with the ``head_reviewer`` duty, acting through
``tenancy.door.head_review_write``) always decides for the unit's head. For public employees
(viên chức) scored under the 2026 decree (rule set ``vc_2026``), the decree's art. 13 gives the
decision and its lock to "the competent authority", which the configuration names:
``Params.vc_deciding_role`` (frozen with the period's params) = ``head`` (the unit's head, as for
everyone else, the default) or ``higher_level`` (the competent higher level). Under
``higher_level`` such a person's final stage (the approval of the period's score, which locks
it) and their yearly classification (its final grade and its approval, which locks it) are the
higher level's; the unit's head is refused with a message naming the setting.

A period reads its own frozen params and the rule set frozen for the person's kind; a year reads
the params of its latest period and the rule set of the person's latest score of the year (as
``annual.compute_year`` does).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.base import tenant_join
from tenant_app.models.evaluation import Period, PeriodScore
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation.period_params import params_of, rule_set_for
from tenant_app.services.evaluation.unit_head import unit_head

VC_RULE_SET = "vc_2026"
HIGHER_LEVEL = "higher_level"


def vc_higher_level(period: Period) -> bool:
    """Whether ``period``'s params give viên chức's decision to the competent higher level."""
    return params_of(period).vc_deciding_role == HIGHER_LEVEL


def period_reserved(period: Period, staff_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """{staff id: why} for the people among ``staff_ids`` whose decision in ``period`` is the
    competent higher level's: ``"head"`` (the unit's head) or ``"vien_chuc"`` (a viên chức
    under ``vc_2026`` while ``vc_deciding_role`` is ``higher_level``)."""
    ids = set(staff_ids)
    if not ids:
        return {}
    out: dict[uuid.UUID, str] = {}
    if vc_higher_level(period):
        kinds = db.session.execute(
            sa.select(StaffMember.id, StaffMember.staff_type).where(StaffMember.id.in_(list(ids)))
        ).all()
        for sid, kind in kinds:
            if rule_set_for(period, kind) == VC_RULE_SET:
                out[sid] = "vien_chuc"
    head = unit_head()
    if head is not None and head.id in ids:
        out[head.id] = "head"
    return out


def _year_latest_period(year: int) -> Period | None:
    return db.session.execute(
        sa.select(Period).where(Period.year == year).order_by(Period.ends_on.desc()).limit(1)
    ).scalar_one_or_none()


def year_rule_sets(year: int, staff_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """{staff id: the rule set of their latest period score of ``year``} (as
    ``annual.compute_year`` reads it); people without a score of the year are left out."""
    ids = list(set(staff_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(PeriodScore.staff_id, PeriodScore.rule_set)
        .join(Period, tenant_join(Period.id, PeriodScore.period_id))
        .where(Period.year == year, PeriodScore.staff_id.in_(ids))
        .order_by(Period.starts_on)
    ).all()
    return {sid: code for sid, code in rows}  # the latest period wins


def year_reserved(year: int, staff_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """As ``period_reserved`` for the yearly classification of ``year``: the year's latest
    period's ``vc_deciding_role``, and the rule set of each person's latest score of the year."""
    ids = set(staff_ids)
    if not ids:
        return {}
    out: dict[uuid.UUID, str] = {}
    latest = _year_latest_period(year)
    if latest is not None and vc_higher_level(latest):
        last = year_rule_sets(year, ids)
        out.update({sid: "vien_chuc" for sid, code in last.items() if code == VC_RULE_SET})
    head = unit_head()
    if head is not None and head.id in ids:
        out[head.id] = "head"
    return out


def authority_label(reason: str | None) -> str:
    """Who decides, as the screens say it."""
    from flask_babel import gettext as _

    if reason == "head":
        return _("Cấp có thẩm quyền cấp trên (người đứng đầu đơn vị)")
    if reason == "vien_chuc":
        return _("Cấp có thẩm quyền cấp trên (viên chức, theo cấu hình của kỳ)")
    return _("Người đứng đầu đơn vị")
