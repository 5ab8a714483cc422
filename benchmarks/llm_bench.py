"""Opt-in: the local GGUF model answering through Telaah's LLM path, on this machine.

    python -m benchmarks.llm_bench [--builtin 20] [--realset 10] [--model PATH]

Needs `telaah llm setup` (the model under the data dir) and llama-cpp-python (the gguf extra).
The model runs in process through the `llamacpp` provider — the path `telaah serve --answerer
llm --provider llamacpp` takes. Questions: the first N answerable questions of each language and
type of the built-in set (round robin), and the first M answerable questions of the realset's
held-out half. Writes benchmarks/out/llm.json, keeps the summary per context budget in
benchmarks/llm-summary.json (rendered as section 6 of BENCHMARKS.md) and prints it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from itertools import zip_longest
from pathlib import Path
from typing import Any

from app.evaluation.metrics import answer_correct, citation_scores
from app.evaluation.questions import EvalQuestion, load_questions, select_part
from app.local_model import model_path
from app.retrieve import HybridRetriever
from app.service import AnswerService
from app.settings import Settings
from app.types import Ask
from benchmarks.common import summarize
from ingest.pipeline import ingest

ROOT = Path(__file__).resolve().parents[1]
REALSET = ROOT.parent / "shared" / "realset"
OUT = ROOT / "benchmarks" / "out" / "llm.json"
SUMMARY = ROOT / "benchmarks" / "llm-summary.json"  # committed: BENCHMARKS.md section 6


def builtin_questions(n: int) -> list[EvalQuestion]:
    """Answerable questions, one of each language and type in turn (a spread, not a pick)."""
    by_group: dict[str, list[EvalQuestion]] = {}
    for q in load_questions(ROOT / "data" / "eval" / "questions.jsonl"):
        if q.answerable and q.answer_all:
            by_group.setdefault(f"{q.lang}-{q.type}", []).append(q)
    spread = [q for row in zip_longest(*by_group.values()) for q in row if q is not None]
    return spread[:n]


def realset_questions(n: int) -> list[EvalQuestion]:
    """The first answerable questions of the realset's held-out half."""
    if not REALSET.is_dir():
        return []
    questions = load_questions(REALSET / "questions.jsonl")
    held = select_part(questions, ROOT / "data" / "eval" / "realset-split.json", "heldout")
    return [q for q in held if q.answerable and q.answer_all][:n]


def ask_one(service: AnswerService, q: EvalQuestion) -> dict[str, Any]:
    first: list[float] = []
    streamed: list[str] = []
    t0 = time.perf_counter()

    def token(text: str) -> None:
        if not first:
            first.append((time.perf_counter() - t0) * 1000)
        streamed.append(text)

    result = service.answer(Ask(question=q.question, answerer="llm"), token)
    total = (time.perf_counter() - t0) * 1000
    _, precision = citation_scores(result, service.judge)
    return {
        "id": q.id,
        "own": result.answerer == "llm",
        "quoted": len(result.quoted),
        "correct": not result.abstained and answer_correct(result.answer, q.answer_all),
        "citation_precision": precision,
        "first_token_ms": first[0] if first else None,
        "total_ms": total,
        "prompt_tokens": result.timings.get("prompt_tokens"),
        "notice": result.notice,
        "answer": result.answer,
        "rejected": result.rejected,  # the model's sentences that failed the check
        "model_text": "".join(streamed),  # what the model wrote, before the check
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builtin", type=int, default=20)
    parser.add_argument("--realset", type=int, default=10)
    parser.add_argument("--model", type=Path, default=model_path(Settings().data_dir))
    parser.add_argument("--context-tokens", type=int, default=Settings().answer.context_tokens)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    questions = builtin_questions(args.builtin) + realset_questions(args.realset)
    work = Path(tempfile.mkdtemp(prefix="telaah-llm-bench-"))
    settings = Settings(data_dir=work)
    answer = settings.answer.model_copy(
        update={
            "answerer": "llm",
            "provider": "llamacpp",
            "model": str(args.model),
            "context_tokens": args.context_tokens,
        }
    )
    settings = settings.model_copy(update={"answer": answer})
    embeddings = settings.embeddings()
    store = settings.store(embeddings)
    sources = [str(ROOT / "data" / "corpus")]
    if REALSET.is_dir():
        sources.append(str(REALSET / "articles"))
    ingest(sources, settings.ingest, embeddings, store)
    service = AnswerService(settings, HybridRetriever(settings, store, embeddings))
    rows = []
    for i, q in enumerate(questions, start=1):
        rows.append(ask_one(service, q))
        r = rows[-1]
        print(f"{i}/{len(questions)} {q.id} own={r['own']} correct={r['correct']} "
              f"ttft={r['first_token_ms']} total={r['total_ms']:.0f}", flush=True)  # fmt: skip
    n = len(rows) or 1
    summary = {
        "questions": len(rows),
        "own_share": sum(r["own"] for r in rows) / n,
        "answer_accuracy": sum(r["correct"] for r in rows) / n,
        "citation_precision": sum(r["citation_precision"] for r in rows) / n,
        "first_token": summarize([r["first_token_ms"] for r in rows if r["first_token_ms"]]),
        "total": summarize([r["total_ms"] for r in rows]),
        "model": args.model.name,
        "context_tokens": args.context_tokens,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"summary": summary, "rows": rows}, indent=2, ensure_ascii=False)
    )
    record(summary, rows)
    print(json.dumps(summary, indent=2))


def record(summary: dict[str, Any], rows: list[dict[str, Any]], path: Path = SUMMARY) -> None:
    """Keep this run's summary (per context budget) in the committed file BENCHMARKS.md's
    section 6 is rendered from."""
    runs = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    tokens = sorted(r["prompt_tokens"] for r in rows if r.get("prompt_tokens"))
    runs[str(summary["context_tokens"])] = {
        **{k: v for k, v in summary.items() if k not in ("first_token", "total")},
        "first_token_p50_ms": summary["first_token"].get("p50_ms"),
        "total_p50_ms": summary["total"].get("p50_ms"),
        "prompt_tokens_p50": tokens[len(tokens) // 2] if tokens else None,
        "measured": date.today().isoformat(),
    }
    path.write_text(json.dumps(runs, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
