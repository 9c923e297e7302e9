"""Records from a source become fed work scored like reported work: a/b/c on a hand-computed
case, idempotency, out-of-order arrival, the closing-time rule, rejections and replay, 422s."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import Assignment, FeedRecord, PeriodScore, Report
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import reports
from tenant_app.services.feeds import processing, sources
from tenant_app.tenancy import tenant_context
from tests.feeds.conftest import post, record

# Five dossiers of the clerk due in November (procedure T1, coefficient 1):
# d1 settled on time; d2 settled after its due date; d3 returned for an error, then settled on
# time; d4 received only; d5 returned and never settled.
NOVEMBER = [
    record("d1", "received", at="2026-11-02T08:00:00", due="2026-11-20"),
    record("d1", "settled", at="2026-11-19T15:00:00", due="2026-11-20"),
    record("d2", "received", at="2026-11-03T08:00:00", due="2026-11-25"),
    record("d2", "settled", at="2026-11-27T10:00:00", due="2026-11-25"),
    record("d3", "received", at="2026-11-04T08:00:00", due="2026-11-26"),
    record("d3", "returned", at="2026-11-10T08:00:00", due="2026-11-26"),
    record("d3", "settled", at="2026-11-20T08:00:00", due="2026-11-26"),
    record("d4", "received", at="2026-11-05T08:00:00", due="2026-11-27"),
    record("d5", "received", at="2026-11-06T08:00:00", due="2026-11-27"),
    record("d5", "returned", at="2026-11-07T08:00:00", due="2026-11-27"),
]


def _fed(tenant, ward, period_key="period"):
    """(quantity, completed, delays, major errors, report status) of the clerk's fed T1 work."""
    db.session.expire_all()
    with tenant_context(tenant):
        row = db.session.execute(
            sa.select(Assignment, Report)
            .join(
                Report,
                sa.and_(
                    Report.tenant_id == Assignment.tenant_id, Report.assignment_id == Assignment.id
                ),
            )  # fmt: skip
            .where(
                Assignment.feed_source_id == ward["source"],
                Assignment.period_id == ward[period_key],
                Assignment.staff_id == ward["clerk"],
            )
        ).one_or_none()
        if row is None:
            return None
        a, r = row
        return (a.quantity, r.completed, r.delays, r.major_errors, r.status)


def _score(tenant, ward):
    db.session.expire_all()
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(PeriodScore).where(
                PeriodScore.period_id == ward["period"], PeriodScore.staff_id == ward["clerk"]
            )
        ).scalar_one()


def test_each_event_kind_maps_to_a_b_c_on_a_hand_computed_case(client, tenant_a, fed_ward):
    response = post(client, fed_ward["token"], NOVEMBER)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert (body["status"], body["accepted"], body["rejected"]) == ("processed", 10, 0)
    # Due in the period = 5 assigned; settled = 3 completed; d2 settled late = 1 delay;
    # d3 returned and settled = 1 major error; d5 returned, never settled = not completed.
    assert _fed(tenant_a, fed_ward) == (Decimal(5), Decimal(3), 1, 1, "submitted")
    score = _score(tenant_a, fed_ward)
    # a = 3/5; b = (3 − 0.25 × 1)/5; c = (3 − 0.25 × 1)/5, as for a reported report.
    assert (score.a, score.b, score.c) == (Decimal(60), Decimal(55), Decimal(55))


def test_the_same_records_twice_change_nothing(client, tenant_a, fed_ward):
    post(client, fed_ward["token"], NOVEMBER)
    again = post(client, fed_ward["token"], NOVEMBER).get_json()
    assert (again["accepted"], again["duplicates"]) == (0, 10)
    assert _fed(tenant_a, fed_ward) == (Decimal(5), Decimal(3), 1, 1, "submitted")
    with tenant_context(tenant_a):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedRecord)) == 10


