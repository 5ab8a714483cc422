"""Document summaries: sentence centrality (LexRank), position and fact density, combined.

A sentence is central when it is similar to many other sentences of the document, which are
themselves central (Erkan & Radev 2004, continuous LexRank: PageRank over the cosine graph).
News puts what matters first (the lead), and a summary a reader can use states the figures and
names. Each sentence's score is centrality plus fitted weights of its rank among the body
sentences and of the numbers and names it states. Sentences are taken by maximal marginal
relevance (Carbonell & Goldstein 1998: score traded, by a fitted share, for being unlike those
taken) up to a character budget (a sentence that ends a quotation with the sentences that open
it) and given back in document order.
"""

from __future__ import annotations

import re

import numpy as np

from app.answer.evidence import DocSentences, quotation
from app.answer.select import DUPLICATE
from ingest.facts import text_facts

_HEADING = re.compile(r"^(#|\w+\s*:\s*\d{4}-\d{2}-\d{2}$)")
_END = re.compile(r"[.!?…\"”’)\]]$")


def _usable(text: str) -> bool:
    """A body sentence: not a heading or date line, ends like a sentence, five words or more."""
    return not _HEADING.match(text) and bool(_END.search(text)) and len(text.split()) >= 5


def centrality(vectors: np.ndarray, damping: float = 0.85, iterations: int = 60) -> np.ndarray:
    """Continuous LexRank scores of unit-length sentence vectors."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0)
    sim = np.clip(vectors @ vectors.T, 0.0, None)
    np.fill_diagonal(sim, 0.0)
    rows = sim.sum(axis=1, keepdims=True)
    walk = np.divide(sim, rows, out=np.full_like(sim, 1.0 / n), where=rows > 0)
    score = np.full(n, 1.0 / n)
    for _ in range(iterations):
        score = (1 - damping) / n + damping * (walk.T @ score)
    return score


FACTS_PER_SENTENCE = 4  # numbers and names a sentence needs to count as fully factual


def summary_scores(
    doc: DocSentences, usable: list[int], position: float, facts: float
) -> np.ndarray:
    """Centrality (scaled to a maximum of 1) + ``position`` × 1/(1 + rank among the body
    sentences) + ``facts`` × share of a full load of numbers and names."""
    central = centrality(doc.vectors[usable])
    central = central / max(float(central.max()), 1e-12)
    lead = 1.0 / (1.0 + np.arange(len(usable)))
    stated = np.array(
        [
            min(1.0, (len(f.numbers) + len(f.names)) / FACTS_PER_SENTENCE)
            for f in (text_facts(doc.texts[i], doc.known_names) for i in usable)
        ]
    )
    return central + position * lead + facts * stated


def summary_sentences(
    doc: DocSentences,
    max_chars: int,
    position: float = 0.0,
    facts: float = 0.0,
    diversity: float = 0.0,
) -> list[int]:
    """Indices of the document's best-scored, mutually different sentences, in order.

    Sentences are taken by maximal marginal relevance: (1 - ``diversity``) × score (scaled to a
    maximum of 1) less ``diversity`` × the greatest similarity to a sentence already taken;
    with ``diversity`` 0, simply best score first.
    """
    usable = [i for i, t in enumerate(doc.texts) if _usable(t)]
    if not usable:
        return []
    scores = summary_scores(doc, usable, position, facts)
    scores = scores / max(float(scores.max()), 1e-12)
    vectors = doc.vectors[usable]
    overlap = np.zeros(len(usable))  # each sentence's greatest similarity to those taken
    left = np.ones(len(usable), dtype=bool)
    chosen: list[int] = []
    used = 0
    while left.any():
        gain = np.where(left, (1 - diversity) * scores - diversity * overlap, -np.inf)
        k = int(np.argmax(gain))  # the first of equals: document order breaks ties
        left[k] = False
        if overlap[k] >= DUPLICATE:  # the same text as one taken
            continue
        unit = [j for j in quotation(doc.texts, usable[k]) if j not in chosen]  # with its quotation
        size = sum(len(doc.texts[j]) + 1 for j in unit)
        if used + size > max_chars:
            continue
        chosen += unit
        used += size
        overlap = np.maximum(overlap, (vectors @ doc.vectors[unit].T).max(axis=1))
    return sorted(chosen)
