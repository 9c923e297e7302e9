"""What the PDF forms show: one person's evaluation form and a unit's period report, formatted.

Every figure leaves here as display text (Vietnamese numbers and dates) and every chart as an
inline SVG (``tenant_app.charts``), so the templates only place them. Reads the tenant in context
and nothing else, and writes nothing: auditors run these through ``tenancy.door.read_one_tenant``,
where writes are refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scoring import Grade, quota_allowed
from tenant_app import charts
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assessment, Period, PeriodScore
from tenant_app.models.org import OrgUnit
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.models.users import User
from tenant_app.models.vocabulary import AssessmentStage
from tenant_app.services.evaluation import assignments, periods, scores
from tenant_app.services.evaluation.score_display import (
    day_text,
    explain,
    grade_label,
    local_day,
    number,
    short,
    summary,
)
from tenant_app.services.workspace import deputy_fields, org, staff
from tenant_app.tenancy.context import get_current_tenant

STAGES = tuple(AssessmentStage)
# The form is named after the kind of person evaluated (Decree 335's appendix forms).
FORM_TITLES = {
    "can_bo": _l("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÁN BỘ"),
    "cong_chuc": _l("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC"),
    "vien_chuc": _l("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG VIÊN CHỨC"),
    "hop_dong": _l("PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG NGƯỜI LAO ĐỘNG"),
}
GRADES = (Grade.HTXS, Grade.HTT, Grade.HTNV, Grade.KHTNV)
# WeasyPrint cannot split an SVG across pages: bar charts of more rows are drawn in parts.
CHART_ROWS = 40
_VIEWBOX = re.compile(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"')
PX_MM = 25.4 / 96  # a CSS pixel in millimetres


def _period(period) -> Period:
    # Looked up again so a Period of another tenant (or a stray id) is NotFound, never read.
    return periods.get_period(getattr(period, "id", period))


def _names(user_ids) -> dict:
    ids = [uid for uid in user_ids if uid is not None]
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all()
    return dict(rows)


def _post(person: StaffMember, period: Period) -> StaffAssignment | None:
    return staff.assignment_at(person.id, period.ends_on) or staff.current_assignment(person.id)


def _header(unit_name: str | None, period: Period) -> dict:
    return {
        "tenant_name": get_current_tenant().name,
        "unit_name": unit_name or "",
        "period_label": period.label,
        "period_span": f"{day_text(period.starts_on)} – {day_text(period.ends_on)}",
    }


def _assessments(period: Period, person: StaffMember) -> dict[str, Assessment]:
    rows = db.session.execute(
        sa.select(Assessment).where(
            Assessment.period_id == period.id, Assessment.staff_id == person.id
        )
    ).scalars()
    return {a.stage: a for a in rows}


def _criteria(stages: dict[str, Assessment], params) -> dict:
    """Part I: each general criterion with its maximum and the points of each stage."""
    places = params.display_places
    lines, totals = [], {s: Decimal(0) for s in STAGES}
    for i, criterion in enumerate(params.general_criteria):
        line = {"label": criterion.label, "max": number(criterion.max_points, places)}
        for stage in STAGES:
            points = list(stages[stage].general) if stage in stages else []
            value = Decimal(str(points[i])) if i < len(points) else None
            line[stage] = number(value, places) if value is not None else ""
            totals[stage] += value or 0
        lines.append(line)
    total = {"max": number(params.general_max, places)}
    total |= {s: number(totals[s], places) if s in stages else "" for s in STAGES}
    return {"lines": lines, "total": total}


def _work_lines(period: Period, person: StaffMember) -> list[dict]:
    pairs = assignments.work_of(period, [person.id])
    items = {}
    if pairs:
        ids = {a.item_id for a, _r in pairs}
        rows = db.session.execute(sa.select(CatalogueItem).where(CatalogueItem.id.in_(ids)))
        items = {item.id: item for item in rows.scalars()}
    lines = []
    for assignment, report in pairs:
        item = items.get(assignment.item_id)
        # As the score counts them: a draft or returned report adds nothing.
        done = report if report is not None and report.counts else None
        lines.append(
            {
                "name": f"{item.code} – {item.name}" if item else "—",
                "unit": item.unit_of_measure if item else "",
                "assigned": short(assignment.quantity),
                "coefficient": short(assignment.coefficient),
                "completed": short(done.completed if done else 0),
                "errors": str(done.major_errors if done else 0),
                "delays": str(done.delays if done else 0),
                "exempt": f"{done.exempt_errors} / {done.exempt_delays}" if done else "0 / 0",
                "exemption_reason": (done.exemption_reason or "") if done else "",
                "not_counted": done is None,
            }
        )
    return lines


def _status(score: PeriodScore | None, period: Period) -> dict:
    approved = score is not None and score.approved_at is not None
    if score is None:
        text = _("Chưa có kết quả đánh giá trong kỳ này.")
    elif not approved:
        text = _("Kết quả chưa được phê duyệt (điểm tạm tính).")
    elif period.published_at is None:
        text = _(
            "Kết quả đã được phê duyệt ngày %(d)s, chưa công khai.", d=day_text(score.approved_at)
        )
    else:
        text = _(
            "Kết quả đã được phê duyệt ngày %(d)s, công khai ngày %(p)s.",
            d=day_text(score.approved_at),
            p=day_text(period.published_at),
        )
    return {"approved": approved, "text": text}


def _watermark(approved: bool) -> str:
    return "" if approved else _("CHƯA PHÊ DUYỆT")


def person_form(period, staff_id) -> dict:
    """Return the display context of ``staff_id``'s evaluation form for ``period``.

    Raises NotFound when the period or the person is not the tenant's.
    """
    period = _period(period)
    person = staff.get_staff(staff_id)
    params = periods.params_of(period)
    score = db.session.execute(
        sa.select(PeriodScore).where(
            PeriodScore.period_id == period.id, PeriodScore.staff_id == person.id
        )
    ).scalar_one_or_none()
    post = _post(person, period)
    stages = _assessments(period, person)
    approver = score.approved_by if score is not None else None
    names = _names([approver, *(a.by_user for a in stages.values())])
    manager, leader = stages.get(AssessmentStage.MANAGER), stages.get(AssessmentStage.LEADER)
    direct = (
        db.session.get(StaffMember, (person.tenant_id, person.manager_id))
        if person.manager_id
        else None
    )
    return {
        **_header(post.org_unit.name if post else None, period),
        "title": str(FORM_TITLES.get(person.staff_type, FORM_TITLES["cong_chuc"])),
        "person": person,
        "position": post.position.name if post else "",
        "org_unit": post.org_unit.name if post else "",
        "fields": deputy_fields.field_names_in(period.starts_on, period.ends_on).get(person.id, []),
        "criteria": _criteria(stages, params),
        "work": _work_lines(period, person),
        "score": score,
        "figures": summary(score, period),
        "lines": explain(score, period) if score is not None else [],
        "general_max": number(params.general_max, params.display_places),
        "task_max": number(params.task_weight, params.display_places),
        "comments": {
            "manager": manager.comment if manager else "",
            "leader": leader.comment if leader else "",
        },
        "signers": {
            "self": person.full_name,
            "manager": (names.get(manager.by_user) if manager else None)
            or (direct.full_name if direct else ""),
            "leader": names.get(approver) or (names.get(leader.by_user, "") if leader else ""),
        },
        "signed_on": local_day(score.approved_at) if score is not None else None,
        "status": _status(score, period),
        "watermark": _watermark(score is not None and score.approved_at is not None),
    }


def _scored_people(period: Period, unit_ids: set | None) -> list[tuple]:
    rows = scores.with_people([period.id])
    # The post held at the end of the period (a person moved since is reported where they were).
    posts = staff.assignments_at([p.id for _s, p in rows], period.ends_on)
    result = []
    for score, person in rows:
        post = posts.get(person.id)
        if unit_ids is not None and (post is None or post.org_unit_id not in unit_ids):
            continue
        result.append((score, person, post))
    return result


def _share(count: int, total: int) -> str:
    return number(Decimal(count) * 100 / total if total else 0, 2)


def chunked(rows: Sequence, size: int = CHART_ROWS) -> list[list]:
    """``rows`` in consecutive parts of at most ``size``, as even as possible (41 → 21 + 20)."""
    rows = list(rows)
    if not rows:
        return []
    parts = math.ceil(len(rows) / size)
    step = math.ceil(len(rows) / parts)
    return [rows[i : i + step] for i in range(0, len(rows), step)]


def part_title(title: str, index: int, count: int) -> str:
    """A chart title with ``(2/3)`` when the chart is drawn in several parts."""
    return title if count == 1 else f"{title} ({index}/{count})"


def figure(svg, max_height_mm: float, max_width_mm: float) -> dict:
    """A chart for a PDF page: the SVG and the width (mm) at which it fits ``max_height_mm``
    (the SVG keeps its ratio; it may not be split across pages)."""
    found = _VIEWBOX.search(str(svg))
    width = max_width_mm
    if found:
        w, h = (float(v) for v in found.groups())
        width = min(max_width_mm, w * PX_MM, max_height_mm * w / h)
    return {"svg": svg, "width": f"{width:.1f}mm"}


def _grade_rows(people: list[tuple]) -> list[tuple[str, dict]]:
    """Grade counts per org unit (where each person was posted at the period's end), in the
    order of the org chart; people without a post in a row of their own."""
    groups: dict = {}
    for score, _person, post in people:
        key = post.org_unit_id if post else None
        counts = groups.setdefault(key, {g.value: 0 for g in GRADES})
        counts[score.grade] = counts.get(score.grade, 0) + 1
    order = {u.id: i for i, (u, _d) in enumerate(org.tree(include_inactive=True))}
    names = {post.org_unit_id: post.org_unit.name for _s, _p, post in people if post}
    keys = sorted(groups, key=lambda k: (k is None, order.get(k, len(order)), names.get(k, "")))
    return [(names[k] if k else _("Chưa rõ đơn vị"), groups[k]) for k in keys]


def _unit_charts(period: Period, params, people: list[tuple], counts: dict) -> list[dict]:
    """Grade distribution (each org unit, then the whole) and the histogram of totals."""
    if not people:
        return []
    rows = _grade_rows(people)
    rows = [*rows, (_("Toàn đơn vị"), counts)] if len(rows) > 1 else [(_("Toàn đơn vị"), counts)]
    title = _("Cơ cấu xếp loại – %(p)s", p=period.label)
    parts = chunked(rows)
    # A4 portrait: 170 mm wide, about 240 mm of height under the running footer.
    out = [
        figure(charts.grade_distribution(part, title=part_title(title, i, len(parts))), 240, 170)
        for i, part in enumerate(parts, 1)
    ]
    histogram = charts.histogram(
        [Decimal(score.total) for score, _p, _a in people],
        title=_("Phân bố tổng điểm – %(p)s", p=period.label),
        thresholds=(params.threshold_htnv, params.threshold_htt, params.threshold_htxs),
    )
    out.append(figure(histogram, 240, 170))
    return out


def _head_name(unit: OrgUnit | None, people: list[tuple]) -> str:
    """The head who signs: of the unit asked for; for the whole agency, of its one root unit,
    else the one person who approved the scores."""
    if unit is None:
        roots = db.session.execute(
            sa.select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.active.is_(True))
        ).scalars()
        roots = [r for r in roots if r.head_staff_id is not None]
        unit = roots[0] if len(roots) == 1 else None
    if unit is not None and unit.head_staff_id is not None:
        head = db.session.get(StaffMember, (unit.tenant_id, unit.head_staff_id))
        return head.full_name if head else ""
    approvers = {score.approved_by for score, _p, _a in people if score.approved_by}
    return next(iter(_names(approvers).values()), "") if len(approvers) == 1 else ""


def unit_report(period, org_unit_id=None, *, prepared_by: str | None = None, today=None) -> dict:
    """Return the display context of the period report of the unit (or of ``org_unit_id`` and
    the units below it). Raises NotFound when the period or the unit is not the tenant's."""
    period = _period(period)
    params = periods.params_of(period)
    unit = org.get_org_unit(org_unit_id) if org_unit_id else None
    unit_ids = org.subtree_ids([unit.id]) if unit else None
    people = _scored_people(period, unit_ids)
    places = params.display_places
    fields = deputy_fields.field_names_in(period.starts_on, period.ends_on)
    rows = [
        {
            "name": person.full_name,
            "position": post.position.name if post else "",
            "org_unit": post.org_unit.name if post else "",
            "fields": fields.get(person.id, []),
            "total": number(params.display_value(scores.exact_total(score)), places),
            "grade": grade_label(score.grade),
            "approved": score.approved_at is not None,
        }
        for score, person, post in people
    ]
    total = len(people)
    counts = {g.value: 0 for g in GRADES}
    for score, _person, _post in people:
        counts[score.grade] = counts.get(score.grade, 0) + 1
    # The quota counts only the kinds of person in its population (civil servants by default).
    counted = set(params.quota_staff_types)
    in_quota = [score.grade for score, person, _post in people if person.staff_type in counted]
    htt, htxs = in_quota.count(Grade.HTT.value), in_quota.count(Grade.HTXS.value)
    allowed = quota_allowed(htt, params)
    unapproved = sum(1 for r in rows if not r["approved"])
    return {
        **_header(unit.name if unit else None, period),
        "rows": rows,
        "distribution": [
            {"label": g.label, "count": counts[g.value], "share": _share(counts[g.value], total)}
            for g in GRADES
        ],
        "total": total,
        "total_share": _share(total, total) if total else "—",
        "quota": {
            "ratio": number(params.quota_ratio * 100, 0),
            "htt": htt,
            "htxs": htxs,
            "allowed": allowed,
            "within": htxs <= allowed,
        },
        "charts": _unit_charts(period, params, people, counts),
        "unapproved": unapproved,
        "published": period.published_at is not None and unapproved == 0,
        "watermark": _watermark(total > 0 and unapproved == 0),
        "head_name": _head_name(unit, people),
        "prepared_by": prepared_by or "",
        "signed_on": today or local_day(utcnow()),
    }
