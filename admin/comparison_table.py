"""What the units page of the comparison shows of a scope: the unit table's rows, the charts.

With every unit of a province selected the table has 300 rows of 17 cells; drawn through Jinja
macros (one call per cell, one gettext lookup per row) it was most of the page's time, so the
rows are written here, in Python. The HTML is the one the macros wrote: the same cells, classes,
links and numbers. ``units_parts`` builds everything the page caches (``read_cache``).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from admin.comparison_common import (
    SPREAD_TOP,
    TREND_MAX_UNITS,
    TREND_SCOPES,
    as_image,
    scope_label,
    scope_short,
)
from tenant_app import charts
from tenant_app.formatting import number_formatter
from tenant_app.models.comparison import GRADES
from tenant_app.services.comparison import comparison, comparison_export

DASH = Markup('<span class="muted">—</span>')


class RowWriter:
    """Writes unit rows with the request's language: messages and number signs looked up once."""

    def __init__(self, scope: str):
        self.scope = scope
        self.number: Callable = number_formatter()
        self.no_data = escape(_("Chưa có số liệu trong kỳ này"))
        self.over = Markup('<span class="over">{}</span>').format(_("vượt"))
        self.by_group = escape(_("theo nhóm"))
        self.htt_pattern = _("%(n)d HTT")  # formatted per group below, as gettext would

    def num(self, value, places: int = 2) -> str:
        return DASH if value is None else self.number(value, places)

    def pct(self, value, places: int = 1) -> str:
        if value is None:
            return DASH
        if value.is_infinite():
            return self.over
        return f"{self.number(value, places)}&nbsp;%"

    def _quota(self, agg) -> str:
        over = "over" if agg.htxs > agg.quota_allowed else ""
        cell = f'<span class="{over}">{agg.htxs} / {agg.quota_allowed}</span>'
        if agg.quota_groups:
            items = "".join(
                f'<li class="{"over" if g["htxs"] > g["allowed"] else ""}">'
                f"{escape(g['group'])}: {g['htxs']} / {g['allowed']}"
                f' <span class="muted">({escape(self.htt_pattern % {"n": g["htt"]})})</span></li>'
                for g in agg.quota_groups
            )
            cell += (
                f'<details class="quota-groups"><summary>{self.by_group}</summary>'
                f"<ul>{items}</ul></details>"
            )
        return cell

    def row(self, unit, name: str, link: str | None) -> Markup:
        """One unit's ``<tr>``; ``link`` (its drill-down) or None."""
        head = Markup('<a href="{}">{}</a>').format(link, name) if link else escape(name)
        if unit.flags:
            titles = ", ".join(f.title for f in unit.flags)
            head += Markup(' <span class="badge off" title="{}">{}</span>').format(
                titles, len(unit.flags)
            )
        out = [
            '<tr class="has-flags">' if unit.flags else "<tr>",
            f'<th scope="row" class="unit">{head}</th>',
        ]
        agg = unit.agg
        if agg is None:
            out.append(f'<td class="num muted" colspan="16">{self.no_data}</td></tr>')
            return Markup("".join(out))  # noqa: S704 (every text in it is escaped above)
        shares = unit.shares
        grades = unit.grades
        cells = [str(unit.people)]
        cells += [f'{grades[g]} <span class="share">{self.pct(shares[g])}</span>' for g in GRADES]
        cells += [
            self.num(unit.mean),
            self.num(unit.stdev),
            self.num(agg.total_min),
            self.num(agg.total_max),
            self.pct(unit.htxs_of_htt),
            self._quota(agg),
            self.pct(unit.late_share),
            self.pct(unit.returned_share),
            self.num(unit.self_gap),
            self.num(unit.self_gap_abs),
            self.pct(unit.self_equal_share),
        ]
        for n, cell in enumerate(cells):
            out.append(
                f'<td class="num strong">{cell}</td>' if n == 5 else f'<td class="num">{cell}</td>'
            )
        out.append("</tr>")
        return Markup("".join(out))  # noqa: S704 (names, links and titles escaped; numbers)

    def unit_rows(self, units) -> list[Markup]:
        """The rows of ``units``; a unit without figures this period has no drill-down link (it
        would be a "no data" 404)."""
        return [
            self.row(
                u,
                u.tenant.name,
                url_for("admin_comparison.unit", slug=u.tenant.slug, period=self.scope)
                if u.agg is not None
                else None,
            )
            for u in units
        ]


