"""What the province comparison pages share: the blueprint, scopes as people say them, the
units ticked, charts as images, messages and downloads.

The pages themselves are in ``admin.comparison_views`` (units, items, access) and
``admin.comparison_drill`` (one unit, one person).
"""

from __future__ import annotations

import base64
import html
import re

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from tenant_app.extensions import db
from tenant_app.models.tenants import Tenant
from tenant_app.services.comparison import comparison, comparison_export
from tenant_app.web import download_response

bp = Blueprint("admin_comparison", __name__, url_prefix="/admin/comparison")

EXPORT_FORMATS = ("csv", "xlsx")
TREND_SCOPES = 6
TREND_MAX_UNITS = 8  # more lines than this and the trend chart shows the overall mean only
SPREAD_TOP = 10
_DESC = re.compile(r"<desc[^>]*>(.*?)</desc>", re.S)


def scope_label(scope: str | None) -> str:
    """A scope as people say it: Tháng 10/2026, Quý 4/2026, Năm 2026."""
    if not scope:
        return "—"
    try:
        scope, kind = comparison.parse_scope(scope)
    except comparison.ScopeInvalid:
        return scope
    if kind == "month":
        return _("Tháng %(m)s/%(y)s", m=int(scope[5:7]), y=scope[:4])
    if kind == "quarter":
        return _("Quý %(q)s/%(y)s", q=scope[-1], y=scope[:4])
    return _("Năm %(y)s", y=scope)


def scope_short(scope: str) -> str:
    """A scope for a chart axis: 10/2026, Q4/2026, 2026."""
    scope, kind = comparison.parse_scope(scope)
    if kind == "month":
        return f"{scope[5:7]}/{scope[:4]}"
    if kind == "quarter":
        return f"Q{scope[-1]}/{scope[:4]}"
    return scope


def as_image(svg: Markup) -> Markup:
    """A chart as an ``<img>`` of its SVG (data URI), its description as the alt text.

    The page's Content-Security-Policy refuses inline styles, which an inline SVG's own
    ``<style>`` is; an image document keeps its styles and runs nothing.
    """
    found = _DESC.search(str(svg))
    alt = html.unescape(found.group(1)) if found else ""
    data = base64.b64encode(str(svg).encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" src="data:image/svg+xml;base64,{}" alt="{}">').format(
        data, alt
    )


def selected_tenant_ids() -> list[int]:
    """The units ticked (``?tenants=1&tenants=2``), unknown ones dropped; [] means every unit
    (none ticked, or all of them)."""
    wanted = {int(v) for v in request.args.getlist("tenants") if v.strip().isdigit()}
    if not wanted:
        return []
    known = set(db.session.execute(sa.select(Tenant.id)).scalars())
    ids = wanted & known
    return [] if ids == known else sorted(ids)


def requested_scope() -> str | None:
    """``?period=`` checked (None when absent); an invalid one ends the request with a 400."""
    value = (request.args.get("period") or "").strip()
    if not value:
        return None
    try:
        return comparison.parse_scope(value)[0]
    except comparison.ScopeInvalid:
        message = _(
            "Kỳ “%(v)s” không hợp lệ: dùng dạng 2026-10 (tháng), 2026-Q4 (quý) hoặc 2026 (năm).",
            v=value[:20],
        )
        abort(message_page(_("Kỳ không hợp lệ"), message, 400))


def message_page(title: str, message: str, status: int = 200) -> Response:
    """A page of the console saying ``message`` (a refusal or an empty result), with a way back."""
    html = render_template("admin/comparison/message.html", title=title, message=message)
    return Response(html, status=status)


def default_scope(scopes: list[str]) -> str | None:
    """The newest month with figures, else the newest quarter, else the newest year."""
    for kind in ("month", "quarter", "year"):
        for scope in scopes:
            if comparison.parse_scope(scope)[1] == kind:
                return scope
    return None


def scope_groups(scopes: list[str]) -> list[tuple[str, list[str]]]:
    """The scopes for the picker, grouped by kind (months, quarters, years), newest first."""
    groups = {"month": [], "quarter": [], "year": []}
    for scope in scopes:
        groups[comparison.parse_scope(scope)[1]].append(scope)
    names = {"month": _("Tháng"), "quarter": _("Quý"), "year": _("Năm")}
    return [(names[kind], found) for kind, found in groups.items() if found]


def visibility_note(visibility: str) -> str:
    if visibility == "all":
        return _("Gồm cả kết quả chưa công khai")
    return _("Chỉ kết quả đã công khai hoặc đã khóa")


@bp.context_processor
def _helpers():
    return {"scope_label": scope_label, "visibility_note": visibility_note}


def export_table(table: comparison_export.Table, fmt: str, name: str) -> Response:
    """The table as a download, streamed (``web.download_response``)."""
    return download_response(
        fmt,
        csv_chunks=lambda: comparison_export.iter_csv(table),
        write_xlsx=lambda target: comparison_export.write_xlsx(table, target),
        filename=name,
        cache_control="private, no-store",
    )


def purpose(what: str, scope: str | None) -> str:
    return f"comparison: {what} {scope or '(newest)'}"
