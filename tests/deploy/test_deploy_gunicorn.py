"""deploy/gunicorn.conf.py: the settings that matter, and a real gunicorn started with it.

The live test serves a tiny WSGI app (not the project's, so it needs no database) on 127.0.0.1,
checks that a slow streaming request does not block a second one (gthread), that the access log
is one JSON object per request on stdout, and that SIGTERM shuts down gracefully.
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "gunicorn.conf.py"
KPI_VARS = (
    "KPI_WEB_WORKERS",
    "KPI_WEB_THREADS",
    "KPI_BIND",
    "KPI_FORWARDED_ALLOW_IPS",
    "FORWARDED_ALLOW_IPS",
    "KPI_ACCESS_LOG",
    "KPI_WEB_GRACEFUL_TIMEOUT",
)


def _gunicorn():
    try:
        import gunicorn.config
    except ImportError:
        pytest.fail("gunicorn is not installed: `pip install gunicorn`", pytrace=False)
    return gunicorn.config


def load_conf(monkeypatch, **env) -> dict:
    _gunicorn()
    for name in KPI_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_threaded_workers_and_graceful_shutdown(monkeypatch):
    """Defaults: gthread with 8 threads, capped processes, graceful timeout, tmpfs heartbeat."""
    conf = load_conf(monkeypatch)
    assert conf["worker_class"] == "gthread"
    assert conf["threads"] > 1
    assert conf["threads"] == 8
    assert 1 <= conf["workers"] <= 8
    assert conf["graceful_timeout"] > 0
    assert conf["timeout"] >= conf["graceful_timeout"]
    assert conf["bind"] == ["0.0.0.0:8000"]
    assert conf["accesslog"] == "-"
    assert conf["errorlog"] == "-"
    if os.path.isdir("/dev/shm"):
        assert conf["worker_tmp_dir"] == "/dev/shm"
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_environment_overrides(monkeypatch):
    """KPI_WEB_* and KPI_BIND/KPI_FORWARDED_ALLOW_IPS override the defaults."""
    conf = load_conf(
        monkeypatch,
        KPI_WEB_WORKERS="3",
        KPI_WEB_THREADS="16",
        KPI_BIND="127.0.0.1:9000",
        KPI_FORWARDED_ALLOW_IPS="10.0.0.5",
        KPI_WEB_GRACEFUL_TIMEOUT="20",
    )
    assert (conf["workers"], conf["threads"]) == (3, 16)
    assert conf["bind"] == ["127.0.0.1:9000"]
    assert conf["forwarded_allow_ips"] == "10.0.0.5"
    assert conf["graceful_timeout"] == 20


def test_bad_numbers_stop_start_up(monkeypatch):
    """A non-numeric or zero worker/thread count stops gunicorn at start-up."""
    with pytest.raises(SystemExit, match="KPI_WEB_THREADS"):
        load_conf(monkeypatch, KPI_WEB_THREADS="many")
    with pytest.raises(SystemExit, match="KPI_WEB_WORKERS"):
        load_conf(monkeypatch, KPI_WEB_WORKERS="0")


def test_every_setting_is_accepted_by_gunicorn(monkeypatch):
    """Every setting in the file passes gunicorn's own validators."""
    config = _gunicorn()
    conf = load_conf(monkeypatch)
    cfg = config.Config()
    applied = 0
    for key, value in conf.items():
        if key in cfg.settings:
            cfg.set(key, value)  # runs gunicorn's own validator for the setting
            applied += 1
    assert applied >= 15
    assert cfg.worker_class_str == "gthread"
    assert cfg.logger_class.__name__ == "JsonAccessLogger"


APP = textwrap.dedent(
    """
    import time

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            start_response("200 OK", [("Content-Type", "text/event-stream")])
            def stream():
                for i in range(3):
                    yield b"data: %d\\n\\n" % i
                    time.sleep(0.5)
            return stream()
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Request-ID", "rid-42")])
        return [b"ok"]
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0, headers: dict | None = None) -> bytes:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.read()


def test_live_gunicorn_serves_concurrently_logs_json_and_stops_gracefully(tmp_path):
    """A real gunicorn serves a fast request during a slow stream, logs JSON, exits 0 on TERM."""
    _gunicorn()
    (tmp_path / "tinyapp.py").write_text(APP)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in KPI_VARS}
    env.update(
        KPI_BIND=f"127.0.0.1:{port}",
        KPI_WEB_WORKERS="1",  # one process: concurrency must come from threads
        KPI_WEB_THREADS="4",
        KPI_WEB_GRACEFUL_TIMEOUT="5",
    )
    stdout = open(tmp_path / "stdout.log", "w+b")  # noqa: SIM115 - closed below
    stderr = open(tmp_path / "stderr.log", "w+b")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(CONF),
            "--chdir",
            str(tmp_path),
            "tinyapp:app",
        ],
        stdout=stdout,
        stderr=stderr,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                assert _get(base + "/healthz", timeout=1) == b"ok"
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    stderr.seek(0)
                    pytest.fail(f"gunicorn did not start:\n{stderr.read().decode()}")
                time.sleep(0.2)

        # A slow streaming response (SSE-like, 1.5 s) must not block another request.
        slow = threading.Thread(target=_get, args=(base + "/slow",))
        slow.start()
        time.sleep(0.2)
        started = time.monotonic()
        assert _get(base + "/fast", headers={"User-Agent": 'quote " agent'}) == b"ok"
        assert time.monotonic() - started < 1.0, "a slow client blocked the worker"
        slow.join(10)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("gunicorn did not stop within 15 s of SIGTERM")
        stdout.seek(0)
        out = stdout.read().decode()
        stderr.seek(0)
        err = stderr.read().decode()
        stdout.close()
        stderr.close()
    assert code == 0, err

    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    fast = [r for r in records if r["path"] == "/fast"]
    assert fast, out
    assert fast[0]["status"] == 200
    assert fast[0]["method"] == "GET"
    assert fast[0]["user_agent"] == 'quote " agent'
    assert isinstance(fast[0]["duration_ms"], int)
    assert fast[0]["request_id"] == "rid-42"
    assert fast[0]["ts"].endswith("Z")
    assert "gthread" in err or "Booting worker" in err


_HASHING = textwrap.dedent(
    """
    import runpy, sys, threading
    from argon2 import PasswordHasher
    conf = runpy.run_path(sys.argv[1])
    if sys.argv[2] == "hook":
        class Log:
            def debug(self, *args):
                pass
        class Server:
            log = Log()
        class Worker:
            pid = 0
        conf["post_fork"](Server(), Worker())
    hasher = PasswordHasher(time_cost=1, memory_cost=19456, parallelism=1)
    def work():
        for _ in range(3):
            hasher.hash("mật khẩu")
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rss = [line for line in open("/proc/self/status") if line.startswith("VmRSS")][0]
    print(int(rss.split()[1]) // 1024)
    """
)


@pytest.mark.skipif(
    not Path("/proc/self/status").exists() or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="the malloc setting is glibc's, read back through /proc",
)
def test_worker_gives_argon2_memory_back(monkeypatch):
    """post_fork fixes glibc's mmap threshold: the 19 MiB blocks of concurrent sign-ins go back to
    the system instead of staying in per-thread arenas (the worker's RSS after a load run)."""
    for name in KPI_VARS + ("KPI_MALLOC_MMAP_THRESHOLD",):
        monkeypatch.delenv(name, raising=False)

    def rss_mb(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", _HASHING, str(CONF), mode],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return int(done.stdout.split()[-1])

    kept, given_back = rss_mb("none"), rss_mb("hook")
    assert given_back < 60 < kept, (kept, given_back)
