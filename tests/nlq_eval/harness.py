"""One scale's run: databases, the service (rules or model), every question, the checks.

Shared by ``bench/nlq_eval.py`` (the CLI) and ``tests/integration/test_nlq_eval.py``.
Besides the scores, each run checks two things that must hold whatever the
parser does: no answer to a partner's key shows another partner's rows
(``isolation.py``), and nothing was written (every table's row count and
checksum, in both databases, before and after).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from project88.pgcluster import Cluster
from tests.nlq_eval import environment
from tests.nlq_eval.environment import Databases
from tests.nlq_eval.evaluate import Evaluator, QuestionResult, References
from tests.nlq_eval.questions import Question

DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"
# Above any confidence the rules can report (at most 1.0): every question goes to the model.
MODEL_ONLY_CONFIDENCE = "1.01"


def service_env(
    model: str | None = None,
    ollama_url: str = DEFAULT_OLLAMA_URL,
    route: str = "model",
    llm_timeout: float = 60.0,
) -> dict[str, str]:
    """The service's environment: the rules alone, or a model (every question, or as fallback)."""
    if model is None:
        return {"P88_NLQ_LLM": "off"}
    env = {
        "P88_NLQ_LLM": "on",
        "P88_NLQ_MODEL": model if "/" in model else f"ollama/{model}",
        "OLLAMA_HOST": ollama_url,
        "P88_NLQ_LLM_TIMEOUT": f"{llm_timeout:g}",
    }
    if route == "model":
        env["P88_NLQ_CONFIDENCE"] = MODEL_ONLY_CONFIDENCE
    return env


@dataclass
class ScaleRun:
    scale: float
    results: list[QuestionResult] = field(default_factory=list)
    load_seconds: float = 0.0
    start_seconds: float = 0.0
    run_seconds: float = 0.0
    written_tables: list[str] = field(default_factory=list)  # must stay empty

    @property
    def foreign_rows(self) -> int:
        return sum(t.foreign_rows for r in self.results for t in r.turns)

    @property
    def turns(self) -> int:
        return sum(len(r.turns) for r in self.results)


def evaluate(
    dbs: Databases,
    questions: Sequence[Question],
    env: dict[str, str],
    followups: bool = True,
    timeout: float = 60.0,
    progress: Callable[[QuestionResult], None] | None = None,
) -> ScaleRun:
    """Start the service on prepared databases, ask every question, stop it."""
    run = ScaleRun(dbs.scale, load_seconds=dbs.load_seconds)
    before = {db: environment.fingerprint(dbs.dsn(db)) for db in ("production", "raw")}
    proc = None
    evaluator = None
    try:
        started = time.perf_counter()
        proc, url = environment.start(
            dbs, "service-" + ("model" if "P88_NLQ_MODEL" in env else "rules"), env
        )
        run.start_seconds = time.perf_counter() - started
        started = time.perf_counter()
        evaluator = Evaluator(dbs, url, timeout=timeout, followups=followups, progress=progress)
        run.results = evaluator.run(questions)
        run.run_seconds = time.perf_counter() - started
    finally:
        if evaluator is not None:
            evaluator.close()
        environment.stop(proc)
    for db, fingerprint in before.items():
        after = environment.fingerprint(dbs.dsn(db))
        run.written_tables += [f"{db}.{t}" for t in environment.changed_tables(fingerprint, after)]
    return run


def run_scale(
    cluster: Cluster,
    scale: float,
    workdir: Path,
    questions: Sequence[Question],
    env: dict[str, str],
    **kwargs: object,
) -> ScaleRun:
    dbs = environment.prepare(cluster, scale, workdir)
    return evaluate(dbs, questions, env, **kwargs)  # type: ignore[arg-type]


def check_references(dbs: Databases, questions: Sequence[Question]) -> list[str]:
    """Problems of the question set itself at this scale: failing, empty or oversized references."""
    refs = References(dbs)
    problems = []
    try:
        for q in questions:
            for n, turn in enumerate((q.first, *q.followups)):
                for i, sql in enumerate(turn.references):
                    where = (
                        f"{q.id}" + (f" turn {n}" if n else "") + (f" alternative {i}" if i else "")
                    )
                    try:
                        table = refs.run(q.database, sql, q.key)
                    except Exception as exc:  # psycopg2.Error and friends: report, go on
                        problems.append(f"{dbs.scale:g} {where}: fails: {str(exc).splitlines()[0]}")
                        continue
                    rows = table.rows
                    empty = not rows or (
                        len(rows) == 1 and len(rows[0]) == 1 and rows[0][0].number == 0
                        and rows[0][0].kind in ("num", "null")
                    )  # fmt: skip
                    if i == 0 and empty and not turn.empty_ok:
                        problems.append(f"{dbs.scale:g} {where}: empty or zero answer")
                    if i == 0 and len(rows) > 1000:  # an alternative that long just cannot match
                        problems.append(
                            f"{dbs.scale:g} {where}: {len(rows)} rows, over the row limit"
                        )
    finally:
        refs.close()
    return problems
