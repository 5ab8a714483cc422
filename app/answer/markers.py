"""Citation markers and answer sentences: "[n]" parsing, stripping, sentence splitting, and
the plain text and framing (headings, table rules, abstentions) of an answer sentence."""

from __future__ import annotations

import re

from app.constants import ABSTAIN_TEXTS, NO_INFO_EN, NO_INFO_ID
from ingest.numbers import number_facts
from ingest.terms import is_content, words
from ingest.text import sentence_spans

MARKER = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+[.,;:]?")
_LIST_LINE = re.compile(r"^\s*(?:[-*•+]\s+|\d+[.)]\s+|\|)")


def extract_markers(sentence: str) -> list[int]:
    """Marker numbers in order of appearance: "[1][2, 3]" -> [1, 2, 3]."""
    out: list[int] = []
    for match in MARKER.finditer(sentence):
        out.extend(int(x) for x in re.findall(r"\d+", match.group()))
    return out


def strip_markers(sentence: str) -> str:
    """The sentence without its [n] markers (and without the space before them)."""
    text = MARKER.sub("", sentence)
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


def first_use_order(answer: str) -> dict[int, int]:
    """Passage number → citation number, numbered 1..n in the order the answer first cites."""
    order: dict[int, int] = {}
    for n in extract_markers(answer):
        order.setdefault(n, len(order) + 1)
    return order


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Rewrite the [n] markers of ``text`` through ``mapping`` (numbers not in it are kept)."""

    def repl(match: re.Match[str]) -> str:
        numbers = [mapping.get(int(x), int(x)) for x in re.findall(r"\d+", match.group())]
        return f"[{', '.join(str(n) for n in dict.fromkeys(numbers))}]"

    return MARKER.sub(repl, text)


def drop_dangling(answer: str, n_passages: int) -> str:
    """Remove markers that point to no passage (n < 1 or n > n_passages)."""

    def keep(match: re.Match[str]) -> str:
        valid = [x for x in re.findall(r"\d+", match.group()) if 1 <= int(x) <= n_passages]
        return f"[{', '.join(valid)}]" if valid else ""

    text = MARKER.sub(keep, answer)
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# ---------------------------------------------------------------- plain text and framing

# Closed class: words that attribute a statement rather than state it.
ATTRIBUTION = frozenset("menurut according said says stated states reportedly kata".split())
_LABEL = re.compile(r"^\s*(?:[-*•+]\s+)?\*\*[^*\n]{1,60}?:?\*\*:?\s*")
_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s*|^\s*[-*•+]\s+|^\s*\d+[.)]\s+")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_NO_INFO = re.compile(
    "|".join(
        "^" + re.escape(t).replace(re.escape("{entity}"), ".{1,60}?") + "$"
        for t in (NO_INFO_ID, NO_INFO_EN)
    )
)


def plain(sentence: str) -> str:
    """The sentence without markers, "**Label:**" prefixes, bullets and markdown."""
    text = _MARKDOWN.sub("", _LABEL.sub("", strip_markers(sentence)))
    if text.startswith("|"):
        text = " ".join(cell.strip() for cell in text.strip("|").split("|"))
    return text.strip()


def is_framing(sentence: str) -> bool:
    """A heading, table rule/header or abstention: nothing factual to cite."""
    text = strip_markers(sentence).strip()
    if not text or text in ABSTAIN_TEXTS or _TABLE_RULE.match(text):
        return True
    bare = plain(text)
    if bare in ABSTAIN_TEXTS or _NO_INFO.match(bare):
        return True
    if number_facts(bare):
        return False
    if text.startswith("|"):
        return True  # a table header row without numbers
    content = [w for w in words(bare) if is_content(w)]
    if bare.endswith(":") and len(content) <= 4:
        return True
    return all(w in ATTRIBUTION for w in content)
