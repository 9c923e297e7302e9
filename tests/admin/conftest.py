"""Fixtures of the province comparison tests: the hand-computed province and its two readers.

The units and their figures are those of ``tests/admin/comparison_data.py``.
"""

from __future__ import annotations

import pytest

from tests.admin.comparison_data import build_province
from tests.helpers import login


@pytest.fixture()
def province(factory, auditor, province_admin):
    """Units A, B, C of comparison_data's docstring, an auditor and a province administrator."""
    return build_province(factory)


@pytest.fixture()
def auditor_client(app, province):
    """A client signed in as the auditor (sees published or locked results only)."""
    client = app.test_client()
    login(client, None, "tinh.thanhtra")
    return client


@pytest.fixture()
def admin_client(app, province):
    """A client signed in as the province administrator (sees every result)."""
    client = app.test_client()
    login(client, None, "tinh.admin")
    return client
