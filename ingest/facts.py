"""Checkable facts of a text at once: its words, names, numbers, dates and units (cached)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.names import proper_names
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


@dataclass(frozen=True)
class TextFacts:
    """What a text states that can be checked: its words, names, numbers, dates and units."""

    words: frozenset[str]
    names: tuple[tuple[str, ...], ...]  # each name as its lowercase words
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
    return TextFacts(
        words=frozenset(words(text)),
        names=tuple(tuple(words(n)) for n in proper_names(text, known)),
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
