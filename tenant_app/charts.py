"""Comparison charts drawn on the server as inline SVG (pygal): one drawing for pages and PDFs.

Each function returns ``Markup`` holding one ``<svg>`` with a ``<title>`` and a ``<desc>``: no
XML declaration, no script, nothing fetched from elsewhere, the same text for the same input and
language. Its CSS is scoped by an id hashed from the drawing, so charts can share a page. Numbers
follow the user's language (Vietnamese by default: 12,5 %, 78,63); labels are user data and go
through the XML serializer, which escapes them.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from itertools import pairwise

import pygal
from flask_babel import gettext as _
from markupsafe import Markup
from pygal.etree import etree
from pygal.style import Style

from tenant_app.services.evaluation import score_display

# pygal appends a legacy ``sys.meta_path`` finder for its map plugins (unused here) that has no
# ``find_spec``; tools that walk ``sys.meta_path`` (pytest's importlib mode, importlib.util)
# fail on it. The charts never import a map plugin, so the finder is taken out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

WIDTH = 800
FONT = "DejaVu Sans, Noto Sans, sans-serif"
GRADES = ("HTXS", "HTT", "HTNV", "KHTNV")
# Blue-green, teal, amber, vermilion: the greens lean to blue and the red to orange, and the
# lightness differs, so the grades stay apart without red-green vision.
GRADE_COLOURS = ("#00735c", "#5ab4ac", "#f6c141", "#c8381f")
# Okabe-Ito (colour-blind safe): bars, highlighted bars, then one colour per line.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
INK = "#222222"
DARK = {"#00735c", "#c8381f", "#0072b2", "#d55e00", "#009e73", "#000000"}
_NOTE = {"fill": "#555555", "font-size": "11", "font-style": "italic"}
_LABEL = {"fill": INK, "font-size": "11"}
_DASHED = {"stroke": INK, "stroke-width": "1.5", "stroke-dasharray": "6,4", "fill": "none"}
_ID = "kpichartid"  # replaced by a hash of the finished drawing
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Number = Decimal | float | int


def grade_labels() -> dict[str, str]:
    """Return the grade names shown in legends, in the current language."""
    return {
        "HTXS": _("Hoàn thành xuất sắc"),
        "HTT": _("Hoàn thành tốt"),
        "HTNV": _("Hoàn thành"),
        "KHTNV": _("Không hoàn thành"),
    }


def number(value: Number | None, places: int = 2) -> str:
    """``value`` rounded half up to ``places`` decimals in the user's language (78,63); None: —."""
    return score_display.number(value, places)


def percent(value: Number) -> str:
    """A percentage with one decimal (12,5 %)."""
    return f"{number(value, 1)} %"


def _short(value: Number) -> str:
    """A number without trailing zeros (10, 2,5), to 6 decimals at most."""
    exact = round(Decimal(str(value)), 6).normalize()
    return number(exact, max(-exact.as_tuple().exponent, 0))


def _text(value: object) -> str:
    """``value`` as text that XML can hold (control characters dropped)."""
    return _NOT_XML.sub("", str(value))


def _axis_label(value: object, size: int = 40) -> str:
    """A row label for an axis, cut to ``size`` characters (the full text is in tooltips)."""
    text = _text(value)
    return text if len(text) <= size else text[: size - 1] + "…"


def _chart(
    kind, *, title: str, height: int, colours: Sequence[str], inside=True, line=1, **options
):
    """A pygal chart WIDTH wide in the house style; ``options`` are pygal's."""
    # Values printed inside bars: white on the dark colours, ink on the light ones.
    value_colours = tuple("#ffffff" if inside and c in DARK else INK for c in colours)
    style = Style(
        font_family=FONT, background="transparent", plot_background="#ffffff",
        foreground="#333333", foreground_strong=INK, foreground_subtle="#bbbbbb",
        colors=tuple(colours), value_colors=value_colours, guide_stroke_color="#cccccc",
        major_guide_stroke_color="#999999", opacity="1", opacity_hover="1", transition="0s",
        stroke_width=str(line), stroke_width_hover=str(line),
        title_font_size=15, legend_font_size=12, label_font_size=12, major_label_font_size=12,
        value_font_size=11, tooltip_font_size=12, no_data_font_size=18,
    )  # fmt: skip
    return kind(
        style=style, width=WIDTH, height=height, explicit_size=False, js=[],
        disable_xml_declaration=True, title=_text(title), no_data_text=_("Chưa có số liệu"),
        **{"legend_at_bottom": True, "legend_at_bottom_columns": 4, "truncate_legend": 28,
           "value_formatter": _short, "formatter": number, **options},
    )  # fmt: skip


