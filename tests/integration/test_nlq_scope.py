"""The signed partner scope (sql/production/0006_*) against hostile SQL run as nlq_reader.

The guard (guard.py) keeps generated SQL from calling set_config(); these
tests assume it failed. Each connects as nlq_reader itself, does what an
injected statement could do, and checks that nothing of partner B becomes
visible: every test's assertion is about the partner ids of the rows that
come back, across the partner-owned tables. Then the service itself: a
missing or wrong key is a clear refusal to start or a clear 503.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import requests

from daemons.nlq_http.scope import ScopeKey
from project88 import scopekey
from tests.conftest import query, wait_for
from tests.integration.nlq_service import (
    PARTNER_A,
    PARTNER_B,
    SMALL_KEYS,
    service_env,
    small_results_db,
    spawn,
    start_service,
)

# Every partner-owned table with rows in the small database, and the column naming the owner.
OWNED = {
    "timing_partners": "id",
    "ct_events": "timing_partner_id",
    "ct_races": "timing_partner_id",
    "ct_participants": "timing_partner_id",
    "ct_results": "timing_partner_id",
}
VISIBLE = " UNION ".join(f"SELECT {col} FROM {table}" for table, col in OWNED.items())


@pytest.fixture(scope="module")
def db(pg, tmp_path_factory) -> dict:
    return small_results_db(pg, "nlq_scope", tmp_path_factory.mktemp("nlq-scope"))


@pytest.fixture(scope="module")
def key(db) -> ScopeKey:
    return ScopeKey.load(db["scope_key_file"])


def connect(db: dict, role: str = "nlq_reader") -> psycopg2.extensions.connection:
    conn = psycopg2.connect(f"{db['dsn']} user={role}")
    conn.autocommit = True  # as the service's pool: transactions are explicit
    return conn


@pytest.fixture
def cur(db) -> Iterator[psycopg2.extensions.cursor]:
    conn = connect(db)
    with conn.cursor() as cursor:
        yield cursor
    conn.close()


def visible(cur) -> set[int]:
    cur.execute(VISIBLE)
    return {row[0] for row in cur.fetchall()}


def sign(secret: bytes, scope: str, nonce: str) -> str:
    """The token, computed here independently of daemons/nlq_http/scope.py."""
    mac = hmac.new(secret, f"p88-nlq-scope-v1|{scope}|{nonce}".encode(), hashlib.sha256)
    return f"{scope}:{mac.hexdigest()}"


def begin(cur) -> str:
    """BEGIN READ ONLY, as the service does; the transaction's nonce."""
    cur.execute("BEGIN TRANSACTION READ ONLY; SELECT p88_scope_nonce()")
    return cur.fetchone()[0]


def set_token(cur, token: str) -> None:
    cur.execute("SELECT set_config('app.nlq_scope', %s, true)", (token,))


def scoped(cur, key: ScopeKey, scope: str) -> str:
    """A transaction with a valid token for ``scope``; returns the token."""
    token = sign(key.secret, scope, begin(cur))
    set_token(cur, token)
    return token


# -- what is allowed ------------------------------------------------------------------------
def test_a_valid_token_shows_its_partner_and_the_admin_scope_shows_all(cur, key):
    scoped(cur, key, str(PARTNER_A))
    assert visible(cur) == {PARTNER_A}
    cur.execute("ROLLBACK")
    scoped(cur, key, "*")
    assert visible(cur) == {PARTNER_A, PARTNER_B}
    cur.execute("ROLLBACK")


def test_the_service_signs_what_the_database_verifies(cur, key):
    nonce = begin(cur)
    assert re.fullmatch(r"\d+\.\d{16}", nonce)  # pid.microseconds since 1970
    assert key.token(str(PARTNER_A), nonce) == sign(key.secret, str(PARTNER_A), nonce)
    cur.execute("ROLLBACK")


def test_no_token_shows_nothing(cur):
    assert visible(cur) == set()
    begin(cur)
    assert visible(cur) == set()
    cur.execute("ROLLBACK")


