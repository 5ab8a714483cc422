"""The text side of the citation judge: clauses, negation, and the names, numbers and weekdays
of a claim or of a passage sentence.

Everything here is closed-class grammar of Indonesian and English (conjunctions, negations,
title acronyms) over the shared toolkit in ``ingest/``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.answer.markers import ATTRIBUTION
from ingest.names import TITLE_ACRONYMS, proper_names
from ingest.numbers import Fact, all_number_mentions, months, number_mentions, weekdays
from ingest.terms import has_negation, is_content, stem, words

# Closed class: clause boundaries (commas, coordinators and subordinators of both languages).
_JOINERS = (
    "and|but|while|whereas|because|so|after|before|although|though|including|especially|"
    "dan|serta|sedangkan|namun|tetapi|tapi|sementara|karena|sehingga|setelah|sebelum|"
    "meskipun|walaupun|termasuk|terutama"
)
_PUNCTUATION = re.compile(r"[,;]")
# ("two and a half" is one number, not two clauses)
_CLAUSE = re.compile(
    rf"\s*(?:;|,(?!\d)\s*(?:(?:{_JOINERS})\b)?|\s(?:{_JOINERS})\s(?!a\s+half\b))\s*", re.I
)
# Closed class: negation words that contrast ("X, bukan Y", "not only") or name ("No. 1").
_CONTRAST = re.compile(
    r"(?i:,\s*(?:bukan|not)\b[^,;.]*|\b(?:not only|not just|bukan hanya|bukan sekadar|"
    r"tidak hanya|tak hanya)\b)|\bNo\.\s*\d"
)
# Closed class: phrases whose negation word negates nothing ("paling tidak" = at least, "tak
# lama kemudian" = soon after, "no less than").
_IDIOM = re.compile(
    r"(?i)\b(?:paling tidak|(?:tidak|tak) lama|(?:tidak|tak) kurang dari|not long|no later than|"
    r"no (?:less|fewer) than|not less than)\b"
)
# "Without" before a noun is a privative, not a denial of what a clause states: "tanpa izin"
# is "unlicensed", "without a win" is "winless". Before a verb form (Indonesian verb affixes,
# English "-ing"), an auxiliary or "any", it still negates ("tanpa dipungut biaya").
_PRIVATIVE = re.compile(
    r"(?i)\b(?:without|tanpa)\b(?!\s+(?:\w+ing|being|having|any\w*|(?:me|ber|di|ter|per)\w+|"
    r"harus|perlu|bisa|dapat|boleh|pernah|ada(?:nya)?|sempat)\b)"
)
# Closed class: the words of a ban in both languages ("melarang", "prohibits", "banned").
_BAN = (
    r"(?:me|di)?larang(?:nya)?|larangan|prohibit(?:s|ed|ing|ion)?|forb(?:id|ids|ade|idden|"
    r"idding)|ban(?:s|ned|ning)?"
)
# Closed class: verbs that deny what follows, in both languages: to prohibit, to prevent, to
# deny ("untuk mencegah antrean" states what "agar tidak terjadi antrean" states).
_DENYING = re.compile(
    rf"(?i)\b(?:{_BAN}|(?:men|di)?cegah|pencegahan|prevent(?:s|ed|ing)?|"
    r"(?:mem|di)?bantah|menampik|ditampik|menyangkal|disangkal|den(?:y|ies|ied|ying)|"
    r"stop(?:s|ped|ping)?\b(?=(?:\s+[\w-]+){1,5}?\s+from\s+\w+ing\b)|gagal\s+"
    r"(?:me|di|ber)\w+|fail(?:s|ed)?\s+to)\b"
)
# A ban, which a translation keeps as a ban ("melarang" is "bans", "prohibits", "bars",
# "outlaws" or "does not allow"; never plain "allows").
_FORBIDS = re.compile(rf"(?i)\b(?:{_BAN}|barr(?:ed|ing)|outlaw(?:s|ed|ing)?)\b")
# Closed class: a denying noun that points back at a ban already stated ("larangan ini
# berlaku…", "the ban applies…") denies nothing in its own sentence.
_BACK = re.compile(
    r"(?i)\b(?:(?:larangan|pencegahan)\s+(?:ini|itu|tersebut)|(?:the|this|that)\s+"
    r"(?:ban|prohibition)\b(?!\s+(?:on|of|against|to)\b))"
)


@dataclass
class Unit:
    """A passage sentence, a claim or one of its clauses, with its names and numbers."""

    text: str
    lang: str
    names: list[str]
    facts: list[tuple[str, Fact]]
    passage: int = 0
    part: bool = False
    days: frozenset[int] = field(default_factory=frozenset)
    months: frozenset[int] = field(default_factory=frozenset)

    @property
    def values(self) -> list[Fact]:
        """The numbers of the unit as (value, kind)."""
        return [f for _, f in self.facts]


def norm(text: str) -> str:
    """Casefolded text with unified quotes and spaces, for verbatim matching."""
    return " ".join(re.sub(r"[“”„]", '"', text).split()).casefold().rstrip(".!?")


# Closed class: words that state a direction on a scale, by axis and side, in both languages
# (a rise, no change or a fall, more or less, the most or the least, a win or a loss, kept or
# lost, a yes or a no to a request, opened or closed, installed or removed, the same or
# different, ahead or behind).
_DIRECTIONS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(
        """naik menaik kenaikan meningkat meningkatkan peningkatan bertambah pertambahan melonjak
        lonjakan melambung tumbuh bertumbuh rise rises rose risen rising increase increased
        increases increasing grew grow grows growing climb climbed climbs jump jumped jumps
        soar soared surge surged double doubled doubles doubling triple tripled berlipat
        menaikkan dinaikkan raise raised raises raising menguat strengthen strengthened
        strengthens intensify intensified intensifies intensifying""".split(),
        ("change", 1),
    ),
    **dict.fromkeys("tetap stabil unchanged steady flat".split(), ("change", 0)),
    **dict.fromkeys(
        """turun menurun penurunan berkurang pengurangan merosot anjlok menyusut susut fall falls
        fell fallen falling decrease decreased decreases decreasing decline declined declines
        declining drop dropped drops dropping shrank shrink shrinks shrunk plunge plunged slump
        slumped menurunkan diturunkan lowered lowers lowering jatuh melemah weaken weakened
        weakens ease eased eases easing""".split(),
        ("change", -1),
    ),
    **dict.fromkeys(
        """more higher greater larger bigger heavier highest greatest largest biggest
        heaviest tertinggi terbesar terbanyak terberat""".split(),
        ("amount", 1),
    ),
    **dict.fromkeys(
        """fewer less lower smaller lighter lowest smallest fewest lightest terendah
        terkecil tersedikit teringan""".split(),
        ("amount", -1),
    ),
    **dict.fromkeys(
        """membaik pulih improve improved improves improving better""".split(), ("condition", 1)
    ),
    **dict.fromkeys(
        """memburuk worsen worsened worsens worsening worse deteriorate deteriorated
        deteriorates deteriorating""".split(),
        ("condition", -1),
    ),
    **dict.fromkeys(
        """diperpanjang memperpanjang perpanjangan lengthen lengthened lengthens extend
        extended extends extending""".split(),
        ("length", 1),
    ),
    **dict.fromkeys(
        """diperpendek memperpendek dipersingkat mempersingkat shorten shortened shortens
        shortening""".split(),
        ("length", -1),
    ),
    **dict.fromkeys(
        """menang memenangi memenangkan kemenangan mengalahkan win wins won winning beat
        beats""".split(),
        ("outcome", 1),
    ),
    **dict.fromkeys(
        """mempertahankan dipertahankan retain retained retains keep keeps kept""".split(),
        ("outcome", 1),
    ),
    **dict.fromkeys("kalah kekalahan kehilangan lose loses losing lost".split(), ("outcome", -1)),
    **dict.fromkeys(
        """buka membuka dibuka pembukaan terbuka open opens opened opening reopen reopens
        reopened""".split(),
        ("open", 1),
    ),
    **dict.fromkeys(
        """tutup menutup ditutup penutupan tertutup close closes closed closing closure shut
        shuts""".split(),
        ("open", -1),
    ),
    **dict.fromkeys(
        """memasang dipasang pemasangan install installs installed installing""".split(),
        ("fitted", 1),
    ),
    **dict.fromkeys(
        """mencopot dicopot membongkar dibongkar remove removes removed removing dismantle
        dismantled dismantles""".split(),
        ("fitted", -1),
    ),
    **dict.fromkeys(
        """setuju menyetujui disetujui persetujuan mengabulkan dikabulkan sepakat bersepakat
        menyepakati disepakati approve approved approves accept accepted accepts agree agreed
        agrees""".split(),
        ("decision", 1),
    ),
    **dict.fromkeys(
        """menolak ditolak penolakan reject rejected rejects refuse refused refuses""".split(),
        ("decision", -1),
    ),
    **dict.fromkeys("mirip serupa similar identical".split(), ("likeness", 1)),
    **dict.fromkeys("berbeda beda perbedaan different differs differ".split(), ("likeness", -1)),
    **dict.fromkeys(
        "berat parah heavy heavily severe severely serious seriously".split(), ("severity", 1)
    ),
    **dict.fromkeys("ringan light lightly mild mildly minor".split(), ("severity", -1)),
    **dict.fromkeys("ahead above unggul".split(), ("standing", 1)),
    **dict.fromkeys("behind below tertinggal".split(), ("standing", -1)),
}
# Closed class: Indonesian positions of two words ("di atas": above, "di bawah": below).
_DI: dict[str, int] = {"atas": 1, "bawah": -1}
# "close" that means near ("close to", "close by") states no closing; "in light of" states
# no lightness
_NEAR = frozenset({"to", "by"})


# Closed class: Indonesian comparatives, "lebih" and an adjective of size or amount.
_LEBIH: dict[str, int] = {
    **dict.fromkeys("besar banyak tinggi luas panjang mahal lama berat".split(), 1),
    **dict.fromkeys("kecil sedikit rendah sempit pendek murah singkat ringan".split(), -1),
}


# Closed class: a vote for something ("voted 27 to 12 to close": approval, the tally aside;
# "voted to reject" is the verb's) or against it (rejection).
_VOTE = re.compile(
    r"(?i)\bvot(?:e|es|ed|ing)\b(?:(?!\bagainst\b)[^.;]){0,40}?\bto\s+(?P<verb>[a-z]+)"
    r"|\b(?P<against>vot(?:e|es|ed|ing)\s+(?:\w+\s+)?against)\b"
)


def directions(text: str) -> dict[str, frozenset[int]]:
    """The sides of each scale a text states ("turun" and "fell": the change axis, -1)."""
    found: dict[str, set[int]] = {}
    for m in _VOTE.finditer(text):
        verb = (m.group("verb") or "").lower()
        if _DIRECTIONS.get(verb, ("", 0))[0] != "decision":
            found.setdefault("decision", set()).add(-1 if m.group("against") else 1)
    ws = ["", *words(text), ""]
    for before, w, after in zip(ws, ws[1:], ws[2:], strict=False):  # a word and its neighbours
        near = w == "close" and after in _NEAR
        if w in _DIRECTIONS and not near and not (w == "light" and before == "in"):
            axis, side = _DIRECTIONS[w]
            found.setdefault(axis, set()).add(side)
        if before == "lebih" and w in _LEBIH:  # "lebih kecil": less, "lebih besar": more
            found.setdefault("amount", set()).add(_LEBIH[w])
        elif before == "di" and w in _DI:  # "di bawah": below
            found.setdefault("standing", set()).add(_DI[w])
    return {axis: frozenset(sides) for axis, sides in found.items()}


# Closed class: words that restrict a statement to what follows ("only on school days"), and
# the same words negated ("not only on school days").
_ONLY = re.compile(r"(?i)\b(?:only|solely|exclusively|hanya|cuma|semata(?:-mata)?)\b")
_NOT_ONLY = re.compile(
    r"(?i)\b(?:not|tidak|tak|bukan)\s+(?:only|just|solely|merely|hanya|cuma|sekadar|"
    r"semata(?:-mata)?)\b"
)


def restricted(text: str) -> int:
    """1 when a text restricts what it states ("hanya pada hari sekolah"), -1 when it denies a
    restriction ("not only on school days"), 0 when it does neither."""
    if _NOT_ONLY.search(text):
        return -1
    return 1 if _ONLY.search(text) else 0


def negated(text: str) -> bool:
    """A negation that is not a contrast ("X, not Y"), an idiom ("paling tidak": at least) nor a
    "No. 1"; or a verb that denies what follows ("dilarang membawa" as "tidak boleh membawa",
    "stop X from opening" as "ban X from opening"), unless it only points back at a ban."""
    plain_text = _BACK.sub(" ", _IDIOM.sub(" ", _PRIVATIVE.sub(" ", _CONTRAST.sub(" ", text))))
    return has_negation(plain_text) or bool(_DENYING.search(plain_text))


def forbids(text: str) -> bool:
    """Whether a text states a ban that does not merely point back at one."""
    return bool(_FORBIDS.search(_BACK.sub(" ", text)))


def names_of(text: str, known: frozenset[str]) -> list[str]:
    """Proper names, title acronyms aside (they are checked with :func:`title_in`)."""
    return [n for n in proper_names(text, known) if n.lower() not in TITLE_ACRONYMS]


def title_in(text: str, name: str) -> bool:
    """Whether ``name`` is a title acronym written out in ``text`` ("chief executive")."""
    full = TITLE_ACRONYMS.get(name.lower())
    return full is not None and full in " ".join(words(text))


def without_names(text: str, names: Sequence[str]) -> str:
    """The text with these names left out: the claim's content, to find where it is without
    letting a name pull it to a passage that merely mentions someone."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return re.sub(r"\s+([,.;:])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,")


