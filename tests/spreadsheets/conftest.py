"""Fixtures for import tests: an admin's API headers and cheap password hashing."""

from __future__ import annotations

import pytest

from tests.helpers import bearer, token_for


@pytest.fixture()
def fast_hashing(monkeypatch):
    """Argon2 at its cheapest, so that importing thousands of accounts takes seconds."""
    from tenant_app.security import passwords

    # Below the OWASP floor on purpose: tests only, past the start-up check of the settings.
    cheapest = passwords.Argon2Parameters(time_cost=1, memory_kib=8, parallelism=1)
    monkeypatch.setattr(passwords, "configured_parameters", lambda: cheapest)


@pytest.fixture()
def admin_a_api(client, admin_a):
    """Bearer headers of tenant A's unit administrator."""
    return bearer(token_for(client, "phuong-a", "admin.a"))


@pytest.fixture()
def admin_b_api(client, admin_b):
    """Bearer headers of tenant B's unit administrator."""
    return bearer(token_for(client, "phuong-b", "admin.b"))
