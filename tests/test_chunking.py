"""Chunking: exact offsets, full coverage, size bounds, paragraph and sentence awareness."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from ingest.chunking import chunk_text
from ingest.text import normalize_text
from ingest.types import Chunk

DATA = Path(__file__).parent / "data"
SHARED_ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ARTICLE_ID = SHARED_ARTICLE / "openai-anthropic-strategies.id.txt"
DOC_ID = "0123456789abcdef" * 4


def check_invariants(text: str, chunks: list[Chunk], max_chars: int) -> None:
    """Offsets exact, ordered, within bounds, every non-whitespace character covered."""
    covered = bytearray(len(text))
    previous_start = -1
    for index, chunk in enumerate(chunks):
        assert chunk.index == index
        assert chunk.chunk_id == f"{DOC_ID[:16]}-{index:04d}"
        assert chunk.doc_id == DOC_ID
        assert chunk.text == text[chunk.start : chunk.end]
        assert 0 < len(chunk.text) <= max_chars
        assert chunk.text == chunk.text.strip()
        assert chunk.start > previous_start
        previous_start = chunk.start
        covered[chunk.start : chunk.end] = b"\1" * (chunk.end - chunk.start)
    missing = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not missing, f"uncovered characters at {missing[:10]}"


def paragraph(rng: random.Random, sentences: int) -> str:
    words = "data pusat model laboratorium awan cip investor kontrak listrik biaya".split()
    out = []
    for _ in range(sentences):
        n = rng.randint(3, 30)
        out.append(" ".join(rng.choice(words) for _ in range(n)).capitalize() + ".")
    return " ".join(out)


def test_empty_text() -> None:
    assert chunk_text(DOC_ID, "") == []
    assert chunk_text(DOC_ID, " \n\n ") == []


def test_short_text_is_one_chunk() -> None:
    text = "Satu kalimat pendek.\n\nParagraf kedua."
    chunks = chunk_text(DOC_ID, text)
    assert [(c.start, c.end) for c in chunks] == [(0, len(text))]
    check_invariants(text, chunks, 1000)


def test_whole_paragraphs_are_packed() -> None:
    paragraphs = [f"Kalimat nomor {i} berisi cukup banyak kata. " * 6 for i in range(8)]
    text = normalize_text("\n\n".join(paragraphs))
    chunks = chunk_text(DOC_ID, text, min_chars=400, max_chars=1000, overlap_chars=150)
    check_invariants(text, chunks, 1000)
    starts = {0} | {m.end() for m in re.finditer(r"\n\n", text)}
    for chunk in chunks:
        assert chunk.start in starts  # every chunk begins a paragraph
        assert chunk.end == len(text) or text[chunk.end : chunk.end + 2] == "\n\n"
        assert len(chunk.text) >= 400 or chunk is chunks[-1]


def test_small_chunk_takes_sentences_of_next_paragraph() -> None:
    first = "Pembuka singkat."
    second = " ".join(
        f"Kalimat panjang nomor {i} tentang pusat data dan listrik." for i in range(30)
    )
    text = f"{first}\n\n{second}"
    chunks = chunk_text(DOC_ID, text, min_chars=400, max_chars=600, overlap_chars=100)
    check_invariants(text, chunks, 600)
    assert chunks[0].text.startswith(first + "\n\nKalimat panjang nomor 0")
    assert len(chunks[0].text) >= 400
    assert chunks[0].text.endswith(".")


def test_overlap_within_a_paragraph() -> None:
    text = " ".join(f"Kalimat nomor {i} membahas komputasi awan." for i in range(80))
    chunks = chunk_text(DOC_ID, text, min_chars=300, max_chars=500, overlap_chars=120)
    check_invariants(text, chunks, 500)
    for before, after in zip(chunks, chunks[1:], strict=False):
        overlap = before.end - after.start
        assert 0 < overlap <= 120
        assert after.text.startswith("Kalimat nomor")  # whole sentences only


def test_no_overlap_across_paragraphs() -> None:
    paragraphs = [
        " ".join(f"Paragraf {p} kalimat {i} pendek." for i in range(12)) for p in range(6)
    ]
    text = "\n\n".join(paragraphs)
    chunks = chunk_text(DOC_ID, text, min_chars=200, max_chars=400, overlap_chars=150)
    check_invariants(text, chunks, 400)
    for before, after in zip(chunks, chunks[1:], strict=False):
        if text[before.end : before.end + 2] == "\n\n":
            assert after.start > before.end


def test_long_sentence_split_at_whitespace() -> None:
    words = [f"kata{i}" for i in range(600)]
    sentence = " ".join(words) + "."
    text = f"Awal.\n\n{sentence}\n\nAkhir."
    chunks = chunk_text(DOC_ID, text, min_chars=100, max_chars=300, overlap_chars=50)
    check_invariants(text, chunks, 300)
    for chunk in chunks:
        for token in chunk.text.split():
            assert token.strip(".") in words or token in ("Awal.", "Akhir.")  # no word cut


def test_unbreakable_run_is_hard_cut() -> None:
    text = "x" * 2500
    chunks = chunk_text(DOC_ID, text, min_chars=400, max_chars=1000)
    assert [len(c.text) for c in chunks] == [1000, 1000, 500]
    check_invariants(text, chunks, 1000)


def test_fixture_articles() -> None:
    for name in ("article.txt", "article.md"):
        text = normalize_text((DATA / name).read_text(encoding="utf-8"))
        chunks = chunk_text(DOC_ID, text, min_chars=100, max_chars=300, overlap_chars=80)
        check_invariants(text, chunks, 300)


@pytest.mark.skipif(not ARTICLE_ID.exists(), reason="shared corpus article not present")
def test_original_article() -> None:
    text = normalize_text(ARTICLE_ID.read_text(encoding="utf-8"))
    for min_chars, max_chars, overlap in ((400, 1000, 150), (100, 250, 60), (0, 120, 0)):
        chunks = chunk_text(DOC_ID, text, min_chars, max_chars, overlap)
        check_invariants(text, chunks, max_chars)
        assert all(len(c.text) >= min_chars for c in chunks[:-1] if max_chars >= 1000)


def test_randomized_texts() -> None:
    rng = random.Random(0)
    alphabet = "abc def ghi. Jkl! Mno? 12 3.\n\n\n  \t é”ü— xyz"
    for _ in range(300):
        if rng.random() < 0.5:
            text = "\n\n".join(paragraph(rng, rng.randint(1, 12)) for _ in range(rng.randint(1, 8)))
        else:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3000)))
        max_chars = rng.randint(20, 1200)
        min_chars = rng.randint(0, max_chars)
        overlap = rng.randint(0, max_chars - 1)
        chunks = chunk_text(DOC_ID, text, min_chars, max_chars, overlap)
        check_invariants(text, chunks, max_chars)


def test_invalid_sizes() -> None:
    with pytest.raises(ValueError):
        chunk_text(DOC_ID, "x", min_chars=500, max_chars=100)
    with pytest.raises(ValueError):
        chunk_text(DOC_ID, "x", max_chars=100, overlap_chars=100)


def test_five_megabytes_is_chunked_whole() -> None:
    """A 5 MB document keeps every invariant (its speed is measured in benchmarks/, not here)."""
    rng = random.Random(1)
    block = "\n\n".join(paragraph(rng, rng.randint(1, 10)) for _ in range(200))
    text = (block + "\n\n") * (5_000_000 // len(block) + 1)
    chunks = chunk_text(DOC_ID, text)
    check_invariants(text, chunks, 1000)
    assert chunks[-1].end == len(text.rstrip())
