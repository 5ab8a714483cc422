"""BM25 keyword index (bm25s) persisted beside the store.

The tokenizer is passed in (the text toolkit's ``terms``), so the index, the answer engine and the
citation judge see the same words.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

Tokenize = Callable[[str, str], list[str]]
"""tokenize(text, lang) -> index terms (the shared text toolkit's ``terms``)."""


def fingerprint(ids: Iterable[str]) -> str:
    """Identity of a set of chunk ids (order-independent)."""
    digest = hashlib.sha256()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode())
    return digest.hexdigest()


class KeywordIndex:
    """A persisted bm25s index over chunk ids; rebuilt when it disagrees with the store."""

    def __init__(self, folder: Path, tokenize: Tokenize) -> None:
        self.folder = folder
        self.tokenize = tokenize
        self.ids: list[str] = []
        self.fp = ""
        self.generation: str | None = None  # the store generation this index matches
        self._bm25 = None
        self._prefixes: set[str] | None = None
        self._lock = threading.Lock()

    def build(self, chunks: Iterable[tuple[str, str, str]], generation: str | None = None) -> None:
        """Index (chunk_id, text, lang) triples and persist."""
        import bm25s

        ids: list[str] = []
        corpus: list[list[str]] = []
        for chunk_id, text, lang in chunks:
            ids.append(chunk_id)
            corpus.append(self.tokenize(text, lang) or ["∅"])
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        with self._lock:
            self._bm25, self.ids, self.fp = (bm25 if corpus else None), ids, fingerprint(ids)
            self._prefixes = None
            self.generation = generation
        self.save()

    def save(self) -> None:
        """Write the index atomically (a temp folder renamed into place)."""
        tmp = self.folder.with_name(self.folder.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp))
        meta = {"ids": self.ids, "fingerprint": self.fp, "generation": self.generation}
        (tmp / "telaah.json").write_text(json.dumps(meta))
        if self.folder.exists():
            old = self.folder.with_name(self.folder.name + ".old")
            if old.exists():
                _rmtree(old)
            self.folder.rename(old)
            tmp.rename(self.folder)
            _rmtree(old)
        else:
            tmp.rename(self.folder)

    def load(self) -> bool:
        """Load a persisted index; False when absent or unreadable."""
        import bm25s

        meta = self.folder / "telaah.json"
        if not meta.exists():
            return False
        try:
            info = json.loads(meta.read_text())
            bm25 = bm25s.BM25.load(str(self.folder)) if info["ids"] else None
        except Exception:  # noqa: BLE001 - a damaged index is simply rebuilt
            return False
        with self._lock:
            self._bm25, self.ids, self.fp = bm25, list(info["ids"]), str(info["fingerprint"])
            self._prefixes = None
            self.generation = info.get("generation")
        return True

    def mark(self, generation: str | None) -> None:
        """Record that the index (unchanged) matches this store generation."""
        self.generation = generation
        meta = self.folder / "telaah.json"
        if meta.exists():
            info = json.loads(meta.read_text())
            info["generation"] = generation
            meta.write_text(json.dumps(info))

    def search(
        self, tokens: list[str], k: int, keep: Callable[[str], bool] | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (chunk_id, score) with score > 0 for query terms (only ids ``keep`` accepts)."""
        if self._bm25 is None or not self.ids or not tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens))
        if keep is not None:
            scores = scores * np.fromiter((keep(i) for i in self.ids), bool, len(self.ids))
        if not scores.any():
            return []
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def holding(self, tokens: Iterable[str]) -> set[str]:
        """The ids of the chunks that hold any of ``tokens``."""
        known = [t for t in tokens if self.known(t)]
        if self._bm25 is None or not known:
            return set()
        scores = np.asarray(self._bm25.get_scores(known))
        return {self.ids[i] for i in np.flatnonzero(scores > 0)}

    def known(self, token: str) -> bool:
        """Whether a term occurs anywhere in the indexed corpus."""
        vocab = getattr(self._bm25, "vocab_dict", None) or {}
        return token in vocab

    def known_prefix(self, prefix: str) -> bool:
        """Whether some indexed term starts with ``prefix`` (at least four characters)."""
        with self._lock:
            if self._prefixes is None:
                vocab = getattr(self._bm25, "vocab_dict", None) or {}
                self._prefixes = {t[:n] for t in vocab for n in range(4, 7) if len(t) >= n}
            return prefix in self._prefixes


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
