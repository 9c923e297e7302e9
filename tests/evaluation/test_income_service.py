"""Income runs: Đà Nẵng coefficients and floors, Hà Nội fund split, cap, drafts, .xlsx export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.evaluation import IncomeLine
from tenant_app.models.staff import StaffMember
from tenant_app.models.tenants import Tenant
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import income
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import open_month, stored_score


def _setup(tenant, ward, *, clerk_grade="HTT", clerk_salary=4_000_000, head_grade="HTXS"):
    """Period 2026-11 with approved grades; the head earns 12,000,000 (make_structure)."""
    period = open_month(11)
    stored_score(period, ward["clerk"], "80", clerk_grade)
    stored_score(period, ward["head"], "95", head_grade)
    clerk = db.session.get(StaffMember, (tenant.id, ward["clerk"]))
    clerk.monthly_salary = clerk_salary
    db.session.flush()
    return period, db.session.get(User, (tenant.id, ward["head_user"]))


def _amounts(run) -> dict:
    return {line.staff_id: line.amount for line, _person in income.lines_of(run)}


def _settings(tenant, **values):
    row = db.session.get(Tenant, tenant.id)
    row.settings = {**(row.settings or {}), **values}
    db.session.flush()


def test_income_da_nang_coefficients_and_good_floor(tenant_a, ward_a):
    """HTXS 0.5 × 12,000,000 = 6,000,000; HTT 0.3 × 4,000,000 = 1,200,000 raised to the
    1,500,000 floor; each line explains its computation."""
    with tenant_context(tenant_a):
        period, head = _setup(tenant_a, ward_a)
        run = income.run_income(period, actor=head)
        assert run.scheme == "coefficient_salary" and run.total == Decimal(7_500_000)
        amounts = _amounts(run)
        assert amounts[ward_a["head"]] == Decimal(6_000_000)
        assert amounts[ward_a["clerk"]] == Decimal(1_500_000)
        line = db.session.execute(
            sa.select(IncomeLine).where(IncomeLine.staff_id == ward_a["clerk"])
        ).scalar_one()
        assert "mức sàn 1500000" in line.explanation[0]["formula"]


def test_income_da_nang_completed_floor_and_fail_gets_nothing(tenant_a, ward_a):
    """HTNV on 3,000,000 gets the 500,000 floor; KHTNV gets nothing."""
    with tenant_context(tenant_a):
        period, head = _setup(
            tenant_a, ward_a, clerk_grade="HTNV", clerk_salary=3_000_000, head_grade="KHTNV"
        )
        amounts = _amounts(income.run_income(period, actor=head))
        assert amounts == {ward_a["clerk"]: Decimal(500_000), ward_a["head"]: Decimal(0)}


def test_income_fund_split_from_tenant_settings(tenant_a, ward_a):
    """Hà Nội style: half of 12,000,000 shared by both passing people, the other half by the
    one rated HTT or better."""
    with tenant_context(tenant_a):
        _settings(tenant_a, income_scheme="fund_split", income_settings={"fund": 12_000_000})
        period, head = _setup(tenant_a, ward_a, clerk_grade="HTNV")
        run = income.run_income(period, actor=head)
        assert run.scheme == "fund_split"
        assert _amounts(run) == {
            ward_a["head"]: Decimal(9_000_000),
            ward_a["clerk"]: Decimal(3_000_000),
        }


def test_income_cap_scales_every_amount_down(tenant_a, ward_a):
    """With a 5,000,000 cap the 7,500,000 total is scaled by 2/3, rounded down per person."""
    with tenant_context(tenant_a):
        period, head = _setup(tenant_a, ward_a)
        run = income.run_income(period, actor=head, settings={"cap": 5_000_000})
        assert run.total <= Decimal(5_000_000)
        assert _amounts(run) == {
            ward_a["head"]: Decimal(4_000_000),
            ward_a["clerk"]: Decimal(1_000_000),
        }


def test_income_counts_only_approved_scores(tenant_a, ward_a):
    """A score not yet approved is not paid."""
    with tenant_context(tenant_a):
        period = open_month(11)
        stored_score(period, ward_a["clerk"], "80", "HTT", approved=False)
        stored_score(period, ward_a["head"], "95", "HTXS")
        head = db.session.get(User, (tenant_a.id, ward_a["head_user"]))
        assert set(_amounts(income.run_income(period, actor=head))) == {ward_a["head"]}


def test_income_rerun_replaces_draft_and_approved_run_is_final(tenant_a, ward_a):
    """Re-running a draft replaces its lines (one run per period); once approved, refused."""
    with tenant_context(tenant_a):
        period, head = _setup(tenant_a, ward_a)
        first = income.run_income(period, actor=head)
        second = income.run_income(period, actor=head, settings={"cap": 5_000_000})
        assert first.id == second.id and len(_amounts(second)) == 2
        assert second.total == Decimal(5_000_000)
        income.approve_run(second, actor=head)
        with pytest.raises(ServiceError) as error:
            income.run_income(period, actor=head)
        assert error.value.code == "run_approved"


def test_income_invalid_settings_name_the_field(tenant_a, ward_a):
    """An unknown fund_split setting is refused with the setting as the field; nothing stored."""
    with tenant_context(tenant_a):
        period, head = _setup(tenant_a, ward_a)
        with pytest.raises(ServiceError) as error:
            income.run_income(period, actor=head, scheme="fund_split", settings={"pot": 1})
        assert error.value.field == "income.pot"
        assert income.run_for(period) is None


def test_income_xlsx_has_vietnamese_headers_vnd_numbers_and_safe_text(tenant_a, ward_a):
    """The export reads back: Vietnamese headers, amounts as numbers in a VND format, and a
    name that looks like a formula stays text."""
    with tenant_context(tenant_a):
        period, head = _setup(tenant_a, ward_a)
        clerk = db.session.get(StaffMember, (tenant_a.id, ward_a["clerk"]))
        clerk.full_name = '=HYPERLINK("http://x")'
        run = income.run_income(period, actor=head)
        sheet = load_workbook(io.BytesIO(income.export_xlsx(run))).worksheets[0]
    rows = [[c for c in row] for row in sheet.iter_rows()]
    header_row = next(i for i, row in enumerate(rows) if row[0].value == "STT")
    assert [c.value for c in rows[header_row]] == income.HEADER
    lines = {row[2].value: row for row in rows[header_row + 1 : header_row + 3]}
    clerk_row = lines['=HYPERLINK("http://x")']
    assert clerk_row[2].data_type == "s" and clerk_row[2].quotePrefix
    assert clerk_row[5].value == 1_500_000 and "₫" in clerk_row[5].number_format
    assert rows[-1][5].value == 7_500_000


def test_income_xlsx_names_the_province_authority_above_the_unit(tenant_a, ward_a):
    """With the province's identity set, the title rows start with its authority, then the
    unit's own name; unset, the unit comes first (as before)."""
    from tenant_app.services.province import identity

    with tenant_context(tenant_a):
        period, head = _setup(tenant_a, ward_a)
        run = income.run_income(period, actor=head)
        before = load_workbook(io.BytesIO(income.export_xlsx(run))).worksheets[0]
        identity.seed({"province_name": "Thanh Hóa", "authority_name": "UBND TỈNH THANH HÓA"})
        after = load_workbook(io.BytesIO(income.export_xlsx(run))).worksheets[0]
    assert [before["A1"].value, before["B1"].value] == ["Đơn vị", tenant_a.name]
    assert [after["A1"].value, after["B1"].value] == ["Cơ quan chủ quản", "UBND TỈNH THANH HÓA"]
    assert [after["A2"].value, after["B2"].value] == ["Đơn vị", tenant_a.name]
