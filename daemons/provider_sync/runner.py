"""Running one claimed ``sync_queue`` job, from credentials to ``sync_history``.

The daemon and ``project88 sync run`` both come here (``execute``): a history
row is opened, the partner's credentials are unsealed, the provider's job module
reads its listings through ``JobContext``, and the outcome is recorded twice, in
``sync_history`` (what happened) and on the queue row (done, failed, or queued
again after a back-off while attempts remain).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import psycopg2.extensions
import requests
from cryptography.fernet import Fernet

from daemons.common import db

from . import fetch, jobs, roster, secretbox
from .adapters.base import ProviderError
from .context import JobContext, JobRefused, Stopped, Tally
from .settings import SyncSettings
from .store import PartnerStore, sql

log = logging.getLogger("provider_sync")


@dataclass(frozen=True)
class Job:
    id: int
    partner_id: int
    provider: str  # slug
    provider_id: int
    kind: str
    event: str | None  # the provider's own event id
    attempts: int  # including this one
    max_retries: int

    def describe(self) -> str:
        scope = f" event {self.event}" if self.event else ""
        return f"{self.provider} {self.kind}{scope} for partner {self.partner_id}"


@dataclass
class Outcome:
    ok: bool
    tally: Tally
    error: str | None = None
    retry_at: dt.datetime | None = None  # queued again for then
    detail: str | None = None  # what a roster job put on the roster

    def line(self, job: Job) -> str:
        if self.ok:
            return f"sync {job.describe()}: succeeded, {self.tally.summary()}"
        again = f"; retry at {self.retry_at:%H:%M:%S}" if self.retry_at else ""
        return f"sync {job.describe()}: failed ({self.error}){again}"


class Lease:
    """Renews the job's lease while it runs; raises Stopped when the daemon stops."""

    def __init__(
        self,
        conn: psycopg2.extensions.connection,
        job: Job,
        me: str,
        seconds: float,
        stop: threading.Event,
    ) -> None:
        self.conn, self.job, self.me, self.seconds, self.stop = conn, job, me, seconds, stop
        self._renewed = 0.0

    def __call__(self) -> None:
        if self.stop.is_set():
            raise Stopped("the daemon is stopping")
        now = dt.datetime.now(dt.UTC).timestamp()
        if now - self._renewed < self.seconds / 4:
            return
        with self.conn, self.conn.cursor() as cur:
            cur.execute(sql("all_partners"))
            cur.execute(
                sql("queue_renew"), {"id": self.job.id, "me": self.me, "lease": self.seconds}
            )
            if cur.fetchone() is None:
                raise Stopped("the job's lease was lost to another daemon")
        self._renewed = now


# One rate limit per provider for the whole process (every partner's requests count
# against the provider's published limit together).
_limits: dict[str, fetch.RateLimit] = {}
_limits_lock = threading.Lock()


def _limit(provider: str, per_hour: int) -> fetch.RateLimit:
    with _limits_lock:
        limit = _limits.get(provider)
        if limit is None or limit.per_hour != per_hour:
            limit = _limits[provider] = fetch.RateLimit(per_hour)
        return limit


