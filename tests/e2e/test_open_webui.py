"""A real Open WebUI in front of nlq_http, driven by Playwright in Debian's chromium.

The processes are real: PostgreSQL (the suite's cluster) with the scale-0.005
demo data and API keys of ``tests/integration/test_nlq.py``, ``python -m
daemons.nlq_http``, and Open WebUI at the release the deployment pins
(``ansible/roles/open_webui``), from its own venv (``tools/open_webui_venv.sh``,
``make test-openwebui``). Between Open WebUI and nlq_http sits a recording
proxy (``recording_proxy.py``), so the test sees exactly what Open WebUI sends
to the bridge (its streamed chat requests and its background ``### Task:``
prompts) and what it got back; the exchanges are written to
``test-artifacts/open-webui-requests.json`` with screenshots next to them.

Open WebUI runs offline (no Hugging Face download, no embedding model, no
version check, no telemetry), with Ollama off, sign-up off and an admin account
from ``WEBUI_ADMIN_*`` with a password generated here.

Skipped unless Open WebUI's venv exists (``P88_OPEN_WEBUI_VENV``, default
``var/open-webui/venv``); with ``P88_OPEN_WEBUI=1`` (``make test-openwebui``) a
missing venv is a failure instead.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, Request, expect, sync_playwright

from daemons.common import migrate
from project88.pgcluster import Cluster, free_port
from tests.conftest import REPO, TEMPLATE, _new_cluster, wait_for
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.recording_proxy import Exchange, RecordingProxy
from tests.e2e.test_display_browser import ARTIFACTS
from tests.integration import test_nlq as nlq

VENV = Path(os.environ.get("P88_OPEN_WEBUI_VENV") or REPO / "var" / "open-webui" / "venv")
OPEN_WEBUI = VENV / "bin" / "open-webui"
REQUIRED = os.environ.get("P88_OPEN_WEBUI", "") not in ("", "0")
MODEL = "project88-nlq"
QUESTION = "How many finishers were there at the Boston Marathon in 2024?"
FOLLOW_UP = "and the women?"
# The same question asked in full, for the follow-up's expected answer.
WOMEN_QUESTION = "How many women finished the Boston Marathon in 2024?"
ANSWER_TIMEOUT = 60_000  # ms: a question, through Open WebUI, the bridge and PostgreSQL

pytestmark = [
    pytest.mark.skipif(
        not REQUIRED and not OPEN_WEBUI.exists(),
        reason=f"Open WebUI is not installed ({OPEN_WEBUI} missing): `make test-openwebui` "
        "installs it (tools/open_webui_venv.sh) and runs this test",
    ),
    pytest.mark.timeout(600),
]

# The integration test's database: scale-0.005 demo data, an admin and two partner keys.
results_db = nlq.results_db
live_db = nlq.live_db


@pytest.fixture(scope="module")
def pg() -> Iterator[Cluster]:
    """A cluster of this module's own (the suite's is shared): results_db names its database
    after the process, so in the suite's cluster it would find test_nlq.py's already loaded."""
    cluster = _new_cluster()
    cluster.create_database(TEMPLATE)
    migrate.apply(cluster.dsn(TEMPLATE), "raw_tag_data")
    yield cluster
    cluster.destroy()


# --------------------------------------------------------------------------- processes


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


@pytest.fixture(scope="module")
def bridge(results_db, live_db, tmp_path_factory) -> Iterator[dict]:
    """nlq_http (rules only) behind the recording proxy Open WebUI is pointed at."""
    workdir = tmp_path_factory.mktemp("nlq-owui")
    proc, svc = nlq.start_service(results_db, live_db, workdir, P88_NLQ_LLM="off")
    port = int(svc["url"].rsplit(":", 1)[1])
    proxy = RecordingProxy("127.0.0.1", port).start()
    yield {**svc, "proxy": proxy, "log": workdir / "nlq.log"}
    proxy.stop()
    proc.terminate()
    proc.wait(15)


class OpenWebUI:
    def __init__(self, workdir: Path, api_base: str, api_key: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.email = "admin@p88.test"
        self.password = secrets.token_urlsafe(18)  # generated per run, never stored
        self.log_path = workdir / "open-webui.log"
        data = workdir / "data"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(workdir),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "ENV": "prod",
            "DATA_DIR": str(data),
            "XDG_CACHE_HOME": str(workdir / "cache"),
            "HF_HOME": str(workdir / "cache" / "huggingface"),
            "SENTENCE_TRANSFORMERS_HOME": str(workdir / "cache" / "embedding"),
            "WEBUI_URL": self.url,
            "CORS_ALLOW_ORIGIN": self.url,
            "WEBUI_SECRET_KEY": secrets.token_hex(32),
            # Auth on; the admin account is made on first start (no user yet); no sign-up.
            "WEBUI_AUTH": "true",
            "WEBUI_ADMIN_EMAIL": self.email,
            "WEBUI_ADMIN_PASSWORD": self.password,
            "WEBUI_ADMIN_NAME": "Test Admin",
            "ENABLE_SIGNUP": "false",
            # nlq_http's OpenAI face is the only model source.
            "ENABLE_OPENAI_API": "true",
            "OPENAI_API_BASE_URLS": api_base,
            "OPENAI_API_KEYS": api_key,
            "ENABLE_OLLAMA_API": "false",
            # Offline: no Hugging Face downloads, no embedding model at all, no update check.
            "OFFLINE_MODE": "true",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "RAG_EMBEDDING_MODEL": "",
            "RAG_EMBEDDING_MODEL_AUTO_UPDATE": "false",
            "RAG_RERANKING_MODEL_AUTO_UPDATE": "false",
            "WHISPER_MODEL_AUTO_UPDATE": "false",
            "ENABLE_VERSION_UPDATE_CHECK": "false",
            # No telemetry.
            "SCARF_NO_ANALYTICS": "true",
            "DO_NOT_TRACK": "true",
            "ANONYMIZED_TELEMETRY": "false",
            "ENABLE_OTEL": "false",
        }
        self.proc: subprocess.Popen | None = None
        self.figures: dict[str, float] = {}

    def start(self) -> OpenWebUI:
        log = open(self.log_path, "w")  # noqa: SIM115 - handed to the child
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(OPEN_WEBUI), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.log_path.parent,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def healthy() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            try:
                return requests.get(self.url + "/health", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_for(healthy, 240, interval=0.25, what="Open WebUI to answer /health")
        self.figures["startup_s"] = round(time.monotonic() - started, 1)
        self.figures["rss_after_start_mib"] = round(rss_kib(self.proc.pid) / 1024)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.figures["rss_end_mib"] = round(rss_kib(self.proc.pid) / 1024)
        self.figures["rss_peak_mib"] = round(rss_kib(self.proc.pid, "VmHWM") / 1024)
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture(scope="module")
def open_webui(bridge, tmp_path_factory) -> Iterator[OpenWebUI]:
    assert OPEN_WEBUI.exists(), f"{OPEN_WEBUI} missing: run tools/open_webui_venv.sh"
    workdir = tmp_path_factory.mktemp("open-webui")
    api_base = f"http://127.0.0.1:{bridge['proxy'].port}/v1"
    server = OpenWebUI(workdir, api_base, nlq.KEYS["admin"]).start()
    yield server
    server.stop()
    print("open-webui figures " + " ".join(f"{k}={v}" for k, v in server.figures.items()))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run tools/bootstrap.sh --test"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """Requests the page made to anywhere but Open WebUI, and its uncaught errors."""

    def __init__(self, page: Page, base: str) -> None:
        self.base = base
        self.elsewhere: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _request(self, request: Request) -> None:
        if not request.url.startswith((self.base, "data:", "blob:")):
            self.elsewhere.append(request.url)


@pytest.fixture(scope="module")
def chat(open_webui, browser) -> Iterator[tuple[Page, Watch]]:
    """One signed-in page, kept across the tests of this module (one conversation)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    watch = Watch(page, open_webui.url)
    yield page, watch
    screenshot(page, "open-webui-last.png")
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


