"""In a real browser, over the demo province: the header and the main pages fit the screen.

At 1366×768 (an office laptop) the header is a single row; at 390×844 (a phone) the navigation is
behind a menu button and no main page scrolls sideways (wide tables scroll inside themselves).
Checked for the province admin, a unit admin, a manager and a staff member.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.demo_roles import build_demo, log_in

pytestmark = pytest.mark.browser

ONE_ROW = 64  # px: the header's height when nothing wraps (a row of links and the paddings)
SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"
# The navigation neither overflows its box nor runs under the user box beside it.
OVERLAP = """() => {
  const nav = document.querySelector(".mainnav"), user = document.querySelector(".userbox");
  return nav.scrollWidth > nav.clientWidth + 1
    || nav.getBoundingClientRect().right > user.getBoundingClientRect().left + 1;
}"""


@pytest.fixture()
def roles(app):
    """The demo province in the test database; the four roles by name."""
    return build_demo()


def _page(browser, width: int, height: int):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.mark.parametrize("role_name", ["province_admin", "unit_admin", "manager", "staff"])
def test_browser_main_pages_fit_a_laptop_with_a_one_row_header(
    live_server, browser, roles, role_name
):
    """At 1366 px the header is one row high, its navigation does not run under the user box,
    and no main page scrolls sideways."""
    role = roles[role_name]
    context, page = _page(browser, 1366, 768)
    try:
        log_in(page, live_server, role)
        tall, wide = {}, {}
        for path in role.main:
            page.goto(f"{live_server}{path}")
            height = page.locator("header.topbar").bounding_box()["height"]
            if height > ONE_ROW or page.evaluate(OVERLAP):
                tall[path] = (height, page.evaluate(OVERLAP))
            if (extra := page.evaluate(SIDEWAYS)) > 0:
                wide[path] = extra
    finally:
        context.close()
    assert tall == {} and wide == {}


@pytest.mark.parametrize("role_name", ["province_admin", "unit_admin", "manager", "staff"])
def test_browser_main_pages_fit_a_phone_with_a_menu_button(live_server, browser, roles, role_name):
    """At 390 px the navigation is hidden behind the menu button, which opens it, and no main
    page scrolls sideways."""
    role = roles[role_name]
    context, page = _page(browser, 390, 844)
    try:
        page.goto(f"{live_server}{role.prefix}/login")  # no menu there: the languages show
        expect(page.get_by_role("link", name="EN")).to_be_visible()
        log_in(page, live_server, role)
        nav = page.get_by_role("navigation", name="Điều hướng chính")
        expect(nav).to_be_hidden()
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(nav).to_be_visible()
        expect(nav.get_by_role("link").or_(nav.locator("summary")).first).to_be_visible()
        wide = {}
        for path in role.main:
            page.goto(f"{live_server}{path}")
            if (extra := page.evaluate(SIDEWAYS)) > 0:
                wide[path] = extra
    finally:
        context.close()
    assert wide == {}
