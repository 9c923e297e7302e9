"""``kpi feeds simulate``: realistic one-stop dossier events pushed through the public feed API.

The generator (:class:`DossierStream`) is pure: given the source's officer ids and procedure
codes, a run id and a random generator, it emits records the way a one-stop system does — a
``received`` record when a dossier is filed (due in 3–15 days, inside the open period when
possible), later a ``settled`` one; about 10% are settled after their due date (their due date is
yesterday), about 5% are ``returned`` for an error first and settled afterwards. External ids are
unique per run (prefixed by the run id); every moment is "now" in local time (+07:00).

:func:`run` drives a stream at a rate through two injected functions — ``post(records)`` and
``get(batch_id)``, each returning ``(HTTP status, JSON body)`` — so tests pass Flask's test
client and the command passes :func:`http_transport` (``urllib``, no extra dependency).
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tenant_app.services.feeds.sources import LOCAL_ZONE

ON_TIME, LATE, RETURNED = "on_time", "late", "returned"
FATES = (ON_TIME, LATE, RETURNED)
FATE_WEIGHTS = (85, 10, 5)
MAX_BATCH = 5000

Transport = Callable[..., tuple[int, dict]]


def local_now() -> datetime:
    """Now, in local time with its offset (the moment a simulated event happens)."""
    return datetime.now(LOCAL_ZONE).replace(microsecond=0)


def parse_rate(text: str) -> float:
    """``"20/s"``, ``"1200/min"`` or ``"20"`` → records per second."""
    raw = str(text).strip().lower()
    per = 1.0
    for suffix, seconds in (("/s", 1.0), ("/sec", 1.0), ("/min", 60.0), ("/m", 60.0)):
        if raw.endswith(suffix):
            raw, per = raw[: -len(suffix)], seconds
            break
    value = float(raw) / per
    if value <= 0:
        raise ValueError("the rate must be positive")
    return value


def due_date(rng: random.Random, today: date, period_end: date | None, fate: str) -> date:
    """Due 3–15 days ahead, inside the open period when it still has 3 days left; a late
    dossier's due date is yesterday (settled today, it is settled after it)."""
    if fate == LATE:
        return today - timedelta(days=1)
    due = today + timedelta(days=rng.randint(3, 15))
    if period_end is not None and period_end >= today + timedelta(days=3):
        due = min(due, period_end)
    return due


@dataclass
class Dossier:
    external_id: str
    officer: str
    item_code: str
    due_on: date
    fate: str
    born: float  # the stream's clock when it was received
    steps: list[str] = field(default_factory=list)  # the events still to come


class DossierStream:
    """Emits one-stop records: new dossiers, and the follow-ups of those received earlier."""

    def __init__(
        self,
        officers: list[str],
        item_codes: list[str],
        *,
        run_id: str,
        rng: random.Random | None = None,
        period_end: date | None = None,
        settle_after: float = 2.0,
    ):
        if not officers or not item_codes:
            raise ValueError("the source needs at least one mapped officer and one mapped code")
        self.officers, self.item_codes = list(officers), list(item_codes)
        self.run_id, self.rng = run_id, rng or random.Random()
        self.period_end, self.settle_after = period_end, settle_after
        self.pending: deque[Dossier] = deque()
        self.count = 0
        self.fates = dict.fromkeys(FATES, 0)

    def _record(self, dossier: Dossier, event: str, now: datetime) -> dict:
        return {
            "external_id": dossier.external_id,
            "event": event,
            "officer": dossier.officer,
            "item_code": dossier.item_code,
            "occurred_at": now.isoformat(timespec="seconds"),
            "due_on": dossier.due_on.isoformat(),
        }

    def _new(self, now: datetime, clock: float) -> dict:
        self.count += 1
        fate = self.rng.choices(FATES, weights=FATE_WEIGHTS)[0]
        self.fates[fate] += 1
        dossier = Dossier(
            external_id=f"{self.run_id}-{self.count:07d}",
            officer=self.rng.choice(self.officers),
            item_code=self.rng.choice(self.item_codes),
            due_on=due_date(self.rng, now.date(), self.period_end, fate),
            fate=fate,
            born=clock,
            steps=["returned", "settled"] if fate == RETURNED else ["settled"],
        )
        self.pending.append(dossier)
        return self._record(dossier, "received", now)

    def _follow(self, now: datetime) -> dict:
        dossier = self.pending[0]
        event = dossier.steps.pop(0)
        if not dossier.steps:
            self.pending.popleft()
        else:  # the next step of a returned dossier comes later
            self.pending.rotate(-1)
        return self._record(dossier, event, now)

    def events(self, count: int, now: datetime, clock: float) -> list[dict]:
        """``count`` records at ``now`` (local, with offset): follow-ups of dossiers received at
        least ``settle_after`` seconds of ``clock`` ago first, then new dossiers."""
        out = []
        while len(out) < count:
            if self.pending and clock - self.pending[0].born >= self.settle_after:
                out.append(self._follow(now))
            else:
                out.append(self._new(now, clock))
        return out

    def drain(self, now: datetime) -> list[dict]:
        """Every follow-up still to come (the end of a run settles every dossier)."""
        out = []
        while self.pending:
            out.append(self._follow(now))
        return out


