"""Row makers of the unit workspace tables: org chart, positions, staff, catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tenant_app.extensions import db
from tenant_app.models import (
    Absence,
    CatalogueItem,
    CatalogueVersion,
    ConcurrentPost,
    DeputyField,
    ItemPosition,
    JobPosition,
    OrgUnit,
    OrgUnitRevision,
    SalaryChange,
    StaffAssignment,
    StaffMember,
)
from tenant_app.tenancy import tenant_context


def _add(tenant, row):
    with tenant_context(tenant):
        db.session.add(row)
        db.session.commit()
    return row


def _unit(factory, tenant, tag):
    return _add(tenant, OrgUnit(code=f"U-{tag}", name=f"Đơn vị {tag}", kind="body"))


def _revision(factory, tenant, tag):
    unit = _unit(factory, tenant, f"r{tag}")
    return _add(
        tenant, OrgUnitRevision(org_unit_id=unit.id, effective_from=date(2026, 1, 1), name=tag)
    )


def _position(factory, tenant, tag):
    return _add(
        tenant, JobPosition(code=f"P-{tag}", name=f"Vị trí {tag}", position_group="support")
    )


def _staff(factory, tenant, tag):
    return _add(
        tenant,
        StaffMember(
            code=f"S-{tag}", full_name=f"Người {tag}", staff_type="cong_chuc",
            start_date=date(2026, 1, 1),
        ),
    )  # fmt: skip


def _assignment(factory, tenant, tag):
    person = _staff(factory, tenant, f"a{tag}")
    unit = _unit(factory, tenant, f"a{tag}")
    position = _position(factory, tenant, f"a{tag}")
    return _add(
        tenant,
        StaffAssignment(
            staff_id=person.id, org_unit_id=unit.id, position_id=position.id,
            effective_from=date(2026, 1, 1),
        ),
    )  # fmt: skip


def _item(factory, tenant, tag):
    return _add(
        tenant,
        CatalogueItem(kind="work_item", code=f"I-{tag}", name=f"Mục {tag}", unit_of_measure="cái"),
    )


def _version(factory, tenant, tag):
    item = _item(factory, tenant, f"v{tag}")
    return _add(
        tenant, CatalogueVersion(item_id=item.id, effective_from=date(2026, 1, 1), coefficient=1)
    )


def _item_position(factory, tenant, tag):
    item = _item(factory, tenant, f"p{tag}")
    position = _position(factory, tenant, f"p{tag}")
    return _add(tenant, ItemPosition(item_id=item.id, position_id=position.id, note=tag))


def _salary_change(factory, tenant, tag):
    person = _staff(factory, tenant, f"sc{tag}")
    return _add(
        tenant,
        SalaryChange(
            staff_id=person.id, effective_from=date(2026, 1, 1),
            monthly_salary=Decimal(8_000_000), decision_ref=f"QĐ {tag}",
        ),
    )  # fmt: skip


def _concurrent_post(factory, tenant, tag):
    person = _staff(factory, tenant, f"cp{tag}")
    position = _position(factory, tenant, f"cp{tag}")
    return _add(
        tenant,
        ConcurrentPost(
            staff_id=person.id, position_id=position.id, effective_from=date(2026, 1, 1),
            monthly_salary=Decimal(9_000_000), decision_ref=f"QĐ {tag}",
        ),
    )  # fmt: skip


def _absence(factory, tenant, tag):
    person = _staff(factory, tenant, f"ab{tag}")
    return _add(
        tenant,
        Absence(
            staff_id=person.id, kind="maternity", starts_on=date(2026, 3, 1),
            ends_on=date(2026, 6, 30), reference=f"QĐ-{tag}",
        ),
    )  # fmt: skip


def _deputy_field(factory, tenant, tag):
    person = _staff(factory, tenant, f"df{tag}")
    unit = _unit(factory, tenant, f"df{tag}")
    return _add(
        tenant,
        DeputyField(
            staff_id=person.id, org_unit_id=unit.id, starts_on=date(2026, 1, 1),
            reference=f"QĐ-PC-{tag}",
        ),
    )  # fmt: skip


MAKERS = {
    "absences": (_absence, "reference"),
    "deputy_fields": (_deputy_field, "reference"),
    "org_units": (_unit, "name"),
    "org_unit_revisions": (_revision, "name"),
    "job_positions": (_position, "name"),
    "staff": (_staff, "full_name"),
    "staff_assignments": (_assignment, "decision_ref"),
    "catalogue_items": (_item, "name"),
    "catalogue_versions": (_version, "bands"),
    "item_positions": (_item_position, "note"),
    "salary_changes": (_salary_change, "decision_ref"),
    "concurrent_posts": (_concurrent_post, "decision_ref"),
}
