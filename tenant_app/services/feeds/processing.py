"""Deciding records and projecting them onto work and indicators (run by the ``feeds`` jobs).

Each record of a batch ends in one state, with its reason:

- **rejected**: unknown officer or code (correct the mappings, then replay), an event that does
  not fit the item (``value`` for a work item, a dossier event for an indicator), a moment in the
  future, no conversion coefficient for the period, or — when the source refuses late data — after
  the data-closing time of its period;
- **held**: no period is open yet for its date (or, when late data move on, for the period after);
  replayed once the period exists;
- **accepted**: counted in a period. A dossier event counts in the period of its due date (of the
  moment it happened when it has none); a value in the period of its moment. After the period's
  data-closing time (or once the period is closed) a record is moved to the next period, or
  refused, as the source says, and the move is recorded on the record.

The same (source, external id, event) twice is stored once: the second is a duplicate and changes
nothing. Accepted dossier records are projected onto ``feed_dossiers`` (one row per dossier and
period, rebuilt from all its records, so arrival order never matters) and the dossiers onto the
person's fed work: in each period, the dossiers counted are the assigned quantity, those settled
are completed, those settled after their due date are delays, and those returned for an error and
settled are major errors (a returned dossier that was not settled counts as not completed). See
docs/integration.md.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.formatting import local_zone
from tenant_app.models.base import utcnow
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion, ItemPosition
from tenant_app.models.evaluation import Assignment, Period, Report
from tenant_app.models.feeds import (
    FeedBatch,
    FeedDossier,
    FeedItemMap,
    FeedOfficerMap,
    FeedRecord,
    FeedSource,
    IndicatorValue,
)
from tenant_app.models.vocabulary import (
    FeedBatchStatus,
    FeedEvent,
    FeedRecordStatus,
    IndicatorOrigin,
    LatePolicy,
    PeriodStatus,
    ReportStatus,
)
from tenant_app.schemas.feeds import FeedRecordSchema
from tenant_app.services.evaluation import indicator_values, scores
from tenant_app.services.feeds import bulk
from tenant_app.services.feeds.sources import closing_at

REASONS = {
    "unknown_officer": _l("Mã cán bộ chưa được ánh xạ tới nhân sự của đơn vị"),
    "unknown_code": _l("Mã thủ tục/loại việc chưa được ánh xạ tới danh mục"),
    "inactive_item": _l("Sản phẩm/chỉ số đã ngừng áp dụng"),
    "wrong_event": _l("Loại sự kiện không hợp với mục được ánh xạ"),
    "out_of_range": _l("Giá trị hoặc thời điểm nằm ngoài phạm vi cho phép"),
    "no_coefficient": _l("Sản phẩm chưa có hệ số quy đổi cho kỳ này"),
    "after_closing": _l("Gửi sau thời điểm chốt số liệu của kỳ"),
    "no_period": _l("Chưa có kỳ đánh giá cho thời điểm này"),
    "next_period_missing": _l("Gửi sau thời điểm chốt; kỳ sau chưa được mở"),
    "moved_to_next": _l("Gửi sau thời điểm chốt: tính vào kỳ sau"),
}
DOSSIER_EVENTS = (FeedEvent.RECEIVED, FeedEvent.SETTLED, FeedEvent.RETURNED)
FUTURE_SLACK = timedelta(days=1)
_schema = FeedRecordSchema()


def reason_label(code: str | None) -> str:
    return "" if code is None else str(REASONS.get(code, code))


def to_utc(moment: datetime) -> datetime:
    """A record's moment as naive UTC; a moment without an offset is local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_date(moment_utc: datetime) -> date:
    return moment_utc.replace(tzinfo=UTC).astimezone(local_zone()).date()


@dataclass
class Decision:
    status: str
    reason: str | None = None
    staff_id: uuid.UUID | None = None
    item_id: uuid.UUID | None = None
    period_id: uuid.UUID | None = None
    moved_from_period_id: uuid.UUID | None = None


