"""Extractive answerer: pick the passage sentences that answer a question, or abstain.

No language model: every sentence of the ranked passages is scored against the question by
keyword coverage (stemmed, with a bilingual lexicon), entity agreement (the sentence must be about
the entity asked about), answer type (a number for "berapa", a year for "kapan", a name for
"siapa") and the retrieval rank. When no sentence clears the gates, it abstains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.constants import abstain_text, no_info_text
from app.evidence import (
    Sentence,
    entity_weight,
    enumerates,
    has_entity,
    prepare_sentences,
    rank_sentences,
)
from app.lexicon import synonyms
from app.question import (
    QuestionInfo,
    analyze,
    aspect_keywords,
    is_quantitative,
    merge_followup,
    parse_comparison,
    question_language,
)
from app.textmatch import (
    Vocab,
    facts_match,
    is_affixed_verb,
    number_facts,
    stem,
    tokenize,
    years,
)
from app.types import Passage
from ingest.text import detect_language

__all__ = [
    "ComparisonResult",
    "ExtractiveResult",
    "answer_comparison",
    "answer_extractive",
    "merge_followup",
    "parse_comparison",
    "question_language",
]

MAX_CHARS = 500


@dataclass
class ExtractiveResult:
    """An extractive answer: sentences ending with [n], or the abstention sentence."""

    answer: str
    abstained: bool
    used: list[tuple[int, tuple[int, int]]] = field(default_factory=list)
    lang: str = "en"


@dataclass
class ComparisonResult(ExtractiveResult):
    """A comparison answer plus the combined passage list its [n] markers index (1-based)."""

    passages: list[Passage] = field(default_factory=list)


# ---------------------------------------------------------------- global checks


def _passage_lang(passages: list[Passage]) -> str:
    langs = [p.lang or detect_language(p.text) for p in passages]
    return max(set(langs), key=langs.count) if langs else "en"


def _usable_keywords(info: QuestionInfo, vocab: Vocab, cross: bool) -> tuple[list[str], int, int]:
    """Keywords to score with; how many are absent everywhere; how many were untranslatable.

    Absent verbs (paraphrase-prone) and, across languages, absent words the lexicon cannot
    translate are dropped: nothing can be concluded from them.
    """
    usable: list[str] = []
    absent = untranslatable = 0
    for word in info.keywords:
        if vocab.has(word):
            usable.append(word)
        elif is_affixed_verb(word):
            continue
        elif cross and not (synonyms(word) or synonyms(stem(word))):
            untranslatable += 1
        else:
            usable.append(word)
            absent += 1
    return usable, absent, untranslatable


def _should_abstain(info: QuestionInfo, vocab: Vocab, usable: list[str], absent: int) -> bool:
    if any(not has_entity(e, vocab) for e in info.entities):
        return True
    return bool(absent) and absent * 2 >= len(usable)


# ---------------------------------------------------------------- composing


def _compose(ranked: list[Sentence], max_sentences: int) -> list[Sentence]:
    chosen: list[Sentence] = []
    seen: list[set[str]] = []
    length = 0
    for s in ranked:
        if len(chosen) >= max_sentences:
            break
        if chosen and s.score < 0.85 * chosen[0].score:
            break
        words = set(tokenize(s.text))
        if any(len(words & w) / max(1, len(words | w)) > 0.5 for w in seen):
            continue
        if any(_same_facts(s, c) for c in chosen):  # the same fact again, e.g. translated
            continue
        if chosen and length + len(s.text) + 5 > MAX_CHARS:
            continue
        chosen.append(s)
        seen.append(words)
        length += len(s.text) + 5
    return chosen


def _with_follower(
    chosen: list[Sentence], sentences: list[Sentence], info: QuestionInfo, max_sentences: int
) -> list[Sentence]:
    """Add the sentence after a lead-in: a list question answered without a list, or a colon.

    "Analysts see parallels with earlier bubbles." is followed by the sentence naming them.
    """
    lead = chosen[0]
    if not (info.listing and not enumerates(lead, info)) and not lead.text.endswith(":"):
        return chosen
    taken = {s.span for s in chosen}
    for s in sentences:
        if s.prev and s.prev[0].span == lead.span and s.doc_id == lead.doc_id:
            if s.span in taken or not re.search(r"[.!?…\"”’)]$", s.text):
                return chosen
            kept = [c for c in chosen[1:] if c.span != s.span][: max(0, max_sentences - 2)]
            return [lead, s, *kept]
    return chosen


def _same_facts(a: Sentence, b: Sentence) -> bool:
    """True when ``a`` states no number or name that ``b`` does not already state."""
    facts_a = {(round(v, 6), k) for v, k in number_facts(a.text)}
    facts_b = {(round(v, 6), k) for v, k in number_facts(b.text)}
    names_a, names_b = set(a.names), set(b.names)
    if not facts_a and not names_a:
        return False
    return facts_a <= facts_b and names_a <= names_b


def _render(chosen: list[Sentence]) -> str:
    return " ".join(f"{s.text} [{s.n}]" for s in chosen)


THRESHOLD = 0.5


def answer_extractive(
    question: str,
    passages: list[Passage],
    *,
    lang: str | None = None,
    max_sentences: int = 3,
) -> ExtractiveResult:
    """Answer from the ranked passages with 1-3 of their sentences, or abstain.

    Args:
        question: The question, Indonesian or English.
        passages: Retrieved passages, best first; ``[n]`` in the answer is the 1-based index.
        lang: Language of the framing text; detected from the question when None.
        max_sentences: Most sentences in the answer.
    """
    info = analyze(question, lang)
    out_lang = info.lang
    if info.qtype == "compare":
        parsed = parse_comparison(question)
        if parsed:
            indexed = list(enumerate(passages, start=1))
            return _compare(info, parsed[0], parsed[1], indexed, passages)
    sentences = prepare_sentences(list(enumerate(passages, start=1)))
    vocab = Vocab.merged(p.text for p in passages)
    cross = _passage_lang(passages) != out_lang
    usable, absent, _ = _usable_keywords(info, vocab, cross)
    abstain = ExtractiveResult(abstain_text(out_lang), True, [], out_lang)
    if (
        not sentences
        or _should_abstain(info, vocab, usable, absent)
        or (info.keywords and not usable)
    ):
        return abstain
    all_facts = [f for p in passages for f in number_facts(p.text)]
    if not all(facts_match(f, all_facts) for f in info.numbers):
        return abstain
    ranked = [s for s in rank_sentences(info, sentences, usable) if s.score >= THRESHOLD]
    if not ranked:
        return abstain
    chosen = _with_follower(_compose(ranked, max_sentences), sentences, info, max_sentences)
    return ExtractiveResult(_render(chosen), False, [(s.n, s.span) for s in chosen], out_lang)


# ---------------------------------------------------------------- comparison


def _side_info(info: QuestionInfo, aspect: str, entity: str) -> QuestionInfo:
    """The question one side of a comparison answers: the aspect, about ``entity``."""
    aspect_info = analyze(aspect or "apa", info.lang)
    return QuestionInfo(
        text=f"{aspect} {entity}",
        lang=info.lang,
        qtype=aspect_info.qtype if aspect_info.qtype != "compare" else "other",
        entities=(entity,),
        keywords=aspect_keywords(aspect_info),
        generic=aspect_info.generic,
        numbers=(),
        years=aspect_info.years,
    )


def _states_year(s: Sentence, side: QuestionInfo) -> bool:
    """Whether the sentence gives the year the aspect asks about."""
    return any(y in side.years for y in years(s.text))


def _side_key(s: Sentence, side: QuestionInfo, quantitative: bool) -> tuple[bool, float]:
    """Sort key: a sentence stating the aspect's year first, then score (numbers help)."""
    numbers = bool(number_facts(s.text))
    return (not _states_year(s, side), -(s.score + (0.1 if quantitative else 0.05) * numbers))


