"""Hybrid retrieval: dense (Chroma) + BM25 (bm25s), reciprocal-rank fusion, merge, diversify."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from app.lru import LRU
from app.sentences import StoredSentences
from app.types import Passage
from ingest.chunking import chunk_prefix, prefix_of
from ingest.names import proper_names
from ingest.terms import flat_query_terms, stem, term_set, terms, words
from vectorstore.embeddings import language_means, reference_centroids
from vectorstore.keyword import KeywordIndex, fingerprint

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from app.settings import Settings
    from vectorstore.store import Store

_RECHECK_S = 2.0
_RECORDS = 4096  # chunk records kept between questions
_DOCS_KEPT = 64  # documents whose chunk vectors are kept for name-scoped questions
_OTHERS = 2
"""Places a focused question keeps for other documents than the one its names point to (an
acronym another document happens to hold can point the wrong way). Measured the same as none."""


@dataclass
class Retrieval:
    """Ranked passages plus per-stage timings (ms) and the question's embedding."""

    passages: list[Passage]
    timings: dict[str, float] = field(default_factory=dict)
    vector: list[float] | None = None


def _passage(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        lang=str(meta.get("lang", "")),
        text=text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", len(text))),
        score=score,
    )


def rrf(rankings: list[list[str]], k: int = 60) -> dict[str, float]:
    """Reciprocal-rank fusion of several ranked id lists."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank + 1)
    return scores


def _merge_pair(a: Passage, b: Passage) -> Passage:
    first, second = (a, b) if a.start <= b.start else (b, a)
    tail = second.text[max(0, first.end - second.start) :] if second.end > first.end else ""
    return first.model_copy(
        update={
            "text": first.text + tail,
            "end": max(first.end, second.end),
            "score": max(a.score, b.score),
        }
    )


def _tokens(p: Passage) -> frozenset[str]:
    return term_set(p.text, p.lang or "en")


def _similar(a: Passage, ta: frozenset[str], b: Passage, tb: frozenset[str]) -> bool:
    if not ta or not tb:
        return a.text.strip() == b.text.strip()
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.9  # one (nearly) contains the other


def merge_and_diversify(ranked: list[Passage], k: int, max_per_doc: int) -> list[Passage]:
    """Merge overlapping chunks of one document, drop near-duplicates, cap per document."""
    out: list[Passage] = []
    tokens: list[frozenset[str]] = []
    per_doc: dict[str, int] = {}
    for p in ranked:
        tp = _tokens(p)
        merged = False
        for i, q in enumerate(out):
            if q.doc_id == p.doc_id and p.start < q.end and q.start < p.end:
                out[i] = _merge_pair(q, p)
                tokens[i] = tokens[i] | tp
                merged = True
                break
            if _similar(p, tp, q, tokens[i]):
                merged = True
                break
        if merged or per_doc.get(p.doc_id, 0) >= max_per_doc:
            continue
        per_doc[p.doc_id] = per_doc.get(p.doc_id, 0) + 1
        out.append(p)
        tokens.append(tp)
        if len(out) >= k:
            break
    return out


class HybridRetriever:
    """Dense + BM25 retrieval over one store; keeps its keyword index in step with the store."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embeddings: Embeddings,
        reranker: Callable[[str, list[Passage]], list[Passage]] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embeddings = embeddings
        self.keyword = KeywordIndex(settings.data_dir / "bm25" / settings.collection, terms)
        self.reranker = reranker if reranker is not None else make_reranker(settings)
        self.sentences = StoredSentences(store, embeddings)
        self._chunks: dict[str, list[Passage]] = {}
        self._records: LRU[str, tuple[str, dict[str, Any]]] = LRU(_RECORDS)
        self._centroids: dict[str, np.ndarray] | None = None
        self._docs: list[str] | None = None
        self._vectors: LRU[str, tuple[list[str], list[str], np.ndarray]] = LRU(_DOCS_KEPT)
        self._checked_at = 0.0
        self._loaded = False
        self._seen_writes = store.writes
        self._sync_lock = threading.Lock()

    def sync(self, force: bool = False) -> None:
        """Catch up with the store (other processes' writes included, within ``_RECHECK_S``):
        reopen it when it changed, and rebuild the keyword index when it disagrees."""
        with self._sync_lock:  # concurrent requests share one retriever
            self._sync(force)

    def _forget(self) -> None:
        """Drop what a write may have changed: centroids, document ids, chunk records and
        vectors (a reindex changes them)."""
        self._centroids = None
        self._docs = None
        self._records.clear()
        self._vectors.clear()

    def _sync(self, force: bool) -> None:
        now = time.monotonic()
        if self.store.writes != self._seen_writes:  # this process wrote: check now
            self._seen_writes = self.store.writes
            self._checked_at = 0.0
            self._forget()
        if not force and self._loaded and now - self._checked_at < _RECHECK_S:
            return
        self._checked_at = now
        if self.store.sync():  # another process wrote
            self._chunks.clear()
            self._forget()
            self.sentences.clear()
        if not self._loaded:
            self.keyword.load()
            self._loaded = True
        generation = self.store.generation()  # one small read, shared by all processes
        if not force and generation and generation == self.keyword.generation:
            return
        if not force and fingerprint(self.store.chunk_ids()) == self.keyword.fp:
            self.keyword.mark(generation)
            return
        rows = [(i, t, str(m.get("lang", "id"))) for i, t, m in self.store.iter_chunks()]
        self.keyword.build(rows, generation)

    def embed(self, query: str, timings: dict[str, float]) -> list[float]:
        """The question's embedding (``query:`` role)."""
        t0 = time.perf_counter()
        vector = self.embeddings.embed_query(query)
        timings["embed_ms"] = (time.perf_counter() - t0) * 1000
        return vector

    def dense(
        self,
        vector: list[float],
        n: int,
        timings: dict[str, float],
        docs: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """Dense candidates as (chunk id, score), best first (only from ``docs`` when given)."""
        t1 = time.perf_counter()
        means = language_means(vector, self.centroids())
        if means:
            hits = self._centred(vector, n, docs, means)
        else:
            hits = self.store.search(vector, n, docs)
        timings["dense_ms"] = timings.get("dense_ms", 0.0) + (time.perf_counter() - t1) * 1000
        return hits

    def _centred(
        self, vector: list[float], n: int, docs: Sequence[str] | None, means: dict[str, float]
    ) -> list[tuple[str, float]]:
        """The top ``n`` by similarity less the mean of the chunk's language
        (:func:`vectorstore.embeddings.language_means`): the best of each language's top ``n``
        (exact: centring moves a language's chunks alike, so it keeps their order)."""
        hits = [
            (chunk_id, score - means[lang])
            for lang in sorted(means)
            for chunk_id, score in self.store.search(vector, n, docs, lang)
        ]
        return sorted(hits, key=lambda hit: -hit[1])[:n]

    def centroids(self) -> dict[str, np.ndarray]:
        """The mean embedding of each stored language: the embedder's, measured on the
        built-in articles, else the mean of the stored chunks of that language (see
        :func:`vectorstore.embeddings.reference_centroids`; cached until the store changes:
        callers have synced, as :meth:`retrieve` does)."""
        centroids = self._centroids
        if centroids is None:
            stored = self.store.language_centroids()
            centroids = self._centroids = reference_centroids(self.embeddings, stored)
        return centroids

    def bm25(
        self,
        query: str,
        n: int,
        timings: dict[str, float],
        docs: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """BM25 candidates as (chunk id, score), best first (only from ``docs`` when given)."""
        t0 = time.perf_counter()
        self.sync()
        prefixes = tuple(chunk_prefix(d) for d in docs or [])
        keep = (lambda chunk_id: chunk_id.startswith(prefixes)) if prefixes else None
        hits = self.keyword.search(flat_query_terms(query), n, keep)
        timings["bm25_ms"] = timings.get("bm25_ms", 0.0) + (time.perf_counter() - t0) * 1000
        return hits

    def corpus_has(self, word: str) -> bool:
        """Whether a word, or a word sharing its first letters, occurs in the stored articles.

        The prefix lets a name written the other language's way count as known ("Belgia" and
        "Belgian", "Singapura" and "Singapore").
        """
        self.sync()
        word = word.lower()
        if any(self.keyword.known(stem(word, lang)) for lang in ("id", "en")):
            return True
        return len(word) >= 4 and self.keyword.known_prefix(word[: 4 if len(word) <= 6 else 5])

    def _fused(
        self,
        query: str,
        vector: list[float],
        mode: str,
        docs: Sequence[str] | None,
        timings: dict[str, float],
        scoped: bool = False,
    ) -> list[tuple[str, float]]:
        """The candidates of ``mode``'s retrievers (from ``docs`` when given), fused by RRF;
        ``scoped``: ``docs`` are the few a question's names point to (dense ranks them in memory,
        :meth:`_dense_within`)."""
        cfg = self.settings.retrieval
        lists: list[list[tuple[str, float]]] = []
        if mode in ("hybrid", "dense"):
            dense = self._dense_within if scoped and docs else self.dense
            lists.append(dense(vector, cfg.candidates, timings, docs))
        if mode in ("hybrid", "bm25"):
            lists.append(self.bm25(query, cfg.candidates, timings, docs))
        return _sorted(rrf([[chunk_id for chunk_id, _ in ranked] for ranked in lists], cfg.rrf_k))

    def _dense_within(
        self, vector: list[float], n: int, timings: dict[str, float], docs: Sequence[str] | None
    ) -> list[tuple[str, float]]:
        """Dense candidates of a few documents, as :meth:`dense` ranks them (similarity less the
        mean of the chunk's language), scored in memory from their kept vectors: a filtered
        Chroma query costs more the larger the store (see :meth:`_centred`)."""
        t0 = time.perf_counter()
        q = np.asarray(vector, dtype=np.float64)
        q /= float(np.linalg.norm(q)) or 1.0
        means = language_means(vector, self.centroids())
        hits: list[tuple[str, float]] = []
        for doc in docs or ():
            ids, langs, matrix = self._doc_vectors(doc)
            sims = matrix @ q if ids else np.zeros(0)
            pairs = zip(ids, langs, sims, strict=True)
            hits += [(i, float(s) - means.get(lang, 0.0)) for i, lang, s in pairs]
        timings["dense_ms"] = timings.get("dense_ms", 0.0) + (time.perf_counter() - t0) * 1000
        return sorted(hits, key=lambda hit: -hit[1])[:n]

    def _doc_vectors(self, doc_id: str) -> tuple[list[str], list[str], np.ndarray]:
        """A document's chunk vectors (kept until the store changes)."""
        found = self._vectors.get(doc_id)
        if found is None:
            found = self.store.document_vectors(doc_id)
            self._vectors.put(doc_id, found)
        return found

    def name_scope(self, query: str, docs: Sequence[str] | None = None) -> list[str] | None:
        """The documents (of ``docs`` when given) holding the most of the question's names,
        every word of a name counted; None when the names do not narrow the search (no name,
        none stored, or the most in every document). A name with a function word ("The Lancet",
        "A.K. Gani") is held by no document (no index holds "the" or "a"): counting only its other
        words, measured, moved the fitted abstention cut 0.220 -> 0.287 and cost two built-in
        answers, so it is left for a steadier cut."""
        self.sync()
        held: dict[str, int] = {}
        for name in proper_names(query):
            homes = [self._homes(word) for word in words(name)]
            for doc in set.intersection(*homes) if homes else ():
                held[doc] = held.get(doc, 0) + 1
        if not held:
            return None
        most = max(held.values())
        ids = self._doc_ids() if docs is None else list(docs)
        scope = [d for d in ids if held.get(chunk_prefix(d)) == most]
        return scope if 0 < len(scope) < len(ids) else None

    def _homes(self, word: str) -> set[str]:
        """The chunk-id prefixes of the documents holding ``word`` (either language's stem)."""
        chunks = self.keyword.holding({stem(word, "id"), stem(word, "en")})
        return {prefix_of(chunk_id) for chunk_id in chunks}

    def _doc_ids(self) -> list[str]:
        """Every stored document's id (cached until the store changes)."""
        if self._docs is None:
            self._docs = [d.doc_id for d in self.store.list_documents()]
        return self._docs

    def _top(
        self,
        query: str,
        fused: list[tuple[str, float]],
        k: int,
        timings: dict[str, float],
        per_doc: int,
    ) -> list[Passage]:
        """The top ``k`` passages of a fused ranking, merged and diversified (at most ``per_doc``
        from one document). The chunks' records
        are read in batches of ``2k`` only as far down the ranking as that needs (all of them
        when a reranker reorders the candidates)."""
        cfg = self.settings.retrieval
        t0 = time.perf_counter()
        batch = len(fused) if self.reranker is not None else 2 * k
        ranked: list[Passage] = []
        passages: list[Passage] = []
        for start in range(0, len(fused), max(batch, 1)):
            part = fused[start : start + batch]
            found = self._read([chunk_id for chunk_id, _ in part])
            ranked += [_passage(i, *found[i], s) for i, s in part if i in found]
            if self.reranker is not None:
                ranked = self.reranker(query, ranked[: cfg.candidates])
            passages = merge_and_diversify(ranked, k, per_doc)
            if len(passages) >= k:
                break
        timings["fetch_ms"] = (time.perf_counter() - t0) * 1000
        return passages

    def _read(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Chunk records (text, metadata) by id: kept ones, the rest read from the store. Kept
        until the store changes (while it does not, an id always names the same chunk)."""
        kept = dict(zip(ids, self._records.get_many(ids), strict=True))
        found = self.store.get_chunks([i for i in ids if kept[i] is None])
        self._records.put_many(found.items())
        return {i: record for i in ids if (record := kept[i] or found.get(i)) is not None}

    def chunks(self, doc_id: str) -> list[Passage]:
        """Every chunk of one document, in document order (cached: a document never changes)."""
        if doc_id not in self._chunks:
            rows = self.store.document_chunks(doc_id)
            if len(self._chunks) >= 256:
                self._chunks.pop(next(iter(self._chunks)))
            self._chunks[doc_id] = [_passage(i, t, m, 0.0) for i, t, m in rows]
        return self._chunks[doc_id]

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        mode: str | None = None,
        docs: Sequence[str] | None = None,
        focus: bool = True,
    ) -> Retrieval:
        """The top-k passages for a question (from the documents ``docs`` when given).

        The passages of the documents the question's names point to come first
        (:meth:`name_scope`); with ``focus``, one such document may fill all places but
        :data:`_OTHERS` (else it gets at most ``max_per_doc``, as any document does).
        """
        self.sync()
        cfg = self.settings.retrieval
        k = k or cfg.k
        mode = mode or cfg.mode
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        vector = self.embed(query, timings)
        scope = self.name_scope(query, docs) if cfg.name_scope else None
        fused = self._fused(query, vector, mode, scope, timings, scoped=True) if scope else []
        t1 = time.perf_counter()
        seen = {chunk_id for chunk_id, _ in fused}
        fused += [h for h in self._fused(query, vector, mode, docs, timings) if h[0] not in seen]
        per_doc = cfg.max_per_doc
        if focus and scope and len(scope) == 1:  # places kept for the others: names mislead too
            per_doc = max(k - _OTHERS, per_doc)
        passages = self._top(query, fused, k, timings, per_doc)
        timings["fuse_ms"] = (time.perf_counter() - t1) * 1000
        timings["retrieve_ms"] = (time.perf_counter() - t0) * 1000
        return Retrieval(passages, timings, vector)


def _sorted(scores: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def make_reranker(settings: Settings) -> Callable[[str, list[Passage]], list[Passage]] | None:
    """A sentence-transformers CrossEncoder reranker when one is configured (local files only)."""
    name = settings.retrieval.reranker
    if not name:
        return None
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(name, device="cpu", local_files_only=True)

    def rerank(query: str, passages: list[Passage]) -> list[Passage]:
        if not passages:
            return passages
        scores = model.predict([(query, p.text) for p in passages])
        ranked = sorted(zip(passages, scores, strict=True), key=lambda ps: -float(ps[1]))
        return [p.model_copy(update={"score": float(s)}) for p, s in ranked]

    return rerank


class TelaahRetriever(BaseRetriever):
    """LangChain retriever over the hybrid search (for chains and outside tooling)."""

    hybrid: Any
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        return [
            LCDocument(page_content=p.text, metadata=p.model_dump(exclude={"text"}), id=p.chunk_id)
            for p in self.hybrid.retrieve(query, self.k).passages
        ]