def _scrub(text: str, secrets: Mapping[str, str]) -> str:
    # The adapters never put a credential in a message; this is the second line.
    for value in secrets.values():
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def execute(
    settings: SyncSettings,
    conn: psycopg2.extensions.connection,
    job: Job,
    box: Fernet | None,
    me: str,
    stop: threading.Event,
    progress: Callable[[Tally], None] | None = None,
    send: fetch.Send | None = None,
) -> Outcome:
    store = PartnerStore(conn, job.partner_id, job.provider_id)
    with conn, conn.cursor() as cur:
        cur.execute(sql("as_partner"), {"partner": job.partner_id})
        cur.execute(sql("history_abandon"), {"job": job.id})
        cur.execute(
            sql("history_start"),
            {
                "partner": job.partner_id,
                "provider": job.provider_id,
                "kind": job.kind,
                "event": job.event,
                "job": job.id,
            },
        )
        history_id = cur.fetchone()[0]
    tally, secrets, retryable, refund, detail = Tally(), {}, False, False, None
    try:
        if box is None:
            raise secretbox.CredentialError("no sync key: cannot open stored credentials")
        sealed, per_hour = store.read("credentials_get", provider=job.provider_id)[0]
        secrets = secretbox.unseal(box, job.provider, sealed)
        session = requests.Session()
        ctx = JobContext(
            provider=job.provider,
            partner_id=job.partner_id,
            credentials=secrets,
            base_url=settings.base_urls[job.provider],
            send=send or fetch.send_with_requests(session),
            limit=_limit(job.provider, per_hour),
            store=store,
            alive=Lease(conn, job, me, settings.lease_seconds, stop),
            progress=progress,
            timeout=settings.request_timeout,
            tally=tally,
            page_size=settings.page_size,
            max_retries=settings.request_retries,
        )
        try:
            kind = "participants" if job.kind == "roster" else job.kind
            jobs.BY_PROVIDER[job.provider](ctx, kind, job.event)
        finally:
            session.close()
        detail = _roster(settings, store, job) if job.kind == "roster" else None
        error = None
    except Stopped as exc:
        error, retryable, refund = f"interrupted: {exc}; it runs again", True, True
    except (JobRefused, secretbox.CredentialError) as exc:
        error = str(exc)
    except ProviderError as exc:
        # retry_after set: worth another try later (429, 5xx, network, malformed);
        # unset: the provider refused (bad credentials, a 404), which time will not mend.
        error, retryable = str(exc), exc.retry_after is not None
    except psycopg2.Error as exc:
        first = (
            (exc.pgerror or str(exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
        )
        error, retryable = f"database: {first}", True
    except Exception as exc:  # an answer no adapter check foresaw, or a bug
        # Recorded and retried later like a provider error, never a dead worker: one odd
        # record must not stop every other partner's syncs. Where it happened goes in the
        # line (the full traceback at debug level).
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        at = f"{Path(frame.filename).name}:{frame.lineno}"
        error = f"unexpected {type(exc).__name__}: {exc} (at {at})"
        error, retryable = error[:500], True
        log.debug("sync %s failed", job.describe(), exc_info=True)
    if conn.closed == 0 and conn.status != psycopg2.extensions.STATUS_READY:
        conn.rollback()
    if error is not None:
        error = _scrub(error, secrets)
        if job.kind == "roster" and job.event:
            _roster_failed(settings, job, error)
    outcome = _record(conn, job, history_id, tally, error, retryable, refund, me)
    outcome.detail = detail
    return outcome


def _roster(settings: SyncSettings, store: PartnerStore, job: Job) -> str:
    """The event's runners into the display's roster, and the source's state for /status."""
    if not job.event:
        raise JobRefused("a roster job needs the provider's event id")
    outcome, rows = roster.build(store, job.provider, job.event)
    if not rows:
        raise JobRefused(f"{outcome.label}: no runner with a bib to put on the roster")
    raw = db.connect(settings.common.raw_dsn, "provider-sync")
    try:
        outcome.written, outcome.removed = roster.write(
            raw, roster.source_name(job.provider, job.event), rows
        )
        roster.record(raw, job.provider, job.event, job.partner_id, outcome, outcome.note())
    finally:
        raw.close()
    line = (
        f"roster {outcome.label} from {job.provider} event {job.event}: {len(rows)} runners "
        f"({outcome.written} written, {outcome.removed} removed)"
        + (f"; {outcome.note()}" if outcome.note() else "")
    )
    log.info(line)
    return line


def _roster_failed(settings: SyncSettings, job: Job, error: str) -> None:
    try:
        raw = db.connect(settings.common.raw_dsn, "provider-sync")
    except psycopg2.Error:
        return  # the failure itself is in sync_history and the journal
    try:
        roster.record(raw, job.provider, job.event or "", job.partner_id, None, error)
    except psycopg2.Error as exc:
        log.warning("cannot record the roster error for /status: %s", exc)
    finally:
        raw.close()


def _record(
    conn: psycopg2.extensions.connection,
    job: Job,
    history_id: int,
    tally: Tally,
    error: str | None,
    retryable: bool,
    refund: bool,
    me: str,
) -> Outcome:
    retry_at = None
    if error is None:
        status = "done"
    elif retryable and (refund or job.attempts <= job.max_retries):
        status = "queued"
        wait = 1.0 if refund else fetch.backoff(job.attempts - 1, None) * 30
        retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
    else:
        status = "failed"
    with conn, conn.cursor() as cur:
        cur.execute(sql("as_partner"), {"partner": job.partner_id})
        cur.execute(
            sql("history_finish"),
            {
                "id": history_id,
                "status": "succeeded" if error is None else "failed",
                "records": tally.fetched,
                "error": error,
            },
        )
        cur.execute(sql("all_partners"))
        cur.execute(
            sql("queue_finish"),
            {
                "id": job.id,
                "status": status,
                "error": error,
                "retry_at": retry_at,
                "me": me,
                "refund": refund,
            },
        )
    return Outcome(error is None, tally, error, retry_at)


def claim(
    conn: psycopg2.extensions.connection, me: str, lease: float, only: int | None = None
) -> Job | None:
    with conn, conn.cursor() as cur:
        cur.execute(sql("all_partners"))
        cur.execute(sql("queue_claim"), {"me": me, "lease": lease, "only": only})
        row = cur.fetchone()
    return Job(*row) if row else None


def enqueue(
    conn: psycopg2.extensions.connection,
    partner_id: int,
    provider: str,
    kind: str,
    event: str | None,
    *,
    at: dt.datetime | None = None,
    priority: int = 5,
    max_retries: int = 5,
) -> tuple[int, str, bool] | None:
    """The queued (or already running) job for this (partner, provider, kind, event):
    (its id, its status, whether it was added now). None: no such provider."""
    with conn, conn.cursor() as cur:
        cur.execute(sql("all_partners"))
        cur.execute(
            sql("queue_add"),
            {
                "partner": partner_id,
                "provider": provider,
                "kind": kind,
                "event": event,
                "at": at,
                "priority": priority,
                "max_retries": max_retries,
            },
        )
        row = cur.fetchone()
    return (row[0], row[1], row[2]) if row else None
