"""One language at a time: a crawl of the demo finds no English on Vietnamese pages, and no
Vietnamese interface text on English pages.

The demo's data (people, units, items) are Vietnamese in both languages, so the English check
looks only for the interface's own words: any text that is exactly a Vietnamese message of the
catalogue whose English differs. The Vietnamese check looks for WTForms' English messages, the
English of the catalogue, and raw codes (``province_admin``, ``rollout.applied``) in visible text.
Elements marked ``translate="no"`` or with a ``lang`` attribute hold data and are skipped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po

from tenant_app.config import PROJECT_ROOT
from tests.helpers import login

CATALOGUE = PROJECT_ROOT / "tenant_app/translations/en/LC_MESSAGES/messages.po"
PAGES_PER_ROLE = 150
SKIP = re.compile(r"/(logout|lang/|static/)|export|download|\.(csv|xlsx|pdf|png|json)\b|fmt=")
# English a Vietnamese page must never show (WTForms' own messages, common interface words).
ENGLISH = ("Field must", "Invalid", "This field is required", "Not a valid", "required")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
# Column names people type into a CSV file: technical on purpose, shown as such.
TECHNICAL = {"external_id", "item_code", "occurred_at", "due_on"}
# The grades' official abbreviations read the same in both languages.
ABBREVIATIONS = {"HTXS", "HTT", "HTNV", "KHTNV"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Visible(HTMLParser):
    """Visible text nodes and same-site links of a page; data-marked elements are skipped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._stack: list[bool] = []  # per open element: does it hide its text?

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and not self._hidden():
            self.links.append(attrs["href"])
        if tag in VOID:
            return
        hides = (
            tag in ("script", "style", "template", "datalist", "textarea")
            or attrs.get("translate") == "no"
            or "lang" in attrs
            and tag != "html"
        )
        self._stack.append(hides)

    def handle_endtag(self, tag):
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._hidden():
            self.texts.append(text)


def _catalogue():
    """(Vietnamese interface texts, English interface texts), placeholders-free, that differ."""
    vi, en = set(), set()
    for m in read_po(CATALOGUE.open("rb")):
        if not m.id or not m.string or isinstance(m.id, tuple) or m.id == m.string:
            continue
        if "%" in m.id or len(m.id) < 3 or m.id in ABBREVIATIONS:
            continue
        vi.add(m.id.strip())
        en.add(m.string.strip())
    return vi, en


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo province (built once for the module) and its accounts."""
    from tenant_app import create_app, demo
    from tenant_app.extensions import db

    tmp = tmp_path_factory.mktemp("demo-crawl")
    url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "KPI_INSTANCE_DIR": str(tmp),
            "SQLALCHEMY_DATABASE_URI": url,
            "KPI_DATABASE_OWNER_URL": url,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        accounts = demo.build(fresh=True)
        db.session.remove()
    yield app, accounts
    with app.app_context():
        db.engine.dispose()


def _account(accounts, role: str) -> dict:
    ward = [a for a in accounts if a["tenant"] in (None, "hac-thanh") and a["role"] == role]
    return ward[-1]  # the last manager is a head of office, not the chairman


def _crawl(client, start: str) -> dict[str, str]:
    """GET pages reachable by links from ``start`` (same site, GET, one URL per path)."""
    pages: dict[str, str] = {}
    queue, seen = [start], {urlsplit(start).path}
    while queue and len(pages) < PAGES_PER_ROLE:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[url] = html
        parser = _Visible()
        parser.feed(html)
        for href in parser.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(href):
                continue
            if parts.path not in seen:
                seen.add(parts.path)
                queue.append(href.split("#")[0])
    return pages


def _offences(html: str, lang: str, vi_texts: set[str], en_texts: set[str]) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    found = []
    for text in parser.texts:
        if lang == "vi":
            if text in en_texts or any(word in text for word in ENGLISH):
                found.append(text)
            codes = [c for c in SNAKE.findall(text) if c not in TECHNICAL]
            if codes or re.search(r"\b(rollout|cross_tenant|auth|account|tenant)\.[a-z_]+", text):
                found.append(text)
        elif text in vi_texts:
            found.append(text)
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("role", ["province_admin", "unit_admin", "manager", "staff"])
def test_demo_pages_speak_one_language(demo_site, role, lang):
    """Every page a demo user reaches by links reads in their language only."""
    app, accounts = demo_site
    account = _account(accounts, role)
    vi_texts, en_texts = _catalogue()
    client = app.test_client()
    if lang == "en":
        client.get("/lang/en")
    response = login(client, account["tenant"], account["username"], account["password"])
    assert response.status_code == 302
    home = response.headers["Location"]
    pages = _crawl(client, home)
    assert len(pages) > 3
    problems = []
    for url, html in pages.items():
        for text in _offences(html, lang, vi_texts, en_texts):
            problems.append(f"{url}: {text[:120]!r}")
    assert problems == [], "\n".join(sorted(set(problems)))
