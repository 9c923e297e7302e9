"""Records pushed by the simulator through the public API move the manager's dashboard and the
staff member's explained score while both pages stay open, never reloaded."""

from __future__ import annotations

import random

from playwright.sync_api import expect

from tenant_app.services.feeds import simulator
from tests.browser.test_month_browser import _login
from tests.evaluation.view_helpers import ward_today
from tests.feeds.conftest import make_source


def test_browser_fed_records_appear_live_on_the_dashboard_and_the_score(
    live_server, browser, factory, tenant_a
):
    ward = ward_today(factory, tenant_a)
    _source, token = make_source(tenant_a, ward)
    base, clerk = live_server, ward["clerk"]
    manager_ctx = browser.new_context(locale="vi-VN")
    staff_ctx = browser.new_context(locale="vi-VN")
    try:
        dashboard, score = manager_ctx.new_page(), staff_ctx.new_page()
        for page in (dashboard, score):
            page.set_default_timeout(20_000)
        _login(dashboard, base, "truong")
        dashboard.goto(f"{base}/t/phuong-a/dashboard")
        assigned = dashboard.locator(f'[data-live="{clerk}:assigned_text"]')
        expect(assigned).to_have_text("0,00")
        _login(score, base, "vanthu")
        score.goto(f"{base}/t/phuong-a/my/score")
        expect(score.locator('[data-live="total"]')).to_have_count(0)  # nothing scored yet

        # The simulator sends the clerk's dossiers through the API with the source's token.
        stream = simulator.DossierStream(
            ["CB-VAN"], ["TTHC-01"], run_id="browser", rng=random.Random(7), settle_after=0.2
        )
        post, get = simulator.http_transport(base, "phuong-a", "mot-cua", token)
        totals = simulator.run(
            stream, post, get, rate=20, duration=1.5, batch=10, report=lambda _line: None
        )
        assert totals.sent > 0 and totals.rejected == 0 and not totals.http_errors

        expect(assigned).not_to_have_text("0,00")  # polled, never reloaded
        expect(score.locator('[data-live="total"]')).to_be_visible()
        expect(score.locator("ol.explain li.step-a .step-result")).to_have_text("100,00")
        assert score.url.endswith("/t/phuong-a/my/score")
    finally:
        manager_ctx.close()
        staff_ctx.close()
