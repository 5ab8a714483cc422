"""Generic features of a candidate sentence for a question.

Every feature is about the relation between a question and a sentence in general — embedding
similarity (which also works across the two languages), shared words, whether the sentence holds
the kind of thing the question asks for, whether it names what the question names, where its
passage ranked — never about a topic. Their weights are fitted (see :mod:`app.fitting.fit`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from app.answer.evidence import Candidate
from app.answer.query import Query
from ingest.facts import TextFacts, text_facts
from ingest.numbers import (
    COUNTING,
    LENGTHS,
    MEASURES,
    Fact,
    counted_words,
    facts_match,
    number_word_facts,
)
from ingest.terms import role_keys, stem, term_set, words

FEATURES: tuple[str, ...] = (
    "dense",
    "dense_gap",
    "dense_rank",
    "prev_dense",
    "next_dense",
    "window_dense",
    "lex",
    "lex_gap",
    "lex_words",
    "lex_ctx",
    "prev_lex",
    "role",
    "role_ctx",
    "anaphor",
    "names",
    "names_ctx",
    "type_fit",
    "type_miss",
    "type_ctx",
    "fit_lex",
    "fit_dense",
    "unit_fit",
    "unit_miss",
    "numbers",
    "passage",
    "doc_gap",
    "lead",
    "novelty",
    "heading",
    "short",
    "lower",
    "enumerates",
    "list_enum",
    "list_next_enum",
    "list_count",
    "list_count_prev",
    "cross",
    "cross_dense",
    "cross_lex",
    "cross_names",
)
# Closed class: connectives that give a cause or a purpose.
_CAUSAL = re.compile(
    r"\b(karena|sebab|akibat|sehingga|maka|agar|supaya|lantaran|disebabkan|penyebab\w*|alasan\w*|"
    r"oleh karena itu|because|due to|owing to|as a result|so that|therefore|thus|hence|"
    r"caused?|led to|in order to|reasons?|since)\b",
    re.IGNORECASE,
)
# An enumeration: "a, b, c", "a, b and c" or a colon before items.
_ENUMERATION = re.compile(
    r"(?:[^,;:]+,){2,}|[^,;:]+,[^,;:]+\b(?:dan|and|serta|or|atau)\b|:\s*\S", re.IGNORECASE
)
_END = re.compile(r"[.!?…\"”’)\]]$")
# Closed class: words by which a sentence leans on the one before it.
_ANAPHOR = re.compile(
    r"^(?:\W*\w+\W+){0,2}?(?:ini|itu|tersebut|ia|mereka|beliau|this|that|these|those|such|"
    r"it|they|he|she|its|their)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(words(name))


def _name_in(name: str, text_words: frozenset[str]) -> bool:
    tokens = _name_tokens(name)
    return bool(tokens) and sum(t in text_words for t in tokens) * 2 >= len(tokens)


def names_share(query: Query, text: str) -> float:
    """Share of the question's names that the text names (half their words or more)."""
    return _names_share(query, text_facts(text).words)


def _names_share(query: Query, text_words: frozenset[str]) -> float:
    if not query.names:
        return 0.0
    return sum(_name_in(n, text_words) for n in query.names) / len(query.names)


def type_fit(query: Query, facts: TextFacts, causal: bool = False, same: bool = True) -> bool:
    """Whether a text holds the kind of thing the question asks for, beyond what it states.

    ``same``: the text is in the question's language (a count named by a counting word, "berapa
    *unit* bus", is written without one in the other language: "40 buses").
    """
    expects = query.expects
    if not expects:
        return False
    if expects in ("person", "name", "place"):
        asked = set(words(" ".join(query.names))) | set(query.words)
        named = {"place": facts.places, "person": facts.people}.get(expects, facts.names)
        return any(any(w not in asked for w in name) for name in named)
    if expects == "date":
        if query.wants_day:
            return facts.day
        return any(y not in query.years for y in facts.years) or (facts.date and not facts.years)
    if expects == "duration":
        return facts.duration or (query.asks_length and bool(facts.units & LENGTHS))
    if expects == "reason":
        return causal
    if query.asks_age:
        return facts.age or facts.duration
    found = [f for f in facts.quantities if not facts_match(f, query.numbers)]
    if expects == "quantity" and not query.units & facts.units:
        if query.units & MEASURES:
            return False  # "berapa ton": a number of anything else is no answer
        if query.units & COUNTING and (same or facts.units - COUNTING):
            return False  # "berapa ekor": not a count of something else, a distance or a sum
    if expects == "percent":
        return any(k == "percent" for _, k in found) or facts.fraction
    if expects == "money":
        return any(k == "money" for _, k in found)
    if query.wants_count:  # "how many" wants a count, not a share
        found = [f for f in found if f[1] != "percent"]
    if query.counts_things:  # "how many stations": not "$5 million" or "18.4-kilometre"
        found = [f for f in found if f[1] == "number" and f[0] not in facts.measured]
    return bool(found) or (facts.number_word and not facts.quantities)


