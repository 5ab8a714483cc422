"""The one text toolkit: language, sentences, words and stems, numbers, dates, units, names."""

from __future__ import annotations

from ingest.names import name_occurs, proper_names
from ingest.numbers import (
    Fact,
    all_number_mentions,
    canonical_unit,
    durations,
    facts_match,
    has_date,
    has_day,
    has_duration,
    has_quantity,
    measured,
    months,
    number_facts,
    units,
    weekdays,
    years,
)
from ingest.terms import (
    NEGATIONS,
    flat_query_terms,
    has_negation,
    normalize_number,
    own_word,
    query_terms,
    role_keys,
    stem,
    stopwords,
    term_set,
    terms,
)
from ingest.text import detect_language, sentence_spans, split_sentences


def test_language_of_questions_and_texts() -> None:
    assert detect_language("Kapan klub itu terakhir juara liga?") == "id"
    assert detect_language("When did the club last win the league?") == "en"
    assert detect_language("Siapa pelatih kepala baru Persikal?") == "id"
    assert detect_language("12 345 !!!") == "en"  # nothing to read: English by default


def test_sentences_keep_abbreviations_initials_and_lines() -> None:
    text = (
        "Menteri A.K. Sutan berkata harga naik 1,4 persen. Dr. Lin dkk. menulis laporan itu.\n"
        "## Subjudul\n"
        'U.S. officials said "we agree." Mr. Smith left on 9 Nov. 2007 at noon.'
    )
    assert split_sentences(text) == [
        "Menteri A.K. Sutan berkata harga naik 1,4 persen.",
        "Dr. Lin dkk. menulis laporan itu.",
        "## Subjudul",
        'U.S. officials said "we agree."',
        "Mr. Smith left on 9 Nov. 2007 at noon.",
    ]
    for a, b in sentence_spans(text):
        assert text[a:b] == text[a:b].strip() and b > a


def test_sentence_spans_respect_a_window() -> None:
    text = "Satu dua tiga. Empat lima enam. Tujuh delapan."
    spans = sentence_spans(text, 15, 31)
    assert [text[a:b] for a, b in spans] == ["Empat lima enam."]


def test_terms_stem_both_languages_keep_negations_and_numbers() -> None:
    out = terms("Perusahaan tidak menghasilkan keuntungan sebesar $74 miliar pada 2028", "id")
    assert "tidak" in out and "74" in out and "2028" in out
    assert stem("keuntungan", "id") == "untung" and "untung" in out
    assert "pada" not in out and "yang" not in terms("yang", "id")
    assert "not" in terms("The club wasn't profitable", "en")
    assert stem("companies", "en") == stem("company", "en")
    assert normalize_number("1,4") == normalize_number("1.4") == "1.4"
    assert normalize_number("1.000") == normalize_number("1,000") == "1000"
    assert not NEGATIONS & (stopwords("id") | stopwords("en"))


def test_query_terms_match_either_language() -> None:
    groups = query_terms("Berapa kerugian klub?")
    assert any("rugi" in g for g in groups)
    assert "rugi" in flat_query_terms("Berapa kerugian klub?")
    assert has_negation("Klub itu belum untung") and not has_negation("Klub itu untung")


def test_a_question_word_meets_its_root_across_a_melted_consonant() -> None:
    """Snowball leaves "mengetuai" as "etua" and "menulis" as "ulis": a question's verb still
    meets the root an article writes ("ketua", "tulis"), and its root the article's verb."""
    article = term_set("Ketua tim itu menulis laporan tentang tanaman.", "id")
    for word in ("mengetuai", "ditulis", "menanam"):
        (group,) = query_terms(word)
        assert group & article, word
    verbs = term_set("Ia mengetuai tim yang menulis laporan.", "id")
    for word in ("ketua", "tulis"):
        (group,) = query_terms(word)
        assert group & verbs, word
    (group,) = query_terms("menyusun")  # Snowball restores the s itself: nothing added
    assert group == {"menyusun", "susun"}
    # BM25 is not given them: on the built-in set they cost it more hits than they found
    assert "ketua" not in flat_query_terms("Siapa yang mengetuai tim itu?")


def test_numbers_money_percent_and_scale() -> None:
    assert number_facts("$74 miliar") == number_facts("USD 74 billion") == [(74e9, "money")]
    assert number_facts("80 persen") == number_facts("80%") == [(80.0, "percent")]
    assert facts_match((1.4, "number"), number_facts("1,4"))
    assert not facts_match((80.0, "percent"), [(80.0, "number")])
    assert years("pada 1990-an dan 2028") == [1990, 2028]


