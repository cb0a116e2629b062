"""bench/nlq_eval: how often nlq_http answers as a person would, on an independent question set.

For each scale (``--scales``) a throwaway PostgreSQL cluster gets
project88_myappdb with ``project88 demo-data --scale S``, the three API keys
of tests/integration/test_nlq.py (admin, Big River, the next partner) and two
live timing sessions in raw_tag_data; then ``python -m daemons.nlq_http``
answers every question of tests/nlq_eval (``--set``) over HTTP, through the
rules (``P88_NLQ_LLM=off``) or, with ``--model``, through a language model
served by Ollama (``--ollama-url``). Each answer is scored against reference
SQL run as the superuser (tests/nlq_eval/README.md): right, wrong_200,
refused or error, per kind and per set. Two checks must hold whatever the
score: no partner key's answer shows another partner's rows, and nothing was
written (row counts and checksums of every table, both databases).

The frozen set must not be tuned against: its question texts are not printed
or written to the report unless ``--show-frozen``.

Usage: python bench/nlq_eval.py [--scales 0.005,0.1] [--set working|frozen|both]
       [--model llama3.1:8b [--ollama-url URL] [--route model|fallback]] [--report FILE]
Exit status: 0 when both checks hold (whatever the score), 1 when one fails, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from project88.pgcluster import Cluster  # noqa: E402
from tests.nlq_eval import environment, harness, questions, report  # noqa: E402
from tests.nlq_eval.evaluate import QuestionResult  # noqa: E402

DEFAULT_SCALES = "0.005,0.1"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bench/nlq_eval.py",
        description="Score nlq_http on the independent question set (tests/nlq_eval).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--scales",
        default=DEFAULT_SCALES,
        help="comma-separated demo-data scales, one throwaway cluster each (0.1 because at"
        " 0.005 and 0.02 every featured marathon has the same 300-runner field, so a count"
        " that ignores the year or the event can still be right)",
    )
    p.add_argument(
        "--set",
        choices=("working", "frozen", "both"),
        default="working",
        help="which questions: the working set, the held-out frozen set, or both",
    )
    p.add_argument("--kinds", default="", help="only these kinds (comma-separated); empty: all")
    p.add_argument(
        "--ids", default="", help="only these question ids (comma-separated); empty: all"
    )
    p.add_argument(
        "--model",
        default=None,
        help="ask a language model (an Ollama model name such as llama3.1:8b, or an "
        "llm model id such as ollama/llama3.1:8b); without it: the rules alone",
    )
    p.add_argument(
        "--ollama-url",
        default=harness.DEFAULT_OLLAMA_URL,
        help="where Ollama serves the model (OLLAMA_HOST for the service)",
    )
    p.add_argument(
        "--route",
        choices=("model", "fallback"),
        default="model",
        help="with --model: 'model' sends every question to the model; 'fallback' "
        "keeps the deployed order (rules first, the model below their threshold)",
    )
    p.add_argument(
        "--llm-timeout",
        type=float,
        default=60.0,
        help="seconds the service waits for the model per question",
    )
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per HTTP request")
    p.add_argument(
        "--no-followups",
        action="store_true",
        help="skip the conversation follow-up turns (chat endpoint)",
    )
    p.add_argument("--report", type=Path, default=None, help="write a JSON report here")
    p.add_argument(
        "--show-frozen",
        action="store_true",
        help="print and report the frozen questions' texts (never while tuning)",
    )
    p.add_argument(
        "--check-references",
        action="store_true",
        help="only run every reference SQL at each scale and list problems "
        "(failing, empty, over 1,000 rows); no service",
    )
    p.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep clusters and logs here; without it a temporary folder, removed at the end",
    )
    p.add_argument("--quiet", action="store_true", help="no progress line per question")
    return p


def _scales(text: str) -> list[float]:
    try:
        scales = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise SystemExit(f"--scales: not numbers: {text!r}") from None
    if not scales:
        raise SystemExit("--scales: at least one scale")
    return scales


def select(args: argparse.Namespace) -> list[questions.Question]:
    sets = ("working", "frozen") if args.set == "both" else (args.set,)
    chosen = questions.load(sets)
    kinds = {k for k in args.kinds.split(",") if k}
    ids = {i for i in args.ids.split(",") if i}
    if kinds:
        chosen = [q for q in chosen if q.kind in kinds]
    if ids:
        chosen = [q for q in chosen if q.id in ids]
    if not chosen:
        raise SystemExit("no question selected")
    return chosen


def progress_printer(quiet: bool, show_frozen: bool) -> Callable[[QuestionResult], None]:
    def show(result: QuestionResult) -> None:
        if quiet:
            return
        q = result.question
        marks = " ".join(t.outcome for t in result.turns)
        text = "(frozen)" if q.set == "frozen" and not show_frozen else q.text[:60]
        print(f"  {q.id:<22} {marks:<30} {text}", flush=True)

    return show


def run_scales(
    args: argparse.Namespace,
    chosen: list[questions.Question],
    env: dict[str, str],
    workdir: Path,
    temporary: bool,
) -> tuple[list[harness.ScaleRun], list[str]]:
    """One throwaway cluster per scale: (runs, reference problems with --check-references)."""
    runs: list[harness.ScaleRun] = []
    problems: list[str] = []
    show = progress_printer(args.quiet, args.show_frozen)
    for scale in _scales(args.scales):
        cluster = Cluster(workdir / f"pg-{scale:g}")
        cluster.start()
        try:
            dbs = environment.prepare(cluster, scale, workdir)
            print(f"\nscale {scale:g}: demo data loaded in {dbs.load_seconds:.1f} s")
            if args.check_references:
                found = harness.check_references(dbs, chosen)
                problems += found
                print("\n".join(found) or "  every reference runs and answers")
                continue
            run = harness.evaluate(
                dbs, chosen, env, followups=not args.no_followups, timeout=args.timeout,
                progress=show,
            )  # fmt: skip
            runs.append(run)
            written = ", ".join(run.written_tables) or "none"
            print(
                f"scale {scale:g}: {run.turns} turns in {run.run_seconds:.1f} s (service up in"
                f" {run.start_seconds:.1f} s); other partners' rows: {run.foreign_rows};"
                f" tables written: {written}"
            )
        finally:
            if temporary:
                cluster.destroy()
            else:
                cluster.stop()
    return runs, problems


def write_report(
    path: Path, args: argparse.Namespace, engine: str, env: dict[str, str],
    runs: list[harness.ScaleRun], seconds: float,
) -> None:  # fmt: skip
    payload = {
        "engine": engine,
        "environment": env,
        "set": args.set,
        "seconds": round(seconds, 1),
        "scales": [
            {
                "scale": run.scale,
                "load_seconds": round(run.load_seconds, 1),
                "run_seconds": round(run.run_seconds, 1),
                "foreign_rows": run.foreign_rows,
                "written_tables": run.written_tables,
                "summary": report.summary_json(run.results),
                "results": [report.as_json(r, args.show_frozen) for r in run.results],
            }
            for run in runs
        ],
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"report: {path}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _scales(args.scales)  # bad usage stops here, before any cluster
    chosen = select(args)
    env = harness.service_env(args.model, args.ollama_url, args.route, args.llm_timeout)
    engine = f"model {env['P88_NLQ_MODEL']} ({args.route})" if args.model else "rules"
    followups = sum(len(q.followups) for q in chosen)
    print(f"{len(chosen)} questions, {followups} follow-up turns; engine: {engine};"
          f" scales {args.scales}")  # fmt: skip
    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="p88-nlq-eval-")) if temporary else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o711)  # the server may run as another user (postgres, when we are root)
    started = time.perf_counter()
    try:
        runs, problems = run_scales(args, chosen, env, workdir, temporary)
    finally:
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.check_references:
        return 1 if problems else 0
    report.print_tables({run.scale: run.results for run in runs}, sys.stdout)
    report.print_wrong([r for run in runs for r in run.results], sys.stdout, args.show_frozen)
    seconds = time.perf_counter() - started
    foreign = sum(r.foreign_rows for r in runs)
    writes = sum(len(r.written_tables) for r in runs)
    print(f"\nchecks: other partners' rows {foreign}, tables written {writes}; {seconds:.0f} s")
    if args.report:
        write_report(args.report, args, engine, env, runs, seconds)
    return 1 if foreign or writes else 0


if __name__ == "__main__":
    sys.exit(main())
