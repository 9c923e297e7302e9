"""Income as the schemes pay it: the month's salary, quarters as three months, concurrent posts,
no salary refused and listed, partial coefficient overrides (issue 17, item 5)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.staff import StaffMember
from tenant_app.models.tenants import Tenant
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import income, periods
from tenant_app.services.workspace import salaries
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import open_month, stored_score


def _person(tenant, staff_id) -> StaffMember:
    return db.session.get(StaffMember, (tenant.id, staff_id))


def _head_user(tenant, ward) -> User:
    return db.session.get(User, (tenant.id, ward["head_user"]))


def _amounts(run) -> dict:
    return {line.staff_id: line.amount for line, _person in income.lines_of(run)}


def _settings(tenant, **values):
    row = db.session.get(Tenant, tenant.id)
    row.settings = {**(row.settings or {}), **values}
    db.session.flush()


def _quarter(number: int = 1):
    return periods.find_period(f"2026-Q{number}") or periods.open_period(
        year=2026, number=number, kind="quarter"
    )


def test_income_month_uses_the_salary_then_in_force(tenant_a, ward_a):
    """The clerk earned 8,000,000 in November and 10,000,000 from 1 December: the November HTT
    run pays 0.3 × 8,000,000 = 2,400,000, not 0.3 × today's 10,000,000."""
    with tenant_context(tenant_a):
        head = _head_user(tenant_a, ward_a)
        clerk = _person(tenant_a, ward_a["clerk"])
        salaries.record_salary_change(
            clerk, {"effective_from": date(2025, 7, 1), "monthly_salary": 8_000_000}, actor=head
        )
        salaries.record_salary_change(
            clerk,
            {"effective_from": date(2026, 12, 1), "monthly_salary": 10_000_000},
            actor=head,
            today=date(2026, 12, 6),
        )
        assert clerk.monthly_salary == 10_000_000  # the record shows today's salary
        period = open_month(11)
        stored_score(period, ward_a["clerk"], "80", "HTT")
        run = income.run_income(period, actor=head)
        assert _amounts(run)[ward_a["clerk"]] == Decimal(2_400_000)


def test_income_first_change_keeps_the_record_salary_for_earlier_months(tenant_a, ward_a):
    """The head (12,000,000 on the record, no history) is raised to 15,000,000 from 1 December:
    November is still paid on 12,000,000 (HTXS 6,000,000), kept as the opening of the history."""
    with tenant_context(tenant_a):
        head_user = _head_user(tenant_a, ward_a)
        head = _person(tenant_a, ward_a["head"])
        salaries.record_salary_change(
            head,
            {"effective_from": date(2026, 12, 1), "monthly_salary": 15_000_000},
            actor=head_user,
        )
        history = [(c.effective_from, c.monthly_salary) for c in salaries.changes_of(head)]
        assert history == [(date(2025, 7, 1), 12_000_000), (date(2026, 12, 1), 15_000_000)]
        period = open_month(11)
        stored_score(period, ward_a["head"], "95", "HTXS")
        assert _amounts(income.run_income(period, actor=head_user)) == {
            ward_a["head"]: Decimal(6_000_000)
        }


def test_income_quarter_period_pays_three_monthly_determinations(tenant_a, ward_a):
    """Quarter 1 graded HTT, salary 10,000,000 then 12,000,000 from 1 March: 3,000,000 +
    3,000,000 + 3,600,000 = 9,600,000 (before: one month on today's salary), each month kept."""
    with tenant_context(tenant_a):
        head = _head_user(tenant_a, ward_a)
        clerk = _person(tenant_a, ward_a["clerk"])
        for day, amount in ((date(2025, 7, 1), 10_000_000), (date(2026, 3, 1), 12_000_000)):
            salaries.record_salary_change(
                clerk, {"effective_from": day, "monthly_salary": amount}, actor=head
            )
        quarter = _quarter(1)
        stored_score(quarter, ward_a["clerk"], "80", "HTT")
        run = income.run_income(quarter, actor=head)
        (line, _person_row) = income.lines_of(run)[0]
        assert line.amount == Decimal(9_600_000)
        assert [(m["month"], Decimal(m["amount"])) for m in line.months] == [
            ("2026-01", 3_000_000),
            ("2026-02", 3_000_000),
            ("2026-03", 3_600_000),
        ]