def test_a_fraction_meets_the_percentage_it_rounds_to() -> None:
    def share(text: str) -> Fact:
        ((_, fact),) = all_number_mentions(text)
        return fact

    for fraction, percent in [("seperempat", "25 persen"), ("two-thirds", "67 percent")]:
        assert facts_match(share(fraction), number_facts(percent))
        assert facts_match(number_facts(percent)[0], [share(fraction)])
    assert not facts_match(share("sepertiga"), number_facts("30 persen"))
    assert not facts_match(share("seperempat"), number_facts("25"))  # no percentage


def test_ordinals_from_the_third_are_numbers_and_fractions_stay_fractions() -> None:
    assert ("sixth", (6.0, "number")) in all_number_mentions("She finished sixth.")
    assert ("kedelapan", (8.0, "number")) in all_number_mentions("Ia finis di urutan kedelapan.")
    assert (3.0, "number") in [f for _, f in all_number_mentions("A third shop will open.")]
    assert [f for _, f in all_number_mentions("a third of the farms")] == [(0.333333, "number")]
    assert [f for _, f in all_number_mentions("one fifth of the budget")] == [(0.2, "number")]
    assert all_number_mentions("kedua negara itu") == []  # "both", not "second"


def test_number_words_stand_alone_and_clock_times_have_one_value() -> None:
    """An article before a number word is no "one" ("a three-week break": 3); a number word
    after a comma is its own number even where a figure comes before it; a number word inside
    a name is no number; a time of day has one value however it is written."""
    assert all_number_mentions("after a three-week break") == [("3", (3.0, "number"))]
    assert all_number_mentions("a dozen eggs") == [("12", (12.0, "number"))]
    assert (2.0, "number") in number_values("done in 2027, two years late")
    assert number_values("74 miliar") == [(74e9, "number")]
    assert number_values("Pulau Seribu Camar") == [] and number_values("Seribu orang") == [
        (1000.0, "number")
    ]
    assert number_values("at 5:40 and 6:10") == number_values("pukul 5.40 dan 6.10")
    assert number_values("until 9 p.m.") == number_values("hingga pukul 21.00")
    assert number_values("a record of 2:09.84") == [(2.0, "number"), (9.84, "number")]


def test_a_whole_number_and_a_half_is_one_number() -> None:
    """Two and a half, "dua setengah" and "an hour and a half" state one number, not a whole
    and a half; a multiplier after the half scales both."""
    assert (
        number_values("two and a half years")
        == number_values("dua setengah tahun")
        == [(2.5, "number")]
    )
    assert (
        number_values("an hour and a half")
        == number_values("satu setengah jam")
        == [(1.5, "number")]
    )
    assert number_values("three and a half million people") == [(3.5e6, "number")]
    assert number_values("dua setengah juta dolar") == [(2.5e6, "money")]
    assert number_values("tiga, setengah dari mereka") == [(3.0, "number"), (0.5, "number")]


def test_a_length_of_time_is_read_in_days_whatever_its_unit() -> None:
    """A number that counts a time unit states a length: "an 18-month delay", "a year and a
    half" and "satu setengah tahun" are one length; "setahun" and "a year" are twelve months."""
    lengths = [days for text in ("an 18-month delay", "a year and a half", "satu setengah tahun")
               for _, days in durations(text)]  # fmt: skip
    assert len(lengths) == 3 and max(lengths) - min(lengths) < 1e-9
    assert [d for _, d in durations("setahun")] == [d for _, d in durations("dua belas bulan")]
    assert durations("in 2019, two years later") == [((2.0, "number"), 730.5)]
    assert durations("74 miliar dolar") == []


def number_values(text: str) -> list[Fact]:
    return [fact for _, fact in all_number_mentions(text)]


def test_dates_durations_quantities_and_units() -> None:
    assert has_date("dibuka pada 17 Juli") and has_date("in March 2024") and has_date("2019")
    assert not has_date("tiga ekor harimau")
    assert has_day("diresmikan pada Senin (13/11) pagi") and has_day("on Nov. 13, 2023")
    assert has_day("26 Juli 1927") and not has_day("in March 2024") and not has_day("(2023-2030)")
    assert has_duration("selama tiga tahun") and has_duration("for 18 months")
    assert has_quantity("sekitar 1.500 orang") and has_quantity("dozens of fans")
    assert not has_quantity("pada tahun 2025")
    assert units("80 million miles, 6 gigawatts and 45%") == {"mil", "gw", "persen"}
    assert units("the 18.4-kilometre route") == {"km"}  # a compound's hyphen
    assert measured("a 2,914-metre peak, 6 juta ton beras, 24 stations, $5") == {2914, 6e6}
    assert canonical_unit("kilometres") == canonical_unit("km") == "km"


