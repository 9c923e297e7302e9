"""Extending a window of a period: a new deadline, a recorded reason, audited.

A unit administrator extends the windows of their own unit; a province administrator those of
any unit (through ``tenancy.door.window_extension_write``). The period's ``*_until`` column
takes the new deadline, so every check of the window (``periods.ensure_window``), the reminders
and the scheduler follow it; each extension is kept as a ``WindowExtension`` row. A later window
that would end before the extended one is moved to the same day (recorded too), so the windows
stay in the workflow's order.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.calendar import MIN_EXTENSION_REASON, WINDOWS, WindowExtension
from tenant_app.models.evaluation import Period
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import periods

# Far enough for any real delay, near enough to catch a mistyped year.
MAX_EXTENSION_DAYS = 120
WINDOW_LABELS = {
    "report": _l("Báo cáo kết quả"),
    "self_assessment": _l("Tự đánh giá"),
    "review": _l("Thẩm định"),
    "approval": _l("Phê duyệt"),
}


def _may_extend(actor) -> bool:
    if getattr(actor, "is_province", False):
        return actor.has_role("province_admin")
    return actor is not None and actor.has_role("unit_admin")


def extend_window(
    period: Period,
    window: str,
    new_until: date | None,
    reason: str,
    *,
    actor,
    today: date | None = None,
) -> list[WindowExtension]:
    """Move ``window``'s deadline of ``period`` to ``new_until`` with ``reason``; the caller
    commits. Returns the extensions recorded (the window's, then any later window moved along).

    Raises ServiceError: 403 unless ``actor`` is a unit administrator (or a province
    administrator), 409 for a period not open, 400 for an unknown window, a date not after the
    current deadline, in the past or more than ``MAX_EXTENSION_DAYS`` days later, or a reason
    shorter than ``MIN_EXTENSION_REASON`` characters.
    """
    if not _may_extend(actor):
        raise ServiceError(
            "forbidden", _("Chỉ quản trị đơn vị hoặc quản trị cấp tỉnh mới gia hạn."), status=403
        )
    periods.ensure_open(period)
    if window not in WINDOWS:
        raise ServiceError("invalid_window", _("Bước cần gia hạn không hợp lệ."), field="window")
    old = getattr(period, f"{window}_until")
    today = today or date.today()
    if new_until is None:
        raise ServiceError("invalid_date", _("Cần nhập hạn mới."), field="new_until")
    if new_until <= old:
        raise ServiceError(
            "not_later",
            _("Hạn mới phải sau hạn hiện tại (%(d)s).", d=old.strftime("%d/%m/%Y")),
            field="new_until",
        )
    if new_until < today:
        raise ServiceError(
            "in_the_past", _("Hạn mới không được trước ngày hôm nay."), field="new_until"
        )
    if new_until > old + timedelta(days=MAX_EXTENSION_DAYS):
        raise ServiceError(
            "too_far",
            _("Chỉ gia hạn tối đa %(n)d ngày mỗi lần.", n=MAX_EXTENSION_DAYS),
            field="new_until",
        )
    reason = (reason or "").strip()
    if len(reason) < MIN_EXTENSION_REASON:
        raise ServiceError(
            "reason_required",
            _("Cần ghi rõ lý do gia hạn (ít nhất %(n)d ký tự).", n=MIN_EXTENSION_REASON),
            field="reason",
        )
    by = getattr(actor, "full_name", None) or getattr(actor, "username", None)
    before = {w: getattr(period, f"{w}_until").isoformat() for w in WINDOWS}
    made = []
    for later in WINDOWS[WINDOWS.index(window) :]:
        current = getattr(period, f"{later}_until")
        if current >= new_until:
            break
        setattr(period, f"{later}_until", new_until)
        row = WindowExtension(
            period_id=period.id,
            window_name=later,
            old_until=current,
            new_until=new_until,
            reason=reason,
            extended_by=by,
        )
        db.session.add(row)
        made.append(row)
    db.session.flush()
    audit.record(
        "period.window_extended",
        object_type="period",
        object_id=period.id,
        before=before,
        after={
            **{w: getattr(period, f"{w}_until").isoformat() for w in WINDOWS},
            "code": period.code,
            "window": window,
            "reason": reason,
        },
        actor=actor,
    )
    return made


def extensions_of(period_ids) -> dict:
    """{period id: its extensions, oldest first} for ``period_ids``."""
    ids = list(period_ids)
    out: dict = {}
    if not ids:
        return out
    rows = db.session.execute(
        sa.select(WindowExtension)
        .where(WindowExtension.period_id.in_(ids))
        .order_by(WindowExtension.created_at, WindowExtension.id)
    ).scalars()
    for row in rows:
        out.setdefault(row.period_id, []).append(row)
    return out
