"""Scores from results: per set, per kind, per scale; the wrong-200 list; a JSON report.

A question's score is its first turn's; follow-up turns are scored as turns
of their own ("follow-up turns" in each set). Accuracy = right / asked;
wrong-200 rate = wrong_200 / answerable (questions with reference SQL).
Frozen questions' texts are left out of the printed lists and of the JSON
report unless ``show_frozen`` (they must not be tuned against).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from tests.nlq_eval.evaluate import OUTCOMES, QuestionResult

FOLLOWUPS = "(follow-ups)"  # re-asked with history: machine-readable rows and status
CHAT = "(follow-ups, chat)"  # the same turns' chat answers, read from their Markdown table


@dataclass
class Score:
    outcomes: Counter[str] = field(default_factory=Counter)
    answerable: int = 0
    answerable_wrong: int = 0

    def add(self, outcome: str, answerable: bool) -> None:
        self.outcomes[outcome] += 1
        if answerable:
            self.answerable += 1
            self.answerable_wrong += outcome == "wrong_200"

    @property
    def asked(self) -> int:
        return sum(self.outcomes.values())

    @property
    def accuracy(self) -> float:
        return self.outcomes["right"] / self.asked if self.asked else 0.0

    @property
    def wrong_200_rate(self) -> float:
        return self.answerable_wrong / self.answerable if self.answerable else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "asked": self.asked,
            **{o: self.outcomes[o] for o in OUTCOMES},
            "accuracy": round(self.accuracy, 4),
            "answerable": self.answerable,
            "wrong_200_rate": round(self.wrong_200_rate, 4),
        }


def summarise(results: Iterable[QuestionResult]) -> dict[str, dict[str, Score]]:
    """set -> kind (and "all", FOLLOWUPS) -> Score."""
    out: dict[str, dict[str, Score]] = defaultdict(lambda: defaultdict(Score))
    for result in results:
        q = result.question
        first = result.first
        for kind in (q.kind, "all"):
            out[q.set][kind].add(first.outcome, q.first.answerable)
        for turn, spec in zip(result.turns[1:], q.followups, strict=False):
            out[q.set][FOLLOWUPS].add(turn.outcome, spec.answerable)
            if turn.chat_outcome is not None:
                out[q.set][CHAT].add(turn.chat_outcome, spec.answerable)
    return out


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def print_tables(by_scale: dict[float, list[QuestionResult]], out: TextIO) -> None:
    scales = sorted(by_scale)
    summaries = {s: summarise(by_scale[s]) for s in scales}
    sets = [s for s in ("working", "frozen") if any(s in summaries[x] for x in scales)]
    for set_name in sets:
        kinds = sorted(
            {k for s in scales for k in summaries[s].get(set_name, {})} - {"all", FOLLOWUPS, CHAT}
        )
        head = f"{'kind':<18} {'n':>4}" + "".join(f" | {f'scale {s:g}':^38}" for s in scales)
        sub = " " * 23 + "".join(" |  right wrong200 refused error    acc w200%" for _ in scales)
        print(f"\n== {set_name} set ==", file=out)
        print(head, file=out)
        print(sub, file=out)
        for kind in [*kinds, "all", FOLLOWUPS, CHAT]:
            line = ""
            n = 0
            for s in scales:
                score = summaries[s].get(set_name, {}).get(kind)
                if score is None:
                    line += " |" + " " * 43
                    continue
                n = max(n, score.asked)
                o = score.outcomes
                line += (f" | {o['right']:6} {o['wrong_200']:8} {o['refused']:7} {o['error']:5}"
                         f" {_pct(score.accuracy)} {_pct(score.wrong_200_rate)}")  # fmt: skip
            if kind == "all":
                print("-" * len(head), file=out)
            print(f"{kind:<18} {n:>4}" + line, file=out)


def print_wrong(results: Sequence[QuestionResult], out: TextIO, show_frozen: bool = False) -> None:
    wrong = [(r, t) for r in results for t in r.turns if t.outcome == "wrong_200"]
    print(f"\n== wrong_200 ({len(wrong)}) ==", file=out)
    for result, turn in wrong:
        q = result.question
        hidden = q.set == "frozen" and not show_frozen
        text = "(frozen)" if hidden else repr(turn.question)
        where = f"{q.id}" + (f" turn {turn.turn}" if turn.turn else "")
        print(f"  {result.scale:g} {where:<24} {q.key:<9} {text} -- {turn.detail}", file=out)


def as_json(result: QuestionResult, show_frozen: bool = False) -> dict[str, Any]:
    q = result.question
    hidden = q.set == "frozen" and not show_frozen
    return {
        "id": q.id,
        "set": q.set,
        "kind": q.kind,
        "phrasing": q.phrasing,
        "key": q.key,
        "scale": result.scale,
        "turns": [
            {
                "turn": t.turn,
                **({} if hidden else {"question": t.question, "detail": t.detail}),
                "outcome": t.outcome,
                "status": t.status,
                "engine": t.engine,
                "expected_rows": t.expected_rows,
                "got_rows": t.got_rows,
                "foreign_rows": t.foreign_rows,
                "ms": round(t.ms, 1),
                **({"chat_outcome": t.chat_outcome} if t.chat_outcome else {}),
                **({"chat_detail": t.chat_detail} if t.chat_outcome and not hidden else {}),
            }
            for t in result.turns
        ],
    }


def summary_json(results: Iterable[QuestionResult]) -> dict[str, Any]:
    return {
        set_name: {kind: score.as_dict() for kind, score in sorted(kinds.items())}
        for set_name, kinds in summarise(results).items()
    }
