"""Stored scores are exact: the threshold case, unchanged inputs, unscorable people, dry runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import (
    Assessment,
    Assignment,
    Period,
    PeriodScore,
    Report,
    ScoringProblem,
)
from tenant_app.services.evaluation import scores
from tenant_app.services.workspace import catalogue
from tenant_app.tenancy import tenant_context
from tests.helpers import login


def _work(tenant, ward, *, quantity, completed, errors=0, staff="clerk"):
    """One accepted report of ``completed`` of ``quantity`` and a 10/10/10 manager assessment."""
    period = db.session.get(Period, (tenant.id, ward["period"]))
    item = db.session.get(CatalogueItem, (tenant.id, ward["items"]["T1"]))
    assignment = Assignment(
        period_id=period.id, staff_id=ward[staff], item_id=item.id,
        version_id=catalogue.version_at(item, period.starts_on).id, quantity=quantity,
        coefficient=1, due_on=date(2026, 11, 25),
    )  # fmt: skip
    db.session.add(assignment)
    db.session.flush()
    db.session.add(
        Report(
            assignment_id=assignment.id, completed=completed, status="accepted",
            major_errors=errors,
        )
    )  # fmt: skip
    db.session.add(
        Assessment(period_id=period.id, staff_id=ward[staff], stage="manager", general=[10, 10, 10])
    )
    db.session.commit()
    return period


def _stored(staff_id) -> PeriodScore:
    return db.session.execute(
        sa.select(PeriodScore).where(PeriodScore.staff_id == staff_id)
    ).scalar_one()


def test_scores_exact_four_of_seven_is_stored_as_seventy_htt(tenant_a, ward_a):
    """4 of 7 done + 30 general points is stored as 70.000000 with grade HTT and exact "70"."""
    with tenant_context(tenant_a):
        period = _work(tenant_a, ward_a, quantity=7, completed=4)
        scores.score_people(period)
        db.session.commit()
        row = _stored(ward_a["clerk"])
        assert (row.total, row.grade, row.total_exact) == (Decimal("70"), "HTT", "70")
        assert row.engine_version == "2.0" and row.inputs["items"][0][1:4] == [
            "7.00",
            "1.000",
            "4.00",
        ]


def test_scores_exact_unchanged_inputs_are_not_written_again(tenant_a, ward_a):
    """A second recompute with nothing changed writes nobody; a changed report writes one."""
    with tenant_context(tenant_a):
        period = _work(tenant_a, ward_a, quantity=7, completed=4)
        assert set(scores.score_people(period)) == {ward_a["clerk"]}
        db.session.commit()
        assert scores.score_people(period) == {}
        db.session.execute(sa.update(Report).values(completed=5))
        assert set(scores.score_people(period)) == {ward_a["clerk"]}


def test_scores_exact_unscorable_person_is_recorded_with_the_reason(tenant_a, ward_a):
    """Five errors on one completed product exceed 4 per product: a problem row, no score."""
    with tenant_context(tenant_a):
        period = _work(tenant_a, ward_a, quantity=2, completed=1, errors=5)
        assert scores.score_people(period) == {}
        db.session.commit()
        ((problem, person),) = scores.problems_of(period)
        assert person.id == ward_a["clerk"]
        assert problem.field.endswith(".major_errors") and "vượt quá 4" in problem.message
        db.session.execute(sa.update(Report).values(major_errors=1))
        scores.score_people(period)
        db.session.commit()
        assert scores.problems_of(period) == []


def test_scores_exact_problems_stay_inside_their_unit(tenant_a, tenant_b, ward_a):
    """Another unit sees none of this unit's scoring problems."""
    with tenant_context(tenant_a):
        period = _work(tenant_a, ward_a, quantity=2, completed=1, errors=5)
        scores.score_people(period)
        db.session.commit()
        period_id = period.id
    with tenant_context(tenant_b):
        assert db.session.execute(sa.select(ScoringProblem)).all() == []
        db.session.expunge_all()
        assert db.session.execute(sa.select(Period).where(Period.id == period_id)).all() == []


def test_scores_exact_dry_run_lists_a_score_misgraded_by_the_old_engine(tenant_a, ward_a):
    """A stored 69.999999 HTNV (engine 1) shows up as becoming 70 HTT; nothing is written."""
    with tenant_context(tenant_a):
        period = _work(tenant_a, ward_a, quantity=7, completed=4)
        scores.score_people(period)
        db.session.execute(
            sa.update(PeriodScore).values(
                total=Decimal("69.999999"), grade="HTNV", total_exact=None, engine_version="1"
            )
        )
        db.session.commit()
        (change,) = scores.changes(period)
        assert change["before"] == (Decimal("69.999999"), "HTNV")
        assert change["after"] == (Decimal("70.000000"), "HTT")
        assert change["before_engine"] == "1"
        db.session.rollback()
        assert _stored(ward_a["clerk"]).grade == "HTNV"


