"""Text primitives shared by every stage: normalization, language, sentences, hashing."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u200c\u200d\u2060]")
_MANY_BLANKS = re.compile(r"\n{3,}")


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


_ID_WORDS = frozenset(
    "yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga atau oleh "
    "sebagai karena telah sudah bahwa mereka kami kita saya ada bisa lebih para tersebut "
    "menjadi dapat tahun sekitar hingga namun sebesar milik baru apa siapa kapan berapa "
    "mengapa bagaimana perusahaan pada sedang belum masih agar serta setelah".split()
)
_EN_WORDS = frozenset(
    "the and of to in is that for on with as was by it this are be from or at an which "
    "have has had not will would their its what who when how much many why were been "
    "company than more about into they he she we our you your does did".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str) -> str:
    """'id' or 'en' by counting function words (English wins ties and empty input)."""
    words = [w.lower() for w in _WORD.findall(text[:20000])]
    id_hits = sum(w in _ID_WORDS for w in words)
    en_hits = sum(w in _EN_WORDS for w in words)
    return "id" if id_hits > en_hits else "en"


# Sentence boundaries: terminal punctuation (optionally followed by closing quotes/brackets)
# then whitespace then something that can start a sentence; or a line break.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs etc inc ltd co corp no jan feb mar apr jun jul aug sep sept "
    "oct nov dec u.s e.g i.e a.s tn ny sdr bpk pt tbk dll dsb yth hlm".split()
)
_BOUNDARY = re.compile(r"([.!?…]+[\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ$€£])")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text[start:end]`` (offsets into ``text``).

    Lines are always boundaries; within a line a boundary is terminal punctuation followed by
    whitespace and an upper-case letter, digit or currency sign, except after a known
    abbreviation or a single initial.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for line in text[start:end].split("\n"):
        line_start = pos
        pos += len(line) + 1
        cursor = 0
        for match in _BOUNDARY.finditer(line):
            before = line[cursor : match.start(1)]
            last_word = before.rsplit(None, 1)[-1].lower() if before.strip() else ""
            if last_word.rstrip(".") in _ABBREVIATIONS or (
                len(last_word) == 1 and last_word.isalpha()
            ):
                continue
            _append_span(spans, line, line_start, cursor, match.end(1))
            cursor = match.end(2)
        _append_span(spans, line, line_start, cursor, len(line))
    return spans


def _append_span(
    spans: list[tuple[int, int]], line: str, line_start: int, lo: int, hi: int
) -> None:
    piece = line[lo:hi]
    if not piece.strip():
        return
    lo += len(piece) - len(piece.lstrip())
    hi -= len(piece) - len(piece.rstrip())
    spans.append((line_start + lo, line_start + hi))


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [text[a:b] for a, b in sentence_spans(text)]
