"""Evaluation runs: ask every question, score it, summarize; compare configurations.

Retrieval (hit@k, MRR) and answer metrics follow docs/EVALUATION.md. Citation recall and
precision are ALCE's (Gao et al. 2023) with the citation judge (:class:`app.answer.judge.Judge`)
in place of the NLI model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from app.answer.judge import Judge
from app.evaluation.metrics import RATE_KEYS, Row, score_question
from app.evaluation.questions import EvalQuestion
from app.types import Answer, Ask

if TYPE_CHECKING:
    from app.service import AnswerService

Progress = Callable[[int, int, str], None]
CONFIGS = ("dense", "bm25", "hybrid", "llm", "textbook")
SUMMARY_KEYS = ("n", *RATE_KEYS, "latency_p50_ms", "latency_p95_ms")


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
    """What evaluation needs of a service: answer one request."""

    def answer(self, request: Ask) -> Answer: ...


def evaluate(
    questions: Sequence[EvalQuestion],
    service: AskService,
    answerer: str | None = None,
    k: int | None = None,
    mode: str | None = None,
    progress: Progress | None = None,
    name: str = "",
    warmup: bool = True,
    judge: Judge | None = None,
    documents: dict[str, str] | None = None,
) -> EvalRun:
    """Ask every question and score the answers.

    Args:
        questions: Test questions (from :func:`load_questions`).
        service: An :class:`~app.service.AnswerService` or anything with its ``ask``.
        answerer: "extractive" or "llm" (the service default when None).
        k: Passages to retrieve (the settings default when None).
        mode: Retrieval mode "hybrid", "dense" or "bm25" (the settings default when None).
        progress: Called as ``progress(done, total, description)`` after each question.
        name: The configuration's name, for reports.
        warmup: Ask the first question once, unscored, so that model loading and caches do not
            count as latency.
        judge: The citation judge for the ALCE metrics (the service's own when None).
        documents: Question id -> title of the document holding its evidence (per-document
            breakdowns; see :func:`evidence_documents`).
    """
    judge = judge or getattr(service, "judge", None) or Judge(None)

    def request(question: str) -> Ask:
        return Ask.model_validate(
            {"question": question, "answerer": answerer, "k": k, "mode": mode}
        )

    if warmup and questions:
        service.answer(request(questions[0].question))
    rows: list[Row] = []
    for i, q in enumerate(questions, start=1):
        ans = service.answer(request(q.question))
        rows.append(score_question(q, ans, judge, (documents or {}).get(q.id, "")))
        if progress:
            progress(i, len(questions), f"{name} {q.id}".strip())
    return EvalRun(config=name or mode or "default", rows=rows, summary=summarize(rows))


def abstention_curve(rows: Sequence[Row]) -> list[dict[str, float]]:
    """False abstention and abstention accuracy had the engine answered only from each support
    score up (rows without a score, e.g. unknown names, always abstain)."""
    scored = [(r["support"], bool(r["answerable"])) for r in rows if "support" in r]
    levels = sorted({round(s, 2) for s, _ in scored if s is not None})
    answerable = [s for s, a in scored if a]
    unanswerable = [s for s, a in scored if not a]
    if not answerable or not unanswerable:
        return []

    def abstains(s: float | None, t: float) -> bool:
        return s is None or s < t

    return [
        {
            "threshold": t,
            "false_abstention": sum(abstains(s, t) for s in answerable) / len(answerable),
            "abstention_accuracy": sum(abstains(s, t) for s in unanswerable) / len(unanswerable),
        }
        for t in levels
    ]


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
    from app.evaluation.baseline import TextbookBaseline

    names = parse_configs(",".join(configs))
    total = len(names) * len(questions)
    docs = evidence_documents(questions, service)
    runs: dict[str, EvalRun] = {}
    for i, name in enumerate(names):
        step = _offset(progress, i * len(questions), total)
        common: dict[str, Any] = {
            "k": k,
            "progress": step,
            "name": name,
            "judge": service.judge,
            "documents": docs,
        }
        if name == "textbook":
            runs[name] = evaluate(questions, TextbookBaseline.from_service(service), **common)
        elif name == "llm":
            runs[name] = evaluate(questions, service, "llm", **common)
        else:
            runs[name] = evaluate(questions, service, "extractive", mode=name, **common)
    return runs


def evidence_documents(questions: Sequence[EvalQuestion], service: AnswerService) -> dict[str, str]:
    """Question id -> title of the stored document that holds its evidence."""
    from app.evaluation.metrics import evidence_in

    store = service.retriever.store
    texts = [store.get_document(d.doc_id) for d in store.list_documents()]
    out: dict[str, str] = {}
    for q in questions:
        for doc in texts:
            if doc is not None and q.evidence and evidence_in(doc.text, q.evidence):
                out[q.id] = doc.title
                break
    return out