# -- what is not -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "value"),
    [("app.all_partners", "on"), ("app.timing_partner_id", str(PARTNER_B))],
)
@pytest.mark.parametrize("is_local", [True, False])
def test_the_old_settings_widen_nothing(cur, key, name, value, is_local):
    begin(cur)
    cur.execute("SELECT set_config(%s, %s, %s)", (name, value, is_local))
    assert visible(cur) == set()
    cur.execute("ROLLBACK")
    scoped(cur, key, str(PARTNER_A))
    cur.execute("SELECT set_config(%s, %s, %s)", (name, value, is_local))
    assert visible(cur) == {PARTNER_A}
    cur.execute("ROLLBACK")


def forged(nonce: str) -> list[str]:
    b = str(PARTNER_B)
    return [
        f"{b}:{secrets.token_hex(32)}",  # a random signature
        f"*:{secrets.token_hex(32)}",
        sign(secrets.token_bytes(32), b, nonce),  # signed right, with another key
        sign(b"", b, nonce),
        sign(b"\0" * 32, "*", nonce),
        f"{b}:" + sign(b"x" * 32, b, nonce).split(":")[1].upper(),
        f"{b}",
        f"{b}:",
        "*",
        "",
        f"{b} OR true:{secrets.token_hex(32)}",
        f"0{b}:{secrets.token_hex(32)}",
    ]


@pytest.mark.parametrize("index", range(len(forged("0.0"))))
def test_forged_tokens_show_nothing(cur, index):
    token = forged(begin(cur))[index]
    set_token(cur, token)
    assert visible(cur) == set()
    cur.execute("SELECT p88_scope_token()")
    assert cur.fetchone()[0] is None
    cur.execute("ROLLBACK")


@pytest.mark.parametrize("scope", [str(PARTNER_B), "*", f"{PARTNER_B}0"])
def test_a_token_edited_to_another_scope_shows_nothing(cur, key, scope):
    mine = scoped(cur, key, str(PARTNER_A))
    set_token(cur, scope + mine[mine.index(":") :])
    assert visible(cur) == set()
    cur.execute("ROLLBACK")


def test_a_token_replayed_in_a_later_transaction_shows_nothing(cur, key):
    theirs = scoped(cur, key, str(PARTNER_B))  # a partner B caller's transaction
    assert visible(cur) == {PARTNER_B}
    cur.execute("ROLLBACK")
    begin(cur)  # the next caller of the same pooled connection
    set_token(cur, theirs)
    assert visible(cur) == set()
    cur.execute("ROLLBACK")
    cur.execute("SELECT set_config('app.nlq_scope', %s, false)", (theirs,))  # kept for later
    begin(cur)
    assert visible(cur) == set()
    cur.execute("ROLLBACK")


def test_a_token_seen_in_pg_stat_activity_is_worthless_elsewhere(db, key, cur):
    """Another connection's statement text, token included, is visible to the same role."""
    other = connect(db)
    try:
        with other.cursor() as theirs:
            scoped(theirs, key, str(PARTNER_B))  # left open, its last statement the set_config
            cur.execute(
                "SELECT query FROM pg_stat_activity WHERE pid = %s", (other.get_backend_pid(),)
            )
            seen = re.search(r"'app\.nlq_scope', '([^']+)'", cur.fetchone()[0])
            assert seen, "the other connection's token should be visible to this role"
            begin(cur)
            set_token(cur, seen[1])
            assert visible(cur) == set()
            cur.execute("ROLLBACK")
            assert visible(theirs) == {PARTNER_B}  # where it was made, it works
    finally:
        other.close()


