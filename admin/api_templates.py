"""``/api/v1/province/templates``: configuration templates and their versions (province admins).

A payload that the format refuses answers 422 ``invalid_payload`` with ``fields`` keyed by path
(``items.3.coefficient``); a write to a published version answers 409 ``version_published``.
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.errors import json_error
from tenant_app.extensions import db
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.templates import (
    PayloadDiffQuerySchema,
    PayloadDiffSchema,
    TemplateCreateSchema,
    TemplateSchema,
    TemplateVersionCreateSchema,
    TemplateVersionDetailSchema,
    TemplateVersionSchema,
    TemplateVersionUpdateSchema,
)
from tenant_app.services.province import tenants
from tenant_app.services.rollout import templates
from tenant_app.services.rollout.template_payload import PayloadInvalid
from tenant_app.web import page_list

blp = Blueprint(
    "province_templates_api",
    __name__,
    url_prefix="/api/v1/province",
    description="Mẫu cấu hình và các phiên bản (cấp tỉnh)",
)

_admin = api_token_required("province_admin", province=True)
_SECURITY = [{"bearer": []}]


@blp.errorhandler(PayloadInvalid)
def _invalid_payload(exc: PayloadInvalid):
    db.session.rollback()
    return json_error(422, exc.code, exc.message, exc.errors)


@blp.route("/templates")
class Templates(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(200, TemplateSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List the province's templates with their latest published and draft numbers."""
        rows = [templates.summary(t) for t in templates.list_templates()]
        return page_list(rows, pagination_parameters)

    @blp.doc(security=_SECURITY)
    @blp.arguments(TemplateCreateSchema)
    @blp.response(201, TemplateSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="code already used")
    def post(self, data):
        """Create a template (no versions yet)."""
        template = templates.create_template(data, actor=g.api_user)
        db.session.commit()
        return templates.summary(template)


@blp.route("/templates/<int:template_id>/versions")
class Versions(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(200, TemplateVersionSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.paginate()
    def get(self, pagination_parameters, template_id):
        """List a template's versions, newest first."""
        template = templates.get_template(template_id)
        return page_list(templates.versions(template), pagination_parameters)

    @blp.doc(security=_SECURITY)
    @blp.arguments(TemplateVersionCreateSchema)
    @blp.response(201, TemplateVersionDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown template or unit")
    @blp.alt_response(409, schema=ApiErrorSchema, description="a draft exists")
    @blp.alt_response(422, schema=ApiErrorSchema, description="invalid payload")
    def post(self, data, template_id):
        """Create a draft: from ``payload``, from a unit's configuration (``from_tenant``), or a
        copy of the latest version."""
        template = templates.get_template(template_id)
        if "from_tenant" in data:
            tenant = tenants.get_by_slug(data["from_tenant"])
            version = templates.promote(tenant, template, notes=data.get("notes"), actor=g.api_user)
        else:
            version = templates.create_draft(
                template, data.get("payload"), notes=data.get("notes"), actor=g.api_user
            )
        db.session.commit()
        return version


@blp.route("/templates/<int:template_id>/versions/<int:version_id>")
class VersionById(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(200, TemplateVersionDetailSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, template_id, version_id):
        """Read a version with its payload (docs/templates.md)."""
        return templates.get_version(version_id, templates.get_template(template_id))

    @blp.doc(security=_SECURITY)
    @blp.arguments(TemplateVersionUpdateSchema)
    @blp.response(200, TemplateVersionDetailSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the version is published")
    @blp.alt_response(422, schema=ApiErrorSchema, description="invalid payload")
    def patch(self, data, template_id, version_id):
        """Replace a draft's payload and/or notes; refused for a published version."""
        version = templates.get_version(version_id, templates.get_template(template_id))
        templates.update_draft(
            version, data.get("payload"), notes=data.get("notes"), actor=g.api_user
        )
        db.session.commit()
        return version


@blp.route("/templates/<int:template_id>/versions/<int:version_id>/publish")
class VersionPublish(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(200, TemplateVersionDetailSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="already published")
    def post(self, template_id, version_id):
        """Publish a draft; from then on it is immutable."""
        version = templates.get_version(version_id, templates.get_template(template_id))
        templates.publish(version, actor=g.api_user)
        db.session.commit()
        return version


@blp.route("/templates/<int:template_id>/versions/<int:version_id>/diff")
class VersionDiff(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.arguments(PayloadDiffQuerySchema, location="query")
    @blp.response(200, PayloadDiffSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, query, template_id, version_id):
        """The changes from version ``against`` to this version (added, removed, changed field
        by field; positions by code, items by canonical code)."""
        version = templates.get_version(version_id, templates.get_template(template_id))
        base = templates.get_version(query["against"])
        return {"base": base.id, "target": version.id, "changes": templates.compare(base, version)}