def read(text: str, lang: str, known: frozenset[str], passage: int = 0) -> Unit:
    """A unit with its names, numbers, weekdays and months."""
    return Unit(text, lang, names_of(text, known), all_number_mentions(text), passage,
                days=weekdays(text), months=months(text))  # fmt: skip


def content_count(text: str, lang: str, names: Sequence[str]) -> int:
    """Content words of a clause that are neither names, numbers nor attribution."""
    skip = {w for n in names for w in words(n)} | ATTRIBUTION
    return sum(1 for w in words(text) if w[0].isalpha() and is_content(w, lang) and w not in skip)


def split_clauses(text: str, lang: str, names: Sequence[str], min_words: int) -> list[str]:
    """Clauses at ";", "," and conjunctions; a piece too short to judge joins the next one, and
    so does a single word joined to the next by a bare conjunction ("volunteers and local
    fishers planted …": one subject, not two clauses)."""
    bounds = [0] + [x for m in _CLAUSE.finditer(text) for x in m.span()] + [len(text)]
    merged: list[tuple[int, int]] = []
    start: int | None = None
    for a, b, after in zip(bounds[::2], bounds[1::2], [*bounds[2::2], len(text)], strict=True):
        if b <= a:
            continue
        before = text[merged[-1][1] : a] if merged and start is None else ""
        if before and not _PUNCTUATION.search(before) and not content_count(text[a:b], lang, ()):
            merged[-1] = (merged[-1][0], b)  # "in 2021 and 2022": the number ends the clause
            continue
        start = a if start is None else start
        joint = text[b:after]  # what joins this piece to the next ("" after the last)
        coordinated = len(words(text[a:b])) == 1 and bool(joint) and not _PUNCTUATION.search(joint)
        if not coordinated and content_count(text[start:b], lang, names) >= min_words:
            merged.append((start, b))
            start = None
    if start is not None:
        merged[-1:] = [(merged[-1][0] if merged else start, len(text))]
    return [text[a:b].strip(" ,;") for a, b in merged]


