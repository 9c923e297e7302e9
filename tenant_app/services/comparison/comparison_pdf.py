"""The province comparison as a PDF report for auditors (WeasyPrint, A4 landscape).

``comparison_pdf`` prints what the comparison page shows for one scope: the warning signs, the
unit table with the total, the same charts (inline SVG, split into parts a page can hold) and
the shared items where units differ most, then the signature of whoever prepared it. It reads
nothing itself: the caller reads inside ``tenancy.door.cross_tenant_read`` and passes the results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from flask import render_template
from flask_babel import gettext as _

from tenant_app import charts
from tenant_app.models.base import utcnow
from tenant_app.services.comparison.comparison import Comparison, UnitFigures
from tenant_app.services.evaluation.score_display import local_day, number
from tenant_app.services.files.pdf_context import chunked, figure, part_title
from tenant_app.services.province import identity

GRADES = ("HTXS", "HTT", "HTNV", "KHTNV")
# A4 landscape less the margins: 257 mm wide; a chart may take about 165 mm of height.
CHART_WIDTH_MM = 257
CHART_HEIGHT_MM = 165
# Rows per part of a bar chart: 25 rows fill a landscape page with labels still readable
# (at most pdf_context.CHART_ROWS, the most a page holds at all).
CHART_ROWS = 25


def _pct(value: Decimal | None, places: int = 1) -> str:
    if value is None:
        return "—"
    if value.is_infinite():
        return _("vượt")
    return f"{number(value, places)} %"


def _row(unit: UnitFigures, name: str) -> dict:
    """One row of the unit table as display text (the page's columns, the page's rounding)."""
    row = {"name": name, "flags": len(unit.flags), "empty": unit.agg is None}
    if unit.agg is None:
        return row
    agg = unit.agg
    return {
        **row,
        "people": str(unit.people),
        "grades": [(str(unit.grades[g]), _pct(unit.shares[g])) for g in GRADES],
        "mean": number(unit.mean),
        "stdev": number(unit.stdev),
        "min": number(agg.total_min),
        "max": number(agg.total_max),
        "htxs_of_htt": _pct(unit.htxs_of_htt),
        "quota": f"{agg.quota_htxs} / {agg.quota_allowed}",
        "quota_over": agg.quota_htxs > agg.quota_allowed,
        "quota_groups": [
            {
                "text": f"{g['group']}: {g['htxs']} / {g['allowed']}",
                "over": g["htxs"] > g["allowed"],
            }
            for g in agg.quota_groups or []
        ],
        "late": _pct(unit.late_share),
        "returned": _pct(unit.returned_share),
        "self_gap": number(unit.self_gap),
        "self_gap_abs": number(unit.self_gap_abs),
        "self_equal": _pct(unit.self_equal_share),
    }


def _spread(spread: Sequence[Mapping]) -> list[dict]:
    return [
        {
            "code": s["code"],
            "name": s["name"],
            "units": str(s["units"]),
            "best": f"{s['best'].tenant.name}: {_pct(s['best'].score, 2)}",
            "worst": f"{s['worst'].tenant.name}: {_pct(s['worst'].score, 2)}",
            "spread": number(s["spread"]),
        }
        for s in spread
    ]


def _fit(svg) -> dict:
    return figure(svg, CHART_HEIGHT_MM, CHART_WIDTH_MM)


def _charts(
    result: Comparison,
    units: Sequence[UnitFigures],
    total_label: str,
    title_scope: str,
    trend: tuple[Sequence[str], Mapping[str, Sequence]],
) -> list[dict]:
    """The page's charts: grade distribution and ranking (in parts of at most ``CHART_ROWS``
    rows), then the trend."""
    out = []
    rows = [(u.tenant.name, u.grades) for u in units] + [(total_label, result.province.grades)]
    title = _("Cơ cấu xếp loại – %(s)s", s=title_scope)
    parts = chunked(rows, CHART_ROWS)
    for i, part in enumerate(parts, 1):
        svg = charts.grade_distribution(part, title=part_title(title, i, len(parts)))
        out.append(_fit(svg))
    # Ranked over all units first, so the parts follow on from one another.
    known = sorted((u for u in units if u.mean is not None), key=lambda u: u.mean, reverse=True)
    ranked = [(u.tenant.name, u.mean) for u in known]
    ranked += [(u.tenant.name, None) for u in units if u.mean is None]
    title = _("Điểm bình quân theo đơn vị – %(s)s", s=title_scope)
    reference = result.province.mean if known else None
    parts = chunked(ranked, CHART_ROWS)
    for i, part in enumerate(parts, 1):
        svg = charts.ranking(
            part,
            title=part_title(title, i, len(parts)),
            value_label=_("Điểm bình quân"),
            reference=reference,
            reference_label=_("Bình quân chung"),
        )
        out.append(_fit(svg))
    labels, lines = trend
    if labels:
        svg = charts.trend(
            list(labels),
            dict(lines),
            title=_("Điểm bình quân %(n)d kỳ gần nhất", n=len(labels)),
            y_label=_("Điểm bình quân"),
        )
        out.append(_fit(svg))
    return out


def comparison_context(
    result: Comparison,
    *,
    title_scope: str,
    spread: Sequence[Mapping],
    trend: tuple[Sequence[str], Mapping[str, Sequence]],
    prepared_by: str,
    units: Sequence[UnitFigures] | None = None,
    total_label: str | None = None,
    today: date | None = None,
) -> dict:
    """What ``pdf/comparison.html`` shows, as display text and inline SVG charts."""
    units = list(result.units if units is None else units)
    total_label = str(total_label or _("Toàn tỉnh"))
    flags = [
        {"unit": u.tenant.name, "title": f.title, "detail": f.detail}
        for u in result.units
        for f in u.flags
    ]
    return {
        "title_scope": title_scope,
        "visibility": result.visibility,
        "flags": flags,
        "flagged": len(result.flagged),
        "rows": [_row(u, u.tenant.name) for u in units],
        "total": _row(result.province, total_label),
        "charts": _charts(result, units, total_label, title_scope, trend),
        "spread": _spread(spread),
        "prepared_by": prepared_by or "",
        "signed_on": today or local_day(utcnow()),
        "unit_count": len(units),
    }


def comparison_pdf(
    result: Comparison,
    *,
    title_scope: str,
    spread: list,
    trend: tuple,
    prepared_by: str,
    units: Sequence[UnitFigures] | None = None,
    total_label: str | None = None,
    today: date | None = None,
) -> bytes:
    """Return the PDF of the comparison ``result``.

    ``title_scope`` names the scope (Tháng 10/2026); ``spread`` is ``comparison.item_spread``'s
    list (the top items); ``trend`` is ``(x labels, {line name: means})`` as the page draws it;
    ``prepared_by`` signs as người lập báo cáo. ``units`` orders the table and the grade chart
    (default: the result's order); ``total_label`` names the total row (default: Toàn tỉnh);
    ``today`` dates the report.
    """
    # Imported here: WeasyPrint loads Pango when imported, which the rest of the app never needs.
    from weasyprint import HTML

    from tenant_app.security import pdf_fetcher

    context = comparison_context(
        result,
        title_scope=title_scope,
        spread=spread,
        trend=trend,
        prepared_by=prepared_by,
        units=units,
        total_label=total_label,
        today=today,
    )
    logo, also = identity.logo_for_print()
    html = render_template("pdf/comparison.html", **context, province_logo=logo)
    return HTML(string=html, url_fetcher=pdf_fetcher.fetcher(also=also)).write_pdf()


def comparison_filename(scope: str) -> str:
    """The download name, e.g. ``Báo cáo so sánh 2026-10.pdf``."""
    return f"{_('Báo cáo so sánh')} {scope}.pdf"
