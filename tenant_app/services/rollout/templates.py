"""Configuration templates of the province: templates, draft and published versions, promoting
a unit's configuration to a draft, and a brand-new unit's first application (a merge with no base
written by ``rollout_apply``, the same path as a rollout's).

Province administrators only (the views and API check the role); every change is audited on the
province chain. A published version is immutable: ``update_draft`` refuses it, and a flush that
would change a published row raises. The payload format and the pure functions
(``validate_payload``, ``diff_payloads``) live in ``services.rollout.template_payload`` and
are re-exported here. Functions leave the commit to the caller.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion
from tenant_app.models.org import JobPosition
from tenant_app.models.rollout import ConfigTemplate, TemplateVersion, TenantConfig
from tenant_app.models.tenants import Tenant, TenantStatus
from tenant_app.models.vocabulary import TemplateVersionStatus
from tenant_app.services.errors import Conflict, NotFound, ServiceError
from tenant_app.services.rollout import rollout_apply, unit_state
from tenant_app.services.rollout.rollout_merge import plan_merge
from tenant_app.services.rollout.template_payload import (  # noqa: F401  (re-exported for rollouts)
    PayloadInvalid,
    default_payload,
    diff_payloads,
    local_change_count,
    payload_from_rows,
    validate_payload,
)
from tenant_app.services.workspace import fields
from tenant_app.tenancy.context import tenant_context


class VersionPublished(Conflict):
    """A write to a published (immutable) version."""

    def __init__(self):
        super().__init__(
            "version_published",
            _("Phiên bản đã ban hành không thể sửa; hãy tạo phiên bản nháp mới."),
        )


def _refuse_published_writes(session, _context, _instances):
    # The last line of defence behind update_draft: no code path may change a published row.
    for obj in session.dirty:
        if isinstance(obj, TemplateVersion) and session.is_modified(obj):
            state = sa.inspect(obj)
            status = state.attrs.status.history
            was = status.deleted[0] if status.deleted else obj.status
            if was == TemplateVersionStatus.PUBLISHED:
                raise VersionPublished()
    for obj in session.deleted:
        if isinstance(obj, TemplateVersion) and obj.status == TemplateVersionStatus.PUBLISHED:
            raise VersionPublished()


def install_guard() -> None:
    """Register the published-version guard on every session (``services.init_app``)."""
    if not event.contains(Session, "before_flush", _refuse_published_writes):
        event.listen(Session, "before_flush", _refuse_published_writes)


def _actor_name(actor) -> str | None:
    return getattr(actor, "username", None)


# --- templates


def list_templates() -> list[ConfigTemplate]:
    return list(
        db.session.execute(sa.select(ConfigTemplate).order_by(ConfigTemplate.name)).scalars()
    )


def get_template(template_id) -> ConfigTemplate:
    """Return the template, or raise NotFound."""
    try:
        key = int(template_id)
    except (TypeError, ValueError):
        key = None
    template = db.session.get(ConfigTemplate, key) if key is not None else None
    if template is None:
        raise NotFound("not_found", _("Không tìm thấy mẫu cấu hình."))
    return template


def create_template(data: dict, *, actor=None) -> ConfigTemplate:
    """Create a template (code, name, description?). Raises Conflict for a code in use."""
    fields.unknown_keys(data, ("code", "name", "description"))
    code = fields.code(data, "code", _("Mã mẫu"))
    name = fields.text(data, "name", _("Tên mẫu"), max_len=200, required=True)
    description = fields.text(data, "description", _("Mô tả"), max_len=5000)
    exists = db.session.execute(
        sa.select(ConfigTemplate.id).where(ConfigTemplate.code == code)
    ).first()
    if exists:
        raise Conflict("duplicate_code", _("Mã mẫu đã được sử dụng."), "code")
    template = ConfigTemplate(code=code, name=name, description=description)
    db.session.add(template)
    db.session.flush()
    audit.record(
        "template.created",
        object_type="config_template",
        object_id=template.id,
        after={"code": code, "name": name},
        actor=actor,
        province=True,
    )
    return template


def summary(template: ConfigTemplate) -> dict:
    """The template with the numbers of its latest published version and of its draft."""
    rows = versions(template)
    published = [v.number for v in rows if v.status == TemplateVersionStatus.PUBLISHED]
    drafts = [v.number for v in rows if v.status == TemplateVersionStatus.DRAFT]
    return {
        "id": template.id,
        "code": template.code,
        "name": template.name,
        "description": template.description,
        "created_at": template.created_at,
        "latest_published": max(published) if published else None,
        "draft": max(drafts) if drafts else None,
    }


# --- versions


def versions(template: ConfigTemplate) -> list[TemplateVersion]:
    """The template's versions, newest first."""
    return list(
        db.session.execute(
            sa.select(TemplateVersion)
            .where(TemplateVersion.template_id == template.id)
            .order_by(TemplateVersion.number.desc())
        ).scalars()
    )


