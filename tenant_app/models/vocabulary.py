"""The small vocabularies of the models (statuses and stages) as string enums.

The database keeps the plain strings (the columns stay ``String`` with a CHECK constraint); a
``StrEnum`` member *is* its string, so ``report.status == ReportStatus.ACCEPTED`` holds whether
the attribute was loaded from the database (a ``str``) or set from the enum, and members render,
compare, hash and serialise exactly as their values.
"""

from __future__ import annotations

import enum


class PeriodStatus(enum.StrEnum):
    """Where an evaluation period is in its life: open, closed for entries, locked for good."""

    OPEN = "open"  # Đang mở
    CLOSED = "closed"  # Đã đóng: còn mở lại được
    LOCKED = "locked"  # Đã khóa: kết quả là chính thức


# Periods whose entries are over (closed or locked).
ENDED_PERIOD_STATUSES = (PeriodStatus.CLOSED, PeriodStatus.LOCKED)


class ReportStatus(enum.StrEnum):
    """Where a person's report on one assignment is: draft, submitted, accepted or returned."""

    DRAFT = "draft"  # Nháp
    SUBMITTED = "submitted"  # Đã gửi, chờ thẩm định
    ACCEPTED = "accepted"  # Đã chấp nhận
    RETURNED = "returned"  # Trả lại để bổ sung

    @property
    def counts(self) -> bool:
        """Whether a report in this status counts towards the score (see ``COUNTED``)."""
        return self in COUNTED_REPORT_STATUSES


# The one rule of which reports count: submitted and accepted ones; drafts and returned ones
# do not. ``Report.counts`` applies it to a row, in Python and in SQL.
COUNTED_REPORT_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class AssessmentStage(enum.StrEnum):
    """Who assessed the general criteria, in the order of the approval chain."""

    SELF = "self"  # Tự đánh giá
    MANAGER = "manager"  # Người quản lý trực tiếp
    DEPUTY = "deputy"  # Cấp phó phụ trách
    LEADER = "leader"  # Người đứng đầu phê duyệt


# The chain a period runs when its configuration names none (Decree 335's usual three steps).
DEFAULT_APPROVAL_CHAIN = (AssessmentStage.SELF, AssessmentStage.MANAGER, AssessmentStage.LEADER)


class AnnualStatus(enum.StrEnum):
    """Where a yearly classification is: proposed by the engine, approved, then published."""

    PROPOSED = "proposed"  # Đề xuất
    APPROVED = "approved"  # Đã phê duyệt
    PUBLISHED = "published"  # Đã công bố


class IncomeRunStatus(enum.StrEnum):
    """Whether a supplementary-income run is still a draft or approved."""

    DRAFT = "draft"  # Bản nháp
    APPROVED = "approved"  # Đã phê duyệt


class JobStatus(enum.StrEnum):
    """Where a background job (a tenant's job run or a province export) is."""

    QUEUED = "queued"  # Đang chờ
    RUNNING = "running"  # Đang chạy
    SUCCEEDED = "succeeded"  # Xong
    FAILED = "failed"  # Lỗi

    @property
    def finished(self) -> bool:
        """Whether the job is over, for good or bad."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class TemplateVersionStatus(enum.StrEnum):
    """Whether a configuration template version is a draft or published (then immutable)."""

    DRAFT = "draft"  # Bản nháp
    PUBLISHED = "published"  # Đã ban hành


class RolloutStatus(enum.StrEnum):
    """Where a rollout of a template version to many tenants is."""

    PLANNED = "planned"  # Đã lập
    RUNNING = "running"  # Đang chạy
    FINISHED = "finished"  # Đã xong
    CANCELLED = "cancelled"  # Đã hủy


class TargetStatus(enum.StrEnum):
    """Where one tenant of a rollout is."""

    PENDING = "pending"  # Chờ
    RUNNING = "running"  # Đang chạy
    APPLIED = "applied"  # Đã áp dụng
    SKIPPED = "skipped"  # Bỏ qua
    FAILED = "failed"  # Lỗi


class AbsenceKind(enum.StrEnum):
    """Why a person was absent from work (the same codes as ``scoring.service_time``)."""

    MATERNITY = "maternity"  # Nghỉ thai sản
    SICKNESS = "sickness"  # Nghỉ ốm đau
    TRAINING = "training"  # Đi đào tạo, bồi dưỡng
    OTHER = "other"  # Nghỉ khác


def values(vocabulary: type[enum.StrEnum]) -> tuple[str, ...]:
    """The plain string values of a vocabulary, in order (for CHECK constraints and validators)."""
    return tuple(member.value for member in vocabulary)


class FeedKind(enum.StrEnum):
    """What kind of external system a data source is."""

    ONE_STOP = "one_stop"  # Một cửa: hồ sơ thủ tục hành chính
    DOCUMENTS = "documents"  # Quản lý văn bản, giao việc điện tử
    DISBURSEMENT = "disbursement"  # Giải ngân
    OTHER = "other"


class FeedEvent(enum.StrEnum):
    """What happened to a dossier or task in the external system, or a measured value."""

    RECEIVED = "received"  # Tiếp nhận
    SETTLED = "settled"  # Giải quyết xong
    RETURNED = "returned"  # Trả lại do lỗi
    VALUE = "value"  # Giá trị của một chỉ số


class LatePolicy(enum.StrEnum):
    """What happens to a record that arrives after its period's data-closing time."""

    HOLD = "hold"  # Chuyển sang kỳ sau
    REFUSE = "refuse"  # Từ chối


class FeedRecordStatus(enum.StrEnum):
    """How a received record ended."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    HELD = "held"  # chờ kỳ sau được mở


class FeedBatchStatus(enum.StrEnum):
    RECEIVED = "received"  # lưu nguyên trạng, chờ xử lý
    PROCESSED = "processed"
    FAILED = "failed"


class IndicatorOrigin(enum.StrEnum):
    FEED = "feed"
    ENTRY = "entry"
    IMPORT = "import"
