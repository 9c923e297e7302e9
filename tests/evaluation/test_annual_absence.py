"""Annual classification with part-period service: leaves and join dates read from the unit."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import sqlalchemy as sa

from scoring import Params
from tenant_app.extensions import db
from tenant_app.models import Absence, StaffMember, User
from tenant_app.services.evaluation import annual
from tenant_app.services.evaluation.scores import _params_key
from tenant_app.services.workspace import absences
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import open_month, stored_score
from tests.helpers import csrf_token, login

# Jan 80, Feb 70, Mar 20 (work assigned before the leave, not done), Jun 60, Jul–Dec 90.
MATERNITY_TOTALS = {1: 80, 2: 70, 3: 20, 6: 60, **{m: 90 for m in range(7, 13)}}


def _head(tenant, ward):
    return db.session.get(User, (tenant.id, ward["head_user"]))


def _scores(staff_id, totals):
    for month, total in totals.items():
        stored_score(open_month(month), staff_id, total, "HTT")


def _maternity(staff_id):
    db.session.add(
        Absence(
            staff_id=staff_id, kind="maternity", starts_on=date(2026, 2, 16),
            ends_on=date(2026, 6, 15), reference="15/QĐ-UBND",
        )
    )  # fmt: skip


def _prorate():
    open_month(12).params = {"absence_policy": "prorate"}


def _row(ward):
    return {r.staff_id: r for r in annual.rows_of(2026)}[ward["clerk"]]


def test_annual_maternity_four_months_leaves_the_absent_month_out(tenant_a, ward_a):
    """Maternity leave 16/02–15/06 recorded: March (no day worked, scored 20) leaves the
    average: (80 + 70 + 60 + 6 × 90) / 9 = 250/3 ≈ 83.33 → HTT; the old code counted March
    (770/10 = 77)."""
    with tenant_context(tenant_a):
        _scores(ward_a["clerk"], MATERNITY_TOTALS)
        _maternity(ward_a["clerk"])
        annual.compute_year(2026, actor=_head(tenant_a, ward_a))
        row = _row(ward_a)
        assert (row.average_exact, row.periods_counted) == ("250/3", 9)
        assert row.proposed_grade == "HTT"


def test_annual_maternity_prorated_when_the_rule_set_says(tenant_a, ward_a):
    """With ``absence_policy: prorate`` in the year's period: February 15/28, June 1/2,
    the others whole: 770/9 ≈ 85.56 → HTT."""
    with tenant_context(tenant_a):
        _scores(ward_a["clerk"], MATERNITY_TOTALS)
        _maternity(ward_a["clerk"])
        _prorate()
        annual.compute_year(2026, actor=_head(tenant_a, ward_a))
        row = _row(ward_a)
        assert Fraction(row.average_exact) == Fraction(770, 9)
        assert str(row.average) == "85.555555"


def test_annual_explanation_names_counted_and_excluded_periods(tenant_a, ward_a):
    """The stored explanation says March was not counted, why (maternity, dates, document),
    and February's days worked."""
    with tenant_context(tenant_a):
        _scores(ward_a["clerk"], MATERNITY_TOTALS)
        _maternity(ward_a["clerk"])
        annual.compute_year(2026, actor=_head(tenant_a, ward_a))
        steps = {s["code"]: s for s in _row(ward_a).explanation}
        march = steps["period:2026-03"]
        assert march["inputs"]["counted"] is False
        assert (
            "không tính vào bình quân: vắng mặt cả kỳ: nghỉ thai sản từ 16/02/2026 đến "
            "15/06/2026 (văn bản số 15/QĐ-UBND)"
        ) in march["formula"]
        assert "công tác 15/28 ngày" in steps["period:2026-02"]["formula"]
        assert steps["period:2026-07"]["inputs"]["counted"] is True


def test_annual_joined_in_october(tenant_a, ward_a):
    """The clerk joined on 15/10: a September score (before joining) leaves the average;
    exclude gives (60 + 90 + 90) / 3 = 80 (old code: 340/4 = 85); prorate gives
    (17/31 × 60 + 180) / (17/31 + 2) = 6600/79 ≈ 83.54."""
    with tenant_context(tenant_a):
        db.session.execute(
            sa.update(StaffMember)
            .where(StaffMember.id == ward_a["clerk"])
            .values(start_date=date(2026, 10, 15))
        )
        _scores(ward_a["clerk"], {9: 100, 10: 60, 11: 90, 12: 90})
        head = _head(tenant_a, ward_a)
        annual.compute_year(2026, actor=head)
        assert (_row(ward_a).average_exact, _row(ward_a).periods_counted) == ("80", 3)
        _prorate()
        annual.compute_year(2026, actor=head)
        assert _row(ward_a).average_exact == "6600/79"


def test_year_figures_for_the_old_regime(tenant_a, ward_a):
    """The Decree 90/2020 figures of the clerk on four months of maternity leave: absent
    111/28 months, all maternity; worked 225/28 months."""
    with tenant_context(tenant_a):
        _maternity(ward_a["clerk"])
        person = db.session.get(StaffMember, (tenant_a.id, ward_a["clerk"]))
        figures = absences.year_figures(person, 2026)
        assert figures.months_absent == Fraction(111, 28) and figures.maternity
        assert figures.months_worked == Fraction(225, 28)


def test_annual_page_shows_which_periods_counted(client, tenant_a, ward_a):
    """The head's annual page shows the clerk's explanation: March left out for maternity
    leave under decision 15/QĐ-UBND, and the average of nine months."""
    with tenant_context(tenant_a):
        _scores(ward_a["clerk"], MATERNITY_TOTALS)
        _maternity(ward_a["clerk"])
        db.session.commit()
    login(client, "phuong-a", "truong")
    page = "/t/phuong-a/annual?year=2026"
    token = csrf_token(client, page)
    client.post("/t/phuong-a/annual/compute?year=2026", data={"csrf_token": token})
    html = client.get(page).get_data(as_text=True)
    assert "không tính vào bình quân: vắng mặt cả kỳ: nghỉ thai sản" in html
    assert "văn bản số 15/QĐ-UBND" in html
    assert ") / 9 ≈ 83,33" in html


def test_annual_no_period_worked_drops_an_earlier_proposal(tenant_a, ward_a):
    """The clerk's only score is March's; once the maternity leave covering March is recorded,
    recomputing leaves the clerk out of the year (no period worked) instead of keeping the
    earlier proposal."""
    with tenant_context(tenant_a):
        _scores(ward_a["clerk"], {3: 20})
        stored_score(open_month(3), ward_a["head"], 80, "HTT")
        head = _head(tenant_a, ward_a)
        annual.compute_year(2026, actor=head)
        assert ward_a["clerk"] in {r.staff_id for r in annual.rows_of(2026)}
        _maternity(ward_a["clerk"])
        annual.compute_year(2026, actor=head)
        assert {r.staff_id for r in annual.rows_of(2026)} == {ward_a["head"]}


def test_absence_policy_leaves_period_digests_alone(tenant_a, ward_a):
    """``absence_policy`` is read by the annual classification only: the period scores' digest
    is the same under either value, so the new parameter re-scores nobody."""
    with tenant_context(tenant_a):
        period = open_month(11)
        assert _params_key(period, Params()) == _params_key(
            period, Params(absence_policy="prorate")
        )
