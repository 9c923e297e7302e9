"""Row makers of the tenant table of configuration rollouts."""

from __future__ import annotations

from datetime import date

from tenant_app.extensions import db
from tenant_app.models.rollout import ConfigTemplate, TemplateVersion, TenantConfig
from tenant_app.tenancy import tenant_context


def _tenant_config(factory, tenant, tag):
    template = ConfigTemplate(code=f"tpl-{tag}-{tenant.id}", name=f"Mẫu {tag}")
    db.session.add(template)
    db.session.flush()
    version = TemplateVersion(template_id=template.id, number=1, status="published", payload={})
    db.session.add(version)
    db.session.commit()
    with tenant_context(tenant):
        row = TenantConfig(
            version_id=version.id,
            base_payload={},
            summary={},
            effective_from=date(2026, 1, 1),
            applied_by=tag,
        )
        db.session.add(row)
        db.session.commit()
    return row


MAKERS = {"tenant_configs": (_tenant_config, "applied_by")}
