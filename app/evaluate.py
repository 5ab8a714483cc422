"""Evaluation: a test-question file, per-question metrics, summaries and configuration runs.

Retrieval (hit@k, MRR) and answer metrics follow docs/EVALUATION.md. Citation recall and
precision are ALCE's (Gao et al. 2023) with :func:`app.citations.judge` in place of the NLI model.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.citations import extract_markers, judge, precise_citations, split_answer, strip_markers
from app.types import Answer

if TYPE_CHECKING:
    from app.answer import AnswerService

Progress = Callable[[int, int, str], None]
Row = dict[str, Any]

CONFIGS = ("dense", "bm25", "hybrid", "llm", "textbook")
CONCISE_CHARS = 600
HIT_KS = (1, 3, 5)
MRR_K = 10
RATE_KEYS = (
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr@10",
    "answer_accuracy",
    "evidence_cited",
    "citation_precision",
    "citation_recall",
    "abstention_accuracy",
    "false_abstention",
    "concise",
)
SUMMARY_KEYS = ("n", *RATE_KEYS, "latency_p50_ms", "latency_p95_ms")
_TYPE_ID = re.compile(r"^[a-z]{2}-([a-z]+)-\d+$")


class QuestionFileError(ValueError):
    """A malformed test-question file; the message names the file and line."""


class EvalQuestion(BaseModel):
    """One test question (a line of the JSONL file)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(description="Unique id, conventionally '<lang>-<type>-NN'.")
    question: str = Field(description="The question as a user would ask it.")
    lang: Literal["id", "en"] = Field(description="Language of the question.")
    answer_all: list[str] = Field(
        description="Regexes the answer must all match (case-insensitive)."
    )
    evidence: list[str] = Field(
        description="Strings marking a relevant passage (whitespace-normalized, case-folded)."
    )
    answerable: bool = Field(description="Whether the corpus holds the answer.")
    evidence_min_distinct: int = Field(
        1, ge=1, description="Distinct evidence strings the cited passages must contain."
    )

    @field_validator("answer_all")
    @classmethod
    def _regexes_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
        return patterns

    @model_validator(mode="after")
    def _evidence_suffices(self) -> EvalQuestion:
        if self.answerable and not self.evidence:
            raise ValueError("an answerable question needs at least one evidence string")
        if self.evidence and self.evidence_min_distinct > len(self.evidence):
            raise ValueError("evidence_min_distinct exceeds the number of evidence strings")
        return self

    @property
    def type(self) -> str:
        """The question type from an id shaped '<lang>-<type>-NN', else 'other'."""
        match = _TYPE_ID.match(self.id)
        return match.group(1) if match else "other"