_NEXT_WORD = re.compile(r"\s+([^\W\d_]+)")


def counted(text: str, lang: str) -> list[tuple[str, Fact, str]]:
    """Each number in digits with what it counts: the stem of the content word right after it
    ("50,000 *applications*"), when one follows."""
    out: list[tuple[str, Fact, str]] = []
    at = 0
    for written, fact in number_mentions(text):
        i = text.find(written, at)
        if i < 0:
            continue
        at = i + len(written)
        after = _NEXT_WORD.match(text, at)
        if after and is_content(after.group(1).lower(), lang):
            out.append((written, fact, stem(after.group(1).lower(), lang)))
    return out


def slot_rival(claim: str, name: str, best: str) -> str | None:
    """The capitalized word that fills the name's place in the best sentence, aligning the
    words on either side of the name ("Hyundai said it would" ~ "Toyota, by contrast, said it
    would"): a name swapped into an otherwise copied sentence."""
    gap = slot(claim, name, best)
    if gap is None:
        return None
    caps = {w.lower() for w in re.findall(r"\b[^\W\d_]*[A-Z]\w*", best)}
    mine = set(words(claim))
    return next((w for w in gap if w in caps and w not in mine and is_content(w)), None)


def slot(claim: str, name: str, best: str) -> list[str] | None:
    """The words of the best sentence in the name's place, aligning the words on either side
    of the name in the claim; None when they do not align or the place holds the name."""
    c, b, n = words(claim), words(best), words(name)
    at = next((i for i in range(len(c)) if c[i : i + len(n)] == n), None)
    if at is None or not n:
        return None
    left = c[at - 1] if at else None
    right = c[at + len(n)] if at + len(n) < len(c) else None
    lefts = [-1] if left is None else [j for j, w in enumerate(b) if w == left]
    rights = [len(b)] if right is None else [j for j, w in enumerate(b) if w == right]
    if rights and not lefts:  # "owner X said" ~ "manager Y said": the words before the verb
        lefts = [-1]
    gaps = [(r - a, a, r) for a in lefts for r in rights if a < r]
    if not gaps:
        return None
    _, lo, hi = min(gaps)
    gap = b[lo + 1 : hi]
    if not gap or len(gap) > len(n) + 3 or set(n) & set(gap):
        return None
    return gap