def _side_ranking(
    entity: str, sentences: list[Sentence], side: QuestionInfo, keywords: list[str]
) -> list[Sentence]:
    return [
        s
        for s in rank_sentences(side, sentences, keywords)
        if s.score >= THRESHOLD and entity_weight(entity, s, side) >= 0.5
    ]


def _relaxed(entity: str, sentences: list[Sentence], side: QuestionInfo) -> list[Sentence]:
    """When no sentence covers the whole aspect: those stating its year, else any aspect word."""
    if side.years:
        dated = [s for s in sentences if set(years(s.text)) & set(side.years)]
        found = _side_ranking(entity, dated, side, [])
        if found:
            return found
    return [s for k in side.keywords for s in _side_ranking(entity, sentences, side, [k])]


def _best_side(
    entity: str, others: list[str], sentences: list[Sentence], side: QuestionInfo
) -> Sentence | None:
    ranked = _side_ranking(entity, sentences, side, list(side.keywords))
    if not ranked or (side.years and not any(_states_year(s, side) for s in ranked)):
        ranked = ranked + _relaxed(entity, sentences, side)
    alone = [s for s in ranked if not any(has_entity(o, s.vocab) for o in others)]
    quantitative = is_quantitative(side)
    ranked = sorted(alone or ranked, key=lambda s: _side_key(s, side, quantitative))
    return ranked[0] if ranked else None


