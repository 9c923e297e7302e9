"""Finding 9: WeasyPrint loads nothing but the package's own static files.

Every PDF of the app is printed with ``pdf_fetcher.fetcher()``; ``file://`` outside
``tenant_app/static``, ``http(s)://`` and ``data:`` are refused, and the real forms still print
with their fonts.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tenant_app.security import pdf_fetcher
from tenant_app.services.comparison import comparison_pdf
from tenant_app.services.files import pdf_forms
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import golden_month, ward_today

SECRET = "BI-MAT-MAY-CHU"


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture()
def secret_css(tmp_path):
    """A stylesheet outside the package that would print SECRET if it were loaded."""
    path = tmp_path / "secret.css"
    path.write_text(f'body::after {{ content: "{SECRET}"; }}')
    return path


@pytest.fixture()
def calls(monkeypatch):
    """Every URL the app's fetcher is asked for, with what it answered ("served"/"refused")."""
    seen: list[tuple[str, str]] = []
    original = pdf_fetcher.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except pdf_fetcher.RefusedResource:
            seen.append((url, "refused"))
            raise
        seen.append((url, "served"))
        return response

    monkeypatch.setattr(pdf_fetcher.StaticOnlyFetcher, "fetch", spy)
    return seen


def _hostile_html(css_path) -> str:
    return (
        f'<html><head><link rel="stylesheet" href="{css_path.as_uri()}">'
        '<link rel="stylesheet" href="file:///etc/hostname">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        '<body><p>Phiếu đánh giá</p><img src="file:///etc/passwd">'
        '<img src="data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A//www.w3.org/2000/svg%22/%3E">'
        '<img src="https://example.invalid/a.png"></body></html>'
    )


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        "http://127.0.0.1/",
        "https://example.invalid/a.png",
        "data:text/plain,hello",
        "file://attacker/share/x.css",
        pdf_fetcher.asset_url("css/../../__init__.py"),
        pdf_fetcher.asset_url("css"),
    ],
)
def test_finding9_fetcher_refuses_everything_outside_the_static_folder(url):
    """Other files, other schemes, remote hosts, ``..`` out of the folder, a folder: refused."""
    with pytest.raises(pdf_fetcher.RefusedResource):
        pdf_fetcher.fetcher().fetch(url)


def test_finding9_fetcher_refuses_a_symbolic_link_out_of_the_static_folder(tmp_path, monkeypatch):
    """A link inside the static folder pointing outside it is refused (the real path counts)."""
    static = tmp_path / "static"
    static.mkdir()
    (tmp_path / "secret.txt").write_text(SECRET)
    (static / "link.css").symlink_to(tmp_path / "secret.txt")
    monkeypatch.setattr(pdf_fetcher, "STATIC_ROOT", static.resolve())
    with pytest.raises(pdf_fetcher.RefusedResource):
        pdf_fetcher.fetcher().fetch((static / "link.css").as_uri())


def test_finding9_fetcher_serves_the_packaged_assets():
    """A file under tenant_app/static is served, typed by its extension."""
    response = pdf_fetcher.fetcher().fetch(pdf_fetcher.asset_url("css/app.css"))
    assert response.content_type == "text/css" and b"KPI" in response.read()


def test_finding9_hostile_html_loads_nothing_from_outside(app, calls, secret_css):
    """Printing HTML that points at local files, the network and data: asks the fetcher for each
    URL, every one is refused, and nothing of the outside file reaches the PDF."""
    from weasyprint import HTML

    pdf = HTML(string=_hostile_html(secret_css), url_fetcher=pdf_fetcher.fetcher()).write_pdf()
    assert {url for url, _ in calls} >= {
        secret_css.as_uri(),
        "file:///etc/hostname",
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
    }
    assert {answer for _, answer in calls} == {"refused"}
    assert "Phiếu đánh giá" in _text(pdf) and SECRET not in _text(pdf)


def test_finding9_the_default_fetcher_would_have_read_the_file(app, secret_css):
    """Control: WeasyPrint's own fetcher loads the outside stylesheet (what the app prevents)."""
    from weasyprint import HTML

    assert SECRET in _text(HTML(string=_hostile_html(secret_css)).write_pdf())


@pytest.fixture()
def golden(factory, tenant_a):
    """Ward A with the golden month scored for the clerk."""
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    return ward


def test_finding9_person_form_uses_the_fetcher_and_keeps_its_fonts(
    tenant_a, golden, calls, monkeypatch, secret_css
):
    """The official form prints through the app's fetcher: a link slipped into the printed HTML
    (as one unescaped field would) is refused, and the form keeps its text and DejaVu fonts."""
    real_render = pdf_forms.render_template

    def unescaped_field(template, **context):
        link = f'<link rel="stylesheet" href="{secret_css.as_uri()}">'
        return real_render(template, **context).replace("</head>", f"{link}</head>")

    monkeypatch.setattr(pdf_forms, "render_template", unescaped_field)
    with tenant_context(tenant_a):
        pdf = pdf_forms.person_form_pdf(golden["period"], golden["clerk"])
    assert calls == [(secret_css.as_uri(), "refused")]
    text = _text(pdf)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Trần Thị Văn" in text
    assert SECRET not in text
    assert any("DejaVu" in name for name in _fonts(pdf))


def test_finding9_comparison_report_uses_the_fetcher(app, calls, monkeypatch, secret_css):
    """The province comparison report prints through the app's fetcher too."""
    monkeypatch.setattr(comparison_pdf, "comparison_context", lambda *a, **k: {})
    monkeypatch.setattr(
        comparison_pdf,
        "render_template",
        lambda *a, **k: (
            f'<html><head><link rel="stylesheet" href="{secret_css.as_uri()}">'
            "</head><body><p>So sánh</p></body></html>"
        ),
    )
    with app.app_context():
        pdf = comparison_pdf.comparison_pdf(
            None, title_scope="", spread=[], trend=([], {}), prepared_by=""
        )
    assert calls == [(secret_css.as_uri(), "refused")]
    assert "So sánh" in _text(pdf) and SECRET not in _text(pdf)


def test_finding9_every_weasyprint_document_gets_the_static_only_fetcher():
    """Every ``HTML(`` / ``CSS(`` built in the app's code passes ``url_fetcher=pdf_fetcher.…``:
    a new PDF added later without it fails here, not in production."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    calls, unsafe = 0, []
    for package in ("tenant_app", "blueprints", "admin", "scoring"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "weasyprint" not in text:
                continue
            for match in re.finditer(r"\b(HTML|CSS)\((?P<args>[^)]*)\)", text):
                if match.group("args").strip() in ("", "..."):
                    continue  # a mention in a docstring such as ``HTML(...)``
                calls += 1
                if "url_fetcher=pdf_fetcher." not in match.group("args"):
                    unsafe.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert calls >= 2
    assert unsafe == []
