"""In-app notifications: one row per user and message, deduplicated by key, read or unread."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.evaluation import Notification

# Symbolic targets; the workspace turns them into URLs (jobs have no request to build one).
# A link is a target, optionally followed by ":<period id>" and ":<anchor on that page>".
LINKS = ("work", "review", "scores", "assessment", "approval", "periods")


def work_link(period_id, assignment_id) -> str:
    """Return the link to one assignment on the person's "my work" page of its period."""
    return f"work:{period_id}:a-{assignment_id}"


def notify_user(
    user_id, kind: str, message: str, *, link: str | None = None, dedupe: str | None = None
) -> Notification | None:
    """Add a notification for ``user_id`` unless one with the same ``dedupe`` key exists."""
    if user_id is None:
        return None
    if dedupe is not None:
        exists = db.session.execute(
            sa.select(Notification.id).where(
                Notification.user_id == user_id, Notification.dedupe_key == dedupe
            )
        ).first()
        if exists:
            return None
    row = Notification(
        user_id=user_id, kind=kind, message=message[:500], link=link, dedupe_key=dedupe
    )
    db.session.add(row)
    return row


def notify_staff(person, kind: str, message: str, *, link=None, dedupe=None):
    """Notify the account linked to a staff record (people without an account are skipped)."""
    if person is None:
        return None
    return notify_user(person.user_id, kind, message, link=link, dedupe=dedupe)


def for_user(user_id, *, limit: int = 50) -> list[Notification]:
    return list(
        db.session.execute(
            sa.select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc())
            .limit(limit)
        ).scalars()
    )


def unread_count(user_id) -> int:
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()


def mark_read(user_id, notification_ids=None) -> int:
    """Mark the user's notifications (all, or the given ids) read; returns how many changed."""
    stmt = sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(list(notification_ids)))
    result = db.session.execute(
        stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount
