"""Numbers, dates, durations and units in text: amounts, percentages, money, years.

Everything here is closed-class: currency signs, scale words, units, months, time units and
number words of Indonesian and English. Nothing depends on what a text is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

Fact = tuple[float, str]
"""(value, kind) with kind in {"percent", "money", "number"}."""

_SCALES: dict[str, int] = {
    "ribu": 10**3, "thousand": 10**3, "rb": 10**3, "k": 10**3,
    "juta": 10**6, "million": 10**6, "mln": 10**6, "mn": 10**6, "jt": 10**6, "m": 10**6,
    "miliar": 10**9, "milyar": 10**9, "billion": 10**9, "bn": 10**9, "b": 10**9,
    "triliun": 10**12, "trillion": 10**12, "tn": 10**12, "t": 10**12,
}  # fmt: skip
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<cur>US\$|USD\s?|Rp\.?\s?|IDR\s?|[$€£¥])?"
    r"(?P<num>\d+(?:[.,]\d+)*)"
    r"(?:-an\b)?"
    r"(?P<pct>\s?(?:%|persen\b|percent\b|per\scent\b|pct\b))?"
    r"(?P<scale>\s?(?:ribu|thousand|juta|million|mln|miliar|milyar|billion|triliun|trillion)\b"
    r"|(?:rb|jt|mn|bn|tn|[kmbt])\b)?"
    r"(?P<cur2>\s?(?:dolar|dollars?|USD|rupiah|euros?|pounds?|poundsterling|yen|yuan)\b)?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<![\w.,$])(?:1[5-9]\d\d|20\d\d)(?:-an|['’]?s)?(?![\w%]|[.,]\d)")
# Closed class: month names of both languages and their short forms, by their number.
_MONTH_NUMBER: dict[str, int] = {
    name: i
    for i, names in enumerate(
        (
            "januari january jan",
            "februari february feb",
            "maret march mar",
            "april apr",
            "mei may",
            "juni june jun",
            "juli july jul",
            "agustus august aug agu agt",
            "september sep sept",
            "oktober october okt oct",
            "november nov",
            "desember december des dec",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH_SHORT = frozenset("jan feb mar apr jun jul aug agu agt sep sept okt oct nov des dec".split())
_MONTHS = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))  # "januari" before "jan"
# A date written in figures, day first ("13/11/2023").
NUMERIC_DAY = r"\d{1,2}/\d{1,2}/\d{2,4}"
# The day/month in brackets after a weekday that Indonesian news writes ("Senin (13/11)").
BRACKET_DAY = r"\(\d{1,2}/\d{1,2}\)"
# A day of the calendar: "13 November 2023", "Nov. 13", "13/11/2023", "2023-11-13", "(13/11)".
_DAY = (
    rf"\b(?:\d{{1,2}}\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?|(?:{_MONTHS})\.?\s+\d{{1,2}}\b"
    rf"|{NUMERIC_DAY}|\d{{4}}-\d{{2}}-\d{{2}})|{BRACKET_DAY}"
)
_DAY_DATE = re.compile(_DAY, re.IGNORECASE)
_DATE = re.compile(rf"{_DAY}|\b(?:{_MONTHS})\.?\s+\d{{4}}", re.IGNORECASE)
MONTH_WORD = re.compile(rf"\b(?:{_MONTHS})\b", re.IGNORECASE)
# Closed class: time-zone abbreviations that follow a time of day ("pukul 09.00 WIB", "3pm
# GMT"): a unit of the clock, not a name.
TIME_ZONES = frozenset(
    "wib wita wit utc gmt bst cet cest eet eest est edt cst cdt mst mdt pst pdt jst kst aest aedt "
    "sgt myt hkt".split()
)
# Closed class: weekdays of both languages, by their number (Monday = 0).
WEEKDAYS: dict[str, int] = {
    **{
        d: i
        for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())
    },
    **{d: i for i, d in enumerate("senin selasa rabu kamis jumat sabtu minggu".split())},
}
_NUMBER_WORDS = (
    "satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|seribu|"
    "sejuta|belasan|puluhan|ratusan|ribuan|jutaan|miliaran|triliunan|setengah|separuh|"
    "sepertiga|seperempat|beberapa|"
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    "fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|"
    "trillions|dozen|dozens|half|third|quarter|several|a few|a couple"
)
NUMBER_WORD = re.compile(rf"\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
# Closed class: time units of both languages and their length in days.
_DAYS: dict[str, float] = {
    **dict.fromkeys("detik second seconds".split(), 1 / 86400),
    **dict.fromkeys("menit minute minutes".split(), 1 / 1440),
    **dict.fromkeys("jam hour hours".split(), 1 / 24),
    **dict.fromkeys("hari day days".split(), 1.0),
    **dict.fromkeys("minggu pekan week weeks".split(), 7.0),
    **dict.fromkeys("bulan month months".split(), 365.25 / 12),
    **dict.fromkeys("tahun year years".split(), 365.25),
    **dict.fromkeys("dekade decade decades".split(), 3652.5),
    "windu": 8 * 365.25,
    **dict.fromkeys("abad century centuries".split(), 36525.0),
}
_TIME_UNITS = "|".join(_DAYS)
_ONE_UNIT = "|".join(w for w in _DAYS if w.isalpha() and not w.endswith("s"))  # "se-": setahun
_DURATION = re.compile(
    rf"\b(?:\d+(?:[.,]\d+)?|{_NUMBER_WORDS}|a|an)[\s-]+(?:{_TIME_UNITS})\b|\bse(?:{_ONE_UNIT})\b",
    re.IGNORECASE,
)
# Closed class: units of measure, currencies and counting words, each with its canonical name.
_MEASURE_GROUPS = (
    "ton tons tonne tonnes",
    "kg kilogram kilograms",
    "gram grams",
    "km kilometer kilometre kilometers kilometres",
    "meter metre meters metres",
    "mil mile miles",
    "hektare hectare hectares ha",
    "acre acres",
    "liter litre liters litres",
    "barel barrel barrels",
    "gw gigawatt gigawatts",
    "mw megawatt megawatts",
    "kwh",
    "watt watts",
    "derajat degree degrees",
    "menit minutes minute",
    "jam hours hour",
)
_CURRENCY_GROUPS = (
    "persen percent",
    "dolar dollar dollars usd",
    "rupiah rp idr",
    "euro euros",
    "pound pounds poundsterling",
    "yen",
    "yuan",
)
# Counting words say what is counted, and a count may go without them ("berapa unit bus" is
# answered by "20 buses", "how many people" by "1,200 residents").
_COUNTING_GROUPS = ("ekor", "orang jiwa people persons", "unit units", "kursi seats")
_UNIT_GROUPS = _MEASURE_GROUPS + _CURRENCY_GROUPS + _COUNTING_GROUPS
_UNIT_OF = {word: group.split()[0] for group in _UNIT_GROUPS for word in group.split()}
UNITS = frozenset(_UNIT_OF)
MEASURES = frozenset(group.split()[0] for group in _MEASURE_GROUPS)
"""Canonical units a number is measured in: one in another unit does not answer "berapa ton"."""
LENGTHS = frozenset({"km", "meter", "mil"})
"""Canonical units of length: "how long" may ask for one (a road) as well as for a time."""
COUNTING = frozenset(group.split()[0] for group in _COUNTING_GROUPS)
"""Canonical counting words: "berapa ekor" is not answered by a sum of money or a distance."""


def parse_number(digits: str) -> float:
    """Parse "1,4" / "1.4" (decimal) and "1,000" / "1.000" (thousands) alike."""
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return float(digits.replace(thousands, "").replace(decimal, "."))
    sep = "," if "," in digits else "." if "." in digits else ""
    if not sep:
        return float(digits)
    parts = digits.split(sep)
    if len(parts) > 2 or (len(parts[1]) == 3 and len(parts[0]) <= 3):
        return float("".join(parts))
    return float(digits.replace(sep, "."))


# A time of day: "5:40", "9 p.m.", "7.30 am". Its value is the 24-hour clock as Indonesian
# writes it ("pukul 21.00", "pukul 5.40"): hours, then minutes as hundredths.
_CLOCK = re.compile(
    r"(?<![\w.,:])(\d{1,2})(?:[:.](\d{2}))?\s?([ap])\.?m\b\.?"  # "9 p.m.", "7.30am"
    r"|(?<![\w.,:])(\d{1,2}):(\d{2})(?![\d:]|[.,]\d)",  # "5:40", not a race time "2:09.84"
    re.IGNORECASE,
)


def _clock(m: re.Match[str]) -> float:
    if m.group(4):
        return int(m.group(4)) + int(m.group(5)) / 100
    hour = int(m.group(1)) % 12 + (12 if m.group(3).lower() == "p" else 0)
    return hour + int(m.group(2) or 0) / 100


@lru_cache(maxsize=32768)
def _mentions(text: str) -> tuple[tuple[str, Fact], ...]:
    facts: list[tuple[int, str, Fact]] = [
        (m.start(), m.group().strip(), (round(_clock(m), 6), "number"))
        for m in _CLOCK.finditer(text)
    ]
    text = _CLOCK.sub(lambda m: " " * len(m.group()), text)
    for m in _NUMBER.finditer(text):
        value = parse_number(m.group("num"))
        scale_word = (m.group("scale") or "").strip().lower()
        if scale_word in ("k", "m", "b", "t") and (m.group("scale") or "").startswith(" "):
            scale_word = ""
        value *= _SCALES.get(scale_word, 1)
        if m.group("pct"):
            kind = "percent"
        elif m.group("cur") or m.group("cur2"):
            kind = "money"
        else:
            kind = "number"
        facts.append((m.start(), m.group().strip(), (round(value, 6), kind)))
    return tuple((written, fact) for _, written, fact in sorted(facts))  # in text order


def number_mentions(text: str) -> list[tuple[str, Fact]]:
    """Each number as written ("$74 miliar") with its normalized fact."""
    return list(_mentions(text))


def number_facts(text: str) -> list[Fact]:
    """Numbers as (value, kind): "$74 miliar" and "USD 74 billion" both give (74e9, money)."""
    return [fact for _, fact in _mentions(text)]


_PERCENT_ROUNDING = 1.0  # a fraction written as a rounded percentage ("1/3" as "33 percent")


def facts_match(fact: Fact, pool: Iterable[Fact]) -> bool:
    """Whether ``pool`` holds the same value (a percentage must meet a percentage, or a
    fraction the percentage rounds: "seperempat" ~ "25 persen", "two-thirds" ~ "67 percent")."""
    value, kind = fact
    for other_value, other_kind in pool:
        if abs(other_value - value) <= 1e-9 * max(1.0, abs(value)):
            if kind != "percent" or other_kind == "percent":
                return True
        elif {kind, other_kind} == {"percent", "number"}:
            share, percent = (value, other_value) if kind == "number" else (other_value, value)
            if 0 < share < 1 and abs(100 * share - percent) <= _PERCENT_ROUNDING:
                return True
    return False


def is_year(written: str, fact: Fact) -> bool:
    """A bare four-digit number that reads as a year (1500-2099); "1.500" is no year."""
    value, kind = fact
    return kind == "number" and written.isdigit() and 1500 <= value <= 2099


def quantities(text: str) -> list[Fact]:
    """The numbers of a text that are not years."""
    return [fact for written, fact in _mentions(text) if not is_year(written, fact)]


def years(text: str) -> list[int]:
    """Four-digit years (1500-2099); "1990-an" and "1990s" give 1990."""
    return [int(m.group()[:4]) for m in _YEAR.finditer(text)]


def has_date(text: str) -> bool:
    """A calendar date, a month name or a year."""
    return bool(_DATE.search(text) or MONTH_WORD.search(text) or _YEAR.search(text))


def has_day(text: str) -> bool:
    """A day of the calendar (not only a month or a year)."""
    return bool(_DAY_DATE.search(text))


def has_duration(text: str) -> bool:
    """A span of time: "tiga tahun", "18 months", "setahun"."""
    return bool(_DURATION.search(text))


# Closed class: how news gives a person's age: "Rosa (52)", "Rosa, 52, said", "berusia 52",
# "aged 52", "a 52-year-old" (a span in years, "52 tahun", is a duration).
_AGE = re.compile(
    r"\(\s*\d{1,3}\s*\)|(?<!\d),\s+\d{1,3},|\b(?:berusia|berumur|usia(?:nya)?|umur(?:nya)?|aged?)\s+"
    r"\d{1,3}\b|\b\d{1,3}[- ]years?[- ]old\b",
    re.IGNORECASE,
)


def has_age(text: str) -> bool:
    """An age as news writes one ("Rosa (52)", "Rosa, 52,", "berusia 52", "52-year-old")."""
    return bool(_AGE.search(text))


def has_quantity(text: str) -> bool:
    """A number that is not a year, or a number word."""
    return bool(quantities(text)) or bool(NUMBER_WORD.search(text))


_UNIT_AFTER_NUMBER = re.compile(  # "18.4-kilometre route": a compound's hyphen as a space
    rf"(?P<num>\d+(?:[.,]\d+)*|\b(?:{_NUMBER_WORDS}))-?(?P<after>(?:\s*[^\W\d_]+){{1,3}})",
    re.IGNORECASE,
)


@lru_cache(maxsize=32768)
def _after_numbers(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each number of ``text`` as written, with the (up to three, lowercase) words after it:
    one scan that units, measures and counted things are all read from."""
    return tuple(
        (m.group("num"), tuple(m.group("after").lower().split()))
        for m in _UNIT_AFTER_NUMBER.finditer(text)
    )


