"""The comparison page and API build their figures once per state of the precomputed rows.

A changed score (its unit's aggregates rebuilt), a renamed unit, another visibility or another
selection each read afresh; the door's audit event is written on every read, cached or not.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import PeriodScore, Tenant
from tenant_app.services.comparison import aggregates, comparison
from tenant_app.services.evaluation import periods
from tenant_app.tenancy import tenant_context
from tests.admin.comparison_data import (
    PAGE,
    cross_tenant_reads,
    row_of,
    tables,
)
from tests.helpers import bearer, token_for

API = "/api/v1/province/comparison?period=2026-10"


@pytest.fixture()
def compare_calls(monkeypatch):
    """Counts the calls of ``comparison.compare`` (the read every cached entry stands for)."""
    calls = []
    real = comparison.compare

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(comparison, "compare", counting)
    return calls


def _rescore_first_of_a(province, total: str, grade: str) -> None:
    """Change unit A's first person's score and rebuild A's figures, as the job after a change
    does."""
    with tenant_context(province["a"]):
        score = db.session.execute(
            sa.select(PeriodScore).where(
                PeriodScore.period_id == province["a_ids"]["period"],
                PeriodScore.staff_id == province["a_ids"]["staff"][0],
            )
        ).scalar_one()
        score.total, score.grade = Decimal(total), grade
        db.session.commit()
        aggregates.refresh_period(periods.get_period(province["a_ids"]["period"]))
        db.session.commit()


def _mean_of(html: str, unit: str) -> str:
    return row_of(tables(html)[0], unit)[6]


def test_comparison_page_reads_figures_once_per_state(auditor_client, compare_calls):
    """Reading the same page twice builds the comparison once; the second read is the cached
    page, with the same figures."""
    first = auditor_client.get(PAGE).get_data(as_text=True)
    second = auditor_client.get(PAGE).get_data(as_text=True)
    assert len(compare_calls) == 1
    assert tables(second) == tables(first)


def test_comparison_page_shows_new_score_after_change(auditor_client, province, compare_calls):
    """After a score of unit A changes (95 → 75) and A's figures are rebuilt, the page shows
    A's new mean (75 + 85 + 65)/3 = 75,00, not the cached 81,67."""
    assert _mean_of(auditor_client.get(PAGE).get_data(as_text=True), "Phường An") == "81,67"
    _rescore_first_of_a(province, "75", "HTT")
    html = auditor_client.get(PAGE).get_data(as_text=True)
    assert _mean_of(html, "Phường An") == "75,00"
    assert len(compare_calls) == 2


def test_api_comparison_shows_new_score_after_change(client, province, compare_calls):
    """The API's cached body is dropped the same way: A's mean is 75.0000 after the change."""
    headers = bearer(token_for(client, None, "tinh.thanhtra"))

    def mean_of_a():
        body = client.get(API, headers=headers).get_json()
        return next(u["mean"] for u in body["units"] if u["slug"] == "phuong-an")

    assert mean_of_a() == "81.6667"
    assert mean_of_a() == "81.6667"
    assert len(compare_calls) == 1
    _rescore_first_of_a(province, "75", "HTT")
    assert mean_of_a() == "75.0000"


def test_comparison_page_shows_renamed_unit(auditor_client, province):
    """A unit renamed after the page was read appears under its new name."""
    auditor_client.get(PAGE)
    db.session.get(Tenant, province["b"].id).name = "Phường Bình Minh"
    db.session.commit()
    html = auditor_client.get(PAGE).get_data(as_text=True)
    assert row_of(tables(html)[0], "Phường Bình Minh")[1] == "5"


def test_comparison_cache_keeps_unpublished_from_auditor(admin_client, auditor_client):
    """The administrator's page (every result, C's included) is never served to an auditor
    limited to published results, nor the administrator's API body."""
    assert row_of(tables(admin_client.get(PAGE).get_data(as_text=True))[0], "Xã Cẩm")[1] == "2"
    html = auditor_client.get(PAGE).get_data(as_text=True)
    assert row_of(tables(html)[0], "Xã Cẩm") == ["Xã Cẩm", "Chưa có số liệu trong kỳ này"]


def test_api_comparison_cache_keeps_unpublished_from_auditor(client, province):
    """An auditor's API call after the administrator's gets published results only."""
    admin = client.get(API, headers=bearer(token_for(client, None, "tinh.admin"))).get_json()
    assert next(u for u in admin["units"] if u["slug"] == "xa-cam")["people"] == 2
    body = client.get(API, headers=bearer(token_for(client, None, "tinh.thanhtra"))).get_json()
    assert body["visibility"] == "published"
    cam = next(u for u in body["units"] if u["slug"] == "xa-cam")
    assert (cam["has_data"], cam["people"]) == (False, 0)


def test_comparison_cache_keeps_selections_apart(auditor_client, province):
    """The page of unit A alone and the page of every unit are built apart."""
    only_a = auditor_client.get(f"{PAGE}&tenants={province['a'].id}").get_data(as_text=True)
    assert [row[0] for row in tables(only_a)[0][1:]] == ["Phường An 1", "Các đơn vị đã chọn"]
    every = auditor_client.get(PAGE).get_data(as_text=True)
    assert row_of(tables(every)[0], "Phường Bình")[1] == "5"


def test_comparison_cached_read_is_still_audited(auditor_client):
    """A page served from the cache is still one cross_tenant.read event."""
    auditor_client.get(PAGE)
    before = len(cross_tenant_reads())
    assert auditor_client.get(PAGE).status_code == 200
    assert len(cross_tenant_reads()) == before + 1
