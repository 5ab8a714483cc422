"""Proper names in text: capitalized runs, acronyms and CamelCase words, and where they occur.

Generic: a name is told by how it is written (capitals mid-sentence, acronyms), never by a list
of known names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

from ingest.numbers import MONTH_WORD, TIME_ZONES, weekday
from ingest.terms import all_stopwords
from ingest.text import ABBREVIATIONS, ends_with_abbreviation

_NAME_WORD = re.compile(r"[^\W\d_][\w&'’.-]*", re.UNICODE)
_START_GAP = re.compile(r"(?:^|[.!?:;]\s*|[“\"(*‘'#]\s*)$")
# Currency codes, alone or written against their amount ("Rp3,1", "USD5").
_CURRENCY_AMOUNT = re.compile(r"(?:usd|idr|rp|eur|gbp)[\d.,]*")


# Closed class: title acronyms and the words they abbreviate ("CEO" ~ "chief executive"): a
# role, not a name.
TITLE_ACRONYMS = {
    "ceo": "chief executive",
    "cfo": "chief financial",
    "coo": "chief operating",
    "cto": "chief technology",
}


# Closed class: abbreviated legal forms that open a company's name ("PT Tanjung Sagara", "PT
# TSM"): part of the name, not a name of their own.
ENTITY_FORMS = frozenset({"pt", "cv", "ud"})


def is_acronym(word: str) -> bool:
    """All capitals, at least two letters: AMD, CEO, WHO."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _camel(word: str) -> bool:
    return any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)


def _clean(word: str) -> str:
    word = re.sub(r"['’]s$", "", word).rstrip(".'’-")
    head, _, tail = word.partition("-")
    return head if tail and tail.islower() else word  # "AI-related" -> "AI"


def _is_name_word(word: str, at_start: bool, known: frozenset[str]) -> bool:
    if not word or not word[0].isupper():
        return False
    low = word.lower()
    if _CURRENCY_AMOUNT.fullmatch(low) or MONTH_WORD.fullmatch(word):
        return False  # "Rp3,1 juta" is an amount
    if low in ABBREVIATIONS and not is_acronym(word):  # "Dr." is a title, "NY" an acronym
        return False
    if weekday(low) is not None or low in TIME_ZONES:  # "on Sundays", "pukul 09.00 WIB"
        return False
    if is_acronym(word) or _camel(word):
        return True
    if low in all_stopwords():  # a function word is capitalized mid-sentence only inside a name
        return not at_start and len(word) > 2 and word[1:].islower() and low not in ("i",)
    return len(word) > 1 and (not at_start or low in known)


def proper_names(sentence: str, known: frozenset[str] = frozenset()) -> list[str]:
    """Runs of capitalized words ("Sam Altman"), acronyms and CamelCase words.

    A capitalized word opening a sentence (or following a colon or quote) counts only when it is
    an acronym or CamelCase, or when ``known`` (lowercase words seen capitalized mid-sentence
    elsewhere, e.g. in the same document) holds it.
    """
    return list(_proper_names(sentence, known))


_INITIALS = re.compile(r"(?:[A-Z]\.)+[A-Z]?\.?")
# A letter before a decimal number is a measure, not a name: a magnitude "M5,6" / "M6.2".
_MEASURE = re.compile(r"[A-Z]\d+[.,]\d+")


@lru_cache(maxsize=32768)
def _proper_names(sentence: str, known: frozenset[str]) -> tuple[str, ...]:
    names: list[str] = []
    run: list[str] = []
    last_end = 0
    for match in _NAME_WORD.finditer(sentence):
        raw = match.group()
        word = _clean(raw)
        gap = sentence[last_end : match.start()]
        after_initials = bool(run) and _INITIALS.fullmatch(run[-1] + ".") is not None
        before = sentence[: match.start()]
        at_start = last_end == 0 or (
            not after_initials
            and bool(_START_GAP.search(before))
            and not ends_with_abbreviation(before.rstrip())
        )
        last_end = match.end()
        measure = _MEASURE.match(sentence, match.start())
        is_name = not measure and _is_name_word(word, at_start, known)
        alone = is_name and (_camel(word) or (is_acronym(word) and not _INITIALS.fullmatch(raw)))
        alone = alone and word.lower() not in ENTITY_FORMS  # "PT" opens a name
        opened = len(run) == 1 and run[0].lower() in ENTITY_FORMS and not gap.strip(" ")
        if run and (not is_name or (alone and not opened) or gap.strip(" ")):
            names.append(" ".join(run))
            run = []
        if alone and opened:  # "PT TSM" is one name
            names.append(" ".join([*run, word]))
            run = []
        elif alone:
            names.append(word)  # "PolyCorp Maria Santos" is two names
        elif is_name:
            run.append(word)
            if re.search(r"['’]s$", raw):  # a possessive ends the name: "Persija's Brazilian"
                names.append(" ".join(run))
                run = []
    if run:
        names.append(" ".join(run))
    return tuple(names)


