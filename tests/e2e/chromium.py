"""Debian's Chromium as the browser tests launch it (installed by tools/bootstrap.sh --test)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
# No internet here: these flags stop Chromium's own connections (updates,
# sync, field trials, QUIC probes) so the page's requests are all there is.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The harness's vhost names, resolved by Chromium itself (no /etc/hosts edits).
RESOLVE_TEST_NAMES = "--host-resolver-rules=MAP *.p88.test 127.0.0.1"
