"""An in-memory library for service tests: fixed passages, their sentences embedded on demand."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from app.retrieve import Retrieval
from app.sentences import DocSentences
from app.types import Passage
from ingest.terms import words
from ingest.text import detect_language, sentence_spans
from vectorstore.embeddings import reference_centroids


class MemorySentences:
    """The sentences of the library's passages, embedded once per document."""

    def __init__(self, passages: Sequence[Passage], embeddings: Embeddings) -> None:
        self.passages = list(passages)
        self.embeddings = embeddings
        self._docs: dict[str, DocSentences] = {}

    def get(self, passages: Sequence[Passage]) -> dict[str, DocSentences]:
        for doc_id in {p.doc_id for p in passages} - set(self._docs):
            own = sorted((p for p in self.passages if p.doc_id == doc_id), key=lambda p: p.start)
            pieces = [(p, a, b) for p in own for a, b in sentence_spans(p.text)]
            spans = [(p.start + a, p.start + b) for p, a, b in pieces]
            texts = [p.text[a:b] for p, a, b in pieces]
            vectors = np.asarray(self.embeddings.embed_documents(texts), dtype=np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            first = own[0]
            self._docs[doc_id] = DocSentences(
                doc_id, first.lang, first.title, texts, spans, vectors
            )
        return {p.doc_id: self._docs[p.doc_id] for p in passages}


class MemoryLibrary:
    """Returns the same passages for every question and records the questions it saw."""

    def __init__(self, passages: Sequence[Passage], embeddings: Embeddings) -> None:
        self.passages = list(passages)
        self.embeddings = embeddings
        self.sentences = MemorySentences(passages, embeddings)
        self.queries: list[str] = []
        self._centroids: dict[str, np.ndarray] | None = None

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        mode: str | None = None,
        docs: Sequence[str] | None = None,
        focus: bool = True,  # every question gets the same passages: nothing to focus
    ) -> Retrieval:
        self.queries.append(query)
        vector = self.embeddings.embed_query(query)
        kept = [p for p in self.passages if not docs or p.doc_id in docs]
        return Retrieval(list(kept[: k or len(kept)]), {"retrieve_ms": 1.0}, vector)

    def chunks(self, doc_id: str) -> list[Passage]:
        return [p for p in self.passages if p.doc_id == doc_id]

    def corpus_has(self, word: str) -> bool:
        return any(word.lower() in words(p.text) for p in self.passages)

    def centroids(self) -> dict[str, np.ndarray]:
        """The mean embedding of each language, as the retriever takes it."""
        if self._centroids is None:
            vectors = np.asarray(self.embeddings.embed_documents([p.text for p in self.passages]))
            langs = [p.lang for p in self.passages]
            stored = {
                lang: vectors[[k for k, x in enumerate(langs) if x == lang]].mean(axis=0)
                for lang in set(langs)
            }
            self._centroids = reference_centroids(self.embeddings, stored)
        return self._centroids


class BiasedEmbeddings(Embeddings):
    """A multilingual embedder's habit, made plain: a text's vector is its topic plus a strong
    direction for its language, so a question is closer to any text in its own language than
    to the right text in the other."""

    model_id: str = "fake:biased"
    _TOPICS = (("bread", "roti"), ("river", "sungai"), ("train", "kereta"), ("goal", "gol"))

    def _vector(self, text: str) -> list[float]:
        low = text.lower()
        topic = [float(any(w in low for w in pair)) for pair in self._TOPICS]
        lang = [2.0, 0.0] if detect_language(text) == "en" else [0.0, 2.0]
        vector = np.asarray(topic + lang)
        return list(vector / np.linalg.norm(vector))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