# --------------------------------------------------------------------------- helpers


def answers(page: Page) -> Locator:
    return page.locator("#response-content-container")


def ask(page: Page, text: str, turn: int) -> Locator:
    """Type ``text`` in the composer, send it, and return the ``turn``-th answer once complete."""
    composer = page.locator("#chat-input")
    expect(composer).to_be_editable()
    composer.fill(text)
    page.locator("#send-message-button").click()
    answer = answers(page).nth(turn - 1)
    # The bridge's answer ends with its engine line: the stream is complete.
    expect(answer).to_contain_text("engine: rules", timeout=ANSWER_TIMEOUT)
    return answer


def table_cells(answer: Locator) -> tuple[list[str], list[list[str]]]:
    table = answer.locator("table").first
    expect(table).to_be_visible()
    head = [c.strip() for c in table.locator("thead th").all_text_contents()]
    rows = [
        [c.strip() for c in row.locator("td").all_text_contents()]
        for row in table.locator("tbody tr").all()
    ]
    return head, rows


def direct_answer(bridge: dict, question: str) -> dict:
    reply = requests.post(
        bridge["url"] + "/api/v1/nl-query",
        headers={"X-API-Key": nlq.KEYS["admin"]},
        json={"question": question},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def shape(exchange: Exchange) -> dict:
    """An exchange as the report shows it: the request as sent, the reply summarised."""
    headers = {k: v for k, v in exchange.headers.items() if k.lower() != "authorization"}
    auth = exchange.headers.get("Authorization", "")
    headers["Authorization"] = "Bearer <api key>" if auth.startswith("Bearer ") else auth
    reply: dict = {"status": exchange.status, "content_type": exchange.content_type}
    if exchange.path.endswith("/chat/completions") and exchange.status == 200:
        reply["text"] = exchange.reply_text()
    return {
        "method": exchange.method,
        "path": exchange.path,
        "headers": headers,
        "body": exchange.body,
        "reply": reply,
    }


def user_text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def is_task(exchange: Exchange) -> bool:
    messages = (exchange.body or {}).get("messages") or [{}]
    return user_text(messages[-1]).lstrip().startswith("### Task:")


def questions(bridge: dict) -> list[Exchange]:
    """The chat requests that carried a staff question (not a background task)."""
    return [e for e in bridge["proxy"].chats() if not is_task(e)]


# --------------------------------------------------------------------------- tests


def test_sign_in_pick_the_model_and_ask(chat, open_webui, bridge):
    page, watch = chat
    page.goto(open_webui.url + "/")
    expect(page).to_have_url(f"{open_webui.url}/auth?redirect=%2F")
    page.locator("#email").fill(open_webui.email)
    page.locator("#password").fill(open_webui.password)
    page.get_by_role("button", name="Sign in").click()
    # A new account is first shown the release notes.
    page.get_by_role("button", name="Okay, Let's Go!").click()
    expect(page.locator("#chat-input")).to_be_visible()

    selector = page.locator("#model-selector-model-button")
    selector.click()
    page.locator(f'#model-selector-list [role="option"][data-value="{MODEL}"]').click()
    expect(selector).to_have_attribute("aria-label", f"Selected model: {MODEL}")

    expected = direct_answer(bridge, QUESTION)
    assert expected["intent"] == "count" and expected["rows"][0][0] > 0
    answer = ask(page, QUESTION, turn=1)
    head, rows = table_cells(answer)
    assert head == expected["columns"] == ["finishers"]
    assert rows == [[str(expected["rows"][0][0])]]
    expect(answer).to_contain_text("SELECT count(*)")  # the SQL, in Open WebUI's code block
    screenshot(page, "open-webui-answer.png")

    # Open WebUI asked the bridge for its models with the API key, then streamed the question.
    proxy = bridge["proxy"]
    listed = [e for e in proxy.exchanges if e.path == "/v1/models"]
    assert listed and all(e.status == 200 for e in listed)
    assert listed[0].headers.get("Authorization") == f"Bearer {nlq.KEYS['admin']}"
    [first] = questions(bridge)
    assert first.status == 200 and first.body["model"] == MODEL and first.body["stream"] is True
    assert first.body["messages"][-1] == {"role": "user", "content": QUESTION}
    assert watch.elsewhere == [] and watch.errors == []


def test_follow_up_shows_a_second_table(chat, bridge):
    page, watch = chat
    first = answers(page).nth(0).inner_text()
    answer = ask(page, FOLLOW_UP, turn=2)
    head, rows = table_cells(answer)
    assert head and rows
    assert answer.inner_text() != first
    screenshot(page, "open-webui-follow-up.png")

    # The second turn carries the whole conversation: question, answer, follow-up.
    second = questions(bridge)[-1]
    assert second.status == 200 and second.body["stream"] is True
    roles = [m["role"] for m in second.body["messages"]]
    assert roles[-3:] == ["user", "assistant", "user"]
    assert second.body["messages"][-3]["content"] == QUESTION
    assert "| finishers |" in second.body["messages"][-2]["content"]
    assert second.body["messages"][-1] == {"role": "user", "content": FOLLOW_UP}
    assert watch.elsewhere == [] and watch.errors == []


def test_follow_up_refines_the_first_question(chat, bridge):
    page, _ = chat
    answer = answers(page).nth(1)
    expect(answer).to_contain_text("engine: rules")
    women = direct_answer(bridge, WOMEN_QUESTION)
    assert women["intent"] == "count"
    head, rows = table_cells(answer)
    assert rows == [[str(women["rows"][0][0])]], (head, rows)
    first_rows = table_cells(answers(page).nth(0))[1]
    assert rows != first_rows
    assert "women" in answer.inner_text().lower() or "female" in answer.inner_text().lower()


def test_what_open_webui_sent_the_bridge(chat, open_webui, bridge):
    """Every request answered without error, background tasks in the JSON Open WebUI parses."""
    page, _ = chat
    proxy = bridge["proxy"]
    # Title, tags and follow-up suggestions are asked for after each answer, in the background.
    wait_for(
        lambda: sum(is_task(e) for e in proxy.chats()) >= 3,
        30,
        interval=0.25,
        what="Open WebUI's background tasks",
    )
    page.wait_for_timeout(2000)  # the second turn's tasks, if any, are under way
    for exchange in proxy.exchanges:
        exchange.done.wait(30)
    ARTIFACTS.mkdir(exist_ok=True)
    shapes = [shape(e) for e in proxy.exchanges]
    (ARTIFACTS / "open-webui-requests.json").write_text(json.dumps(shapes, indent=2))

    assert [e.status for e in proxy.exchanges] == [200] * len(proxy.exchanges)
    tasks = [e for e in proxy.chats() if is_task(e)]
    for task in tasks:
        reply = task.reply_text()
        assert isinstance(json.loads(reply), dict), reply
    kinds = {json.dumps(sorted(json.loads(t.reply_text()))) for t in tasks}
    assert {'["title"]', '["tags"]', '["follow_ups"]'} <= kinds, kinds
    for question in questions(bridge):
        assert "I could not answer that" not in question.reply_text()
    assert "Traceback" not in Path(bridge["log"]).read_text()
    assert "Traceback" not in open_webui.log()
