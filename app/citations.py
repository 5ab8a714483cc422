"""Deterministic citation check: markers, answer sentences and the support judge.

A sentence is *supported* by its cited passages when every number (amounts, percentages,
years) and every proper name in it occurs in them — after normalizing "$74 miliar" ≈
"USD 74 billion", "80%" ≈ "80 persen", "1,4" ≈ "1.4" — and at least 60 % of its content words
occur too (stemmed, with the bilingual lexicon of :mod:`app.lexicon`).

Limitation: the content-word test is lexical. A sentence in one language citing a passage in the
other only passes through lexicon words and cognates, so a freely translated sentence usually
fails it; numbers and names are still checked exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.constants import ABSTAIN_TEXTS, NO_INFO_EN, NO_INFO_ID
from app.textmatch import (
    Vocab,
    content_words,
    facts_match,
    number_facts,
    number_mentions,
    proper_names,
    tokenize,
)
from ingest.text import sentence_spans

THRESHOLD = 0.6
_MARKER = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+[.,;:]?")
_LIST_LINE = re.compile(r"^\s*(?:[-*•+]\s+|\d+[.)]\s+|\|)")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s*|^\s*[-*•+]\s+|^\s*\d+[.)]\s+")
_LABEL = re.compile(r"^\s*(?:[-*•+]\s+)?\*\*[^*\n]{1,60}?:?\*\*:?\s*")
_NO_INFO = re.compile(
    "|".join(
        "^" + re.escape(t).replace(re.escape("{entity}"), ".{1,60}?") + "$"
        for t in (NO_INFO_ID, NO_INFO_EN)
    )
)

# Words our answer templates use to frame a fact; they need no support.
FRAMING_WORDS = frozenset(
    """menurut according reported reports report laporan dilaporkan melaporkan artikel article
    articles the_article berita disebutkan dijelaskan menyebutkan menjelaskan mentions mentioned
    states stated says said menyatakan mengatakan kata sumber source sources dokumen document
    passage bagian expected expect expects expecting diperkirakan anticipated reportedly likely
    """.split()
)
_NOT_NAMES = frozenset("usd idr rp eur gbp jpy sgd".split())


@dataclass
class Verdict:
    """The judge's decision on one sentence."""

    supported: bool
    missing: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class CitationCheck:
    """How one cited passage contributes to a sentence (ALCE-style precision)."""

    n: int
    alone: bool  # the passage by itself supports the sentence
    needed: bool  # without it, the other cited passages do not


# ---------------------------------------------------------------- markers and sentences


def extract_markers(sentence: str) -> list[int]:
    """Marker numbers in order of appearance: "[1][2, 3]" -> [1, 2, 3]."""
    out: list[int] = []
    for match in _MARKER.finditer(sentence):
        out.extend(int(x) for x in re.findall(r"\d+", match.group()))
    return out


def strip_markers(sentence: str) -> str:
    """The sentence without its [n] markers (and without the space before them)."""
    text = _MARKER.sub("", sentence)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def split_answer(answer: str) -> list[str]:
    """Answer sentences with their trailing markers attached; list and table lines stay whole."""
    out: list[str] = []
    for line in answer.split("\n"):
        if not line.strip():
            continue
        if _LIST_LINE.match(line):
            out.append(line.strip())
            continue
        for a, b in sentence_spans(line):
            piece = line[a:b]
            lead = _LEADING_MARKERS.match(piece)
            if lead and out:
                out[-1] = f"{out[-1]} {lead.group().strip()}"
                piece = piece[lead.end() :]
            if piece.strip():
                out.append(piece.strip())
    return out


def drop_dangling(answer: str, n_passages: int) -> str:
    """Remove markers that point to no passage (n < 1 or n > n_passages)."""

    def keep(match: re.Match[str]) -> str:
        valid = [x for x in re.findall(r"\d+", match.group()) if 1 <= int(x) <= n_passages]
        return f"[{', '.join(valid)}]" if valid else ""

    text = _MARKER.sub(keep, answer)
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# ---------------------------------------------------------------- the judge


def _plain(sentence: str) -> str:
    text = _LABEL.sub("", strip_markers(sentence))
    text = _MARKDOWN.sub("", text)
    if text.startswith("|"):
        text = " ".join(cell.strip() for cell in text.strip("|").split("|"))
    return text.strip()


def _name_tokens(text: str) -> list[str]:
    return [t for name in proper_names(text) for t in tokenize(name) if t not in _NOT_NAMES]


def judge(sentence: str, passage_texts: list[str], threshold: float = THRESHOLD) -> Verdict:
    """Whether the cited passages support ``sentence`` (markers are ignored).

    Every number and proper name must occur in the passages; at least ``threshold`` of the
    content words (framing words such as "menurut" or "according" excluded) must occur too.
    """
    text = _plain(sentence)
    vocab = Vocab.merged(passage_texts)
    pool = [f for p in passage_texts for f in number_facts(p)]
    missing: list[str] = []
    for written, fact in number_mentions(text):
        if not facts_match(fact, pool):
            missing.append(written)
    names = _name_tokens(text)
    missing.extend(dict.fromkeys(t for t in names if not vocab.has(t)))
    if missing:
        return Verdict(False, missing, "numbers or names not in the cited passages")
    words = [w for w in content_words(text, exclude=FRAMING_WORDS) if w not in names]
    if not words:
        return Verdict(True, [], "nothing to check beyond numbers and names")
    absent = [w for w in words if not vocab.has(w)]
    share = 1 - len(absent) / len(words)
    if share < threshold:
        return Verdict(False, absent, f"only {share:.0%} of content words in the passages")
    return Verdict(True, [], f"{share:.0%} of content words in the passages")


def _is_framing(sentence: str) -> bool:
    """A heading, table rule/header or abstention: nothing factual to cite."""
    text = strip_markers(sentence).strip()
    if not text or text in ABSTAIN_TEXTS or _TABLE_RULE.match(text):
        return True
    plain = _plain(text)
    if plain in ABSTAIN_TEXTS or _NO_INFO.match(plain):
        return True
    if number_facts(plain):
        return False
    if text.startswith("|"):
        return True  # a table header row without numbers
    if plain.endswith(":") and len(content_words(plain)) <= 4:
        return True
    return len(content_words(plain, exclude=FRAMING_WORDS)) == 0


def judge_answer(answer: str, passages: list[str]) -> tuple[str, list[str]]:
    """Drop dangling markers and judge every sentence against the passages it cites.

    Returns:
        The cleaned answer and its unsupported sentences (a factual sentence with no marker
        counts as unsupported; headings, table headers and abstentions do not).
    """
    cleaned = drop_dangling(answer, len(passages))
    unsupported: list[str] = []
    for sentence in split_answer(cleaned):
        cited = extract_markers(sentence)
        if not cited:
            if not _is_framing(sentence):
                unsupported.append(sentence)
            continue
        texts = [passages[n - 1] for n in dict.fromkeys(cited)]
        if not judge(sentence, texts).supported:
            unsupported.append(sentence)
    return cleaned, unsupported


def precise_citations(sentence: str, passages_by_n: dict[int, str]) -> list[CitationCheck]:
    """For each passage cited by ``sentence``: does it support it alone, is it needed?"""
    cited = [n for n in dict.fromkeys(extract_markers(sentence)) if n in passages_by_n]
    checks: list[CitationCheck] = []
    for n in cited:
        alone = judge(sentence, [passages_by_n[n]]).supported
        others = [passages_by_n[m] for m in cited if m != n]
        needed = not others or not judge(sentence, others).supported
        checks.append(CitationCheck(n=n, alone=alone, needed=needed))
    return checks