def _axis(values: Sequence[Decimal], count: int = 5) -> dict:
    """pygal options for a value axis of round ticks covering 0 and ``values``."""
    low, high = min([Decimal(0), *values]), max([Decimal(0), *values])
    raw = (high - low or Decimal(1)) / count
    power = Decimal(10) ** raw.adjusted()
    step = next(m * power for m in (1, 2, Decimal("2.5"), 5, 10) if m * power >= raw)
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    ticks = [float(first + i * step) for i in range(int((last - first) / step) + 1)]
    return {"range": (ticks[0], ticks[-1]), "y_labels": ticks}


def _point(value: Number | None, tooltip: str, **extra) -> dict | None:
    """A pygal value with its hover text (a ``<title>``); None stays None (no bar, a gap)."""
    return None if value is None else {"value": float(value), "tooltip": _text(tooltip), **extra}


def _add(parent, tag: str, attrs: dict[str, str], text: str | None = None) -> None:
    etree.SubElement(parent, tag, attrs).text = text


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else "#comment"


def _render(chart, desc: str, draw: Callable | None = None) -> Markup:
    """Render ``chart`` for inline use; ``draw(view, plot)`` adds marks on the plot."""
    chart.uuid = _ID

    def finish(root):
        # Comments carry links and today's date; scripts, desc and the tooltip box serve pygal's
        # script only; guides' titles show raw floats.
        for parent in list(root.iter()):
            for child in list(parent):
                tag, cls = _local(child.tag), child.get("class") or ""
                if (
                    tag in ("#comment", "script", "desc")
                    or "tooltip-overlay" in cls
                    or (tag == "title" and "guides" in (parent.get("class") or ""))
                ):
                    parent.remove(child)
            if (parent.get("id") or "").startswith("activate-serie"):
                del parent.attrib["id"]  # the same ids in every chart of a page
        root.set("role", "img")
        root.set("aria-labelledby", f"chart-{_ID}-title chart-{_ID}-desc")
        # No width/height attributes: the drawing fills its box up to WIDTH keeping its ratio in
        # browsers and in WeasyPrint (which squares it when they meet "height: auto").
        root.set("style", f"width: 100%; max-width: {WIDTH}px; height: auto")
        title = next(c for c in root if _local(c.tag) == "title")
        title.set("id", f"chart-{_ID}-title")
        node = etree.Element("desc", {"id": f"chart-{_ID}-desc"})
        node.text = _text(desc)
        root.insert(list(root).index(title) + 1, node)
        plot = next((g for g in root.iter() if g.get("class") == "plot text-overlay"), None)
        if draw is not None and plot is not None:
            draw(chart.view, plot)
        return root

    chart.add_xml_filter(finish)
    svg = chart.render(is_unicode=True)
    # Safe: every text and attribute went through the XML serializer, which escapes it.
    return Markup(svg.replace(_ID, hashlib.sha256(svg.encode()).hexdigest()[:12]))  # noqa: S704


def _row_notes(rows: Iterable[int], count: int, text: str) -> Callable:
    """Draw ``text`` at the start of rows (pygal's index, from the bottom) of horizontal bars."""

    def draw(view, plot):
        for i in rows:
            where = {"x": f"{view.y(0) + 6:.2f}", "y": f"{view.x((i + 0.5) / count) + 4:.2f}"}
            _add(plot, "text", {**where, **_NOTE}, text)

    return draw


def _vertical_mark(view, plot, x: float, label: str) -> None:
    """A dashed line across the plot at ``x`` pixels, ``label`` above it."""
    _add(plot, "path", {"d": f"M{x:.2f} 0 V{view.height:.2f}", **_DASHED})
    # Right of the line when the label fits there (about 7 px a character), else left of it.
    anchor, dx = ("start", 4) if view.width - x > 7 * len(label) else ("end", -4)
    _add(plot, "text", {"x": f"{x + dx:.2f}", "y": "-6", "text-anchor": anchor, **_LABEL}, label)


def grade_distribution(rows: Sequence[tuple[str, Mapping[str, int]]], *, title: str) -> Markup:
    """One 100 % bar per row, top to bottom as given, split by grade; empty rows stay empty."""
    names, rows = grade_labels(), list(rows)
    n = len(rows)
    # The legend shares the plot's width: long row labels leave room for two columns only.
    columns = 4 if all(len(str(label)) <= 20 for label, _c in rows) else 2
    counts = [[int(c.get(g) or 0) for g in GRADES] for _label, c in rows]
    shares = [[Decimal(c) * 100 / (sum(row) or 1) for c in row] for row in counts]
    chart = _chart(
        pygal.HorizontalStackedBar, title=title, height=max(200, 130 + 30 * n + 80 // columns),
        colours=GRADE_COLOURS, x_labels=[_axis_label(label) for label, _c in reversed(rows)],
        legend_at_bottom_columns=columns,
        range=(0, 100), y_labels=list(range(0, 101, 20)), print_values=True,
        value_formatter=lambda v: f"{number(v, 0)} %",
        formatter=lambda v: percent(v) if v >= 7 else "",  # too narrow below 7 %
    )  # fmt: skip
    table = list(zip([label for label, _c in rows], counts, shares, strict=True))
    for k, grade in enumerate(GRADES):
        points = []
        for label, row, share in reversed(table):
            tip = f"{label} – {names[grade]}: {row[k]}/{sum(row)} ({percent(share[k])})"
            points.append(_point(share[k] if row[k] else None, tip))
        chart.add(names[grade], points)
    lines = [_("Tỷ lệ các mức xếp loại của từng dòng, trên số người được xếp loại.")]
    for label, row, share in table:
        parts = ", ".join(f"{names[g]} {percent(s)}" for g, s in zip(GRADES, share, strict=True))
        lines.append(_("%(label)s (%(total)s người): %(parts)s.", label=label, total=sum(row),
                       parts=parts if sum(row) else "—"))  # fmt: skip
    empty = [n - 1 - i for i, row in enumerate(counts) if not sum(row)]
    draw = _row_notes(empty, n, _("chưa có số liệu")) if len(empty) < n else None
    return _render(chart, " ".join(lines), draw)


def ranking(
    rows: Sequence[tuple[str, Number | None]],
    *,
    title: str,
    value_label: str,
    highlight: Iterable[str] | None = None,
    reference: Number | None = None,
    reference_label: str | None = None,
) -> Markup:
    """Horizontal bars from highest to lowest value (ties keep their order); rows without a
    value come last, marked "chưa có số liệu". ``highlight`` labels get another colour;
    ``reference`` (e.g. the province average) is a dashed line named ``reference_label``."""
    marked = {str(label) for label in highlight or ()}
    known = [(label, Decimal(str(v))) for label, v in rows if v is not None]
    known.sort(key=lambda row: row[1], reverse=True)  # stable: ties keep their order
    missing = [label for label, v in rows if v is None]
    ordered = known + [(label, None) for label in missing]
    ref = None if reference is None else Decimal(str(reference))
    chart = _chart(
        pygal.HorizontalBar, title=title, height=max(180, 120 + 28 * len(ordered)),
        colours=PALETTE[:1], x_labels=[_axis_label(label) for label, _v in reversed(ordered)],
        print_values=True, show_legend=False, x_title=_text(value_label),  # under the bars
        **_axis([v for _label, v in known] + ([ref] if ref is not None else [])),
    )  # fmt: skip
    colour = {"color": PALETTE[1]}
    values = [
        _point(v, f"{label}: {number(v)}", **(colour if str(label) in marked else {}))
        for label, v in reversed(ordered)
    ]
    chart.add(_text(value_label), values)
    ref_name = reference_label or _("Trung bình")
    ref_text = None if ref is None else f"{ref_name}: {number(ref)}"
    lines = [_("Xếp hạng theo %(value)s, từ cao xuống thấp:", value=value_label)]
    lines += [f"{i}. {label}: {number(v)}." for i, (label, v) in enumerate(known, 1)]
    if missing:
        lines.append(_("Chưa có số liệu: %(labels)s.", labels=", ".join(map(str, missing))))
    lines += [f"{ref_text}."] if ref_text else []

    def draw(view, plot):
        _row_notes(range(len(missing)), len(ordered), _("chưa có số liệu"))(view, plot)
        if ref_text:
            _vertical_mark(view, plot, view.y(float(ref)), ref_text)

    return _render(chart, " ".join(lines), draw if known else None)


def trend(
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[Number | None]],
    *,
    title: str,
    y_label: str,
) -> Markup:
    """A line with dots per series over ``x_labels`` (``None`` leaves a gap); the y axis runs
    0–100 unless a value falls outside, then it fits the values and 0."""
    x_labels = [_text(x) for x in x_labels]
    for name, values in series.items():
        if len(values) != len(x_labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(x_labels)} labels")
    found = [Decimal(str(v)) for values in series.values() for v in values if v is not None]
    axis = {"range": (0, 100), "y_labels": list(range(0, 101, 20))}
    chart = _chart(
        pygal.Line, title=title, height=340 + 22 * math.ceil(len(series) / 3), colours=PALETTE,
        legend_at_bottom_columns=3,
        x_labels=x_labels, x_label_rotation=30 if len(x_labels) > 8 else 0,
        y_title=_text(y_label), allow_interruptions=True, dots_size=3.5, line=2,
        **(axis if all(0 <= v <= 100 for v in found) else _axis(found)),
    )  # fmt: skip
    lines = [_("Diễn biến %(value)s:", value=y_label)]
    for name, values in series.items():
        pairs = list(zip(x_labels, values, strict=True))
        chart.add(_text(name), [_point(v, f"{name} – {x}: {number(v)}") for x, v in pairs])
        shown = ", ".join(f"{x} {'—' if v is None else number(v)}" for x, v in pairs)
        lines.append(f"{name}: {shown}.")
    return _render(chart, " ".join(lines))


