"""`kpi feeds simulate`: the dossier generator (mix, ids, due dates, order of events) and the
command end to end against the app, through the feed API with the source's token."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import Assignment, FeedRecord, Report
from tenant_app.services.feeds import simulator
from tenant_app.services.feeds.sources import LOCAL_ZONE
from tenant_app.tenancy import tenant_context
from tests.feeds.conftest import BASE

NOW = datetime(2026, 11, 12, 9, 30, tzinfo=LOCAL_ZONE)
OFFICERS = ["MC-NS001", "MC-NS002", "MC-NS003"]
CODES = ["1.001234", "1.004567"]


def _stream(seed=1, period_end=date(2026, 11, 30), settle_after=2.0):
    return simulator.DossierStream(
        OFFICERS,
        CODES,
        run_id="SIM-T",
        rng=random.Random(seed),
        period_end=period_end,
        settle_after=settle_after,
    )


def _play(stream, ticks=200, per_tick=25):
    """Every record of a run of ``ticks`` seconds, then the drain at the end."""
    out = []
    for second in range(ticks):
        out += stream.events(per_tick, NOW, float(second))
    return out + stream.drain(NOW)


def test_the_mix_is_mostly_on_time_some_late_a_few_returned():
    stream = _stream(seed=3)
    records = _play(stream)
    share = {fate: n / stream.count for fate, n in stream.fates.items()}
    assert stream.count > 2000
    assert 0.81 <= share["on_time"] <= 0.89
    assert 0.07 <= share["late"] <= 0.13
    assert 0.03 <= share["returned"] <= 0.07
    events = Counter(r["event"] for r in records)
    assert events["received"] == events["settled"] == stream.count
    assert events["returned"] == stream.fates["returned"]


def test_external_ids_are_unique_per_run_and_carry_the_run_id():
    records = _play(_stream(), ticks=50)
    received = [r["external_id"] for r in records if r["event"] == "received"]
    assert len(received) == len(set(received))
    assert all(e.startswith("SIM-T-") for e in received)
    assert len({(r["external_id"], r["event"]) for r in records}) == len(records)
    other = _play(
        simulator.DossierStream(OFFICERS, CODES, run_id="SIM-U", rng=random.Random(1)), ticks=5
    )
    assert not {r["external_id"] for r in other} & set(received)


def test_records_use_the_mappings_and_local_time():
    for r in _play(_stream(), ticks=20):
        assert r["officer"] in OFFICERS and r["item_code"] in CODES
        assert r["occurred_at"] == "2026-11-12T09:30:00+07:00"


def test_due_dates_fall_in_the_open_period_or_yesterday_for_late_ones():
    stream = _stream(seed=5)
    records = _play(stream, ticks=100)
    today = NOW.date()
    due = {r["external_id"]: date.fromisoformat(r["due_on"]) for r in records}
    late = {d for d, on in due.items() if on < today}
    assert len(late) == stream.fates["late"]
    assert all(due[d] == today - timedelta(days=1) for d in late)
    assert all(today + timedelta(days=3) <= on <= date(2026, 11, 30) for on in due.values()
               if on >= today)  # fmt: skip
    # Near the end of a period there is no room: due 3–15 days ahead, in the next period.
    late_month = simulator.due_date(random.Random(1), date(2026, 11, 29), date(2026, 11, 30), "x")
    assert date(2026, 12, 2) <= late_month <= date(2026, 12, 14)
    # Each record of a dossier carries the same due date.
    per_dossier = defaultdict(set)
    for r in records:
        per_dossier[r["external_id"]].add(r["due_on"])
    assert all(len(v) == 1 for v in per_dossier.values())


def test_settled_follows_received_and_returned_comes_between():
    stream = _stream(seed=2, settle_after=3.0)
    order = defaultdict(list)
    first_settled_tick = None
    for second in range(60):
        for r in stream.events(10, NOW, float(second)):
            order[r["external_id"]].append(r["event"])
            if r["event"] == "settled" and first_settled_tick is None:
                first_settled_tick = second
    for r in stream.drain(NOW):
        order[r["external_id"]].append(r["event"])
    assert first_settled_tick == 3  # nothing is settled before settle_after seconds
    assert {tuple(v) for v in order.values()} == {
        ("received", "settled"),
        ("received", "returned", "settled"),
    }


def test_rates_parse():
    assert simulator.parse_rate("20/s") == 20
    assert simulator.parse_rate("600/min") == 10
    assert simulator.parse_rate("5") == 5
    with pytest.raises(ValueError):
        simulator.parse_rate("0/s")


@pytest.fixture()
def through_test_client(client, monkeypatch):
    """The command's HTTP goes through Flask's test client; 'now' is the fixtures' clock."""
    calls = []

    def transport(url, unit, source, token):
        root = f"/api/v1/t/{unit}/feeds/{source}"
        headers = {"Authorization": f"Bearer {token}"}

        def post(records):
            response = client.post(f"{root}/records", json={"records": records}, headers=headers)
            calls.append(response.status_code)
            return response.status_code, response.get_json()

        def get(batch_id):
            response = client.get(f"{root}/batches/{batch_id}", headers=headers)
            return response.status_code, response.get_json()

        return post, get

    monkeypatch.setattr(simulator, "http_transport", transport)
    # 28 Nov 2026 10:00 local = the fixtures' ON_TIME (03:00 UTC), before November closes.
    monkeypatch.setattr(
        simulator, "local_now", lambda: datetime(2026, 11, 28, 10, 0, tzinfo=LOCAL_ZONE)
    )
    return calls


