"""A use case owns its side effects: a change re-scores the person once committed, whoever asks.

The HTML form and the API call the same use case (``reports.report_result``); the service marks
the score stale (``scores.mark_stale``) and the one after-commit hook enqueues the re-score, which
runs in-process here (no Redis). A rollback enqueues nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app import background
from tenant_app.background import runner
from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.evaluation import Assignment, Period, PeriodScore
from tenant_app.services.evaluation import reports, scores
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import assign, get, ward_today
from tests.helpers import bearer, login, post_form, token_for


@pytest.fixture()
def calls(monkeypatch):
    """Records each ``mark_stale`` and each job enqueued, and lets both run as usual."""
    seen = {"stale": [], "enqueued": []}
    mark_stale, enqueue = scores.mark_stale, runner.enqueue

    def spy_stale(period, staff_id, reason=None):
        seen["stale"].append((period.id, staff_id, reason))
        return mark_stale(period, staff_id, reason)

    def spy_enqueue(queue, func, tenant_id, *args, **kwargs):
        seen["enqueued"].append((queue, func, tenant_id, args, kwargs.get("commit", True)))
        return enqueue(queue, func, tenant_id, *args, **kwargs)

    monkeypatch.setattr(scores, "mark_stale", spy_stale)
    monkeypatch.setattr(runner, "enqueue", spy_enqueue)
    return seen


def _unscored(tenant, ward) -> None:
    """Forget the scores the assignment itself caused, so a new row shows a new re-score."""
    with tenant_context(tenant):
        db.session.execute(sa.delete(PeriodScore))
        db.session.commit()


def _score_of(tenant, ward):
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(PeriodScore).where(
                PeriodScore.period_id == ward["period"], PeriodScore.staff_id == ward["clerk"]
            )
        ).scalar_one_or_none()


def _report_by_form(client, ward, aid):
    login(client, "phuong-a", "vanthu")
    page = "/t/phuong-a/my/work"
    data = {"completed": "3", "completed_on": date.today().isoformat(), "send": "1"}
    response = post_form(client, f"{page}/{aid}", data, page=page)
    assert response.status_code == 302


def _report_by_api(client, ward, aid):
    headers = bearer(token_for(client, "phuong-a", "vanthu"))
    body = {
        "assignment_id": str(aid),
        "completed": "3",
        "completed_on": date.today().isoformat(),
        "submit": True,
    }
    response = client.post("/api/v1/t/phuong-a/reports", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("channel", [_report_by_form, _report_by_api], ids=["html", "api"])
def test_report_rescores_the_person_through_the_after_commit_hook(
    client, factory, tenant_a, calls, channel
):
    """Saving a report through the form or the API marks the clerk's score stale once, and the
    after-commit hook (``commit=False``) enqueues one re-score of the clerk that writes a score."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    _unscored(tenant_a, ward)
    calls["stale"].clear()
    calls["enqueued"].clear()
    channel(client, ward, aid)
    assert calls["stale"] == [(ward["period"], ward["clerk"], None)]
    rescores = [c for c in calls["enqueued"] if c[1] == background.paths.RESCORE_PERSON]
    assert rescores == [
        (
            background.SCORING,
            background.paths.RESCORE_PERSON,
            tenant_a.id,
            (str(ward["period"]), str(ward["clerk"]), None),
            False,
        )
    ]
    assert _score_of(tenant_a, ward) is not None


def test_report_rolled_back_enqueues_nothing(client, factory, tenant_a, calls):
    """A saved report waits in the session as a pending re-score; a rollback forgets it, and
    the next commit enqueues nothing."""
    ward = ward_today(factory, tenant_a)
    aid = assign(tenant_a, ward)
    _unscored(tenant_a, ward)
    calls["enqueued"].clear()
    with tenant_context(tenant_a):
        reports.save_report(
            get(Assignment, tenant_a, aid),
            actor=get(User, tenant_a, ward["clerk_user"]),
            completed=3,
            completed_on=date.today(),
        )
        assert [e.path for e in background.pending(db.session())] == [
            background.paths.RESCORE_PERSON
        ]
        db.session.rollback()
        assert background.pending(db.session()) == []
        db.session.commit()
    assert calls["enqueued"] == []
    assert _score_of(tenant_a, ward) is None


def test_mark_stale_asks_once_per_person_keeping_the_first_reason(factory, tenant_a):
    """Three marks of one person in one transaction make one re-score; its reason is the first
    one given (a mark without a reason does not hide a later one with a reason)."""
    ward = ward_today(factory, tenant_a)
    with tenant_context(tenant_a):
        period = get(Period, tenant_a, ward["period"])
        for reason in (None, "Quyết định số 1", "Quyết định số 2", None):
            scores.mark_stale(period, ward["clerk"], reason)
        pending = background.pending(db.session())
        db.session.rollback()
    assert [e.args for e in pending] == [
        (str(ward["period"]), str(ward["clerk"]), "Quyết định số 1")
    ]
