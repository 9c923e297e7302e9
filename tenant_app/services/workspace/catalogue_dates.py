"""When a catalogue item's values take effect: a new item's default date, re-dating a version.

A new item serves the periods that are still open: without a date its first version starts on
the first day of the earliest open period (today when none is open), so an item added on the
3rd can be assigned in the month that began on the 1st.

Re-dating moves the current (latest) version's ``effective_from`` when the values stay the same.
It is refused when it would change what something already resolved: a closed or locked period,
or an assignment of the item, whose start lies between the old and the new date; and it must
stay after the previous version. Otherwise nothing could have used the difference.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from tenant_app.extensions import db
from tenant_app.models.evaluation import Assignment, Period
from tenant_app.models.vocabulary import ENDED_PERIOD_STATUSES, PeriodStatus
from tenant_app.services.errors import ServiceError


def earliest_open_start() -> date | None:
    """Return the first day of the earliest open period of the tenant, or None."""
    return db.session.execute(
        sa.select(sa.func.min(Period.starts_on)).where(Period.status == PeriodStatus.OPEN)
    ).scalar_one_or_none()


def default_effective_from() -> date:
    """Return the date a new item's first version starts on when none is given (module doc)."""
    return earliest_open_start() or date.today()


def redate(item, latest, previous, on: date) -> bool:
    """Move ``latest`` (the item's current version) to start on ``on``; True if it moved.

    Raises ServiceError on ``effective_from`` when the move would reach back over the previous
    version or change what a closed/locked period or an existing assignment resolved.
    """
    if on == latest.effective_from:
        return False
    day = "%d/%m/%Y"
    if previous is not None and on <= previous.effective_from:
        raise ServiceError(
            "version_date",
            _(
                "Ngày hiệu lực phải sau ngày %(d)s của phiên bản trước; "
                "phiên bản cũ được giữ nguyên cho các kỳ đã dùng.",
                d=previous.effective_from.strftime(day),
            ),
            "effective_from",
        )
    low, high = sorted((on, latest.effective_from))
    touched = sa.select(Period.id).where(Period.starts_on >= low, Period.starts_on < high)
    ended = db.session.execute(
        sa.select(Period.code)
        .where(Period.id.in_(touched), Period.status.in_(ENDED_PERIOD_STATUSES))
        .order_by(Period.starts_on)
        .limit(1)
    ).scalar_one_or_none()
    used = db.session.execute(
        sa.select(Period.code)
        .join(Assignment, Assignment.period_id == Period.id)
        .where(Assignment.item_id == item.id, Period.id.in_(touched))
        .order_by(Period.starts_on)
        .limit(1)
    ).scalar_one_or_none()
    blocking = ended or used
    if blocking is not None:
        raise ServiceError(
            "version_in_use",
            _(
                "Không đổi được ngày hiệu lực từ %(old)s sang %(new)s: kỳ %(code)s đã đóng hoặc "
                "đã giao việc theo giá trị hiện hành. Hãy nhập giá trị mới với ngày hiệu lực mới.",
                old=latest.effective_from.strftime(day),
                new=on.strftime(day),
                code=blocking,
            ),
            "effective_from",
        )
    latest.effective_from = on
    return True
