"""``/api/v1/t/<slug>/staff``: people of the unit; managers read only their own units' people."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from blueprints.api.paging import is_admin, like, page, read_access, write_access
from tenant_app.extensions import db
from tenant_app.models.staff import StaffAssignment, StaffMember
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.staff import (
    ConcurrentPostCreateSchema,
    ConcurrentPostSchema,
    SalaryChangeCreateSchema,
    SalaryChangeSchema,
    StaffCreateSchema,
    StaffDetailSchema,
    StaffListArgsSchema,
    StaffSchema,
    StaffUpdateSchema,
)
from tenant_app.services.errors import NotFound
from tenant_app.services.workspace import org, salaries, staff
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_staff",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>/staff",
        description="Nhân sự của đơn vị (cán bộ, công chức, viên chức, hợp đồng)",
    )
)
SECURITY = [{"bearer": []}]


def _visible(person: StaffMember) -> StaffMember:
    """404 for a manager asking about someone outside their units (as for another tenant)."""
    if not is_admin():
        post = staff.current_assignment(person.id)
        if post is None or post.org_unit_id not in staff.managed_unit_ids(g.api_user):
            raise NotFound("not_found", _("Không tìm thấy nhân sự."))
    return person


def _detail(person: StaffMember) -> StaffMember:
    person.history = (
        db.session.execute(
            sa.select(StaffAssignment)
            .where(StaffAssignment.staff_id == person.id)
            .order_by(StaffAssignment.effective_from)
        )
        .scalars()
        .all()
    )
    person.post = staff.current_assignment(person.id)
    return person


def _in_units(stmt, unit_ids):
    current = sa.select(StaffAssignment.staff_id).where(
        StaffAssignment.effective_to.is_(None), StaffAssignment.org_unit_id.in_(list(unit_ids))
    )
    return stmt.where(StaffMember.id.in_(current))


@blp.route("")
class Staff(MethodView):
    @read_access
    @blp.doc(security=SECURITY)
    @blp.arguments(StaffListArgsSchema, location="query")
    @blp.response(200, StaffSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """List people (filters: q, org_unit_id with sub-units, position_id, staff_type,
        quota_group, active; paginated). Managers see their own units only."""
        stmt = sa.select(StaffMember).order_by(StaffMember.full_name, StaffMember.code)
        if not is_admin():
            stmt = _in_units(stmt, staff.managed_unit_ids(g.api_user))
        if args["q"]:
            stmt = stmt.where(
                sa.or_(sa.func.lower(StaffMember.full_name).like(like(args["q"])),
                       sa.func.lower(StaffMember.code).like(like(args["q"])))
            )  # fmt: skip
        if args["org_unit_id"]:
            stmt = _in_units(stmt, org.subtree_ids([args["org_unit_id"]]))
        if args["position_id"]:
            holders = sa.select(StaffAssignment.staff_id).where(
                StaffAssignment.effective_to.is_(None),
                StaffAssignment.position_id == args["position_id"],
            )
            stmt = stmt.where(StaffMember.id.in_(holders))
        if args["staff_type"]:
            stmt = stmt.where(StaffMember.staff_type == args["staff_type"])
        if args["quota_group"]:
            stmt = stmt.where(StaffMember.quota_group == args["quota_group"])
        if args["active"] is not None:
            stmt = stmt.where(
                StaffMember.end_date.is_(None)
                if args["active"]
                else StaffMember.end_date.isnot(None)
            )
        rows = page(stmt, pagination_parameters)
        posts = staff.current_assignments([p.id for p in rows])
        for person in rows:
            person.post = posts.get(person.id)
        return rows

    @write_access
    @blp.doc(security=SECURITY)
    @blp.arguments(StaffCreateSchema)
    @blp.response(201, StaffDetailSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="code or account already used")
    def post(self, data):
        """Create a person posted to a unit and position from start_date."""
        person = staff.create_staff(data)
        db.session.commit()
        return _detail(person)


@blp.route("/<uuid:staff_id>")
class StaffById(MethodView):
    @read_access
    @blp.doc(security=SECURITY)
    @blp.response(200, StaffDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, staff_id):
        """Read a person with the history of their units and positions."""
        return _detail(_visible(staff.get_staff(staff_id)))

    @write_access
    @blp.doc(security=SECURITY)
    @blp.arguments(StaffUpdateSchema)
    @blp.response(200, StaffDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def patch(self, data, staff_id):
        """Change a person; a new unit or position starts at effective_from (history kept)."""
        person = staff.get_staff(staff_id)
        staff.update_staff(person, data)
        db.session.commit()
        return _detail(person)

    @write_access
    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def delete(self, staff_id):
        """Record that the person left today (the record and its history stay)."""
        person = staff.get_staff(staff_id)
        if person.end_date is None:
            staff.end_staff(person)
            db.session.commit()


def _lists(schema):
    """The decorators of a GET of one person's rows (unit administrators only)."""
    return _stacked(
        write_access,
        blp.doc(security=SECURITY),
        blp.response(200, schema(many=True)),
        blp.alt_response(404, schema=ApiErrorSchema),
    )


def _adds(create_schema, schema):
    """The decorators of a POST adding one row to a person's (unit administrators only)."""
    return _stacked(
        write_access,
        blp.doc(security=SECURITY),
        blp.arguments(create_schema),
        blp.response(201, schema),
        blp.alt_response(404, schema=ApiErrorSchema),
    )


def _stacked(*decorators):
    def apply(view):
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return apply


def _added(add, staff_id, data):
    """``add`` (a service taking the person, the loaded data and the actor), committed."""
    row = add(staff.get_staff(staff_id), data, actor=g.api_user)
    db.session.commit()
    return row


@blp.route("/<uuid:staff_id>/salary-changes")
class SalaryChanges(MethodView):
    @_lists(SalaryChangeSchema)
    def get(self, staff_id):
        """The person's salary history, oldest first (unit administrators only)."""
        return salaries.changes_of(staff.get_staff(staff_id))

    @_adds(SalaryChangeCreateSchema, SalaryChangeSchema)
    def post(self, data, staff_id):
        """Record the salary in force from effective_from (the same day replaces it)."""
        return _added(salaries.record_salary_change, staff_id, data)


@blp.route("/<uuid:staff_id>/concurrent-posts")
class ConcurrentPosts(MethodView):
    @_lists(ConcurrentPostSchema)
    def get(self, staff_id):
        """The posts the person holds or held concurrently (kiêm nhiệm), oldest first."""
        return salaries.posts_of(staff.get_staff(staff_id))

    @_adds(ConcurrentPostCreateSchema, ConcurrentPostSchema)
    def post(self, data, staff_id):
        """Record a concurrent post with its salary (counted when the scheme takes the
        highest post)."""
        return _added(salaries.add_concurrent_post, staff_id, data)
