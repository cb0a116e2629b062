"""``python -m daemons.nlq_http``: natural-language questions over the results database."""

from gevent import monkey

monkey.patch_all()  # first: the whole process cooperative (see display_http)

import logging  # noqa: E402
import sys  # noqa: E402

from daemons.common import greendb, logs  # noqa: E402
from daemons.common.config import ConfigError  # noqa: E402
from daemons.common.greenweb import NoDelayWSGIServer, serve_until_signalled  # noqa: E402
from daemons.common.logs import kv  # noqa: E402
from daemons.common.sdnotify import Notifier  # noqa: E402

from . import runner  # noqa: E402
from .app import NlqApp  # noqa: E402
from .engine import Engine, Planner  # noqa: E402
from .scope import ScopedPool, ScopeError, ScopeKey  # noqa: E402
from .settings import NlqSettings  # noqa: E402

log = logging.getLogger("nlq_http")


def main() -> int:
    logs.setup()
    try:
        settings = NlqSettings.from_env()
        key = ScopeKey.load(settings.scope_key_file)
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    greendb.cooperative()
    # Read-only at the session level too: the role has no write privilege anyway.
    options = "-c default_transaction_read_only=on"
    pool = ScopedPool(settings.dsn, "nlq_http", settings.pool_size, options, scope_key=key)
    raw_pool = greendb.GreenPool(settings.raw_dsn, "nlq_http", 2, options)
    admin_pool = None
    if settings.admin_dsn:  # admin keys' questions, without row-level security (0004_*.sql)
        admin_pool = ScopedPool(settings.admin_dsn, "nlq_http", 2, options, scope_key=key)
    if not scope_key_accepted(pool):
        return 2
    planner: Planner | None = None
    if settings.llm_enabled:
        from .llm_fallback import LlmPlanner

        planner = LlmPlanner(settings.model_id, timeout=settings.llm_timeout)
        log.info(
            "language model %s",
            kv(model=settings.model_id, available=planner.available, reason=planner.reason or "-"),
        )
    engine = Engine(settings, pool, raw_pool, planner, admin_pool=admin_pool)
    app = NlqApp(engine)
    server = NoDelayWSGIServer(
        (settings.host, settings.port),
        app.app,
        log=None,
        error_log=logging.getLogger("nlq_http.wsgi"),
    )
    try:
        server.start()
    except OSError as exc:
        log.error("cannot listen %s", kv(host=settings.host, port=settings.port, error=exc))
        return 1
    log.info("listening %s", kv(host=settings.host, port=server.server_port))
    notifier = Notifier()

    def status_line() -> str:
        answered = sum(v for k, v in app.counters.items() if k.startswith("answered_"))
        refused = sum(v for k, v in app.counters.items() if k.startswith("refused_"))
        model = "up" if planner and planner.available else "off" if planner is None else "down"
        return f"answered={answered} refused={refused} errors={app.counters['errors']} llm={model}"

    notifier.ready(status_line())
    serve_until_signalled(notifier, lambda: notifier.status(status_line()))
    log.info("stopping")
    server.stop(timeout=5)
    pool.close()
    raw_pool.close()
    if admin_pool is not None:
        admin_pool.close()
    return 0


def scope_key_accepted(pool: ScopedPool) -> bool:
    """A key the database does not share is a configuration error: say so and stop at once.
    With the database away it cannot be told yet; every query checks it again (503)."""
    try:
        runner.check_scope(pool)
    except greendb.DatabaseDown as exc:
        log.warning("database unavailable at start, partner scope key not checked yet: %s", exc)
        return True
    except ScopeError as exc:
        log.error("configuration error: %s", exc)
        return False
    log.info("partner scope key accepted by the database")
    return True


if __name__ == "__main__":
    sys.exit(main())
