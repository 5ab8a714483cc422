"""The extractive answer engine: score sentence evidence, abstain or compose a cited answer.

``query → features → model → (abstain | select | summarize | compare) → compose``. The engine
answers from the passages it is given and never invents text: every sentence of an answer is a
sentence of a passage, followed by that passage's [n].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

import numpy as np

from app.answer.evidence import (
    Candidate,
    DocSentences,
    SentenceSource,
    candidates,
    passage_of,
    sentence_like,
)
from app.answer.features import abstention_features, featurize, names_share
from app.answer.model import Compose, Model, load_model
from app.answer.query import Query, parse_query
from app.answer.select import Pick, best_document, by_document, factoid, open_picks
from app.answer.summarize import summary_sentences
from app.constants import abstain_text, no_info_text
from app.types import Passage
from ingest.terms import words
from vectorstore.embeddings import language_means

if TYPE_CHECKING:
    from app.retrieve import Retrieval


class Library(Protocol):
    """What the engine needs of the store: search, sentences and a document's chunks."""

    @property
    def sentences(self) -> SentenceSource: ...

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        mode: str | None = None,
        docs: Sequence[str] | None = None,
    ) -> Retrieval: ...

    def chunks(self, doc_id: str) -> list[Passage]: ...

    def corpus_has(self, word: str) -> bool: ...

    def centroids(self) -> dict[str, np.ndarray]: ...


@dataclass
class Draft:
    """An answer before the citation check: text with [n] markers into ``passages``."""

    text: str
    abstained: bool
    passages: list[Passage]
    used: list[tuple[int, tuple[int, int]]] = field(default_factory=list)
    kind: str = "factoid"
    support: float | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Scored:
    """Candidates of one question with their probabilities and abstention values: ``p`` of being
    relevant, ``rank`` of being the answer (the ranker's: see :class:`~app.answer.model.Model`)."""

    cands: list[Candidate]
    p: np.ndarray
    rank: np.ndarray
    abstention: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return float(self.p.max()) if len(self.p) else 0.0


def unknown_names(query: Query, library: Library) -> list[str]:
    """The question's names of which no word occurs anywhere in the stored articles."""
    return [n for n in query.names if not any(library.corpus_has(w) for w in words(n))]


def names_absent(query: Query, docs: Sequence[DocSentences]) -> float:
    """Share of the question's names of which no word occurs in the retrieved documents."""
    if not query.names:
        return 0.0
    present: set[str] = set().union(*(d.word_set for d in docs)) if docs else set()
    missing = [n for n in query.names if not any(w in present for w in words(n))]
    return len(missing) / len(query.names)