def published_versions() -> list[tuple[ConfigTemplate, TemplateVersion]]:
    """Every published version of every template (template name, then newest first)."""
    return list(
        db.session.execute(
            sa.select(ConfigTemplate, TemplateVersion)
            .join(TemplateVersion, TemplateVersion.template_id == ConfigTemplate.id)
            .where(TemplateVersion.status == TemplateVersionStatus.PUBLISHED)
            .order_by(ConfigTemplate.name, TemplateVersion.number.desc())
        ).all()
    )


def get_version(version_id, template: ConfigTemplate | None = None) -> TemplateVersion:
    """Return the version (of ``template`` if given), or raise NotFound."""
    try:
        key = int(version_id)
    except (TypeError, ValueError):
        key = None
    version = db.session.get(TemplateVersion, key) if key is not None else None
    if version is None or (template is not None and version.template_id != template.id):
        raise NotFound("not_found", _("Không tìm thấy phiên bản mẫu."))
    return version


def _version_audit(action: str, version: TemplateVersion, actor, **extra) -> None:
    audit.record(
        action,
        object_type="template_version",
        object_id=version.id,
        after={"template_id": version.template_id, "number": version.number, **extra},
        actor=actor,
        province=True,
    )


def create_draft(
    template: ConfigTemplate, payload: dict | None = None, *, notes=None, actor=None
) -> TemplateVersion:
    """Add a draft version (next number) with ``payload`` validated, or a copy of the latest
    version's payload (the defaults for a first version). One draft at a time per template.

    Raises Conflict when a draft exists, PayloadInvalid for a bad payload.
    """
    rows = versions(template)
    if any(v.status == TemplateVersionStatus.DRAFT for v in rows):
        raise Conflict(
            "draft_exists",
            _("Mẫu đang có một phiên bản nháp; hãy sửa hoặc ban hành bản nháp đó."),
        )
    if payload is None:
        payload = rows[0].payload if rows else default_payload()
    version = TemplateVersion(
        template_id=template.id,
        number=(rows[0].number + 1) if rows else 1,
        status=TemplateVersionStatus.DRAFT,
        payload=validate_payload(payload),
        notes=fields.text({"notes": notes}, "notes", _("Ghi chú"), max_len=5000),
        created_by=_actor_name(actor),
    )
    db.session.add(version)
    db.session.flush()
    _version_audit("template.version_created", version, actor)
    return version


def current_draft(template: ConfigTemplate) -> TemplateVersion | None:
    return next((v for v in versions(template) if v.status == TemplateVersionStatus.DRAFT), None)


def save_draft(template: ConfigTemplate, payload: dict, *, notes=None, actor=None):
    """Put ``payload`` into the template's draft: the existing one, else a new one."""
    draft = current_draft(template)
    if draft is None:
        return create_draft(template, payload, notes=notes, actor=actor)
    return update_draft(draft, payload, notes=notes, actor=actor)


def update_draft(version: TemplateVersion, payload=None, *, notes=None, actor=None):
    """Replace a draft's payload and/or notes. Raises VersionPublished for a published version,
    PayloadInvalid for a bad payload (nothing changes then)."""
    if version.status != TemplateVersionStatus.DRAFT:
        raise VersionPublished()
    changes = []
    if payload is not None:
        canonical = validate_payload(payload)
        changes = diff_payloads(version.payload, canonical)
        version.payload = canonical
    if notes is not None:
        version.notes = fields.text({"notes": notes}, "notes", _("Ghi chú"), max_len=5000)
    db.session.flush()
    _version_audit("template.version_updated", version, actor, changes=len(changes))
    return version


def publish(version: TemplateVersion, *, actor=None) -> TemplateVersion:
    """Publish a draft: from now on it is immutable and may be applied to units."""
    if version.status != TemplateVersionStatus.DRAFT:
        raise VersionPublished()
    version.payload = validate_payload(version.payload)
    version.status = TemplateVersionStatus.PUBLISHED
    version.published_by = _actor_name(actor)
    version.published_at = utcnow()
    db.session.flush()
    _version_audit("template.version_published", version, actor)
    return version


def delete_draft(version: TemplateVersion, *, actor=None) -> None:
    """Discard a draft. Raises VersionPublished for a published version."""
    if version.status != TemplateVersionStatus.DRAFT:
        raise VersionPublished()
    _version_audit("template.version_deleted", version, actor)
    db.session.delete(version)
    db.session.flush()


def compare(base: TemplateVersion, target: TemplateVersion) -> list[dict]:
    """The changes from version ``base`` to version ``target`` (``diff_payloads``)."""
    return diff_payloads(base.payload, target.payload)


# --- a unit's configuration as a payload


