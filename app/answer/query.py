"""Parse a question once: language, kind, the type of answer it expects, names, numbers, terms.

Everything here rests on closed-class words of Indonesian and English (question words, words that
frame a request such as "ringkas" or "compare", units, money and time words); nothing depends on
what the articles are about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ingest.names import TITLE_ACRONYMS, proper_names
from ingest.numbers import (
    NUMBER_WORD,
    Fact,
    canonical_unit,
    number_facts,
    number_word_facts,
    units,
    years,
)
from ingest.terms import is_content, query_terms, stem, words
from ingest.text import detect_language

Kind = Literal["factoid", "list", "open", "summary", "compare"]
Expect = Literal[
    "", "quantity", "money", "percent", "date", "duration", "person", "name", "place", "reason"
]

_SUMMARY = re.compile(
    r"\b(ringkas\w*|rangkum\w*|intisari|ikhtisar|summar(?:y|i[sz]e[sd]?|ies)|sum up|overview|"
    r"gist|tl;?dr|garis besar|pokok[- ]pokok)\b"
)
_COMPARE = re.compile(
    r"\b(bandingkan|perbandingan|dibandingkan|membandingkan|versus|vs\.?|compar(?:e[ds]?|ison)|"
    r"perbedaan|bedanya|beda|differences?|differ|contrast)\b"
)
_OPEN = re.compile(
    r"\b(mengapa|kenapa|why|jelaskan|uraikan|gambarkan|explain|describe|elaborate|"
    r"apa (?:saja )?(?:risiko|dampak|akibat|alasan|tantangan|pelajaran|manfaat|strategi)\w*|"
    r"what (?:are|were|is|was) the (?:risks?|impacts?|effects?|consequences?|reasons?|"
    r"challenges?|lessons?|benefits?|strategy|strategies)|"
    r"bagaimana(?! dengan)|how(?! (?:much|many|long|far|big|large|old|often|soon|tall|high))|"
    r"in what way)\b"
)
# Two questions in one, one of them a why or a how: "Mengapa X, dan bagaimana Y?"
_COMPOUND = re.compile(
    r"\b(?:mengapa|kenapa|why|bagaimana|how(?! much| many| long))\b.*(?:,|\b(?:dan|and|serta)\b)"
    r"\s*(?:apa|apakah|bagaimana|mengapa|siapa|what|how|why|who|which)\b"
    r"|\b(?:apa|apakah|what)\b.*(?:,|\b(?:dan|and|serta)\b)\s*(?:mengapa|kenapa|why|bagaimana|"
    r"how(?! much| many| long))\b"
)
_LIST = re.compile(
    r"\b(apa saja|siapa saja|mana saja|manakah saja|sebutkan|daftar\w*|list|name the|"
    r"what are the|what were the|which (?:\w+ ){0,2}?\w+(?:s|ies) (?:are|were|have|had|did|do)\b|"
    r"(?:what|which|name|the|apa|sebutkan) (?:saja )?(?:two|three|four|five|six|seven|dua|"
    r"tiga|empat|lima|enam|tujuh) \w+)"
)
_TYPED: tuple[tuple[Expect, re.Pattern[str]], ...] = (
    (
        "",
        re.compile(r"\b(what|apa|apakah|which|where|di mana|ke mana|dari mana|mana)\b"),
    ),
    (
        "duration",
        re.compile(
            r"\b(berapa lama\w*|how long|berapa (?:hari|minggu|pekan|bulan|tahun|jam|dekade)\b"
            r"(?! (?:yang lalu|sebelum))|how many (?:days|weeks|months|years|hours|decades)|"
            r"jangka waktu|for how long|rentang waktu)"
        ),
    ),
    (
        "date",
        re.compile(
            r"\b(kapan\w*|when|tahun berapa|pada tahun apa|abad ke ?berapa|tanggal berapa|"
            r"pada tanggal|bulan apa|sejak kapan|since when|(?:in |on )?(?:what|which) "
            r"(?:year|date|month|day|century|decade))\b"
        ),
    ),
    (
        "percent",
        re.compile(
            r"(\b(berapa persen\w*|persentase|what percent\w*|what share|what proportion|"
            r"what fraction|berapa bagian|what part|by what percent\w*)\b)"
        ),
    ),
    (
        "money",
        re.compile(
            r"\b(how much money|how much (?:did|does|do|will|would|was|were|is|are|has|have)\b"
            r"(?=.*\b(?:cost\w*|spen[dt]\w*|pa(?:y|id)\w*|worth|earn\w*|rais\w*|invest\w*|"
            r"fund\w*|sav\w*|budget\w*|charg\w*|fine[sd]?|money)\b)|"
            r"(?:berapa|seberapa) (?:besar )?(?:(?:perkiraan|estimasi|total|rata-rata) )?"
            r"(?:biaya|harga|nilai|dana|anggaran|uang|gaji|denda|ongkos|tarif|investasi|modal|"
            r"pendapatan|kerugian|laba|utang)\w*|"
            r"\bwhat\b(?:\s+(?!share|proportion|percent|fraction)[\w'-]+){0,5}?\s+(?:costs?|"
            r"prices?|value|valuation|fines?|fees?|budget|salary|wages?|rent|revenue|income|"
            r"profit|loss|worth)\b)"
        ),
    ),
    (
        "person",
        re.compile(r"\b(siapa\w*|who|whom|whose)\b"),
    ),
    (
        "place",
        re.compile(r"\b(where|di ?mana|ke ?mana|(?:di|ke) [a-z]+ (?:mana|manakah))\b"),
    ),
    (
        "reason",
        re.compile(
            r"\b(mengapa|kenapa|why|apa (?:alasan|penyebab|sebab)\w*|alasan\w*|penyebab\w*|"
            r"what (?:was |is |were |are )?(?:the )?(?:reasons?|causes?)|for what reason|"
            r"what caused|how come)\b"
        ),
    ),
    (
        "name",
        re.compile(
            r"\b(what (?:is|was|were) the name|what's the name|apa nama\w*|(?:bernama|dengan nama)"
            r" apa|under what name|what (?:is|was) .{0,30} called|what (?:city|town|village|"
            r"country|province|region|district|island|county|regency|company|firm|bank|club|team|"
            r"agency|ministry|party)\b|which (?!year|date|month|day|"
            r"century|decade)[a-z]+(?<!s)\b(?! (?:are|were|of)\b)|[a-z]+ (?:apa|mana|"
            r"manakah)(?= yang| lagi|\?|$))"
        ),
    ),
    (
        "quantity",
        re.compile(
            r"\b(berapa\w*|seberapa|how many|how much|what number|jumlah|by how much|how far|"
            r"how big|how large|how old|how often)\b"
        ),
    ),
)
# Closed class: question phrases that ask for a count ("berapa penumpang"; not a dimension).
_COUNT = re.compile(
    r"\b(how many|number of|berapa banyak|jumlah|berapa (?!besar|lama|jauh|tinggi|luas|berat|"
    r"panjang|mahal|sering|cepat|persen|usia|umur)[^\W\d_]+)\b",
    re.I,
)
# Closed class: question phrases that ask for a person's age.
_AGE_ASKED = re.compile(
    r"\b(how old|at what age|berapa (?:usia|umur)|(?:usia|umur)(?:nya)? berapa|"
    r"(?:pada|di) usia berapa)\b"
)
# A date question that wants a day of the calendar, not only a year.
_DAY_ASKED = re.compile(
    r"\b(tanggal (?:berapa|brp)|pada tanggal|(?:what|which|on what|on which) (?:date|day)|"
    r"hari apa)\b"
)
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
_HOW_MANY = re.compile(r"\b(?:how many|number of)\b", re.I)  # English: a count, not an amount
_HOW_LONG = re.compile(r"\bhow long\b(?!\s+(?:ago|since|before|after)\b)", re.I)
_QUANTITY_UNIT = re.compile(
    r"\b(?:berapa|how many|how much|number of|jumlah)\s+(?:banyak\s+)?([^\W\d_]+)", re.IGNORECASE
)
_FOLLOWUP_CUE = re.compile(
    r"^\s*(dan|and|what about|how about|bagaimana dengan|gimana dengan|lalu|kalau|terus|"
    r"then|also|juga)\b",
    re.IGNORECASE,
)
_QUESTION_WORD = re.compile(
    r"\b(apa|berapa|siapa|kapan|mengapa|kenapa|bagaimana|mana|what|how|who|when|why|which|"
    r"where|di mana)\b",
    re.IGNORECASE,
)
# Closed class: words between a question word and the thing it asks about ("berapa *jumlah*
# penduduk", "how *many* …") and words that name the answer's kind, not its subject ("berapa
# *persen*", "which *year*", "how *long*").
_FOCUS_SKIP = frozenset(
    "many much jumlah banyak besar nama name names number total kind type jenis macam persen "
    "percent percentage share proportion date year month day tanggal tahun bulan hari money uang "
    "time waktu lama long jauh far tinggi high tall luas large big berat heavy panjang old often "
    "sering perkiraan estimasi kira estimated estimate approximate approximately average rata "
    "rerata "  # and the hedges of an amount: "berapa *perkiraan* biaya"
    # Indonesian numeral classifiers: "berapa *ekor* sapi" counts cows, "berapa *unit* bus" buses
    "unit ekor buah biji lembar batang helai butir pucuk potong keping bidang petak tangkai "
    "kuntum utas".split()
)
_FOCUS_KINDS = ("quantity", "money", "name", "duration")
_FOCUS_REACH = 3  # content words after the question word where the asked thing may stand
_COMPARE_FILLER = re.compile(
    r"\b(bandingkan|perbandingan|dibandingkan|membandingkan|versus|vs\.?|compare[ds]?|"
    r"comparison|perbedaan|bedanya|beda|differences?|differ|contrast|between|antara|dengan|"
    r"dan|and|with|to|in terms of|dalam hal|soal|terkait|mengenai|tentang|the|their|of|"
    r"keduanya|both|how|does|do|what|apa|bagaimana|is|are|on|each|in|untuk|masing-masing)\b",
    re.IGNORECASE,
)
_SUMMARY_TARGET = re.compile(
    r"\b(?:artikel|dokumen|berita|tulisan|laporan|article|document|story|report|piece)\b"
    r"(?:\s+(?:tentang|mengenai|soal|about|on|regarding|berjudul|titled|called))?\s*(.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Query:
    """What a question asks for; built once by :func:`parse_query` and passed down."""

    text: str
    lang: str
    kind: Kind
    expects: Expect
    terms: tuple[frozenset[str], ...]
    names: tuple[str, ...]
    numbers: tuple[Fact, ...]
    years: tuple[int, ...]
    units: frozenset[str]
    entities: tuple[str, ...] = ()
    aspect: str = ""
    target: str = ""
    words: frozenset[str] = field(default_factory=frozenset)
    focus: frozenset[str] = frozenset()
    count: int = 0
    """How many items a list question asks for ("apa saja *tiga* syarat"); 0 if it does not say."""

    @property
    def wants_count(self) -> bool:
        """Whether the question asks for a count ("how many", "berapa penumpang"), not a share."""
        return bool(_COUNT.search(self.text))

    @property
    def counts_things(self) -> bool:
        """Whether the question counts things by its grammar ("how many stations"), so that a
        sum of money or a measured figure (18.4 km) does not answer it unless it names a unit."""
        return not self.units and bool(_HOW_MANY.search(self.text))

    @property
    def asks_age(self) -> bool:
        """Whether the question asks how old someone is ("how old", "berapa usia"): answered by
        an age or a span in years, not by a count of something."""
        return self.expects == "quantity" and bool(_AGE_ASKED.search(self.text.lower()))

    @property
    def asks_length(self) -> bool:
        """Whether a duration question may ask for a length too ("how long will the road be")."""
        return self.expects == "duration" and bool(_HOW_LONG.search(self.text))

    @property
    def wants_day(self) -> bool:
        """Whether a date question asks for a day ("tanggal berapa", "on what date")."""
        return self.expects == "date" and bool(_DAY_ASKED.search(self.text.lower()))

    @property
    def open_ended(self) -> bool:
        """Whether the question asks for an explanation or an account ("why", "what did … say")
        rather than a value of some kind."""
        return self.expects in ("", "reason")

    @property
    def explains(self) -> bool:
        """Whether the question may get an open answer: it asks for an account or a reason."""
        return self.kind == "open" or self.expects == "reason"

    @property
    def typed(self) -> bool:
        """Whether the question wants a particular kind of answer (a number, a date, a name)."""
        return bool(self.expects)


def _expects(low: str) -> tuple[Expect, int]:
    """The answer type of the earliest question phrase, and where it stands.

    A relative "who" later in the question does not count. At the same position a typed phrase
    ("what share") wins over a bare "what", a longer one over a shorter one.
    """
    best: tuple[int, int, int] | None = None
    found: Expect = ""
    for expect, pattern in _TYPED:
        match = pattern.search(low)
        if match:
            key = (match.start(), 0 if expect else 1, -len(match.group()))
            if best is None or key < best:
                best, found = key, expect
    return found, best[0] if best else len(low)


_JOINED = re.compile(
    r"^\s*(?:,|dan|and|&|or|atau|vs\.?|versus|with|dengan|serta|(?:di)?banding(?:kan)?(?: dengan)?|"
    r"compared? (?:with|to))\s*$",
    re.I,
)


def _joined_names(text: str, names: list[str]) -> list[str]:
    """Names written side by side with a conjunction ("Persija dan Persib", "X, Y and Z")."""
    spots = []
    for name in names:
        at = text.find(name)
        if at >= 0:
            spots.append((at, at + len(name), name))
    spots.sort()
    joined: list[str] = []
    for (_, end, a), (start, _, b) in zip(spots, spots[1:], strict=False):
        if _JOINED.match(text[end:start]):
            joined += [n for n in (a, b) if n not in joined]
    return joined


def _kind(low: str, names: list[str], expects: Expect, typed_at: int) -> Kind:
    """Summary, comparison (a comparison word before any typed question word, and names joined
    by a conjunction), list, factoid (a typed question) or open."""
    if _SUMMARY.search(low):
        return "summary"
    compare = _COMPARE.search(low)
    # "where do X and Y differ" asks for the differences, not a place
    loose = expects in ("", "place")
    if compare and len(names) >= 2 and (loose or compare.start() < typed_at):
        return "compare"
    if _LIST.search(low):
        return "list"
    if _COMPOUND.search(low):
        return "open"
    if expects:
        return "factoid"
    if _OPEN.search(low) or compare:
        return "open"
    return "factoid"


def _asked_units(text: str) -> frozenset[str]:
    """Units the question asks in ("berapa ton", "how many miles") or quotes with a number."""
    asked = (canonical_unit(m.group(1)) for m in _QUANTITY_UNIT.finditer(text))
    return frozenset({u for u in asked if u} | units(text))


def _focus(low: str, names: list[str], expects: Expect) -> frozenset[str]:
    """Stems (in both languages) of what a question counts, prices or names: the first content
    word after its question word that is no name ("berapa jumlah *penduduk*", "which
    *institution*"). Empty for other kinds of question."""
    match = _QUESTION_WORD.search(low)
    if expects not in _FOCUS_KINDS or match is None:
        return frozenset()
    named = {w for n in names for w in words(n)}
    content = [w for w in words(low[match.end() :]) if is_content(w)][:_FOCUS_REACH]
    if match.group(1) in _AFTER_NOUN:  # "perusahaan *konstruksi* mana": the head noun first
        content = _noun_before(low[: match.start()]) + content
    for word in content:
        if not word[:1].isdigit() and word not in named | _FOCUS_SKIP:
            return frozenset({stem(word, "id"), stem(word, "en")})
    return frozenset()


_AFTER_NOUN = ("mana", "apa")  # Indonesian asks "N mana" / "N apa" where English asks "which N"


def _noun_before(text: str) -> list[str]:
    """The content words directly before the end of ``text`` (the noun phrase an Indonesian
    "mana"/"apa" follows: "saham dua *perusahaan*", "*jenis produk*"), head first."""
    run: list[str] = []
    for word in reversed(words(text)):
        if not is_content(word) or word[:1].isdigit() or NUMBER_WORD.fullmatch(word):
            break
        run.insert(0, word)
    return run[:_FOCUS_REACH]


def _aspect(question: str, names: list[str]) -> str:
    rest = question
    for name in names:
        rest = re.sub(re.escape(name), " ", rest)
    rest = _COMPARE_FILLER.sub(" ", rest)
    return " ".join(re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", rest))


def _summary_target(question: str) -> str:
    match = _SUMMARY_TARGET.search(question.strip().rstrip("?.!"))
    return match.group(1).strip() if match else ""


def parse_query(question: str, lang: str | None = None) -> Query:
    """Parse a question (Indonesian or English) into a :class:`Query`."""
    text = question.strip()
    low = _ACRONYM.sub("X", text).lower()  # "WHO" is a name, not the question word
    names = [n for n in proper_names(text) if n.lower() not in ("i", *TITLE_ACRONYMS)]
    expects, typed_at = _expects(low)
    joined = _joined_names(text, names)
    kind = _kind(low, joined, expects, typed_at)
    return Query(
        text=text,
        lang=lang or detect_language(text),
        kind=kind,
        expects=expects if kind in ("factoid", "list", "open") else "",
        terms=tuple(query_terms(text)),
        names=tuple(names),
        numbers=tuple(f for f in number_facts(text)),
        years=tuple(years(text)),
        units=_asked_units(text),
        entities=tuple(joined) if kind == "compare" else (),
        aspect=_aspect(text, joined) if kind == "compare" else "",
        target=_summary_target(text) if kind == "summary" else "",
        words=frozenset(words(text)),
        focus=_focus(low, names, expects),
        count=_count(text) if kind == "list" else 0,
    )


_MAX_COUNT = 12  # a list question asks for a handful of items, not "90 days"
_COUNTED_FIGURE = re.compile(r"\b(\d{1,2})\s+(?=[^\W\d_]{3,})")


def _count(text: str) -> int:
    """The first whole number from 2 to :data:`_MAX_COUNT` that a question states in words
    ("tiga syarat") or as a figure before a word ("3 langkah"; not "2°C")."""
    figures = [(float(m.group(1)), "number") for m in _COUNTED_FIGURE.finditer(text)]
    for value, kind in number_word_facts(text) + figures:
        if kind == "number" and value == int(value) and 2 <= value <= _MAX_COUNT:
            return int(value)
    return 0


# ---------------------------------------------------------------- follow-ups


def _is_elliptical(question: str) -> bool:
    parts = question.split()
    if not parts or len(parts) > 6:
        return False
    if _FOLLOWUP_CUE.search(question):
        return True
    return len(parts) <= 3 and not _QUESTION_WORD.search(question)


def _replace_word(text: str, old: str, new: str) -> str:
    pattern = re.compile(r"(?<!\w)" + re.escape(old) + r"(?!\w)", re.IGNORECASE)
    return pattern.sub(new, text, count=1)


def merge_followup(question: str, history: list[str]) -> str:
    """Complete an elliptical follow-up ("dan Persija?") from the previous question.

    The previous question's name (or year) is replaced by the new one; with nothing to replace,
    the follow-up's words are appended. Full questions are returned unchanged.
    """
    previous = next((h for h in reversed(history) if h and h.strip()), "")
    if not previous or not _is_elliptical(question):
        return question
    merged = previous
    body = _FOLLOWUP_CUE.sub("", question).strip(" ?")
    new_names = proper_names(body, known=frozenset(words(body))) if body else []
    old_names = [n for n in proper_names(previous) if n not in new_names]
    for old, new in zip(old_names, new_names, strict=False):
        merged = _replace_word(merged, old, new)
    for old_year, new_year in zip(years(previous), years(question), strict=False):
        merged = _replace_word(merged, str(old_year), str(new_year))
    if merged != previous:
        return merged
    return f"{previous.rstrip(' ?')} {body}?" if body else previous
