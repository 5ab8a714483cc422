"""Stored sentences of documents: what the answer engine reads as evidence.

A document's sentences (text, offsets and ``passage:`` embedding) are stored at ingest; they are
read once per document and kept in a small cache (a document id is the hash of its text, so a
cached entry never goes stale).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from app.lru import LRU
from app.types import Passage
from ingest.names import name_words
from ingest.terms import words

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from vectorstore.store import Store


@dataclass
class DocSentences:
    """One document's sentences in order, with unit-length vectors (rows of ``vectors``)."""

    doc_id: str
    lang: str
    title: str
    texts: list[str]
    spans: list[tuple[int, int]]
    vectors: np.ndarray
    derived: dict[int, Any] = field(default_factory=dict, repr=False, compare=False)
    """Per-sentence values a reader derives once (the engine's word sets of each window)."""

    def __len__(self) -> int:
        return len(self.texts)

    @cached_property
    def known_names(self) -> frozenset[str]:
        """Words written capitalized mid-sentence somewhere in the document."""
        return name_words(" ".join(self.texts))

    @cached_property
    def starts(self) -> list[int]:
        """Where each sentence starts (ascending: sentences are in document order)."""
        return [a for a, _ in self.spans]

    @cached_property
    def window_vectors(self) -> np.ndarray:
        """Unit-length means of each sentence's vector and its neighbours' (a window)."""
        padded = np.vstack(
            [
                np.zeros((1, self.vectors.shape[1])),
                self.vectors,
                np.zeros((1, self.vectors.shape[1])),
            ]
        )
        summed = padded[:-2] + padded[1:-1] + padded[2:]
        return summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)

    @cached_property
    def word_set(self) -> frozenset[str]:
        """Every word of the document (lowercase), for name look-ups."""
        return frozenset(words(" ".join(self.texts)))


class SentenceSource(Protocol):
    """Where the engine gets a document's sentences."""

    def get(self, passages: Sequence[Passage]) -> dict[str, DocSentences]: ...


def _unit_rows(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.size == 0:
        return matrix.reshape(0, 0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class StoredSentences:
    """Sentences read from the store, cached per document (least recently used dropped)."""

    def __init__(self, store: Store, embeddings: Embeddings, max_docs: int = 512) -> None:
        self.store = store
        self.embeddings = embeddings
        self._cache: LRU[str, DocSentences] = LRU(max_docs)

    def clear(self) -> None:
        """Forget every cached document (the store changed under us)."""
        self._cache.clear()

    def get(self, passages: Sequence[Passage]) -> dict[str, DocSentences]:
        """The sentences of every document the passages come from."""
        meta = {p.doc_id: p for p in passages}
        cached = self._cache.get_many(list(meta))
        out = {d: doc for d, doc in zip(meta, cached, strict=True) if doc is not None}
        missing = [d for d in meta if d not in out]
        if missing:
            rows = self.store.get_sentences(missing)
            for doc_id in missing:
                found = rows.get(doc_id) or []
                p = meta[doc_id]
                if found:
                    texts = [s.text for s, _ in found]
                    spans = [(s.start, s.end) for s, _ in found]
                    vectors = _unit_rows([v for _, v in found])
                    out[doc_id] = DocSentences(doc_id, p.lang, p.title, texts, spans, vectors)
                else:
                    out[doc_id] = self._embed_now(doc_id, p)
            self._cache.put_many((d, out[d]) for d in missing)
        return out

    def _embed_now(self, doc_id: str, passage: Passage) -> DocSentences:
        """A document stored before sentences were (``telaah reindex`` stores them)."""
        from ingest.chunking import sentence_pieces

        doc = self.store.get_document(doc_id)
        text = doc.text if doc else ""
        pieces = sentence_pieces(doc_id, text)
        vectors = _unit_rows(self.embeddings.embed_documents([s.text for s in pieces]))
        spans = [(s.start, s.end) for s in pieces]
        return DocSentences(
            doc_id, passage.lang, passage.title, [s.text for s in pieces], spans, vectors
        )
