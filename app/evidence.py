"""Sentence evidence for the extractive answerer: preparation, entity agreement, answer types.

Each passage sentence is prepared once (its vocabulary, proper names and the sentences just
before it in its document, for resolving "perusahaan ini" / "the company"), then scored against
an analyzed question by :func:`rank_sentences`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from app.lexicon import is_name_word, synonyms
from app.question import QuestionInfo
from app.textmatch import (
    Vocab,
    facts_match,
    is_acronym,
    is_affixed_verb,
    number_facts,
    proper_names,
    tokenize,
    word_keys,
    years,
)
from app.types import Passage
from ingest.text import sentence_spans

_ALIASES: dict[str, str] = {
    "chatgpt": "openai",
    "gpt": "openai",
    "claude": "anthropic",
    "gemini": "google",
    "deepmind": "google",
    "alphabet": "google",
}
_AMOUNT_WORDS = re.compile(
    r"\b(ratusan|miliaran|triliunan|jutaan|ribuan|setengah|separuh|tiga perempat|seperempat|"
    r"hundreds|thousands|millions|billions|trillions|half|three quarters|a quarter|dozens|"
    r"puluhan|belasan)\b",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"\b(januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|"
    r"desember|january|february|march|may|june|july|august|october|december|abad|century|"
    r"minggu ini|bulan ini|tahun ini|this week|this month|this year|last year|tahun lalu|"
    r"quarter|kuartal|kemarin|yesterday|today|hari ini)\b",
    re.IGNORECASE,
)
_PERCENT_Q = re.compile(
    r"\b(persen|persentase|percent|percentage|proporsi|porsi|share of|what share|proportion|"
    r"fraction|portion|how much of|berapa bagian)\b|%"
)
_COUNT_Q = re.compile(r"\b(how many|berapa banyak|jumlah|berapa orang|berapa kali)\b")
_FRACTION = re.compile(
    r"\b(setengah|separuh|sepertiga|seperempat|tiga perempat|dua pertiga|half|a third|"
    r"a quarter|three quarters|two thirds)\b",
    re.IGNORECASE,
)
_MONEY_WORDS = frozenset(
    "revenue loss profit cost spending money fund value price debt loan investment valuation "
    "salary capital dollar bill".split()
)
_CHANGE_WORDS = frozenset("fall rise turun naik".split())
_MONTHS = frozenset(
    "januari februari maret april mei juni juli agustus september oktober november desember "
    "january february march may june july august october december".split()
)
_DURATION_WORDS = re.compile(
    r"\b(?:se(?:hari|minggu|pekan|bulan|tahun|windu|abad)|(?:\d+|satu|dua|tiga|empat|lima|enam|"
    r"tujuh|delapan|sembilan|sepuluh|belasan|puluhan|beberapa|a|an|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|single|several|few|couple of)[\s-]+(?:hari|minggu|pekan|bulan|tahun|"
    r"dekade|jam|menit|days?|weeks?|months?|years?|decades?|hours?|minutes?))\b",
    re.IGNORECASE,
)
_ENUMERATION = re.compile(
    r"\b(?:seperti|misalnya|antara lain|termasuk|yakni|yaitu|such as|including|namely)\b|"
    r"[^,;]+,[^,;]+,",
    re.IGNORECASE,
)
_REASON_WORDS = re.compile(
    r"\b(karena|sebab|akibat|sehingga|agar|supaya|untuk|because|due to|as a result|so that|"
    r"driven by|in order to|reason|alasan)\b",
    re.IGNORECASE,
)


@dataclass
class Sentence:
    n: int
    rank: int
    text: str
    span: tuple[int, int]
    doc_id: str
    vocab: Vocab
    names: list[str]
    orgs: list[str]
    prev: list[Sentence]
    passage_vocab: Vocab
    score: float = 0.0


# ---------------------------------------------------------------- sentence preparation


def _concept(name: str) -> bool:
    tokens = tokenize(name)
    return not tokens or all((synonyms(t) and not is_name_word(t)) or t in _MONTHS for t in tokens)


def _org_like(name: str) -> bool:
    return len(name.split()) == 1 or is_acronym(name)


def prepare_sentences(indexed: list[tuple[int, Passage]]) -> list[Sentence]:
    out: list[Sentence] = []
    for rank, (n, passage) in enumerate(indexed):
        passage_vocab = Vocab.of(passage.text)
        for a, b in sentence_spans(passage.text):
            text = passage.text[a:b].strip()
            if len(tokenize(text)) < 3:
                continue
            names = [m for m in proper_names(text) if not _concept(m)]
            sentence = Sentence(
                n=n,
                rank=rank,
                text=text,
                span=(passage.start + a, passage.start + b),
                doc_id=passage.doc_id,
                vocab=Vocab.of(text),
                names=names,
                orgs=[m for m in names if _org_like(m)],
                prev=[],
                passage_vocab=passage_vocab,
            )
            out.append(sentence)
    _link_previous(out)
    return out


def _link_previous(sentences: list[Sentence]) -> None:
    """Give each sentence the (up to 3) sentences just before it in its document.

    Passages of one document may overlap or be adjacent; the longest version of a sentence
    wins over a fragment cut by chunking.
    """
    by_doc: dict[str, dict[tuple[int, int], Sentence]] = {}
    for s in sentences:
        by_doc.setdefault(s.doc_id, {}).setdefault(s.span, s)
    for s in sentences:
        doc = list(by_doc[s.doc_id].values())
        chain: list[Sentence] = []
        start = s.span[0]
        while len(chain) < 3:
            before = [o for o in doc if o.span[1] <= start and start - o.span[1] <= 3]
            if not before:
                break
            best = min(before, key=lambda o: o.span[0])
            chain.append(best)
            start = best.span[0]
        s.prev = chain


# ---------------------------------------------------------------- matching


def _entity_tokens(entity: str) -> list[str]:
    return [_ALIASES.get(t, t) for t in tokenize(entity)]


def has_entity(entity: str, vocab: Vocab) -> bool:
    tokens = _entity_tokens(entity)
    if not tokens:
        return False
    present = {_ALIASES.get(t, t) for t in vocab.surface}
    hits = [t in present or bool(is_name_word(t) and synonyms(t) & present) for t in tokens]
    return hits[-1] and sum(hits) * 2 >= len(tokens)


def _names_entity(names: list[str], entity: str) -> bool:
    return any(has_entity(entity, Vocab.of(name)) for name in names)


def _head(s: Sentence) -> list[str]:
    return [_ALIASES.get(t, t) for t in tokenize(s.text)[:5]]


def _antecedent_weight(entity: str, s: Sentence, info: QuestionInfo, strong: bool) -> float:
    """How surely an entity-less sentence continues a sentence about ``entity``."""
    found_names = False
    for prev in s.prev:
        if has_entity(entity, prev.vocab):
            in_head = any(t in _head(prev) for t in _entity_tokens(entity))
            first = _names_entity((prev.orgs or prev.names)[:1], entity)
            return 0.75 if in_head or first else 0.4
        if prev.text[:1].islower():
            break  # a fragment cut by chunking: its subject is unknown
        found_names = found_names or bool(prev.names)
        if any(t in _head(prev) for m in prev.names for t in _entity_tokens(m)):
            break  # that sentence has another subject
    if found_names:
        return 0.1
    if info.qtype == "person":
        return 0.3
    if strong:
        return 0.5  # unknown subject, but the sentence matches the question word for word
    return 0.45 if has_entity(entity, s.passage_vocab) else 0.4


def entity_weight(entity: str, s: Sentence, info: QuestionInfo, strong: bool = False) -> float:
    if has_entity(entity, s.vocab):
        return 0.7 if _foreign_subject(entity, s, info) else 1.0
    weight = _antecedent_weight(entity, s, info, strong)
    foreign = [o for o in s.orgs if not any(_names_entity([o], e) for e in info.entities)]
    if foreign:
        head = _head(s)
        in_subject = any(t in head for o in foreign for t in _entity_tokens(o))
        weight *= 0.3 if in_subject else 0.8
    return weight


def _foreign_subject(entity: str, s: Sentence, info: QuestionInfo) -> bool:
    """Whether another organisation, not ``entity``, opens the sentence."""
    head = _head(s)
    if any(t in head for t in _entity_tokens(entity)):
        return False
    foreign = [o for o in s.orgs if not any(_names_entity([o], e) for e in info.entities)]
    return any(t in head for o in foreign for t in _entity_tokens(o))


def _entity_score(s: Sentence, info: QuestionInfo, strong: bool = False) -> float:
    if not info.entities:
        return 1.0
    weights = [entity_weight(e, s, info, strong) for e in info.entities]
    if max(weights) < 0.5:
        return 0.0
    return sum(weights) / len(weights)


_ANAPHOR = re.compile(r"\b(tersebut|itu|ini|that|this|these|those|such|the same)\b", re.IGNORECASE)


def _coverage(s: Sentence, keywords: list[str], idf: dict[str, float]) -> tuple[float, float]:
    """(own, with-context) idf-weighted share of keywords in the sentence (and the one before).

    A sentence pointing back ("kabel tersebut", "that fibre") that matches some keywords itself
    borrows more from the one before.
    """
    if not keywords:
        return 1.0, 1.0
    total = sum(idf[k] for k in keywords)
    own = context = 0.0
    for k in keywords:
        if s.vocab.has(k):
            own += idf[k]
        elif any(p.vocab.has(k) for p in s.prev[:1]):
            context += idf[k]
    if own and _ANAPHOR.search(s.text):
        borrowed = (own + 0.8 * context) / total
        return borrowed, borrowed
    return own / total, (own + 0.5 * context) / total


def _new_names(s: Sentence, info: QuestionInfo) -> list[str]:
    return [
        m
        for m in s.names
        if not any(_names_entity([m], e) for e in info.entities)
        and not all(synonyms(t) for t in tokenize(m))
    ]


def _amount_ok(s: Sentence, info: QuestionInfo) -> bool:
    facts = [
        f
        for f in number_facts(s.text)
        if not facts_match(f, info.numbers) and not (f[1] == "number" and _is_year(f[0]))
    ]
    low = info.text.lower()
    if _PERCENT_Q.search(low):
        return any(kind == "percent" for _, kind in facts) or bool(_FRACTION.search(s.text))
    if _COUNT_Q.search(low):
        return any(kind == "number" for _, kind in facts) or bool(_AMOUNT_WORDS.search(s.text))
    if any(word_keys(k) & _MONEY_WORDS for k in info.keywords):
        changed = any(word_keys(k) & _CHANGE_WORDS for k in info.keywords)  # "prices fell by"
        money = any(
            kind == "money" or value >= 1e6 or (changed and kind == "percent")
            for value, kind in facts
        )
        return money or bool(_AMOUNT_WORDS.search(s.text))
    return bool(facts) or bool(_AMOUNT_WORDS.search(s.text))


def enumerates(s: Sentence, info: QuestionInfo) -> bool:
    """Whether the sentence lists items (two new names, or "such as", "X, Y and Z")."""
    return len(_new_names(s, info)) >= 2 or bool(_ENUMERATION.search(s.text))


def _type_ok(s: Sentence, info: QuestionInfo) -> bool:
    if info.qtype == "amount":
        return _amount_ok(s, info)
    if info.qtype == "time":
        new_years = [y for y in years(s.text) if y not in info.years]
        return bool(new_years) or bool(_DATE_WORDS.search(s.text))
    if info.qtype == "duration":
        return bool(_DURATION_WORDS.search(s.text))
    if info.qtype in ("person", "name"):
        return _named(s, info) if info.head else bool(_new_names(s, info))
    return True


def _named(s: Sentence, info: QuestionInfo) -> bool:
    """A new name right beside the asked noun: "the Claude model", "model bernama Claude"."""
    tokens = tokenize(s.text)
    head = Vocab.of(info.head)
    spots = [i for i, t in enumerate(tokens) if head.has(t) or Vocab.of(t).has(info.head)]
    asked = set(tokenize(info.text))
    for name in s.names:  # literally new: "Claude" answers "name of Anthropic's model"
        name_tokens = tokenize(name)
        if set(name_tokens) <= asked or all(synonyms(t) for t in name_tokens):
            continue
        for i in range(len(tokens) - len(name_tokens) + 1):
            if tokens[i : i + len(name_tokens)] == name_tokens:
                end = i + len(name_tokens)
                if any(i - 3 <= spot < i or spot == end for spot in spots):
                    return True
    return False


def _is_year(value: float) -> bool:
    return value.is_integer() and 1800 <= value <= 2100


def _numbers_ok(s: Sentence, info: QuestionInfo) -> bool:
    pool = number_facts(s.text) + [f for p in s.prev[:1] for f in number_facts(p.text)]
    return all(facts_match(f, pool) for f in info.numbers)


def _score(s: Sentence, info: QuestionInfo, keywords: list[str], idf: dict[str, float]) -> float:
    """Score in [0, 1]; 0 when a gate fails (type, entity, numbers, coverage)."""
    if not _type_ok(s, info) or not _numbers_ok(s, info):
        return 0.0
    own, coverage = _coverage(s, keywords, idf)
    entity = _entity_score(s, info, strong=own >= 0.9 and len(keywords) >= 2)
    floor = 0.5 if len(keywords) <= 2 else 0.4  # long questions are paraphrased more
    if entity < 0.45 or coverage < floor or own < 0.34:
        return 0.0
    generic = [g for g in info.generic if s.vocab.has(g)]
    score = 0.55 * coverage + 0.25 * entity + 0.1 / (1 + 0.3 * s.rank)
    score += 0.05 * min(1.0, len(generic) / 2)
    if info.qtype == "reason" and _REASON_WORDS.search(s.text):
        score += 0.05
    if info.listing and enumerates(s, info):
        score += 0.05
    if not re.search(r"[.!?…\"”’)]$", s.text):
        score -= 0.15  # a heading, not a sentence
    if s.text[:1].islower():
        score -= 0.1  # a fragment cut by chunking
    return score


def _idf(keywords: list[str], sentences: list[Sentence]) -> dict[str, float]:
    """Keyword weights: rarer words count more; verbs (easily paraphrased) count half."""
    total = max(1, len(sentences))
    out: dict[str, float] = {}
    for k in keywords:
        df = sum(1 for s in sentences if s.vocab.has(k))
        weight = 1.0 + math.log((total + 1) / (df + 1)) if df else 1.0
        out[k] = weight * (0.5 if is_affixed_verb(k) else 1.0)
    return out


def rank_sentences(
    info: QuestionInfo, sentences: list[Sentence], keywords: list[str]
) -> list[Sentence]:
    idf = _idf(keywords, sentences)
    best: dict[str, Sentence] = {}
    for s in sentences:
        s.score = _score(s, info, keywords, idf)
        key = " ".join(tokenize(s.text))
        if s.score > 0 and (key not in best or s.score > best[key].score):
            best[key] = s
    return sorted(best.values(), key=lambda s: (-s.score, s.rank, s.span))
