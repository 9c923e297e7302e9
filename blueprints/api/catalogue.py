"""``/api/v1/t/<slug>/catalogue/items``: work items and indicators with their dated versions."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from blueprints.api.paging import like, page, read_access, write_access
from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem, ItemPosition
from tenant_app.schemas.catalogue_items import (
    CatalogueItemCreateSchema,
    CatalogueItemDetailSchema,
    CatalogueItemListArgsSchema,
    CatalogueItemReadArgsSchema,
    CatalogueItemSchema,
    CatalogueItemUpdateSchema,
)
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_catalogue",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>/catalogue/items",
        description="Danh mục KPI: sản phẩm/công việc và chỉ tiêu",
    )
)
SECURITY = [{"bearer": []}]


def _view(item: CatalogueItem, on: date | None = None, *, detail: bool = False):
    item.version = catalogue.version_at(item, on or date.today())
    item.position_ids = catalogue.position_ids(item)
    if detail:
        item.versions = catalogue.versions(item)
    return item


@blp.route("")
class Items(MethodView):
    @read_access
    @blp.doc(security=SECURITY)
    @blp.arguments(CatalogueItemListArgsSchema, location="query")
    @blp.response(200, CatalogueItemSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List items (filters: q, kind, origin, mandatory, active, position_id, org_unit_id)."""
        stmt = sa.select(CatalogueItem).order_by(CatalogueItem.code)
        if args["q"]:
            stmt = stmt.where(
                sa.or_(sa.func.lower(CatalogueItem.name).like(like(args["q"])),
                       sa.func.lower(CatalogueItem.code).like(like(args["q"])))
            )  # fmt: skip
        for name in ("kind", "origin", "org_unit_id"):
            if args[name]:
                stmt = stmt.where(getattr(CatalogueItem, name) == args[name])
        for name in ("mandatory", "active"):
            if args[name] is not None:
                stmt = stmt.where(getattr(CatalogueItem, name).is_(args[name]))
        if args["position_id"]:
            applies = sa.select(ItemPosition.item_id).where(
                ItemPosition.position_id == args["position_id"]
            )
            stmt = stmt.where(CatalogueItem.id.in_(applies))
        return [_view(item) for item in page(stmt, pagination_parameters)]

    @write_access
    @blp.doc(security=SECURITY)
    @blp.arguments(CatalogueItemCreateSchema)
    @blp.response(201, CatalogueItemDetailSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="code already used in this unit")
    def post(self, data):
        """Create a local work item or indicator with its first version."""
        item = catalogue.create_item(data)
        db.session.commit()
        return _view(item, detail=True)


@blp.route("/<uuid:item_id>")
class ItemById(MethodView):
    @read_access
    @blp.doc(security=SECURITY)
    @blp.arguments(CatalogueItemReadArgsSchema, location="query")
    @blp.response(200, CatalogueItemDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args, item_id):
        """Read an item, its values in force today (or on ``at``) and every version."""
        return _view(catalogue.get_item(item_id), args["at"], detail=True)

    @write_access
    @blp.doc(security=SECURITY)
    @blp.arguments(CatalogueItemUpdateSchema)
    @blp.response(200, CatalogueItemDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="template guard-rails")
    def patch(self, data, item_id):
        """Change an item; new coefficient/target/… values become a version from effective_from."""
        item = catalogue.get_item(item_id)
        catalogue.update_item(item, data)
        db.session.commit()
        return _view(item, detail=True)

    @write_access
    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="mandatory template item")
    def delete(self, item_id):
        """Deactivate an item (versions stay); a mandatory template item is refused."""
        catalogue.deactivate_item(catalogue.get_item(item_id))
        db.session.commit()