def test_income_quarterly_payment_of_monthly_periods(tenant_a, ward_a):
    """payment = quarterly: the run of October is refused (pay in December); December's run pays
    October HTXS 5,000,000 + November HTT 3,000,000 + December HTNV 1,000,000 on 10,000,000."""
    with tenant_context(tenant_a):
        _settings(tenant_a, income_settings={"payment": "quarterly"})
        head = _head_user(tenant_a, ward_a)
        _person(tenant_a, ward_a["clerk"]).monthly_salary = 10_000_000
        for number, grade in ((10, "HTXS"), (11, "HTT"), (12, "HTNV")):
            stored_score(open_month(number), ward_a["clerk"], "80", grade)
        with pytest.raises(ServiceError) as error:
            income.run_income(open_month(10), actor=head)
        assert error.value.code == "quarterly_payment" and "12/2026" in error.value.message
        run = income.run_income(open_month(12), actor=head)
        assert _amounts(run) == {ward_a["clerk"]: Decimal(9_000_000)}
        line = income.lines_of(run)[0][0]
        assert [m["grade"] for m in line.months] == ["HTXS", "HTT", "HTNV"]


def test_income_highest_concurrent_post_counts(tenant_a, ward_a):
    """The head (12,000,000) also holds a post paid 15,000,000 in November: HTXS is paid on
    15,000,000 (7,500,000); a post that ended in October does not count."""
    with tenant_context(tenant_a):
        head_user = _head_user(tenant_a, ward_a)
        head = _person(tenant_a, ward_a["head"])
        salaries.add_concurrent_post(
            head,
            {"position_id": ward_a["clerk_pos"], "effective_from": date(2026, 1, 1),
             "effective_to": date(2026, 11, 1), "monthly_salary": 20_000_000},
            actor=head_user,
        )  # fmt: skip
        salaries.add_concurrent_post(
            head,
            {"position_id": ward_a["clerk_pos"], "effective_from": date(2026, 11, 15),
             "monthly_salary": 15_000_000},
            actor=head_user,
        )  # fmt: skip
        period = open_month(11)
        stored_score(period, ward_a["head"], "95", "HTXS")
        assert _amounts(income.run_income(period, actor=head_user)) == {
            ward_a["head"]: Decimal(7_500_000)
        }


def test_income_concurrent_posts_main_only_setting(tenant_a, ward_a):
    """With concurrent_posts = main the 15,000,000 post is ignored: 0.5 × 12,000,000."""
    with tenant_context(tenant_a):
        _settings(tenant_a, income_settings={"concurrent_posts": "main"})
        head_user = _head_user(tenant_a, ward_a)
        salaries.add_concurrent_post(
            _person(tenant_a, ward_a["head"]),
            {"position_id": ward_a["clerk_pos"], "effective_from": date(2026, 1, 1),
             "monthly_salary": 15_000_000},
            actor=head_user,
        )  # fmt: skip
        period = open_month(11)
        stored_score(period, ward_a["head"], "95", "HTXS")
        assert _amounts(income.run_income(period, actor=head_user)) == {
            ward_a["head"]: Decimal(6_000_000)
        }


def test_income_no_salary_is_refused_and_listed_never_the_floor(tenant_a, ward_a):
    """The clerk (HTT) has no salary on record: paid 0, not the 1,500,000 floor; the run lists
    them with the month, and the export's second sheet names them."""
    with tenant_context(tenant_a):
        head = _head_user(tenant_a, ward_a)
        assert [p.id for p in income.people_without_salary()] == [ward_a["clerk"]]
        period = open_month(11)
        stored_score(period, ward_a["clerk"], "80", "HTT")
        stored_score(period, ward_a["head"], "95", "HTXS")
        run = income.run_income(period, actor=head)
        assert _amounts(run)[ward_a["clerk"]] == 0
        assert run.total == Decimal(6_000_000)
        missing = income.missing_salaries(run)
        assert [(p.id, line.missing_salary_months) for line, p in missing] == [
            (ward_a["clerk"], ["2026-11"])
        ]
        book = load_workbook(io.BytesIO(income.export_xlsx(run)))
    sheet = book["Chưa có lương"]
    assert [c.value for c in sheet[2]][2:4] == ["Trần Thị Văn", "2026-11"]


