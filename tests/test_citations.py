"""The deterministic citation judge: markers, answer sentences, number/name/word support."""

from __future__ import annotations

import pytest

from app.citations import (
    drop_dangling,
    extract_markers,
    judge,
    judge_answer,
    precise_citations,
    split_answer,
    strip_markers,
)
from app.constants import ABSTAIN_EN, ABSTAIN_ID, no_info_text
from app.textmatch import number_facts, parse_number

# Our own short texts (not from any article).
ANTHROPIC_ID = (
    "Anthropic menargetkan titik impas pada tahun 2028, dengan sekitar 80% pendapatan dari "
    "pelanggan korporat."
)
OPENAI_ID = (
    "OpenAI memproyeksikan kerugian operasional sebesar $74 miliar pada 2028 dan baru "
    "mencapai profitabilitas pada 2030. Komitmen belanjanya mendekati $1,4 triliun."
)
OPENAI_EN = (
    "OpenAI projects a $74 billion operating loss in 2028 and expects to turn profitable by "
    "2030. Its spending commitments total about 1.4 trillion dollars."
)


# ---------------------------------------------------------------- markers


@pytest.mark.parametrize(
    ("sentence", "markers"),
    [
        ("Anthropic impas pada 2028. [1]", [1]),
        ("Dua sumber [2][3].", [2, 3]),
        ("Daftar [1, 2] dan [4;5]", [1, 2, 4, 5]),
        ("Tanpa penanda.", []),
    ],
)
def test_extract_markers(sentence: str, markers: list[int]) -> None:
    assert extract_markers(sentence) == markers


def test_strip_markers() -> None:
    assert strip_markers("Anthropic impas pada 2028 [1][2].") == "Anthropic impas pada 2028."
    assert strip_markers("OpenAI rugi [1, 2] besar.") == "OpenAI rugi besar."


def test_split_answer_keeps_markers_with_their_sentence() -> None:
    answer = "OpenAI rugi $74 miliar pada 2028. [1] Anthropic impas 2028 [2]. Untung 2030.[1][2]"
    assert split_answer(answer) == [
        "OpenAI rugi $74 miliar pada 2028. [1]",
        "Anthropic impas 2028 [2].",
        "Untung 2030.[1][2]",
    ]


def test_split_answer_table_rows_and_bullets_are_sentences() -> None:
    answer = "**OpenAI:**\n- Rugi $74 miliar. Besar sekali. [1]\n\n| Aspek | Nilai |\n|---|---|"
    assert split_answer(answer) == [
        "**OpenAI:**",
        "- Rugi $74 miliar. Besar sekali. [1]",
        "| Aspek | Nilai |",
        "|---|---|",
    ]


def test_drop_dangling() -> None:
    assert drop_dangling("A [1]. B [4]. C [2, 7]. D [0][1].", 2) == "A [1]. B. C [2]. D [1]."


# ---------------------------------------------------------------- normalization


@pytest.mark.parametrize(
    "text", ["$74 miliar", "$74 billion", "74 miliar dolar", "USD 74 billion", "US$74bn"]
)
def test_money_forms_are_equal(text: str) -> None:
    assert number_facts(text) == [(74e9, "money")]


@pytest.mark.parametrize("text", ["80%", "80 persen", "80 percent"])
def test_percent_forms_are_equal(text: str) -> None:
    assert number_facts(text) == [(80.0, "percent")]


@pytest.mark.parametrize(
    ("digits", "value"),
    [("1,4", 1.4), ("1.4", 1.4), ("5,83", 5.83), ("1,000", 1000.0), ("1.000", 1000.0)],
)
def test_decimal_and_thousands_separators(digits: str, value: float) -> None:
    assert parse_number(digits) == value


# ---------------------------------------------------------------- judge


@pytest.mark.parametrize(
    "sentence",
    [
        "OpenAI memproyeksikan kerugian operasional $74 billion pada 2028.",
        "OpenAI memproyeksikan kerugian operasional USD 74 billion pada 2028.",
        "OpenAI memproyeksikan kerugian operasional 74 miliar dolar pada 2028.",
        "Komitmen belanja OpenAI mendekati $1.4 triliun.",
    ],
)
def test_judge_accepts_normalized_numbers(sentence: str) -> None:
    assert judge(sentence, [OPENAI_ID]).supported


def test_judge_percent_in_words() -> None:
    assert judge(
        "Sekitar 80 persen pendapatan Anthropic dari pelanggan korporat.", [ANTHROPIC_ID]
    ).supported
    verdict = judge(
        "Sekitar 80 percent pendapatan Anthropic dari pelanggan korporat.", [ANTHROPIC_ID]
    )
    assert verdict.supported


