"""The built-in demo corpus: present, well-formed, and written in our own words.

The original news article lives outside the project (``../shared/corpus`` or the
directory named by ``TELAAH_SHARED_CORPUS``). Where it is available we check that
no run of six consecutive words from it appears in our corpus or eval questions.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS_FILES = [
    ROOT / "data" / "corpus" / "strategi-openai-anthropic.id.md",
    ROOT / "data" / "corpus" / "openai-anthropic-strategies.en.md",
]
QUESTIONS = ROOT / "data" / "eval" / "questions.jsonl"
ORIGINAL_NAME = "openai-anthropic-strategies.id.txt"
NGRAM = 6

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _ngrams(words: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _shared_corpus_dirs() -> list[Path]:
    dirs = []
    env = os.environ.get("TELAAH_SHARED_CORPUS")
    if env:
        dirs.append(Path(env))
    dirs.append(Path(__file__).resolve().parents[2] / "shared" / "corpus")
    return dirs


def _original_article() -> Path | None:
    for d in _shared_corpus_dirs():
        candidate = d / ORIGINAL_NAME
        if candidate.is_file():
            return candidate
    return None


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file_well_formed(path: Path) -> None:
    assert path.is_file(), f"missing corpus file {path}"
    text = path.read_text(encoding="utf-8")
    assert len(text) > 3000
    assert text.startswith("# ")


def test_no_six_word_overlap_with_original() -> None:
    original = _original_article()
    if original is None:
        pytest.skip("original article not available (../shared/corpus or TELAAH_SHARED_CORPUS)")
    banned = _ngrams(_words(original.read_text(encoding="utf-8")))
    assert banned, "original article yielded no 6-grams"

    targets = [p for p in CORPUS_FILES if p.is_file()]
    if QUESTIONS.is_file():
        targets.append(QUESTIONS)
    problems = []
    for path in targets:
        overlap = _ngrams(_words(path.read_text(encoding="utf-8"))) & banned
        for gram in sorted(overlap):
            problems.append(f"{path.name}: {' '.join(gram)}")
    assert not problems, "copied word runs from the original:\n" + "\n".join(problems)
