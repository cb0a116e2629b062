"""``python -m daemons.display_http``: the race display daemon (Bottle on gevent)."""

from gevent import monkey

# Before anything else imports socket, threading or time: the whole process
# becomes cooperative, which is what lets one process hold thousands of streams.
monkey.patch_all()

import datetime as dt  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from daemons.common import greendb, logs  # noqa: E402
from daemons.common.config import ConfigError  # noqa: E402
from daemons.common.greenweb import NoDelayWSGIServer, serve_until_signalled  # noqa: E402
from daemons.common.logs import kv  # noqa: E402
from daemons.common.sdnotify import Notifier  # noqa: E402

from .app import Display, ForwardedPrefix  # noqa: E402
from .events import Hub  # noqa: E402
from .races import RaceRoutes, pool_resolver  # noqa: E402
from .settings import DisplaySettings  # noqa: E402

log = logging.getLogger("display_http")


def session_options(timezone: str) -> str:
    # Timestamps come back in the event's zone (ISO 8601 with its offset), and
    # this daemon cannot write even by mistake.
    return f"-c TimeZone={timezone} -c default_transaction_read_only=on -c statement_timeout=10000"


def main() -> int:
    logs.setup()
    try:
        settings = DisplaySettings.from_env()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    greendb.cooperative()
    options = session_options(settings.common.timezone)
    pool = greendb.GreenPool(settings.common.raw_dsn, "display_http", settings.pool_size, options)
    hub = Hub(
        settings.common.raw_dsn,
        pool,
        options,
        settings.fanout_interval,
        settings.poll_interval,
        settings.stats_refresh,
        settings.ring_size,
    )
    display = Display(settings, pool, hub)
    log.info(
        "operator views %s",
        kv(htpasswd=display.operators.describe(), apis=",".join(sorted(settings.operator_apis))),
    )
    notifier = Notifier()
    server = NoDelayWSGIServer(
        (settings.host, settings.port),
        ForwardedPrefix(RaceRoutes(display.app, pool_resolver(pool))),
        log=logging.getLogger("display_http.access") if settings.access_log else None,
        error_log=logging.getLogger("display_http.wsgi"),
    )
    try:
        server.start()
    except OSError as exc:
        log.error("cannot listen %s", kv(host=settings.host, port=settings.port, error=exc))
        return 1
    hub.start()
    log.info("listening %s", kv(host=settings.host, port=server.server_port))

    rate = {"at": time.monotonic(), "seen": 0, "per_second": 0.0}

    def status_line() -> str:
        db = "up" if hub.connected else f"DOWN ({hub.last_error})"
        last = (
            dt.datetime.fromtimestamp(hub.last_read_at).astimezone().strftime("%H:%M:%S")
            if hub.last_read_at
            else "never"
        )
        return (
            f"streams={display.streams} reads/s={rate['per_second']:.0f} last_read={last} "
            f"reads_seen={hub.reads_seen} db={db}"
        )

    notifier.ready(status_line())

    def report() -> None:
        now = time.monotonic()
        rate["per_second"] = (hub.reads_seen - rate["seen"]) / (now - rate["at"])
        rate["at"], rate["seen"] = now, hub.reads_seen
        notifier.status(status_line())
        log.info(
            "status %s",
            kv(
                streams=display.streams,
                reads_seen=hub.reads_seen,
                db_up=hub.connected,
                **dict(display.counters),
            ),
        )

    serve_until_signalled(notifier, report)
    log.info("stopping %s", kv(streams=display.streams))
    server.close()  # no new connections
    hub.stop()  # streams end
    server.stop(timeout=3)
    pool.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