def test_income_partial_coefficient_override_keeps_defaults(tenant_a, ward_a):
    """The unit sets only HTXS 0.6: the clerk's HTT on 10,000,000 is still 0.3 (3,000,000),
    not 0; the head's HTXS is 0.6 × 12,000,000 = 7,200,000."""
    with tenant_context(tenant_a):
        _settings(tenant_a, income_settings={"coefficients": {"HTXS": "0.6"}})
        head = _head_user(tenant_a, ward_a)
        _person(tenant_a, ward_a["clerk"]).monthly_salary = 10_000_000
        period = open_month(11)
        stored_score(period, ward_a["clerk"], "80", "HTT")
        stored_score(period, ward_a["head"], "95", "HTXS")
        assert _amounts(income.run_income(period, actor=head)) == {
            ward_a["clerk"]: Decimal(3_000_000),
            ward_a["head"]: Decimal(7_200_000),
        }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"effective_from": "2026-01-01", "monthly_salary": "-1"}, "monthly_salary"),
        ({"effective_from": "2026-01-01"}, "monthly_salary"),
        ({"effective_from": "2020-01-01", "monthly_salary": "1000"}, "effective_from"),
        ({"effective_from": "2026-01-01", "monthly_salary": "1000.5"}, "monthly_salary"),
    ],
)
def test_salary_change_is_validated(tenant_a, ward_a, data, field):
    """A negative, missing or fractional salary, or a date before the start, names its field."""
    with tenant_context(tenant_a):
        with pytest.raises(ServiceError) as error:
            salaries.record_salary_change(_person(tenant_a, ward_a["clerk"]), data, actor=None)
        assert error.value.field == field


def test_concurrent_post_dates_are_validated(tenant_a, ward_a):
    """A concurrent post ending before it starts is refused on effective_to."""
    with tenant_context(tenant_a):
        with pytest.raises(ServiceError) as error:
            salaries.add_concurrent_post(
                _person(tenant_a, ward_a["clerk"]),
                {"position_id": ward_a["head_pos"], "effective_from": "2026-05-01",
                 "effective_to": "2026-04-01"},
                actor=None,
            )  # fmt: skip
        assert error.value.field == "effective_to"


def test_staff_form_salary_edit_is_a_change_from_today(tenant_a, ward_a):
    """A new salary typed on the head's staff record (12,000,000 → 15,000,000) is recorded as in
    force from today, the old one opening the history, so November is still paid on
    12,000,000 (HTXS 6,000,000), not on the new salary."""
    from tenant_app.services.workspace import staff

    with tenant_context(tenant_a):
        head = _person(tenant_a, ward_a["head"])
        staff.update_staff(head, {"monthly_salary": "15000000"})
        history = [(c.effective_from, c.monthly_salary) for c in salaries.changes_of(head)]
        assert history == [(date(2025, 7, 1), 12_000_000), (date.today(), 15_000_000)]
        period = open_month(11)
        stored_score(period, ward_a["head"], "95", "HTXS")
        run = income.run_income(period, actor=_head_user(tenant_a, ward_a))
        assert _amounts(run) == {ward_a["head"]: Decimal(6_000_000)}


def test_income_pages_list_people_without_salary(client, tenant_a, ward_a):
    """The income page lists the clerk (no salary on record); the run's page lists them as not
    paid for 2026-11 and shows each month's amount of the others."""
    from tests.helpers import csrf_token, login

    with tenant_context(tenant_a):
        period = open_month(11)
        stored_score(period, ward_a["clerk"], "80", "HTT")
        stored_score(period, ward_a["head"], "95", "HTXS")
        db.session.commit()
        period_id = period.id
    login(client, "phuong-a", "truong")
    html = client.get("/t/phuong-a/income").get_data(as_text=True)
    assert 'id="without-salary"' in html and "Trần Thị Văn" in html
    token = csrf_token(client, "/t/phuong-a/income")
    detail = client.post(
        "/t/phuong-a/income", data={"csrf_token": token, "period_id": str(period_id)}
    ).headers["Location"]
    html = client.get(detail).get_data(as_text=True)
    assert 'id="missing-salary"' in html
    assert "2026-11: 6.000.000" in html and "2026-11: chưa có lương" in html
