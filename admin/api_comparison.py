"""``/api/v1/province/comparison``: the province comparison for other systems (read-only).

Province tokens only (administrators and auditors); every call reads through the audited door.
Auditors get published or locked results unless granted more, as on the console.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import current_app, g
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.comparison import (
    ComparisonArgsSchema,
    ComparisonSchema,
    ItemArgsSchema,
    ItemComparisonSchema,
)
from tenant_app.services.comparison import comparison, read_cache
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.province import tenants
from tenant_app.tenancy.door import cross_tenant_read

blp = Blueprint(
    "province_comparison_api",
    __name__,
    url_prefix="/api/v1/province/comparison",
    description="So sánh kết quả giữa các đơn vị (quản trị cấp tỉnh và thanh tra, chỉ đọc)",
)

_read = api_token_required("province_admin", "auditor", province=True)


def _tenant_ids(values: list[str]) -> list[int]:
    """Unit ids from ids or slugs; ServiceError (422) naming the first unknown one."""
    units = tenants.list_tenants()
    by_id = {str(t.id): t.id for t in units}
    by_slug = {t.slug: t.id for t in units}
    ids = set()
    for value in values:
        found = by_id.get(value.strip()) or by_slug.get(value.strip().lower())
        if found is None:
            raise ServiceError(
                "unknown_tenant",
                _("Không có đơn vị “%(v)s”.", v=value[:64]),
                field="tenants",
                status=422,
            )
        ids.add(found)
    return sorted(ids)


def _scope(args: dict, visibility: str) -> str:
    if args.get("period"):
        return comparison.parse_scope(args["period"])[0]
    scopes = comparison.available_scopes(visibility)
    for kind in ("month", "quarter", "year"):
        for scope in scopes:
            if comparison.parse_scope(scope)[1] == kind:
                return scope
    raise NotFound("no_figures", _("Chưa có số liệu so sánh nào."))


def _body(scope: str, ids: list[int], visibility: str) -> bytes:
    """The comparison as the response's bytes, exactly as ``blp.response`` would write them."""
    dumped = ComparisonSchema().dump(comparison.compare(scope, ids, visibility))
    return current_app.json.response(dumped).get_data()


@blp.route("")
class Comparison(MethodView):
    decorators = [_read]

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ComparisonArgsSchema, location="query")
    @blp.response(200, ComparisonSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="no figures yet")
    @blp.alt_response(422, schema=ApiErrorSchema, description="bad period or unknown unit")
    def get(self, args):
        """Units side by side for a period: grades, spread, quota use, reports, warning signs.

        ``province`` adds every selected unit up. Warning signs carry the numbers behind them.
        """
        visibility = comparison.visibility_for(g.api_user)
        ids = _tenant_ids(args["tenants"])
        purpose = f"comparison API: units {args.get('period') or '(newest)'}"
        with cross_tenant_read(purpose, actor=g.api_user, tenant_ids=ids or None):
            scope = _scope(args, visibility)
            # The body as sent, cached by what it is built from: serialising 300 units was most
            # of the call's time (read_cache explains why an entry cannot go stale).
            key = ("api", read_cache.revision([scope], visibility, ids), str(get_locale()))
            body = read_cache.cached(key, lambda: _body(scope, ids, visibility))
        return current_app.response_class(body, mimetype=current_app.json.mimetype)


@blp.route("/items")
class Items(MethodView):
    decorators = [_read]

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ItemArgsSchema, location="query")
    @blp.response(200, ItemComparisonSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="no figures yet")
    @blp.alt_response(422, schema=ApiErrorSchema, description="bad period or unknown unit")
    def get(self, args):
        """One shared item across units, ranked (``code``); without it, the shared items."""
        visibility = comparison.visibility_for(g.api_user)
        ids = _tenant_ids(args["tenants"])
        code = args.get("code")
        purpose = f"comparison API: {'item ' + code if code else 'shared items'}"
        with cross_tenant_read(purpose, actor=g.api_user, tenant_ids=ids or None):
            scope = _scope(args, visibility)
            # An object, not a dict: the schema leaves out the list that does not apply.
            if code:
                rows = comparison.item_comparison(scope, code, ids, visibility)
                return SimpleNamespace(period=scope, visibility=visibility, code=code, units=rows)
            items = comparison.shared_items(scope, ids, visibility)
            return SimpleNamespace(period=scope, visibility=visibility, code=None, items=items)
