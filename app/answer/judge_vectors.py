"""Embeddings for the citation judge: one batched ``embed_documents`` call per sentence, cached.

Sentences, clauses and probes are embedded in the ``passage:`` role, so all that a sentence
needs goes to the embedder in one call; passage sentences, their pairs and their probes are
cached (LRU), so judging more sentences against the same passages only embeds the claim side.
Names are compared in the ``query:`` role (one call each, only for a name not found written in
the passages; the passage's names are cached).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from app.lru import LRU
from ingest.terms import query_terms, term_set


class Vectors:
    """Unit-length embeddings of texts, cached by text.

    Args:
        embeddings: a LangChain embedder; None for the lexical-only mode, where
            :meth:`sims` is the share of the claim's words (either language's stem) in a text.
        cache_size: texts kept (least recently used ones are dropped).
    """

    def __init__(self, embeddings: Embeddings | None, cache_size: int = 8192) -> None:
        self.embeddings = embeddings
        self._cache: LRU[tuple[str, str], np.ndarray] = LRU(cache_size)

    @property
    def dense(self) -> bool:
        """Whether an embedder is set (otherwise similarities are lexical)."""
        return self.embeddings is not None

    def prepare(self, texts: Iterable[str], role: str = "passage") -> None:
        """Embed the texts not cached yet: passages in one call, queries one by one."""
        if self.embeddings is not None:
            self.get(list(dict.fromkeys(texts)), role)

    def get(self, texts: Sequence[str], role: str = "passage") -> np.ndarray:
        """The embeddings of ``texts`` (one row each) in ``role``, embedding any not cached."""
        if self.embeddings is None:
            raise ValueError("the lexical judge has no embeddings")
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        cached = self._cache.get_many([(role, t) for t in texts])
        found = {t: row for t, row in zip(texts, cached, strict=True) if row is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            if role == "query":
                raw = [self.embeddings.embed_query(t) for t in missing]
            else:
                raw = self.embeddings.embed_documents(missing)
            fresh = np.asarray(raw, dtype=np.float32)
            fresh /= np.maximum(np.linalg.norm(fresh, axis=1, keepdims=True), 1e-12)
            found.update(zip(missing, fresh, strict=True))
            self._cache.put_many(((role, t), found[t]) for t in missing)
        return np.vstack([found[t] for t in texts])

    def sims(self, claim: str, texts: Sequence[str]) -> np.ndarray:
        """Similarity of ``claim`` to each text: cosine, or the share of shared words."""
        if not texts:
            return np.zeros(0)
        if self.embeddings is not None:
            vecs = self.get([claim, *texts])
            return vecs[1:] @ vecs[0]
        groups = query_terms(claim)
        have = [term_set(t, "id") | term_set(t, "en") for t in texts]
        return np.array([sum(bool(g & h) for g in groups) / max(1, len(groups)) for h in have])

    def sim(self, a: str, b: str) -> float:
        """Similarity of two texts."""
        return float(self.sims(a, [b])[0])