def units(text: str) -> set[str]:
    """Canonical units, currencies and counting words that follow a number (signs included)."""
    found: set[str] = set()
    for _, after in _after_numbers(text):
        unit = next((_UNIT_OF[w] for w in after if w in _UNIT_OF), None)
        if unit:
            found.add(unit)
    for sign, unit in (("$", "dolar"), ("£", "pound"), ("€", "euro"), ("%", "persen")):
        if sign in text:
            found.add(unit)
    if re.search(r"\bRp\b|IDR", text):
        found.add("rupiah")
    return found


def measured(text: str) -> set[float]:
    """Values of the figures that stand before a unit of measure ("18.4-kilometre", "6 ton"):
    a length or a weight, not a count of things."""
    found: set[float] = set()
    for number, after in _after_numbers(text):
        scale = _SCALES.get(after[0], 1) if len(after) > 1 else 1  # "6 juta ton"
        unit = _UNIT_OF.get(after[1] if scale > 1 else after[0])
        if unit in MEASURES and number[0].isdigit():
            found.add(round(parse_number(number) * scale, 6))
    return found


def counted_words(text: str) -> list[str]:
    """The words right after each number, up to two ("24 *stations*", "four *other routes*"):
    what the number counts or measures."""
    return [w for _, after in _after_numbers(text) for w in after[:2]]


def canonical_unit(word: str) -> str | None:
    """The canonical name of a unit word ("kilometres" -> "km"), or None."""
    return _UNIT_OF.get(word.lower())


# ---------------------------------------------------------------- numbers written as words

# Closed class: cardinal and fraction words of both languages with their values.
_UNIT_WORDS: dict[str, float] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11, "seratus": 100,
    "seribu": 1000, "sejuta": 10**6, "semiliar": 10**9,
}  # fmt: skip
_MULTIPLIERS: dict[str, float] = {
    "hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "puluh": 10, "ratus": 100, "ribu": 10**3, "juta": 10**6, "miliar": 10**9, "milyar": 10**9,
    "triliun": 10**12,
}  # fmt: skip
_FRACTIONS: dict[str, float] = {
    "half": 1 / 2, "halves": 1 / 2, "third": 1 / 3, "thirds": 1 / 3, "quarter": 1 / 4,
    "quarters": 1 / 4, "fifth": 1 / 5, "fifths": 1 / 5, "pertiga": 1 / 3, "perempat": 1 / 4,
    "perlima": 1 / 5,
}  # fmt: skip
_STANDALONE_FRACTIONS = {
    "half": 1 / 2, "setengah": 1 / 2, "separuh": 1 / 2, "sepertiga": 1 / 3, "seperempat": 1 / 4,
    "seperlima": 1 / 5,
}  # fmt: skip
# Words that make a count vague ("a few hundred", "beberapa ratus", "hundreds of").
_VAGUE = frozenset(
    """few several some many dozens hundreds thousands millions billions trillions beberapa
    sejumlah banyak puluhan belasan ratusan ribuan jutaan miliaran triliunan""".split()
)
_ARTICLES = frozenset({"a", "an"})
_ORDINAL_HALF = frozenset({"first", "second", "latter", "former"})  # a period, not a fraction
_WORD_TOKEN = re.compile(r"[^\W\d_]+|\d", re.UNICODE)
_PERCENT_WORDS = frozenset({"persen", "percent", "pct"})
_MONEY_WORDS = frozenset(
    "dolar dollar dollars rupiah euro euros pound pounds yen yuan usd idr".split()
)