@lru_cache(maxsize=65536)
def _shape(text: str) -> tuple[bool, bool, bool, bool, bool]:
    """(enumerates, causal, heading, short, lower-case start) of a sentence."""
    return (
        bool(_ENUMERATION.search(text)),
        bool(_CAUSAL.search(text)),
        text.startswith("#") or not _END.search(text),
        len(words(text)) < 6,
        text[:1].islower(),
    )


class _Window(NamedTuple):
    """What the features read of a sentence and its neighbours, derived once per sentence."""

    facts: TextFacts
    near: tuple[tuple[TextFacts, bool], ...]  # each neighbour's facts, and whether it is causal
    shape: tuple[bool, bool, bool, bool, bool]
    terms: frozenset[str]
    window_terms: frozenset[str]
    prev_terms: frozenset[str]
    words: frozenset[str]
    roles: frozenset[str]
    window_roles: frozenset[str]
    numbers: tuple[Fact, ...]
    counts: frozenset[float]  # whole numbers the sentence states, in words or figures
    counted: frozenset[str]  # stems of the words right after its numbers ("24 *stations*")
    prev_counts: frozenset[float]
    anaphor: bool
    next_enumerates: bool


def _counts(text: str, facts: TextFacts) -> frozenset[float]:
    """Numbers a text states, in words ("three measures") or figures (``facts``: its facts)."""
    return frozenset(
        v for v, kind in (*number_word_facts(text), *facts.numbers) if kind == "number"
    )


def _window(c: Candidate) -> _Window:
    """The candidate's sentence and its neighbours, read once per document sentence."""
    found = c.doc.derived.get(c.i)
    if isinstance(found, _Window):
        return found
    doc, text = c.doc, c.text
    prev, nxt = c.neighbour(-1), c.neighbour(1)
    around = [j for j in (prev, nxt) if j is not None]
    facts = text_facts(text, doc.known_names)
    near = [text_facts(doc.texts[j], doc.known_names) for j in around]
    terms = term_set(text, doc.lang)
    roles = role_keys(text)
    window = _Window(
        facts=facts,
        near=tuple((f, _shape(doc.texts[j])[1]) for f, j in zip(near, around, strict=True)),
        shape=_shape(text),
        terms=terms,
        window_terms=terms.union(*(term_set(doc.texts[j], doc.lang) for j in around)),
        prev_terms=term_set(doc.texts[prev], doc.lang) if prev is not None else frozenset(),
        words=facts.words.union(*(f.words for f in near)),
        roles=roles,
        window_roles=roles.union(*(role_keys(doc.texts[j]) for j in around)),
        numbers=facts.numbers + tuple(x for f in near for x in f.numbers),
        counts=_counts(text, facts),
        counted=term_set(" ".join(counted_words(text)), doc.lang),
        prev_counts=_counts(doc.texts[prev], near[0]) if prev is not None else frozenset(),
        anaphor=bool(_ANAPHOR.search(text)),
        next_enumerates=nxt is not None and _shape(doc.texts[nxt])[0],
    )
    doc.derived[c.i] = window
    return window


def _counts_focus(query: Query, w: _Window, same: bool) -> bool:
    """A quantity question's thing ("how many *stations*") stands right after a number of the
    sentence ("24 stations"); in the question's language only."""
    return same and query.expects == "quantity" and bool(query.focus & w.counted)


def _idf(query: Query, cands: Sequence[Candidate]) -> list[float]:
    n = len(cands)
    own = [_window(c).terms for c in cands]
    out = []
    for group in query.terms:
        df = sum(1 for terms in own if not group.isdisjoint(terms))
        out.append(math.log((n + 1) / (df + 1)) + 1.0)
    return out


def _name_stems(query: Query) -> frozenset[str]:
    """Stems (both languages) of the words of the question's names."""
    return frozenset(stem(w, lang) for w in words(" ".join(query.names)) for lang in ("id", "en"))


