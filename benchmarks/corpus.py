"""Deterministic synthetic data: documents recombined from the demo corpus, and scale stores."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import DIM

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_WRITE_BATCH = 1000


def corpus_paragraphs() -> dict[str, list[str]]:
    """Body paragraphs of each demo article (headings, title and date lines dropped)."""
    out: dict[str, list[str]] = {}
    for path in sorted(CORPUS.glob("*.md")):
        lang = "en" if ".en." in path.name else "id"
        paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n")]
        out[lang] = [p for p in paras if len(p) > 120 and not p.startswith(("#", "Tanggal"))]
    return out


def synth_documents(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """Write ``n`` Markdown articles recombined from the demo paragraphs (shuffled, numbered)."""
    rng = random.Random(seed)
    paragraphs = corpus_paragraphs()
    langs = sorted(paragraphs)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i in range(n):
        lang = langs[i % len(langs)]
        picked = rng.sample(paragraphs[lang], k=min(len(paragraphs[lang]), rng.randint(5, 9)))
        label = "Laporan" if lang == "id" else "Report"
        body = [_vary(p, i, rng) for p in picked]
        text = f"# {label} {i:04d}: {picked[0][:60].rsplit(' ', 1)[0]}\n\n" + "\n\n".join(body)
        path = folder / f"doc-{i:04d}.{lang}.md"
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _vary(paragraph: str, doc: int, rng: random.Random) -> str:
    """Shuffle the paragraph's sentences and stamp a numbered variation on it."""
    sentences = re.split(r"(?<=[.!?])\s+", paragraph)
    rng.shuffle(sentences)
    return " ".join(sentences) + f" (v{doc}.{rng.randint(1, 999)})"


def vocabulary() -> dict[str, list[str]]:
    """Distinct words of each demo article, by language."""
    paragraphs = corpus_paragraphs()
    return {
        lang: sorted({w.lower() for p in paras for w in _WORD.findall(p)})
        for lang, paras in paragraphs.items()
    }


def word_salad(rng: random.Random, words: list[str], low: int = 60, high: int = 110) -> str:
    """A random run of corpus words, roughly chunk-sized (400-900 characters)."""
    count = rng.randint(low, high)
    return " ".join(rng.choice(words) for _ in range(count)) + "."


def clustered_unit_vectors(
    n: int, rng: np.random.Generator, spread: float = 1.0, per_cluster: int = 100
) -> np.ndarray:
    """``n`` float32 unit vectors around ``n / per_cluster`` random centers (cosine ~0.5 within)."""
    centers = _unit(rng.standard_normal((max(1, n // per_cluster), DIM)).astype(np.float32))
    labels = rng.integers(0, len(centers), size=n)
    noise = _unit(rng.standard_normal((n, DIM)).astype(np.float32))
    return _unit(centers[labels] + spread * noise)


def perturbed_queries(
    vectors: np.ndarray, count: int, rng: np.random.Generator, scale: float = 0.3
) -> np.ndarray:
    """Queries near randomly chosen stored vectors."""
    picks = rng.choice(len(vectors), size=min(count, len(vectors)), replace=False)
    noise = _unit(rng.standard_normal((len(picks), DIM)).astype(np.float32))
    return _unit(vectors[picks] + scale * noise)


def _unit(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


@dataclass
class ScaleData:
    """A synthetic store's content: vectors and texts, in chunk order."""

    vectors: np.ndarray
    texts: list[str]
    langs: list[str]
    chunks_per_doc: int


def make_scale_data(n: int, chunks_per_doc: int = 10, seed: int = 0) -> ScaleData:
    """Clustered vectors and word-salad texts (Indonesian and English documents alternate)."""
    rng = np.random.default_rng(seed)
    vectors = clustered_unit_vectors(n, rng)
    words = vocabulary()
    salad_rng = random.Random(seed)
    langs = ["id" if (i // chunks_per_doc) % 2 == 0 else "en" for i in range(n)]
    texts = [word_salad(salad_rng, words[lang]) for lang in langs]
    return ScaleData(vectors, texts, langs, chunks_per_doc)


def populate(store: Any, data: ScaleData) -> None:
    """Write chunks (and their language's copy of the vectors) straight into the store
    (batched), then one committed record per document."""
    n, per = len(data.texts), data.chunks_per_doc
    for lo in range(0, n, _WRITE_BATCH):
        hi = min(n, lo + _WRITE_BATCH)
        store.chunks.upsert(
            ids=[chunk_id(i, per) for i in range(lo, hi)],
            embeddings=data.vectors[lo:hi],
            documents=data.texts[lo:hi],
            metadatas=[_chunk_meta(i, per, data.langs[i], data.texts[i]) for i in range(lo, hi)],
        )
        for lang in store.vectors:  # each language's search collection
            rows = [i for i in range(lo, hi) if data.langs[i] == lang]
            if rows:
                store.add_language_vectors(
                    lang,
                    [chunk_id(i, per) for i in rows],
                    data.vectors[rows].tolist(),
                    [_doc_id(i // per) for i in rows],
                )
    doc_ids = list(range((n + per - 1) // per))
    for lo in range(0, len(doc_ids), _WRITE_BATCH):
        part = doc_ids[lo : lo + _WRITE_BATCH]
        store.docs.upsert(
            ids=[_doc_id(d) for d in part],
            embeddings=[[1.0]] * len(part),
            documents=[data.texts[d * per] for d in part],
            metadatas=[_doc_meta(d, per, n, data) for d in part],
        )


def _doc_id(doc: int) -> str:
    return f"{doc:016x}{'0' * 48}"


def chunk_id(i: int, per: int) -> str:
    """The id of synthetic chunk ``i`` (``per`` chunks per document)."""
    return f"{_doc_id(i // per)[:16]}-{i % per:04d}"


def _chunk_meta(i: int, per: int, lang: str, text: str) -> dict[str, Any]:
    doc = i // per
    return {
        "doc_id": _doc_id(doc),
        "title": f"Synthetic {doc}",
        "source": f"synthetic://{doc}",
        "lang": lang,
        "index": i % per,
        "start": 0,
        "end": len(text),
    }


def _doc_meta(doc: int, per: int, n: int, data: ScaleData) -> dict[str, Any]:
    count = min(per, n - doc * per)
    return {
        "title": f"Synthetic {doc}",
        "source": f"synthetic://{doc}",
        "lang": data.langs[doc * per],
        "ingested_at": "2025-01-01T00:00:00+00:00",
        "chunks": count,
        "chars": len(data.texts[doc * per]),
    }
