"""Who is asking: session users (Flask-Login) with timeouts, bearer tokens for the API, role checks.

A session belongs to one place: a tenant user's session is valid only under that tenant's URLs, a
province user's only under ``/admin``. A user of tenant A is not logged in under tenant B.
Every session also has a server-side record (``services.sessions``): logout ends it for good, even
for a copy of the cookie. A user with a temporary password reaches only the password page.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from tenant_app import drafts
from tenant_app.extensions import login_manager
from tenant_app.services.workspace import sessions, tokens
from tenant_app.tenancy.context import current_tenant_id

# The session key holding the random id of the server-side session record.
SID_KEY = "_sid"
# Where a user who must change a temporary password may still go.
PASSWORD_CHANGE_OPEN = frozenset(
    {
        "tenant_auth.password",
        "tenant_auth.logout",
        "admin.password",
        "admin.logout",
        "static",
        "i18n.switch",
    }
)


def init_app(app) -> None:
    login_manager.init_app(app)
    # Logged-in sessions are permanent, for which Flask-Login treats "strong" as "basic" anyway.
    login_manager.session_protection = "basic"
    login_manager.login_message = None
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_enforce_session_timeouts)
    app.before_request(_require_password_change)
    drafts.init_app(app)


def _load_user(user_id: str):
    """The user of this session: its server-side record must be alive, and the account active
    with the session epoch the cookie was issued under."""
    parts = (user_id or "").split(":")
    sid = session.get(SID_KEY)
    if not isinstance(sid, str) or not sid:
        return None
    try:
        if parts[0] == "p" and len(parts) == 3:
            if request.blueprint is None or not request.blueprint.startswith("admin"):
                return None
            user = sessions.province_user(sid, int(parts[1]))
            epoch = int(parts[2])
        elif parts[0] == "t" and len(parts) == 4:
            tid = current_tenant_id()
            if tid is None or tid != int(parts[1]):
                return None
            user = sessions.tenant_user(sid, uuid.UUID(parts[2]))
            epoch = int(parts[3])
        else:
            return None
    except (ValueError, IndexError):
        return None
    if user is None or not user.is_active or user.session_epoch != epoch:
        return None
    return user


def _now_ts() -> float:
    return datetime.now(UTC).timestamp()


def start_session(user) -> None:
    """Log ``user`` in with a fresh session (old session data discarded: no fixation); the
    language choice and the key to a kept form draft stay (the draft opens only for its user).

    The caller commits the server-side record (a sign-in passes this function to
    ``authentication.authenticate``, which commits it with the login)."""
    kept = {k: session[k] for k in ("lang", drafts.DRAFT_KEY) if session.get(k)}
    session.clear()
    session.update(kept)
    session.permanent = True
    login_user(user, remember=False, fresh=True)
    session[SID_KEY] = sessions.open_session(user)
    session["login_at"] = session["seen_at"] = _now_ts()


def _end_server_session() -> None:
    """End the server-side record of this browser's session, whichever place it belongs to."""
    sid, uid = session.get(SID_KEY), session.get("_user_id") or ""
    if not isinstance(sid, str) or not sid:
        return
    if uid.startswith("p:"):
        sessions.end_session(sid, tenant_id=None)
    elif uid.startswith("t:"):
        try:
            tenant_id = int(uid.split(":")[1])
        except (ValueError, IndexError):
            return
        sessions.end_session(sid, tenant_id=tenant_id)


def end_session() -> None:
    """Log out: end the server-side record and clear the cookie (the language choice stays)."""
    lang = session.get("lang")
    _end_server_session()
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


def _enforce_session_timeouts():
    if "login_at" not in session:
        return None
    now = _now_ts()
    idle = current_app.config["KPI_SESSION_IDLE"].total_seconds()
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if now - session.get("seen_at", 0) > idle or now - session["login_at"] > absolute:
        # Whose session it was: a form posted now is kept as a draft for that user only.
        g.expired_user_id = session.get("_user_id")
        end_session()
        g.session_expired = True
        return None
    session["seen_at"] = now
    return None


def _require_password_change():
    """Send a signed-in user who still has a temporary password to the password page.

    The API is left to its bearer-token check, which refuses such users with a 403.
    """
    if request.endpoint is None or request.endpoint in PASSWORD_CHANGE_OPEN:
        return None
    if request.path.startswith("/api/"):
        return None
    user = current_user
    if not user.is_authenticated or not getattr(user, "must_change_password", False):
        return None
    flash(_("Vui lòng đổi mật khẩu tạm thời trước khi tiếp tục."), "warning")
    endpoint = "admin.password" if user.is_province else "tenant_auth.password"
    return redirect(url_for(endpoint))


def _unauthorized():
    """Send the browser to its login page, back to this page afterwards.

    A form posted without a live session is never replayed: ``next`` is the page the form was on,
    and what was typed is kept as a draft for the user of the expired session (``drafts``).
    """
    if request.path.startswith("/api/"):
        abort(401)
    target = request.full_path
    if request.method == "POST":
        target = drafts.form_page()
        if drafts.keep_posted_form(target):
            g.session_expired = False
            flash(
                _(
                    "Phiên làm việc đã hết hạn. Đăng nhập lại để tiếp tục; "
                    "nội dung bạn đã nhập được giữ lại."
                ),
                "warning",
            )
    if g.get("session_expired"):
        flash(_("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."), "warning")
    if request.blueprint and request.blueprint.startswith("admin"):
        return redirect(url_for("admin.login", next=target))
    if g.get("tenant") is not None:
        return redirect(url_for("tenant_auth.login", next=target))
    abort(404)


def _signed_in_elsewhere() -> bool:
    """Whether this session belongs to a user of another tenant than the one in the URL."""
    uid = session.get("_user_id") or ""
    return uid.startswith("t:") and not uid.startswith(f"t:{current_tenant_id()}:")


def tenant_user_required(*roles: str):
    """Require a logged-in user of the tenant in the URL, with one of ``roles`` if given.

    Wrong role → 403 (the tenant is theirs, the page is not for them).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user
            if not user.is_authenticated and _signed_in_elsewhere():
                abort(404)  # a user of tenant A asking for tenant B: not found, never a hint
            if not user.is_authenticated or getattr(user, "is_province", True):
                return login_manager.unauthorized()
            if user.tenant_id != current_tenant_id():
                return login_manager.unauthorized()
            if roles and not user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def province_user_required(*roles: str):
    """Require a logged-in province user, with one of ``roles`` if given."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user
            if not user.is_authenticated or not getattr(user, "is_province", False):
                return login_manager.unauthorized()
            if roles and not user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# --- API bearer tokens


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def api_token_required(*roles: str, province: bool = False):
    """Require a valid bearer token (tenant token for tenant routes, province token otherwise).

    Missing or invalid token → 401; an account with a temporary password → 403
    ``password_change_required``; wrong role → 403. Sets ``g.api_user`` and ``g.api_token``.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            token = _bearer()
            row = tokens.resolve_token(token, province=province) if token else None
            if row is None:
                abort(401)
            if row.user.must_change_password:
                raise tokens.password_change_required()
            if roles and not row.user.has_role(*roles):
                abort(403)
            g.api_user, g.api_token = row.user, row
            return view(*args, **kwargs)

        return wrapped

    return decorator
