"""nlq_http's /health says 503 while PostgreSQL is away, and 200 again once it is back."""

from __future__ import annotations

import requests

from tests.conftest import stop_process, wait_for
from tests.integration.nlq_service import SMALL_KEYS, small_results_db, start_service


def test_health_is_503_while_the_database_is_away_and_200_after(own_cluster, tmp_path):
    cluster, raw_dsn = own_cluster
    db = small_results_db(cluster, "project88_myappdb", tmp_path)
    proc, svc = start_service(db, raw_dsn, tmp_path, P88_NLQ_LLM="off")
    health = svc["url"] + "/health"
    try:
        up = requests.get(health, timeout=5)
        assert up.status_code == 200, up.text
        assert up.json()["status"] == "ok" and up.json()["database"] == "ok"
        assert up.json()["partner_scope"] == "ok"

        cluster.stop()
        down = requests.get(health, timeout=10)
        assert down.status_code == 503, down.text
        body = down.json()
        assert body["status"] == "degraded" and body["database"].startswith("unavailable: ")
        assert down.headers["Content-Type"].startswith("application/json")
        asked = requests.post(
            svc["url"] + "/api/v1/nl-query",
            headers={"X-API-Key": SMALL_KEYS["a"]},
            json={"question": "How many runners finished the Hartford Marathon?"},
            timeout=10,
        )
        assert asked.status_code == 503 and asked.headers.get("Retry-After") == "5"

        cluster.start()
        wait_for(
            lambda: requests.get(health, timeout=5).status_code == 200,
            30,
            interval=0.5,
            what="/health to answer 200 with the database back",
        )
    finally:
        stop_process(proc)
    assert "Traceback" not in svc["log"].read_text()