def _describe(exc: ValidationError) -> str:
    parts: list[str] = []
    for error in exc.errors():
        where = ".".join(str(x) for x in error["loc"])
        if error["type"] == "missing":
            parts.append(f"missing key {where!r}")
        elif error["type"] == "extra_forbidden":
            parts.append(f"unexpected key {where!r}")
        elif error["type"] == "value_error":  # our validators' messages name the problem
            parts.append(str(error["msg"]).removeprefix("Value error, "))
        else:
            parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return "; ".join(parts)


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read a JSONL test-question file; blank lines are skipped.

    Raises:
        QuestionFileError: on invalid JSON, missing or extra keys, wrong types, a bad regex or a
            duplicate id; the message starts with "<file>:<line>:".
    """
    path = Path(path)
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise QuestionFileError(f"{where}: invalid JSON: {exc.msg}") from None
            if not isinstance(data, dict):
                raise QuestionFileError(f"{where}: expected a JSON object")
            try:
                question = EvalQuestion.model_validate(data)
            except ValidationError as exc:
                raise QuestionFileError(f"{where}: {_describe(exc)}") from None
            if question.id in seen:
                raise QuestionFileError(f"{where}: duplicate id {question.id!r}")
            seen.add(question.id)
            questions.append(question)
    return questions


# ---------------------------------------------------------------- per-question metrics


def normalize(text: str) -> str:
    """Whitespace-normalized, case-folded text for evidence matching."""
    return " ".join(text.split()).casefold()


def evidence_in(text: str, evidence: Sequence[str]) -> set[str]:
    """The evidence strings that occur in ``text``."""
    body = normalize(text)
    return {e for e in evidence if normalize(e) in body}


def retrieval_scores(texts: Sequence[str], evidence: Sequence[str]) -> dict[str, float]:
    """hit@1/3/5 and mrr@10 of a ranked list of passage texts."""
    rank = next((i for i, t in enumerate(texts, start=1) if evidence_in(t, evidence)), None)
    scores = {f"hit@{k}": float(rank is not None and rank <= k) for k in HIT_KS}
    scores[f"mrr@{MRR_K}"] = 1.0 / rank if rank is not None and rank <= MRR_K else 0.0
    return scores


def answer_correct(answer: str, patterns: Sequence[str]) -> bool:
    """Whether the answer text (markers removed) matches every pattern."""
    text = strip_markers(answer)
    return all(re.search(p, text, re.IGNORECASE) for p in patterns)


def citation_scores(answer: Answer) -> tuple[float, float]:
    """ALCE citation (recall, precision) of one answer, judged by :func:`judge`.

    Recall: share of answer sentences supported by the concatenation of the passages they cite
    (an uncited sentence, or one citing a passage that does not exist, is unsupported).
    Precision: share of citations that are relevant; in a supported sentence a citation is
    irrelevant when it alone does not support the sentence and the remaining citations still
    do; every citation of an unsupported sentence is imprecise.
    """
    texts = {n: p.text for n, p in enumerate(answer.passages, start=1)}
    texts.update({c.n: c.text for c in answer.citations})
    sentences = split_answer(answer.answer)
    supported = cited = precise = 0
    for sentence in sentences:
        refs = list(dict.fromkeys(extract_markers(sentence)))
        cited += len(refs)
        if not refs or any(n not in texts for n in refs):  # uncited, or a dangling marker
            continue
        if not judge(sentence, [texts[n] for n in refs]).supported:
            continue
        supported += 1
        checks = precise_citations(sentence, {n: texts[n] for n in refs})
        precise += sum(1 for c in checks if c.alone or c.needed)
    recall = supported / len(sentences) if sentences else 0.0
    precision = precise / cited if cited else 0.0
    return recall, precision


def _metrics(q: EvalQuestion, ans: Answer) -> dict[str, float | bool | None]:
    out: dict[str, float | bool | None] = dict.fromkeys(RATE_KEYS)
    if q.answerable:
        out.update(retrieval_scores([p.text for p in ans.passages], q.evidence))
        correct = not ans.abstained and answer_correct(ans.answer, q.answer_all)
        cited = set().union(*(evidence_in(c.text, q.evidence) for c in ans.citations))
        out["answer_accuracy"] = correct
        out["evidence_cited"] = len(cited) >= q.evidence_min_distinct
        out["false_abstention"] = ans.abstained
        if correct:
            out["concise"] = len(strip_markers(ans.answer)) <= CONCISE_CHARS
    else:
        out["abstention_accuracy"] = ans.abstained
    if not ans.abstained:
        out["citation_recall"], out["citation_precision"] = citation_scores(ans)
    return out


def score_question(q: EvalQuestion, ans: Answer) -> Row:
    """One report row: the question, the answer, what it cited and retrieved, its metrics."""
    return {
        "id": q.id,
        "question": q.question,
        "lang": q.lang,
        "type": q.type,
        "answerable": q.answerable,
        "answer": ans.answer,
        "abstained": ans.abstained,
        "answerer": ans.answerer,
        "citations": [{"n": c.n, "chunk_id": c.chunk_id, "title": c.title} for c in ans.citations],
        "passages": [
            {"chunk_id": p.chunk_id, "title": p.title, "text": p.text[:120]} for p in ans.passages
        ],
        **_metrics(q, ans),
        "timings": {key: round(v, 1) for key, v in ans.timings.items()},
    }


# ---------------------------------------------------------------- summaries


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between order statistics."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _mean(values: list[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else None


def latency_summary(rows: Sequence[Row]) -> dict[str, dict[str, float]]:
    """p50/p95 per timing key (milliseconds) over the rows that report it."""
    keys = sorted({k for r in rows for k in r["timings"]})
    out: dict[str, dict[str, float]] = {}
    for key in keys:
        values = [r["timings"][key] for r in rows if key in r["timings"]]
        out[key] = {
            "p50": round(percentile(values, 50), 1),
            "p95": round(percentile(values, 95), 1),
        }
    return out


def summarize(rows: Sequence[Row]) -> dict[str, Any]:
    """Mean of every rate over the rows where it applies (None when it applies to none)."""
    summary: dict[str, Any] = {"n": len(rows)}
    for key in RATE_KEYS:
        summary[key] = _mean([r[key] for r in rows])
    latency = latency_summary(rows)
    total = latency.get("total_ms", {"p50": 0.0, "p95": 0.0})
    summary["latency_p50_ms"], summary["latency_p95_ms"] = total["p50"], total["p95"]
    summary["latency"] = latency
    return summary


@dataclass
class EvalRun:
    """One configuration's evaluation: per-question rows and their summary."""

    config: str
    rows: list[Row]
    summary: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` shape: summary and questions."""
        return {"summary": self.summary, "questions": self.rows}


# ---------------------------------------------------------------- running


class AskService(Protocol):
    """What evaluation needs of a service: answer one question."""

    def ask(
        self,
        question: str,
        history: list[str] | None = None,
        answerer: str | None = None,
        k: int | None = None,
        mode: str | None = None,
    ) -> Answer: ...


def evaluate(
    questions: Sequence[EvalQuestion],
    service: AskService,
    answerer: str | None = None,
    k: int | None = None,
    mode: str | None = None,
    progress: Progress | None = None,
    name: str = "",
    warmup: bool = True,
) -> EvalRun:
    """Ask every question and score the answers.

    Args:
        questions: Test questions (from :func:`load_questions`).
        service: An :class:`~app.answer.AnswerService` or anything with its ``ask``.
        answerer: "extractive" or "llm" (the service default when None).
        k: Passages to retrieve (the settings default when None).
        mode: Retrieval mode "hybrid", "dense" or "bm25" (the settings default when None).
        progress: Called as ``progress(done, total, description)`` after each question.
        name: The configuration's name, for reports.
        warmup: Ask the first question once, unscored, so that model loading and caches do not
            count as latency.
    """
    if warmup and questions:
        service.ask(questions[0].question, answerer=answerer, k=k, mode=mode)
    rows: list[Row] = []
    for i, q in enumerate(questions, start=1):
        ans = service.ask(q.question, answerer=answerer, k=k, mode=mode)
        rows.append(score_question(q, ans))
        if progress:
            progress(i, len(questions), f"{name} {q.id}".strip())
    return EvalRun(config=name or mode or "default", rows=rows, summary=summarize(rows))


def parse_configs(spec: str) -> list[str]:
    """'dense,bm25' -> ['dense', 'bm25']; unknown names raise ValueError."""
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown or not names:
        bad = ", ".join(repr(n) for n in unknown) or repr(spec)
        raise ValueError(f"unknown configuration {bad} (use {', '.join(CONFIGS)})")
    return list(dict.fromkeys(names))


def _offset(progress: Progress | None, done: int, total: int) -> Progress | None:
    if progress is None:
        return None
    return lambda i, _n, desc: progress(done + i, total, desc)


def compare(
    questions: Sequence[EvalQuestion],
    service: AnswerService,
    configs: Sequence[str],
    k: int | None = None,
    progress: Progress | None = None,
) -> dict[str, EvalRun]:
    """Evaluate several configurations (see :data:`CONFIGS`) over the same questions."""
    from app.baseline import TextbookBaseline

    names = parse_configs(",".join(configs))
    total = len(names) * len(questions)
    runs: dict[str, EvalRun] = {}
    for i, name in enumerate(names):
        step = _offset(progress, i * len(questions), total)
        if name == "textbook":
            baseline = TextbookBaseline.from_service(service)
            runs[name] = evaluate(questions, baseline, k=k, progress=step, name=name)
        elif name == "llm":
            runs[name] = evaluate(questions, service, "llm", k, "hybrid", progress=step, name=name)
        else:
            runs[name] = evaluate(
                questions, service, "extractive", k, name, progress=step, name=name
            )
    return runs
