"""The demo province's configuration template, built from the pilot ward Hạc Thành.

``seed_templates()`` runs at the end of ``tenant_app.demo.build``: template "Bộ chỉ số cấp
phường — thí điểm 2026" with v1 published (Hạc Thành's positions, catalogue and settings) and a
draft v2 (one coefficient changed, one indicator added). The ward still onboarding is left as it
is, ready for the wizard. It goes through the services, so their checks and audit events apply.
"""

from __future__ import annotations

import copy

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.tenants import Tenant
from tenant_app.services.rollout import templates

TEMPLATE_CODE = "PHUONG-2026"
TEMPLATE_NAME = "Bộ chỉ số cấp phường — thí điểm 2026"
SOURCE_WARD = "hac-thanh"
CHANGED_ITEM, CHANGED_COEFFICIENT = "TH.VP.SP02", "3.5"
NEW_INDICATOR = {
    "canonical_code": "TH.CT09",
    "kind": "indicator",
    "code": "CT09",
    "name": "Tỷ lệ văn bản đi được ký số, gửi trên môi trường điện tử",
    "unit_of_measure": "%",
    "direction": "higher",
    "scoring_method": "ratio_capped",
    "aggregation": "average",
    "target": "95",
    "weight": "10",
    "mandatory": False,
}


def seed_templates() -> dict:
    """Create the demo template, v1 published from Hạc Thành and draft v2; commit.

    Returns {"template": ConfigTemplate, "v1": TemplateVersion, "v2": TemplateVersion}.
    """
    ward = db.session.execute(sa.select(Tenant).where(Tenant.slug == SOURCE_WARD)).scalar_one()
    template = templates.create_template(
        {
            "code": TEMPLATE_CODE,
            "name": TEMPLATE_NAME,
            "description": "Vị trí việc làm, danh mục sản phẩm và chỉ tiêu KPI, tham số chấm điểm "
            "theo Nghị định 335/2025/NĐ-CP của hai phường thí điểm, để mở rộng toàn tỉnh.",
        }
    )
    v1 = templates.promote(ward, template, notes="Cấu hình thí điểm của phường Hạc Thành.")
    templates.publish(v1)
    payload = copy.deepcopy(v1.payload)
    for item in payload["items"]:
        if item["canonical_code"] == CHANGED_ITEM:
            item["coefficient"] = CHANGED_COEFFICIENT
    leaders = [p["code"] for p in payload["positions"] if p["code"].startswith("LD")]
    payload["items"].append({**NEW_INDICATOR, "positions": leaders})
    v2 = templates.create_draft(
        template,
        payload,
        notes="Dự thảo: nâng hệ số báo cáo định kỳ, thêm chỉ tiêu ký số văn bản đi.",
    )
    db.session.commit()
    seed_rollouts(v1)
    return {"template": template, "v1": v1, "v2": v2}


# --- rollouts (helper E): v1 recorded as applied to both pilot wards, Đông Sơn's local changes

ROLLOUT_WARDS = ("hac-thanh", "dong-son")
PROVINCE_ADMIN = "admin.thanhhoa"
# Đông Sơn's own changes after v1: a mandatory item inside its allowed range (v2's draft changes
# the same item, so rolling v2 out shows the template overriding it) and an optional item (kept).
DONG_SON_CHANGES = (("TH.VP.SP02", "3.3"), ("TH.VP.SP01", "1.2"))


def seed_rollouts(v1) -> None:
    """Roll v1 out to both pilot wards (in-process jobs: a finished rollout on the board), then
    make Đông Sơn's two local changes through the unit's own, guarded path; commit."""
    from tenant_app.models.catalogue import CatalogueItem
    from tenant_app.models.users import ProvinceUser
    from tenant_app.services.rollout import rollouts
    from tenant_app.services.workspace import catalogue
    from tenant_app.tenancy import tenant_context

    admin = db.session.execute(
        sa.select(ProvinceUser).where(ProvinceUser.username == PROVINCE_ADMIN)
    ).scalar_one_or_none()
    wards = rollouts.select_tenants(slugs=list(ROLLOUT_WARDS))
    rollouts.create_rollout(v1, wards, dry_run=False, selector={"tenants": list(ROLLOUT_WARDS)},
                            actor=admin)  # fmt: skip
    dong_son = next(w for w in wards if w.slug == "dong-son")
    with tenant_context(dong_son):
        for canonical_code, coefficient in DONG_SON_CHANGES:
            item = db.session.execute(
                sa.select(CatalogueItem).where(CatalogueItem.canonical_code == canonical_code)
            ).scalar_one()
            catalogue.update_item(item, {"coefficient": coefficient})
        db.session.commit()
