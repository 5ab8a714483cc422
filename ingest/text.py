"""Text primitives shared by every stage: normalization, hashing, language, sentence spans."""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u200c\u200d\u2060]")
_MANY_BLANKS = re.compile(r"\n{3,}")

LANGUAGES = ("id", "en")


def normalize_text(raw: str) -> str:
    """NFC, unified newlines, single spaces, paragraphs separated by exactly one blank line."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return _MANY_BLANKS.sub("\n\n", text).strip()


def content_hash(normalized: str) -> str:
    """The document identity: sha256 of the normalized text."""
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- language

_identifier_lock = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's classifier restricted to the two languages Telaah reads."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str:
    """'id' or 'en' (py3langid over the first 20,000 characters; empty text is 'en')."""
    sample = text[:20000]
    if not any(c.isalpha() for c in sample):
        return "en"
    with _identifier_lock:
        lang, _ = _identifier().classify(sample)
    return str(lang)


# ---------------------------------------------------------------- sentences

# Closed class: titles and short forms that end with a full stop inside a sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr drs dra prof sr jr st vs etc inc ltd co corp no nos vol gen col lt sgt capt
    gov sen rep rev fig approx dept est tn ny nn sdr bpk ir jend kol letjen mayjen brigjen
    kapt hj dkk dll dsb dst tsb yth hlm jan feb mar apr jun jul aug agu sep sept oct okt nov
    dec des""".split()
)
_OPENING = re.compile(r"\s[\"“‘(\[]+$")
_LAST_WORD = re.compile(r"([^\s(\"“‘']+)\.$")


def ends_with_abbreviation(piece: str) -> bool:
    """Whether ``piece`` ends with a title, short form or initial and its full stop ("Dr.")."""
    match = _LAST_WORD.search(piece)
    if not match:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "A."
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
        return True  # "A.K", "U.S"
    return word.lower() in ABBREVIATIONS


def _line_sentences(line: str) -> list[tuple[int, int]]:
    """blingfire's sentence spans of one line, re-joined after abbreviations and initials."""
    import blingfire

    if not re.search(r"[.!?…]\S*\s", line):
        return [(0, len(line))]  # no boundary possible: skip the segmenter
    _, offsets = blingfire.text_to_sentences_and_offsets(line)
    spans: list[tuple[int, int]] = []
    carry: int | None = None
    for start, end in offsets:
        if carry is not None:
            start, carry = carry, None
        dangling = _OPENING.search(line, start, end)
        if dangling and dangling.end() == end and dangling.start() > start:
            end, carry = dangling.start(), dangling.start() + 1  # an opening quote: next sentence
        piece = line[start:end]
        if spans:
            prev = line[spans[-1][0] : spans[-1][1]]
            if ends_with_abbreviation(prev) or piece[:1].islower():
                spans[-1] = (spans[-1][0], end)
                continue
        spans.append((start, end))
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text[start:end]`` (offsets into ``text``).

    Every line is split on its own (a line break always ends a sentence) by blingfire; a piece
    after an abbreviation or an initial ("Dr.", "A.K.") or starting in lower case is joined to
    the one before.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for line in text[start:end].split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        for a, b in _line_sentences(line):
            piece = line[a:b]
            a += len(piece) - len(piece.lstrip())
            b -= len(piece) - len(piece.rstrip())
            if b > a:
                spans.append((line_start + a, line_start + b))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [text[a:b] for a, b in sentence_spans(text)]
