"""Citation markers and answer sentences; the number forms the judge treats as equal."""

from __future__ import annotations

import pytest

from app.answer.markers import (
    drop_dangling,
    extract_markers,
    first_use_order,
    renumber,
    split_answer,
    strip_markers,
)
from ingest.numbers import number_facts, parse_number

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


def test_citations_are_numbered_per_answer_in_order_of_first_use() -> None:
    text = "Satu [4]. Dua [2][4]. Tiga [7, 2]."
    order = first_use_order(text)
    assert order == {4: 1, 2: 2, 7: 3}
    assert renumber(text, order) == "Satu [1]. Dua [2][1]. Tiga [3, 2]."
    assert renumber("Only [9].", {}) == "Only [9]."


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
