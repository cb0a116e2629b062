"""``python -m daemons.provider_sync``: events, participants, results and rosters
from ChronoTrack, RunSignUp and Race Roster, on the race-day cadence."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from daemons.common import logs
from daemons.common.config import ConfigError
from daemons.common.sdnotify import Notifier

from .daemon import Daemon
from .settings import SyncSettings

log = logging.getLogger("provider_sync")


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m daemons.provider_sync", description=__doc__).parse_args(
        argv
    )
    logs.setup()
    logging.getLogger("urllib3").setLevel(logging.WARNING)  # its lines carry query strings
    try:
        settings = SyncSettings.from_env()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    daemon = Daemon(settings, Notifier())
    signal.signal(signal.SIGTERM, lambda *_: daemon.stop.set())
    signal.signal(signal.SIGINT, lambda *_: daemon.stop.set())
    return daemon.serve()


if __name__ == "__main__":
    sys.exit(main())
