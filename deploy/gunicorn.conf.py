"""Gunicorn configuration for KPI Công vụ (container and single-host systemd alike).

Used as ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``. Every knob can be changed through the
environment so the same file serves the Docker image, the Helm chart and the systemd unit.
Gunicorn ignores names here that are not settings, so the helpers below are harmless.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from datetime import UTC, datetime

from gunicorn.glogging import Logger


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:  # fail at start-up, not at the first request
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from exc
    if value < 1:
        raise SystemExit(f"{name} must be >= 1, got {value}")
    return value


def _env_int_or_zero(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if raw == "0":
        return 0
    return _env_int(name, default)


def _cpu_count() -> int:
    # In a container, the CPU quota (cgroup v2) is what we really get, not the host's cores.
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as fh:
            quota, period = fh.read().split()
        if quota != "max":
            return max(1, int(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return multiprocessing.cpu_count()


# --- Socket -------------------------------------------------------------------------------------
# 0.0.0.0:8000 in the container (the Service/Ingress fronts it); the systemd unit sets
# KPI_BIND=127.0.0.1:8000 so only the local nginx can reach it.
bind = [os.environ.get("KPI_BIND", "0.0.0.0:8000")]

# --- Workers ------------------------------------------------------------------------------------
# gthread: dashboards poll and hold short server-sent-event streams. With sync workers one slow or
# streaming client would pin a whole process; with threads a process serves KPI_WEB_THREADS
# requests at once while the GIL is released on database/Redis I/O.
worker_class = "gthread"
# Classic 2*cores+1, capped at 8: each process holds its own SQLAlchemy pool, so an unbounded
# count on a big node would exhaust PostgreSQL connections (workers * threads * replicas).
# Measured on two cores (docs/performance.md, "Web load", 2026-12-06): 3 × 4 and 2 × 8 did not beat
# 5 × 8 by more than the run-to-run spread of the mix at 50 and 200 users, while fewer processes
# cut the throughput of cheap requests (/healthz: 977, 703, 514 req/s for 5, 3, 2 workers; one GIL
# each). Both cores were busy in every run, the server taking 1.4 of them: the count is not the
# limit there. Dashboards poll with ETags (no thread held between polls), so 8 threads suffice.
workers = _env_int("KPI_WEB_WORKERS", min(2 * _cpu_count() + 1, 8))
threads = _env_int("KPI_WEB_THREADS", 8)
# Idle keep-alive connections also occupy a thread in gthread; keep them short. The proxy in front
# (nginx/ingress) keeps its own pool, so a few seconds is enough.
keepalive = _env_int("KPI_WEB_KEEPALIVE", 5)

# --- Timeouts and graceful shutdown -------------------------------------------------------------
# `timeout` is the worker heartbeat: a process that stops answering the arbiter this long is killed.
# Long SSE responses are fine under gthread because the heartbeat runs on the main thread.
timeout = _env_int("KPI_WEB_TIMEOUT", 60)
# On SIGTERM (rolling update, node drain, systemctl stop) in-flight requests get this long to
# finish. Keep it below Kubernetes' terminationGracePeriodSeconds and systemd's TimeoutStopSec.
graceful_timeout = _env_int("KPI_WEB_GRACEFUL_TIMEOUT", 30)
# Recycle processes now and then so a slow leak (e.g. a large PDF render) cannot grow forever;
# the jitter keeps all workers from restarting in the same second.
max_requests = _env_int("KPI_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = _env_int("KPI_WEB_MAX_REQUESTS_JITTER", 200)

# --- Read-only root filesystem ------------------------------------------------------------------
# The heartbeat file is touched constantly; on a read-only root (and to avoid disk I/O stalls on
# overlayfs) it must live on tmpfs. Falls back to the default temp dir where /dev/shm is absent.
_shm = os.environ.get("KPI_WORKER_TMP_DIR", "/dev/shm")  # noqa: S108 - tmpfs on purpose
worker_tmp_dir = _shm if os.path.isdir(_shm) else None
# Gunicorn >= 25.1 opens a control socket under $HOME by default; the image's user has no
# writable home, and nothing here needs runtime control, so turn it off (older versions ignore it).
control_socket_disable = True
# Load the app in each worker after fork: a crash at import shows up per worker with a traceback,
# and database connection pools are never shared across a fork.
preload_app = False

# --- Proxies ------------------------------------------------------------------------------------
# Only trust X-Forwarded-* from these addresses (the ingress controller / local nginx). The app
# applies ProxyFix itself with KPI_PROXY_FIX hops; this setting controls wsgi.url_scheme.
forwarded_allow_ips = os.environ.get(
    "KPI_FORWARDED_ALLOW_IPS", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
)

# --- Logging ------------------------------------------------------------------------------------
# Twelve-factor: errors to stderr, one JSON object per request to stdout, so the log shipper needs
# no parsing rules. Set KPI_ACCESS_LOG=off to silence access logs (e.g. behind a logging proxy).
# The app also logs each request (logger kpi.access, with tenant and user); gunicorn's line adds
# what only the server knows (bytes sent, time including the response stream, worker pid).
accesslog = None if os.environ.get("KPI_ACCESS_LOG", "").lower() == "off" else "-"
errorlog = "-"
loglevel = os.environ.get("KPI_LOG_LEVEL", "info").lower()
# A recognisable name in ps/top (needs setproctitle; harmless without it).
proc_name = "kpi-web"


class JsonAccessLogger(Logger):
    """Access log lines as JSON objects.

    Gunicorn's ``access_log_format`` is plain %-interpolation and does not escape quotes, so a
    user agent containing ``"`` would break a hand-written JSON format. Serialise properly instead.
    """

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        status = int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"]
        # Same shape as the app's own JSON lines (ts in UTC with milliseconds, level, logger,
        # message) so one parser reads both. The app answers with X-Request-ID; use it to join.
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = {
            "ts": now,
            "level": "info",
            "logger": "gunicorn.access",
            "message": f"{atoms['m']} {atoms['U']} {status}",
            "event": "access",
            "request_id": atoms.get("{x-request-id}o") or environ.get("HTTP_X_REQUEST_ID"),
            "remote_addr": atoms["h"],
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"] or None,
            "protocol": atoms["H"],
            "status": status,
            "bytes": atoms["B"],
            "duration_ms": atoms["M"],
            "referer": atoms["f"],
            "user_agent": atoms["a"],
            "pid": os.getpid(),
        }
        # default=str: never let an odd value (bytes, None-like objects) fail the request.
        self.access_log.info(json.dumps(record, ensure_ascii=False, default=str))


logger_class = JsonAccessLogger


# --- Memory -------------------------------------------------------------------------------------
# Each sign-in hashes with argon2id at 19 MiB (see docs/security.md). glibc serves such a block
# from the thread's malloc arena once its adaptive threshold has risen, and keeps it when freed:
# with 8 threads signing people in, a worker settled near 285 MB instead of ~130 MB. A fixed mmap
# threshold gives every block of 1 MiB or more back to the system when freed (measured: 8 threads
# hashing 5 times each, 170 MB → 14 MB of RSS). 0 leaves glibc's default.
malloc_mmap_threshold = _env_int_or_zero("KPI_MALLOC_MMAP_THRESHOLD", 1 << 20)


def _fix_mmap_threshold(threshold: int) -> bool:
    if threshold <= 0:
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (e.g. musl): nothing to tune
        return False
    m_mmap_threshold = -3  # <malloc.h>; setting it also turns the adaptive threshold off
    return bool(libc.mallopt(m_mmap_threshold, threshold))


# --- Hooks --------------------------------------------------------------------------------------
def post_fork(server, worker):
    """Per worker, before the app is loaded (``preload_app`` is off)."""
    if _fix_mmap_threshold(malloc_mmap_threshold):
        server.log.debug("worker %s: malloc mmap threshold %s", worker.pid, malloc_mmap_threshold)


def child_exit(server, worker):
    """Drop a dead worker's metric files when prometheus_client runs in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        try:
            from prometheus_client import multiprocess
        except ImportError:
            return
        multiprocess.mark_process_dead(worker.pid)
