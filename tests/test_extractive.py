"""The extractive answerer: question types, entities, abstention, languages, comparisons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.constants import ABSTAIN_EN, ABSTAIN_ID
from app.extractive import (
    answer_comparison,
    answer_extractive,
    merge_followup,
    parse_comparison,
    question_language,
)
from app.question import question_entities, question_type
from app.types import Passage
from ingest.text import normalize_text

# Our own short texts (not from any article), as one Indonesian and one English document.
DOC_ID = "\n\n".join(
    [
        "Anthropic menargetkan titik impas pada tahun 2028. Perusahaan ini mengandalkan "
        "pelanggan korporat, yang menyumbang sekitar 80% pendapatannya, dan menghindari proyek "
        "yang boros komputasi seperti pembuatan video.",
        "Sebaliknya, OpenAI memperkirakan kerugian operasional sekitar $74 miliar pada tahun "
        "2028. Profitabilitas baru diharapkan tercapai pada tahun 2030. CEO OpenAI, Sam Altman, "
        "menilai daya komputasi sebagai prioritas utama.",
        "SoftBank menjual seluruh sahamnya di Nvidia senilai $5,83 miliar. Dana itu dialihkan ke "
        "proyek infrastruktur AI, termasuk investasi di OpenAI.",
        "Pesaing seperti Google dan Meta juga menggelontorkan ratusan miliar dolar ke "
        "infrastruktur AI mereka.",
    ]
)
DOC_EN = "\n\n".join(
    [
        "Anthropic aims to break even in 2028, with roughly 80 percent of its revenue coming "
        "from enterprise customers.",
        "OpenAI projects an operating loss of about $74 billion in 2028 and does not expect to "
        "be profitable before 2030. Its chief executive, Sam Altman, says compute matters more "
        "than anything else.",
    ]
)


def _passages(doc: str, doc_id: str, lang: str) -> list[Passage]:
    out: list[Passage] = []
    start = 0
    for i, para in enumerate(doc.split("\n\n")):
        start = doc.index(para, start)
        out.append(
            Passage(
                chunk_id=f"{doc_id}-{i}",
                doc_id=doc_id,
                title=doc_id,
                source=f"{doc_id}.txt",
                lang=lang,
                text=para,
                start=start,
                end=start + len(para),
            )
        )
        start += len(para)
    return out


ID = _passages(DOC_ID, "id-doc", "id")
EN = _passages(DOC_EN, "en-doc", "en")


def _cited(answer: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", answer)}


# ---------------------------------------------------------------- question types


def test_berapa_gets_the_amount_sentence() -> None:
    result = answer_extractive("Berapa kerugian operasional OpenAI pada 2028?", ID)
    assert not result.abstained
    assert "$74 miliar" in result.answer
    assert _cited(result.answer) == {2}
    assert result.lang == "id"


def test_siapa_gets_a_name() -> None:
    result = answer_extractive("Siapa CEO OpenAI?", ID)
    assert "Sam Altman" in result.answer


def test_kapan_gets_a_year() -> None:
    result = answer_extractive("Kapan Anthropic mencapai titik impas?", ID)
    assert "2028" in result.answer
    assert result.answer.endswith("[1]")


def test_percent_question_needs_a_percentage() -> None:
    result = answer_extractive("Berapa persen pendapatan Anthropic dari pelanggan korporat?", ID)
    assert "80%" in result.answer


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("Berapa kerugian OpenAI?", "amount"),
        ("How many gigawatts?", "amount"),
        ("Siapa CEO OpenAI?", "person"),
        ("Kapan Anthropic impas?", "time"),
        ("Tahun berapa OpenAI untung?", "time"),
        ("What year will OpenAI turn a profit?", "time"),
        ("Mengapa saham SoftBank turun?", "reason"),
        ("Bandingkan OpenAI dan Anthropic", "compare"),
        ("Apa strategi Anthropic?", "other"),
    ],
)
def test_question_type(question: str, qtype: str) -> None:
    assert question_type(question) == qtype


# ---------------------------------------------------------------- entities and abstention


def test_entity_mismatch_is_avoided() -> None:
    result = answer_extractive("Kapan OpenAI mencapai titik impas?", ID)
    assert "2030" in result.answer
    assert "Anthropic" not in result.answer


def test_other_entitys_fact_is_not_passed_off() -> None:
    assert answer_extractive("Berapa kerugian Anthropic pada tahun 2028?", ID).abstained


@pytest.mark.parametrize(
    "question",
    [
        "Berapa jumlah karyawan Anthropic?",
        "How many employees does Anthropic have?",
        "Who is the CEO of Anthropic?",
        "Siapa CEO Anthropic?",
        "When was Google founded?",
        "Kapan Google didirikan?",
        "Berapa harga saham Apple?",
        "What is Anthropic's revenue in 2025?",
    ],
)
def test_off_topic_questions_abstain(question: str) -> None:
    result = answer_extractive(question, ID)
    assert result.abstained
    assert result.answer == (ABSTAIN_ID if question_language(question) == "id" else ABSTAIN_EN)
    assert result.used == []


def test_no_passages_abstains() -> None:
    assert answer_extractive("Kapan Anthropic impas?", []).abstained


# ---------------------------------------------------------------- languages


def test_english_question_over_indonesian_passages() -> None:
    result = answer_extractive("When is Anthropic expected to break even?", ID)
    assert not result.abstained
    assert "2028" in result.answer
    assert _cited(result.answer) == {1}
    assert result.lang == "en"


def test_indonesian_question_over_english_passages() -> None:
    result = answer_extractive("Kapan Anthropic mencapai titik impas?", EN)
    assert "2028" in result.answer
    result = answer_extractive("Berapa kerugian operasional OpenAI pada 2028?", EN)
    assert "$74 billion" in result.answer


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Siapa CEO OpenAI?", "id"),
        ("Kapan?", "id"),
        ("dan Anthropic?", "id"),
        ("Who is the CEO of OpenAI?", "en"),
        ("What about Anthropic?", "en"),
        ("Compare OpenAI and Anthropic", "en"),
    ],
)
def test_question_language(question: str, lang: str) -> None:
    assert question_language(question) == lang


# ---------------------------------------------------------------- composition


def test_answer_shape_spans_and_length() -> None:
    for question in ["Dari mana pendapatan Anthropic berasal?", "Kapan OpenAI untung?"]:
        result = answer_extractive(question, ID)
        assert not result.abstained
        assert len(result.answer) < 500
        assert result.answer.endswith("]")
        for n, (a, b) in result.used:
            sentence = DOC_ID[a:b]
            assert sentence in ID[n - 1].text
            assert f"{sentence} [{n}]" in result.answer


def test_overlapping_passages_do_not_repeat_a_sentence() -> None:
    doubled = [ID[0], ID[0].model_copy(update={"chunk_id": "dup"})]
    result = answer_extractive("Kapan Anthropic mencapai titik impas?", doubled)
    assert result.answer.count("titik impas pada tahun 2028") == 1


def test_subject_carried_from_previous_sentence() -> None:
    # "Perusahaan ini" refers to Anthropic in the sentence before it.
    result = answer_extractive("Proyek apa yang dihindari Anthropic?", ID)
    assert "pembuatan video" in result.answer


# ---------------------------------------------------------------- comparison


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("Bandingkan OpenAI dan Anthropic dalam hal profitabilitas", "profitabilitas"),
        ("Compare OpenAI and Anthropic on losses", "losses"),
        ("OpenAI vs Anthropic: pendapatan", "pendapatan"),
        ("Apa perbedaan strategi OpenAI dan Anthropic?", "strategi"),
    ],
)
def test_parse_comparison(question: str, aspect: str) -> None:
    assert parse_comparison(question) == (["OpenAI", "Anthropic"], aspect)


def test_parse_comparison_rejects_plain_questions() -> None:
    assert parse_comparison("Kapan Anthropic impas?") is None
    assert parse_comparison("Bandingkan strategi mereka") is None


def test_answer_comparison_renders_two_labelled_parts() -> None:
    result = answer_comparison(
        "Bandingkan OpenAI dan Anthropic dalam hal profitabilitas",
        {"OpenAI": [ID[1], ID[2]], "Anthropic": [ID[0], ID[1]]},
    )
    openai_part, anthropic_part = result.answer.split("\n\n")
    assert openai_part.startswith("**OpenAI:** ") and "2030" in openai_part
    assert anthropic_part.startswith("**Anthropic:** ") and "2028" in anthropic_part
    assert [p.chunk_id for p in result.passages] == ["id-doc-1", "id-doc-2", "id-doc-0"]
    for part in (openai_part, anthropic_part):
        (n,) = _cited(part)
        sentence = part.split(":** ", 1)[1].rsplit(" [", 1)[0]
        assert sentence in result.passages[n - 1].text


def test_comparison_side_without_information() -> None:
    result = answer_comparison(
        "Bandingkan OpenAI dan Microsoft dalam hal kerugian", {"OpenAI": ID[1:2], "Microsoft": []}
    )
    assert "$74 miliar" in result.answer
    assert "**Microsoft:** Tidak ditemukan informasi tentang Microsoft" in result.answer
    assert not result.abstained


def test_comparison_through_answer_extractive() -> None:
    result = answer_extractive("Compare OpenAI and Anthropic on break-even", ID)
    assert "**OpenAI:**" in result.answer and "**Anthropic:**" in result.answer
    assert "2030" in result.answer and "2028" in result.answer


# ---------------------------------------------------------------- follow-ups


@pytest.mark.parametrize(
    ("question", "previous", "merged"),
    [
        (
            "dan Anthropic?",
            "Berapa kerugian operasional OpenAI pada 2028?",
            "Berapa kerugian operasional Anthropic pada 2028?",
        ),
        (
            "what about Anthropic?",
            "When will OpenAI be profitable?",
            "When will Anthropic be profitable?",
        ),
        ("bagaimana dengan Anthropic?", "Kapan OpenAI impas?", "Kapan Anthropic impas?"),
        ("and for 2030?", "What is OpenAI's loss in 2028?", "What is OpenAI's loss in 2030?"),
        ("dan pendapatannya?", "Berapa kerugian OpenAI?", "Berapa kerugian OpenAI pendapatannya?"),
        ("Siapa CEO Meta?", "Kapan OpenAI impas?", "Siapa CEO Meta?"),
    ],
)
def test_merge_followup(question: str, previous: str, merged: str) -> None:
    assert merge_followup(question, ["Pertanyaan lama?", previous]) == merged


def test_merge_followup_without_history() -> None:
    assert merge_followup("dan Anthropic?", []) == "dan Anthropic?"


# ---------------------------------------------------------------- the original article

ARTICLE = Path(__file__).resolve().parents[2] / "shared/corpus/openai-anthropic-strategies.id.txt"


def _article_passages(target: int = 800) -> list[Passage]:
    text = normalize_text(ARTICLE.read_text(encoding="utf-8"))
    groups: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        a = text.index(line, pos)
        pos = a + len(line)
        if groups and pos - groups[-1][0] <= target:
            groups[-1] = (groups[-1][0], pos)
        else:
            groups.append((a, pos))
    return [
        Passage(
            chunk_id=f"a{i}", doc_id="article", title="article", source="article", lang="id",
            text=text[a:b], start=a, end=b,
        )
        for i, (a, b) in enumerate(groups)
    ]  # fmt: skip


ARTICLE_ANSWERS = [
    ("Kapan Anthropic diperkirakan mencapai titik impas?", "2028"),
    ("When is Anthropic expected to break even?", "2028"),
    ("Berapa kerugian operasional OpenAI pada tahun 2028?", "$74 miliar"),
    ("What share of Anthropic's revenue comes from enterprise customers?", "80%"),
    ("When does OpenAI expect to become profitable?", "2030"),
    ("Berapa total komitmen pengeluaran OpenAI?", "$1,4 triliun"),
    ("Who is the CEO of OpenAI?", "Sam Altman"),
    ("Siapa presiden OpenAI?", "Greg Brockman"),
    ("How much was SoftBank's Nvidia stake sold for?", "$5,83 miliar"),
    ("Who said there would be no federal bailout for AI?", "David Sacks"),
]
ARTICLE_UNANSWERABLE = [
    "Berapa jumlah karyawan Anthropic?",
    "Who is the CEO of Anthropic?",
    "When was Google founded?",
    "Berapa kerugian Anthropic pada tahun 2028?",
    "Berapa valuasi OpenAI saat ini?",
]


@pytest.mark.skipif(not ARTICLE.exists(), reason="the shared article is not here")
@pytest.mark.parametrize(("question", "fact"), ARTICLE_ANSWERS)
def test_article_answers(question: str, fact: str) -> None:
    result = answer_extractive(question, _article_passages())
    assert not result.abstained
    assert fact in result.answer
    assert len(result.answer) < 500


@pytest.mark.skipif(not ARTICLE.exists(), reason="the shared article is not here")
@pytest.mark.parametrize("question", ARTICLE_UNANSWERABLE)
def test_article_unanswerable(question: str) -> None:
    assert answer_extractive(question, _article_passages()).abstained


# ---------------------------------------------------------------- answer types and lead-ins


def _doc(text: str, lang: str, doc_id: str = "own") -> list[Passage]:
    return _passages(text, doc_id, lang)


NICKEL_ID = _doc(
    "Koperasi Tambang Halmahera didirikan pada 2015 di Maluku Utara. Koperasi Tambang Halmahera "
    "baru berharap membukukan laba paling cepat pada 2031. Saham Garuda Tekno anjlok 15% hanya "
    "dalam sepekan setelah laporan itu terbit pada 2024.",
    "id",
)
HISTORY_EN = _doc(
    "Economists see troubling parallels between the current drone slump and earlier industrial "
    "crashes. The scale of the slump recalls the canal mania of the 1790s and the collapse of the "
    "rubber boom in the late 1920s.\n\n"
    "In early March a wave of selling in AI-related drone shares erased billions in value. "
    "Halcyon, which was founded by former Airbus engineers, chose a simple growth model.",
    "en",
)


def test_untung_finds_laba() -> None:
    result = answer_extractive("Kapan Koperasi Tambang Halmahera mulai untung?", NICKEL_ID)
    assert "2031" in result.answer


@pytest.mark.parametrize(
    "question",
    [
        "Dalam rentang waktu berapa lama saham Garuda Tekno anjlok 15%?",
        "Berapa lama saham Garuda Tekno anjlok 15%?",
    ],
)
def test_duration_question_needs_a_duration(question: str) -> None:
    assert question_type(question) == "duration"
    result = answer_extractive(question, NICKEL_ID)
    assert "sepekan" in result.answer


def test_duration_question_abstains_on_a_bare_year() -> None:
    assert answer_extractive("Berapa lama Koperasi Tambang Halmahera berdiri?", NICKEL_ID).abstained


def test_month_without_year_answers_when() -> None:
    result = answer_extractive(
        "When did the sharp sell-off in AI-related drone stocks happen?", HISTORY_EN
    )
    assert "early March" in result.answer


def test_decade_answers_when_and_compare_word_does_not_make_a_comparison() -> None:
    question = "When did the rubber bust that economists compare with the drone slump occur?"
    assert question_type(question) == "time"
    assert "late 1920s" in answer_extractive(question, HISTORY_EN).answer


def test_list_question_adds_the_sentence_after_a_lead_in() -> None:
    result = answer_extractive(
        "Which earlier crashes are compared with the drone slump?", HISTORY_EN
    )
    assert "canal mania" in result.answer and "rubber boom" in result.answer


def test_name_question_needs_a_new_name_beside_the_noun() -> None:
    assert question_type("What is the name of Halcyon's main drone model?") == "name"
    assert answer_extractive(
        "What is the name of Halcyon's main drone model?", HISTORY_EN
    ).abstained
    named = _doc("Halcyon, founded in 2019, sells its drone, the Kestrel model, to farmers.", "en")
    result = answer_extractive("What is the name of Halcyon's main drone model?", named)
    assert "Kestrel" in result.answer


def test_acronym_compound_is_not_an_entity() -> None:
    assert question_entities("When did AI-related stocks fall?") == []


# ---------------------------------------------------------------- comparison aspects

FIRMS_ID = _doc(
    "Halcyon memperkirakan kerugian sekitar $12 miliar pada 2027. Strategi keuangan Halcyon "
    "dinilai terlalu berani oleh para pengamat.\n\n"
    "Borea memproyeksikan dirinya akan mencapai titik impas pada 2027. Laporan keuangan Borea "
    "diterbitkan setiap kuartal.\n\n"
    "Borea sengaja menjauhi usaha yang paling boros komputasi, seperti pembuatan video.",
    "id",
)


def test_comparison_side_scores_against_the_aspect_year() -> None:
    result = answer_comparison(
        "Bandingkan Halcyon dan Borea dalam hal proyeksi keuangan untuk tahun 2027.",
        {"Halcyon": FIRMS_ID[:2], "Borea": FIRMS_ID[1:]},
    )
    halcyon, borea = result.answer.split("\n\n")
    assert "$12 miliar" in halcyon and "titik impas" in borea


def test_comparison_side_found_on_one_aspect_word() -> None:
    result = answer_comparison(
        "Bandingkan Halcyon dan Borea dalam hal sikap terhadap belanja komputasi.",
        {"Halcyon": FIRMS_ID[:1], "Borea": FIRMS_ID[1:]},
    )
    assert "**Borea:** Borea sengaja menjauhi" in result.answer


def test_parse_comparison_keeps_the_year() -> None:
    parsed = parse_comparison("Bandingkan OpenAI dan Anthropic dalam hal proyeksi untuk tahun 2028")
    assert parsed == (["OpenAI", "Anthropic"], "proyeksi tahun 2028")


def test_price_change_question_accepts_a_percentage() -> None:
    passages = _doc("Rubber prices on the Singapore exchange fell about 30% during 2022.", "en")
    result = answer_extractive("By how much did rubber prices in Singapore fall in 2022?", passages)
    assert "30%" in result.answer
