"""ORM models, one module per aggregate; importing this package registers them all."""

from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.models.base import TenantScoped
from tenant_app.models.break_glass import BreakGlassGrant
from tenant_app.models.calendar import CalendarEvent, WindowExtension
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion, ItemPosition
from tenant_app.models.comparison import ItemAggregate, PeriodAggregate
from tenant_app.models.drafts import FormDraft
from tenant_app.models.evaluation import (
    AnnualClassification,
    AnnualNotClassified,
    Assessment,
    Assignment,
    DisciplineRecord,
    EvidenceFile,
    IncomeLine,
    IncomeRun,
    Notification,
    Period,
    PeriodScore,
    Report,
    ScoringProblem,
)
from tenant_app.models.exports import ProvinceExport
from tenant_app.models.feeds import (
    FeedBatch,
    FeedDossier,
    FeedItemMap,
    FeedOfficerMap,
    FeedRecord,
    FeedSource,
    FeedToken,
    IndicatorValue,
)
from tenant_app.models.jobs import JobRun
from tenant_app.models.org import JobPosition, OrgUnit, OrgUnitRevision
from tenant_app.models.rollout import (
    ConfigTemplate,
    Rollout,
    RolloutTarget,
    TemplateVersion,
    TenantConfig,
)
from tenant_app.models.settings import ProvinceSetting
from tenant_app.models.staff import (
    Absence,
    ConcurrentPost,
    DeputyField,
    SalaryChange,
    StaffAssignment,
    StaffMember,
)
from tenant_app.models.tenants import Tenant, TenantKind, TenantStatus
from tenant_app.models.transfers import ReceivedResult, StaffTransfer, TransferProposal
from tenant_app.models.unit_rating import UnitRating
from tenant_app.models.users import (
    ApiToken,
    LoginSession,
    LoginThrottle,
    ProvinceApiToken,
    ProvinceLoginSession,
    ProvinceLoginThrottle,
    ProvinceUser,
    User,
)
from tenant_app.models.vocabulary import (
    COUNTED_REPORT_STATUSES,
    AnnualStatus,
    AssessmentStage,
    IncomeRunStatus,
    JobStatus,
    PeriodStatus,
    ReportStatus,
    RolloutStatus,
    TargetStatus,
    TemplateVersionStatus,
)

__all__ = [
    "Absence",
    "ProvinceSetting",
    "DeputyField",
    "FormDraft",
    "FeedBatch",
    "FeedDossier",
    "FeedItemMap",
    "FeedOfficerMap",
    "FeedRecord",
    "FeedSource",
    "FeedToken",
    "IndicatorValue",
    "ItemAggregate",
    "PeriodAggregate",
    "ProvinceExport",
    "ConfigTemplate",
    "Rollout",
    "RolloutTarget",
    "TemplateVersion",
    "TenantConfig",
    "AnnualClassification",
    "AnnualNotClassified",
    "Assessment",
    "Assignment",
    "DisciplineRecord",
    "EvidenceFile",
    "IncomeLine",
    "IncomeRun",
    "Notification",
    "Period",
    "PeriodScore",
    "ScoringProblem",
    "Report",
    "ApiToken",
    "LoginSession",
    "LoginThrottle",
    "ProvinceLoginSession",
    "ProvinceLoginThrottle",
    "BreakGlassGrant",
    "AuditEvent",
    "CatalogueItem",
    "CatalogueVersion",
    "ItemPosition",
    "JobPosition",
    "OrgUnit",
    "OrgUnitRevision",
    "JobRun",
    "ProvinceApiToken",
    "ProvinceAuditEvent",
    "ProvinceUser",
    "ConcurrentPost",
    "SalaryChange",
    "StaffAssignment",
    "StaffMember",
    "StaffTransfer",
    "ReceivedResult",
    "TransferProposal",
    "Tenant",
    "TenantKind",
    "TenantScoped",
    "TenantStatus",
    "UnitRating",
    "CalendarEvent",
    "WindowExtension",
    "User",
    "COUNTED_REPORT_STATUSES",
    "AnnualStatus",
    "AssessmentStage",
    "IncomeRunStatus",
    "JobStatus",
    "PeriodStatus",
    "ReportStatus",
    "RolloutStatus",
    "TargetStatus",
    "TemplateVersionStatus",
]
