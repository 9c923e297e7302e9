"""Warning signs an auditor wants raised on a unit's figures, each with the numbers behind it.

Thresholds are settings (``KPI_COMPARISON_FLAGS`` overrides ``DEFAULTS``); docs/comparison.md
explains each sign. A sign is a prompt to look closer, never a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

DEFAULTS = {
    "min_people": 5,  # below this, shares say little: only quota and revisions are flagged
    "inflation_share": 95,  # % of people rated HTXS or HTT
    "uniform_stdev": 1,  # points: spread of totals below this is suspicious uniformity
    "self_equal_share": 95,  # % of self scores equal to the manager's
    "exemptions_by_one": 5,  # errors/delays exempted by a single reviewer in the scope
    "deadline_share": 50,  # % of submissions in the last minutes before the deadline
    "revisions_after_publication": 1,  # scores changed after publication
}

TITLES = {
    "inflation": _l("Xếp loại cao bất thường"),
    "quota_exceeded": _l("Vượt tỷ lệ HTXS"),
    "uniformity": _l("Điểm đồng đều bất thường"),
    "self_equals_manager": _l("Tự đánh giá luôn trùng điểm quản lý"),
    "exemptions_by_one": _l("Nhiều miễn trừ do một người duyệt"),
    "deadline_rush": _l("Báo cáo dồn vào phút chót"),
    "changed_after_publication": _l("Điểm thay đổi sau khi công khai"),
}
FLAG_CODES = tuple(TITLES)


@dataclass(frozen=True)
class Flag:
    code: str
    detail: str
    numbers: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(TITLES[self.code])


def thresholds() -> dict:
    overrides = (current_app.config.get("KPI_COMPARISON_FLAGS") or {}) if has_app_context() else {}
    return {**DEFAULTS, **{k: v for k, v in overrides.items() if k in DEFAULTS}}


def pct(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (None when there is nothing to divide by)."""
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


def _fmt(value) -> str:
    return f"{Decimal(value):.1f}".replace(".", ",")


def flags_for(unit) -> list[Flag]:
    """The signs raised on ``unit`` (a ``comparison.UnitFigures`` with its aggregate)."""
    agg = unit.agg
    if agg is None or not agg.people:
        return []
    t = thresholds()
    out: list[Flag] = []
    big = agg.people >= t["min_people"]
    good = agg.htxs + agg.htt
    share = pct(good, agg.people)
    if big and share is not None and share >= Decimal(t["inflation_share"]):
        out.append(
            Flag(
                "inflation",
                _(
                    "%(good)d/%(n)d người (%(share)s%%) được xếp HTXS hoặc HTT.",
                    good=good,
                    n=agg.people,
                    share=_fmt(share),
                ),
                {"good": good, "people": agg.people, "share": share},
            )
        )
    over = [g for g in agg.quota_groups if g["htxs"] > g["allowed"]]
    if agg.quota_htxs > agg.quota_allowed or over:
        parts = [
            _(
                "toàn đơn vị %(htxs)d HTXS, cho phép %(allowed)d (20%% của %(htt)d HTT)",
                htxs=agg.quota_htxs,
                allowed=agg.quota_allowed,
                htt=agg.quota_htt,
            )
        ]
        parts += [
            _(
                "nhóm %(group)s: %(htxs)d HTXS, cho phép %(allowed)d",
                group=g["group"],
                htxs=g["htxs"],
                allowed=g["allowed"],
            )
            for g in over
        ]
        out.append(
            Flag(
                "quota_exceeded",
                "; ".join(parts) + ".",
                {"htxs": agg.quota_htxs, "allowed": agg.quota_allowed, "groups": over},
            )
        )
    if big and (
        agg.distinct_totals == 1 or (unit.stdev is not None and unit.stdev < t["uniform_stdev"])
    ):
        out.append(
            Flag(
                "uniformity",
                _(
                    "%(n)d người, độ lệch chuẩn %(sd)s điểm, %(d)d mức điểm khác nhau.",
                    n=agg.people,
                    sd=_fmt(unit.stdev or 0),
                    d=agg.distinct_totals,
                ),
                {"people": agg.people, "stdev": unit.stdev, "distinct": agg.distinct_totals},
            )
        )
    equal = pct(agg.self_equal, agg.self_compared)
    if (
        agg.self_compared >= t["min_people"]
        and equal is not None
        and equal >= Decimal(t["self_equal_share"])
    ):
        out.append(
            Flag(
                "self_equals_manager",
                _(
                    "%(eq)d/%(n)d lượt tự đánh giá bằng đúng điểm người quản lý.",
                    eq=agg.self_equal,
                    n=agg.self_compared,
                ),
                {"equal": agg.self_equal, "compared": agg.self_compared, "share": equal},
            )
        )
    if agg.exemptions_top_count >= t["exemptions_by_one"]:
        out.append(
            Flag(
                "exemptions_by_one",
                _(
                    "%(who)s miễn trừ %(n)d lỗi/chậm trên %(r)d báo cáo đã duyệt "
                    "(cả đơn vị: %(total)d).",
                    who=agg.exemptions_top_reviewer or "?",
                    n=agg.exemptions_top_count,
                    r=agg.exemptions_top_reviewed,
                    total=agg.exemptions,
                ),
                {
                    "reviewer": agg.exemptions_top_reviewer,
                    "exempted": agg.exemptions_top_count,
                    "reviewed": agg.exemptions_top_reviewed,
                    "unit_total": agg.exemptions,
                },
            )
        )
    rush = pct(agg.deadline_submissions, agg.submissions)
    if (
        agg.submissions >= t["min_people"]
        and rush is not None
        and rush >= Decimal(t["deadline_share"])
    ):
        minutes = current_app.config.get("KPI_COMPARISON_DEADLINE_MINUTES", 60)
        out.append(
            Flag(
                "deadline_rush",
                _(
                    "%(k)d/%(n)d báo cáo gửi trong %(m)d phút cuối trước hạn.",
                    k=agg.deadline_submissions,
                    n=agg.submissions,
                    m=minutes,
                ),
                {"late_minute": agg.deadline_submissions, "submissions": agg.submissions},
            )
        )
    if agg.changed_after_publication >= t["revisions_after_publication"]:
        out.append(
            Flag(
                "changed_after_publication",
                _(
                    "%(n)d lần điểm hoặc xếp loại thay đổi sau khi đã công khai.",
                    n=agg.changed_after_publication,
                ),
                {"revisions": agg.changed_after_publication},
            )
        )
    return out
