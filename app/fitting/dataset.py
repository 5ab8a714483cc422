"""Labelled candidate sentences for fitting and measuring the answer engine.

A candidate is *relevant* when its sentence overlaps an occurrence of one of the question's
evidence strings in the document (whitespace-normalized, case-folded). Used by
:mod:`app.fitting.fit` and by the ablations in the evaluation report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.answer.engine import unknown_names
from app.answer.evidence import Candidate, SentenceSource, candidates
from app.answer.features import featurize
from app.answer.query import Query, parse_query
from app.types import Passage
from vectorstore.embeddings import language_means

if TYPE_CHECKING:
    from app.evaluation.questions import EvalQuestion
    from app.retrieve import HybridRetriever


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def relevant(cands: Sequence[Candidate], evidence: Iterable[str]) -> np.ndarray:
    """1 for each candidate overlapping an evidence occurrence, else 0."""
    wanted = [_norm(e) for e in evidence if e.strip()]
    out = np.zeros(len(cands), dtype=np.int8)
    joined: dict[str, tuple[str, list[int]]] = {}
    for k, c in enumerate(cands):
        doc = c.doc
        if doc.doc_id not in joined:
            starts, parts, pos = [], [], 0
            for t in doc.texts:
                starts.append(pos)
                parts.append(_norm(t))
                pos += len(parts[-1]) + 1
            joined[doc.doc_id] = (" ".join(parts), starts)
        text, starts = joined[doc.doc_id]
        lo = starts[c.i]
        hi = lo + len(_norm(c.text))
        for e in wanted:
            at = text.find(e)
            while at != -1:
                if at < hi and lo < at + len(e):
                    out[k] = 1
                    break
                at = text.find(e, at + 1)
            if out[k]:
                break
    return out


@dataclass
class Item:
    """One question with its retrieval, candidates, features and labels."""

    qid: str
    group: str
    query: Query
    answerable: bool
    passages: list[Passage]
    vector: list[float]
    cands: list[Candidate]
    X: np.ndarray
    y: np.ndarray
    patterns: list[str] = field(default_factory=list)
    points: list[str] = field(default_factory=list)
    unknown: bool = False  # it names something no stored article mentions

    @property
    def key(self) -> str:
        """Unique across question files: group and id."""
        return f"{self.group}:{self.qid}"


def collect(
    questions: Sequence[EvalQuestion],
    retriever: HybridRetriever,
    sentences: SentenceSource,
    group: str,
    k: int | None = None,
    mode: str | None = None,
) -> list[Item]:
    """Retrieve, build candidates and label them for every question."""
    items: list[Item] = []
    for q in questions:
        query = parse_query(q.question)
        got = retriever.retrieve(q.question, k, mode, focus=not query.explains)
        docs = sentences.get(got.passages)
        cands = candidates(got.passages, docs)
        vector = got.vector or []
        items.append(
            Item(
                qid=q.id,
                group=group,
                query=query,
                answerable=q.answerable,
                passages=got.passages,
                vector=vector,
                cands=cands,
                X=featurize(query, vector, cands, language_means(vector, retriever.centroids())),
                y=relevant(cands, q.evidence),
                patterns=list(q.answer_all),
                points=list(q.points or []),
                unknown=bool(unknown_names(query, retriever)),
            )
        )
    return items


def load_split(path: Path) -> dict[str, Any]:
    """The committed realset split: articles and question ids of each half."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
