"""BM25 keyword index (bm25s) with an Indonesian/English tokenizer, persisted beside the store."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

# Function words dropped from the index. Negations and numbers are kept on purpose:
# "tidak impas" and "not profitable" must not match their opposites as well.
STOP_ID = frozenset(
    "yang dan di ke dari ini itu dengan untuk pada adalah dalam akan juga atau oleh sebagai "
    "karena telah sudah bahwa mereka kami kita saya ada bisa lebih para tersebut menjadi dapat "
    "hingga namun serta agar setelah sedang masih maka jika kalau saat ketika sehingga sebuah "
    "seorang suatu pun lah kah nya apa siapa kapan berapa mengapa kenapa bagaimana apakah mana "
    "dia ia beliau kamu anda sangat begitu hal secara lain lagi sendiri tentang antara".split()
)
STOP_EN = frozenset(
    "the a an and of to in is are was were be been being for on with as by it its this that "
    "these those from or at which who whom whose what when where why how have has had do does "
    "did will would shall should can could may might must their they them he she his her we our "
    "you your i me my than then so such there here into about over also just very much many "
    "some any each both".split()
)
NEGATIONS = frozenset("tidak bukan belum tanpa tak no not never without nor".split())
STOPWORDS = (STOP_ID | STOP_EN) - NEGATIONS

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
_EN_SUFFIXES = ("ingly", "edly", "ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s")


@lru_cache(maxsize=1)
def sastrawi() -> tuple[Any, frozenset[str]]:
    """The process's one PySastrawi stemmer (slow to build) and its root-word dictionary."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    factory = StemmerFactory()
    return factory.create_stemmer(), frozenset(factory.get_words())


@lru_cache(maxsize=200_000)
def stem_id(word: str) -> str:
    """Indonesian stem (PySastrawi), cached per word: the stemmer is slow."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return str(sastrawi()[0].stem(word)) or word


@lru_cache(maxsize=200_000)
def stem_en(word: str) -> str:
    """A light English suffix stripper (enough for BM25 recall)."""
    for suffix in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ied", "ies") else base
    return word


def normalize_number(token: str) -> str:
    """'1,4' and '1.4' index alike; thousands separators ('1.000', '1,000') drop."""
    core = token.rstrip("%")
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", core):
        core = re.sub(r"[.,]", "", core)
    else:
        core = core.replace(",", ".")
    return core + ("%" if token.endswith("%") else "")


def tokenize(text: str, lang: str = "id") -> list[str]:
    """Lowercased, stopword-free, stemmed tokens; numbers normalized."""
    stem = stem_id if lang == "id" else stem_en
    out: list[str] = []
    for raw in _TOKEN.findall(text.lower()):
        if raw[0].isdigit():
            out.append(normalize_number(raw))
        elif raw not in STOPWORDS and len(raw) > 1:
            out.append(stem(raw))
    return out


def fingerprint(ids: Iterable[str]) -> str:
    """Identity of a set of chunk ids (order-independent)."""
    digest = hashlib.sha256()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode())
    return digest.hexdigest()


class KeywordIndex:
    """A persisted bm25s index over chunk ids; rebuilt when it disagrees with the store."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ids: list[str] = []
        self.fp = ""
        self.generation: str | None = None  # the store generation this index matches
        self._bm25 = None
        self._lock = threading.Lock()

    def build(self, chunks: Iterable[tuple[str, str, str]], generation: str | None = None) -> None:
        """Index (chunk_id, text, lang) triples and persist."""
        import bm25s

        ids: list[str] = []
        corpus: list[list[str]] = []
        for chunk_id, text, lang in chunks:
            ids.append(chunk_id)
            corpus.append(tokenize(text, lang) or ["∅"])
        bm25 = bm25s.BM25()
        if corpus:
            bm25.index(corpus, show_progress=False)
        with self._lock:
            self._bm25, self.ids, self.fp = (bm25 if corpus else None), ids, fingerprint(ids)
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

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top-k (chunk_id, score) with score > 0; the query is stemmed both ways."""
        if self._bm25 is None or not self.ids:
            return []
        tokens = list(dict.fromkeys(tokenize(query, "id") + tokenize(query, "en")))
        if not tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens))
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
