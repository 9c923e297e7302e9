"""``/api/v1/t/<slug>/positions``: job positions (vị trí việc làm) and the items of each."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from blueprints.api.paging import like, page, read_access, write_access
from tenant_app.extensions import db
from tenant_app.models.org import JobPosition
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.positions import (
    PositionCreateSchema,
    PositionDetailSchema,
    PositionListArgsSchema,
    PositionSchema,
    PositionUpdateSchema,
)
from tenant_app.services.workspace import catalogue, positions
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_positions",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>/positions",
        description="Vị trí việc làm của đơn vị",
    )
)
SECURITY = [{"bearer": []}]


def _detail(position: JobPosition) -> JobPosition:
    position.items = catalogue.items_by_position([position.id]).get(position.id, [])
    return position


@blp.route("")
class Positions(MethodView):
    @read_access
    @blp.doc(security=SECURITY)
    @blp.arguments(PositionListArgsSchema, location="query")
    @blp.response(200, PositionSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List positions (filters: q on code or name, position_group, active; paginated)."""
        stmt = sa.select(JobPosition).order_by(JobPosition.code)
        if args["q"]:
            stmt = stmt.where(
                sa.or_(sa.func.lower(JobPosition.name).like(like(args["q"])),
                       sa.func.lower(JobPosition.code).like(like(args["q"])))
            )  # fmt: skip
        if args["position_group"]:
            stmt = stmt.where(JobPosition.position_group == args["position_group"])
        if args["active"] is not None:
            stmt = stmt.where(JobPosition.active.is_(args["active"]))
        return page(stmt, pagination_parameters)

    @write_access
    @blp.doc(security=SECURITY)
    @blp.arguments(PositionCreateSchema)
    @blp.response(201, PositionDetailSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="code already used in this unit")
    def post(self, data):
        """Create a job position."""
        position = positions.create_position(data)
        db.session.commit()
        return _detail(position)


@blp.route("/<uuid:position_id>")
class PositionById(MethodView):
    @read_access
    @blp.doc(security=SECURITY)
    @blp.response(200, PositionDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, position_id):
        """Read a position with the work items and indicators that apply to it."""
        return _detail(positions.get_position(position_id))

    @write_access
    @blp.doc(security=SECURITY)
    @blp.arguments(PositionUpdateSchema)
    @blp.response(200, PositionDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def patch(self, data, position_id):
        """Change a position's code, name, group or description."""
        position = positions.get_position(position_id)
        positions.update_position(position, data)
        db.session.commit()
        return _detail(position)

    @write_access
    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="someone holds the position")
    def delete(self, position_id):
        """Retire a position (kept for history); refused while someone holds it."""
        positions.deactivate_position(positions.get_position(position_id))
        db.session.commit()
