"""A save that arrives after the session expired loses nothing, and never ends on a 405.

When a browser form is posted without a live session (API calls keep their 401), what was typed
is kept on the server (``services.workspace.drafts``) for the account the expired cookie belonged
to, and the browser goes to the login page with ``next`` = the page the form was on (its Referer,
else the nearest page under the posted URL that answers GET). After signing in, that page shows
the form filled in again from the draft (``static/js/draft-restore.js`` reads a JSON data island)
for the person to check and save; the stale post itself is never replayed.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from flask import current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from tenant_app.extensions import db
from tenant_app.security.redirects import is_local_path
from tenant_app.services.workspace import drafts
from tenant_app.tenancy.context import current_tenant_id

# The session key holding the browser's key to its kept draft.
DRAFT_KEY = "_draft"


def init_app(app) -> None:
    app.before_request(_restore_draft)


def _answers_get(adapter, path: str) -> str | None:
    """``path`` (or where the router redirects it, e.g. to add a slash) if it answers GET."""
    try:
        adapter.match(path, method="GET")
    except RequestRedirect as redirect:
        return urlsplit(redirect.new_url).path
    return path


def readable_target(target: str) -> str:
    """``target`` if a browser may GET it; for a POST-only URL the nearest page above it that
    answers GET (``/t/x/my/work/<id>`` → ``/t/x/my/work``); an unknown URL is left as it is."""
    parts = urlsplit(target)
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(parts.path, method="GET")
        return target
    except (RequestRedirect, NotFound):
        return target
    except MethodNotAllowed:
        pass
    path = parts.path.rstrip("/")
    while path:
        path = path.rpartition("/")[0]
        for candidate in (path + "/", path) if path else ("/",):
            try:
                found = _answers_get(adapter, candidate)
            except (NotFound, MethodNotAllowed):
                continue
            return found
    return "/"


def _area_prefix() -> str:
    """The URL prefix a form page must share with the post: the unit's, or the console's."""
    tenant = g.get("tenant")
    if tenant is not None:
        return f"/t/{tenant.slug}/"
    return "/admin/"


def form_page() -> str:
    """Where the posted form was shown: the Referer if it is a page of the same unit (or of the
    console) on this site, else the nearest page that answers GET under the posted URL."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        if is_local_path(target) and target.startswith(_area_prefix()):
            return readable_target(target)
    return readable_target(request.full_path.rstrip("?"))


def _expired_user_id() -> uuid.UUID | None:
    """The tenant user the expired (or ended) session cookie belonged to, in this tenant."""
    claimed = g.get("expired_user_id") or session.get("_user_id") or ""
    parts = claimed.split(":") if isinstance(claimed, str) else []
    if len(parts) != 4 or parts[0] != "t" or parts[1] != str(current_tenant_id()):
        return None
    try:
        return uuid.UUID(parts[2])
    except ValueError:
        return None


def keep_posted_form(page: str) -> bool:
    """Keep the posted form's fields for the user of the expired session, if one is known in
    the tenant in context and something was typed; the browser receives the draft's key.
    Returns whether a draft was kept."""
    from tenant_app.models import User

    if request.method != "POST" or current_tenant_id() is None:
        return False
    user_id = _expired_user_id()
    if user_id is None or db.session.get(User, (current_tenant_id(), user_id)) is None:
        return False
    key = drafts.keep(user_id, page=page, action=request.path, form=request.form)
    if key is None:
        return False
    session[DRAFT_KEY] = key
    return True


def _restore_draft() -> None:
    """On the first GET of the draft's page by the user it was kept for: hand the fields to the
    page (``g.restored_draft``) with a notice. Another account never sees it."""
    key = session.get(DRAFT_KEY)
    if not key or request.method != "GET" or current_tenant_id() is None:
        return
    user = current_user
    if not user.is_authenticated or getattr(user, "is_province", True):
        return
    draft = drafts.pending(user, key) if isinstance(key, str) else None
    if draft is None:
        session.pop(DRAFT_KEY, None)
        return
    if urlsplit(draft.page).path != request.path:
        return
    g.restored_draft = drafts.take(draft)
    session.pop(DRAFT_KEY, None)
    flash(_("Đã khôi phục nội dung bạn nhập trước khi phiên hết hạn. Kiểm tra và bấm Lưu."), "info")