def _word_number(tokens: list[str], i: int) -> tuple[float, int] | None:
    """The value of the number-word run starting at ``tokens[i]`` and the index after it."""
    total, current, j, seen = 0.0, 0.0, i, False
    while j < len(tokens):
        word = tokens[j]
        if word in _UNIT_WORDS:
            current += _UNIT_WORDS[word]
        elif word == "belas" and seen:  # "dua belas" = 12
            current += 10
        elif word in _MULTIPLIERS and (seen or word in ("hundred", "thousand")):
            current = max(current, 1.0) * _MULTIPLIERS[word]
            if _MULTIPLIERS[word] >= 1000:
                total, current = total + current, 0.0
        elif word in _ARTICLES and not seen:
            current = 1.0
            if j + 1 < len(tokens) and tokens[j + 1] in _UNIT_WORDS:  # "a three-week …": 3
                current = 0.0
        elif word in _FRACTIONS and (seen or current == 1.0):  # "three quarters", "a third"
            return (total + current) * _FRACTIONS[word], j + 1
        else:
            break
        seen = seen or word not in _ARTICLES
        j += 1
    if not seen:
        return None
    return total + current, j


def _and_a_half(
    tokens: list[str], found: list[re.Match[str]], text: str, parsed: tuple[float, int]
) -> tuple[float, int]:
    """A whole number-word run with its half ("two and a half", "dua setengah": 2.5) and the
    multiplier after it ("three and a half million", "dua setengah juta"), with the index
    after them; the run as it was when no half follows."""
    value, end = parsed
    if value != int(value):
        return parsed
    if tokens[end : end + 3] == ["and", "a", "half"]:
        half = end + 3
    elif end < len(tokens) and tokens[end] == "setengah":
        half = end + 1
    else:
        return parsed
    if text[found[end - 1].end() : found[end].start()].strip():  # "tiga, setengah …"
        return parsed
    value += 0.5
    if half < len(tokens) and tokens[half] in _MULTIPLIERS:
        value *= _MULTIPLIERS[tokens[half]]
        half += 1
    return value, half


def _capitalized(*tokens: re.Match[str]) -> bool:
    """Whether every token is written capitalized: "Pulau Seribu" is a name, not 1,000."""
    return all(t.group()[:1].isupper() for t in tokens)


def number_word_facts(text: str) -> list[Fact]:
    """Numbers written as words: "three quarters" and "tiga perempat" → (0.75, number).

    Cardinals and fractions of both languages ("dua belas", "twenty-five", "separuh", "a third");
    vague counts ("a few hundred", "ratusan") give nothing, nor do runs that follow a digit
    ("74 miliar" is :func:`number_facts`'s). A following "persen"/"percent" makes a percentage,
    a currency word money.
    """
    found = list(_WORD_TOKEN.finditer(text))
    tokens = [m.group().lower() for m in found]
    facts: list[Fact] = []
    i = 0
    while i < len(tokens):
        word = tokens[i]
        prev = tokens[i - 1] if i else ""
        joined = i > 0 and not text[found[i - 1].end() : found[i].start()].strip()
        after_digit = prev.isdigit() and joined  # "74 miliar", not "in 2027, two years"
        in_name = joined and prev[:1].isalpha() and _capitalized(found[i - 1], found[i])
        if prev in _VAGUE or after_digit or in_name or word.isdigit() or word in _VAGUE:
            i += 1
            continue
        if word in _STANDALONE_FRACTIONS and prev not in _ORDINAL_HALF:  # not "first half"
            facts.append((round(_STANDALONE_FRACTIONS[word], 6), "number"))
            i += 1
            continue
        unit = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word in _ARTICLES and unit in _DAYS and tokens[i + 2 : i + 5] == ["and", "a", "half"]:
            facts.append((1.5, "number"))  # "an hour and a half"
            i += 5
            continue
        parsed = _word_number(tokens, i) if word in _UNIT_WORDS or word in _ARTICLES else None
        if parsed is None or (word in _ARTICLES and parsed[1] == i + 1):
            i += 1
            continue
        value, end = _and_a_half(tokens, found, text, parsed)
        after = tokens[end] if end < len(tokens) else ""
        if after in _VAGUE or (end > i and tokens[end - 1] in _ARTICLES):
            i = end
            continue
        kind = "money" if after in _MONEY_WORDS else "number"
        kind = "percent" if after in _PERCENT_WORDS else kind
        facts.append((round(value, 6), kind))
        i = end
    return facts


