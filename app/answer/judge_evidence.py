"""What the citation judge finds about one sentence: exact failures and content features.

The sentence and each of its clauses are aligned to the cited passage sentences most similar to
them (multilingual-e5, so a claim may cite a passage in the other language; without an embedder,
shared words). :mod:`app.answer.judge_checks` then checks numbers, names, weekdays and negation
exactly, and the features below measure the content for the fitted model of
:mod:`app.answer.judge_model`:

- ``sim`` / ``part_sim``: similarity of the sentence (its least similar clause) to its best
  passage sentence or adjacent pair;
- ``coverage`` / ``part_coverage``: share of content terms found near the best sentence (same
  language), or of cognates ("infrastructure" ~ "infrastruktur") across languages;
- ``polarity``: how much closer claim and best sentence get when both are denied rather than
  both asserted ("It is not true that ...") — high when one contradicts the other;
- ``gap``: the longest run of content words that no cited passage in the claim's language has
  (an added statement rather than a paraphrased word);
- ``rival``: how much closer it gets when a name of it is replaced by another name the best
  sentence states (a name put in the wrong role);
- ``cross``: 1 when the best sentence is in the other language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from app.answer.claim_text import (
    Unit,
    negated,
    norm,
    read,
    split_clauses,
    title_in,
    without_names,
)
from app.answer.judge_checks import (
    NO_PREMISE,
    Alignment,
    Failure,
    Premise,
    check_direction,
    check_names,
    check_negation,
    check_numbers,
    check_prefix_negation,
    check_presence,
    check_restriction,
    check_roles,
    check_slots,
    check_swaps,
    fact_sources,
)
from app.answer.judge_vectors import Vectors
from app.answer.markers import ATTRIBUTION, plain
from ingest.names import known_names, name_occurs, name_words
from ingest.numbers import Fact, counts_one
from ingest.terms import (
    cognate_keys,
    cognate_set,
    common_word,
    is_content,
    own_word,
    stem,
    term_set,
    words,
)
from ingest.text import detect_language, sentence_spans

FEATURES = (
    "sim",
    "part_sim",
    "coverage",
    "part_coverage",
    "gap",
    "polarity",
    "rival",
    "cross",
)
# Closed class: frames asserting / denying a statement, for the polarity probe.
_FRAMES = {
    "en": ("It is true that ", "It is not true that "),
    "id": ("Benar bahwa ", "Tidak benar bahwa "),
}


@dataclass(frozen=True)
class Params:
    """Settings of the evidence itself (chosen by :mod:`app.fitting.judge_fit`)."""

    min_clause_words: int = 3  # content words a clause needs to be judged on its own
    name_sim: float = 0.9  # a name ↔ its translation in the passage ("query:" role)
    word_sim: float = 0.85  # a word of a name ↔ its translation in a name of the passage
    translation_sim: float = 0.85  # the same for a word of the claim's own language only


@dataclass
class Evidence:
    """The failures of the exact checks and the content features of one sentence."""

    verbatim: bool = False
    failures: list[Failure] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)


def _blind(claim: Unit) -> Unit:
    """The claim without its names, to find where its content is without them."""
    text = without_names(claim.text, claim.names)
    return Unit(text, claim.lang, [], claim.facts, part=claim.part)


def _segments(unit: Unit) -> list[str]:
    """The clauses of a passage sentence (two content words or more each)."""
    return split_clauses(unit.text, unit.lang, unit.names, 2)


def _counted(facts: list[tuple[str, Fact]], text: str) -> list[tuple[str, Fact]]:
    """The numbers of a claim, less "one"/"satu" as the pronoun of "one of them" (kept where
    it counts a time unit: "one week")."""
    return facts if counts_one(text) else [(w, f) for w, f in facts if f[0] != 1]


_OPENING = re.compile(r"^\W*([A-Z][^\W\d_]+)")


def _rare_opening(text: str, lang: str) -> set[str]:
    """The claim's first word when it is capitalized and rare in its language: a name the
    passages may not know ("Dunmore's council voted …"), which must be checked as one."""
    match = _OPENING.match(text)
    if not match:
        return set()
    word = match.group(1).lower()
    return {word} if is_content(word, lang) and not common_word(word, lang) else set()


def _frame(text: str, lang: str, deny: bool) -> str:
    return _FRAMES[lang][deny] + text[:1].lower() + text[1:]


class Gatherer:
    """Collects the evidence of sentences against the passages they cite."""

    def __init__(self, vectors: Vectors, params: Params) -> None:
        self.vectors = vectors
        self.params = params

    def evidence(
        self, sentence: str, passages: Sequence[str], premise: Premise = NO_PREMISE
    ) -> Evidence:
        """The checks and features of ``sentence`` (markers ignored) against ``passages``;
        a number or name the question states (``premise``) is not checked as the claim's own."""
        text = plain(sentence)
        if not text or any(norm(text) in norm(p) for p in passages):
            return Evidence(verbatim=True)
        known = known_names(passages)
        units = [
            read(p[a:b], detect_language(p), known, k)
            for k, p in enumerate(passages)
            for a, b in sentence_spans(p)
        ]
        if not units:
            return Evidence(failures=[("no passage text", text)])
        whole, parts = self._claim(text, passages, known)
        pairs = [
            (i, i + 1) for i in range(len(units) - 1) if units[i].passage == units[i + 1].passage
        ]
        texts = [u.text for u in units] + [f"{units[i].text} {units[j].text}" for i, j in pairs]
        blind = [_blind(c) for c in parts if c.names]
        if self.vectors.dense:  # all but the best sentence's framings, in one call
            self.vectors.prepare(
                [whole.text, *(p.text for p in parts), *(b.text for b in blind), *texts]
                + [_frame(whole.text, whole.lang, d) for d in (False, True)]
                + [s for u in units for s in _segments(u) if s != u.text]
            )
        aligned = [self._align(c, units, pairs, texts) for c in [whole, *parts]]
        ev = Evidence()
        ev.failures += check_presence(whole, units, self._named, premise)
        unnamed = [self._align(b, units, pairs, texts) for b in blind]  # names can't pull a clause
        ev.failures += check_names([aligned[0], *unnamed], whole, units, self._named, premise)
        clauses = list(zip([c for c in parts if c.names], unnamed, strict=True))
        ev.failures += check_swaps(clauses, units, self._named)
        checked = aligned[1:] if parts else aligned
        # a clause with no negation of its own ("Akibat ombak setinggi 3 meter, …") shares the
        # negation of another clause resting on the same sentence
        denied = {al.best for al in checked if negated(al.claim.text)}
        for al in checked:
            cross = units[al.best].lang != al.claim.lang
            sources = fact_sources(al, units)
            ev.failures += check_numbers(al, whole, units, premise, sources)
            ev.failures += check_slots(al, whole, units, cross)
            for source in [al, *(self._at(al, j, units) for j in sources)]:
                segment = self._segment(source)
                ev.failures += check_negation(source, units, segment, source.best in denied)
                ev.failures += check_direction(source, units, segment)
                ev.failures += check_restriction(source, units, segment)
            ev.failures += check_roles(al, units)
            ev.failures += check_prefix_negation(al, units)
        ev.features = self._features(aligned, units)
        return ev

    # ------------------------------------------------------------ reading

    def _claim(self, text: str, passages: Sequence[str], known: frozenset[str]) -> tuple:
        """The sentence and its clauses (none when it has only one)."""
        capitalized = {w.lower() for p in passages for w in re.findall(r"\b[A-Z][^\W\d_]+", p)}
        lower = {w for p in passages for w in re.findall(r"\b[a-z][^\W\d_]*", p)}
        lang = detect_language(text)
        seen = known | name_words(text) | (capitalized - lower)  # a claim may open with a name
        if any(detect_language(p) == lang for p in passages):  # across, a noun may be rare
            seen |= _rare_opening(text, lang)
        whole = read(text, lang, frozenset(seen))
        whole.facts = _counted(whole.facts, text)
        clauses = split_clauses(text, whole.lang, whole.names, self.params.min_clause_words)
        if len(clauses) < 2:
            return whole, []
        parts = []
        for c in clauses:
            part = read(c, whole.lang, frozenset(seen))
            part.names = [n for n in whole.names if n in c]
            part.facts = _counted(part.facts, c)
            part.part = True
            parts.append(part)
        for k, part in enumerate(parts):  # a clause with numbers but no name: the last name
            donors = [p for p in parts[:k][::-1] + parts[k + 1 :] if p.names]
            if part.facts and not part.names and donors:
                part.names = list(donors[0].names)
        return whole, parts

    def _named(self, name: str, units: Sequence[Unit], lang: str) -> bool:
        """The name occurs in ``units`` (inflected, abbreviated or as a title), every word of it
        has a cognate there, or — across languages — it translates a name there: wholly
        ("Amerika Serikat" ~ "United States") or word by word ("Sungai Sella" ~ "Sella River")."""
        text = " ".join(u.text for u in units)
        if name_occurs(name, text) or title_in(text, name):
            return True
        # Cognates stand for a name's words only across languages: within one language a
        # different spelling is a different name ("Sumberagung" is not "Sumberlangit").
        have = cognate_set(" ".join(u.text for u in units if u.lang != lang))
        distinct = [w for w in words(name) if is_content(w)]
        missing = [w for w in distinct if not name_occurs(w, text) and not cognate_keys(w) & have]
        if not missing:
            return True
        foreign = [n for u in units if u.lang != lang for n in u.names]
        if not self.vectors.dense or not foreign:
            return False
        if len(missing) == len(distinct) and self._close(name, foreign) >= self.params.name_sim:
            return True
        spare = [w for n in foreign for w in words(n) if not name_occurs(w, name)]
        partial = len(missing) < len(distinct)
        return bool(spare) and all(self._translates(w, spare, lang, partial) for w in missing)

    def _translates(self, word: str, spare: Sequence[str], lang: str, partial: bool) -> bool:
        """A missing word of a name stands for a word of a name in the passage: a word of the
        claim's own language ("Islands" for "Kepulauan") when it is close to one; any other
        word ("Google", "Bangkok") only beside a word of the name that occurs, and closer. A
        common word of the passage's own language ("Merah" in an English claim) is no
        translation: the passage would write it as it is."""
        if own_word(word, "en" if lang == "id" else "id"):
            return False
        if own_word(word, lang):
            return self._close(word, spare) >= self.params.translation_sim
        return partial and self._close(word, spare) >= self.params.word_sim

    def _close(self, name: str, others: Sequence[str]) -> float:
        """The highest similarity of ``name`` to one of ``others`` (both as queries)."""
        vecs = self.vectors.get([name, *others], role="query")
        return float((vecs[1:] @ vecs[0]).max())

    # ------------------------------------------------------------ alignment

    def _align(
        self, claim: Unit, units: Sequence[Unit], pairs: list[tuple[int, int]], texts: list[str]
    ) -> Alignment:
        sims = self.vectors.sims(claim.text, texts)
        n = len(units)
        i = int(np.argmax(sims[:n]))
        k = int(np.argmax(sims[n:])) if pairs else -1
        span = pairs[k] if pairs and sims[n + k] > sims[i] else (i, i)
        region: list[int] = []
        for p in dict.fromkeys(u.passage for u in units):  # the best of each cited passage
            idx = [j for j in range(n) if units[j].passage == p]
            top = i if p == units[i].passage else max(idx, key=lambda j: sims[j])
            near = [j for j in (top - 1, top + 1) if j in idx]
            region += [top] + ([max(near, key=lambda j: sims[j])] if near else [])
        segments = self._clauses(units[i], units)
        sentences = tuple(float(s) for s in sims[:n])
        return Alignment(claim, i, span, region, float(sims.max()), segments, sentences)

    def _at(self, al: Alignment, j: int, units: Sequence[Unit]) -> Alignment:
        """The claim aligned to sentence ``j``: a sentence a number of it is taken from must
        agree with it too (not negated, not the other way)."""
        return replace(al, best=j, span=(j, j), segments=self._clauses(units[j], units))

    def _clauses(self, best: Unit, units: Sequence[Unit]) -> list[Unit]:
        known = frozenset(w.lower() for u in units for n in u.names for w in n.split())
        return [read(s, best.lang, known) for s in _segments(best)]

    def _segment(self, al: Alignment) -> Unit | None:
        """The clause of the best sentence that matches the claim best (None if only one)."""
        if len(al.segments) < 2:
            return None
        sims = self.vectors.sims(al.claim.text, [s.text for s in al.segments])
        return al.segments[int(np.argmax(sims))]

    # ------------------------------------------------------------ features

    def _features(self, aligned: list[Alignment], units: Sequence[Unit]) -> dict[str, float]:
        """The content features (see the module docstring); probes only with an embedder."""
        whole = aligned[0]
        best = units[whole.best]
        parts = aligned[1:] or aligned
        covs = [self._coverage(al, units) for al in aligned]
        out = {
            "sim": whole.sim,
            "part_sim": min(al.sim for al in parts),
            "coverage": covs[0],
            "part_coverage": min(covs[1:] or covs),
            "gap": self._gap(whole.claim, units),
            "polarity": 0.0,
            "rival": 0.0,
            "cross": float(best.lang != whole.claim.lang),
        }
        if not self.vectors.dense:
            return out
        c, b = whole.claim, best
        v = self.vectors.get([_frame(c.text, c.lang, d) for d in (False, True)]
                             + [_frame(b.text, b.lang, d) for d in (False, True)])  # fmt: skip
        out["polarity"] = float(v[1] @ v[3] - v[0] @ v[2])
        out["rival"] = self._rival(c, b)
        return out

    def _coverage(self, al: Alignment, units: Sequence[Unit]) -> float:
        """Share of the claim's content terms (names, numbers, attribution aside) found in its
        span and region; across languages, the share of its cognates."""
        claim = al.claim
        near = [units[j] for j in al.support]
        name_part = {x for n in claim.names for x in words(n)}
        content = [
            w
            for w in words(claim.text)
            if w[0].isalpha() and is_content(w, claim.lang)
            and w not in ATTRIBUTION and w not in name_part
        ]  # fmt: skip
        if units[al.best].lang != claim.lang:
            have_keys = frozenset().union(*(cognate_set(u.text) for u in near))
            keyed = [w for w in content if cognate_keys(w)]
            found = [bool(cognate_keys(w) & have_keys) for w in keyed]
            return sum(found) / len(found) if found else 1.0
        wanted = {stem(w, claim.lang) for w in content}
        have = frozenset().union(*(term_set(u.text, u.lang) for u in near))
        return len(wanted & have) / len(wanted) if wanted else 1.0

    def _gap(self, claim: Unit, units: Sequence[Unit]) -> float:
        """The longest run of the claim's content words (function words aside) that no cited
        passage in its language has: an added statement, rather than a word paraphrased."""
        have = frozenset().union(*(term_set(u.text, u.lang) for u in units if u.lang == claim.lang))
        if not have:
            return 0.0
        names = {x for n in claim.names for x in words(n)}
        run = longest = 0
        for w in words(claim.text):
            if not is_content(w, claim.lang) or w in ATTRIBUTION:
                continue
            found = w in names or not w[0].isalpha() or stem(w, claim.lang) in have
            run = 0 if found else run + 1
            longest = max(longest, run)
        return float(longest)

    def _rival(self, claim: Unit, best: Unit) -> float:
        """The largest rise in similarity to the best sentence when a name of the claim is
        replaced by a name of the best sentence that the claim does not state."""
        rivals = [r for r in best.names if not name_occurs(r, claim.text, partial=True)]
        variants = [claim.text.replace(n, r) for n in claim.names for r in rivals]
        if not variants:
            return 0.0
        sims = self.vectors.get([best.text, claim.text, *variants])
        return float((sims[2:] @ sims[0]).max() - sims[1] @ sims[0])
