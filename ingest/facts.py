"""Checkable facts of a text at once: its words, names, numbers, dates and units (cached)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.names import is_acronym, proper_names
from ingest.numbers import (
    NUMBER_WORD,
    Fact,
    has_age,
    has_date,
    has_day,
    has_duration,
    measured,
    number_facts,
    quantities,
    units,
    years,
)
from ingest.terms import words

_FRACTION = re.compile(
    r"\b(setengah|separuh|sepertiga|seperempat|tiga perempat|dua pertiga|half|a third|"
    r"one third|a quarter|three quarters|two thirds)\b",
    re.IGNORECASE,
)

# Closed class: prepositions of place, standing before a name ("in Carrick", "di Desa Labuan
# Sari", "ke China"); "according to X" names a source, not a place.
_LOCATIVE = re.compile(
    r"\b(?:in|at|near|from|to|into|inside|outside|across|off|towards?|around|di|ke|dari|dekat|"
    r"menuju)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"\baccording to\s+(?:the\s+)?$", re.IGNORECASE)
_LOCATIVE_REACH = 20  # characters before a name where its preposition stands
# Closed class: where a text places something without a name: a point of the compass, up or
# down a river ("running *east* towards the airport", "*di hulu* sungai").
_BEARING = re.compile(
    r"\b(?:north|south)(?:-?(?:east|west))?(?:ern|wards?)?\b|\b(?:east|west)(?:ern|wards?)?\b|"
    r"\b(?:upstream|downstream|utara|selatan|timur|barat|tenggara|barat daya|barat laut|"
    r"timur laut|hulu|hilir)\b",
    re.IGNORECASE,
)


def places(text: str, names: list[str]) -> tuple[tuple[str, ...], ...]:
    """The names of ``text`` that a preposition of place stands before ("on a football field
    *in Tanjungsekar*"), each as its lowercase words, and its points of the compass and of a
    river ("running *east*", "*di hulu* sungai")."""
    out: list[tuple[str, ...]] = [tuple(words(m.group())) for m in _BEARING.finditer(text)]
    for name in names:
        for m in re.finditer(re.escape(name), text):
            before = text[max(0, m.start() - _LOCATIVE_REACH) : m.start()]
            if _LOCATIVE.search(before) and not _SOURCE.search(before):
                out.append(tuple(words(name)))
                break
    return tuple(out)


def _capitals_only(name: str) -> bool:
    """A name written in capitals only ("US", "AI", "PT TSM"): an organisation, a country or a
    thing, never a person."""
    return all(is_acronym(w) for w in name.split())


@dataclass(frozen=True)
class TextFacts:
    """What a text states that can be checked: its words, names, numbers, dates and units."""

    words: frozenset[str]
    names: tuple[tuple[str, ...], ...]  # each name as its lowercase words
    places: tuple[tuple[str, ...], ...]  # names after a preposition of place; compass points
    people: tuple[tuple[str, ...], ...]  # names that may be a person's: not an acronym ("US")
    numbers: tuple[Fact, ...]
    quantities: tuple[Fact, ...]  # numbers that are not years
    years: tuple[int, ...]
    date: bool
    day: bool  # a day of the calendar, not only a month or a year
    duration: bool
    age: bool  # an age as news gives one: "Rosa (52)", "berusia 52"
    number_word: bool
    fraction: bool
    units: frozenset[str]
    measured: frozenset[float]  # values of figures standing before a unit of measure


@lru_cache(maxsize=65536)
def text_facts(text: str, known: frozenset[str] = frozenset()) -> TextFacts:
    """The :class:`TextFacts` of a text (``known``: see :func:`proper_names`), cached."""
    names = proper_names(text, known)
    return TextFacts(
        words=frozenset(words(text)),
        names=tuple(tuple(words(n)) for n in names),
        places=places(text, names),
        people=tuple(tuple(words(n)) for n in names if not _capitals_only(n)),
        numbers=tuple(number_facts(text)),
        quantities=tuple(quantities(text)),
        years=tuple(years(text)),
        date=has_date(text),
        day=has_day(text),
        duration=has_duration(text),
        age=has_age(text),
        number_word=bool(NUMBER_WORD.search(text)),
        fraction=bool(_FRACTION.search(text)),
        units=frozenset(units(text)),
        measured=frozenset(measured(text)),
    )
