"""Choose the sentences of an answer from scored candidates.

Factoid and list questions take the best sentence, further sentences close to it in probability,
and the best sentence's neighbours (a model's decision how many, and whether the neighbours or the
further sentences come first when they do not all fit: see ``Compose``). Open questions
take a query-focused summary: maximal marginal relevance (MMR) over the candidates.
Near-duplicates (the same fact in the other language's version of an article) are skipped, and
the question's language is preferred among them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from app.answer.evidence import Candidate, DocSentences, sentence_like, usable
from app.answer.model import Compose, DocScore, Model
from ingest.numbers import number_facts

# Cosines of two sentence vectors that state the same thing, measured on our own article and its
# translation (data/corpus): translated pairs have a median of 0.91 (10th percentile 0.88); a
# sentence's best match that is no translation stays at or under ~0.88 across languages, while
# distinct sentences of one article reach 0.91 (90th percentile). Across languages a twin must
# also state the same numbers.
DUPLICATE = 0.95
TRANSLATION = 0.87


def _similar(a: Candidate, b: Candidate) -> float:
    return float(a.doc.vectors[a.i] @ b.doc.vectors[b.i])


def twins(a: Candidate, b: Candidate) -> bool:
    """Whether two sentences say the same thing (the same text, or a translation of it)."""
    if a.key == b.key:
        return True
    sim = _similar(a, b)
    if a.doc.lang == b.doc.lang:
        return sim >= DUPLICATE
    return sim >= TRANSLATION and sorted(number_facts(a.text)) == sorted(number_facts(b.text))


def prefer_language(j: int, cands: Sequence[Candidate], p: np.ndarray, lang: str) -> int:
    """A translation of candidate ``j`` in the question's language, if there is one (the best
    scored): it states the same thing, and the reader gets the quote in their language."""
    if cands[j].doc.lang == lang:
        return j
    found = [k for k, c in enumerate(cands) if c.doc.lang == lang and twins(c, cands[j])]
    return max(found, key=lambda k: p[k]) if found else j


def _duplicate(c: Candidate, chosen: Sequence[Candidate]) -> bool:
    return any(twins(c, o) for o in chosen)


def _with_quotation(c: Candidate, taken: Sequence[Candidate]) -> tuple[list[Candidate], int]:
    """``c`` with the sentences that open the quotation it ends (those not taken yet), and the
    characters they all take in an answer."""
    unit = [q for q in c.quotation() if q is c or not _duplicate(q, taken)]
    return unit, sum(len(q.text) + 1 for q in unit)


Pick = tuple[Candidate, float]
"""A chosen sentence and the probability that it answers the question."""


def factoid(
    cands: Sequence[Candidate], p: np.ndarray, lang: str, policy: Compose
) -> list[list[Pick]]:
    """Groups of sentences (document order within a group), best group first; a sentence that
    ends a quotation comes with the sentences that open it.

    A neighbour of the best sentence may lie outside the retrieved passages; the caller cites
    it through the chunk that holds it.
    """
    order = [int(j) for j in np.argsort(-p)]
    best = order[0]
    anchors: list[int] = []
    for j in order:
        if len(anchors) >= policy.max_sentences or p[j] < policy.ratio * p[best]:
            break
        j = prefer_language(j, cands, p, lang)
        if not _duplicate(cands[j], [cands[a] for a in anchors]):
            anchors.append(j)
    by_key = {c.key: (c, float(p[k])) for k, c in enumerate(cands)}
    groups: list[list[Pick]] = []
    used = 0
    taken: list[Candidate] = []
    for rank, a in enumerate(anchors):
        c = cands[a]
        unit, size = _with_quotation(c, taken)
        if _duplicate(c, taken) or (groups and used + size > policy.max_chars):
            continue
        groups.append([(q, float(p[a])) for q in unit])
        used += size
        taken += unit
        if rank == 0 and not policy.anchors_first:
            used = _grow(groups[0], c, by_key, policy, used, taken)
    if policy.anchors_first and groups:
        _grow(groups[0], groups[0][0][0], by_key, policy, used, taken)
    return [sorted(group, key=lambda pick: pick[0].i) for group in groups]


LIST_ITEMS = 6  # most items taken after a sentence that ends with a colon


def _around(c: Candidate, policy: Compose) -> list[int]:
    """Neighbours to add: ``after`` sentences forward (plus the items that follow any sentence
    ending with a colon, which need not look like sentences), then ``before`` backward."""
    texts = c.doc.texts
    forward: list[int] = []
    sentences_left, items_left = policy.after, LIST_ITEMS if c.text.endswith(":") else 0
    for j in range(c.i + 1, len(texts)):
        if items_left and usable(texts[j]):
            items_left -= 1
        elif sentences_left and sentence_like(texts[j]):
            sentences_left -= 1
        else:
            break
        forward.append(j)
        if texts[j].endswith(":"):
            items_left = LIST_ITEMS
    backward = [j for j in range(c.i - 1, c.i - 1 - policy.before, -1) if j >= 0]
    return forward + [j for j in backward if sentence_like(texts[j])]


def _grow(
    group: list[Pick],
    c: Candidate,
    by_key: dict[tuple[str, int], Pick],
    policy: Compose,
    used: int,
    taken: list[Candidate],
) -> int:
    """Add the best sentence's neighbours while they fit in the answer (not one that opens or
    ends a quotation whose other sentences the group lacks)."""
    for j in _around(c, policy):
        neighbour = by_key.get((c.doc.doc_id, j)) or (Candidate(c.doc, j, c.rank), 0.0)
        size = len(neighbour[0].text) + 1
        if used + size > policy.max_chars:
            break
        if _duplicate(neighbour[0], taken):
            continue
        held = {pick[0].key for pick in group}
        if any(q.key not in held for q in neighbour[0].quotation() if q.i != j):
            continue
        group.append(neighbour)
        taken.append(neighbour[0])
        used += size
    return used


def open_picks(cands: Sequence[Candidate], p: np.ndarray, lang: str, model: Model) -> list[Pick]:
    """The sentences of an open answer, with the model's fitted MMR settings."""
    return mmr(
        cands,
        p,
        lang,
        model.open_chars,
        model.open_ratio,
        model.mmr_lambda,
        model.open_doc_ratio,
        model.open_doc_by,
    )