# --- the page's parts: charts, notes and the rows, built once per state of the figures


def trend_lines(scope, ids, visibility) -> tuple[list[str], dict]:
    """The trend chart's data: (scope labels, {line name: mean per scope}); one line per unit
    when there are few, and the overall mean."""
    scopes, series, overall = comparison.trend(scope, ids, visibility, TREND_SCOPES)
    lines = dict(series) if len(series) <= TREND_MAX_UNITS else {}
    lines[overall_label(ids)] = overall
    return [scope_short(s) for s in scopes], lines


def _trend_charts(scope, ids, visibility):
    labels, lines = trend_lines(scope, ids, visibility)
    return charts.trend(
        labels,
        lines,
        title=_("Điểm bình quân %(n)d kỳ gần nhất", n=len(labels)),
        y_label=_("Điểm bình quân"),
    )


CHART_UNITS = 30  # the page's bar charts draw at most this many units (the table lists all)


def _chart_units(units) -> tuple[list, str | None]:
    """The units the page's bar charts draw, and a note when they are not all of them: beyond
    CHART_UNITS, the half with the highest mean total and the half with the lowest."""
    if len(units) <= CHART_UNITS:
        return units, None
    ranked = sorted((u for u in units if u.mean is not None), key=lambda u: u.mean, reverse=True)
    half = CHART_UNITS // 2
    chosen = ranked if len(ranked) <= CHART_UNITS else ranked[:half] + ranked[-half:]
    note = _(
        "Biểu đồ cột vẽ %(k)d đơn vị có điểm bình quân cao nhất và %(k)d đơn vị thấp nhất; "
        "bảng số liệu có đủ %(n)d đơn vị, báo cáo PDF vẽ tất cả.",
        k=half,
        n=len(units),
    )
    return chosen, note


def overall_label(ids) -> str:
    return _("Các đơn vị đã chọn") if ids else _("Toàn tỉnh")


def units_parts(scope, ids, visibility, sort) -> dict:
    """What the units page shows of ``scope`` beside the pickers: the comparison, the most
    different items, the unit table's rows and the charts (inside the door)."""
    result = comparison.compare(scope, ids, visibility)
    units = comparison_export.sort_units(result.units, sort)
    spread = comparison.item_spread(scope, ids, visibility)[:SPREAD_TOP]
    trend_chart = _trend_charts(scope, ids, visibility)
    overall = overall_label(ids)
    writer = RowWriter(scope)
    with_data = [u for u in units if u.people]
    drawn, chart_note = _chart_units(units)
    charts_drawn = [
        as_image(
            charts.grade_distribution(
                [(u.tenant.name, u.grades) for u in drawn] + [(overall, result.province.grades)],
                title=_("Cơ cấu xếp loại – %(s)s", s=scope_label(scope)),
            )
        ),
        as_image(
            charts.ranking(
                [(u.tenant.name, u.mean) for u in drawn],
                title=_("Điểm bình quân theo đơn vị – %(s)s", s=scope_label(scope)),
                value_label=_("Điểm bình quân"),
                reference=result.province.mean if with_data else None,
                reference_label=_("Bình quân chung"),
            )
        ),
        as_image(trend_chart),
    ]
    return {
        # What the template reads of the comparison (its flagged units) and no more: an entry
        # holding all 300 units' figures weighed about 2.7 MB in each worker's cache.
        "result": SimpleNamespace(flagged=result.flagged),
        "spread": spread,
        "unit_rows": writer.unit_rows(units),
        "total_row": writer.row(result.province, overall, None),
        "chart_note": chart_note,
        "charts": charts_drawn,
    }