_RUN = "|".join(
    sorted({*_UNIT_WORDS, *_MULTIPLIERS, "belas", "setengah", "half"}, key=len, reverse=True)
)
_SPAN = re.compile(
    rf"(?<![\w.,])(\d+(?:[.,]\d+)?|(?:(?:{_RUN}|and|a|an)[\s-]+)*?(?:{_RUN}))"
    rf"[\s-]+({_TIME_UNITS})\b"
    rf"|\b(?:a|an|one|satu)\s+(?:(?:single|whole|full|entire)\s+)?({_TIME_UNITS})"
    r"(\s+and\s+a\s+half)?\b"
    rf"|\bse({_ONE_UNIT})\b",
    re.IGNORECASE,
)


def durations(text: str) -> list[tuple[Fact, float]]:
    """Each number that counts a time unit, with the length it states in days: "18 months",
    "an 18-month delay", "a year and a half", "satu setengah tahun" (547.9 days each)."""
    out: list[tuple[Fact, float]] = []
    for m in _SPAN.finditer(text):
        if m.group(3) or m.group(5):  # "a year (and a half)", "setahun"
            value = 1.5 if m.group(4) else 1.0
            out.append(((value, "number"), value * _DAYS[(m.group(3) or m.group(5)).lower()]))
            continue
        written, unit = m.group(1), m.group(2).lower()
        found = (
            [(parse_number(written), "number")]
            if written[0].isdigit()
            else [f for f in number_word_facts(written) if f[1] == "number"]
        )
        if found:
            out.append((found[-1], found[-1][0] * _DAYS[unit]))
    return out


_ONE_SPAN = re.compile(rf"(?<![\w.,])(?:one|satu|1)[\s-]+(?:{_TIME_UNITS})\b", re.IGNORECASE)


def counts_one(text: str) -> bool:
    """Whether "one" / "satu" / "1" in ``text`` counts a time unit ("one week", "satu jam"): a
    length (see :func:`durations`), not the pronoun of "one of the victims"."""
    return bool(_ONE_SPAN.search(text))


def same_duration(fact: Fact, said: str, durations_there: Sequence[float]) -> bool:
    """Whether ``fact``, a number ``said`` counts time with, states a length found in
    ``durations_there`` (in days) in another unit: "18 months" for "a year and a half"."""
    return any(
        facts_match(fact, [counted]) and any(abs(days - d) <= 0.02 * d for d in durations_there)
        for counted, days in durations(said)
    )


_PERCENT_RANGE = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*(?:-|–|to|hingga|sampai|and|dan|or|atau)\s*"
    r"\d+(?:[.,]\d+)?\s*(?:%|persen\b|percent\b|per cent\b)",
    re.IGNORECASE,
)


