"""Catalogue service: versions by date, template guard-rails, per-kind validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import CatalogueVersion
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context


def _template_item(tenant, **extra):
    with tenant_context(tenant):
        item = catalogue.create_item(
            {"kind": "work_item", "code": "HS01", "name": "Hồ sơ TTHC giải quyết",
             "unit_of_measure": "hồ sơ", "coefficient": "1.0", "canonical_code": "TH.HS.01",
             "mandatory": True, "effective_from": date(2026, 1, 1), **extra},
            from_template=True,
        )  # fmt: skip
        db.session.commit()
    return item


def test_catalogue_coefficient_change_creates_a_version(tenant_a, org_a):
    """A new coefficient is a new version; the old date still resolves the old coefficient."""
    with tenant_context(tenant_a):
        item = catalogue.get_item(org_a["item"])
        catalogue.update_item(item, {"coefficient": "2.0", "effective_from": date(2026, 4, 1)})
        db.session.commit()
        march = catalogue.version_at(item, date(2026, 3, 31))
        april = catalogue.version_at(item, date(2026, 4, 1))
        count = db.session.execute(
            sa.select(sa.func.count()).select_from(CatalogueVersion)
        ).scalar_one()
    assert march.coefficient == Decimal("1.5")
    assert april.coefficient == Decimal("2.0")
    assert count == 2


def test_catalogue_version_on_or_before_latest_is_refused(tenant_a, org_a):
    """Old versions are immutable: a change dated on the latest version's date is refused."""
    with tenant_context(tenant_a):
        item = catalogue.get_item(org_a["item"])
        with pytest.raises(ServiceError) as caught:
            catalogue.update_item(item, {"coefficient": "3", "effective_from": date(2026, 1, 1)})
        db.session.rollback()
        version = catalogue.version_at(item, date(2026, 1, 1))
    assert caught.value.field == "effective_from"
    assert version.coefficient == Decimal("1.5")


def test_catalogue_zero_coefficient_is_refused(tenant_a, org_a):
    """The conversion coefficient must be greater than 0."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        catalogue.create_item(
            {"kind": "work_item", "code": "Z", "name": "Z", "unit_of_measure": "cái",
             "coefficient": 0}
        )  # fmt: skip
    assert caught.value.field == "coefficient"
    assert "Hệ số quy đổi phải lớn hơn 0" in caught.value.message


def test_catalogue_duplicate_code_is_refused(tenant_a, org_a):
    """A used item code is a Conflict on ``code`` with a Vietnamese message."""
    with tenant_context(tenant_a), pytest.raises(Conflict) as caught:
        catalogue.create_item(
            {"kind": "work_item", "code": "SP01", "name": "Z", "unit_of_measure": "cái",
             "coefficient": 1}
        )  # fmt: skip
    assert caught.value.field == "code"
    assert caught.value.message == "Mã mục đã được sử dụng trong danh mục của đơn vị."


def test_catalogue_mandatory_item_cannot_be_deactivated(tenant_a):
    """A mandatory template item cannot be deleted (deactivated)."""
    item = _template_item(tenant_a)
    with tenant_context(tenant_a), pytest.raises(Conflict) as caught:
        catalogue.deactivate_item(catalogue.get_item(item.id))
    assert caught.value.field == "active"


def test_catalogue_mandatory_item_coefficient_is_locked_without_range(tenant_a):
    """Without a template range, a mandatory item's coefficient cannot change."""
    item = _template_item(tenant_a)
    with tenant_context(tenant_a):
        with pytest.raises(ServiceError) as caught:
            catalogue.update_item(
                catalogue.get_item(item.id),
                {"coefficient": "0.5", "effective_from": date(2026, 2, 1)},
            )
        db.session.rollback()
    assert caught.value.field == "coefficient"


def test_catalogue_mandatory_item_coefficient_moves_only_inside_range(tenant_a):
    """With a template range 0.8–1.2, 1.1 is accepted and 0.5 is refused."""
    item = _template_item(tenant_a, allowed_min="0.8", allowed_max="1.2")
    with tenant_context(tenant_a):
        row = catalogue.get_item(item.id)
        catalogue.update_item(row, {"coefficient": "1.1", "effective_from": date(2026, 2, 1)})
        db.session.commit()
        with pytest.raises(ServiceError, match="0.8 – 1.2"):
            catalogue.update_item(row, {"coefficient": "0.5", "effective_from": date(2026, 3, 1)})
        db.session.rollback()
        assert catalogue.version_at(row, date(2026, 3, 5)).coefficient == Decimal("1.1")


def test_catalogue_mandatory_item_canonical_code_is_locked(tenant_a):
    """The canonical code of a template item cannot be changed by the unit."""
    item = _template_item(tenant_a)
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        catalogue.update_item(catalogue.get_item(item.id), {"canonical_code": "X"})
    assert caught.value.field == "canonical_code"


def test_catalogue_local_item_cannot_claim_template_fields(tenant_a):
    """A unit's own item cannot be created mandatory."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        catalogue.create_item(
            {"kind": "work_item", "code": "L1", "name": "L", "unit_of_measure": "cái",
             "coefficient": 1, "mandatory": True}
        )  # fmt: skip
    assert caught.value.field == "mandatory"


def test_catalogue_mandatory_indicator_direction_is_locked(tenant_a):
    """A mandatory indicator's direction cannot change."""
    with tenant_context(tenant_a):
        item = catalogue.create_item(
            {"kind": "indicator", "code": "CT1", "name": "Tỷ lệ hồ sơ đúng hạn",
             "unit_of_measure": "%", "direction": "higher", "scoring_method": "ratio_capped",
             "aggregation": "average", "target": 95, "mandatory": True},
            from_template=True,
        )  # fmt: skip
        with pytest.raises(ServiceError) as caught:
            catalogue.update_item(item, {"direction": "lower"})
        db.session.rollback()
    assert caught.value.field == "direction"


def test_catalogue_indicator_needs_target(tenant_a):
    """An indicator 'higher is better' without a target is refused on target."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        catalogue.create_item(
            {"kind": "indicator", "code": "CT2", "name": "X", "unit_of_measure": "%",
             "direction": "higher", "scoring_method": "ratio_capped", "aggregation": "sum"}
        )  # fmt: skip
    assert caught.value.field == "target"


def test_catalogue_weight_above_100_is_refused(tenant_a):
    """An indicator weight over 100 is out of range."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        catalogue.create_item(
            {"kind": "indicator", "code": "CT3", "name": "X", "unit_of_measure": "%",
             "direction": "higher", "scoring_method": "ratio_capped", "aggregation": "sum",
             "target": 90, "weight": 150}
        )  # fmt: skip
    assert caught.value.field == "weight"


def test_catalogue_band_indicator_needs_ordered_bounds(tenant_a):
    """A 'within a band' indicator needs low ≤ high."""
    with tenant_context(tenant_a), pytest.raises(ServiceError) as caught:
        catalogue.create_item(
            {"kind": "indicator", "code": "CT4", "name": "X", "unit_of_measure": "%",
             "direction": "band", "scoring_method": "pass_fail", "aggregation": "last",
             "band_low": 10, "band_high": 5}
        )  # fmt: skip
    assert caught.value.field == "band_low"


def test_catalogue_items_by_position_lists_applicable_items(tenant_a, org_a):
    """The clerk's position has the office's work item; the head's has none."""
    with tenant_context(tenant_a):
        mapping = catalogue.items_by_position([org_a["clerk_pos"], org_a["head_pos"]])
    assert [i.code for i in mapping[org_a["clerk_pos"]]] == ["SP01"]
    assert org_a["head_pos"] not in mapping