@pytest.mark.parametrize("role", ["nlq_reader", "nlq_admin"])
def test_the_key_is_out_of_reach(db, role):
    conn = connect(db, role)
    with conn.cursor() as cur:
        for statement in (
            "SELECT * FROM p88_scope_key",
            "SELECT secret FROM public.p88_scope_key",
            "COPY p88_scope_key TO STDOUT",
            "SELECT pg_read_binary_file('global/pg_control')",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(statement)
        cur.execute(
            "SELECT has_table_privilege(current_user, 'p88_scope_key', 'SELECT'),"
            " has_function_privilege(current_user, 'p88_scope_token()', 'EXECUTE')"
        )
        assert cur.fetchone() == (False, True)
    conn.close()


def test_calling_the_verifier_directly_tells_only_the_own_scope(cur, key):
    cur.execute("SELECT p88_scope_token(), p88_scope_partner(), p88_scope_all()")
    assert cur.fetchone() == (None, None, None)
    scoped(cur, key, str(PARTNER_A))
    cur.execute("SELECT p88_scope_token(), p88_scope_partner(), p88_scope_all()")
    assert cur.fetchone() == (str(PARTNER_A), PARTNER_A, None)
    cur.execute("ROLLBACK")
    with pytest.raises(psycopg2.errors.UndefinedFunction):
        cur.execute("SELECT p88_scope_token(%s)", (str(PARTNER_B),))
    with pytest.raises(psycopg2.errors.UndefinedFunction):
        cur.execute("SELECT p88_scope_partner(%s)", ("postgres",))


def test_web_anon_is_a_reader_too(db):
    """PostgREST's role has no SELECT on these tables; granted one, the settings still fail."""
    conn = psycopg2.connect(db["dsn"])
    try:
        with conn.cursor() as cur:
            cur.execute("GRANT SELECT ON ct_events TO web_anon")  # rolled back below
            cur.execute("SET LOCAL ROLE web_anon")
            cur.execute("SELECT set_config('app.all_partners', 'on', true)")
            cur.execute("SELECT count(*) FROM ct_events")
            assert cur.fetchone()[0] == 0
    finally:
        conn.rollback()
        conn.close()


def test_other_roles_keep_the_old_settings_and_reader_members_do_not(db):
    """Writers and the owner (the 0005 triggers, the CLI) still use app.*; a role that
    inherits nlq_reader is a reader."""
    conn = psycopg2.connect(db["dsn"])
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE ROLE p88_scope_writer; CREATE ROLE p88_scope_member")
            cur.execute("GRANT SELECT ON ct_events TO p88_scope_writer")
            cur.execute("GRANT nlq_reader TO p88_scope_member")
            for role, expected in (
                ("p88_scope_writer", ({PARTNER_A, PARTNER_B}, {PARTNER_B})),
                ("p88_scope_member", (set(), set())),
            ):
                cur.execute(f"SET LOCAL ROLE {role}")
                cur.execute("SELECT set_config('app.all_partners', 'on', true)")
                cur.execute("SELECT timing_partner_id FROM ct_events")
                assert {r[0] for r in cur.fetchall()} == expected[0], role
                cur.execute("SELECT set_config('app.all_partners', '', true)")
                cur.execute(
                    "SELECT set_config('app.timing_partner_id', %s, true)", (f"{PARTNER_B}",)
                )
                cur.execute("SELECT timing_partner_id FROM ct_events")
                assert {r[0] for r in cur.fetchall()} == expected[1], role
                cur.execute("RESET ROLE")
    finally:
        conn.rollback()
        conn.close()


# -- what keeps it that way ------------------------------------------------------------------
def test_the_only_definer_functions_a_reader_may_call(db):
    """A SECURITY DEFINER function runs as the owner, for whom the old settings count: one
    that read FORCEd tables for a reader would reopen the hole (see 0006's header)."""
    rows = query(
        db["dsn"],
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = 'public' AND p.prosecdef AND p.prorettype <> 'trigger'::regtype"
        " AND (has_function_privilege('nlq_reader', p.oid, 'EXECUTE')"
        " OR has_function_privilege('web_anon', p.oid, 'EXECUTE'))",
    )
    assert {r[0] for r in rows} == {"nlq_caller", "nlq_partner_names", "p88_scope_token"}


def test_every_partner_table_is_under_the_signed_policy(db):
    rows = query(
        db["dsn"],
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
        " (SELECT string_agg(qual, ' ') FROM pg_policies p WHERE p.tablename = c.relname)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'r' AND (c.relname = 'timing_partners'"
        " OR EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid"
        " AND a.attname = 'timing_partner_id' AND NOT a.attisdropped))",
    )
    # 0001's partner-owned tables, timing_partners, and 0007's raceroster_registrations
    # and sync_cursors.
    assert len(rows) == 18
    for table, enabled, forced, qual in rows:
        assert enabled and qual and "p88_scope_partner()" in qual and "p88_scope_all()" in qual
        assert "current_setting" not in qual, table
        assert forced == (table not in ("users", "timing_partners")), table


def test_the_verifier_runs_once_per_table_and_indexes_still_serve(cur, key):
    scoped(cur, key, str(PARTNER_A))
    cur.execute("SET LOCAL enable_seqscan = off")  # would an index be usable at all?
    cur.execute(
        "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM ct_results r"
        " JOIN ct_events e ON e.id = r.event_id WHERE r.timing_partner_id = %s"
        " AND r.timing_point = 'Finish' AND r.status = 'finished'",
        (PARTNER_A,),
    )
    plan = cur.fetchone()[0][0]["Plan"]
    cur.execute("ROLLBACK")
    nodes = list(walk(plan))
    initplans = [n for n in nodes if n.get("Parent Relationship") == "InitPlan"]
    assert len(initplans) == 4  # partner and all-partners, for each of the two tables
    assert all(n.get("Actual Loops", 0) <= 1 for n in initplans)
    scans = {n["Relation Name"]: n["Node Type"] for n in nodes if "Relation Name" in n}
    assert "Seq Scan" not in scans.values(), scans


def walk(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from walk(child)


def test_parallel_workers_see_what_the_leader_sees(cur, key, db):
    """The verifier binds to the backend pid; a worker has another, so it runs in the leader."""
    cur.execute("SHOW server_version_num")
    force = "debug_parallel_query" if int(cur.fetchone()[0]) >= 160000 else "force_parallel_mode"
    scoped(cur, key, str(PARTNER_A))
    cur.execute(
        "SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;"
        f" SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL {force} = on;"
        " SET LOCAL max_parallel_workers_per_gather = 2"
    )
    cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM ct_participants")
    nodes = list(walk(cur.fetchone()[0][0]["Plan"]))
    assert any(n["Node Type"] in ("Gather", "Gather Merge") for n in nodes)
    cur.execute("SELECT DISTINCT timing_partner_id FROM ct_participants")
    assert cur.fetchall() == [(PARTNER_A,)]
    cur.execute("SELECT count(*) FROM ct_participants")
    assert (
        cur.fetchone()[0]
        == query(
            db["dsn"],
            "SELECT count(*) FROM ct_participants WHERE timing_partner_id = %s",
            (PARTNER_A,),
        )[0][0]
    )
    cur.execute("ROLLBACK")


# -- the service -----------------------------------------------------------------------------
def exits_with(env: dict, workdir: Path) -> tuple[int, str]:
    proc = spawn(env, workdir)
    try:
        code = proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return code, (workdir / "nlq.log").read_text()


@pytest.mark.parametrize(
    ("key_file", "message"),
    [
        (None, "the partner scope key is missing: set P88_NLQ_SCOPE_KEY_FILE"),
        ("missing", "cannot read the partner scope key from"),
        ("short", "bytes long; it must be at least 32"),
        ("other", "does not accept this service's partner scope key"),
    ],
)
def test_the_service_will_not_start_without_the_right_key(db, raw_dsn, tmp_path, key_file, message):
    env = service_env(db, raw_dsn, tmp_path)
    del env["P88_NLQ_SCOPE_KEY_FILE"]
    if key_file is not None:
        path = tmp_path / key_file
        if key_file == "short":
            path.write_text("too-short\n")
        elif key_file == "other":
            scopekey.new_key_file(path)
        env["P88_NLQ_SCOPE_KEY_FILE"] = str(path)
    code, log = exits_with(env, tmp_path)
    assert code == 2, log
    assert message in log and "configuration error" in log
    assert "Traceback" not in log


def test_a_key_changed_under_the_service_is_a_clear_503(db, raw_dsn, tmp_path):
    proc, svc = start_service(db, raw_dsn, tmp_path, P88_NLQ_LLM="off")
    ours = Path(db["scope_key_file"]).read_bytes().strip()

    def ask() -> requests.Response:
        return requests.post(
            svc["url"] + "/api/v1/nl-query",
            headers={"X-API-Key": SMALL_KEYS["a"]},
            json={"question": "How many runners finished the Hartford Marathon?"},
            timeout=10,
        )

    try:
        assert ask().status_code == 200
        assert scopekey.store(db["dsn"], secrets.token_bytes(32))  # rotated in the database only
        refused = ask()
        assert refused.status_code == 503
        assert "partner scope key" in refused.json()["error"]
        health = requests.get(svc["url"] + "/health", timeout=5)
        assert health.status_code == 503
        assert health.json()["partner_scope"].startswith("refused: ")
        assert health.json()["database"] == "ok"
    finally:
        scopekey.store(db["dsn"], ours)
    wait_for(lambda: ask().status_code == 200, 10, what="answers with the key restored")
    proc.terminate()
    proc.wait(15)
