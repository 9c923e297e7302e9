"""``/api/v1/t/<slug>/org-units``: the organisation chart (admins write, managers read)."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from blueprints.api.paging import like, page, read_access, write_access
from tenant_app.extensions import db
from tenant_app.models.org import OrgUnit, OrgUnitRevision
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.org_units import (
    OrgUnitCreateSchema,
    OrgUnitDetailSchema,
    OrgUnitListArgsSchema,
    OrgUnitSchema,
    OrgUnitUpdateSchema,
)
from tenant_app.services.workspace import org
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_org_units",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>/org-units",
        description="Sơ đồ tổ chức của đơn vị",
    )
)
SECURITY = [{"bearer": []}]


def _detail(unit: OrgUnit) -> OrgUnit:
    unit.history = (
        db.session.execute(
            sa.select(OrgUnitRevision)
            .where(OrgUnitRevision.org_unit_id == unit.id)
            .order_by(OrgUnitRevision.effective_from)
        )
        .scalars()
        .all()
    )
    return unit


@blp.route("")
class OrgUnits(MethodView):
    @read_access
    @blp.doc(security=SECURITY)
    @blp.arguments(OrgUnitListArgsSchema, location="query")
    @blp.response(200, OrgUnitSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List units (filters: q on code or name, kind, parent_id, active; paginated)."""
        stmt = sa.select(OrgUnit).order_by(OrgUnit.code)
        if args["q"]:
            stmt = stmt.where(
                sa.or_(sa.func.lower(OrgUnit.name).like(like(args["q"])),
                       sa.func.lower(OrgUnit.code).like(like(args["q"])))
            )  # fmt: skip
        if args["kind"]:
            stmt = stmt.where(OrgUnit.kind == args["kind"])
        if args["parent_id"]:
            stmt = stmt.where(OrgUnit.parent_id == args["parent_id"])
        if args["active"] is not None:
            stmt = stmt.where(OrgUnit.active.is_(args["active"]))
        return page(stmt, pagination_parameters)

    @write_access
    @blp.doc(security=SECURITY)
    @blp.arguments(OrgUnitCreateSchema)
    @blp.response(201, OrgUnitDetailSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="code already used in this unit")
    def post(self, data):
        """Create a unit (its first history entry starts at effective_from, default today)."""
        unit = org.create_org_unit(data)
        db.session.commit()
        return _detail(unit)


@blp.route("/<uuid:unit_id>")
class OrgUnitById(MethodView):
    @read_access
    @blp.doc(security=SECURITY)
    @blp.response(200, OrgUnitDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, unit_id):
        """Read a unit with its history of names and parents."""
        return _detail(org.get_org_unit(unit_id))

    @write_access
    @blp.doc(security=SECURITY)
    @blp.arguments(OrgUnitUpdateSchema)
    @blp.response(200, OrgUnitDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def patch(self, data, unit_id):
        """Rename, move (no cycles), change kind, code or head; history keeps the old state."""
        unit = org.get_org_unit(unit_id)
        org.update_org_unit(unit, data)
        db.session.commit()
        return _detail(unit)

    @write_access
    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="sub-units or people still in it")
    def delete(self, unit_id):
        """Deactivate a unit (kept for history); refused while it has sub-units or people."""
        org.deactivate_org_unit(org.get_org_unit(unit_id))
        db.session.commit()
