"""In a real browser, over the demo province: no page breaks the Content Security Policy or logs
an error to the console, for the province admin, a unit admin, a manager and a staff member.

Each role logs in and follows the same-host links from its home page (GET only; no log-out, no
language switch, no download), at most ``LIMIT`` pages. A CSP violation is caught three ways: the
console message chromium logs, the ``securitypolicyviolation`` event (recorded by a script
Playwright adds before the page's own), and any uncaught page error.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.demo_roles import build_demo, log_in

pytestmark = pytest.mark.browser

LIMIT = 60  # pages per role: enough to reach every kind of page the demo links to
SKIP = re.compile(
    r"/logout|/lang/|/download|/export|/evidence/|/status\.json|"
    r"\.(pdf|xlsx|csv|json|zip)(\?|$)"
)
RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile}:${e.lineNumber}`);
});
"""
LINKS = "els => els.map(a => a.href)"


@pytest.fixture()
def roles(app):
    """The demo province in the test database; the four roles by name."""
    return build_demo()


def crawl(page, base: str, start: str) -> tuple[list[str], list[str]]:
    """Visit same-host pages breadth-first from ``start``; (pages visited, problems found)."""
    problems: list[str] = []
    here = {"url": start}
    page.on(
        "console",
        lambda m: m.type == "error" and problems.append(f"{here['url']}: console: {m.text}"),
    )
    page.on("pageerror", lambda e: problems.append(f"{here['url']}: page error: {e}"))
    host = urlsplit(base).netloc
    queue, seen, visited = [start], {start}, []
    while queue and len(visited) < LIMIT:
        url = queue.pop(0)
        here["url"] = url
        response = page.goto(url)
        visited.append(url)
        if response is not None and response.status >= 500:
            problems.append(f"{url}: HTTP {response.status}")
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state("load")
        for violation in page.evaluate("window.__cspViolations || []"):
            problems.append(f"{url}: CSP: {violation}")
        for href in page.locator("a[href]").evaluate_all(LINKS):
            link = urldefrag(href)[0]
            if urlsplit(link).netloc != host or link in seen or SKIP.search(link):
                continue
            seen.add(link)
            queue.append(link)
    return visited, problems


@pytest.mark.parametrize("role_name", ["province_admin", "unit_admin", "manager", "staff"])
def test_browser_demo_crawl_has_no_csp_violation_or_console_error(
    live_server, browser, roles, role_name
):
    """Every page a demo role reaches from its home page loads without a CSP violation, a
    console error, an uncaught script error or a server error."""
    role = roles[role_name]
    context = browser.new_context(locale="vi-VN")
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, role)
        visited, problems = crawl(page, live_server, f"{live_server}{role.home}")
    finally:
        context.close()
    assert len(visited) >= 5, visited  # the crawl went somewhere
    assert problems == []
