"""Health and metrics endpoints: cheap, unauthenticated health; token-protected metrics."""

from __future__ import annotations


def test_health_readyz_ok_when_migrated(client):
    """/readyz is 200 when the database answers and migrations are at head."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_health_readyz_fails_when_redis_unreachable(app, client):
    """A configured but unreachable Redis makes the app not ready (503), naming only the check."""
    app.config["KPI_REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "failed"
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_health_metrics_disabled_without_token(client):
    """Without KPI_METRICS_TOKEN there is no /metrics."""
    assert client.get("/metrics").status_code == 404


def test_health_metrics_need_the_token(app, client):
    """/metrics answers Prometheus text to the right bearer token only."""
    app.config["KPI_METRICS_TOKEN"] = "secret-metrics-token"
    client.get("/healthz")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = client.get("/metrics", headers={"Authorization": "Bearer secret-metrics-token"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "kpi_http_request_duration_seconds_bucket" in text
    assert 'endpoint="health.healthz"' in text


def test_health_request_id_is_echoed(client):
    """Every response carries a request id, the caller's if it is well-formed."""
    response = client.get("/healthz", headers={"X-Request-ID": "abc12345-req"})
    assert response.headers["X-Request-ID"] == "abc12345-req"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id!"})
    assert len(generated.headers["X-Request-ID"]) == 32
