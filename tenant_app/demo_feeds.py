"""Demo data feed: the ward's one-stop system ("Hệ thống một cửa điện tử") and a month of dossiers.

Called by ``tenant_app.demo`` in each pilot ward's tenant context, after the evaluation data. It
configures the source ``mot-cua`` through the services (mappings: the staff who handle one-stop
procedures as ``MC-<staff code>``, three procedure codes mapped to work items of the demo
catalogue), then feeds about a month of dossiers due in the open period through the intake and
the feed processing, as if the system had been sending them: most settled on time, about 10% late,
about 5% returned for an error and settled afterwards. Deterministic for a seed (apart from the
clock: the dossiers are placed relative to now).
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Period
from tenant_app.models.vocabulary import FeedBatchStatus
from tenant_app.services.feeds import intake, processing, sources
from tenant_app.services.feeds.sources import LOCAL_ZONE

SOURCE = {
    "code": "mot-cua",
    "name": "Hệ thống một cửa điện tử",
    "kind": "one_stop",
    "closing_day": 3,
    "closing_time": "17:00",
    "late_policy": "hold",
    "description": "Hồ sơ thủ tục hành chính tiếp nhận và giải quyết tại Trung tâm Phục vụ "
    "hành chính công phường.",
}
# The one-stop procedure code → the demo catalogue's canonical code of the work item.
PROCEDURES = [
    ("1.001193", "TH.VP.SP05"),  # đăng ký khai sinh → giải quyết hồ sơ đăng ký hộ tịch
    ("2.000908", "TH.TTHCC.SP01"),  # chứng thực bản sao → tiếp nhận, kiểm tra hồ sơ TTHC
    ("1.004227", "TH.TTHCC.SP02"),  # trả kết quả giải quyết TTHC
]
BATCH = 200


def _period_today(today) -> Period | None:
    return (
        db.session.execute(
            sa.select(Period)
            .where(Period.status == "open", Period.starts_on <= today, Period.ends_on >= today)
            .order_by(Period.kind.desc())
        )
        .scalars()
        .first()
    )


def configure() -> tuple[object, dict[str, list[str]]]:
    """Create the source and its mappings; return it and {officer id: its procedure codes}."""
    from tenant_app.demo_evaluation import _people

    source = sources.create_source(SOURCE)
    by_canonical = {canonical: external for external, canonical in PROCEDURES}
    officers: dict[str, list[str]] = {}
    people, _items = _people()
    for person, _user, _group, applicable in people:
        codes = [
            by_canonical[i.canonical_code] for i in applicable if i.canonical_code in by_canonical
        ]
        if codes:
            officers[f"MC-{person.code}"] = codes
            sources.map_officer(source, f"MC-{person.code}", person.code)
    for external, canonical in PROCEDURES:
        sources.map_item(source, external, canonical)
    db.session.flush()
    return source, officers


def _moment(rng: random.Random, day, not_before: datetime, now: datetime) -> datetime:
    """A working-hours moment on ``day`` (local), kept between ``not_before`` and ``now``."""
    local = datetime.combine(day, time(7, 30), LOCAL_ZONE) + timedelta(
        minutes=rng.randint(0, 9 * 60)
    )
    return min(max(local, not_before + timedelta(minutes=rng.randint(5, 90))), now)


def dossiers(
    rng: random.Random, officers: dict[str, list[str]], period: Period, now: datetime, count: int
) -> list[dict]:
    """``count`` dossiers due in ``period`` and received during the month up to ``now``: the
    records their system would have sent (received, maybe returned, settled), oldest first."""
    today = now.date()
    records = []
    names = sorted(officers)
    for n in range(1, count + 1):
        officer = rng.choice(names)
        code = rng.choice(officers[officer])
        fate = rng.choices(("on_time", "late", "returned"), weights=(85, 10, 5))[0]
        if fate == "late" and period.starts_on < today:
            due = period.starts_on + timedelta(
                days=rng.randint(0, (today - period.starts_on).days - 1)
            )
            received_day = due - timedelta(days=rng.randint(3, 15))
            settled_day = min(today, due + timedelta(days=rng.randint(1, 3)))
        else:
            fate = "on_time" if fate == "late" else fate
            received_day = today - timedelta(days=rng.randint(0, 27))
            due = received_day + timedelta(days=rng.randint(3, 15))
            due = min(
                max(due, period.starts_on + timedelta(days=rng.randint(0, 2))), period.ends_on
            )
            last = min(due, today)
            settled_day = received_day + timedelta(days=rng.randint(0, (last - received_day).days))
        received = _moment(rng, received_day, datetime.min.replace(tzinfo=LOCAL_ZONE), now)
        settled = _moment(rng, settled_day, received, now)
        external_id = f"000.00.{n % 7 + 1:02d}.H56-{received:%y%m%d}-{n:04d}"
        events = [("received", received)]
        if fate == "returned":
            events.append(("returned", received + (settled - received) / 2))
        events.append(("settled", settled))
        for event, at in events:
            records.append(
                {
                    "external_id": external_id,
                    "event": event,
                    "officer": officer,
                    "item_code": code,
                    "occurred_at": at.isoformat(timespec="seconds"),
                    "due_on": due.isoformat(),
                }
            )
    records.sort(key=lambda r: r["occurred_at"])
    return records


def seed(seed_value: int, now: datetime | None = None) -> dict:
    """Configure the one-stop source of the ward in context and feed its month; return counts."""
    if sources.find_source(SOURCE["code"]) is not None:
        return {"batches": 0, "records": 0}
    now = (now or datetime.now(LOCAL_ZONE)).replace(microsecond=0)
    rng = random.Random(seed_value * 15485863)
    source, officers = configure()
    period = _period_today(now.date())
    db.session.commit()
    if period is None or not officers:
        return {"batches": 0, "records": 0}
    records = dossiers(rng, officers, period, now, rng.randint(180, 260))
    batches = 0
    for start in range(0, len(records), BATCH):
        batch = intake.receive(source, records[start : start + BATCH], channel="api")
        db.session.commit()  # without Redis the batch was decided in-process already
        db.session.refresh(batch)
        if batch.status != FeedBatchStatus.PROCESSED:
            processing.process_batch(batch)
            db.session.commit()
        batches += 1
    return {"batches": batches, "records": len(records)}