def test_judge_rejects_wrong_number() -> None:
    verdict = judge("OpenAI memproyeksikan kerugian operasional $75 miliar pada 2028.", [OPENAI_ID])
    assert not verdict.supported
    assert verdict.missing == ["$75 miliar"]
    assert not judge("Anthropic menargetkan titik impas pada tahun 2029.", [ANTHROPIC_ID]).supported
    assert not judge("Sekitar 85% pendapatan Anthropic dari korporat.", [ANTHROPIC_ID]).supported


def test_judge_rejects_absent_name() -> None:
    verdict = judge("Anthropic menargetkan titik impas pada 2028 menurut Google.", [ANTHROPIC_ID])
    assert not verdict.supported
    assert "google" in verdict.missing
    assert not judge("Google menargetkan titik impas pada tahun 2028.", [ANTHROPIC_ID]).supported


def test_judge_rejects_unrelated_content() -> None:
    sentence = (
        "Anthropic menargetkan titik impas pada 2028 berkat penjualan chip gaming dan konsol."
    )
    verdict = judge(sentence, [ANTHROPIC_ID])
    assert not verdict.supported
    assert "konsol" in verdict.missing


def test_judge_ignores_framing_words() -> None:
    verdict = judge("Menurut artikel, Anthropic menargetkan titik impas pada 2028.", [ANTHROPIC_ID])
    assert verdict.supported
    verdict = judge("According to the article, OpenAI projects a $74 billion loss.", [OPENAI_EN])
    assert verdict.supported


def test_judge_cross_lingual_checks_numbers_and_names() -> None:
    # Lexicon words carry an English sentence over an Indonesian passage ...
    assert judge("Anthropic is expected to break even in 2028.", [ANTHROPIC_ID]).supported
    assert judge("OpenAI memproyeksikan kerugian $74 miliar pada 2028.", [OPENAI_EN]).supported
    # ... but a wrong number or name still fails.
    assert not judge("Anthropic is expected to break even in 2027.", [ANTHROPIC_ID]).supported
    assert not judge("Meta is expected to break even in 2028.", [ANTHROPIC_ID]).supported


def test_judge_answer_flags_unsupported_and_unmarked_sentences() -> None:
    answer = (
        "**OpenAI:** OpenAI memproyeksikan kerugian $74 miliar pada 2028. [2]\n\n"
        "**Anthropic:** Anthropic menargetkan titik impas pada tahun 2028. [1] "
        "Google juga merugi. [5] Anthropic meraup 90% pendapatan dari konsumen. [1]"
    )
    cleaned, unsupported = judge_answer(answer, [ANTHROPIC_ID, OPENAI_ID])
    assert "[5]" not in cleaned
    assert unsupported == [
        "Google juga merugi.",
        "Anthropic meraup 90% pendapatan dari konsumen. [1]",
    ]


def test_judge_answer_accepts_framing_without_markers() -> None:
    answer = (
        "**Perbandingan:**\n\n| Aspek | OpenAI | Anthropic |\n|---|---|---|\n"
        f"| Titik impas | 2030 [2] | 2028 [1] |\n\n{no_info_text('Microsoft', 'id')}"
    )
    assert judge_answer(answer, [ANTHROPIC_ID, OPENAI_ID])[1] == []
    assert judge_answer(ABSTAIN_ID, [ANTHROPIC_ID])[1] == []
    assert judge_answer(ABSTAIN_EN, [])[1] == []


def test_judge_answer_table_row_with_wrong_number() -> None:
    answer = "| Aspek | OpenAI |\n|---|---|\n| Kerugian 2028 | $80 miliar [1] |"
    assert judge_answer(answer, [OPENAI_ID])[1] == ["| Kerugian 2028 | $80 miliar [1] |"]


def test_precise_citations() -> None:
    passages = {1: ANTHROPIC_ID, 2: OPENAI_ID}
    both = "Anthropic menargetkan titik impas pada 2028, sedangkan OpenAI rugi $74 miliar. [1][2]"
    checks = precise_citations(both, passages)
    assert [(c.n, c.alone, c.needed) for c in checks] == [(1, False, True), (2, False, True)]
    extra = "Anthropic menargetkan titik impas pada tahun 2028. [1][2]"
    checks = precise_citations(extra, passages)
    assert [(c.n, c.alone, c.needed) for c in checks] == [(1, True, True), (2, False, False)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Gedung Putih langsung menolak usulan pajak itu. [1]",  # the name opens the sentence
        "Usulan pajak itu langsung ditolak Gedung Putih. [1]",
    ],
)
def test_judge_checks_multiword_names_like_the_passage_index(sentence: str) -> None:
    passage = "Pekan lalu Gedung Putih langsung menolak usulan pajak itu secara terbuka."
    reworded = "Usulan pajak itu langsung ditolak Gedung Putih pekan lalu."
    assert judge(sentence, [passage]).supported
    assert judge(sentence, [reworded]).supported
    assert not judge(sentence, ["Pekan lalu Istana langsung menolak usulan pajak itu."]).supported
