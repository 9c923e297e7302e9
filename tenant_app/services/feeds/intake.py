"""Receiving records: validate a batch, store it as received, hand it to the ``feeds`` queue.

Nothing is decided here: a valid batch is stored (its records as sent and the SHA-256 of the body)
and committed before the job that decides each record is enqueued, so a crash after the answer
loses nothing. A malformed batch is refused whole, with the index and field of every problem.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime

from flask_babel import gettext as _
from marshmallow import ValidationError

from tenant_app.background import FEEDS, enqueue, paths
from tenant_app.extensions import db
from tenant_app.models.base import utcnow
from tenant_app.models.feeds import FeedBatch, FeedSource
from tenant_app.models.jobs import JobRun
from tenant_app.schemas.feeds import MAX_BATCH, FeedRecordSchema
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import spreadsheets

COLUMNS = ("external_id", "event", "officer", "item_code", "occurred_at", "due_on", "value")
_schema = FeedRecordSchema()


class BatchInvalid(ServiceError):
    """A malformed batch: ``problems`` lists ``{"index", "field", "message"}`` (422)."""

    status = 422

    def __init__(self, problems: list[dict], message: str | None = None):
        super().__init__(
            "validation_error",
            message or _("Lô dữ liệu không hợp lệ: không ghi bản ghi nào, xem lỗi từng bản ghi."),
        )
        self.problems = problems

    @property
    def fields(self) -> dict:
        out: dict = {}
        for problem in self.problems:
            out.setdefault(f"records.{problem['index']}.{problem['field']}", []).append(
                problem["message"]
            )
        return out


def _flatten(index: int, messages, problems: list[dict]) -> None:
    for field, texts in (messages or {}).items():
        for text in texts if isinstance(texts, list) else [texts]:
            problems.append({"index": index, "field": field, "message": str(text)})


def validate(records) -> list[dict]:
    """Check every record; raise BatchInvalid listing the index and field of each problem."""
    if not isinstance(records, list) or not records:
        raise BatchInvalid(
            [{"index": 0, "field": "records", "message": _("Cần ít nhất một bản ghi.")}]
        )
    if len(records) > MAX_BATCH:
        raise BatchInvalid(
            [
                {
                    "index": MAX_BATCH,
                    "field": "records",
                    "message": _("Tối đa %(n)d bản ghi mỗi lô.", n=MAX_BATCH),
                }
            ]
        )
    problems: list[dict] = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            problems.append(
                {"index": index, "field": "_schema", "message": _("Bản ghi phải là một đối tượng.")}
            )
            continue
        try:
            _schema.load(record)
        except ValidationError as exc:
            _flatten(index, exc.messages, problems)
    if problems:
        raise BatchInvalid(problems)
    return records


def receive(
    source: FeedSource,
    records: list,
    *,
    channel: str,
    body: bytes | None = None,
    token=None,
    user=None,
    filename: str | None = None,
    checked: bool = False,
) -> FeedBatch:
    """Store a valid batch as received, commit, and enqueue its processing; return the batch.

    ``records`` are the records as sent (JSON values); ``body`` the bytes they came in (for the
    SHA-256; the canonical JSON of the records when absent).
    """
    if not source.active:
        raise ServiceError(
            "source_inactive", _("Nguồn dữ liệu đang tạm dừng: không nhận bản ghi."), status=409
        )
    if not checked:  # the API's schema has checked them already
        validate(records)
    if body is None:
        body = json.dumps(records, sort_keys=True, ensure_ascii=False).encode()
    batch = FeedBatch(
        source_id=source.id,
        received_at=utcnow(),
        channel=channel,
        filename=filename,
        sha256=hashlib.sha256(body).hexdigest(),
        record_count=len(records),
        records=records,
        token_id=getattr(token, "id", None),
        uploaded_by=getattr(user, "id", None),
    )
    db.session.add(batch)
    db.session.flush()
    run = JobRun(
        kind="feeds.batch",
        queue=FEEDS,
        params={"batch_id": str(batch.id), "source": source.code},
        created_by=getattr(user, "id", None),
    )
    db.session.add(run)
    db.session.flush()
    batch.job_run_id = run.id
    enqueue(FEEDS, paths.FEED_PROCESS_BATCH, source.tenant_id, str(batch.id), job_run_id=run.id)
    return batch


# --- uploads for systems without an API


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _rows_to_records(headers: list[str], rows) -> list[dict]:
    names = [h.strip().lower() for h in headers]
    missing = [c for c in COLUMNS[:5] if c not in names]
    if missing:
        raise ServiceError(
            "missing_columns",
            _("Thiếu cột: %(cols)s (dòng 1 là tiêu đề cột).", cols=", ".join(missing)),
            field="file",
        )
    records = []
    for values in rows:
        record = {}
        for name, value in zip(names, values, strict=False):
            if name in COLUMNS:
                text = _text(value)
                if text is not None:
                    record[name] = text
        records.append(record)
        if len(records) > MAX_BATCH:
            break
    return records


def read_upload(filename: str, data: bytes) -> list[dict]:
    """Records from a CSV (UTF-8, comma or semicolon) or ``.xlsx`` upload, header on row 1."""
    if len(data) > spreadsheets.max_upload_bytes():
        raise ServiceError("file_too_large", _("Tệp quá lớn."), field="file", status=413)
    if (filename or "").lower().endswith(".xlsx"):
        headers, rows, _total = spreadsheets.read_rows(data)
        return _rows_to_records(headers, (values for _number, values in rows))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError("not_utf8", _("Tệp CSV phải mã hóa UTF-8."), field="file") from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise ServiceError("empty_file", _("Tệp trống: dòng 1 phải là tiêu đề cột."), field="file")
    return _rows_to_records(header, (row for row in reader if any(c.strip() for c in row)))
