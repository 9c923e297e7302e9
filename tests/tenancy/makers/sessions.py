"""Row makers for the sign-in tables (login_sessions, login_throttles, form_drafts)."""

from __future__ import annotations

from datetime import timedelta

from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.tenancy import tenant_context


def _login_session(factory, tenant, tag):
    from tenant_app.models import LoginSession

    user = factory.user(tenant, f"sess.{tag}")
    with tenant_context(tenant):
        row = LoginSession(
            user_id=user.id,
            token_hash=f"session-hash-{tag}",
            expires_at=utcnow() + timedelta(hours=1),
        )
        db.session.add(row)
        db.session.commit()
    return row


def _login_throttle(factory, tenant, tag):
    from tenant_app.models import LoginThrottle

    with tenant_context(tenant):
        row = LoginThrottle(username=f"thr.{tag}", address="192.0.2.1", failures=1)
        db.session.add(row)
        db.session.commit()
    return row


def _form_draft(factory, tenant, tag):
    from tenant_app.models import FormDraft

    user = factory.user(tenant, f"draft.{tag}")
    with tenant_context(tenant):
        row = FormDraft(
            user_id=user.id,
            key_hash=f"draft-hash-{tag}",
            page="/t/x/my/work",
            action="/t/x/my/assessment",
            fields={"comment": [f"draft {tag}"]},
        )
        db.session.add(row)
        db.session.commit()
    return row


MAKERS = {
    "form_drafts": (_form_draft, "page"),
    "login_sessions": (_login_session, "token_hash"),
    "login_throttles": (_login_throttle, "username"),
}
