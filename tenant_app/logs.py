"""Logging: a request id on every request, JSON lines on stdout when KPI_LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import g, has_request_context, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    """One JSON object per line with the request id, tenant and user when there is a request."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            data["request_id"] = g.get("request_id")
            tenant = g.get("tenant")
            data["tenant"] = tenant.slug if tenant is not None else None
            data["user"] = g.get("log_user")
            data["path"] = request.path
        for key in ("event", "status", "duration_ms", "cpu_ms", "method"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def init_app(app) -> None:
    if app.config["KPI_LOG_FORMAT"] == "json":
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)

    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        # CPU of this thread only (gunicorn's gthread workers serve several requests at once).
        g.request_cpu_started = time.thread_time()

    @app.after_request
    def _access_log(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        started = g.get("request_started")
        if started is not None and app.config["KPI_LOG_FORMAT"] == "json":
            from flask_login import current_user

            if current_user and current_user.is_authenticated:
                g.log_user = current_user.username
            logging.getLogger("kpi.access").info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "event": "request",
                    "status": response.status_code,
                    "method": request.method,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "cpu_ms": round((time.thread_time() - g.request_cpu_started) * 1000, 1),
                },
            )
        return response
