"""``project88 scope-key``: the key that signs the NL service's partner scope.

Row-level security trusts a reader's partner only when a token signed with
this key says so (``sql/production/0006_*``). The same key lives in two
places: the database (``p88_scope_key``, readable by the tables' owner
alone) and nlq-http's systemd credential ``scope-key``. This command puts a
key file's content into the database; with ``--new`` it first writes a fresh
random key to the file (mode 0600).
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
from pathlib import Path

from daemons.common import db
from daemons.common.config import CommonSettings, ConfigError, read_secret

WHAT = "the partner scope key"
DESCRIPTION = (
    "Store the key that signs the NL service's partner scope in project88_myappdb "
    "(P88_PROD_DSN, as the tables' owner or a superuser). nlq-http must read the same file "
    "(P88_NLQ_SCOPE_KEY_FILE, or the systemd credential scope-key); until both agree it "
    "refuses to start or answers 503. The key travels by COPY, never in statement text."
)


def _sql(name: str) -> str:
    return db.load_sql("project88", f"scope_key_{name}")


def new_key_file(path: Path) -> None:
    """A fresh random key (256 bits, URL-safe text), in a new file only its owner can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")


def store(dsn: str, secret: bytes) -> bool:
    """Store ``secret`` in the database (as the tables' owner); True if it changed."""
    conn = db.connect(dsn, "project88-cli")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(_sql("stage"))
            cur.copy_expert(_sql("copy"), io.StringIO(secret.hex() + "\n"))
            cur.execute(_sql("store"))
            return cur.fetchone() is not None
    finally:
        conn.close()


def run_from_args(args: argparse.Namespace) -> int:
    path = Path("/dev/stdin") if args.file == "-" else Path(args.file)
    if args.new:
        if args.file == "-":
            raise ConfigError("--new writes a key file: name one, not '-'")
        try:
            new_key_file(path)
        except FileExistsError:
            raise ConfigError(f"{path} exists; --new never overwrites a key") from None
    secret = read_secret(path, WHAT)
    changed = store(CommonSettings.from_env().prod_dsn, secret)
    if changed:
        print("scope key: stored in the database; restart nlq-http with the same file")
    else:
        print("scope key: the database already holds this key")
    return 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        metavar="FILE",
        help="the key file nlq-http reads (P88_NLQ_SCOPE_KEY_FILE / credential scope-key); "
        "'-' reads the key from stdin",
    )
    p.add_argument(
        "--new",
        action="store_true",
        help="first write a fresh random key to FILE (mode 0600; FILE must not exist)",
    )
