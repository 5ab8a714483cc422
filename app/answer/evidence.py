"""Candidate sentences: the sentences inside the retrieved passages, each with its neighbours.

A candidate knows the passage that holds it and the sentences around it in its document, inside
the passages or not.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from app.sentences import DocSentences, SentenceSource
from app.types import Passage

__all__ = [
    "Candidate",
    "DocSentences",
    "SentenceSource",
    "candidates",
    "passage_of",
    "quotation",
]


@dataclass
class Candidate:
    """A sentence of a retrieved passage: where it stands and what surrounds it."""

    doc: DocSentences
    i: int
    rank: int = field(compare=False)  # of the best retrieved passage holding the sentence

    @property
    def text(self) -> str:
        return self.doc.texts[self.i]

    @property
    def span(self) -> tuple[int, int]:
        return self.doc.spans[self.i]

    @property
    def key(self) -> tuple[str, int]:
        return (self.doc.doc_id, self.i)

    def neighbour(self, step: int) -> int | None:
        """Index of the sentence ``step`` away in the document, if any."""
        j = self.i + step
        return j if 0 <= j < len(self.doc) else None

    def window(self, before: int = 1, after: int = 1) -> str:
        """The sentence with its neighbours, as one text."""
        lo, hi = max(0, self.i - before), min(len(self.doc), self.i + after + 1)
        return " ".join(self.doc.texts[lo:hi])

    def quotation(self) -> list[Candidate]:
        """The sentence with the other sentences of the quotation it ends or opens, if any (see
        :func:`quotation`): shown alone, «… near home," said X» reads as a fragment, and so
        does «"Our customers carry timber.» when the quotation goes on."""
        return [Candidate(self.doc, j, self.rank) for j in quotation(self.doc.texts, self.i)]


_END = re.compile(r"[.!?…:\"”’)\]]$")


QUOTE_REACH = 4  # most sentences a quotation may run back from the one that closes it


def _quote_balance(text: str) -> int:
    """Quotation marks a sentence opens (> 0) or closes (< 0) and leaves open or unopened: a
    straight mark counts as opening at the sentence's start, as closing elsewhere."""
    curly = text.count("“") - text.count("”")
    straight = text.count('"')
    if straight % 2 == 0:
        return curly
    return curly + (1 if text.lstrip("*- ").startswith('"') else -1)


def quotation(texts: Sequence[str], i: int) -> list[int]:
    """Indices of the sentences of the quotation that sentence ``i`` closes or opens and leaves
    open: from the one that opens it (at most :data:`QUOTE_REACH` back) to ``i``, or from ``i``
    to the one that closes it (as far ahead); ``[i]`` when it is no part of one."""
    balance = _quote_balance(texts[i])
    if balance == 0:
        return [i]
    step = 1 if balance > 0 else -1
    for k in range(1, QUOTE_REACH + 1):
        j = i + step * k
        if not 0 <= j < len(texts):
            break
        other = _quote_balance(texts[j])
        if other * balance < 0:  # the mark that opens (closes) what ``i`` closes (opens)
            return list(range(min(i, j), max(i, j) + 1))
        if other:
            break
    return [i]


def usable(text: str) -> bool:
    """A sentence of two words or more, not a heading: a stray quote mark is no answer."""
    words = sum(1 for part in text.split() if any(ch.isalpha() for ch in part))
    return words >= 2 and not text.startswith("#")


@lru_cache(maxsize=65536)
def sentence_like(text: str) -> bool:
    """Usable and ending like a sentence (a heading line has no full stop)."""
    return usable(text) and bool(_END.search(text))


def candidates(passages: Sequence[Passage], docs: dict[str, DocSentences]) -> list[Candidate]:
    """Each sentence inside the passages once, tagged with the best passage holding it.

    Titles, headings and list items (lines that do not end like a sentence) are no candidates;
    list items still come into an answer after the sentence that announces them.
    """
    seen: dict[tuple[str, int], Candidate] = {}
    for rank, p in enumerate(passages):
        doc = docs.get(p.doc_id)
        if doc is None:
            continue
        for i in range(bisect_left(doc.starts, p.start), len(doc.spans)):
            if doc.spans[i][1] > p.end:
                break
            if (p.doc_id, i) not in seen and sentence_like(doc.texts[i]):
                seen[(p.doc_id, i)] = Candidate(doc, i, rank)
    return list(seen.values())


def passage_of(c: Candidate, passages: Sequence[Passage]) -> int | None:
    """The 1-based number of the best-ranked passage holding a sentence, or None."""
    a, b = c.span
    for n, p in enumerate(passages, start=1):
        if p.doc_id == c.doc.doc_id and a >= p.start and b <= p.end:
            return n
    return None
