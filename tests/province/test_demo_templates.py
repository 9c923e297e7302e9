"""The demo's template: v1 published from Hạc Thành, draft v2 with two known changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tenant_app import create_app, demo
from tenant_app.extensions import db
from tenant_app.models import Tenant
from tenant_app.models.rollout import ConfigTemplate, TemplateVersion
from tenant_app.services.province import onboarding
from tenant_app.services.rollout import templates


@pytest.fixture()
def demo_app(tmp_path):
    """An app on an embedded SQLite database of its own (the demo rebuilds it)."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    app = create_app(
        {"TESTING": True, "KPI_INSTANCE_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url,
         "KPI_DATABASE_OWNER_URL": url}
    )  # fmt: skip
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_demo_template_versions_and_onboarding_ward(demo_app):
    """v1 is Hạc Thành's configuration, v2 differs by one coefficient and one new indicator,
    and Nguyệt Viên waits at step 2 of the wizard."""
    demo.build(fresh=True)
    template = db.session.execute(
        sa.select(ConfigTemplate).where(ConfigTemplate.name.like("Bộ chỉ số cấp phường%"))
    ).scalar_one()
    v1, v2 = sorted(
        db.session.execute(
            sa.select(TemplateVersion).where(TemplateVersion.template_id == template.id)
        ).scalars(),
        key=lambda v: v.number,
    )
    assert (v1.status, v2.status) == ("published", "draft")
    wards = {t.slug: t for t in db.session.execute(sa.select(Tenant)).scalars()}
    own = templates.tenant_payload(wards["hac-thanh"])
    assert own["items"] == v1.payload["items"] and len(v1.payload["items"]) == 39
    changes = templates.compare(v1, v2)
    assert [(c["key"], c["change"], c["field"]) for c in changes] == [
        ("TH.CT09", "added", None),
        ("TH.VP.SP02", "changed", "coefficient"),
    ]
    assert onboarding.progress(wards["nguyet-vien"]).next_step == "admin"