def _compare(
    info: QuestionInfo,
    entities: list[str],
    aspect: str,
    indexed: list[tuple[int, Passage]],
    combined: list[Passage],
) -> ComparisonResult:
    parts: list[str] = []
    used: list[tuple[int, tuple[int, int]]] = []
    taken: set[tuple[int, int]] = set()
    for entity in entities:
        mine = [(n, p) for n, p in indexed if has_entity(entity, Vocab.of(p.text))]
        sentences = [s for s in prepare_sentences(mine) if s.span not in taken]
        others = [e for e in entities if e != entity]
        best = _best_side(entity, others, sentences, _side_info(info, aspect, entity))
        if best:
            parts.append(f"**{entity}:** {best.text} [{best.n}]")
            used.append((best.n, best.span))
            taken.add(best.span)
        else:
            parts.append(f"**{entity}:** {no_info_text(entity, info.lang)}")
    if not used:
        return ComparisonResult(abstain_text(info.lang), True, [], info.lang, combined)
    return ComparisonResult("\n\n".join(parts), False, used, info.lang, combined)


def answer_comparison(
    question: str,
    passages_by_entity: dict[str, list[Passage]],
    *,
    lang: str | None = None,
) -> ComparisonResult:
    """Answer "Bandingkan X dan Y dalam hal Z" with one labelled sentence per entity.

    Args:
        question: The comparison question.
        passages_by_entity: Ranked passages retrieved for each entity.
        lang: Language of the framing text; detected from the question when None.

    Returns:
        The rendered answer and the combined, de-duplicated passage list its [n] index.
    """
    info = analyze(question, lang)
    parsed = parse_comparison(question)
    entities = list(passages_by_entity) if parsed is None else parsed[0]
    aspect = "" if parsed is None else parsed[1]
    combined: list[Passage] = []
    ids: dict[str, int] = {}
    indexed: list[tuple[int, Passage]] = []
    for entity in entities:
        for passage in passages_by_entity.get(entity, []):
            if passage.chunk_id not in ids:
                combined.append(passage)
                ids[passage.chunk_id] = len(combined)
            indexed.append((ids[passage.chunk_id], passage))
    unique = list({n: (n, p) for n, p in indexed}.values())
    return _compare(info, entities, aspect, unique, combined)