class _Coverage:
    """idf-weighted share of the question's words found in a text (minus ``skip`` stems)."""

    def __init__(self, query: Query, idf: list[float], skip: frozenset[str] = frozenset()) -> None:
        self.pairs = [(g, w) for g, w in zip(query.terms, idf, strict=True) if not g & skip]
        self.total = sum(w for _, w in self.pairs)
        self._seen: dict[frozenset[str], float] = {}  # neighbouring windows share sentences

    def __call__(self, text_terms: frozenset[str]) -> float:
        if not self.total:
            return 0.0
        found = self._seen.get(text_terms)
        if found is None:
            found = sum(w for g, w in self.pairs if not g.isdisjoint(text_terms)) / self.total
            self._seen[text_terms] = found
        return found


def _share(asked: frozenset[str], found: frozenset[str]) -> float:
    """Share of the asked roles (or other keys) found; 0 when none is asked."""
    return len(asked & found) / len(asked) if asked else 0.0


def _numbers_ok(query: Query, pool: Sequence[Fact]) -> float:
    if not query.numbers:
        return 0.0
    return sum(facts_match(f, pool) for f in query.numbers) / len(query.numbers)


def featurize(
    query: Query,
    vector: Sequence[float],
    cands: Sequence[Candidate],
    means: Mapping[str, float] | None = None,
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate; sentence similarities less their language's
    mean (:func:`vectorstore.embeddings.language_means`) when ``means`` are given."""
    if not cands:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    q = np.asarray(vector, dtype=np.float32)
    q = q / max(float(np.linalg.norm(q)), 1e-12)
    means = means or {}
    sims: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for doc in {c.doc.doc_id: c.doc for c in cands}.values():
        mean = means.get(doc.lang, 0.0)
        sims[doc.doc_id] = (doc.vectors @ q - mean, doc.window_vectors @ q - mean)
    dense = np.array([float(sims[c.doc.doc_id][0][c.i]) for c in cands], dtype=np.float32)
    order = np.argsort(-dense)
    dense_rank = np.empty(len(cands), dtype=np.float32)
    dense_rank[order] = 1.0 / (1.0 + np.arange(len(cands)))
    top = float(dense.max())
    idf = _idf(query, cands)
    coverage = _Coverage(query, idf)
    lex = [coverage(_window(c).terms) for c in cands]
    top_lex = max(lex)
    doc_top: dict[str, float] = {}
    for c, d in zip(cands, dense, strict=True):
        doc_top[c.doc.doc_id] = max(doc_top.get(c.doc.doc_id, -1.0), float(d))
    asked_terms = frozenset(s for g in query.terms for s in g)
    name_terms = _name_stems(query)
    coverage_without_names = _Coverage(query, idf, name_terms)
    asked_roles = role_keys(query.text)
    fits: dict[tuple[int, bool, bool], bool] = {}  # a sentence is its neighbours' neighbour

    def fits_kind(facts: TextFacts, causal: bool, same: bool) -> bool:
        key = (id(facts), causal, same)
        if key not in fits:
            fits[key] = type_fit(query, facts, causal, same)
        return fits[key]

    rows = []
    for k, c in enumerate(cands):
        own_sims, window_sims = sims[c.doc.doc_id]
        prev, nxt = c.neighbour(-1), c.neighbour(1)
        w = _window(c)
        facts = w.facts
        enumerates, causal, heading, short, lower = w.shape
        same = c.doc.lang == query.lang
        fit = fits_kind(facts, causal, same)
        fit_ctx = fit or any(fits_kind(f, why, same) for f, why in w.near)
        own_terms = w.terms
        novel = (len(own_terms - asked_terms) / len(own_terms)) if own_terms else 0.0
        cross = float(query.lang != c.doc.lang)
        listing = float(query.kind == "list")
        names_ctx = _names_share(query, w.words)
        prev_lex = coverage(w.prev_terms) if prev is not None else 0
        rows.append(
            [
                float(dense[k]),
                float(dense[k]) - top,
                float(dense_rank[k]),
                float(own_sims[prev]) if prev is not None else 0.0,
                float(own_sims[nxt]) if nxt is not None else 0.0,
                float(window_sims[c.i]),
                lex[k],
                lex[k] - top_lex,
                coverage_without_names(own_terms),
                coverage(w.window_terms),
                prev_lex,
                _share(asked_roles, w.roles),
                _share(asked_roles, w.window_roles),
                float(w.anaphor),
                _names_share(query, facts.words),
                names_ctx,
                float(fit),
                float(query.typed and not fit),
                float(query.typed and fit_ctx and not fit),
                float(fit) * lex[k],
                float(fit) * (float(dense[k]) - top),
                float(bool(query.units & facts.units) or _counts_focus(query, w, same)),
                float(bool(query.units) and not query.units & facts.units),
                _numbers_ok(query, w.numbers),
                1.0 / (1.0 + c.rank),
                doc_top[c.doc.doc_id] - top,
                float(c.i <= 2),
                novel,
                float(heading),
                float(short),
                float(lower),
                float(enumerates),
                listing * enumerates,
                listing * w.next_enumerates,
                float(bool(query.count) and query.count in w.counts),
                float(bool(query.count) and query.count in w.prev_counts),
                cross,
                cross * (float(dense[k]) - top),
                cross * lex[k],
                cross * names_ctx,
            ]
        )
    return np.asarray(rows, dtype=np.float32)


ABSTAIN_FEATURES = (
    "best_logit",
    "typed_logit",
    "names_absent",
    "typed",
    "cross",
    "terms_absent",
    "terms_absent_best",
    "years_absent_best",
    "numbers_absent_best",
    "names_absent_best",
    "focus_absent_best",
    "focus_absent",
)
"""What the abstention score weighs: the best sentence's log-odds; for a typed question, the
log-odds of the best sentence holding the asked kind of thing (in it or beside it); the share of
the question's names absent from the retrieved documents; whether the question is typed; whether
the best sentence is in the other language; the share of the question's other words (not names)
found in no candidate, and not in the best sentence's window (both only when question and
sentence share a language); whether a year of the question is missing from the best sentence
and the two either side of it; whether another number or a name of the question is missing
from the best sentence's window; whether the thing a typed question counts, prices or names
("berapa *penduduk*") is missing from the window of the best sentence holding the asked kind of
thing, and from every candidate (both only when question and sentence share a language)."""


_YEAR_REACH = 2  # sentences either side of the best one where a question's year may stand


def _logit(p: float) -> float:
    return math.log(max(p, 1e-6) / max(1.0 - p, 1e-6))


def abstention_features(
    query: Query, cands: Sequence[Candidate], p: np.ndarray, X: np.ndarray, absent: float
) -> list[float]:
    """The values of :data:`ABSTAIN_FEATURES` for one question's scored candidates."""
    best = int(np.argmax(p))
    fits = (X[:, FEATURES.index("type_fit")] > 0) | (X[:, FEATURES.index("type_ctx")] > 0)
    typed_at = int(np.flatnonzero(fits)[np.argmax(p[fits])]) if fits.any() else best
    if query.typed:
        typed_best = float(p[typed_at]) if fits.any() else 0.0
    else:
        typed_best = float(p[best])
    top = cands[best]
    same = float(top.doc.lang == query.lang)
    name_terms = _name_stems(query)
    asked = [g for g in query.terms if not g & name_terms]
    window = _window(top)
    anywhere = frozenset().union(*(_window(c).terms for c in cands))
    doc, at = top.doc, top.i  # a year may be set a little further off ("in 2004, …")
    years = {
        y
        for j in range(max(0, at - _YEAR_REACH), min(len(doc), at + _YEAR_REACH + 1))
        for y in text_facts(doc.texts[j], doc.known_names).years
    }
    focus = query.focus if cands[typed_at].doc.lang == query.lang else frozenset()
    said = [_window(c).terms for c in cands if c.doc.lang == query.lang] if focus else []
    return [
        _logit(float(p[best])),
        _logit(typed_best),
        absent,
        float(query.typed),
        1.0 - same,
        same * _absent_share(asked, anywhere),
        same * _absent_share(asked, window.window_terms),
        float(bool(query.years) and not set(query.years) <= years),
        1.0 - float(X[best, FEATURES.index("numbers")]) if query.numbers else 0.0,
        1.0 - float(X[best, FEATURES.index("names_ctx")]) if query.names else 0.0,
        float(bool(focus) and not focus & _window(cands[typed_at]).window_terms),
        float(bool(focus) and not any(focus & terms for terms in said)),
    ]


def _absent_share(groups: Sequence[frozenset[str]], terms: frozenset[str]) -> float:
    """Share of the question's word groups of which no form occurs in ``terms``."""
    return sum(not g & terms for g in groups) / len(groups) if groups else 0.0
