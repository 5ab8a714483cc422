"""Paragraph- and sentence-aware chunking with exact character offsets.

The text is cut into *units*: sentences (``ingest.text.sentence_spans``), with any sentence
longer than ``max_chars`` split at whitespace near the limit. Each unit knows its paragraph
(paragraphs are separated by a blank line). A chunk starts at a unit and takes the furthest
run of units that fits in ``max_chars``; it then ends at the last paragraph end inside that run
if the chunk would still have ``min_chars``, otherwise at the last sentence that fits.

Overlap: only when a chunk ends *inside* a paragraph does the next chunk restart with the
previous chunk's trailing whole sentences of that paragraph, totalling at most
``overlap_chars`` (and never so many that the next sentence would not fit). A chunk that ends
at a paragraph end needs no overlap: the next one starts cleanly with a new paragraph.

Invariants: ``chunk.text == text[chunk.start:chunk.end]``, chunks are ordered, together they
cover every non-whitespace character, and none is longer than ``max_chars``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.text import sentence_spans
from ingest.types import Chunk, Sentence


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    para: int


def chunk_prefix(doc_id: str) -> str:
    """What every chunk id of a document starts with (chunk ids are ``<prefix>-NNNN``)."""
    return doc_id[:16] + "-"


def prefix_of(chunk_id: str) -> str:
    """The :func:`chunk_prefix` a chunk id starts with."""
    return chunk_id[: chunk_id.rfind("-") + 1]


def chunk_text(
    doc_id: str,
    text: str,
    min_chars: int = 400,
    max_chars: int = 1000,
    overlap_chars: int = 150,
) -> list[Chunk]:
    """Split ``text`` into ordered, offset-exact chunks.

    Args:
        doc_id: The document id; chunk ids are ``f"{doc_id[:16]}-{index:04d}"``.
        text: The (normalized) document text.
        min_chars: A chunk grows past a paragraph end until it has at least this many characters.
        max_chars: No chunk is longer than this.
        overlap_chars: Most characters of whole sentences repeated when a cut falls mid-paragraph.

    Returns:
        The chunks, in document order.
    """
    if max_chars < 1 or not 0 <= min_chars <= max_chars or not 0 <= overlap_chars < max_chars:
        raise ValueError("need 0 <= min_chars <= max_chars, 0 <= overlap_chars < max_chars")
    units = _units(text, max_chars)
    spans = _pack(units, min_chars, max_chars, overlap_chars)
    prefix = chunk_prefix(doc_id)
    return [
        Chunk(
            chunk_id=f"{prefix}{index:04d}",
            doc_id=doc_id,
            index=index,
            text=text[start:end],
            start=start,
            end=end,
        )
        for index, (start, end) in enumerate(spans)
    ]


def sentence_pieces(doc_id: str, text: str, max_chars: int = 600) -> list[Sentence]:
    """The document's sentences (any longer than ``max_chars`` cut at whitespace), in order."""
    prefix = doc_id[:16]
    return [
        Sentence(
            sentence_id=f"{prefix}-s{index:05d}",
            doc_id=doc_id,
            index=index,
            text=text[u.start : u.end],
            start=u.start,
            end=u.end,
        )
        for index, u in enumerate(_units(text, max_chars))
    ]


def _units(text: str, max_chars: int) -> list[_Unit]:
    """Sentences (long ones split), each tagged with its paragraph number."""
    units: list[_Unit] = []
    para = 0
    previous_end = 0
    for start, end in sentence_spans(text):
        if units and text.count("\n", previous_end, start) >= 2:
            para += 1
        for piece_start, piece_end in _split_long(text, start, end, max_chars):
            units.append(_Unit(piece_start, piece_end, para))
        previous_end = end
    return units


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into pieces of at most ``max_chars``, at whitespace if possible."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        limit = start + max_chars
        cut = _last_space(text, start + max_chars // 2, limit)
        if cut is None:
            piece_end, next_start = limit, limit  # no whitespace: hard cut
        else:
            piece_end, next_start = cut, cut
            while piece_end > start and text[piece_end - 1].isspace():
                piece_end -= 1
        while next_start < end and text[next_start].isspace():
            next_start += 1
        pieces.append((start, piece_end))
        start = next_start
    if start < end:
        pieces.append((start, end))
    return pieces


def _last_space(text: str, lo: int, hi: int) -> int | None:
    """Index of the last whitespace character in ``text[lo:hi+1]``, if any."""
    for index in range(hi, lo - 1, -1):
        if text[index].isspace():
            return index
    return None


def _pack(
    units: list[_Unit], min_chars: int, max_chars: int, overlap_chars: int
) -> list[tuple[int, int]]:
    """Greedy packing of units into (start, end) spans; see the module docstring."""
    spans: list[tuple[int, int]] = []
    count = len(units)
    first = 0
    while first < count:
        start = units[first].start
        last = first
        while last + 1 < count and units[last + 1].end - start <= max_chars:
            last += 1
        if last + 1 < count:
            last = _paragraph_cut(units, first, last, min_chars)
        spans.append((start, units[last].end))
        first = _next_first(units, first, last, max_chars, overlap_chars)
    return spans


def _paragraph_cut(units: list[_Unit], first: int, last: int, min_chars: int) -> int:
    """The last unit ending a paragraph within ``first..last`` that leaves ``min_chars``."""
    start = units[first].start
    for index in range(last, first - 1, -1):
        if units[index].end - start < min_chars:
            break
        if units[index + 1].para != units[index].para:
            return index
    return last


def _next_first(
    units: list[_Unit], first: int, last: int, max_chars: int, overlap_chars: int
) -> int:
    """Where the next chunk starts: after ``last``, or earlier to overlap mid-paragraph."""
    after = last + 1
    if overlap_chars == 0 or after >= len(units) or units[after].para != units[last].para:
        return after
    best = after
    end = units[last].end
    for index in range(last, first, -1):
        unit = units[index]
        if unit.para != units[after].para or end - unit.start > overlap_chars:
            break
        if units[after].end - unit.start > max_chars:
            break
        best = index
    return best