class _Context:
    """What deciding a source's records needs, loaded once per batch."""

    def __init__(self, source: FeedSource):
        self.source = source
        self.officers = dict(
            db.session.execute(
                sa.select(FeedOfficerMap.external_id, FeedOfficerMap.staff_id).where(
                    FeedOfficerMap.source_id == source.id
                )
            ).all()
        )
        rows = db.session.execute(
            sa.select(FeedItemMap.external_code, CatalogueItem)
            .join(
                CatalogueItem,
                sa.and_(
                    CatalogueItem.tenant_id == FeedItemMap.tenant_id,
                    CatalogueItem.id == FeedItemMap.item_id,
                ),
            )
            .where(FeedItemMap.source_id == source.id)
        ).all()
        self.items = {code: item for code, item in rows}
        self.periods = list(
            db.session.execute(
                sa.select(Period).order_by(Period.starts_on, Period.kind.desc())
            ).scalars()
        )
        self._versions: dict[tuple, CatalogueVersion | None] = {}
        self._closing: dict[uuid.UUID, datetime] = {}

    def period_on(self, day: date) -> Period | None:
        # Months before quarters when both cover the day (kind "month" > "quarter" descending).
        for period in self.periods:
            if period.starts_on <= day <= period.ends_on:
                return period
        return None

    def next_period(self, period: Period) -> Period | None:
        for other in self.periods:
            if other.kind == period.kind and other.starts_on == period.ends_on + timedelta(days=1):
                return other
        return None

    def closed_for_data(self, period: Period, received_at: datetime) -> bool:
        if period.status != PeriodStatus.OPEN:
            return True
        if period.id not in self._closing:
            self._closing[period.id] = closing_at(self.source, period)
        return received_at > self._closing[period.id]

    def version(self, item: CatalogueItem, period: Period) -> CatalogueVersion | None:
        key = (item.id, period.id)
        if key not in self._versions:
            self._versions[key] = _version_at(item.id, period.starts_on)
        return self._versions[key]


def decide(ctx: _Context, rec: dict, received_at: datetime) -> Decision:
    """Decide one normalised record (``occurred_at`` naive UTC) received at ``received_at``."""
    staff_id = ctx.officers.get(rec["officer"])
    if staff_id is None:
        return Decision(FeedRecordStatus.REJECTED, "unknown_officer")
    item = ctx.items.get(rec["item_code"])
    if item is None:
        return Decision(FeedRecordStatus.REJECTED, "unknown_code", staff_id=staff_id)
    if not item.active:
        return Decision(FeedRecordStatus.REJECTED, "inactive_item", staff_id, item.id)
    is_value = rec["event"] == FeedEvent.VALUE
    if is_value != (item.kind == "indicator"):
        return Decision(FeedRecordStatus.REJECTED, "wrong_event", staff_id, item.id)
    if rec["occurred_at"] > received_at + FUTURE_SLACK:
        return Decision(FeedRecordStatus.REJECTED, "out_of_range", staff_id, item.id)
    day = rec["due_on"] if (not is_value and rec["due_on"]) else local_date(rec["occurred_at"])
    period = ctx.period_on(day)
    if period is None:
        return Decision(FeedRecordStatus.HELD, "no_period", staff_id, item.id)
    moved_from = None
    hops = 0
    while ctx.closed_for_data(period, received_at):
        if ctx.source.late_policy == LatePolicy.REFUSE:
            return Decision(
                FeedRecordStatus.REJECTED, "after_closing", staff_id, item.id, period.id
            )
        following = ctx.next_period(period)
        moved_from = moved_from or period.id
        if following is None or hops > 24:
            return Decision(
                FeedRecordStatus.HELD, "next_period_missing", staff_id, item.id, None, moved_from
            )
        period, hops = following, hops + 1
    if not is_value:
        version = ctx.version(item, period)
        if version is None or version.coefficient is None:
            return Decision(FeedRecordStatus.REJECTED, "no_coefficient", staff_id, item.id)
    return Decision(
        FeedRecordStatus.ACCEPTED,
        "moved_to_next" if moved_from else None,
        staff_id,
        item.id,
        period.id,
        moved_from,
    )


def normalise(raw: dict) -> dict:
    """A stored record as the decision reads it.

    The batch was validated by ``FeedRecordSchema`` when it was received, so the fields are
    read directly (ten times cheaper than loading the schema again); anything unexpected goes
    through the schema, which says what is wrong.
    """
    try:
        value = raw.get("value")
        due = raw.get("due_on")
        rec = {
            "external_id": raw["external_id"],
            "event": raw["event"],
            "officer": raw["officer"],
            "item_code": raw["item_code"],
            "occurred_at": datetime.fromisoformat(raw["occurred_at"]),
            "due_on": None if due is None else date.fromisoformat(due),
            "value": None if value is None else Decimal(str(value)),
        }
    except (KeyError, TypeError, ValueError, ArithmeticError):
        rec = _schema.load(raw)
    rec["occurred_at"] = to_utc(rec["occurred_at"])
    return rec


def _lock_source(source: FeedSource) -> None:
    """One batch of a source at a time (PostgreSQL): projections of one dossier never race."""
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        db.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(4343, hashtext(:k))"), {"k": str(source.id)}
        )