# --- sending


class Refused(Exception):
    """The API refused a batch (4xx): the run stops."""

    def __init__(self, status: int, body):
        super().__init__(f"HTTP {status}: {json.dumps(body, ensure_ascii=False)[:500]}")
        self.status, self.body = status, body


def http_transport(base_url: str, unit: str, source: str, token: str, timeout: float = 60.0):
    """(post, get) over HTTP to ``{base_url}/api/v1/t/{unit}/feeds/{source}/…``."""
    if not base_url.lower().startswith(("http://", "https://")):
        raise ValueError("the URL must start with http:// or https://")
    root = f"{base_url.rstrip('/')}/api/v1/t/{unit}/feeds/{source}"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def call(method: str, url: str, payload=None) -> tuple[int, dict]:
        data = None
        head = dict(headers)
        if payload is not None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            head["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=head, method=method)  # noqa: S310 (http/https only)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read() or b"{}")
            except ValueError:
                body = {}
            return exc.code, body

    def post(records: list[dict]) -> tuple[int, dict]:
        return call("POST", f"{root}/records", {"records": records})

    def get(batch_id: str) -> tuple[int, dict]:
        return call("GET", f"{root}/batches/{batch_id}")

    return post, get


@dataclass
class Totals:
    sent: int = 0
    batches: int = 0
    accepted: int = 0
    rejected: int = 0
    held: int = 0
    duplicates: int = 0
    http_errors: int = 0
    elapsed: float = 0.0
    open_batches: dict = field(default_factory=dict)  # batch id → record count, not decided yet

    @property
    def rate(self) -> float:
        return self.sent / self.elapsed if self.elapsed else 0.0

    def line(self) -> str:
        return (
            f"{self.elapsed:6.1f} s  sent {self.sent}  batches {self.batches}  "
            f"accepted {self.accepted}  rejected {self.rejected}  held {self.held}  "
            f"duplicates {self.duplicates}  pending {sum(self.open_batches.values())}  "
            f"{self.rate:.1f}/s  HTTP errors {self.http_errors}"
        )


def _take(totals: Totals, body: dict) -> bool:
    """Count a batch's outcome once it is processed; True when it was."""
    if body.get("status") != "processed":
        return False
    totals.accepted += body.get("accepted") or 0
    totals.rejected += body.get("rejected") or 0
    totals.held += body.get("held") or 0
    totals.duplicates += body.get("duplicates") or 0
    totals.open_batches.pop(str(body.get("id")), None)
    return True


def _send(post: Transport, records: list[dict], totals: Totals) -> None:
    for start in range(0, len(records), MAX_BATCH):
        chunk = records[start : start + MAX_BATCH]
        try:
            status, body = post(chunk)
        except OSError:
            totals.http_errors += 1
            continue
        if status >= 500:
            totals.http_errors += 1
            continue
        if status >= 400:
            raise Refused(status, body)
        totals.sent += len(chunk)
        totals.batches += 1
        totals.open_batches[str(body.get("id"))] = len(chunk)
        _take(totals, body)


def _poll(get: Transport, totals: Totals) -> None:
    for batch_id in list(totals.open_batches):
        try:
            status, body = get(batch_id)
        except OSError:
            totals.http_errors += 1
            continue
        if status == 200:
            _take(totals, body)
        elif status >= 400:
            totals.http_errors += 1


def run(
    stream: DossierStream,
    post: Transport,
    get: Transport,
    *,
    rate: float,
    duration: float,
    batch: int | None = None,
    report: Callable[[str], None] = print,
    every: float = 5.0,
    wait: float = 60.0,
    now: Callable[[], datetime] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Totals:
    """Send ``rate`` records a second for ``duration`` seconds in batches of ``batch`` (default:
    one batch a second), then every follow-up left; wait up to ``wait`` seconds for the batches
    to be decided. Raises :class:`Refused` when the API refuses a batch."""
    now = now or (lambda: local_now())
    size = max(1, min(MAX_BATCH, batch or round(rate) or 1))
    interval = size / rate
    totals = Totals()
    started = clock()
    next_report = started + every
    tick = 0
    while True:
        elapsed = clock() - started
        if elapsed >= duration:
            break
        target = started + tick * interval
        if target > clock():
            sleep(target - clock())
        tick += 1
        _send(post, stream.events(size, now(), clock() - started), totals)
        totals.elapsed = clock() - started
        if clock() >= next_report:
            _poll(get, totals)
            report(totals.line())
            next_report += every
    _send(post, stream.drain(now()), totals)
    totals.elapsed = clock() - started
    deadline = clock() + wait
    while totals.open_batches and clock() < deadline:
        _poll(get, totals)
        if totals.open_batches:
            sleep(0.5)
    report(totals.line())
    return totals
