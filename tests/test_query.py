"""Question parsing: kind, expected answer type, names, units, comparisons, follow-ups."""

from __future__ import annotations

import pytest

from app.answer.query import merge_followup, parse_query


@pytest.mark.parametrize(
    ("question", "kind", "expects"),
    [
        ("Berapa biaya renovasi stadion itu?", "factoid", "money"),
        ("Berapa perkiraan biaya renovasi stadion itu?", "factoid", "money"),  # a hedge between
        ("Berapa usia pelatih kepala klub itu?", "factoid", "quantity"),
        ("How much money did the council spend on the bridge?", "factoid", "money"),
        ("What is the head coach's monthly salary?", "factoid", "money"),
        ("What price did the club set for season tickets?", "factoid", "money"),
        ("How many players joined the academy?", "factoid", "quantity"),
        ("Berapa persen penonton yang hilang?", "factoid", "percent"),
        ("What share of the budget went to schools?", "factoid", "percent"),
        ("Kapan jembatan itu dibuka?", "factoid", "date"),
        ("In which year did the mine close?", "factoid", "date"),
        ("Berapa lama perbaikan jalan berlangsung?", "factoid", "duration"),
        ("For how long has the river been polluted?", "factoid", "duration"),
        ("Siapa pelatih kepala klub itu?", "factoid", "person"),
        ("Which bank sponsors the club?", "factoid", "name"),
        ("Besides the mayor, which engineer is named in the report?", "factoid", "name"),
        ("What city will host the final?", "factoid", "name"),  # as "which city" does
        ("In what country was the ferry built?", "factoid", "name"),
        ("Mengapa warga memprotes tambang itu?", "factoid", "reason"),
        ("Where did the ferry run aground?", "factoid", "place"),
        ("Di mana kapal feri itu kandas?", "factoid", "place"),
        ("Di kota mana pabrik baru itu akan dibangun?", "factoid", "place"),
        ("Ke mana hasil panen itu dijual?", "factoid", "place"),
        ("Where do Persikal and Persija differ on ticket prices?", "compare", ""),
        ("What did the villagers who live downstream ask for?", "factoid", ""),
        ("Apa saja tuntutan para nelayan?", "list", ""),
        ("What are the three measures in the plan?", "list", ""),
        ("Ringkas artikel tentang jembatan baru itu.", "summary", ""),
        ("Summarise the article about the flood.", "summary", ""),
        ("Bagaimana kota itu membiayai proyeknya?", "open", ""),
        ("Bandingkan Persikal dan Persija dalam hal jumlah penonton.", "compare", ""),
    ],
)
def test_kind_and_expected_answer(question: str, kind: str, expects: str) -> None:
    query = parse_query(question)
    assert (query.kind, query.expects) == (kind, expects)
    # only an account or a reason may be answered openly (retrieval keeps its per-document cap)
    assert query.explains == (kind == "open" or expects == "reason")


def test_language_names_numbers_units() -> None:
    query = parse_query("Berapa ton beras yang dikirim Bulog ke Ambon pada 2024?")
    assert query.lang == "id" and query.expects == "quantity"
    assert query.names == ("Bulog", "Ambon") and query.years == (2024,)
    assert query.units == frozenset({"ton"})
    assert parse_query("How many miles of track were laid?").units == frozenset({"mil"})


def test_a_title_acronym_is_a_role_not_a_name() -> None:
    # "CEO" asked about a company is no name of the question: the name is the company's, and
    # an answer naming another company's chief executive does not hold it.
    assert parse_query("Siapa CEO Vantora?").names == ("Vantora",)
    assert parse_query("Who is the CFO of Brightwell Foods?").names == ("Brightwell Foods",)


def test_a_date_question_that_asks_for_a_day() -> None:
    assert parse_query("Pada tanggal berapa jembatan itu dibuka?").wants_day
    assert parse_query("On what date did the club sign him?").wants_day
    assert not parse_query("Kapan jembatan itu dibuka?").wants_day
    assert not parse_query("In which year did the mine close?").wants_day


