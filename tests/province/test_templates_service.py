"""Templates and versions: drafts, immutability once published, promote, first application."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.org import JobPosition
from tenant_app.models.rollout import TenantConfig
from tenant_app.services.errors import Conflict
from tenant_app.services.rollout import templates
from tenant_app.services.rollout.templates import VersionPublished
from tenant_app.services.workspace import catalogue, positions
from tenant_app.tenancy import tenant_context


def _actions():
    return list(
        db.session.execute(sa.select(ProvinceAuditEvent.action).order_by(ProvinceAuditEvent.seq))
        .scalars()
        .all()
    )


def test_published_version_refuses_update_by_service(published, payload):
    """update_draft on a published version raises and the payload stays as published."""
    before = published.payload
    payload["items"][0]["coefficient"] = "0.6"
    with pytest.raises(VersionPublished):
        templates.update_draft(published, payload)
    db.session.rollback()
    assert db.session.get(type(published), published.id).payload == before


def test_published_version_refuses_direct_write_at_flush(published):
    """Even a direct assignment to a published row is refused when flushed."""
    published.notes = "sửa lén"
    with pytest.raises(VersionPublished):
        db.session.flush()
    db.session.rollback()


def test_published_version_cannot_be_published_or_deleted_again(published):
    """Publishing twice and deleting a published version are both refused."""
    with pytest.raises(VersionPublished):
        templates.publish(published)
    with pytest.raises(VersionPublished):
        templates.delete_draft(published)


def test_second_draft_of_a_template_is_refused(template, payload):
    """A template has at most one draft at a time."""
    templates.create_draft(template, payload)
    with pytest.raises(Conflict):
        templates.create_draft(template, payload)


def test_new_draft_copies_latest_version(published):
    """A draft made without a payload starts from the latest version, numbered next."""
    template = templates.get_template(published.template_id)
    draft = templates.create_draft(template)
    assert (draft.number, draft.status, draft.payload) == (2, "draft", published.payload)


def test_publish_records_who_and_audits(template, payload, province_admin):
    """Publishing stamps the publisher and writes template.version_published (province chain)."""
    draft = templates.create_draft(template, payload, actor=province_admin)
    templates.publish(draft, actor=province_admin)
    db.session.commit()
    assert (draft.status, draft.published_by) == ("published", "tinh.admin")
    assert draft.published_at is not None
    assert "template.version_published" in _actions()


def _configure_ward(tenant):
    with tenant_context(tenant):
        position = positions.create_position(
            {"code": "CM01", "name": "Công chức văn thư", "position_group": "professional_common"}
        )
        item = catalogue.create_item(
            {"kind": "work_item", "code": "SP01", "name": "Vào sổ văn bản đến",
             "unit_of_measure": "văn bản", "coefficient": "0.1", "canonical_code": "TH.SP01",
             "mandatory": True, "allowed_min": "0.1", "allowed_max": "0.2",
             "position_ids": [position.id], "effective_from": date(2026, 1, 1)},
            from_template=True,
        )  # fmt: skip
        catalogue.update_item(item, {"coefficient": "0.15", "effective_from": date(2026, 4, 1)})
        catalogue.create_item(
            {"kind": "work_item", "code": "L01", "name": "Cập nhật cổng thông tin",
             "unit_of_measure": "tin", "coefficient": "0.3", "effective_from": date(2026, 1, 1)}
        )  # fmt: skip
    tenant.settings = {"period_kind": "quarter", "rule_set": "nd335_2025"}
    db.session.commit()


def test_promote_builds_draft_from_the_units_configuration(template, tenant_a, province_admin):
    """Positions, items with their latest values and settings of the unit become the draft."""
    _configure_ward(tenant_a)
    draft = templates.promote(tenant_a, template, actor=province_admin)
    db.session.commit()
    payload = draft.payload
    assert [p["code"] for p in payload["positions"]] == ["CM01"]
    by_code = {i["canonical_code"]: i for i in payload["items"]}
    assert set(by_code) == {"TH.SP01", "L01"}
    assert by_code["TH.SP01"]["coefficient"] == "0.15"
    assert by_code["TH.SP01"]["positions"] == ["CM01"]
    assert (by_code["TH.SP01"]["allowed_min"], by_code["TH.SP01"]["mandatory"]) == ("0.1", True)
    assert by_code["L01"]["mandatory"] is False
    assert payload["schedule"]["period_kind"] == "quarter"
    event = db.session.execute(
        sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "template.promoted")
    ).scalar_one()
    assert (event.subject_tenant_id, event.after["items"]) == (tenant_a.id, 2)


def test_apply_initial_creates_the_units_configuration(published, factory, province_admin):
    """A new unit gets the positions, mandatory items with ranges, settings and a TenantConfig."""
    tenant = factory.tenant("moi", status="onboarding")
    templates.apply_initial(tenant, published, actor=province_admin, on=date(2026, 7, 1))
    db.session.commit()
    with tenant_context(tenant):
        codes = set(db.session.execute(sa.select(JobPosition.code)).scalars())
        item = db.session.execute(
            sa.select(CatalogueItem).where(CatalogueItem.canonical_code == "TH.SP01")
        ).scalar_one()
        config = db.session.execute(sa.select(TenantConfig)).scalar_one()
        assert catalogue.latest_version(item).effective_from == date(2026, 7, 1)
        assert (item.origin, item.mandatory, str(item.allowed_max)) == ("template", True, "0.6000")
        assert (config.version_id, config.base_payload) == (published.id, published.payload)
    assert codes == {"LD01", "CM01"}
    assert tenant.settings["scoring_params"] == {"threshold_htxs": "90"}
    assert templates.tenant_payload(tenant)["items"] == published.payload["items"]


def test_apply_initial_refuses_a_unit_with_local_state(published, tenant_a):
    """A unit that already has positions is a rollout's job, not a first application."""
    with tenant_context(tenant_a):
        positions.create_position(
            {"code": "X1", "name": "Vị trí riêng", "position_group": "support"}
        )
    db.session.commit()
    with pytest.raises(Conflict):
        templates.apply_initial(tenant_a, published)
