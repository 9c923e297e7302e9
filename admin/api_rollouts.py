"""``/api/v1/province/rollouts``: apply template versions to units, follow, resume, roll back.

Province administrators only. Creating a rollout runs its dry run (``dry_run`` true, the default)
or starts applying its first wave; jobs run on the ``rollout`` queue (in-process without Redis).
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from tenant_app.auth import api_token_required
from tenant_app.extensions import db
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.rollouts import (
    ImpactRequestSchema,
    ImpactSchema,
    RollbackResultSchema,
    RollbackSchema,
    RolloutCreateSchema,
    RolloutSchema,
    RolloutSummarySchema,
    RolloutTargetDiffSchema,
    TenantConfigurationSchema,
)
from tenant_app.services.errors import NotFound
from tenant_app.services.province import tenants
from tenant_app.services.rollout import plan_messages, rollout_impact, rollouts
from tenant_app.tenancy.door import cross_tenant_read
from tenant_app.web import page_list

blp = Blueprint(
    "province_rollouts_api",
    __name__,
    url_prefix="/api/v1/province",
    description="Áp dụng mẫu cấu hình cho các đơn vị (cấp tỉnh): chạy thử, áp dụng, quay lại",
)

_admin = api_token_required("province_admin", province=True)
_SECURITY = [{"bearer": []}]


def choose_tenants(data: dict, actor) -> list:
    """The units a create request selects (list, kind, current version); the version selector
    reads every unit's configuration through the audited door."""
    running = None
    if data.get("current_version"):
        with cross_tenant_read("rollout: units running a version", actor=actor):
            running = rollouts.tenants_running([data["current_version"]])
    return rollouts.select_tenants(
        slugs=data.get("tenants"), kind=data.get("kind"), running_ids=running
    )


def selector_of(data: dict) -> dict:
    return {k: data[k] for k in ("tenants", "kind", "current_version") if data.get(k)}


@blp.route("/rollouts")
class Rollouts(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(200, RolloutSummarySchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List rollouts, newest first (paginated), with their counts by status."""
        return [
            rollouts.board(r) for r in page_list(rollouts.list_rollouts(), pagination_parameters)
        ]

    @blp.doc(security=_SECURITY)
    @blp.arguments(RolloutCreateSchema)
    @blp.response(201, RolloutSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown version")
    @blp.alt_response(409, schema=ApiErrorSchema, description="version not published")
    def post(self, data):
        """Create a rollout of a published version: dry run (default) or apply at once."""
        version = rollouts.get_version(data["version"])
        chosen = choose_tenants(data, g.api_user)
        rollout = rollouts.create_rollout(
            version,
            chosen,
            dry_run=data["dry_run"],
            waves=data.get("waves"),
            effective=data["effective"],
            selector=selector_of(data),
            actor=g.api_user,
        )
        return rollouts.board(rollouts.get_rollout(rollout.id))


@blp.route("/rollouts/<int:rollout_id>")
class RolloutById(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(200, RolloutSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, rollout_id):
        """Read a rollout with each unit's status (pending, running, applied, skipped, failed)."""
        return rollouts.board(rollouts.get_rollout(rollout_id))


@blp.route("/rollouts/<int:rollout_id>/apply")
class RolloutApply(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(202, RolloutSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="already started")
    def post(self, rollout_id):
        """Start applying a dry-run rollout (its first wave)."""
        rollout = rollouts.get_rollout(rollout_id)
        rollouts.start_apply(rollout, actor=g.api_user)
        return rollouts.board(rollouts.get_rollout(rollout_id))


@blp.route("/rollouts/<int:rollout_id>/resume")
class RolloutResume(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(202, RolloutSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="not started yet")
    def post(self, rollout_id):
        """Finish the unfinished and failed units of the started waves, or start the next wave."""
        rollout = rollouts.get_rollout(rollout_id)
        rollouts.resume(rollout, actor=g.api_user)
        return rollouts.board(rollouts.get_rollout(rollout_id))


@blp.route("/rollouts/<int:rollout_id>/tenants/<slug>")
class RolloutTargetDiff(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(200, RolloutTargetDiffSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, rollout_id, slug):
        """One unit's diff (changes, local changes kept, overrides) and conflicts; a line with a
        ``code`` has its ``message`` in the request's language, rendered from ``code`` and
        ``params``."""
        target, tenant = rollouts.target_of(rollouts.get_rollout(rollout_id), slug)
        return {
            "tenant": tenant.slug,
            "status": target.status,
            "message": target.message,
            "diff": plan_messages.readable_diff(target.diff),
            "conflicts": plan_messages.readable_lines(target.conflicts),
        }


def tenant_configuration(tenant, actor) -> dict:
    """The unit's current configuration and its history (read through the audited door)."""
    from tenant_app.models.rollout import TenantConfig

    with cross_tenant_read(f"configuration of {tenant.slug}", actor=actor, tenant_ids=[tenant.id]):
        history = list(
            db.session.execute(
                db.select(TenantConfig)
                .where(TenantConfig.tenant_id == tenant.id)
                .order_by(TenantConfig.applied_at.desc(), TenantConfig.id.desc())
            ).scalars()
        )
    current = next((c for c in history if not c.rolled_back), None)
    return {"tenant": tenant.slug, "current": current, "history": history}


@blp.route("/tenants/<slug>/configuration")
class TenantConfiguration(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.response(200, TenantConfigurationSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, slug):
        """The template version a unit runs now and the versions it ran before."""
        return tenant_configuration(tenants.get_by_slug(slug), g.api_user)


@blp.route("/tenants/<slug>/rollback")
class TenantRollback(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.arguments(RollbackSchema)
    @blp.response(202, RollbackResultSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, data, slug):
        """Return a unit to its previous configuration (a job; local changes made since stay)."""
        tenant = tenants.get_by_slug(slug)
        config_id = data.get("config")
        if config_id is None:
            current = tenant_configuration(tenant, g.api_user)["current"]
            if current is None:
                raise NotFound("no_configuration", _("Đơn vị chưa áp dụng mẫu cấu hình nào."))
            config_id = current.id
        run = rollouts.request_rollback(
            tenant, config_id=config_id, effective=data["effective"], actor=g.api_user
        )
        return {
            "tenant": tenant.slug,
            "job": str(run.id),
            "status": run.status,
            "message": run.message,
            "result": run.result,
        }


@blp.route("/impact-previews")
class ImpactPreview(MethodView):
    decorators = [_admin]

    @blp.doc(security=_SECURITY)
    @blp.arguments(ImpactRequestSchema)
    @blp.response(200, ImpactSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, data):
        """Rescore each unit's last closed period under a (draft) version; nothing is saved."""
        version = rollouts.get_version(data["version"])
        chosen = rollouts.select_tenants(slugs=data["tenants"])
        results = rollout_impact.preview(version, chosen, actor=g.api_user)
        return {"version": version.id, "tenants": results}
