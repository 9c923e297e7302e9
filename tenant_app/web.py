"""HTTP helpers shared by ``blueprints/`` (the units) and ``admin/`` (the province console).

Both web layers import from here and never from each other: ids to 404, the safe ``next``
target, service errors placed on forms, the one "call the use case, commit, or show why not"
shape of a form post (``saving``), paging numbers, downloads of rows as CSV or .xlsx, the audit
list filters and the password-change page every signed-in user has.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from tenant_app import formatting
from tenant_app.auth import SID_KEY, start_session
from tenant_app.drafts import readable_target
from tenant_app.errors import translate_validation
from tenant_app.extensions import db
from tenant_app.forms import PasswordChangeForm
from tenant_app.models.base import utcnow
from tenant_app.security.redirects import safe_target
from tenant_app.services.audit import audit_export, audit_log
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.files.spreadsheets import XLSX_MIMETYPE
from tenant_app.services.workspace import authentication
from tenant_app.tenancy import current_tenant_id, revisions

log = logging.getLogger(__name__)

# --- requests ------------------------------------------------------------------------------


def or_404(getter, object_id):
    """``getter(object_id)``, or 404 for a malformed id or an id of another tenant."""
    try:
        return getter(object_id)
    except NotFound:
        abort(404)


def _revision_key(kind: str, person=None) -> str | None:
    """What a unit-derived answer for this user, language and URL depends on, hashed; None
    without a revision (no Redis). The minute bounds the life of an answer to writes the
    revision cannot see (``tenancy.revisions``). ``person``: the answer is about that one person
    (a staff id; ``""`` for a user with no staff record), so only the unit's shared changes,
    theirs and the viewer's move it (``revisions.person_view``)."""
    if person is None:
        revision = revisions.current(current_tenant_id())
    else:
        revision = revisions.person_view(current_tenant_id(), person, current_user.get_id())
    if revision is None:
        return None
    minute = int(time.time() // revisions.MAX_AGE_SECONDS)
    parts = (
        kind,
        revision,
        minute,
        current_user.get_id(),
        session.get(SID_KEY),
        # Pages carry a CSRF token made from the session's secret: same secret, same token use.
        session.get("csrf_token"),
        get_locale(),
        request.full_path,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def _about(person, kwargs):
    """The person a view's answer is about (``person(**kwargs)``), or None for the whole unit."""
    if person is None:
        return None
    found = person(**kwargs)
    return "" if found is None else str(found)


def live_polled(view=None, *, person=None):
    """A polled live endpoint answers ``304 Not Modified`` while nothing of the unit changed.

    Its ETag is made of the unit's data revision (``tenancy.revisions``), the user and session,
    the language, the full URL and the current minute. Personal pages stay ``no-store`` (security
    headers), so the browser's cache is not used: ``static/js/live.js`` sends back the ETag it
    last received. Without Redis there is no revision: every poll is computed.
    Put it under the access decorator: a 304 is only ever given to someone allowed the answer.
    ``person`` (a function of the view's arguments giving a staff id): the answer is about that
    person only (``_revision_key``).
    """
    if view is None:
        return functools.partial(live_polled, person=person)

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        etag = _revision_key("live", _about(person, kwargs))
        if etag is not None and etag in request.if_none_match:
            response = Response(status=304)
            response.set_etag(etag)
            return response
        response = view(*args, **kwargs)
        if etag is not None and getattr(response, "status_code", None) == 200:
            response.set_etag(etag)
        return response

    return wrapped


def page_cached(view=None, *, person=None):
    """A page read often and changed rarely (a person's explained score and work, a manager's
    dashboard) is rendered once per revision of the unit and served from Redis until the unit
    changes (or a minute passes), for the same user, session, language and URL.

    Never for a page carrying flashed messages (they are shown once) or a restored draft, never
    for another status than 200. Put it under the access decorator: the cache is only read after
    the access check. ``person``: as for ``live_polled``.
    """
    if view is None:
        return functools.partial(page_cached, person=person)

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        personal = session.get("_flashes") or g.get("restored_draft") is not None
        key = None if personal else _revision_key("page", _about(person, kwargs))
        client = revisions.client() if key is not None else None
        if client is not None:
            try:
                body = client.get(f"kpi:page:{key}")
            except Exception:  # Redis down: render
                log.warning("page cache not readable", exc_info=True)
                body = None
            if body is not None:
                return Response(body, mimetype="text/html")
        response = view(*args, **kwargs)
        if not isinstance(response, Response):
            response = current_app.make_response(response)
        if client is not None and response.status_code == 200 and not response.is_streamed:
            try:
                client.set(f"kpi:page:{key}", response.get_data(), ex=revisions.MAX_AGE_SECONDS)
            except Exception:  # the page is served anyway
                log.warning("page not cached", exc_info=True)
        return response

    return wrapped


def _text(value) -> str:
    return value.decode() if value else "0"


def _unstamped(cached, stamp: str) -> str | None:
    """The text kept under ``stamp`` (``cached`` read from Redis), or None if stamped otherwise."""
    text = cached.decode() if cached is not None else ""
    return text[len(stamp) :] if text.startswith(stamp) else None


def person_fragments(kind: str, staff_ids: list, render, about: tuple = ()) -> dict:
    """Each person's part of a page about many people (a row of a manager's dashboard), as text,
    rendered once per revision of that person and shared by every viewer allowed to see it.

    ``render(ids)`` gives {staff id: text} for the people whose part is not cached. A part is kept
    under the unit, ``kind``, the person, the language and ``about`` (what else it shows: the
    period, today's date), stamped with the unit's shared counter and the person's own counter
    (``tenancy.revisions``) as they were read before it was rendered, so a part is never older
    than its stamp; it is served only while both counters still read the same (they are read with
    the parts in one ``MGET``). A part lives ``MAX_AGE_SECONDS`` at most, as a cached page does,
    for writes the counters cannot see. Without Redis (or with it down) every part is rendered.
    Call it only with people the viewer may see: a part is the person's, not the viewer's.
    """
    tenant_id = current_tenant_id()
    client = revisions.client() if staff_ids else None
    if client is None:
        return render(list(staff_ids))
    language = str(get_locale())
    keys = [
        f"kpi:fragment:{tenant_id}:"
        + hashlib.sha256(repr((kind, str(sid), language, about)).encode()).hexdigest()[:40]
        for sid in staff_ids
    ]
    counters = [revisions.SHARED_KEY.format(tenant_id)]
    counters += [revisions.OWNER_KEY.format(tenant_id, "staff", sid) for sid in staff_ids]
    try:
        values = client.mget(counters + keys)
    except Exception:  # Redis down: render
        log.warning("fragments not readable", exc_info=True)
        return render(list(staff_ids))
    shared, count = _text(values[0]), len(staff_ids)
    parts, stamps = {}, {}
    for sid, counter, cached in zip(
        staff_ids, values[1 : count + 1], values[count + 1 :], strict=True
    ):
        stamps[sid] = stamp = f"{shared}:{_text(counter)}\n"
        text = _unstamped(cached, stamp)
        if text is not None:
            parts[sid] = text
    missing = [sid for sid in staff_ids if sid not in parts]
    if missing:
        made = render(missing)
        parts.update(made)
        key_of = dict(zip(staff_ids, keys, strict=True))
        try:
            pipe = client.pipeline(transaction=False)
            for sid, text in made.items():
                pipe.set(key_of[sid], stamps[sid] + text, ex=revisions.MAX_AGE_SECONDS)
            pipe.execute()
        except Exception:  # the parts are served anyway
            log.warning("fragments not cached", exc_info=True)
    return parts


def shared_cached(kind: str, compute, about: tuple = ()) -> str:
    """Text made from the unit's shared rows only (``compute()``: for example who a manager
    directs, which depends on people, posts, units and roles, all shared changes), kept until the
    unit's shared counter moves (``tenancy.revisions``) or ``MAX_AGE_SECONDS`` pass, under the
    unit, ``kind`` and ``about`` (whose it is: the viewer). Computed every time without Redis."""
    tenant_id = current_tenant_id()
    client = revisions.client()
    if client is None:
        return compute()
    key = f"kpi:shared:{tenant_id}:" + hashlib.sha256(repr((kind, about)).encode()).hexdigest()[:40]
    try:
        shared, cached = client.mget([revisions.SHARED_KEY.format(tenant_id), key])
    except Exception:  # Redis down: compute
        log.warning("shared cache not readable", exc_info=True)
        return compute()
    stamp = f"{_text(shared)}\n"
    text = _unstamped(cached, stamp)
    if text is not None:
        return text
    made = compute()
    try:
        client.set(key, stamp + made, ex=revisions.MAX_AGE_SECONDS)
    except Exception:  # computed anyway
        log.warning("shared cache not written", exc_info=True)
    return made


def page_list(rows: list, pagination_parameters) -> list:
    """One page of ``rows`` already read (flask-smorest's ``@blp.paginate()`` without a pager);
    sets the total for the X-Pagination header."""
    pagination_parameters.item_count = len(rows)
    start = pagination_parameters.first_item
    return rows[start : start + pagination_parameters.page_size]


def safe_next(default: str) -> str:
    """The ``next`` query parameter if it is a safe same-site path, else ``default``; a POST-only
    URL gives way to the nearest page above it (a browser follows ``next`` with a GET)."""
    target = safe_target(request.args.get("next"), default)
    return readable_target(target) if target != default else target


def page_number() -> int:
    """The ``?page=`` number, at least 1."""
    return max(request.args.get("page", 1, type=int) or 1, 1)


# --- forms ---------------------------------------------------------------------------------


def form_error(form, exc: ServiceError, fallback: str | None = None) -> None:
    """Put ``exc``'s message next to its field (``general[1]`` → ``general_1``), else on
    ``fallback``'s field, else on the form.

    Refusals of the person (403) and missing rows (404) are not form errors: they abort.
    """
    if exc.status in (403, 404):
        abort(exc.status)
    name = (exc.field or "").replace("[", "_").replace("]", "")
    target = getattr(form, name, None) if name and name != "csrf_token" else None
    if (target is None or not hasattr(target, "errors")) and fallback:
        target = getattr(form, fallback, None)
    if target is not None and hasattr(target, "errors"):
        if not isinstance(target.errors, list):
            target.errors = list(target.errors)
        target.errors.append(exc.message)
    else:
        form.form_errors.append(exc.message)


def load_form(form, schema, fields, *, blank_to_none=()) -> dict | None:
    """``fields`` of the posted form through ``schema`` (``blank_to_none``: those whose empty
    value means none); its messages go next to their fields, others on the form; None if any."""
    raw = {name: request.form.get(name, "") for name in fields}
    for name in blank_to_none:
        raw[name] = raw[name] or None
    try:
        return schema.load(raw)
    except ValidationError as exc:
        for name, messages in translate_validation(exc.messages).items():
            target = getattr(form, name, None)
            if target is not None and name in fields:
                target.errors = [*target.errors, *messages]
            else:
                form.form_errors.extend(messages)
        return None


@dataclass
class Saved:
    """The outcome of a ``saving`` block: ``ok`` once committed, else ``error`` says why."""

    ok: bool = False
    error: ServiceError | None = None


@contextmanager
def saving(form=None, *, fallback: str | None = None, flash_error: bool = False):
    """Run a use case, then commit; a ``ServiceError`` rolls back and is shown, not raised.

    The error goes next to its field of ``form`` (``form_error``), or is flashed when there is
    no form or ``flash_error`` is set; a refusal of the person (403) or a missing row (404)
    aborts either way. Other errors propagate (the request fails, nothing is committed)::

        with saving(form, fallback="name") as saved:
            org.create_org_unit(data)
        if saved.ok:
            return redirect(...)
    """
    saved = Saved()
    try:
        yield saved
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        saved.error = exc
        if form is None or flash_error:
            if exc.status in (403, 404):
                abort(exc.status)
            flash(exc.message, "error")
        else:
            form_error(form, exc, fallback)
    else:
        saved.ok = True


# --- downloads -----------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx")


def download_response(
    fmt: str, *, csv_chunks, write_xlsx, filename: str, cache_control: str = "no-store"
) -> Response:
    """Return a download that never holds the whole file in memory.

    ``csv``: the chunks of ``csv_chunks()`` streamed as they come; ``xlsx``: ``write_xlsx(file)``
    writes into a temporary file (write-only workbooks stream their rows to disk), which is then
    sent in blocks and removed when the response closes. 404 for another format.
    """
    if fmt == "csv":
        response = Response(csv_chunks(), mimetype=audit_export.CSV_MIMETYPE)
    elif fmt == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
        try:
            write_xlsx(spool)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        response = send_file(spool, mimetype=XLSX_MIMETYPE, max_age=0)
    else:
        abort(404)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = cache_control
    return response


def export_response(fmt: str, header: list[str], rows: list[list], stem: str) -> Response:
    """Return the download of ``rows`` as ``fmt`` (csv or xlsx), streamed; 404 for another."""
    stamp = formatting.to_local(utcnow()).strftime("%Y%m%d-%H%M")
    return download_response(
        fmt,
        csv_chunks=lambda: audit_export.iter_csv(header, rows),
        write_xlsx=lambda target: audit_export.write_xlsx(header, rows, target),
        filename=f"{stem}-{stamp}.{fmt}",
    )


# --- audit lists ---------------------------------------------------------------------------

AUDIT_FILTERS = (
    "tenant",
    "source",
    "actor",
    "action",
    "object_type",
    "object_id",
    "since",
    "until",
)


def audit_filter_values() -> dict[str, str]:
    """The audit filters of the query string as given (to refill the form and build links)."""
    return {
        name: request.args.get(name, "").strip() for name in AUDIT_FILTERS if request.args.get(name)
    }


def read_audit_filters(*, province: bool) -> audit_log.Filters:
    """Parse the audit filters: a bad value is flashed and dropped; an unknown unit is 404."""
    args = request.args.to_dict()
    for _attempt in range(len(AUDIT_FILTERS)):
        try:
            return audit_log.filters_from_args(args, province=province)
        except ServiceError as exc:
            if exc.status in (403, 404):
                abort(exc.status)
            flash(exc.message, "error")
            args.pop(exc.field, None)
    abort(400)


# --- the signed-in user's password ---------------------------------------------------------


def change_password_page(template: str, home_endpoint: str):
    """The password-change form of the signed-in user (unit or province): on success the user
    keeps a fresh session, every other session of theirs ends, and they go to ``home_endpoint``."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            authentication.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except ServiceError as exc:
            getattr(form, exc.field or "new_password").errors.append(exc.message)
        else:
            start_session(current_user._get_current_object())
            db.session.commit()
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."), "success")
            return redirect(url_for(home_endpoint))
    return render_template(template, form=form)
