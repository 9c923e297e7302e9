"""Indicators get values per period (from a feed or by hand) and scores from the catalogue; the
unit's board shows them; the rule set's parameters decide whether they enter the period score."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import IndicatorValue, PeriodScore, User
from tenant_app.models.evaluation import Period
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import indicator_values, indicators, scores
from tenant_app.services.feeds import sources
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.feeds.conftest import post, record
from tests.helpers import login

ON_TIME = {"kind": "indicator", "code": "CS01", "name": "Tỷ lệ hồ sơ giải quyết đúng hạn",
           "unit_of_measure": "%", "direction": "higher", "scoring_method": "ratio_capped",
           "aggregation": "average", "target": "95", "weight": "2",
           "effective_from": date(2026, 1, 1)}  # fmt: skip
SATISFACTION = {"kind": "indicator", "code": "CS02", "name": "Mức độ hài lòng của người dân",
                "unit_of_measure": "%", "direction": "higher", "scoring_method": "pass_fail",
                "aggregation": "last", "target": "80", "weight": "1",
                "effective_from": date(2026, 1, 1)}  # fmt: skip


@pytest.fixture()
def with_indicators(tenant_a, fed_ward):
    with tenant_context(tenant_a):
        on_time = catalogue.create_item(dict(ON_TIME))
        satisfaction = catalogue.create_item(dict(SATISFACTION))
        source = sources.get_source(fed_ward["source"])
        sources.map_item(source, "KPI-DUNG-HAN", "CS01")
        db.session.commit()
        return {"on_time": on_time.id, "satisfaction": satisfaction.id}


def _period(tenant, ward) -> Period:
    return db.session.get(Period, (tenant.id, ward["period"]))


def test_fed_values_and_entered_values_score_by_the_catalogue(
    client, tenant_a, fed_ward, with_indicators
):
    values = [
        record(f"v{i}", "value", code="KPI-DUNG-HAN", due=None, value=v, at=f"2026-11-1{i}T08:00")
        for i, v in enumerate(("88", "92"))
    ]
    assert post(client, fed_ward["token"], values).get_json()["accepted"] == 2
    with tenant_context(tenant_a):
        period = _period(tenant_a, fed_ward)
        head = db.session.get(User, (tenant_a.id, fed_ward["head_user"]))
        item = catalogue.get_item(with_indicators["satisfaction"])
        indicator_values.enter_value(period, item, "86,5", actor=head, note="Khảo sát tháng 11")
        db.session.commit()
        lines, mean = indicators.unit_board(period)
    by_code = {line.item.code: line for line in lines}
    # CS01: average 90 of target 95 → 100 × 90 / 95 = 1800/19; CS02: last 86.5 ≥ 80 → 100.
    assert by_code["CS01"].value == 90 and by_code["CS01"].score == Fraction(1800, 19)
    assert by_code["CS02"].score == 100 and by_code["CS02"].light == "green"
    assert by_code["CS01"].light == "green"
    # Weighted mean: (2 × 1800/19 + 1 × 100) / 3.
    assert mean.score == (2 * Fraction(1800, 19) + 100) / 3


def test_a_wrong_value_is_refused_and_nothing_is_stored(tenant_a, fed_ward, with_indicators):
    with tenant_context(tenant_a):
        period = _period(tenant_a, fed_ward)
        head = db.session.get(User, (tenant_a.id, fed_ward["head_user"]))
        item = catalogue.get_item(with_indicators["on_time"])
        with pytest.raises(ServiceError) as refused:
            indicator_values.enter_value(period, item, "chín mươi", actor=head)
        db.session.rollback()
        assert refused.value.field == "value"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorValue)) == 0


def test_a_value_event_for_a_work_item_is_rejected(client, tenant_a, fed_ward):
    body = post(client, fed_ward["token"], [record("v1", "value", due=None, value="3")]).get_json()
    assert (body["accepted"], body["rejected"]) == (0, 1)


def test_organising_can_come_from_the_unit_indicators(client, tenant_a, fed_ward, with_indicators):
    """With ``organising_source = unit_indicators`` the head's capacity to organise is the unit's
    indicator score, exactly, and the explanation names each indicator."""
    post(client, fed_ward["token"], [record("h1", "received", officer="CB-CHANH")])  # work
    with tenant_context(tenant_a):
        period = _period(tenant_a, fed_ward)
        period.params = {**(period.params or {}), "organising_source": "unit_indicators"}
        head = db.session.get(User, (tenant_a.id, fed_ward["head_user"]))
        for item_id, value in ((with_indicators["on_time"], "90"),
                               (with_indicators["satisfaction"], "70")):  # fmt: skip
            indicator_values.enter_value(period, catalogue.get_item(item_id), value, actor=head)
        db.session.commit()
        scores.rescore_person(period, fed_ward["head"])
        db.session.commit()
        score = db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.staff_id == fed_ward["head"])
        ).scalar_one()
        # CS01 1800/19 (weight 2), CS02 70 < 80 → 0 (weight 1): (3600/19 + 0) / 3 = 1200/19.
        assert scores.period_input(score.inputs).leader.organising == Fraction(1200, 19)
        steps = scores.explanation_of(score, period)
    named = [s for s in steps if s["code"].startswith("organising_indicators:")]
    assert [s["code"] for s in named] == [
        "organising_indicators:CS01",
        "organising_indicators:CS02",
    ]
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in named[0]["formula"]


def test_the_board_shows_values_scores_and_a_trend(client, tenant_a, fed_ward, with_indicators):
    with tenant_context(tenant_a):
        period = _period(tenant_a, fed_ward)
        head = db.session.get(User, (tenant_a.id, fed_ward["head_user"]))
        indicator_values.enter_value(
            period, catalogue.get_item(with_indicators["on_time"]), "90", actor=head
        )
        db.session.commit()
    login(client, "phuong-a", "truong")
    page = client.get(f"/t/phuong-a/indicators?period={fed_ward['period']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-indicator="CS01"' in text and "94,74" in text and "<svg" in text
    assert "Chưa có số liệu" in text  # CS02 has no value yet


def test_entering_a_value_through_the_board(client, tenant_a, fed_ward, with_indicators):
    from tests.helpers import csrf_token

    login(client, "phuong-a", "truong")
    board = f"/t/phuong-a/indicators?period={fed_ward['period']}"
    token = csrf_token(client, board)
    response = client.post("/t/phuong-a/indicators/values", data={
        "csrf_token": token, "period": str(fed_ward["period"]),
        "item_id": str(with_indicators["satisfaction"]), "staff_id": "", "value": "91",
        "note": "Khảo sát"})  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        assert db.session.scalars(sa.select(IndicatorValue.value)).all() == [Decimal("91")]


def test_staff_cannot_open_the_board_and_another_unit_sees_none_of_it(
    client, factory, tenant_a, tenant_b, fed_ward, with_indicators, admin_b
):
    login(client, "phuong-a", "vanthu")
    assert client.get("/t/phuong-a/indicators").status_code == 403
    client.get("/logout")
    login(client, "phuong-b", admin_b.username)
    page = client.get("/t/phuong-b/indicators")
    assert page.status_code == 200 and "CS01" not in page.get_data(as_text=True)
    with tenant_context(tenant_b):
        assert indicators.indicator_items() == []


def test_entering_a_value_in_a_closed_period_is_refused(tenant_a, fed_ward, with_indicators):
    with tenant_context(tenant_a):
        period = _period(tenant_a, fed_ward)
        period.status = "closed"
        head = db.session.get(User, (tenant_a.id, fed_ward["head_user"]))
        with pytest.raises(ServiceError) as refused:
            indicator_values.enter_value(
                period, catalogue.get_item(with_indicators["on_time"]), "90", actor=head
            )
        assert refused.value.code == "period_closed"
        db.session.rollback()


def test_position_indicators_join_the_task_score_when_the_period_says_so(
    client, tenant_a, fed_ward
):
    with tenant_context(tenant_a):
        catalogue.create_item({**ON_TIME, "code": "CS09", "position_ids": [fed_ward["clerk_pos"]]})
        sources.map_item(sources.get_source(fed_ward["source"]), "KPI-CA-NHAN", "CS09")
        period = _period(tenant_a, fed_ward)
        period.params = {**(period.params or {}), "position_indicators": "in_task"}
        db.session.commit()
    records = [record("d1", "received"), record("d1", "settled", at="2026-11-12T08:00:00"),
               record("p1", "value", code="KPI-CA-NHAN", due=None, value="90")]  # fmt: skip
    assert post(client, fed_ward["token"], records).get_json()["accepted"] == 3
    with tenant_context(tenant_a):
        score = db.session.execute(
            sa.select(PeriodScore).where(PeriodScore.staff_id == fed_ward["clerk"])
        ).scalar_one()
        # a = b = c = 100 (one dossier settled on time); indicator 1800/19.
        assert Fraction(score.inputs["indicators"]) == Fraction(1800, 19)
        expected = (300 + Fraction(1800, 19)) / 4
        assert scores.exact_total(score) == expected * Fraction(7, 10)  # no general points yet
        codes = [s["code"] for s in scores.explanation_of(score, period)]
    assert "indicators" in codes and "position_indicators:CS09" in codes
    login(client, "phuong-a", "vanthu")
    page = client.get(f"/t/phuong-a/my/score?period={fed_ward['period']}").get_data(as_text=True)
    assert "CS09" in page and "Tính vào kết quả nhiệm vụ" in page and "94,74" in page


def test_position_indicators_of_many_people_are_read_at_once_and_the_same(
    client, tenant_a, fed_ward
):
    """A whole-period re-score reads position indicators in a fixed number of queries (not one
    set per person), and finds for each person exactly what the one-person read finds."""
    with tenant_context(tenant_a):
        catalogue.create_item({**ON_TIME, "code": "CS09", "position_ids": [fed_ward["clerk_pos"]]})
        catalogue.create_item(
            {**SATISFACTION, "code": "CS08", "position_ids": [fed_ward["clerk_pos"]]}
        )
        sources.map_item(sources.get_source(fed_ward["source"]), "KPI-CA-NHAN", "CS09")
        db.session.commit()
    records = [record("p1", "value", code="KPI-CA-NHAN", due=None, value="90"),
               record("p2", "value", code="KPI-CA-NHAN", due=None, value="99")]  # fmt: skip
    assert post(client, fed_ward["token"], records).get_json()["accepted"] == 2
    with tenant_context(tenant_a):
        period = _period(tenant_a, fed_ward)
        people = list(db.session.execute(sa.select(PeriodScore.staff_id)).scalars())
        people = list(dict.fromkeys([*people, fed_ward["clerk"], fed_ward["head"]]))
        statements = []

        def count(*_args):
            statements.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            batch = indicators.people_scores(period, people)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert len(statements) <= 5
        for staff_id in people:
            assert batch[staff_id] == indicators.person_score(period, staff_id)
        score, lines = batch[fed_ward["clerk"]]
        # CS09: the average 94.5 of a target 95 (capped ratio); CS08 has no value yet.
        assert score == Fraction(1890, 19) and [line[0] for line in lines] == ["CS08", "CS09"]