def test_a_question_that_asks_for_a_count() -> None:
    assert parse_query("Berapa penumpang naik kapal itu setiap hari?").wants_count
    assert parse_query("How many players joined the academy?").wants_count
    assert not parse_query("Berapa besar biaya renovasi stadion itu?").wants_count
    assert not parse_query("Berapa persen penonton yang hilang?").wants_count
    assert not parse_query("Berapa usia pelatih kepala klub itu?").wants_count  # an age
    assert parse_query("Berapa usia pelatih kepala klub itu?").asks_age
    assert parse_query("How old was the striker when he signed?").asks_age


@pytest.mark.parametrize(
    ("question", "count"),
    [
        ("Apa saja tiga syarat yang diajukan dewan?", 3),
        ("Which two players were promoted to the first team?", 2),
        ("Sebutkan 4 langkah yang diumumkan pemerintah.", 4),
        ("What two things must the firm do within 90 days?", 2),  # 90 is no count
        ("Which towns are at risk if warming passes 2°C?", 0),  # a unit, not items
        ("Apa saja tuntutan para nelayan?", 0),
        ("Berapa tiga kali lipat harga itu?", 0),  # not a list question
    ],
)
def test_how_many_items_a_list_question_asks_for(question: str, count: int) -> None:
    assert parse_query(question).count == count


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("Berapa jumlah pemain asing di klub itu?", "pemain"),  # past the framing "jumlah"
        ("How many referees were sent to the final?", "referees"),
        ("Which stadium hosted the final?", "stadium"),
        ("Berapa luas lapangan latihan Persikal?", "lapangan"),  # "luas" is the answer's kind
        ("How much did Persikal pay for the striker?", "pay"),  # the name is skipped
        ("Perusahaan konstruksi mana yang membangun jembatan itu?", "perusahaan"),  # "N mana"
        ("Jenis produk apa yang dijual koperasi itu?", "produk"),  # "jenis" names the kind
        ("Berapa perkiraan biaya renovasi stadion?", "biaya"),  # past the hedge "perkiraan"
        ("What is the estimated cost of the new stand?", "cost"),
        ("Siapa pelatih kepala klub itu?", ""),  # who-questions have no focus
        ("Berapa persen penonton yang hilang?", ""),  # neither do shares
        ("Berapa ekor sapi yang dijual peternak itu?", "sapi"),  # past the classifier "ekor"
        ("Berapa unit bus listrik yang dibeli kota?", "bus"),  # and "unit"
    ],
)
def test_focus_is_what_a_typed_question_counts_or_names(question: str, focus: str) -> None:
    found = parse_query(question).focus
    assert (focus in found) if focus else not found


def test_acronym_who_is_a_name_not_the_question_word() -> None:
    query = parse_query("Lembaga mana yang bekerja sama dengan WHO dalam program itu?")
    assert query.expects == "name" and "WHO" in query.names


def test_comparison_needs_joined_names() -> None:
    query = parse_query("Compare Persikal and Persija on ticket prices.")
    assert query.kind == "compare" and query.entities == ("Persikal", "Persija")
    assert query.aspect == "ticket prices"
    # another name of the question is part of what is compared, not a side
    on_road = parse_query("Compare Lilis Suryaningsih and Darmawan Prasetya on the East Ring Road.")
    assert on_road.entities == ("Lilis Suryaningsih", "Darmawan Prasetya")
    assert on_road.aspect == "East Ring Road"
    # a comparison word inside a typed question is no comparison
    assert parse_query("Dengan perbandingan suara berapa DPR meloloskan RUU itu?").kind == "factoid"


def test_followup_replaces_the_name() -> None:
    history = ["Berapa gaji pelatih Persikal?"]
    assert merge_followup("dan Persija?", history) == "Berapa gaji pelatih Persija?"
    assert merge_followup("What about 2027?", ["What did the mine export in 2024?"]) == (
        "What did the mine export in 2027?"
    )
    assert merge_followup("Siapa kaptennya?", history) == "Siapa kaptennya?"  # a full question