def histogram(
    values: Iterable[Number | None],
    *,
    title: str,
    bins: Sequence[Number] | None = None,
    thresholds: Sequence[Number] = (50, 70, 90),
) -> Markup:
    """People per band of total score ([a, b), the last one closed), bars in their grade's
    colour, and the grade thresholds (lower bounds of HTNV, HTT, HTXS) as dashed lines."""
    edges = [Decimal(str(b)) for b in (bins if bins is not None else range(0, 101, 10))]
    if len(edges) < 2 or any(a >= b for a, b in pairwise(edges)):
        raise ValueError("bins must be at least two increasing edges")
    counts, outside = [0] * (len(edges) - 1), 0
    for value in (Decimal(str(v)) for v in values if v is not None):
        if edges[0] <= value <= edges[-1]:
            counts[min(bisect_right(edges, value) - 1, len(counts) - 1)] += 1
        else:
            outside += 1
    limits = sorted(Decimal(str(t)) for t in thresholds)
    codes = ("HTNV", "HTT", "HTXS") if len(limits) == 3 else ("",) * len(limits)
    step = max(1, math.ceil(max(counts) / 5))
    top = step * math.ceil((max(counts) + step / 2) / step)  # room for the count above a bar
    labels = [f"{_short(a)}–{_short(b)}" for a, b in pairwise(edges)]
    chart = _chart(
        pygal.Bar, title=title, height=360, colours=PALETTE[:1], inside=False, x_labels=labels,
        range=(0, top), y_labels=list(range(0, top + 1, step)), print_values=True,
        print_values_position="top", show_legend=False, x_title=_("Tổng điểm"),
        y_title=_("Số người"), value_formatter=lambda v: number(v, 0),
        formatter=lambda v: number(v, 0) if v else "",
    )  # fmt: skip
    bars = []
    for (a, b), count, label in zip(pairwise(edges), counts, labels, strict=True):
        bar = {"value": count, "tooltip": _("%(band)s: %(count)s người", band=label, count=count)}
        grades = {GRADES[-1 - bisect_right(limits, x)] for x in (a, b - Decimal("1e-9"))}
        if len(limits) == 3 and len(grades) == 1:  # the band lies within one grade
            bar["color"] = GRADE_COLOURS[GRADES.index(grades.pop())]
        bars.append(bar)
    chart.add(_("Số người"), bars)
    lines = [_("Phân bố tổng điểm của %(count)s người:", count=sum(counts))]
    lines += [f"{label}: {count}." for label, count in zip(labels, counts, strict=True)]
    if outside:
        lines.append(_("%(count)s giá trị ngoài khoảng.", count=outside))

    def draw(view, plot):
        for code, limit in zip(codes, limits, strict=True):
            if edges[0] <= limit <= edges[-1]:
                i = min(bisect_right(edges, limit) - 1, len(counts) - 1)
                where = (i + (limit - edges[i]) / (edges[i + 1] - edges[i])) / len(counts)
                mark = f"{code} ≥ {_short(limit)}".strip()
                _vertical_mark(view, plot, view.x(float(where)), mark)

    return _render(chart, " ".join(lines), draw)
