"""``/api/v1/t/<slug>/imports`` and ``/exports``: spreadsheet imports, templates and exports."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from blueprints.api.uploads import UploadParser
from tenant_app.auth import api_token_required
from tenant_app.extensions import db
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.imports import ImportSchema, ImportUploadSchema
from tenant_app.services.files import import_registry, imports
from tenant_app.services.files.spreadsheets import XLSX_MIMETYPE
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_imports",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>",
        description="Nhập, xuất dữ liệu bằng bảng tính Excel (quản trị đơn vị)",
    )
)


blp.ARGUMENTS_PARSER = UploadParser()
_admin = api_token_required("unit_admin")


def xlsx_response(data: bytes, filename: str):
    import io

    return send_file(
        io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename
    )


@blp.route("/imports")
class Imports(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ImportSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List the unit's imports, newest first (paginated)."""
        stmt = imports.list_imports()
        pagination_parameters.item_count = db.session.execute(
            sa.select(sa.func.count()).select_from(stmt.subquery())
        ).scalar_one()
        rows = db.session.execute(
            stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
        ).scalars()
        return [imports.as_dict(r) for r in rows]

    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ImportUploadSchema, location="files")
    @blp.response(202, ImportSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="not an .xlsx file, or a ZIP bomb")
    @blp.alt_response(413, schema=ApiErrorSchema, description="file too large")
    def post(self, form):
        """Upload a workbook of ``kind``; it is checked row by row in the background."""
        upload = form["file"]
        run = imports.start_import(form["kind"], upload.filename, upload.read(), user=g.api_user)
        return imports.as_dict(run)


@blp.route("/imports/<uuid:import_id>")
class ImportById(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ImportSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, import_id):
        """Status of one import: progress, problems by row and column, preview of first rows."""
        return imports.as_dict(imports.get_import(import_id))


@blp.route("/imports/<uuid:import_id>/commit")
class ImportCommit(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(202, ImportSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="not validated or has problems")
    def post(self, import_id):
        """Write every row of a clean import, all or nothing (in the background)."""
        run = imports.request_commit(imports.get_import(import_id), user=g.api_user)
        return imports.as_dict(run)


@blp.route("/imports/templates/<kind>.xlsx")
class ImportTemplate(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, description="the template workbook (.xlsx)")
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, kind):
        """Template of an import kind: headers, two example rows, a 'Hướng dẫn' sheet."""
        spec = import_registry.get_import_kind(kind)
        return xlsx_response(import_registry.template_file(spec), f"mau-nhap-{spec.name}.xlsx")


@blp.route("/exports/<kind>.xlsx")
class Export(MethodView):
    decorators = [_admin]

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, description="the export workbook (.xlsx)")
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, kind):
        """Every row of an export kind in the unit, as a workbook."""
        spec = import_registry.get_export_kind(kind)
        return xlsx_response(import_registry.export_file(spec), f"{spec.name}.xlsx")
