"""Evaluation periods: open with frozen rules and windows; close, lock, reopen with a reason.

The schedule (monthly or quarterly, window lengths) and the rule set come from the tenant's
settings; a period copies them when it opens, so later configuration changes never touch it.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from scoring import DEFAULT_RULE_SET, Params, ScoringInputError, get_rule_set, resolve_rule_sets
from tenant_app import audit, background
from tenant_app.extensions import db
from tenant_app.models.evaluation import Period, label
from tenant_app.models.vocabulary import PeriodStatus
from tenant_app.services.comparison import aggregates
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.evaluation import chain
from tenant_app.services.evaluation.period_params import (  # noqa: F401  (re-exported)
    params_of,
    rule_set_for,
)
from tenant_app.services.workspace.lookup import get_scoped
from tenant_app.tenancy.context import get_current_tenant

# Days after the period's last day by which each step must be done (settings may override).
DEFAULT_WINDOWS = {"report": 3, "self_assessment": 5, "review": 8, "approval": 10}
MIN_REOPEN_REASON = 10


def schedule() -> dict:
    """The tenant's period settings: kind, window lengths, rule set, parameter overrides and
    the approval chain."""
    settings = dict(get_current_tenant().settings or {})
    windows = {**DEFAULT_WINDOWS, **(settings.get("windows") or {})}
    return {
        "kind": settings.get("period_kind", "month"),
        "windows": windows,
        "rule_set": settings.get("rule_set", DEFAULT_RULE_SET),
        "params": settings.get("scoring_params") or {},
        "approval_chain": settings.get("approval_chain"),
    }


def period_bounds(kind: str, year: int, number: int) -> tuple[date, date]:
    """First and last day of month ``number`` or quarter ``number`` of ``year``."""
    if kind == "month":
        if not 1 <= number <= 12:
            raise ServiceError("invalid_period", _("Tháng phải từ 1 đến 12."), field="number")
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    if not 1 <= number <= 4:
        raise ServiceError("invalid_period", _("Quý phải từ 1 đến 4."), field="number")
    first_month = 3 * (number - 1) + 1
    last_month = first_month + 2
    return date(year, first_month, 1), date(
        year, last_month, calendar.monthrange(year, last_month)[1]
    )


def period_code(kind: str, year: int, number: int) -> str:
    return f"{year}-{number:02d}" if kind == "month" else f"{year}-Q{number}"


def get_period(period_id) -> Period:
    return get_scoped(Period, period_id, _("Không tìm thấy kỳ đánh giá."))


def find_period(code: str) -> Period | None:
    return db.session.execute(sa.select(Period).where(Period.code == code)).scalar_one_or_none()


def list_periods() -> list[Period]:
    return list(db.session.execute(sa.select(Period).order_by(Period.starts_on.desc())).scalars())


def current_period(today: date | None = None) -> Period | None:
    """The open period containing ``today``, else the latest open one."""
    today = today or date.today()
    rows = (
        db.session.execute(
            sa.select(Period)
            .where(Period.status == PeriodStatus.OPEN)
            .order_by(Period.starts_on.desc())
        )
        .scalars()
        .all()
    )
    for period in rows:
        if period.starts_on <= today <= period.ends_on:
            return period
    return rows[0] if rows else None


def _snapshot(period: Period) -> dict:
    return {
        "code": period.code,
        "status": period.status,
        "rule_set": period.rule_set,
        "rule_sets": period.rule_sets,
        "approval_chain": list(period.approval_chain or ()),
        "published_at": period.published_at,
    }


def open_period(*, year: int, number: int, kind: str | None = None, actor=None) -> Period:
    """Open a period of the tenant with the rules and windows in force today.

    The period copies the configured approval chain; it keeps it whatever changes later.
    Raises Conflict when it exists, ServiceError for an impossible month or quarter or an
    invalid approval chain in the configuration.
    """
    config = schedule()
    kind = kind or config["kind"]
    if kind not in ("month", "quarter"):
        raise ServiceError("invalid_period", _("Loại kỳ phải là tháng hoặc quý."), field="kind")
    starts, ends = period_bounds(kind, year, number)
    code = period_code(kind, year, number)
    if find_period(code) is not None:
        raise Conflict(
            "duplicate_period", _("Kỳ đánh giá %(code)s đã được mở.", code=code), field="number"
        )
    try:
        approval_chain = chain.configured_chain({"approval_chain": config["approval_chain"]})
    except ValueError as exc:
        raise ServiceError("invalid_chain", str(exc), field="approval_chain") from exc
    rule_set = get_rule_set(config["rule_set"])
    params = Params.from_dict(config["params"], base=rule_set.default_params)
    try:
        # Each kind of person's rule set, by the period's first day (public employees: the 2026
        # decree from its date of effect, Decree 90/2020 before), frozen with the period.
        rule_sets = resolve_rule_sets(params, starts)
    except ScoringInputError as exc:
        raise ServiceError("invalid_rule_set", exc.message, field="rule_sets") from exc
    windows = config["windows"]
    period = Period(
        kind=kind,
        year=year,
        number=number,
        code=code,
        starts_on=starts,
        ends_on=ends,
        report_until=ends + timedelta(days=int(windows["report"])),
        self_assessment_until=ends + timedelta(days=int(windows["self_assessment"])),
        review_until=ends + timedelta(days=int(windows["review"])),
        approval_until=ends + timedelta(days=int(windows["approval"])),
        status=PeriodStatus.OPEN,
        rule_set=rule_set.code,
        params=params.to_dict(),
        rule_sets=rule_sets,
        approval_chain=[str(s) for s in approval_chain],
        opened_by=getattr(actor, "username", None),
    )
    db.session.add(period)
    db.session.flush()
    audit.record(
        "period.opened",
        object_type="period",
        object_id=period.id,
        after=_snapshot(period),
        actor=actor,
    )
    # Feed records held because no period was open for them are decided again once it is.
    background.after_commit(
        db.session(), background.FEEDS, background.paths.FEED_REPLAY_HELD, period.tenant_id
    )
    return period


def ensure_open(period: Period) -> None:
    """Raise ServiceError unless the period still accepts changes."""
    if period.status != PeriodStatus.OPEN:
        raise ServiceError(
            "period_not_open",
            _(
                "Kỳ đánh giá %(code)s đang ở trạng thái “%(status)s”: không thể thay đổi.",
                code=period.code,
                status=label(period.status),
            ),
            status=409,
        )


def ensure_window(period: Period, window: str, today: date | None = None) -> None:
    """Raise ServiceError when ``today`` is past the period's ``window`` deadline."""
    ensure_open(period)
    deadline = getattr(period, f"{window}_until")
    today = today or date.today()
    if today > deadline:
        names = {
            "report": _("báo cáo kết quả"),
            "self_assessment": _("tự đánh giá"),
            "review": _("thẩm định"),
            "approval": _("phê duyệt"),
        }
        raise ServiceError(
            "window_closed",
            _(
                "Đã hết hạn %(what)s của kỳ %(code)s (hạn cuối %(deadline)s).",
                what=names[window],
                code=period.code,
                deadline=deadline.strftime("%d/%m/%Y"),
            ),
            status=409,
        )


