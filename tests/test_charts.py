"""Server-side SVG charts: safe inline markup, right numbers, stable output, readable in a PDF."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from tenant_app import charts

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
TRICKY = "A<&>B"

WARDS = [
    ("Phường Hạc Thành", {"HTXS": 1, "HTT": 4, "HTNV": 2, "KHTNV": 1}),
    (TRICKY, {"HTXS": 3, "HTT": 10, "HTNV": 1}),
    ("Xã Trống", {}),
]
SCORES = [
    ("Phường Hạc Thành", Decimal("78.456")),
    (TRICKY, 91.2),
    ("Xã Chưa Chấm", None),
    ("Phường Quảng Phú", Decimal("65")),
    ("Phường Sầm Sơn", Decimal("99.995")),
]


def draw_all() -> dict[str, str]:
    return {
        "grades": charts.grade_distribution(WARDS, title="Xếp loại 2025"),
        "ranking": charts.ranking(
            SCORES,
            title="Điểm bình quân",
            value_label="Điểm",
            highlight={TRICKY},
            reference=Decimal("80.5"),
            reference_label="Trung bình tỉnh",
        ),
        "trend": charts.trend(
            ["2023", "2024", "2025"],
            {"Phường Hạc Thành": [70, None, Decimal("82.25")], TRICKY: [65, 68, 71]},
            title="Diễn biến",
            y_label="Điểm",
        ),
        "histogram": charts.histogram([12, 49.99, 50, 70, 89, 90, 100, None], title="Phân bố"),
    }


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in parse(svg).iter(f"{SVG}text")]


def rows_top_down(svg: str, labels) -> list[str]:
    """The given labels as drawn on the category axis, from the top."""
    found = [t for t in parse(svg).iter(f"{SVG}text") if t.text in set(labels)]
    return [t.text for t in sorted(found, key=lambda t: float(t.get("y")))]


@pytest.mark.parametrize("name", ["grades", "ranking", "trend", "histogram"])
def test_chart_is_safe_inline_svg(name):
    """Well-formed SVG: no declaration, no script, no link out, a title and a desc, scoped CSS."""
    svg = draw_all()[name]
    root = parse(svg)
    assert str(svg).startswith("<svg ") and "<?xml" not in svg
    assert root.tag == f"{SVG}svg"
    assert "<script" not in svg and "javascript" not in svg.lower()
    assert "href" not in svg and "url(" not in svg and "@import" not in svg and "<!--" not in svg
    assert set(re.findall(r"https?://[^\s\"'<>]+", svg)) <= NAMESPACES
    children = [child.tag for child in root]
    assert f"{SVG}title" in children and f"{SVG}desc" in children
    assert root.find(f"{SVG}desc").text and root.find(f"{SVG}title").text
    assert root.get("viewBox").startswith("0 0 800 ") and root.get("width") is None
    chart_id = root.get("id")
    assert re.fullmatch(r"chart-[0-9a-f]{12}", chart_id)
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    css = root.find(f"{SVG}defs/{SVG}style").text
    selectors = [
        s.strip() for rule in css.split("}") if "{" in rule for s in rule.split("{")[0].split(",")
    ]
    assert selectors and all(s.startswith(f"#{chart_id}") for s in selectors)


def test_charts_are_deterministic():
    """The same input gives the same text; another input another id."""
    first, second = draw_all(), draw_all()
    assert first == second
    other = charts.grade_distribution(WARDS[:1], title="Xếp loại 2025")
    assert parse(other).get("id") != parse(first["grades"]).get("id")


def test_labels_are_escaped():
    """A label with markup characters is text, never markup."""
    drawn = draw_all()
    del drawn["histogram"]  # no user label there
    for svg in drawn.values():
        assert TRICKY not in svg
        assert "A&lt;&amp;&gt;B" in svg
        assert TRICKY in texts(svg) or any(
            TRICKY in (node.text or "") for node in parse(svg).iter(f"{SVG}title")
        )


def test_control_characters_do_not_break_the_xml():
    svg = charts.ranking([("Phường\x00\x0b X", 1)], title="T\x01", value_label="Điểm")
    assert "Phường X" in texts(svg)


def test_grade_distribution_shares_in_vietnamese():
    """1 HTXS of 8 people is 12,5 %; each share is printed when it is wide enough."""
    svg = charts.grade_distribution(WARDS, title="Xếp loại 2025")
    shown = texts(svg)
    assert "12,5 %" in shown  # 1 of 8 HTXS, 1 of 8 KHTNV
    assert "50,0 %" in shown and "25,0 %" in shown  # 4 and 2 of 8
    assert "71,4 %" in shown and "21,4 %" in shown  # 10 and 3 of 14
    assert "7,1 %" in shown  # 1 of 14
    for name in ("Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành", "Không hoàn thành"):
        assert name in shown
    assert rows_top_down(svg, [w for w, _ in WARDS]) == [w for w, _ in WARDS]
    tips = [node.text for node in parse(svg).iter(f"{SVG}title")]
    assert "Phường Hạc Thành – Hoàn thành xuất sắc: 1/8 (12,5 %)" in tips


def test_grade_distribution_empty_rows_and_no_rows():
    """A row with nobody is drawn empty and says so; no row at all says there is no data."""
    svg = charts.grade_distribution([("Xã Trống", {"HTXS": 0})], title="T")
    assert "Chưa có số liệu" in texts(svg)
    assert "NaN" not in svg and "inf" not in svg
    svg = charts.grade_distribution(WARDS, title="T")
    assert "chưa có số liệu" in texts(svg)
    assert "Xã Trống (0 người): —." in parse(svg).find(f"{SVG}desc").text
    assert "Chưa có số liệu" in texts(charts.grade_distribution([], title="T"))


def test_long_labels_are_cut_on_the_axis_only():
    """A long name is cut to 40 characters on the axis; hover text and desc keep it whole."""
    name = "Phường " + "Hạc Thành " * 6
    svg = charts.ranking([(name, 80)], title="T", value_label="Điểm")
    assert name[:39] + "…" in texts(svg)
    assert name in parse(svg).find(f"{SVG}desc").text
    assert f"{name}: 80,00" in {node.text for node in parse(svg).iter(f"{SVG}title")}


def test_grade_distribution_height_grows_with_rows():
    def height(n):
        rows = [(f"Phường {i}", {"HTT": 1}) for i in range(n)]
        return int(parse(charts.grade_distribution(rows, title="T")).get("viewBox").split()[3])

    assert height(2) < height(10) < height(40)


def test_ranking_sorted_with_missing_last():
    """Highest first, ties in input order, rows without value last; values with 2 decimals."""
    svg = charts.ranking(SCORES, title="Điểm bình quân", value_label="Điểm")
    assert rows_top_down(svg, [label for label, _ in SCORES]) == [
        "Phường Sầm Sơn",
        TRICKY,
        "Phường Hạc Thành",
        "Phường Quảng Phú",
        "Xã Chưa Chấm",
    ]
    shown = texts(svg)
    assert {"100,00", "91,20", "78,46", "65,00"} <= set(shown)  # rounded half up
    assert "chưa có số liệu" in shown
    desc = parse(svg).find(f"{SVG}desc").text
    assert "1. Phường Sầm Sơn: 100,00." in desc and "Chưa có số liệu: Xã Chưa Chấm." in desc
    ties = charts.ranking([("B", 5), ("A", 5), ("C", 6)], title="T", value_label="V")
    assert rows_top_down(ties, "ABC") == ["C", "B", "A"]


def test_ranking_highlight_and_reference():
    svg = charts.ranking(
        SCORES,
        title="T",
        value_label="Điểm",
        highlight={TRICKY},
        reference=Decimal("80.5"),
        reference_label="Trung bình tỉnh",
    )
    root = parse(svg)
    coloured = [g for g in root.iter(f"{SVG}g") if "#d55e00" in (g.get("style") or "")]
    assert [g.find(f"{SVG}title").text for g in coloured] == [f"{TRICKY}: 91,20"]
    assert "Trung bình tỉnh: 80,50" in texts(svg)
    assert any(p.get("stroke-dasharray") for p in root.iter(f"{SVG}path"))


def test_ranking_only_missing_values():
    svg = charts.ranking([("Xã A", None)], title="T", value_label="Điểm")
    assert "Chưa có số liệu" in texts(svg)


def test_trend_gaps_and_axis():
    """None leaves a gap; the axis is 0–100 unless a value goes beyond."""
    svg = charts.trend(
        ["2023", "2024", "2025"], {"P": [70, None, Decimal("82.25")]}, title="T", y_label="Điểm"
    )
    root = parse(svg)
    dots = [c for c in root.iter(f"{SVG}circle") if "dot" in (c.get("class") or "")]
    assert len(dots) == 2
    tips = {node.text for node in root.iter(f"{SVG}title")}
    assert {"P – 2023: 70,00", "P – 2025: 82,25"} <= tips
    assert (
        "100" in texts(svg) and "P: 2023 70,00, 2024 —, 2025 82,25." in root.find(f"{SVG}desc").text
    )
    wide = charts.trend(["a", "b"], {"P": [50, 130]}, title="T", y_label="Điểm")
    assert {"0", "50", "100", "150"} <= set(texts(wide))
    with pytest.raises(ValueError):
        charts.trend(["a", "b"], {"P": [1]}, title="T", y_label="Điểm")


def test_histogram_bins_and_thresholds():
    """Bands are [a, b) with the last closed; thresholds 50/70/90 are marked."""
    svg = charts.histogram([12, 49.99, 50, 70, 89, 90, 100, 120, None], title="Phân bố")
    root = parse(svg)
    tips = {node.text for node in root.iter(f"{SVG}title")}
    assert {"10–20: 1 người", "40–50: 1 người", "50–60: 1 người", "90–100: 2 người"} <= tips
    assert {"0–10: 0 người", "80–90: 1 người"} <= tips
    shown = texts(svg)
    assert {"HTNV ≥ 50", "HTT ≥ 70", "HTXS ≥ 90"} <= set(shown)
    assert "1 giá trị ngoài khoảng." in root.find(f"{SVG}desc").text
    custom = charts.histogram([1.5, 2.5], title="T", bins=[0, 2.5, 5], thresholds=())
    assert {"0–2,5: 1 người", "2,5–5: 1 người"} <= {
        n.text for n in parse(custom).iter(f"{SVG}title")
    }
    with pytest.raises(ValueError):
        charts.histogram([1], title="T", bins=[10, 0])


def test_charts_inside_a_request(app):
    """Inside a request the functions work the same (Vietnamese by default)."""
    with app.test_request_context("/"):
        svg = charts.grade_distribution(WARDS, title="T")
    assert "12,5 %" in texts(svg)


def test_weasyprint_embeds_charts_with_extractable_text():
    """WeasyPrint draws the inline SVG in the PDF, Vietnamese text and numbers included."""
    import weasyprint
    from pypdf import PdfReader

    body = "".join(f"<div>{svg}</div>" for svg in draw_all().values())
    page = "<style>@page { size: A4; margin: 15mm }</style>"
    pdf = weasyprint.HTML(string=f"<html><head>{page}</head><body>{body}</body></html>").write_pdf()
    pages = PdfReader(io.BytesIO(pdf)).pages
    # Scaled to the page width keeping the ratio: the four charts fit on two pages.
    assert len(pages) == 2
    text = "\n".join(page.extract_text() for page in pages)
    for expected in ("Phường Hạc Thành", TRICKY, "12,5 %", "Hoàn thành xuất sắc", "91,20",
                     "Trung bình tỉnh: 80,50", "Xếp loại 2025", "HTXS ≥ 90"):  # fmt: skip
        assert expected in text
