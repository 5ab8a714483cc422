"""Question analysis for the extractive answerer: language, type, entities, keywords, follow-ups."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.lexicon import is_name_word, synonyms
from app.textmatch import (
    KNOWN_ENTITIES,
    content_words,
    is_acronym,
    is_content,
    number_facts,
    proper_names,
    tokenize,
    years,
)
from ingest.text import detect_language

_ID_CUES = frozenset(
    "apa berapa siapa kapan bagaimana mengapa kenapa bandingkan apakah yang dan dengan di "
    "untuk dari pada tahun seberapa jelaskan sebutkan menurut perbedaan dalam hal soal".split()
)
_EN_CUES = frozenset(
    "what how who when why which compare does did is are was were the of to in for do "
    "according explain describe much many between".split()
)

# Words that frame a question rather than name what it asks about.
GENERIC_WORDS = frozenset(
    """apa apakah siapa kapan berapa berapakah mengapa kenapa bagaimana seberapa mana manakah
    jumlah besar nilai total menurut artikel berita laporan dilaporkan disebutkan dijelaskan
    jelaskan sebutkan ceritakan bandingkan perbandingan dibandingkan membandingkan perbedaan
    beda bedanya hal soal terkait akan perusahaan kata mengatakan menyatakan berkata disebut
    info informasi detail punya sekarang ai tahun bulan diperkirakan memperkirakan perkiraan
    proyeksi diproyeksikan memproyeksikan rencana direncanakan sebenarnya utama
    what which who when why how much many according article articles report reported reports
    say said says tell describe explain compare comparison compared versus vs difference differ
    differences company companies expected expect expects plan plans planned projected going
    number amount size value total big large mention mentioned state stated info information
    detail details year years month ai main actually happen happened persen persentase percent
    percentage dikatakan katakan dilakukan melakukan lakukan membuat dibuat terjadi mendapat
    mendapatkan dilaporkan melaporkan do does did make made makes get got have has had done
    doing happen happens take took give gave nama name named isi keseluruhan secara dimaksud
    maksud arti artinya mean means meant provide provides provided berikan memberikan diberikan
    sebut menyebut disebut called call known dikenal money uang become becomes became turn turns
    come comes go goes want wants need needs use uses used try tries see sees seen look looks
    keep keeps put puts bring brings think thinks mulai memulai dimulai start starts started
    starting begin begins began hampir almost nearly roughly sekitar kira occur occurs occurred
    take_place took_place takes_place terjadi berlangsung rentang waktu lama long time period
    periode jangka work works worked working""".split()
)

_COMPARE = re.compile(
    r"\b(bandingkan|perbandingan|dibandingkan|membandingkan|versus|vs\.?|compare[ds]?|"
    r"comparison|perbedaan|bedanya|difference|differ)\b"
)
_TIME = re.compile(
    r"\b(kapan|when|tahun berapa|what year|which year|sejak kapan|by when|bulan apa|"
    r"what month|what date|tanggal berapa)\b"
)
_AMOUNT = re.compile(
    r"\b(berapa|berapakah|seberapa|how much|how many|how large|how big|what percentage|"
    r"what percent|what share|what proportion|what portion|what fraction|persen|persentase|"
    r"percentage|nilai|jumlah|what (?:is|was|were|are) the (?:value|size|amount|total|number))\b"
)
_PERSON = re.compile(r"\b(siapa|siapakah|who|whom|whose)\b")
_DURATION = re.compile(
    r"\b(berapa lama|berapa lamakah|how long|rentang waktu|dalam waktu berapa|jangka waktu|"
    r"berapa (?:hari|minggu|pekan|bulan)|how many (?:days|weeks|months|years))\b"
)
_NAMED = re.compile(
    r"\b(what is the name|what's the name|what was the name|apa nama|siapa nama|bernama apa|"
    r"(?:which|what) (?:\w+ )?(?:compan(?:y|ies)|(?:firm|investor|chipmaker|maker|newspaper|outlet|"
    r"bank|organi[sz]ation|agency|regulator|brand|lab|startup)s?)|(?:perusahaan|lembaga|bank|merek|"
    r"media|investor) (?:apa|mana))\b"
)
_LIST = re.compile(
    r"\b(apa saja|siapa saja|mana saja|sebutkan|what are the|which \w+(?:s|ies)\b(?! is\b)|"
    r"(?:which|what) (?:\w+ )?(?:\w+s) (?:are|were|have|did|do))"
)
_REASON = re.compile(r"\b(mengapa|kenapa|why|alasan|penyebab|what caused|what reason)\b")


@dataclass(frozen=True)
class QuestionInfo:
    """What a question asks for."""

    text: str
    lang: str
    qtype: str  # amount | time | duration | person | name | reason | compare | other
    entities: tuple[str, ...]
    keywords: tuple[str, ...]
    generic: tuple[str, ...]
    numbers: tuple[tuple[float, str], ...]
    years: tuple[int, ...]
    listing: bool = False  # asks for several items ("which bubbles", "apa saja")
    head: str = ""  # the noun whose name is asked ("name of X's model" -> "model")


def question_language(question: str) -> str:
    """'id' or 'en' for a (possibly very short) question, using question-word cues."""
    words = tokenize(question)
    id_hits = sum(w in _ID_CUES for w in words)
    en_hits = sum(w in _EN_CUES for w in words)
    if id_hits != en_hits:
        return "id" if id_hits > en_hits else "en"
    return detect_language(question)


_TYPED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("duration", _DURATION),
    ("time", _TIME),
    ("person", _PERSON),
    ("name", _NAMED),
    ("amount", _AMOUNT),
)


def question_type(question: str) -> str:
    """The kind of answer a question needs (see :class:`QuestionInfo`).

    A comparison word after a specific question word ("When did the bust that analysts compare
    with ... occur?") does not make a comparison.
    """
    low = question.lower()
    compare = _COMPARE.search(low)
    for qtype, pattern in _TYPED:
        match = pattern.search(low)
        if match and (compare is None or match.start() < compare.start()):
            return qtype
    if compare:
        return "compare"
    if _REASON.search(low):
        return "reason"
    return "other"


_NAME_OF = re.compile(r"\b(?:name of|nama)\s+(.+)$", re.IGNORECASE)


def named_head(question: str) -> str:
    """The noun a "name of ..." question asks about ("name of X's main AI model" -> "model").

    English: the last word of the noun phrase after "name of" (possessives and determiners
    skipped, stopping at a preposition, verb or clause); Indonesian: the word after "nama".
    """
    match = _NAME_OF.search(question.strip())
    if not match:
        return ""
    phrase = re.sub(r"\b[\w-]+['’]s?\b", " ", match.group(1))  # possessors: "Anthropic's"
    words = tokenize(phrase)
    if match.group().lower().startswith("nama"):
        return words[0] if words else ""
    head = ""
    for word in words:
        if word in ("the", "a", "an", "its", "their", "his", "her"):
            continue
        if not is_content(word) or word.endswith(("ed", "ing")):
            break
        head = word
    return head


def is_list_question(question: str) -> bool:
    """Whether the question asks for several items ("which bubbles", "apa saja")."""
    return bool(_LIST.search(question.lower()))


def _is_concept(name: str) -> bool:
    tokens = tokenize(name)
    return bool(tokens) and all(synonyms(t) and not is_name_word(t) for t in tokens)


def question_entities(question: str) -> list[str]:
    """Names the question is about: capitalized names and known companies typed in lowercase."""
    out: list[str] = []
    for name in proper_names(question):
        if is_acronym(name) and _is_concept(name) or _is_concept(name):
            continue
        if name.lower() not in (e.lower() for e in out):
            out.append(name)
    lowered = {t for e in out for t in tokenize(e)}
    for token in tokenize(question):
        if token in KNOWN_ENTITIES and token not in lowered:
            out.append(token)
            lowered.add(token)
    return out


def analyze(question: str, lang: str | None = None) -> QuestionInfo:
    """Analyze a question: language, answer type, entities, distinctive and generic words."""
    entities = question_entities(question)
    entity_tokens = {t for e in entities for t in tokenize(e)}
    words = content_words(question, exclude=entity_tokens)
    keywords = tuple(w for w in words if w not in GENERIC_WORDS)
    generic = tuple(w for w in words if w in GENERIC_WORDS)
    q_years = tuple(years(question))
    return QuestionInfo(
        text=question,
        lang=lang or question_language(question),
        qtype=question_type(question),
        entities=tuple(entities),
        keywords=keywords,
        generic=generic,
        numbers=tuple(number_facts(question)),
        years=q_years,
        listing=is_list_question(question),
        head=named_head(question),
    )


# ---------------------------------------------------------------- comparison and follow-ups

_COMPARE_FILLER = frozenset(
    """bandingkan perbandingan dibandingkan membandingkan versus vs compare compared comparison
    perbedaan beda bedanya difference differ differences between antara dengan dan and with to
    on in terms regarding hal soal terkait mengenai tentang dalam of the their mereka keduanya
    both how does do what apa bagaimana is are antara""".split()
)


# Words that say how a side is looked at, not what to look for ("sikap terhadap belanja").
_ASPECT_FRAMING = frozenset(
    """sikap attitude attitudes stance stances approach approaches pendekatan strategi strategy
    strategies strategic cara way ways view views pandangan posisi position kebijakan policy
    policies taking take took ai tahun year years bulan month perusahaan company
    companies""".split()
)
_HOW_WORDS = frozenset(
    """sikap attitude stance approach approaches pendekatan strategi strategy strategies strategic
    cara way ways view views pandangan kebijakan policy policies""".split()
)
_QUANTITY_KEYS = frozenset(
    """revenue loss profit cost spending money fund value price debt valuation capital financial
    finance projection forecast target pendapatan kerugian laba biaya belanja keuangan proyeksi
    finansial""".split()
)


def aspect_keywords(aspect: QuestionInfo) -> tuple[str, ...]:
    """Words a comparison side must match: the aspect's content words and lexicon words among
    its generic ones ("proyeksi"), without framing ("sikap", "strategi") unless nothing else."""
    words = [
        *aspect.keywords,
        *(g for g in aspect.generic if synonyms(g) and g not in _ASPECT_FRAMING),
    ]
    focused = tuple(w for w in words if w not in _ASPECT_FRAMING)
    return focused or tuple(words)


def is_quantitative(info: QuestionInfo) -> bool:
    """Whether the answer is likely a figure: a year or money/forecast word in the question.

    Asking about a strategy or stance ("revenue strategies") wants a way, not a figure.
    """
    if not info.years and any(t in _HOW_WORDS for t in tokenize(info.text)):
        return False
    return bool(info.years or info.numbers) or any(
        {w, *synonyms(w)} & _QUANTITY_KEYS for w in info.keywords
    )


def parse_comparison(question: str) -> tuple[list[str], str] | None:
    """(entities, aspect) of a comparison question, or None when it is not one.

    "Bandingkan OpenAI dan Anthropic dalam hal profitabilitas" -> (["OpenAI", "Anthropic"],
    "profitabilitas").
    """
    if not _COMPARE.search(question.lower()):
        return None
    entities = question_entities(question)
    if len(entities) < 2:
        return None
    entity_tokens = {t for e in entities for t in tokenize(e)}
    aspect = [w for w in content_words(question, exclude=entity_tokens) if w not in _COMPARE_FILLER]
    aspect += [str(y) for y in dict.fromkeys(years(question))]
    return entities, " ".join(aspect).replace("_", " ")


_FOLLOWUP_CUE = re.compile(
    r"^\s*(dan|and|what about|how about|bagaimana dengan|gimana dengan|bagaimana untuk|lalu|"
    r"kalau|terus|untuk|for|dengan|then|also|juga)\b",
    re.IGNORECASE,
)
_QUESTION_WORD = re.compile(
    r"\b(apa|berapa|siapa|kapan|mengapa|kenapa|what|how|who|when|why|which)\b", re.IGNORECASE
)


def _is_elliptical(question: str) -> bool:
    words = question.split()
    if not words or len(words) > 6:
        return False
    if _FOLLOWUP_CUE.search(question):
        return True
    return len(words) <= 3 and not _QUESTION_WORD.search(question)


def _replace_word(text: str, old: str, new: str) -> str:
    pattern = re.compile(r"(?<!\w)" + re.escape(old) + r"(?!\w)", re.IGNORECASE)
    return pattern.sub(new, text, count=1)


def merge_followup(question: str, history: list[str]) -> str:
    """Complete an elliptical follow-up ("dan Anthropic?") from the previous question.

    The previous question's entity (or year) is replaced by the new one; with nothing to
    replace, the follow-up's words are appended. Full questions are returned unchanged.
    """
    previous = next((h for h in reversed(history) if h and h.strip()), "")
    if not previous or not _is_elliptical(question):
        return question
    merged = previous
    new_entities = question_entities(question)
    old_entities = [e for e in question_entities(previous) if e not in new_entities]
    for old, new in zip(old_entities, new_entities, strict=False):
        merged = _replace_word(merged, old, new)
    new_years, old_years = years(question), years(previous)
    for old_year, new_year in zip(old_years, new_years, strict=False):
        merged = _replace_word(merged, str(old_year), str(new_year))
    if merged != previous:
        return merged
    rest = _FOLLOWUP_CUE.sub("", question).strip(" ?")
    return f"{previous.rstrip(' ?')} {rest}?" if rest else previous