def test_scores_exact_approval_page_lists_who_could_not_be_scored(tenant_a, ward_a, client):
    """The head's approval page names the person who could not be scored and why."""
    with tenant_context(tenant_a):
        period = _work(tenant_a, ward_a, quantity=2, completed=1, errors=5)
        scores.score_people(period)
        db.session.commit()
    login(client, tenant_a.slug, "truong")
    html = client.get(f"/t/{tenant_a.slug}/approval?period={period.id}").get_data(as_text=True)
    assert "Chưa chấm được điểm" in html
    assert "Trần Thị Văn" in html and "vượt quá 4" in html


def test_scores_exact_bulk_write_inserts_then_updates(tenant_a, ward_a, monkeypatch):
    """The bulk writer (a unit's recompute) stores the same values as the ORM path, updates in
    place on a change, and what it returns reads back from the database."""
    monkeypatch.setattr(scores, "BULK_AT", 1)
    with tenant_context(tenant_a):
        period = _work(tenant_a, ward_a, quantity=7, completed=4)
        written = scores.score_people(period)
        assert len(written) == 1 and written[ward_a["clerk"]].total_exact == "70"
        db.session.commit()
        first = _stored(ward_a["clerk"])
        assert (first.total, first.grade, first.engine_version) == (Decimal("70"), "HTT", "2.0")
        db.session.execute(sa.update(Report).values(completed=7))
        scores.score_people(period)
        db.session.commit()
        again = _stored(ward_a["clerk"])
        assert (again.id, again.total, again.grade) == (first.id, Decimal("100"), "HTXS")


def _deputy_between(tenant, ward):
    """A deputy under the head, and the clerk moved under the deputy."""
    from tenant_app.models.staff import StaffMember
    from tenant_app.services.workspace import positions, staff

    with tenant_context(tenant):
        post = positions.create_position(
            {"code": "PCVP", "name": "Phó Chánh Văn phòng", "position_group": "leader_deputy"}
        )
        deputy = staff.create_staff(
            {"code": "NS3", "full_name": "Phạm Văn Phó", "staff_type": "cong_chuc",
             "start_date": date(2025, 7, 1), "org_unit_id": ward["body"],
             "position_id": post.id, "manager_id": ward["head"]}
        )  # fmt: skip
        db.session.execute(
            sa.update(StaffMember)
            .where(StaffMember.id == ward["clerk"])
            .values(manager_id=deputy.id)
        )
        db.session.commit()
        ward["deputy"] = deputy.id


def test_scores_exact_head_is_scored_after_the_deputy(tenant_a, ward_a):
    """In one pass the clerk is scored first, then the deputy, then the head: the head reads
    the deputy's fresh grade (nobody pending), the deputy reads the clerk's KHTNV (50%)."""
    _deputy_between(tenant_a, ward_a)
    with tenant_context(tenant_a):
        _work(tenant_a, ward_a, quantity=7, completed=0)  # clerk: 30 points, KHTNV
        _work(tenant_a, ward_a, quantity=1, completed=1, staff="deputy")
        period = _work(tenant_a, ward_a, quantity=1, completed=1, staff="head")
        scores.score_people(period)
        db.session.commit()
        deputy, head = _stored(ward_a["deputy"]), _stored(ward_a["head"])
        assert deputy.inputs["leader"]["unit_results"] == "50"
        assert (deputy.inputs["leader"]["team_size"], deputy.inputs["leader"]["team_passing"]) == (
            1,
            0,
        )
        assert head.inputs["leader"]["team_pending"] == 0
        assert not head.provisional
        step = next(
            s for s in scores.explanation_of(deputy, period) if s["code"] == "leader_criteria"
        )
        assert "0 / 1 cấp dưới đạt HTNV trở lên" in step["formula"]


def test_scores_exact_leader_with_an_unscored_subordinate_is_provisional(tenant_a, ward_a):
    """A subordinate with work but no score (invalid data) is pending: the leader's score is
    provisional and says so; once the subordinate is scored the leader is recomputed."""
    with tenant_context(tenant_a):
        _work(tenant_a, ward_a, quantity=2, completed=1, errors=5)  # clerk: cannot be scored
        period = _work(tenant_a, ward_a, quantity=1, completed=1, staff="head")
        scores.score_people(period)
        db.session.commit()
        head = _stored(ward_a["head"])
        assert head.provisional and head.inputs["leader"]["team_pending"] == 1
        step = next(
            s for s in scores.explanation_of(head, period) if s["code"] == "leader_criteria"
        )
        assert "1 cấp dưới chưa có điểm" in step["formula"]
        clerk_report = (
            sa.select(Report.id)
            .join(
                Assignment,
                sa.and_(
                    Assignment.tenant_id == Report.tenant_id, Assignment.id == Report.assignment_id
                ),
            )
            .where(Assignment.staff_id == ward_a["clerk"])
        )
        db.session.execute(
            sa.update(Report).where(Report.id.in_(clerk_report)).values(major_errors=0)
        )
        scores.rescore_person(period, ward_a["clerk"])
        db.session.commit()
        assert not _stored(ward_a["head"]).provisional