_ARTICLE_ONE = re.compile(r"\b(?:a|an)\s+(?=one\b)", re.I)  # "a one-way ticket": one, not two
_MULTIPLES = {"twice": 2.0, "thrice": 3.0}
# Closed class: ordinal words from the third on ("sixth", "kedelapan"). Not "first"/"second"
# ("second" is also a unit of time) nor "kedua", which is also "both".
_ORDINALS: dict[str, float] = {
    **{w: float(i) for i, w in enumerate(
        "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(), start=3)},
    **{w: float(i) for i, w in enumerate(
        "ketiga keempat kelima keenam ketujuh kedelapan kesembilan kesepuluh kesebelas".split(),
        start=3)},
}  # fmt: skip


def is_ordinal(word: str) -> bool:
    """Whether ``word`` is an ordinal word ("sixth", "keenam"): a rank, not a count."""
    return word.lower() in _ORDINALS


def _ordinals(text: str) -> list[tuple[str, Fact]]:
    """Ordinal words ("finished sixth", "a third shop": 6, 3), but not a fraction ("a third
    of", "one fifth")."""
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    return [
        (w, (_ORDINALS[w], "number"))
        for prev, w, after in zip(["", *tokens], tokens, [*tokens[1:], ""], strict=False)
        if w in _ORDINALS and prev not in _UNIT_WORDS and not (prev in _ARTICLES and after == "of")
    ]


# "Minggu" is Sunday; "minggu" (and "Minggu lalu", "Minggu ini" …) is a week.
_WEEK = re.compile(
    r"\bminggu\b|\bMinggu(?=\s+(?:ini|itu|lalu|depan|kemarin|pertama|kedua|ketiga|keempat|"
    r"terakhir|berikutnya|sebelumnya|ke-?\d+)\b)"
)


def weekdays(text: str) -> frozenset[int]:
    """The weekdays a text names (both languages), as numbers (Monday = 0)."""
    if "minggu" in text.lower():
        text = re.sub(r"\bhari\s+minggu\b", "hari Minggu", text, flags=re.I)
        text = _WEEK.sub(" ", text)
    days = (weekday(w) for w in re.findall(r"[^\W\d_]+", text.lower()))
    return frozenset(d for d in days if d is not None)


# A month named by a capitalised word ("Maret", "Aug."); a short form or "May" only beside a
# figure or a full stop ("May 3", "3 May", "Aug. 3"), as "may" is also a verb.
_MONTH_NAMED = re.compile(r"(?<![\w-])([A-Z][a-z]{2,8})\b(\.?)(?=(\s*\d)?)")
# A day written in figures, with its month second: "13/11/2023", "(13/11)"; or an ISO date.
_MONTH_FIGURES = re.compile(
    r"\b\d{1,2}/(\d{1,2})/\d{2,4}\b|\(\d{1,2}/(\d{1,2})\)|\b\d{4}-(\d{2})-\d{2}\b"
)


def months(text: str) -> frozenset[int]:
    """The months a text names (both languages, in words or in a date in figures), as numbers
    (January = 1)."""
    found: set[int] = set()
    for m in _MONTH_NAMED.finditer(text):
        word = m.group(1).lower()
        number = _MONTH_NUMBER.get(word)
        if number is None:
            continue
        full = word not in _MONTH_SHORT
        beside_figure = m.group(3) is not None or bool(re.search(r"\d\s*$", text[: m.start()]))
        if (full and word != "may") or beside_figure or m.group(2):
            found.add(number)
    for m in _MONTH_FIGURES.finditer(text):
        month = int(next(g for g in m.groups() if g))
        if 1 <= month <= 12:
            found.add(month)
    return frozenset(found)


def weekday(word: str) -> int | None:
    """The weekday a lowercase word names, plural too ("sunday", "sundays", "kamis"), or None."""
    return WEEKDAYS.get(word, WEEKDAYS.get(word.removesuffix("s")))


def all_number_mentions(text: str) -> list[tuple[str, Fact]]:
    """Numbers in digits (:func:`number_mentions`) and in words (:func:`number_word_facts`,
    with "twice" and "thrice", and ordinals from "third" on).

    The first number of a percentage range ("1,5 hingga 3,5 persen") is a percentage too.
    """
    multiples = [
        (w, (_MULTIPLES[w], "number"))
        for w in re.findall(r"[a-z]+", text.lower())
        if w in _MULTIPLES
    ]
    ordinals = _ordinals(text)
    text = _ARTICLE_ONE.sub("", text)
    words_ = [(f"{value:g}", (value, kind)) for value, kind in number_word_facts(text)]
    words_ += multiples + ordinals
    ranges = [
        (m.group(1), (round(parse_number(m.group(1)), 6), "percent"))
        for m in _PERCENT_RANGE.finditer(text)
    ]
    return number_mentions(text) + words_ + ranges
