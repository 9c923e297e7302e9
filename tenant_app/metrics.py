"""Prometheus metrics at /metrics (bearer token KPI_METRICS_TOKEN; 404 when unset).

Request latency is observed per endpoint; queue depth and failed jobs are read from Redis at scrape
time. Under gunicorn with PROMETHEUS_MULTIPROC_DIR set, every worker's samples are aggregated.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from tenant_app.extensions import csrf, limiter

bp = Blueprint("metrics", __name__)

REQUEST_LATENCY = Histogram(
    "kpi_http_request_duration_seconds",
    "Latency of HTTP requests",
    ["method", "endpoint", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10),
)
QUEUES = ("scoring", "feeds", "rollout", "io", "default")


class QueueCollector:
    """Job queue depth and failed-job counts per rq queue, read from Redis when configured."""

    def __init__(self, redis_url: str | None):
        self.redis_url = redis_url

    def collect(self):
        depth = GaugeMetricFamily("kpi_job_queue_depth", "Jobs waiting per queue", labels=["queue"])
        failed = GaugeMetricFamily(
            "kpi_job_failures", "Jobs in the failed registry per queue", labels=["queue"]
        )
        if self.redis_url:
            from redis import Redis
            from rq import Queue

            try:
                connection = Redis.from_url(self.redis_url, socket_timeout=1)
                for name in QUEUES:
                    queue = Queue(name, connection=connection)
                    depth.add_metric([name], queue.count)
                    failed.add_metric([name], queue.failed_job_registry.count)
            except Exception:  # a scrape must not fail because Redis is away
                current_app.logger.warning("metrics: redis unavailable", exc_info=True)
        yield depth
        yield failed


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(QueueCollector(current_app.config.get("KPI_REDIS_URL")))
    return registry


@bp.get("/metrics")
def metrics():
    expected = current_app.config.get("KPI_METRICS_TOKEN")
    if not expected:
        abort(404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        abort(401)
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def init_app(app) -> None:
    csrf.exempt(bp)
    limiter.exempt(bp)
    app.register_blueprint(bp)

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.get("metrics_started")
        if started is not None and request.endpoint not in ("metrics.metrics", "static"):
            REQUEST_LATENCY.labels(
                request.method, request.endpoint or "unknown", str(response.status_code)
            ).observe(time.perf_counter() - started)
        return response