def _insert_ignoring_duplicates(rows: list[dict]) -> set[tuple[str, str]]:
    """Insert record rows; return the (external_id, event) keys actually inserted."""
    inserted = bulk.insert_rows(
        FeedRecord.__table__,
        rows,
        conflict=("tenant_id", "source_id", "external_id", "event"),
        returning=("external_id", "event"),
    )
    return {(external_id, event) for external_id, event in inserted}


def process_batch(batch: FeedBatch) -> dict:
    """Decide every record of ``batch`` and apply the accepted ones, in the caller's transaction.

    Safe to run again: a processed batch is left as it is, and records already stored are
    duplicates that change nothing.
    """
    source = db.session.get(FeedSource, (batch.tenant_id, batch.source_id))
    _lock_source(source)
    db.session.refresh(batch)
    if batch.status == FeedBatchStatus.PROCESSED:
        return _counts(batch)
    ctx = _Context(source)
    now = utcnow()
    rows, seen = [], set()
    duplicates = 0
    for position, raw in enumerate(batch.records):
        rec = normalise(raw)
        key = (rec["external_id"], rec["event"])
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        decision = decide(ctx, rec, batch.received_at)
        rows.append(
            {
                "tenant_id": batch.tenant_id,
                "id": uuid.uuid4(),
                "source_id": source.id,
                "batch_id": batch.id,
                "position": position,
                "external_id": rec["external_id"],
                "event": rec["event"],
                "officer": rec["officer"],
                "item_code": rec["item_code"],
                "occurred_at": rec["occurred_at"],
                "due_on": rec["due_on"],
                "value": rec["value"],
                "received_at": batch.received_at,
                "status": decision.status,
                "reason": decision.reason,
                "staff_id": decision.staff_id,
                "item_id": decision.item_id,
                "period_id": decision.period_id,
                "moved_from_period_id": decision.moved_from_period_id,
                "decided_at": now,
                "replays": 0,
            }
        )
    inserted = _insert_ignoring_duplicates(rows)
    duplicates += len(rows) - len(inserted)
    applied = [r for r in rows if (r["external_id"], r["event"]) in inserted]
    _apply(source, applied)
    batch.accepted = sum(r["status"] == FeedRecordStatus.ACCEPTED for r in applied)
    batch.rejected = sum(r["status"] == FeedRecordStatus.REJECTED for r in applied)
    batch.held = sum(r["status"] == FeedRecordStatus.HELD for r in applied)
    batch.duplicates = duplicates
    batch.status = FeedBatchStatus.PROCESSED
    batch.processed_at = utcnow()
    # The people this batch touched are re-scored in its own transaction: their pages show the
    # change as soon as the batch is decided (no second queue to wait in).
    scores.rescore_pending()
    return _counts(batch)


def _counts(batch: FeedBatch) -> dict:
    return {
        "batch_id": str(batch.id),
        "accepted": batch.accepted,
        "rejected": batch.rejected,
        "held": batch.held,
        "duplicates": batch.duplicates,
    }


def _apply(source: FeedSource, rows: list[dict]) -> None:
    """Apply newly accepted records: indicator values, and the dossiers they touch."""
    accepted = [r for r in rows if r["status"] == FeedRecordStatus.ACCEPTED]
    values = [r for r in accepted if r["event"] == FeedEvent.VALUE]
    if values:
        bulk.insert_rows(
            IndicatorValue.__table__,
            [
                {
                    "tenant_id": source.tenant_id,
                    "id": uuid.uuid4(),
                    "period_id": r["period_id"],
                    "item_id": r["item_id"],
                    "staff_id": r["staff_id"],
                    "value": r["value"],
                    "observed_at": r["occurred_at"],
                    "origin": IndicatorOrigin.FEED.value,
                    "source_id": source.id,
                    "record_id": r["id"],
                    "created_at": utcnow(),
                }
                for r in values
            ],
        )
        positioned = _positioned({r["item_id"] for r in values})
        for period_id in {r["period_id"] for r in values}:
            indicator_values.indicator_changed(
                _period(source, period_id),
                [r["staff_id"] for r in values
                 if r["period_id"] == period_id and r["item_id"] in positioned],
            )  # fmt: skip
    dossiers = {r["external_id"] for r in accepted if r["event"] != FeedEvent.VALUE}
    if dossiers:
        project(source, dossiers)


def _positioned(item_ids) -> set:
    """Those of ``item_ids`` that are position indicators (each holder has their own values)."""
    return set(
        db.session.scalars(
            sa.select(ItemPosition.item_id).where(ItemPosition.item_id.in_(list(item_ids)))
        )
    )