def document_scores(cands: Sequence[Candidate], p: np.ndarray, by: DocScore) -> dict[str, float]:
    """How strongly each document answers: its best sentence's probability (``by="sentence"``)
    or 1 / (1 + the rank of its best retrieved passage) (``by="passage"``)."""
    scores: dict[str, float] = {}
    for c, pk in zip(cands, p, strict=True):
        value = float(pk) if by == "sentence" else 1.0 / (1.0 + c.rank)
        scores[c.doc.doc_id] = max(scores.get(c.doc.doc_id, 0.0), value)
    return scores


def best_document(cands: Sequence[Candidate], p: np.ndarray, by: DocScore) -> DocSentences:
    """The document a question points at: the best by :func:`document_scores`."""
    scores = document_scores(cands, p, by)
    top = max(scores, key=lambda d: scores[d])
    return next(c.doc for c in cands if c.doc.doc_id == top)


def mmr(
    cands: Sequence[Candidate],
    p: np.ndarray,
    lang: str,
    max_chars: int,
    ratio: float,
    lam: float,
    doc_ratio: float = 0.0,
    doc_by: DocScore = "sentence",
) -> list[Pick]:
    """Maximal marginal relevance: relevant sentences that say different things.

    Documents qualify when their score (:func:`document_scores`) reaches ``doc_ratio`` of the
    best document's (an open answer stays with the documents the question is about); their
    sentences qualify when their probability reaches ``ratio`` of the best one's among them. A
    sentence that ends a quotation is taken with the sentences that open it.
    """
    docs = document_scores(cands, p, doc_by)
    top = max(docs.values(), default=0.0)
    kept = [k for k in range(len(cands)) if docs[cands[k].doc.doc_id] >= doc_ratio * top]
    best = max((float(p[k]) for k in kept), default=0.0)
    pool = [k for k in kept if p[k] >= ratio * best]
    chosen: list[int] = []
    picks: list[Pick] = []
    taken: list[Candidate] = []
    used = 0
    overlap = dict.fromkeys(pool, -math.inf)  # each one's highest similarity to those chosen

    def gain(k: int) -> float:
        return lam * float(p[k]) - (1 - lam) * (overlap[k] if chosen else 0.0)

    while pool:
        k = max(pool, key=gain)
        pool.remove(k)
        k = prefer_language(k, cands, p, lang)
        c = cands[k]
        if _duplicate(c, taken):
            continue
        unit, size = _with_quotation(c, taken)
        if used + size > max_chars:
            continue
        chosen.append(k)
        for j in pool:
            overlap[j] = max(overlap[j], _similar(cands[j], c))
        picks += [(q, float(p[k])) for q in unit]
        taken += unit
        used += size
    return picks


def by_document(picks: Sequence[Pick]) -> list[list[Pick]]:
    """Picks grouped by document (documents in order of their best pick), document order inside."""
    groups: dict[str, list[Pick]] = {}
    for pick in sorted(picks, key=lambda pk: -pk[1]):
        groups.setdefault(pick[0].doc.doc_id, []).append(pick)
    return [sorted(g, key=lambda pk: pk[0].i) for g in groups.values()]
