"""Exact checks of the citation judge: numbers, names, weekdays and negation.

Each check looks at a claim (the sentence, or one of its clauses) and its *alignment*: the cited
passage sentence most similar to it (the best sentence), the adjacent pair when that matches
better (the span), and the best sentence's closer neighbour (the region). A failure is a
``(reason, item)`` pair; any failure makes the sentence unsupported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.answer.claim_text import (
    Unit,
    counted,
    directions,
    forbids,
    negated,
    restricted,
    slot,
    slot_rival,
)
from ingest.names import name_occurs, proper_names
from ingest.numbers import (
    BRACKET_DAY,
    NUMBER_WORD,
    NUMERIC_DAY,
    Fact,
    all_number_mentions,
    canonical_unit,
    durations,
    facts_match,
    is_ordinal,
    is_year,
    number_word_facts,
    same_duration,
)
from ingest.terms import role_keys, term_set, words

Failure = tuple[str, str]
NameMatch = Callable[[str, Sequence[Unit], str], bool]  # (name, units, claim language)


@dataclass(frozen=True)
class Premise:
    """The numbers and names the question itself states. An answer that restates one ("In 2023
    the world was 1.5°C hotter" for "How hot was the world in 2023?", "Persikal's fans demanded
    …" for "What did Persikal's fans demand?") asserts nothing new with it: it need only be in
    the cited passages, not beside the claim's content; a name, only while the sentences the
    claim aligns to name no one else (:func:`check_names`)."""

    values: tuple[Fact, ...] = ()
    names: tuple[str, ...] = ()
    titled: tuple[str, ...] = ()
    """Names of the question that a cited article's title states: the article is about them,
    so an answer may name them where its passage, past the article's opening, no longer does
    ("Port X's council voted …" for "The council voted …")."""

    @classmethod
    def of(cls, question: str, titles: Sequence[str] = ()) -> Premise:
        """The premise of ``question``, whose answer cites articles with these ``titles``."""
        names = tuple(proper_names(question))
        titled = tuple(n for n in names if any(name_occurs(n, t) for t in titles))
        return cls(tuple(f for _, f in all_number_mentions(question)), names, titled)


NO_PREMISE = Premise()  # judging a sentence on its own


@dataclass
class Alignment:
    """Where a claim sits in the cited passages."""

    claim: Unit
    best: int  # index of the best sentence
    span: tuple[int, int]  # the best sentence, or the adjacent pair that matches better
    region: list[int]  # best sentence and its closer neighbour, per cited passage
    sim: float  # best similarity to a sentence or pair
    segments: list[Unit]  # clauses of the best sentence
    sims: tuple[float, ...] = ()  # similarity to each sentence

    @property
    def support(self) -> list[int]:
        """The region and the span together, in order: where the claim's support may be."""
        return list(dict.fromkeys([*self.region, *range(self.span[0], self.span[1] + 1)]))


# A date written in figures ("(8/6/2025)", "Selasa (9/4)"): its parts are no quantity a claim
# could swap.
_NUMERIC_DATE = re.compile(rf"\b{NUMERIC_DAY}\b|{BRACKET_DAY}")


def _sort(written: str, fact: Fact, text: str) -> str:
    """What a number is: a year, or its kind (a percentage, money, a count) with the unit
    written after it in ``text`` ("14 meter" is no rival of "1.200 tahun")."""
    if is_year(written, fact):
        return "year"
    after = re.search(rf"(?<![\w.,]){re.escape(written)}\s*([^\W\d_]+)", text)
    unit = canonical_unit(after.group(1)) if after else None
    return f"{fact[1]}:{unit}" if unit else fact[1]


_BESIDE = 4  # words either side of a number that are its own


def _near(text: str, written: str, fact: Fact) -> str:
    """The :data:`_BESIDE` words either side of a number in ``text`` (written in figures as
    ``written``, or in words: "dua tahun")."""
    tokens = list(re.finditer(r"\S+", text))
    figures = re.search(rf"(?<![\w.,]){re.escape(written)}(?![\w])", text)  # not "2" in "Rp27"
    at = figures.start() if figures else -1
    found = [k for k, t in enumerate(tokens) if t.start() <= at < t.end()] if at >= 0 else []
    if not found:  # written in words: the first word that starts a run of that value
        found = [
            k
            for k, t in enumerate(tokens)
            if NUMBER_WORD.match(t.group())
            and facts_match(fact, number_word_facts(" ".join(x.group() for x in tokens[k : k + 3])))
        ]
    if not found:
        return ""
    k, n = found[0], len(written.split()) if at >= 0 else 1
    near = tokens[max(0, k - _BESIDE) : k] + tokens[k + n : k + n + _BESIDE]
    return " ".join(t.group() for t in near)


# Closed class: personal pronouns, by which a sentence points at the nearest name before it.
_PRONOUN = re.compile(
    r"\b(?:ia|dia|mereka|beliau|it|its|he|his|him|she|her|they|their|them)\b", re.I
)


_CLOSE = 0.06  # how much less similar than the best sentence or pair a number's source may be


def fact_sources(al: Alignment, units: Sequence[Unit]) -> list[int]:
    """Sentences outside the support region that a number of the claim is taken from: one in a
    cited passage that states the number and every name the claim puts beside it ("…
    menghanguskan 78 kios di Pasar X" where the rest of the claim comes from another sentence),
    and either, in the claim's language, a word the claim puts beside it, or — in any language,
    when the support region states no number of its kind — nearly the best similarity to the
    claim ("an 18 percent increase" for "up 18 percent", while the best sentence is about
    parking spaces). A claim may join facts from anywhere in a passage; a number lifted from
    another context, or given to another name, shares no words with its sentence there, names
    what that sentence does not, or stands where the region gives another number of its kind."""
    region = [f for j in al.region for f in units[j].values]
    out: list[int] = []
    for written, fact in al.claim.facts:
        if facts_match(fact, region):
            continue
        rival = any(f[1] == fact[1] for f in region)  # "21 beds" where it says "24 beds"
        near = _near(al.claim.text, written, fact)
        mine = frozenset(t for t in term_set(near, al.claim.lang) if t[0].isalpha())
        spoken = set(re.findall(r"[\w'’.-]+", near))
        names = [n for n in al.claim.names if any(w in spoken for w in n.split())]
        for j, u in enumerate(units):
            if j in al.region or j in out:
                continue
            close = not rival and bool(al.sims) and al.sims[j] >= al.sim - _CLOSE
            worded = u.lang == al.claim.lang and bool(mine & term_set(u.text, u.lang))
            if (
                facts_match(fact, u.values)
                and (worded or close)
                and all(name_occurs(n, u.text, partial=True) for n in names)
            ):
                out.append(j)
    return out


def check_numbers(
    al: Alignment,
    whole: Unit,
    units: Sequence[Unit],
    premise: Premise = NO_PREMISE,
    sources: Sequence[int] = (),
) -> list[Failure]:
    """Each number in the support region (or in ``sources``, sentences it is taken from: see
    :func:`fact_sources`), not one where the best sentence states another of its sort (a year,
    a percentage, money, a count; a date in figures, a rank and a number the claim writes too
    aside), and not one put where the best sentence gives another number of the same thing. A
    length of time may be stated in another unit ("18 months" for "a year and a half"). A
    number of the question's premise need only be in the cited passages."""
    best = units[al.best]
    region = [f for j in al.region for f in units[j].values]
    taken = [f for j in sources for f in units[j].values]
    plain = _NUMERIC_DATE.sub(" ", best.text)
    claimed = [f for _, f in all_number_mentions(_NUMERIC_DATE.sub(" ", whole.text))]
    other = {  # a number the claim writes too ("3-1"), or a rank ("fourth"), is no rival
        _sort(w, f, plain)
        for w, f in all_number_mentions(plain)
        if not facts_match(f, whole.values) and not facts_match(f, claimed) and not is_ordinal(w)
    }
    out: list[Failure] = []
    for written, fact in al.claim.facts:
        if facts_match(fact, premise.values):
            if not any(facts_match(fact, u.values) for u in units):
                out.append(("number not in the cited passages", written))
        elif not facts_match(fact, region):
            spans = [days for j in al.region for _, days in durations(units[j].text)]
            if not facts_match(fact, taken) and not same_duration(fact, al.claim.text, spans):
                out.append(("number not in the support region", written))
        elif _sort(written, fact, al.claim.text) in other and not facts_match(fact, best.values):
            out.append(("the best sentence states another number", written))
    if best.lang == al.claim.lang:  # "300,000 applications" where it says "50,000 applications"
        theirs = counted(best.text, best.lang)
        for written, fact, noun in counted(al.claim.text, al.claim.lang):
            same = [f for _, f, n in theirs if n == noun]
            if same and not facts_match(fact, same):
                out.append(("the best sentence counts this with another number", written))
    return out


def check_presence(
    whole: Unit, units: Sequence[Unit], named: NameMatch, premise: Premise = NO_PREMISE
) -> list[Failure]:
    """Every name, weekday and month of the claim occurs in the cited passages (a name of the
    question that a cited article's title states, in its article: see :class:`Premise`)."""
    out: list[Failure] = [
        ("name not in the cited passages", name)
        for name in whole.names
        if not named(name, units, whole.lang)
        and not any(_same(name, titled) for titled in premise.titled)
    ]
    days = frozenset().union(*(u.days for u in units))
    if whole.days - days:
        out.append(("weekday not in the cited passages", whole.text))
    if whole.months - frozenset().union(*(u.months for u in units)):
        out.append(("month not in the cited passages", whole.text))
    return out


def context(al: Alignment, units: Sequence[Unit], claim_names: Sequence[str]) -> list[Unit]:
    """Where the claim's names may be: the span, and — when the best sentence names no one
    the claim leaves out — the nearest sentences naming anyone before and after it (the
    antecedent of "its" / "ia", and the sentence that names who "the team" / "pemiliknya" is)."""
    best = units[al.best]
    span = [units[j] for j in range(al.span[0], al.span[1] + 1)]
    if any(_strangers(u, claim_names) for u in _content(al, units)):
        return span

    def naming(u: Unit) -> bool:
        return u.passage == best.passage and bool(_topics(u))

    earlier = [u for u in units[: min(al.best, al.span[0])] if naming(u)]
    later = [u for u in units[max(al.best, al.span[1]) + 1 :] if naming(u)]
    return [*earlier[-1:], *span, *later[:1]]


def lede(al: Alignment, units: Sequence[Unit], claim_names: Sequence[str]) -> Unit | None:
    """The first sentence of the best sentence's passage, when it names anyone and comes
    before the nearest earlier sentence that does, and the sentences holding the claim's
    content (:func:`_content`) name no one the claim leaves out and have no pronoun pointing
    back at that nearest name: a paragraph's lede names what it is about ("The fans demanded
    …" are its club's fans)."""
    best = units[al.best]
    content = _content(al, units)
    start = next(k for k, u in enumerate(units) if u.passage == best.passage)
    end = al.span[0]  # where the content starts: a best sentence inside the span is not before
    first = units[start]
    if start >= end or not _topics(first) or any(_points_back(u) for u in content):
        return None
    if any(_strangers(u, claim_names) for u in content):
        return None
    return first if any(_topics(u) for u in units[start + 1 : end]) else None


def _content(al: Alignment, units: Sequence[Unit]) -> list[Unit]:
    """Where the claim's content sits: its best sentence, or — when a pair of other sentences
    matches it better than that sentence alone — the pair."""
    if al.span[0] <= al.best <= al.span[1]:
        return [units[al.best]]
    return [units[j] for j in range(al.span[0], al.span[1] + 1)]


def _points_back(unit: Unit) -> bool:
    """A pronoun of ``unit`` comes before any name it states, so it points at a name of an
    earlier sentence ("It expected …"), not at its own subject ("NorthGrid said it …")."""
    found = _PRONOUN.search(unit.text)
    if found is None:
        return False
    named_at = [unit.text.find(n) for n in _topics(unit)]
    return not any(0 <= at < found.start() for at in named_at)


def _topics(unit: Unit) -> list[str]:
    """The names ``unit`` states, dates aside."""
    return [n for n in unit.names if not any(c.isdigit() for c in n)]


def _in_anothers_place(name: str, claim: str, best: str, first: Unit) -> bool:
    """The best sentence holds, where the claim puts ``name``, a word of another name of the
    lede ("Pemerintah *desa*" for "Pemerintah Pulau X" when the lede names Desa Y too)."""
    gap = slot(claim, name, best) or []
    others = {w for n in _topics(first) if not _same(n, name) for w in words(n)}
    return any(w in others for w in gap)


def _strangers(unit: Unit, claim_names: Sequence[str]) -> list[str]:
    """The names ``unit`` states that the claim does not."""
    return [n for n in unit.names if not any(_same(n, m) for m in claim_names)]


def _same(a: str, b: str) -> bool:
    return name_occurs(a, b, partial=True) or name_occurs(b, a, partial=True)


def check_names(
    aligned: Sequence[Alignment],
    whole: Unit,
    units: Sequence[Unit],
    named: NameMatch,
    premise: Premise = NO_PREMISE,
) -> list[Failure]:
    """Each name of the claim in the context of the sentence or of one of its clauses. A name
    the question states (``premise``) need only be in the cited passages when the sentences
    the claim aligns to name no one the claim does not ("the fans demanded …"): where they
    name another ("fans of X demanded …"), the fact is X's."""
    pools = [context(al, units, whole.names) for al in aligned]
    ledes = [(al, lede(al, units, whole.names)) for al in aligned]
    unnamed = not any(_strangers(units[al.best], whole.names) for al in aligned)

    def in_lede(name: str) -> bool:
        return any(
            first is not None
            and named(name, [first], whole.lang)
            and not _in_anothers_place(name, whole.text, units[al.best].text, first)
            for al, first in ledes
        )

    return [
        ("name not where the claim's content is", name)
        for name in whole.names
        if not (unnamed and any(_same(name, asked) for asked in premise.names))
        and not any(named(name, pool, whole.lang) for pool in pools)
        and not in_lede(name)
    ]


def check_swaps(
    clauses: Sequence[tuple[Unit, Alignment]], units: Sequence[Unit], named: NameMatch
) -> list[Failure]:
    """No two clauses whose names are swapped ("A expects X, while B expects Y" where the
    passage says "B expects X" and "A expects Y"). Each clause with a name and a number is
    placed at the one sentence that states its numbers (where its content sits once its names
    are left out, if several do); two clauses fail when each finds there, in place of its own
    names, a name of the other."""

    def home(clause: Unit, at: Alignment) -> Unit | None:
        if not clause.facts:
            return None
        holding = [
            k for k, u in enumerate(units) if all(facts_match(f, u.values) for f in clause.values)
        ]
        if len(holding) == 1:
            return units[holding[0]]
        return units[at.best] if at.best in holding else None

    def taken(mine: Unit, there: Unit | None, theirs: Unit) -> bool:
        return (
            there is not None
            and not any(named(n, [there], mine.lang) for n in mine.names)
            and any(named(n, [there], mine.lang) for n in theirs.names)
        )

    homes = [(clause, home(clause, at)) for clause, at in clauses]
    return [
        ("the passage gives this to another name of the claim", a.names[0])
        for k, (a, there_a) in enumerate(homes)
        for b, there_b in homes[k + 1 :]
        if taken(a, there_a, b) and taken(b, there_b, a)
    ]


def check_slots(al: Alignment, whole: Unit, units: Sequence[Unit], cross: bool) -> list[Failure]:
    """No name swapped for the one the best sentence states in its place, nor paired with
    the fact the best sentence gives someone else ("A for X, B for Y" read as "A for Y")."""
    best = units[al.best]
    out: list[Failure] = []
    for name in al.claim.names:
        if cross or name_occurs(name, best.text):
            continue
        # The words of the name the best sentence lacks ("Kecamatan X" where it says
        # "Kecamatan Y": the slot is X's).
        rest = [w for w in name.split() if not name_occurs(w, best.text)]
        if rest and (rival := slot_rival(al.claim.text, " ".join(rest), best.text)):
            out.append(("the best sentence names another in this place", rival))
    if len(al.segments) < 2:
        return out
    for _, fact in al.claim.facts:
        at = [s for s in al.segments if facts_match(fact, s.values)]
        for name in al.claim.names:
            holds = [s for s in al.segments if name_occurs(name, s.text, partial=True)]
            if not at or not holds or any(s in holds for s in at):
                continue
            alien = any(not name_occurs(n, whole.text, True) for s in at for n in s.names)
            paired = any(not facts_match(f, whole.values) for s in holds for f in s.values)
            if alien and paired:
                out.append(("the passage pairs the name with another fact", name))
    return out


def check_negation(
    al: Alignment, units: Sequence[Unit], segment: Unit | None, shared: bool = False
) -> list[Failure]:
    """The claim is negated exactly when the matching clause of the best sentence is (across
    languages only a negated claim is checked: a translation may lose a negation word, but
    not a ban: "melarang" never becomes "allows"). ``shared``: another clause of the claim
    resting on the same sentence is negated, and this one takes its negation."""
    best = units[al.best]
    theirs = negated((segment or best).text)
    mine = negated(al.claim.text) or (shared and theirs)
    if mine != theirs and (best.lang == al.claim.lang or mine):
        return [("negation differs from the passage", al.claim.text)]
    banned = forbids((segment or best).text) and not forbids(al.claim.text)
    if banned and not mine:  # a ban keeps its words in translation
        return [("the passage states a ban the claim does not", al.claim.text)]
    return []


def check_restriction(al: Alignment, units: Sequence[Unit], segment: Unit | None) -> list[Failure]:
    """A claim denying a restriction ("not only X") where the matching clause of the best
    sentence states it ("only X"), or the other way round, in either language."""
    mine, theirs = restricted(al.claim.text), restricted((segment or units[al.best]).text)
    if mine and theirs and mine != theirs:
        return [("the passage states the opposite restriction", al.claim.text)]
    return []


def check_direction(al: Alignment, units: Sequence[Unit], segment: Unit | None) -> list[Failure]:
    """A rise where the matching clause of the best sentence (or, silent on that scale, the
    sentence) states a fall (more for fewer, a win for a loss, a yes for a no, the same for
    different), in either language; a negation flips the side."""
    # the clause that matches the claim, then the whole sentence for a scale that clause is
    # silent on (the clause matched may be the one before "naik 12 persen")
    read = [(u, directions(u.text)) for u in (segment, units[al.best]) if u is not None]
    for axis, sides in directions(al.claim.text).items():
        best, theirs = next(((u, d) for u, d in read if axis in d), (None, {}))
        if best is None:
            continue
        other = theirs[axis]
        flip = negated(al.claim.text) != negated(best.text)
        if not (sides & other if not flip else sides & {-s for s in other}):
            return [("the passage states the opposite direction", al.claim.text)]
    return []


# A word negated by its prefix ("nontunai", "non-cash"); not "nonetheless", "nonstop".
_NON = re.compile(r"(?i)\bnon-?(?!etheless|stop|sense)([^\W\d_]{4,})")


def _prefix_negated(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words of a text, and the words it negates by prefix ("nontunai" -> "tunai")."""
    negated = frozenset(m.group(1).lower() for m in _NON.finditer(text))
    return frozenset(w.lower() for w in words(text)), negated


def check_prefix_negation(al: Alignment, units: Sequence[Unit]) -> list[Failure]:
    """A word the claim states bare where its support region negates it by prefix ("tunai"
    against "nontunai"), or the other way round: only that word, whatever the clause says."""
    mine, mine_non = _prefix_negated(al.claim.text)
    region = " ".join(units[j].text for j in al.support)
    theirs, theirs_non = _prefix_negated(region)
    flipped = (theirs_non & mine) - mine_non or (mine_non & theirs) - theirs_non
    return [("the passage negates the word", w) for w in sorted(flipped)]


# Roles too loose to tell apart across a paraphrase ("led by chemist X" ~ "ahli kimia X").
_GENERIC_ROLES = frozenset({"lead", "expert", "researcher"})


def check_roles(al: Alignment, units: Sequence[Unit]) -> list[Failure]:
    """A role the claim gives ("chief executive", "ketua") that its support region does not,
    where the region gives roles of its own ("president"): in either language."""
    mine = role_keys(al.claim.text) - _GENERIC_ROLES
    if not mine:
        return []
    theirs = frozenset().union(*(role_keys(units[j].text) for j in al.support)) - _GENERIC_ROLES
    if theirs and not mine <= theirs:
        return [("the passage gives another role", al.claim.text)]
    return []