def _period(source: FeedSource, period_id) -> Period:
    return db.session.get(Period, (source.tenant_id, period_id))


# --- projection


_PRECEDENCE = {FeedEvent.SETTLED: 0, FeedEvent.RETURNED: 1, FeedEvent.RECEIVED: 2}


def project(source: FeedSource, external_ids: set[str]) -> None:
    """Rebuild the dossiers ``external_ids`` of ``source`` from their accepted records, then the
    fed work of every (period, person, item) they were or are counted in."""
    ids = sorted(external_ids)
    old_keys: set[tuple] = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        old_keys.update(
            db.session.execute(
                sa.select(FeedDossier.period_id, FeedDossier.staff_id, FeedDossier.item_id).where(
                    FeedDossier.source_id == source.id, FeedDossier.external_id.in_(chunk)
                )
            ).all()
        )
        db.session.execute(
            sa.delete(FeedDossier)
            .where(FeedDossier.source_id == source.id, FeedDossier.external_id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
    groups: dict[tuple, list] = defaultdict(list)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for rec in db.session.execute(
            sa.select(
                FeedRecord.external_id,
                FeedRecord.event,
                FeedRecord.period_id,
                FeedRecord.staff_id,
                FeedRecord.item_id,
                FeedRecord.occurred_at,
                FeedRecord.due_on,
                FeedRecord.moved_from_period_id,
            ).where(
                FeedRecord.source_id == source.id,
                FeedRecord.external_id.in_(chunk),
                FeedRecord.status == FeedRecordStatus.ACCEPTED,
                FeedRecord.event != FeedEvent.VALUE,
            )
        ):
            groups[(rec.external_id, rec.period_id)].append(rec)
    new_rows = []
    for (external_id, period_id), recs in groups.items():
        recs.sort(key=lambda r: _PRECEDENCE[FeedEvent(r.event)])
        lead = recs[0]
        due = max((r.due_on for r in recs if r.due_on), default=None)
        settled = [r for r in recs if r.event == FeedEvent.SETTLED]
        settled_on = local_date(settled[0].occurred_at) if settled else None
        new_rows.append(
            {
                "tenant_id": source.tenant_id,
                "id": uuid.uuid4(),
                "source_id": source.id,
                "external_id": external_id,
                "period_id": period_id,
                "staff_id": lead.staff_id,
                "item_id": lead.item_id,
                "due_on": due,
                "settled_on": settled_on,
                "settled": bool(settled),
                "late": bool(settled and due and settled_on > due),
                "returned": any(r.event == FeedEvent.RETURNED for r in recs),
                "carried": any(r.moved_from_period_id for r in recs),
            }
        )
    bulk.insert_rows(FeedDossier.__table__, new_rows)
    keys = old_keys | {(r["period_id"], r["staff_id"], r["item_id"]) for r in new_rows}
    refresh_work(source, keys)


def refresh_work(source: FeedSource, keys: set[tuple]) -> None:
    """Make the fed assignment and report of each (period, person, item) match its dossiers."""
    if not keys:
        return
    periods = {p for p, _s, _i in keys}
    people = {s for _p, s, _i in keys}
    counts = {
        (row.period_id, row.staff_id, row.item_id): row
        for row in db.session.execute(
            sa.select(
                FeedDossier.period_id,
                FeedDossier.staff_id,
                FeedDossier.item_id,
                sa.func.count().label("quantity"),
                sa.func.sum(sa.case((FeedDossier.settled, 1), else_=0)).label("completed"),
                sa.func.sum(sa.case((FeedDossier.late, 1), else_=0)).label("delays"),
                sa.func.sum(
                    sa.case((sa.and_(FeedDossier.returned, FeedDossier.settled), 1), else_=0)
                ).label("errors"),
                sa.func.max(FeedDossier.settled_on).label("last_settled"),
            )
            .where(
                FeedDossier.source_id == source.id,
                FeedDossier.period_id.in_(list(periods)),
                FeedDossier.staff_id.in_(list(people)),
            )
            .group_by(FeedDossier.period_id, FeedDossier.staff_id, FeedDossier.item_id)
        )
    }
    existing = {
        (a.period_id, a.staff_id, a.item_id): (a, r)
        for a, r in db.session.execute(
            sa.select(Assignment, Report)
            .outerjoin(
                Report,
                sa.and_(
                    Report.tenant_id == Assignment.tenant_id, Report.assignment_id == Assignment.id
                ),
            )
            .where(
                Assignment.feed_source_id == source.id,
                Assignment.period_id.in_(list(periods)),
                Assignment.staff_id.in_(list(people)),
            )
        ).all()
    }
    period_rows = {
        p.id: p
        for p in db.session.execute(sa.select(Period).where(Period.id.in_(list(periods)))).scalars()
    }
    now = utcnow()
    for key in keys:
        period = period_rows[key[0]]
        row = counts.get(key)
        assignment, report = existing.get(key, (None, None))
        if row is None:
            if assignment is not None:
                if report is not None:
                    db.session.delete(report)
                db.session.flush()
                db.session.delete(assignment)
                scores.mark_stale(period, key[1])
            continue
        quantity = Decimal(row.quantity)
        completed = Decimal(row.completed or 0)
        delays, errors = int(row.delays or 0), int(row.errors or 0)
        if assignment is None:
            item = db.session.get(CatalogueItem, (source.tenant_id, key[2]))
            version = _version_at(item.id, period.starts_on)
            assignment = Assignment(
                period_id=period.id,
                staff_id=key[1],
                item_id=key[2],
                version_id=version.id,
                quantity=quantity,
                coefficient=version.coefficient,
                due_on=period.ends_on,
                directing=True,
                note=_("Từ hệ thống: %(name)s", name=source.name)[:500],
                feed_source_id=source.id,
            )
            db.session.add(assignment)
            db.session.flush()
        elif (
            assignment.quantity == quantity
            and report is not None
            and (report.completed, report.delays, report.major_errors)
            == (completed, delays, errors)
        ):
            continue
        assignment.quantity = quantity
        if report is None:
            report = Report(
                assignment_id=assignment.id,
                status=ReportStatus.SUBMITTED,
                submitted_at=now,
                links=[],
            )
            db.session.add(report)
        report.completed = completed
        report.completed_on = row.last_settled
        report.delays, report.major_errors = delays, errors
        report.exempt_delays = min(report.exempt_delays or 0, delays)
        report.exempt_errors = min(report.exempt_errors or 0, errors)
        scores.mark_stale(period, key[1])


def _version_at(item_id, on: date) -> CatalogueVersion | None:
    return db.session.execute(
        sa.select(CatalogueVersion)
        .where(CatalogueVersion.item_id == item_id, CatalogueVersion.effective_from <= on)
        .order_by(CatalogueVersion.effective_from.desc())
        .limit(1)
    ).scalar_one_or_none()


# --- replay


def replay(source: FeedSource, record_ids=None, *, actor=None, held_only: bool = False) -> dict:
    """Decide again the rejected and held records of ``source`` (all of them, or ``record_ids``;
    only the held ones with ``held_only``) with today's mappings and periods, and apply the ones
    now accepted; audited when there was anything to replay."""
    _lock_source(source)
    statuses = (FeedRecordStatus.HELD,) if held_only else (
        FeedRecordStatus.REJECTED, FeedRecordStatus.HELD)  # fmt: skip
    stmt = sa.select(FeedRecord).where(
        FeedRecord.source_id == source.id, FeedRecord.status.in_(statuses)
    )
    if record_ids is not None:
        stmt = stmt.where(FeedRecord.id.in_([uuid.UUID(str(i)) for i in record_ids]))
    records = list(db.session.execute(stmt.order_by(FeedRecord.received_at)).scalars())
    ctx = _Context(source)
    now = utcnow()
    applied = []
    outcome = {"replayed": len(records), "accepted": 0, "rejected": 0, "held": 0}
    for record in records:
        rec = {
            "external_id": record.external_id,
            "event": record.event,
            "officer": record.officer,
            "item_code": record.item_code,
            "occurred_at": record.occurred_at,
            "due_on": record.due_on,
            "value": record.value,
        }
        decision = decide(ctx, rec, record.received_at)
        record.status, record.reason = decision.status, decision.reason
        record.staff_id, record.item_id = decision.staff_id, decision.item_id
        record.period_id = decision.period_id
        record.moved_from_period_id = decision.moved_from_period_id
        record.decided_at = now
        record.replays += 1
        outcome[str(decision.status)] += 1
        if decision.status == FeedRecordStatus.ACCEPTED:
            applied.append({**rec, "id": record.id, **_decided(decision)})
    db.session.flush()
    _apply(source, applied)
    scores.rescore_pending()
    if records:
        audit.record(
            "feed.replayed",
            object_type="feed_source",
            object_id=source.id,
            after=outcome,
            actor=actor,
        )
    return outcome


def _decided(decision: Decision) -> dict:
    return {
        "status": decision.status,
        "staff_id": decision.staff_id,
        "item_id": decision.item_id,
        "period_id": decision.period_id,
    }