def test_proper_names_are_generic() -> None:
    names = proper_names("OpenAI CEO Sam Altman met Dr. Frank Lin in Jakarta.")
    assert names == ["OpenAI", "CEO", "Sam Altman", "Frank Lin", "Jakarta"]
    assert proper_names("Menteri A.K. Sutan berbicara.") == ["A.K Sutan"]
    assert proper_names("The government denied the report.") == []
    assert proper_names("Warga menggugat PT TSM dan PT Bumi Raya.") == ["PT TSM", "PT Bumi Raya"]
    # a capitalized first word counts when the document writes it capitalized elsewhere
    assert proper_names("Persikal lost again.", frozenset({"persikal"})) == ["Persikal"]
    assert proper_names("Fans said Persikal's Brazilian striker scored.") == [
        "Persikal",
        "Brazilian",
    ]


def test_amounts_and_weekdays_are_no_names() -> None:
    assert proper_names("Upahnya naik menjadi Rp3,1 juta tahun depan.") == []
    assert proper_names("The band plays live music on Sundays.") == []
    assert weekdays("The band plays live music on Sundays.") == {6}


def test_a_time_zone_is_a_unit_of_the_clock_not_a_name() -> None:
    assert proper_names("Arus tertinggi tercatat pukul 02.00 WIB di Gerbang Utama.") == [
        "Gerbang Utama"
    ]
    assert proper_names("The vote closes at 10pm GMT (5pm EST), Sarah Lowe said.") == ["Sarah Lowe"]
    # nor is a currency code or a month in capitals
    assert proper_names("Nilainya USD 5 juta pada JAN lalu, kata Budi.") == ["Budi"]
    # while an acronym that is also a short form stays a name
    assert proper_names("The governor of NY met Dr. Sarah Lowe.") == ["NY", "Sarah Lowe"]


def test_a_letter_before_a_decimal_number_is_a_measure_not_a_name() -> None:
    assert proper_names("Gempa M5,6 mengguncang Lembah Hijau.") == ["Lembah Hijau"]
    assert proper_names("A magnitude M6.2 quake hit Sula on Friday.") == ["Sula"]
    assert proper_names("The M5 motorway was closed near Bristol.") == ["M5", "Bristol"]


def test_names_by_short_forms_initials_and_numbers() -> None:
    # Indonesian shortens names by first syllables, and initials may skip function words
    assert name_occurs("Pemkot Rantau Jaya", "Pemerintah Kota Rantau Jaya menaikkan tarif.")
    assert name_occurs("Pengadilan Tipikor", "Pengadilan Tindak Pidana Korupsi memvonis dia.")
    assert name_occurs("DKP", "Kepala Dinas Kelautan dan Perikanan setempat berkata.")
    assert name_occurs("Sunrise-7", "A variety called Sunrise-7 did well.")
    assert not name_occurs("Pemkot Rantau Jaya", "Pemerintah Kabupaten Rantau Jaya berkata.")
    assert not name_occurs("Sunrise-8", "A variety called Sunrise-7 did well.")
    assert not name_occurs("Darsono", "Dia datang ke Surabaya kemarin.")


def test_weekdays_not_weeks() -> None:
    assert weekdays("Tim itu kalah di final, Minggu (8/9).") == {6}
    assert weekdays("Pasar ramai pada hari minggu pagi.") == {6}
    assert weekdays("Dalam delapan minggu pertamanya, bus itu laris.") == frozenset()
    assert weekdays("Minggu lalu harga naik.") == frozenset()
    assert weekdays("It opened on Sunday and closed on Monday.") == {6, 0}


def test_months_in_words_or_figures_not_the_verb_may() -> None:
    assert months("Pendaftaran ditutup 30 Agustus; hasilnya diumumkan akhir September.") == {8, 9}
    assert months("Panen dimulai Senin (8/4).") == {4}
    assert months("It reopened on May 3 and on 2024-11-05.") == {5, 11}
    assert months("The council may vote on the plan in the spring.") == frozenset()
    assert months("Jan Kowalski said the Mar Sari road is shut.") == frozenset()


def test_roles_have_one_key_in_both_languages() -> None:
    assert role_keys("Siapa ketua koperasi itu?") == role_keys("Its chair, Gwen, said") == {"lead"}
    assert role_keys("Juru bicara perusahaan berkata") == role_keys("the spokesman said")
    assert role_keys("Wali kota Wirasena") == role_keys("the mayor of Wirasena") == {"mayor"}
    assert role_keys("Harga beras naik.") == frozenset()


def test_a_languages_own_words_are_told_from_names_both_write_alike() -> None:
    assert own_word("court", "en") and own_word("pengadilan", "id") and own_word("desa", "id")
    assert not own_word("pengadilan", "en") and not own_word("desa", "en")
    # Names both languages write alike, and rare words, are nobody's own word.
    assert not own_word("london", "en") and not own_word("london", "id")
    assert not own_word("wawoleka", "id")