def test_a_record_repeated_inside_one_batch_counts_once(client, tenant_a, fed_ward):
    body = post(client, fed_ward["token"], NOVEMBER[:2] + NOVEMBER[1:2]).get_json()
    assert (body["accepted"], body["duplicates"]) == (2, 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_order_of_arrival_does_not_matter(client, tenant_a, fed_ward, seed):
    shuffled = NOVEMBER[:]
    random.Random(seed).shuffle(shuffled)
    for start in range(0, len(shuffled), 3):
        assert post(client, fed_ward["token"], shuffled[start : start + 3]).status_code == 202
    assert _fed(tenant_a, fed_ward) == (Decimal(5), Decimal(3), 1, 1, "submitted")


def test_after_closing_records_move_to_the_next_period_and_say_so(
    client, tenant_a, fed_ward, clock
):
    post(client, fed_ward["token"], NOVEMBER[:1])  # d1 received on time
    clock.now = datetime(2026, 12, 3, 10, 1)  # 3 Dec 17:01 local: November's data are closed
    body = post(client, fed_ward["token"], [NOVEMBER[1]]).get_json()  # d1 settled, late
    assert body["accepted"] == 1
    assert _fed(tenant_a, fed_ward) == (Decimal(1), Decimal(0), 0, 0, "submitted")
    assert _fed(tenant_a, fed_ward, "december") == (Decimal(1), Decimal(1), 0, 0, "submitted")
    with tenant_context(tenant_a):
        moved = db.session.execute(
            sa.select(FeedRecord).where(FeedRecord.event == "settled")
        ).scalar_one()
        assert moved.reason == "moved_to_next"
        assert (moved.moved_from_period_id, moved.period_id) == (
            fed_ward["period"], fed_ward["december"])  # fmt: skip


def test_just_before_closing_counts_in_its_own_period(client, tenant_a, fed_ward, clock):
    clock.now = datetime(2026, 12, 3, 9, 59)  # 16:59 local
    post(client, fed_ward["token"], NOVEMBER[:2])
    assert _fed(tenant_a, fed_ward) == (Decimal(1), Decimal(1), 0, 0, "submitted")


def test_a_refusing_source_rejects_late_records(client, tenant_a, fed_ward, clock):
    with tenant_context(tenant_a):
        source = sources.get_source(fed_ward["source"])
        sources.update_source(source, {"late_policy": "refuse"})
        db.session.commit()
    clock.now = datetime(2026, 12, 4, 1, 0)
    body = post(client, fed_ward["token"], NOVEMBER[:2]).get_json()
    assert (body["accepted"], body["rejected"]) == (0, 2)
    assert _fed(tenant_a, fed_ward) is None
    with tenant_context(tenant_a):
        reasons = set(db.session.scalars(sa.select(FeedRecord.reason)))
    assert reasons == {"after_closing"}


def test_unknown_codes_are_rejected_then_replayed_after_the_mapping_is_fixed(
    client, tenant_a, fed_ward
):
    records = [record("x1", "received", officer="CB-MOI"), record("x2", "received", code="TT-99")]
    body = post(client, fed_ward["token"], records).get_json()
    assert (body["accepted"], body["rejected"]) == (0, 2)
    with tenant_context(tenant_a):
        reasons = dict(
            db.session.execute(sa.select(FeedRecord.external_id, FeedRecord.reason)).tuples().all()
        )
        assert reasons == {"x1": "unknown_officer", "x2": "unknown_code"}
        source = sources.get_source(fed_ward["source"])
        sources.map_officer(source, "CB-MOI", "NS2")
        sources.map_item(source, "TT-99", "T1")
        outcome = processing.replay(source)
        db.session.commit()
    assert outcome == {"replayed": 2, "accepted": 2, "rejected": 0, "held": 0}
    assert _fed(tenant_a, fed_ward) == (Decimal(2), Decimal(0), 0, 0, "submitted")


def test_a_malformed_batch_answers_422_with_index_and_field_and_stores_nothing(
    client, tenant_a, fed_ward
):
    bad = [record("ok", "received"), {**record("b1", "closed")}, record("b2", "value", due=None)]
    bad.append({"external_id": "", "event": "received"})
    response = post(client, fed_ward["token"], bad)
    assert response.status_code == 422
    by_index = response.get_json()["error"]["fields"]["records"]
    assert set(by_index) == {"1", "2", "3"}  # record 0 is fine
    assert set(by_index["1"]) == {"event"}
    assert set(by_index["2"]) == {"value"}
    assert {"external_id", "officer", "item_code", "occurred_at"} <= set(by_index["3"])
    with tenant_context(tenant_a):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedRecord)) == 0


def test_more_than_5000_records_are_refused(client, fed_ward):
    records = [record(f"d{i}", "received") for i in range(5001)]
    response = post(client, fed_ward["token"], records)
    assert response.status_code == 422
    assert "records" in response.get_json()["error"]["fields"]


def test_fed_work_cannot_be_edited_by_the_person_and_the_review_keeps_the_counts(
    client, tenant_a, fed_ward, monkeypatch
):
    post(client, fed_ward["token"], NOVEMBER)
    with tenant_context(tenant_a):
        assignment = db.session.execute(
            sa.select(Assignment).where(Assignment.feed_source_id == fed_ward["source"])
        ).scalar_one()
        clerk = db.session.get(type(assignment).__mro__[0], (tenant_a.id, assignment.id))
        from tenant_app.models import User

        clerk_user = db.session.get(User, (tenant_a.id, fed_ward["clerk_user"]))
        head_user = db.session.get(User, (tenant_a.id, fed_ward["head_user"]))
        with pytest.raises(ServiceError) as refused:
            reports.save_report(clerk, actor=clerk_user, completed=5)
        assert refused.value.code == "fed_work"
        report = db.session.execute(
            sa.select(Report).where(Report.assignment_id == assignment.id)
        ).scalar_one()
        import io

        from tenant_app.services.evaluation import evidence
        from tests.evaluation.conftest import TODAY
        from tests.security.samples import pdf_bytes

        proof = evidence.add_evidence(
            report, filename="Xác nhận.pdf", stream=io.BytesIO(pdf_bytes()), actor=clerk_user
        )
        reports.review_report(
            report, actor=head_user, accept=True, major_errors=0, delays=0,
            exempt_delays=1, exemption_reason="Mất điện toàn phường ngày 27/11 (Điện lực xác nhận)",
            exemption_evidence_id=proof.id, today=TODAY,
        )  # fmt: skip
        db.session.commit()
        assert (report.major_errors, report.delays, report.exempt_delays) == (1, 1, 1)


def test_held_records_are_decided_again_when_their_period_opens(client, tenant_a, fed_ward):
    from tenant_app.services.evaluation import periods

    body = post(client, fed_ward["token"], [record("j1", "received", due="2027-01-10")]).get_json()
    assert (body["accepted"], body["held"]) == (0, 1)
    with tenant_context(tenant_a):
        periods.open_period(year=2027, number=1, kind="month")
        db.session.commit()  # the replay of held records runs once this commits
        db.session.expire_all()
        held = db.session.execute(sa.select(FeedRecord)).scalar_one()
        assert (held.status, held.reason, held.replays) == ("accepted", None, 1)