def factoid_scores(kind: str, p: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """The probabilities a question's answer is composed by when it is not answered openly: the
    ranker's for a factoid (one sentence is its answer), relevance for a list (its items are
    several sentences, each of which should be taken)."""
    return p if kind == "list" else rank


def rerank(
    passages: Sequence[Passage], cands: Sequence[Candidate], probs: np.ndarray
) -> list[Passage]:
    """Passages ordered by their best sentence's probability (retrieval order breaks ties)."""
    best: dict[int, float] = {}
    for c, p in zip(cands, probs, strict=True):
        n = passage_of(c, passages)
        if n is not None:
            best[n] = max(best.get(n, 0.0), float(p))
    order = sorted(range(1, len(passages) + 1), key=lambda n: (-best.get(n, 0.0), n))
    return [passages[n - 1] for n in order]


# Closed class: the typographic bullets an article's list items begin with ("● Penyelundupan
# menjadi …"); the answer writes such an item as its own "- " line instead.
_BULLET = re.compile(r"^[•●○◦▪▫■□‣∙]\s*")


def render(groups: Sequence[Sequence[Pick]], passages: Sequence[Passage], sep: str = " ") -> Draft:
    """Answer text: each sentence followed by the [n] of the best passage holding it.

    A list item (a line that does not end like a sentence, or one an article begins with a
    bullet) goes on a line of its own.
    """
    parts: list[str] = []
    used: list[tuple[int, tuple[int, int]]] = []
    for group in groups:
        lines: list[str] = []
        for c, _ in group:
            n = passage_of(c, passages)
            if n is None:
                continue
            used.append((n, c.span))
            bullet = _BULLET.match(c.text)
            text = c.text[bullet.end() :] if bullet else c.text
            cited = f"{text} [{n}]"
            if bullet or not sentence_like(text):
                lines.append(f"- {cited}")
            elif lines and not lines[-1].startswith("- "):
                lines[-1] = f"{lines[-1]} {cited}"
            else:
                lines.append(cited)
        if lines:
            parts.append("\n".join(lines))
    return Draft(sep.join(parts), False, list(passages), used)


class Engine:
    """Answers a parsed question from a library of stored articles."""

    def __init__(self, library: Library, model: Model | None = None) -> None:
        self.library = library
        self.model = model or load_model()

    # ---------------------------------------------------------------- scoring

    def score(self, query: Query, passages: Sequence[Passage], vector: Sequence[float]) -> Scored:
        """Every candidate sentence of the passages with its probability of answering."""
        docs = self.library.sentences.get(passages)
        cands = candidates(passages, docs)
        X = featurize(query, vector, cands, language_means(vector, self.library.centroids()))
        p, rank = self.model.probabilities(X), self.model.rank_probabilities(X)
        if not cands:
            return Scored(cands, p, rank)
        absent = names_absent(query, list(docs.values()))
        return Scored(cands, p, rank, abstention_features(query, cands, p, X, absent))

    def answers(self, scored: Scored, query: Query) -> bool:
        """Whether the evidence is strong enough to answer (the fitted abstention rule).

        A question about a name the articles never mention cannot be answered from them.
        """
        if not scored.cands or unknown_names(query, self.library):
            return False
        return self.model.support(scored.abstention, query.open_ended) >= self.model.abstain_below

    # ---------------------------------------------------------------- entry point

    def answer(self, query: Query, retrieval: Retrieval) -> Draft:
        """Answer a question from its retrieval (comparisons retrieve per side themselves)."""
        if query.kind == "compare" and len(query.entities) >= 2:
            return self.compare(query, len(retrieval.passages) or None)
        vector = retrieval.vector or []
        scored = self.score(query, retrieval.passages, vector)
        if query.kind == "summary":
            return self.summary(query, retrieval.passages, scored)
        support = self.model.support(scored.abstention, query.open_ended) if scored.cands else None
        if not self.answers(scored, query):
            return Draft(
                abstain_text(query.lang), True, retrieval.passages, kind=query.kind, support=support
            )
        if self.model.answers_openly(query.kind, query.expects):
            passages = rerank(retrieval.passages, scored.cands, scored.p)
            groups = by_document(open_picks(scored.cands, scored.p, query.lang, self.model))
            draft = render(groups, self.cover(groups, passages), sep="\n\n")
        else:
            probs = factoid_scores(query.kind, scored.p, scored.rank)
            passages = rerank(retrieval.passages, scored.cands, probs)
            policy = self.model.listing if query.kind == "list" else self.model.factoid
            groups = factoid(scored.cands, probs, query.lang, policy)
            draft = render(groups, self.cover(groups, passages))
        draft.kind, draft.support = query.kind, support
        return draft

    def cover(self, groups: Sequence[Sequence[Pick]], passages: list[Passage]) -> list[Passage]:
        """The passages plus the chunk of any chosen sentence that none of them holds."""
        out = list(passages)
        for group in groups:
            for c, _ in group:
                if passage_of(c, out) is None:
                    a, b = c.span
                    chunk = next(
                        (
                            ch
                            for ch in self.library.chunks(c.doc.doc_id)
                            if ch.start <= a and b <= ch.end
                        ),
                        None,
                    )
                    if chunk is not None:
                        out.append(chunk)
        return out

    # ---------------------------------------------------------------- summaries

    def summary(self, query: Query, passages: Sequence[Passage], scored: Scored) -> Draft:
        """A LexRank summary of the document the question points at (as open answers choose it)."""
        if not scored.cands:
            return Draft(abstain_text(query.lang), True, list(passages), kind="summary")
        m = self.model
        top = best_document(scored.cands, scored.p, m.open_doc_by)
        chosen = summary_sentences(
            top, m.open_chars, m.summary_position, m.summary_facts, m.summary_diversity
        )
        chunks = self.library.chunks(top.doc_id)
        cited = [ch for ch in chunks if any(ch.start <= top.spans[i][0] < ch.end for i in chosen)]
        rest = [p for p in passages if p.chunk_id not in {c.chunk_id for c in cited}]
        combined = cited + rest
        picks = [(Candidate(top, i, 0), 1.0) for i in chosen]
        draft = render([picks], combined)
        draft.kind = "summary"
        return draft

    # ---------------------------------------------------------------- comparisons

    def compare(
        self,
        query: Query,
        k: int | None = None,
        mode: str | None = None,
        docs: Sequence[str] | None = None,
    ) -> Draft:
        """Each compared name's best evidence on the aspect, labelled, side by side."""
        per_k = max(3, (k or 6) // 2)
        budget = replace(self.model.factoid, max_chars=self.model.open_chars // len(query.entities))
        combined: list[Passage] = []
        sides: list[tuple[str, list[Pick]]] = []
        for entity in query.entities:
            side = parse_query(f"{entity} {query.aspect}".strip(), query.lang)
            got = self.library.retrieve(side.text, per_k, mode, docs)
            combined += [
                p for p in got.passages if p.chunk_id not in {c.chunk_id for c in combined}
            ]
            scored = self.score(side, got.passages, got.vector or [])
            others = tuple(e for e in query.entities if e != entity)
            sides.append((entity, self._side(side, entity, others, scored, budget)))
        if not any(picks for _, picks in sides):
            return Draft(abstain_text(query.lang), True, combined, kind="compare")
        combined = self.cover([picks for _, picks in sides], combined)
        lines: list[str] = []
        used: list[tuple[int, tuple[int, int]]] = []
        for entity, picks in sides:
            if not picks:
                lines.append(f"**{entity}:** {no_info_text(entity, query.lang)}")
                continue
            side_draft = render([picks], combined)
            lines.append(f"**{entity}:** {side_draft.text}")
            used += side_draft.used
        return Draft("\n\n".join(lines), False, combined, used, kind="compare")

    def _side(
        self,
        side: Query,
        entity: str,
        others: tuple[str, ...],
        scored: Scored,
        policy: Compose,
    ) -> list[Pick]:
        """The best sentences about ``entity`` (they or their neighbours name it), if supported;
        not one that names another compared name and not this one (it belongs to that side)."""
        named, rival = replace(side, names=(entity,)), replace(side, names=others)
        keep = [
            k
            for k, c in enumerate(scored.cands)
            if names_share(named, c.window()) > 0
            and (names_share(named, c.text) > 0 or names_share(rival, c.text) == 0)
        ]
        if not keep or not self.answers(scored, named):
            return []
        cands = [scored.cands[k] for k in keep]
        # a side gathers what is said of its aspect, like a list's items: ordered by relevance,
        # not by the ranker of the one sentence that answers a factoid
        groups = factoid(cands, scored.p[keep], side.lang, policy)
        return [pick for group in groups for pick in group]