def _transition(
    period: Period, target: PeriodStatus, action: str, actor=None, reason=None
) -> Period:
    before = _snapshot(period)
    period.status = target
    aggregates.mark_changed(period)
    after = _snapshot(period)
    if reason:
        after["reason"] = reason
    audit.record(
        action, object_type="period", object_id=period.id, before=before, after=after, actor=actor
    )
    return period


def close_period(period: Period, *, actor=None) -> Period:
    """Close an open period: no more reports, reviews or assessments."""
    ensure_open(period)
    return _transition(period, PeriodStatus.CLOSED, "period.closed", actor)


def lock_period(period: Period, *, actor=None) -> Period:
    """Lock a closed period for good (until a reasoned reopening)."""
    if period.status != PeriodStatus.CLOSED:
        raise ServiceError("invalid_transition", _("Chỉ khóa được kỳ đã đóng."), status=409)
    return _transition(period, PeriodStatus.LOCKED, "period.locked", actor)


def reopen_period(period: Period, *, reason: str, actor=None) -> Period:
    """Reopen a closed or locked period; needs a written reason, kept in the audit trail."""
    if period.status == PeriodStatus.OPEN:
        raise ServiceError("invalid_transition", _("Kỳ đánh giá đang mở."), status=409)
    if len((reason or "").strip()) < MIN_REOPEN_REASON:
        raise ServiceError(
            "reason_required",
            _("Cần ghi rõ lý do mở lại kỳ đánh giá (ít nhất %(n)d ký tự).", n=MIN_REOPEN_REASON),
            field="reason",
        )
    return _transition(period, PeriodStatus.OPEN, "period.reopened", actor, reason=reason.strip())
