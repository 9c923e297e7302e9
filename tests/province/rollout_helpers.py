"""Builders shared by the rollout tests: canonical template payloads, versions, applied tenants."""

from __future__ import annotations

import copy
from datetime import date

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.rollout import ConfigTemplate, TemplateVersion
from tenant_app.models.tenants import Tenant
from tenant_app.services.rollout import rollouts
from tenant_app.services.rollout.rollout_apply import current_config
from tenant_app.services.rollout.template_payload import validate_payload
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context


def _work(code, name, unit, coefficient, positions, **extra) -> dict:
    return {
        "canonical_code": f"TH.{code}", "kind": "work_item", "code": code, "name": name,
        "unit_of_measure": unit, "coefficient": coefficient, "positions": positions, **extra,
    }  # fmt: skip


def payload_v1() -> dict:
    """Two positions, three work items (one mandatory with a range), one indicator, rules."""
    return validate_payload(
        {
            "positions": [
                {"code": "CM01", "name": "Chuyên viên tổng hợp",
                 "position_group": "professional_common"},
                {"code": "CM02", "name": "Chuyên viên địa chính",
                 "position_group": "professional_sector"},
            ],
            "items": [
                _work("SP01", "Soạn thảo văn bản", "văn bản", "1.0", ["CM01"]),
                _work("SP02", "Thẩm định hồ sơ đất đai", "hồ sơ", "2.0", ["CM02"],
                      mandatory=True, allowed_min="1.6", allowed_max="2.4"),
                _work("SP03", "Báo cáo định kỳ", "báo cáo", "3.0", ["CM01"]),
                {"canonical_code": "TH.CT01", "kind": "indicator", "code": "CT01",
                 "name": "Tỷ lệ hồ sơ đúng hạn", "unit_of_measure": "%", "direction": "higher",
                 "scoring_method": "ratio_capped", "aggregation": "average", "target": "98",
                 "weight": "25", "positions": ["CM02"], "mandatory": True},
            ],
            "scoring": {"rule_set": "nd335_2025", "params": {"threshold_htxs": "90"}},
            "schedule": {"period_kind": "month", "windows": {}},
            "approval": {"chain": ["self", "manager", "leader"]},
            "income": {"scheme": "coefficient_salary", "settings": {}},
        }
    )  # fmt: skip


def changed(payload: dict, **edits) -> dict:
    """A copy of ``payload`` with item fields edited: ``edits={"TH.SP01": {"coefficient": "1.2"}}``
    passed as keyword ``items``; ``params`` replaces scoring params; ``drop`` removes items."""
    data = copy.deepcopy(payload)
    for key, fields in (edits.get("items") or {}).items():
        entry = next(i for i in data["items"] if i["canonical_code"] == key)
        entry.update(fields)
    data["items"] = [i for i in data["items"] if i["canonical_code"] not in edits.get("drop", ())]
    data["items"] += edits.get("add", [])
    if "params" in edits:
        data["scoring"]["params"] = edits["params"]
    return validate_payload(data)


def make_version(payload: dict, number: int = 1, *, status="published", template=None):
    """A template version (a template is made when none is given)."""
    if template is None:
        template = db.session.execute(
            sa.select(ConfigTemplate).where(ConfigTemplate.code == "TH-PHUONG")
        ).scalar_one_or_none() or ConfigTemplate(code="TH-PHUONG", name="Bộ chỉ số cấp phường")
        db.session.add(template)
        db.session.flush()
    version = TemplateVersion(
        template_id=template.id, number=number, status=status, payload=payload
    )
    db.session.add(version)
    db.session.commit()
    return version


def roll(version, tenants, *, actor=None, dry_run=False, **kwargs):
    """Create a rollout of ``version`` to ``tenants`` (applied unless ``dry_run``)."""
    return rollouts.create_rollout(version, list(tenants), dry_run=dry_run, actor=actor, **kwargs)


def fresh(tenant) -> Tenant:
    """The tenant row in the current session (a request ends the test's session)."""
    return db.session.get(Tenant, sa.inspect(tenant).identity[0])


def item(tenant, canonical_code: str) -> CatalogueItem:
    with tenant_context(fresh(tenant)):
        row = db.session.execute(
            sa.select(CatalogueItem).where(CatalogueItem.canonical_code == canonical_code)
        ).scalar_one_or_none()
        db.session.commit()
    return row


def value_of(tenant, canonical_code: str, name="coefficient", on=date.max):
    with tenant_context(fresh(tenant)):
        row = db.session.execute(
            sa.select(CatalogueItem).where(CatalogueItem.canonical_code == canonical_code)
        ).scalar_one()
        version = catalogue.version_at(row, on)
        db.session.commit()
    return None if version is None else getattr(version, name)


def local_edit(tenant, canonical_code: str, data: dict) -> None:
    """A unit's own change to a template item, through the unit's guarded path."""
    with tenant_context(fresh(tenant)):
        row = db.session.execute(
            sa.select(CatalogueItem).where(CatalogueItem.canonical_code == canonical_code)
        ).scalar_one()
        catalogue.update_item(row, data)
        db.session.commit()


def config_of(tenant):
    with tenant_context(fresh(tenant)):
        row = current_config()
        db.session.commit()
    return row