@pytest.mark.parametrize("with_token", [True, False])
def test_the_command_feeds_work_through_the_api(
    app, tenant_a, fed_ward, through_test_client, with_token
):
    args = ["feeds", "simulate", "--unit", "phuong-a", "--source", "mot-cua", "--rate", "20/s",
            "--duration", "1.2", "--batch", "8", "--seed", "4"]  # fmt: skip
    if with_token:
        args += ["--token", fed_ward["token"]]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "done:" in result.output
    assert ("issued a new token" in result.output) is not with_token
    assert through_test_client and set(through_test_client) == {202}
    db.session.expire_all()
    with tenant_context(tenant_a):
        statuses = Counter(db.session.execute(sa.select(FeedRecord.status, FeedRecord.event)).all())
        received = sum(n for (s, e), n in statuses.items() if e == "received")
        settled = sum(n for (s, e), n in statuses.items() if e == "settled")
        # 1.2 s at 20/s is 24 dossiers on a quiet machine; under a loaded CI fewer batches fit in
        # the window, but at least one full batch of 8 always goes.
        assert received >= 8 and settled == received
        assert {s for s, _e in statuses} == {"accepted"}
        fed = db.session.execute(
            sa.select(Assignment.quantity, Report.completed)
            .join(
                Report,
                sa.and_(
                    Report.tenant_id == Assignment.tenant_id, Report.assignment_id == Assignment.id
                ),
            )
            .where(Assignment.feed_source_id == fed_ward["source"])
        ).all()
    assert fed and sum(q for q, _c in fed) == received
    assert sum(c for _q, c in fed) == received  # every dossier settled by the end of the run
    accepted = int(result.output.split("accepted ")[-1].split(",")[0])
    assert accepted == sum(statuses.values())


def test_the_command_stops_when_the_api_refuses(app, tenant_a, fed_ward, through_test_client):
    result = app.test_cli_runner().invoke(
        args=[
            "feeds",
            "simulate",
            "--unit",
            "phuong-a",
            "--source",
            "mot-cua",
            "--duration",
            "1",
            "--token",
            "kpi_f999_wrong",
        ]  # fmt: skip
    )
    assert result.exit_code == 1
    assert "refused: HTTP 401" in result.output
    assert BASE.endswith("phuong-a")