def name_words(text: str) -> frozenset[str]:
    """Lowercase words written capitalized mid-sentence in ``text`` (its names' vocabulary)."""
    return frozenset(w.lower() for name in proper_names(text) for w in name.split())


@lru_cache(maxsize=8192)
def _vocabulary(text: str) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """(words, words written capitalized, word sequence) of a text, lowercase."""
    from ingest.terms import words

    caps = re.findall(r"\b[^\W\d_]*[A-Z]\w*", text)
    tokens = tuple(words(text))
    return frozenset(tokens), frozenset(w for c in caps for w in words(c)), tokens


def _word_in(word: str, pool: frozenset[str]) -> bool:
    """A word or an inflection: plural "s", or up to 3 more letters on a stem of 5 or more
    ("Indonesian" ~ "Indonesia", "Japanese" ~ "Japan")."""
    if word in pool or word.removesuffix("s") in pool or word + "s" in pool:
        return True
    return len(word) >= 5 and any(
        (p.startswith(word) or word.startswith(p)) and min(len(p), len(word)) >= 5
        and abs(len(p) - len(word)) <= 3
        for p in pool
    )  # fmt: skip


def _syllables_in(word: str, tokens: Sequence[str]) -> bool:
    """A word made of the first syllables of consecutive words, as Indonesian shortens names
    ("Tipikor" ~ "Tindak Pidana Korupsi", "Pemkot" ~ "Pemerintah Kota"): two letters or more of
    each, two words or more."""
    if len(word) < 5 or not word.isalpha():
        return False

    @cache  # each (letter, token) state once: linear in the text
    def rest(at: int, i: int) -> bool:
        if at == len(word):
            return True
        if i >= len(tokens):
            return False
        t = tokens[i]
        return any(
            t[:k] == word[at : at + k] and rest(at + k, i + 1)
            for k in range(min(len(t), len(word) - at), 1, -1)
        )

    return any(
        t[:2] == word[:2] and t != word and any(
            t[:k] == word[:k] and rest(k, i + 1) for k in range(2, min(len(t), len(word) - 2) + 1)
        )
        for i, t in enumerate(tokens)
    )  # fmt: skip


def _initials_in(name: str, text: str) -> bool:
    """An acronym and its expansion: "WHO" ~ "World Health Organization", either way round
    ("DKP" ~ "Dinas Kelautan dan Perikanan": function words may be skipped)."""
    _, caps, tokens = _vocabulary(text)
    if is_acronym(name):
        n, want = len(name), name.lower()
        stop = all_stopwords()
        content = [t for t in tokens if t not in stop]
        return any(
            "".join(t[0] for t in seq[i : i + n]) == want
            for seq in ((tokens, content) if n >= 3 else (tokens,))
            for i in range(len(seq))
        )
    parts = [w for w in name.lower().split() if w not in all_stopwords()]
    return len(parts) >= 2 and "".join(w[0] for w in parts) in caps


def name_occurs(name: str, text: str, partial: bool = False) -> bool:
    """Whether ``text`` names ``name``: all its words (any one when ``partial``), inflected or
    not, or its acronym / expansion. A name word that is also a function word ("US", "IT")
    only counts written capitalized, so "told us" never stands for "US"."""
    from ingest.terms import words

    text_words, caps, tokens = _vocabulary(text)
    found = [
        _word_in(w, text_words if w.isdigit() else caps if len(w) <= 2 or w in all_stopwords()
                 else text_words)
        or _syllables_in(w, tokens)
        for w in words(name)
    ]  # fmt: skip
    if found and (any(found) if partial else all(found)):
        return True
    return _initials_in(name, text)


def known_names(texts: Iterable[str]) -> frozenset[str]:
    """Name words of several texts: capitalized mid-sentence (:func:`name_words`), or opening
    two sentences or more and never written lowercase ("Acme, seen as ...")."""
    from ingest.text import sentence_spans

    texts = list(texts)
    known = frozenset().union(*(name_words(t) for t in texts))
    lower = {w for t in texts for w in re.findall(r"[^\W\d_]+", t) if w.islower()}
    openers = [
        m.group().lower()
        for t in texts
        for a, _ in sentence_spans(t)
        if (m := re.match(r"[^\W\d_]+", t[a:])) and m.group()[0].isupper()
    ]
    stop = all_stopwords()
    return known | {w for w in set(openers) if openers.count(w) >= 2 and w not in lower | stop}