def tenant_payload(tenant: Tenant) -> dict:
    """The unit's current configuration as a canonical payload (positions, active items with
    their latest values, active data sources with their item mappings, settings). Reads that
    one unit inside its tenant context."""
    with tenant_context(tenant):
        state = unit_state.read_unit(tenant).state
    return payload_from_rows(
        state.settings,
        list(state.positions.values()),
        list(state.items.values()),
        list(state.sources.values()),
    )


def item_row(item: CatalogueItem, version: CatalogueVersion | None, position_codes) -> dict:
    """The payload fields of a catalogue item with its latest version (for payload_from_rows)."""
    row = {
        name: getattr(item, name)
        for name in (
            "canonical_code", "kind", "code", "name", "unit_of_measure", "description",
            "evidence_requirement", "direction", "scoring_method", "aggregation", "mandatory",
            "allowed_min", "allowed_max",
        )
    }  # fmt: skip
    for name in ("coefficient", "target", "band_low", "band_high", "cap_percent", "weight"):
        row[name] = getattr(version, name) if version is not None else None
    row["bands"] = version.bands if version is not None else None
    row["positions"] = sorted(position_codes)
    return row


def promote(tenant: Tenant, template: ConfigTemplate, *, notes=None, actor=None):
    """Make the unit's configuration the template's draft (the pilot ward → a template); an
    existing draft is replaced.

    Audited on the province chain (``template.promoted``, naming the unit). Raises
    PayloadInvalid if the unit's data does not make a valid payload.
    """
    payload = tenant_payload(tenant)
    version = save_draft(
        template,
        payload,
        notes=notes or _("Lấy từ cấu hình của %(name)s.", name=tenant.name),
        actor=actor,
    )
    audit.record(
        "template.promoted",
        object_type="template_version",
        object_id=version.id,
        after={
            "tenant": tenant.slug,
            "positions": len(payload["positions"]),
            "items": len(payload["items"]),
        },
        actor=actor,
        province=True,
        subject_tenant_id=tenant.id,
    )
    return version


# --- applying a version to a brand-new unit


def latest_config(tenant: Tenant) -> TenantConfig | None:
    """The configuration the unit runs now (latest applied, not rolled back), or None."""
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(TenantConfig)
            .where(TenantConfig.rolled_back.is_(False))
            .order_by(TenantConfig.applied_at.desc())
            .limit(1)
        ).scalar_one_or_none()


def _has_local_state() -> bool:
    for model in (JobPosition, CatalogueItem, TenantConfig):
        if db.session.execute(sa.select(model.id).limit(1)).first():
            return True
    return False


def apply_initial(tenant: Tenant, version: TemplateVersion, *, actor=None, on=None):
    """Apply published ``version`` to a unit that has no configuration yet: the merge with no
    base (``plan_merge(None, payload, state)``: every position, item and setting of the version
    is created) written by ``rollout_apply.apply_plan``, the one write path of configuration,
    and a TenantConfig whose base payload is the version's. Returns the TenantConfig.

    ``on`` (default: the first day of the current month) is when values take effect. All in the
    caller's transaction. Raises ServiceError if the version is a draft or the unit already has
    positions, items or an applied configuration (that is a rollout's job: three-way merge).
    """
    _check_first_application(tenant, version)
    on = on or date.today().replace(day=1)
    with tenant_context(tenant):
        if _has_local_state():
            raise Conflict(
                "tenant_not_empty",
                _(
                    "Đơn vị đã có vị trí, danh mục hoặc cấu hình: hãy dùng đợt triển khai "
                    "(rollout) để cập nhật."
                ),
                "version_id",
            )
        unit = unit_state.read_unit(tenant)
        plan = plan_merge(None, version.payload, unit.state)
        # "next_period": open periods, if any, keep the rules they were opened with.
        data = rollout_apply.apply_plan(
            tenant, plan, unit, on, "next_period", origin={"version": version.id}
        )
        config = rollout_apply.record_config(
            version_id=version.id,
            payload=version.payload,
            on=on,
            previous_id=None,
            summary_data={**data, **_counts(version.payload)},
            applied_by=_actor_name(actor),
        )
    audit.record(
        "template.applied",
        object_type="tenant",
        object_id=tenant.id,
        after={"version_id": version.id, "number": version.number, "effective_from": on},
        actor=actor,
        province=True,
        subject_tenant_id=tenant.id,
    )
    return config


def _check_first_application(tenant: Tenant, version: TemplateVersion) -> None:
    if version.status != TemplateVersionStatus.PUBLISHED:
        raise ServiceError(
            "version_not_published", _("Chỉ áp dụng được phiên bản đã ban hành."), "version_id"
        )
    if tenant.status == TenantStatus.ARCHIVED:
        raise ServiceError("archived", _("Đơn vị đã lưu trữ."))


def _counts(payload: dict) -> dict:
    return {
        "positions": len(payload["positions"]),
        "items": len(payload["items"]),
        "sources": len(payload.get("sources") or []),
    }
