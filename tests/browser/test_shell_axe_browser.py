"""In a real browser, over the demo province: axe-core finds no serious or critical
accessibility problem (WCAG 2 A/AA rules) on the main pages of each role.

axe-core comes from npm (package.json, devDependency; ``make install`` runs ``npm ci``). It is
injected as a script, which the app's CSP forbids, so this test's browser context alone bypasses
the CSP; the crawl test (test_shell_crawl_browser.py) keeps checking the CSP itself.
"""

from __future__ import annotations

import os

import pytest

from tenant_app.config import PROJECT_ROOT
from tests.browser.demo_roles import build_demo, log_in

pytestmark = pytest.mark.browser

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


@pytest.fixture()
def roles(app):
    """The demo province in the test database; the four roles by name."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: `make install` runs npm ci")
        pytest.skip(f"{AXE} is missing (npm ci)")
    return build_demo()


@pytest.mark.parametrize("role_name", ["province_admin", "unit_admin", "manager", "staff"])
def test_browser_main_pages_have_no_serious_accessibility_violation(
    live_server, browser, roles, role_name
):
    """axe-core reports no serious or critical violation on any main page of the role."""
    role = roles[role_name]
    context = browser.new_context(locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    try:
        log_in(page, live_server, role)
        for path in role.main:
            page.goto(f"{live_server}{path}")
            page.add_script_tag(path=str(AXE))
            if violations := page.evaluate(RUN):
                found[path] = violations
    finally:
        context.close()
    assert found == {}
