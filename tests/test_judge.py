"""The citation judge: exact checks, answers, fitting, and the real embedder on the labelled
cases (cross-validated) and, once it exists, on the held-out file."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

from app.answer.claim_text import Unit, directions, negated, read, split_clauses
from app.answer.judge import Evidence, Judge, decide, is_framing
from app.answer.judge_checks import Alignment, Premise, fact_sources
from app.answer.judge_evidence import FEATURES, _frame
from app.answer.judge_model import MODEL_PATH, Model
from app.constants import ABSTAIN_EN, ABSTAIN_ID, no_info_text
from app.fitting.judge_fit import FILES, all_cases, cross_validate, load_cases, rates, table
from ingest.numbers import facts_match, number_word_facts
from ingest.text import sentence_spans

DATA = Path(__file__).parent / "data"

OPENAI_EN = (
    "OpenAI, the maker of ChatGPT, is planning a far bolder scenario. OpenAI's projections show "
    "an operating loss of about $74 billion in 2028, roughly three quarters of the revenue it "
    "expects that year. OpenAI does not expect to turn a profit until 2030 at the earliest."
)
DEALS_ID = (
    "Total komitmen belanja OpenAI kini hampir menyentuh $1,4 triliun. Di antara kesepakatan "
    "itu terdapat kontrak cloud dengan Oracle bernilai $300 miliar untuk proyek Stargate, "
    "kemitraan dengan Nvidia untuk sistem berkapasitas 10 gigawatt, serta kesepakatan dengan "
    "AMD atas GPU berkapasitas 6 gigawatt."
)


@pytest.fixture(scope="module")
def judge(real_embeddings: Embeddings) -> Judge:
    """The judge with the bundled multilingual-e5 and the fitted thresholds."""
    return Judge(real_embeddings)


@pytest.fixture
def lexical() -> Judge:
    """The lexical-only judge (no embedder)."""
    return Judge(None)


# ---------------------------------------------------------------- fast: exact checks


def test_number_words_have_values() -> None:
    assert number_word_facts("roughly three quarters of the revenue") == [(0.75, "number")]
    assert number_word_facts("tiga perempat pendapatan") == [(0.75, "number")]
    assert number_word_facts("dua belas orang dan separuh sisanya") == [
        (12.0, "number"),
        (0.5, "number"),
    ]
    assert number_word_facts("dua puluh lima persen") == [(25.0, "percent")]
    assert number_word_facts("a few hundred billion dollars, beberapa ratus miliar") == []
    assert number_word_facts("$74 miliar") == []  # digits are number_facts' job
    assert number_word_facts("in the first half of the season") == []  # a period
    assert facts_match(number_word_facts("five firms")[0], [(5.0, "number")])


def test_verbatim_quote_passes(lexical: Judge) -> None:
    quote = "OpenAI does not expect to turn a profit until 2030 at the earliest. [1]"
    verdict = lexical.judge(quote, [OPENAI_EN])
    assert verdict.supported and "verbatim" in verdict.reason


def test_changed_number_fails(lexical: Judge) -> None:
    verdict = lexical.judge("OpenAI projects an operating loss of about $47 billion.", [OPENAI_EN])
    assert not verdict.supported and verdict.missing == ["$47 billion"]


def test_a_changed_ordinal_fails(lexical: Judge) -> None:
    passage = ["The win lifts Rana Sudarso to eighth in the national standings."]
    changed = lexical.judge("The win lifts Rana Sudarso to sixth in the standings.", passage)
    assert not changed.supported and changed.missing == ["sixth"]
    across = lexical.judge("Kemenangan itu mengangkat Rana Sudarso ke urutan kedelapan.", passage)
    assert "kedelapan" not in across.missing


def test_number_elsewhere_in_the_passage_does_not_count(lexical: Judge) -> None:
    # 2030 is in the passage, but not in the sentence about the loss.
    verdict = lexical.judge(
        "OpenAI projects an operating loss of about $74 billion in 2030.", [OPENAI_EN]
    )
    assert not verdict.supported


PLAYHOUSE = (
    "Ticket sales at the Marlow Playhouse fell to 18,000 last season. The theatre reopened its "
    "second stage in May. Its director, Ana Ruiz, blamed the drop on the long closure of the "
    "main hall."
)


def test_a_number_joined_from_another_sentence_keeps_its_own_words(lexical: Judge) -> None:
    """A claim may join a number from elsewhere in the passage to the sentence it rests on,
    when the number comes with its own words; that sentence must then agree with the claim
    too; a number lifted into another context, or given to another name, still fails."""
    joined = "Director Ana Ruiz blamed the drop in ticket sales to 18,000 on the long closure."
    assert lexical.evidence(joined, [PLAYHOUSE]).failures == []
    rose = "Director Ana Ruiz blamed the long closure as ticket sales rose to 18,000 last season."
    reasons = {r for r, _ in lexical.evidence(rose, [PLAYHOUSE]).failures}
    assert reasons == {"the passage states the opposite direction"}
    elsewhere = "Director Ana Ruiz blamed the drop in Corbin Hall ticket sales to 18,000 on it."
    reasons = {r for r, _ in lexical.evidence(elsewhere, [PLAYHOUSE]).failures}
    assert "number not in the support region" in reasons  # its sentence names no Corbin Hall
    lifted = "Director Ana Ruiz said the main hall was closed for 18,000 days."
    assert lexical.evidence(lifted, [PLAYHOUSE]).failures == [
        ("number not in the support region", "18,000")
    ]


AQUARIUM = [
    "Visitor numbers at the Harlow Aquarium reached 310,000 last year, up 12 percent.",
    "The growth came from evening openings and school trips.",
    "A new shark tank will open in May.",
    "The car park will gain 200 spaces.",
]


def _aligned(
    claim: str, best: int, sims: tuple[float, ...], last: str = ""
) -> tuple[Alignment, list[Unit]]:
    """A clause aligned by hand to sentence ``best`` of :data:`AQUARIUM` (its last sentence
    replaced by ``last`` if given), with ``sims`` as its similarity to each sentence."""
    texts = [*AQUARIUM[:-1], last or AQUARIUM[-1]]
    units = [read(t, "en", frozenset()) for t in texts]
    region = [best, best - 1]
    return Alignment(
        read(claim, "en", frozenset()), best, (best, best), region, max(sims), [], sims
    ), units


def test_a_number_may_come_from_a_sentence_nearly_as_close_as_the_best() -> None:
    """A clause that shares no word with the sentence its number stands in ("a 12 percent
    increase" for "up 12 percent") may take it from there when that sentence is nearly as
    close to it as the best one, in any language, and the region it rests on states no number
    of the kind; a sentence much less close, or a region with another percentage, does not
    lend it."""
    clause = "a 12 percent increase."
    al, units = _aligned(clause, 3, (0.78, 0.70, 0.75, 0.80))
    assert fact_sources(al, units) == [0]
    al, units = _aligned(clause, 3, (0.70, 0.70, 0.75, 0.80))
    assert fact_sources(al, units) == []
    al, units = _aligned(clause, 3, (0.78, 0.70, 0.75, 0.80), "Parking fees will rise 5 percent.")
    assert fact_sources(al, units) == []  # "12 percent" where its region says "5 percent"


def test_a_number_restated_without_its_words_passes_and_changed_fails(judge: Judge) -> None:
    passage = " ".join(AQUARIUM)
    kept = "The Harlow Aquarium had 310,000 visitors last year, a 12 percent increase."
    assert judge.evidence(kept, [passage]).failures == []
    changed = "The Harlow Aquarium had 310,000 visitors last year, a 15 percent increase."
    assert judge.evidence(changed, [passage]).failures == [
        ("number not in the support region", "15 percent")
    ]


def test_no_change_is_a_direction(lexical: Judge) -> None:
    passage = "Harga tiket masuk untuk pelajar tetap Rp5.000, kata pengelola museum."
    doubled = "Harga tiket masuk untuk pelajar naik dua kali lipat, kata pengelola museum."
    reasons = {r for r, _ in lexical.evidence(doubled, [passage]).failures}
    assert "the passage states the opposite direction" in reasons


def test_the_figures_of_a_date_are_no_rival_number(lexical: Judge) -> None:
    passage = (
        "Rina Wati memenangi lomba lari 10 kilometer di Kota Lestari pada Minggu (8/6/2025). Ia "
        "finis dengan catatan 31 menit, unggul dua menit dari pelari kedua."
    )
    claim = "Rina Wati memenangi lomba lari 10 kilometer di Kota Lestari dengan catatan {} menit."
    assert lexical.judge(claim.format(31), [passage]).supported  # "8" and "6" state no time
    assert not lexical.judge(claim.format(33), [passage]).supported


def test_a_number_with_another_unit_is_no_rival_number(lexical: Judge) -> None:
    """A number of the support region stands although the best sentence states another number,
    when that one measures something else ("120 meter" is no rival of "80 tahun"); another
    number in the same unit still is."""
    passage = (
        "Jembatan gantung di Desa Muara Jaya dibangun sekitar 80 tahun lalu. Jembatan sepanjang "
        "120 meter itu diperbaiki warga setiap musim kemarau."
    )
    claim = "Jembatan gantung berusia 80 tahun itu diperbaiki warga setiap musim kemarau."
    assert lexical.evidence(claim, [passage]).failures == []
    moved = (
        "Jembatan gantung di Desa Muara Jaya dibangun dengan kabel 80 meter. Jembatan sepanjang "
        "120 meter itu diperbaiki warga setiap musim kemarau."
    )
    claim = "Jembatan sepanjang 80 meter itu diperbaiki warga setiap musim kemarau."
    reasons = {r for r, _ in lexical.evidence(claim, [moved]).failures}
    assert "the best sentence states another number" in reasons


FESTIVAL = (
    "The harbour festival began in 2019. It draws visitors from the whole coast. Food stalls "
    "line the quay for three days. Last year the organisers counted 42,000 visitors. Most of "
    "them came by train."
)


def test_a_number_the_question_states_need_only_be_in_the_passage(judge: Judge) -> None:
    """2019 is far from the sentence that counts the visitors: joined with the words of its own
    sentence it passes; put beside other words it fails as the answer's own claim, and passes
    restated from the question, as the question's premise. Its own number is still checked,
    and a premise the passage does not hold still fails."""
    question = "How many visitors did the harbour festival that began in 2019 count last year?"
    restated = "The harbour festival that began in 2019 counted 42,000 visitors last year."
    assert judge.judge(restated, [FESTIVAL]).supported
    loose = "Last year the organisers counted 42,000 visitors from the whole coast since 2019."
    assert judge.judge(loose, [FESTIVAL]).missing == ["2019"]
    assert judge.about(question).judge(loose, [FESTIVAL]).supported
    changed = restated.replace("42,000", "52,000")
    assert judge.about(question).judge(changed, [FESTIVAL]).missing == ["52,000"]
    wrong = judge.about(question.replace("2019", "2018"))
    verdict = wrong.judge(restated.replace("2019", "2018"), [FESTIVAL])
    assert verdict.missing == ["2018"] and verdict.reason == "number not in the cited passages"


ROVERS = (
    "Kalimbo Rovers lost their last home match of the season on Saturday. Coach Hendra "
    "Wibisono said the squad was exhausted. The fans demanded cheaper season tickets and an "
    "audit of the club's accounts."
)


def test_the_name_a_passage_opens_with_is_the_topic_of_its_later_sentences(
    judge: Judge,
) -> None:
    """ "The fans" two sentences after a lede naming the club are the club's fans; a name
    the best sentence's neighbours state in its place still wins (see the next test)."""
    claim = "Kalimbo Rovers fans demanded cheaper season tickets and an audit of the accounts."
    assert judge.judge(claim, [ROVERS]).supported
    rival = ROVERS.replace("The fans demanded", "Fans of Tanjung United demanded")
    assert not judge.judge(claim, [rival]).supported


CAPTAIN = (
    "The hosts lost their last home match of the season on Saturday. Kalimbo Rovers coach "
    "Hendra Wibisono said the squad was exhausted. Captain Dedi Saputra apologised to the "
    "supporters. The fans demanded cheaper season tickets and an audit of the club's accounts."
)


def test_a_name_the_question_states_need_only_be_in_the_passage(judge: Judge) -> None:
    """The demand is told of "the fans", after a sentence naming the captain, in a passage
    that does not open with the club: on its own the sentence's club is not where its content
    is; restated from the question it is the question's premise. The premise does not let
    the name take another's place, nor enter a passage that lacks it."""
    question = "What did the Kalimbo Rovers fans demand?"
    claim = "Kalimbo Rovers fans demanded cheaper season tickets and an audit of the accounts."
    alone = judge.judge(claim, [CAPTAIN])
    assert not alone.supported and alone.reason == "name not where the claim's content is"
    assert judge.about(question).judge(claim, [CAPTAIN]).supported
    rival = CAPTAIN.replace("The fans demanded", "Fans of Tanjung United demanded")
    assert not judge.about(question).judge(claim, [rival]).supported
    absent = CAPTAIN.replace("Kalimbo Rovers coach", "The coach")
    assert not judge.about(question).judge(claim, [absent]).supported


@pytest.mark.slow
def test_a_pronoun_after_the_sentences_own_name_leaves_the_lede_in_reach(judge: Judge) -> None:
    """A paragraph's lede names what it is about; a later sentence's "it" that follows that
    sentence's own subject ("Lumora said it …") points at the subject, not back at an earlier
    name, so the lede's name may still go with the claim. Another name may not."""
    passage = (
        "Storm Brenna flooded the lower town of Maldon on Friday, cutting power to about 9,000 "
        "homes. Schools in Maldon and Wexcombe stayed closed. The utility Lumora said it "
        "expected to restore supply to most customers by Sunday."
    )
    claim = "Lumora said most homes that lost power in Storm {} should be reconnected by Sunday."
    misplaced = "name not where the claim's content is"
    assert not judge.evidence(claim.format("Brenna"), [passage]).failures
    failures = judge.evidence(claim.format("Dara"), [passage]).failures
    assert (misplaced, "Storm Dara") in failures


@pytest.mark.slow
def test_the_lede_goes_with_a_claim_that_a_later_pair_of_sentences_states(judge: Judge) -> None:
    """The claim's content is the article's last two sentences, which match it better than
    any one sentence; the lede names the district, so the claim may name it too."""
    passage = (
        "A fire destroyed a block of flats in the Eastmoor district of Carrow early on "
        "Saturday, leaving 40 residents homeless. Firefighters rescued eight people from the "
        "upper floors, fire chief Dana Kell said. Two residents were treated for smoke "
        "inhalation. The cause of the fire is under investigation. The city has placed the "
        "displaced families in two hotels for at least two weeks."
    )
    claim = "Families displaced by the {} apartment fire will be housed in hotels for a fortnight."
    assert not judge.evidence(claim.format("Eastmoor"), [passage]).failures
    failures = judge.evidence(claim.format("Westmoor"), [passage]).failures
    assert ("name not where the claim's content is", "Westmoor") in failures


@pytest.mark.slow
def test_a_name_of_the_question_may_come_from_the_cited_articles_title(judge: Judge) -> None:
    """Past its opening an article seldom repeats what it is about: the passage says "the
    council", the answer "Harwick's council". The name is the question's, and the cited
    article's title states it, so it need not be in the passage; no other article's title
    lends it, and a name the question does not state still must be there."""
    question = "Why did Harwick's council choose a bus line?"
    passage = (
        "The council voted 9 to 4 in March to build a bus line rather than a tram. A tram "
        "on the same route had been priced at about $900 million."
    )
    claim = "In March, Harwick's council voted 9 to 4 to build a bus line rather than a tram."
    title = "Harwick Opens Its New Bus Line"
    assert not judge.about(question).judge(claim, [passage]).supported
    assert judge.about(question, [title]).judge(claim, [passage]).supported
    other = "Dunmore Opens Its New Bus Line"
    assert not judge.about(question, [other]).judge(claim, [passage]).supported
    stranger = claim.replace("Harwick's", "Dunmore's")
    assert not judge.about(question, [other, title]).judge(stranger, [passage]).supported


def test_a_name_opening_the_claim_is_checked(lexical: Judge) -> None:
    """A capitalized first word is a name only if the passages know it, so a name they lack
    went unchecked when it opened the claim; a rare first word is read as a name (in the
    passages' language: across languages a rare noun may open a translation)."""
    passage = "The council voted 9 to 4 in March to build a bus line rather than a tram."
    for claim in (
        "Dunmore's council voted 9 to 4 to build a bus line rather than a tram.",
        "Dunmore council voted 9 to 4 to build a bus line rather than a tram.",
    ):
        assert lexical.judge(claim, [passage]).missing == ["Dunmore"], claim
    assert lexical.judge("The council voted 9 to 4 to build a bus line.", [passage]).supported


def test_a_number_moved_to_what_another_number_counts_fails(lexical: Judge) -> None:
    passage = "Panitia memperkirakan 2.000 pengunjung, tetapi yang datang sekitar 9.000 orang."
    moved = "Panitia memperkirakan 9.000 pengunjung, tetapi yang datang sekitar 9.000 orang."
    verdict = lexical.judge(moved, [passage])
    assert not verdict.supported and verdict.missing == ["9.000"]
    kept = "Panitia memperkirakan 2.000 pengunjung, namun yang datang sekitar 9.000 orang."
    assert lexical.judge(kept, [passage]).supported


def test_number_words_are_checked(lexical: Judge) -> None:
    half = "OpenAI's loss in 2028 equals half of the revenue it expects that year."
    assert not lexical.judge(half, [OPENAI_EN]).supported


def test_a_number_and_a_half_is_checked_whole(lexical: Judge) -> None:
    """Two and a half years holds neither "two years" nor "a half": it is 2.5, in either
    language ("dua setengah tahun"), and "an hour and a half" is "satu setengah jam"."""
    strike = "The strike lasted two and a half years, the union said."
    assert not lexical.judge("The strike lasted two years.", [strike]).supported
    assert lexical.judge(
        "Pemogokan itu berlangsung dua setengah tahun.", ["The strike lasted two and a half years."]
    ).supported
    ferry = "Penyeberangan kini memakan waktu satu setengah jam."
    assert lexical.judge("The crossing now takes an hour and a half.", [ferry]).supported
    assert not lexical.judge("The crossing now takes two and a half hours.", [ferry]).supported


def test_a_length_of_time_may_be_stated_in_another_unit(lexical: Judge) -> None:
    """18 months states "a year and a half" (and "satu setengah jam" is 90 minutes); another
    length, or the same number of another unit, does not. "One" that counts a unit is a
    number, not the pronoun of "one of them"."""
    late = "The line opened on Monday, a year and a half later than promised."
    assert lexical.judge("The line opened 18 months later than promised.", [late]).supported
    assert not lexical.judge("The line opened 16 months later than promised.", [late]).supported
    assert not lexical.judge("The line opened 18 weeks later than promised.", [late]).supported
    trip = "Perjalanan memakan waktu satu setengah jam."
    assert lexical.judge("The trip takes 90 minutes.", [trip]).supported
    assert not lexical.judge("The trip takes 80 minutes.", [trip]).supported
    # "one" counting a unit is a number, not the pronoun of "one of them"
    stay = ["The delegation stayed for three weeks in Jakarta."]
    assert not lexical.judge("The delegation stayed for one week in Jakarta.", stay).supported
    week = ["The delegation stayed for seven days in Jakarta."]
    assert lexical.judge("The delegation stayed for one week in Jakarta.", week).supported


def test_function_word_never_stands_for_a_name(lexical: Judge) -> None:
    verdict = lexical.judge(
        "The US government denied the report.", ["The government, as expected, denied the report."]
    )
    assert not verdict.supported and "US" in verdict.missing
    told = lexical.judge("The US firm denied it.", ["The firm told us it denied it."])
    assert not told.supported


def test_added_negation_fails(lexical: Judge) -> None:
    passage = (
        "SoftBank's own earnings have been lifted by the rising valuation of its OpenAI stake."
    )
    claim = (
        "SoftBank's own earnings have not been lifted by the rising valuation of its OpenAI stake."
    )
    verdict = lexical.judge(claim, [passage])
    assert not verdict.supported and "negation" in verdict.reason


@pytest.mark.parametrize(
    ("claim", "passage", "supported"),
    [
        ("Harga gabah naik 8 persen pada Maret.", "Harga gabah turun 8 persen pada Maret.", False),
        ("Grain prices fell 8 percent in March.", "Harga gabah turun 8 persen pada Maret.", True),
        ("Grain prices rose 8 percent in March.", "Harga gabah turun 8 persen pada Maret.", False),
        ("Tim tamu kalah 1-2 di final.", "The visiting team won the final 2-1.", False),
        ("The council rejected the plan on Monday.", "Dewan menyetujui rencana itu, Senin.", False),
        ("Grain prices did not rise in March.", "Harga gabah turun pada Maret.", True),
        (
            "The Hawks finished two points ahead of the Owls.",
            "The Hawks finished two points behind the Owls.",
            False,
        ),
        (
            "Rainfall was 30 percent below normal.",
            "Rainfall was 30 percent below normal in May.",
            True,
        ),
        (
            "Orchards picked 20 percent more pears.",
            "Orchards picked 20 percent fewer pears.",
            False,
        ),
        ("The ferry fare was lowered to Rp8.000.", "Tarif feri dinaikkan menjadi Rp8.000.", False),
        ("Tarif parkir dinaikkan menjadi Rp4.000.", "Parking fees were raised to Rp4,000.", True),
        (
            "Perenang itu memecahkan rekor nasional 100 meter gaya bebas.",
            "Perenang itu gagal memecahkan rekor nasional 100 meter gaya bebas.",
            False,
        ),
        ("Harga jeruk jatuh ke Rp9.000 per kilogram.", "Harga jeruk melonjak ke Rp9.000.", False),
        ("The Hawks lost 3-1 to the Owls.", "The Hawks beat the Owls 3-1.", False),
        ("Tim Elang kalah 3-1 dari Owls.", "Tim Elang mengalahkan Owls 3-1.", False),
        ("Tim Elang mengalahkan Owls 3-1.", "The Hawks beat the Owls 3-1.", True),
        (
            "Flooding is expected to ease by June.",
            "Flooding is expected to intensify by June.",
            False,
        ),
        ("Nilai tukar rupiah melemah pada Senin.", "The rupiah strengthened on Monday.", False),
        (
            "The flooded area was 30 percent larger than last spring.",
            "Luas genangan 30 persen lebih kecil dibandingkan musim semi lalu.",
            False,
        ),
        ("Pasar ikan itu 30 persen lebih luas.", "The fish market is 30 percent bigger.", True),
        (
            "Weather at the port is expected to worsen.",
            "Cuaca di pelabuhan diperkirakan membaik.",
            False,
        ),
        (
            "Musim tanam akan diperpanjang.",
            "The planting season will be shortened.",
            False,
        ),
        (
            "The league will extend its season by two weeks.",
            "Musim liga diperpanjang dua minggu.",
            True,
        ),
        ("Denda itu lebih berat dari tahun lalu.", "The fine is lighter than last year.", False),
        (
            "July was the hottest month, with the highest rainfall since 1950.",
            "Juli menjadi bulan dengan curah hujan terendah sejak 1950.",
            False,
        ),
        (
            "Harga cabai di atas harga acuan pemerintah.",
            "Harga cabai di bawah harga acuan pemerintah.",
            False,
        ),
        (
            "The museum will close its east wing in March.",
            "Museum itu membuka sayap timur pada Maret.",
            False,
        ),
        ("Petugas memasang 40 lampu jalan.", "Workers removed 40 street lights.", False),
        (
            "The stall holders agreed to move to the temporary market.",
            "Para pedagang menolak pindah ke pasar sementara.",
            False,
        ),
        (
            "Juara bertahan itu kehilangan gelarnya.",
            "The defending champion kept her title.",
            False,
        ),
        (
            "Dua rumah di Sendang Wetan rusak berat.",
            "Two houses in Sendang Wetan were lightly damaged.",
            False,
        ),
        ("Heavy rain fell on Tanjung Rembang.", "Hujan ringan turun di Tanjung Rembang.", False),
        ("Luka pengemudi itu ringan.", "The driver's injuries were minor.", True),
        (
            "The Larsen council rejected the pool plan on Monday.",
            "The Larsen council voted 9 to 4 on Monday to build the pool.",
            False,
        ),
    ],
)
def test_the_opposite_direction_fails(
    lexical: Judge, claim: str, passage: str, supported: bool
) -> None:
    verdict = lexical.judge(claim, [passage])
    assert not verdict.supported or supported
    if not supported:
        assert "direction" in verdict.reason or "negation" in verdict.reason


def test_close_to_a_number_states_no_closing() -> None:
    assert directions("Its debts came close to $2 million.") == {}
    assert directions("In light of the vote, the pool stays.") == {}
    assert directions("Hukumannya lebih berat.") == {
        "amount": frozenset({1}),
        "severity": frozenset({1}),
    }
    assert directions("The council voted to close the pool.")["open"] == frozenset({-1})
    assert directions("Desa itu di bawah garis banjir.") == {"standing": frozenset({-1})}


def test_a_vote_for_or_against_is_a_decision() -> None:
    assert directions("The board voted 9 to 4 to build it.") == {"decision": frozenset({1})}
    assert directions("The board voted unanimously against it.") == {"decision": frozenset({-1})}
    assert directions("Members voted 30 to 2 to reject it.") == {"decision": frozenset({-1})}
    assert directions("Voters went to the polls.") == {}


def test_a_direction_is_read_in_the_sentence_when_the_matching_clause_states_none(
    judge: Judge,
) -> None:
    passage = (
        "Dinas Pertanian Kabupaten Mekar Sari mencatat panen jagung sepanjang 2024 mencapai "
        "310.000 ton, naik 9 persen dibandingkan tahun sebelumnya."
    )
    claim = (
        "Panen jagung Kabupaten Mekar Sari sepanjang 2024 turun 9 persen dibandingkan tahun "
        "sebelumnya."
    )
    verdict = judge.judge(claim, [passage])
    assert not verdict.supported and verdict.reason == "the passage states the opposite direction"
    assert judge.judge(claim.replace("turun", "naik"), [passage]).supported


def test_contrastive_negation_is_not_a_negated_claim(lexical: Judge) -> None:
    passage = "Jalur ini bertumpu pada kontrak dengan perusahaan, bukan pada pusat data raksasa."
    assert lexical.judge("Jalur ini bertumpu pada kontrak dengan perusahaan.", [passage]).supported


def test_swapped_name_within_an_enumeration_fails(lexical: Judge) -> None:
    claim = (
        "OpenAI memiliki kontrak cloud dengan Nvidia bernilai $300 miliar untuk proyek Stargate."
    )
    verdict = lexical.judge(claim, [DEALS_ID])
    assert not verdict.supported and "Nvidia" in verdict.missing


EV = (
    "Hyundai opened a battery plant in Karawang with LG Energy Solution in July. The factory "
    "can produce batteries for 150,000 cars a year. Toyota, by contrast, said it would keep "
    "focusing on hybrid models in Indonesia. Its local chief argued that charging was scarce."
)


def test_a_pronoun_points_to_the_nearest_earlier_name(lexical: Judge) -> None:
    assert lexical.judge("Toyota's local chief argued that charging was scarce.", [EV]).supported
    # "Its" is Toyota's: Hyundai is named, but further back.
    assert not lexical.judge(
        "Hyundai's local chief argued that charging was scarce.", [EV]
    ).supported


def test_a_name_swapped_into_a_copied_sentence_fails(lexical: Judge) -> None:
    claim = "Hyundai said it would keep focusing on hybrid models in Indonesia."
    verdict = lexical.judge(claim, [EV])
    assert not verdict.supported and "toyota" in verdict.missing
    passage = (
        "Fair organiser Dewi Lestari said visitors spent about 2 billion rupiah at the stalls. "
        "Local trader Bima Hartono said he would open on Sundays as well."
    )
    swapped = "Local trader Bima Hartono said visitors spent about 2 billion rupiah at the stalls."
    verdict = lexical.judge(swapped, [passage])  # the speaker of the next sentence
    assert not verdict.supported and "fair" in verdict.missing


def test_two_clauses_with_their_names_swapped_fail(lexical: Judge) -> None:
    """Each clause's name may come from a neighbouring sentence (the one that says who "it"
    is), so each name of "A did X, while B did Y" was found although the passage gives X to B
    and Y to A: the clauses are placed by their numbers, and each finds the other's name."""
    passage = (
        "After a quiet winter, Harbour Rowing Club expects to fill its boats again in 2027. "
        "Its volunteers repaired the old boathouse. Lakeside Rowing Club, by contrast, has "
        "ordered four new boats. Lakeside Rowing Club's accounts show a loss of about 9,000 euros "
        "in 2027."
    )
    right = "Harbour Rowing Club expects to fill its boats in 2027, while Lakeside Rowing Club "
    right += "projects a loss of about 9,000 euros in 2027."
    assert lexical.judge(right, [passage]).supported
    swapped = "Lakeside Rowing Club expects to fill its boats in 2027, while Harbour Rowing Club "
    swapped += "projects a loss of about 9,000 euros in 2027."
    verdict = lexical.judge(swapped, [passage])
    assert verdict.reason == "the passage gives this to another name of the claim"


def test_a_name_may_come_from_the_next_sentence_that_says_who_it_is(lexical: Judge) -> None:
    passage = (
        "Koperasi Tani Makmur menjual 120 ton gabah kering pada musim panen 2024. "
        "Panen dilakukan dua kali setahun di sawah seluas 80 hektare. "
        "Ketuanya, Bambang Irawan, mengatakan harga gabah tahun ini lebih baik. "
        "Pembeli terbesar adalah penggilingan milik Hendra Wijaya."
    )
    claim = (
        "Koperasi Tani Makmur yang dipimpin Bambang Irawan menjual 120 ton gabah kering pada 2024."
    )
    failures = lexical.evidence(claim, [passage]).failures
    assert not [f for f in failures if f[1] == "Bambang Irawan"], failures
    # Only the nearest sentence that names anyone: a name further on stays out of reach.
    claim = (
        "Koperasi Tani Makmur yang dipimpin Hendra Wijaya menjual 120 ton gabah kering pada 2024."
    )
    failures = lexical.evidence(claim, [passage]).failures
    assert [f for f in failures if f[1] == "Hendra Wijaya"], failures


def test_a_name_spelled_alike_in_the_same_language_is_another_name(lexical: Judge) -> None:
    passage = "Banjir merendam 120 rumah di Desa Tirtomulyo, Kecamatan Sukamaju, pada Jumat."
    claim = "Banjir merendam 120 rumah di Desa Tirtoharjo, Kecamatan Sukamaju, pada Jumat."
    verdict = lexical.judge(claim, [passage])  # "Tirto…" alike, but not across languages
    assert not verdict.supported and "Desa Tirtoharjo" in verdict.missing


def test_a_name_put_in_another_names_place_after_a_shared_word_fails(lexical: Judge) -> None:
    passage = (
        "Banjir di Kabupaten Lembah Hijau mulai surut pada Selasa. Kerusakan terparah terjadi "
        "di Kecamatan Batu Putih, tempat 40 rumah rusak berat."
    )
    claim = "Kerusakan terparah terjadi di Kecamatan Lembah Hijau, tempat 40 rumah rusak berat."
    verdict = lexical.judge(claim, [passage])  # "Kecamatan" is the best sentence's too
    assert not verdict.supported and "another in this place" in verdict.reason


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        (
            "The ferry also sails at weekends, not only on weekdays.",
            "The ferry sails only on weekdays and stays in port at weekends.",
        ),
        (
            "Kapal feri itu hanya berlayar pada hari kerja.",
            "Kapal feri itu tidak hanya berlayar pada hari kerja, tetapi juga pada akhir pekan.",
        ),
    ],
)
def test_the_opposite_restriction_fails(lexical: Judge, claim: str, passage: str) -> None:
    verdict = lexical.judge(claim, [passage])
    assert not verdict.supported and "restriction" in verdict.reason


def test_name_forms_and_acronyms(lexical: Judge) -> None:
    who = "The World Health Organization said measles cases in Europe rose to 127,000 last year."
    assert lexical.judge(
        "The WHO said measles cases in Europe rose to 127,000 last year.", [who]
    ).supported
    ban = "Indonesia banned exports of nickel ore in 2020."
    assert lexical.judge("The Indonesian ban on nickel ore exports began in 2020.", [ban]).supported


def test_percentage_ranges_and_digit_groups(lexical: Judge) -> None:
    bi = "He expects inflation to stay within a range of 1.5 to 3.5 percent in 2025."
    assert lexical.judge("He expects inflation between 1.5% and 3.5% in 2025.", [bi]).supported
    assert split_clauses("Cases rose to 127,000 last year.", "en", [], 2) == [
        "Cases rose to 127,000 last year."
    ]
    # a number joined by a bare "and" to the one before it ends that clause
    assert split_clauses(
        "It polluted the river in 2021 and 2022, and the firm will not appeal.", "en", [], 2
    ) == ["It polluted the river in 2021 and 2022", "the firm will not appeal."]


def test_clauses_split_at_conjunctions_and_short_pieces_join() -> None:
    names = ["Anthropic"]
    text = (
        "Roughly 80% of Anthropic's revenue comes from enterprise customers, "
        "most of them banks and insurers."
    )
    assert split_clauses(text, "en", names, 2) == [
        "Roughly 80% of Anthropic's revenue comes from enterprise customers",
        "most of them banks and insurers.",
    ]
    assert len(split_clauses(text.replace(" and insurers", ""), "en", names, 2)) == 1
    assert split_clauses("Meta and Google spend billions on data centres.", "en", [], 2) == [
        "Meta and Google spend billions on data centres."
    ]
    # A single word joined to the next by a bare "and" is one subject with it, not a clause.
    text = "Since 2023, nurses and cleaners have joined the strike at 12 hospitals."
    assert split_clauses(text, "en", [], 2) == [text]


def test_framing_sentences_need_no_support() -> None:
    assert is_framing(ABSTAIN_ID) and is_framing(ABSTAIN_EN)
    assert is_framing(no_info_text("Intel", "id")) and is_framing(no_info_text("Intel", "en"))
    assert is_framing("| Perusahaan | Strategi |") and is_framing("|---|---|")
    assert is_framing("**Perbandingan:**")
    assert not is_framing("Anthropic impas pada 2028.")
    assert not is_framing("| OpenAI | rugi $74 miliar |")


def test_judge_answer_flags_uncited_fact_and_keeps_abstention(lexical: Judge) -> None:
    answer = (
        "OpenAI does not expect to turn a profit until 2030 at the earliest [1]. "
        "Anthropic will break even in 2028.\n"
        f"{ABSTAIN_EN}\n"
        "OpenAI loses $74 billion in 2028 [7]."
    )
    cleaned, unsupported = lexical.judge_answer(answer, [OPENAI_EN])
    assert "[7]" not in cleaned  # a dangling marker is dropped ...
    assert unsupported == [
        "Anthropic will break even in 2028.",
        "OpenAI loses $74 billion in 2028.",  # ... so the sentence it was on is uncited
    ]


def test_precise_citations(lexical: Judge) -> None:
    other = "Anthropic projects that it will break even in 2028."
    checks = lexical.precise_citations(
        "OpenAI does not expect to turn a profit until 2030 at the earliest [1][2].",
        {1: OPENAI_EN, 2: other},
    )
    assert [(c.n, c.alone, c.needed) for c in checks] == [(1, True, True), (2, False, False)]


class _Recording(Embeddings):
    """Fake embeddings that record every call and text they embed."""

    def __init__(self) -> None:
        self.fake = DeterministicFakeEmbedding(size=16)
        self.seen: list[str] = []
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.seen += texts
        return self.fake.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        self.seen.append(text)
        return self.fake.embed_query(text)


def test_passage_sentences_are_embedded_once_and_a_sentence_in_two_calls() -> None:
    """A passage sentence is embedded once however many claims cite it; a claim takes one
    batched call, and one more for the framings ("It is not true that …") of the sentence it
    rests on, which no other sentence of the passage needs."""
    emb = _Recording()
    judge = Judge(emb, Model())
    judge.judge("OpenAI projects a loss of about $74 billion in 2028.", [OPENAI_EN])
    before = emb.calls
    judge.judge("OpenAI expects no profit before 2030.", [OPENAI_EN])
    first = "OpenAI, the maker of ChatGPT, is planning a far bolder scenario."
    assert emb.seen.count(first) == 1
    assert emb.calls - before <= 2
    sentences = [OPENAI_EN[a:b] for a, b in sentence_spans(OPENAI_EN)]
    framings = {_frame(t, "en", deny) for t in sentences for deny in (False, True)}
    assert len(framings & set(emb.seen)) <= 2 * 2  # the sentence each claim rests on, no other


def test_fit_cross_validates_on_the_lexical_mode() -> None:
    cases = load_cases(DATA / "judge_dev.jsonl")
    judge = Judge(None, Model())
    evidence = [judge.evidence(c["sentence"], c["passages"]) for c in cases]
    t = table(evidence, [c["label"] for c in cases], ("sim", "coverage", "gap"))
    result = rates(cross_validate(t, judge.model.params)[:2], cases)
    assert result["true"] >= 0.85 and result["false"] > 0.5


def test_model_file_says_what_it_was_fitted_on() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["note"].startswith(
        "fitted on tests/data/judge_dev.jsonl + judge_test.jsonl + judge_dev2.jsonl"
    )
    assert "holdout" in data["note"]
    for mode in ("embedding", "lexical"):
        model = Model.from_json(data[mode]["model"])
        assert set(model.features) <= set(FEATURES)
        assert data[mode]["cross_validated"]["true"] >= 0.88  # the threshold keeps 0.9


# ---------------------------------------------------------------- slow: the real embedder


@pytest.mark.slow
def test_cross_language_faithful_sentence_passes(judge: Judge) -> None:
    passage = (
        "Dengan disiplin seperti itu, Anthropic memproyeksikan dirinya akan mencapai titik impas "
        "pada 2028. Jalur yang hati-hati ini bertumpu pada kontrak dengan perusahaan."
    )
    verdict = judge.judge("Anthropic expects to break even in 2028 [1].", [passage])
    assert verdict.supported, verdict


@pytest.mark.slow
def test_a_word_of_the_passages_language_is_no_translation(judge: Judge) -> None:
    passage = ["Tim voli putri Pulau Seruni mengalahkan Tanah Merapi 3-1 di final, Minggu."]
    claim = "The Pulau Seruni women's volleyball team beat Tanah {} 3-1 in Sunday's final."
    wrong = judge.judge(claim.format("Merah"), passage)
    assert not wrong.supported and "Tanah Merah" in wrong.missing
    assert "Tanah Merapi" not in judge.judge(claim.format("Merapi"), passage).missing


@pytest.mark.slow
def test_translated_name_passes_and_unrelated_name_fails(judge: Judge) -> None:
    passage = (
        "David Sacks, czar AI Gedung Putih, menegaskan bahwa tidak akan ada bailout federal "
        "untuk AI. Menurut Sacks, Amerika Serikat memiliki setidaknya 5 perusahaan model frontier."
    )
    ok = "According to Sacks, the United States has at least 5 frontier model companies."
    assert judge.judge(ok, [passage]).supported
    bad = "According to Elon Musk, the United States has at least 5 frontier model companies."
    assert not judge.judge(bad, [passage]).supported


@pytest.mark.slow
def test_a_name_translated_word_by_word_keeps_only_its_own_words_apart(judge: Judge) -> None:
    passage = "Dinas Kesehatan Kepulauan Merbau membuka klinik terapung baru pada 3 Mei."
    # "Islands" is an English word, not a name both languages write: it may translate
    # "Kepulauan" (their similarity, 0.85, sits under what other name words need).
    claim = "The Merbau Islands health office opened a new floating clinic on 3 May."
    failures = judge.evidence(claim, [passage]).failures
    assert not [f for f in failures if f[1] == "Merbau Islands"], failures
    # "Google" is written alike in both languages: it never stands for another name.
    passage = "Anthropic didirikan oleh sejumlah mantan peneliti OpenAI pada 2021."
    claim = "Anthropic was founded by former Google researchers."
    failures = judge.evidence(claim, [passage]).failures
    assert [f for f in failures if f[1] == "Google"], failures


@pytest.mark.slow
def test_the_us_government_case_fails_with_the_embedder(judge: Judge) -> None:
    verdict = judge.judge(
        "The US government denied the report.", ["The government, as expected, denied the report."]
    )
    assert not verdict.supported


def _measure(
    judge: Judge, cases: list[dict], evidence: list[Evidence] | None = None
) -> tuple[float, float, dict[str, float], float]:
    """Faithful pass rate, perturbation rejection rate, per kind/lang, ms per sentence (the
    cases' evidence is gathered unless given: then only the decisions are timed)."""
    groups: dict[str, list[bool]] = defaultdict(list)
    start = time.perf_counter()
    for k, case in enumerate(cases):
        ev = evidence[k] if evidence else judge.evidence(case["sentence"], case["passages"])
        right = decide(ev, judge.model).supported == case["label"]
        groups["true" if case["label"] else "false"].append(right)
        groups[f"{case['kind']}/{case['lang']}"].append(right)
    ms = (time.perf_counter() - start) / len(cases) * 1000
    share = {k: sum(v) / len(v) for k, v in sorted(groups.items())}
    for key, value in share.items():
        print(f"{key:18} {value:.3f}  (n={len(groups[key])})")
    print(f"{ms:.0f} ms per judged sentence")
    return share["true"], share["false"], share, ms


@pytest.mark.slow
def test_cross_validated_rates_on_the_labelled_cases(judge: Judge) -> None:
    """dev, test and dev2 cases: 5-fold cross-validated rates (fitted on four fifths, measured
    on the fifth), with the fitted evidence settings; the fitted model itself on all of them.

    Floors just under the measured rates (0.897 and 0.848 since dev2, 200 cases by another
    author, joined the fit and the weights keep their signs: on dev and test alone they were
    0.916 and 0.921, an optimistic view, as dev2 measured by a model fitted without it shows:
    0.76 and 0.82). Cross-validated 0.889 and 0.912 since the exact checks of later stops
    (directions, severity, months, ordinals): the rejection floor follows them up."""
    cases = all_cases()
    assert {c["file"] for c in cases} == set(FILES)
    evidence = [judge.evidence(c["sentence"], c["passages"]) for c in cases]
    t = table(evidence, [c["label"] for c in cases], judge.model.features)
    cv = rates(cross_validate(t, judge.model.params), cases)
    print({k: v for k, v in cv.items() if k != "misses"})
    assert cv["true"] >= 0.88, f"cross-validated faithful pass rate {cv['true']:.3f}"
    assert cv["false"] >= 0.90, f"cross-validated rejection rate {cv['false']:.3f}"
    true_rate, false_rate, _, _ = _measure(judge, cases, evidence)
    assert true_rate >= 0.88 and false_rate >= 0.90


@pytest.mark.slow
def test_holdout_rates(judge: Judge) -> None:
    """judge_holdout.jsonl, written apart and never used in development.

    The goal is 0.9 of faithful sentences passed and 0.97 of perturbations rejected; the floors
    below sit just under what the judge measured when the file was first run (0.73 and 0.84:
    faithful paraphrases with names or numbers far from their best match, antonyms and added
    clauses across languages). Raise them as the judge improves; never lower them to pass.
    Measured 0.74 and 0.85 since the weights keep their signs; 0.75 and 0.87 since prohibiting
    and denying verbs count as negations, Indonesian short forms ("Pemkot", "Tipikor") stand for
    their names and "minggu" (a week) is no Sunday; 0.74 and 0.89 since a name put where the
    best sentence names another is caught after a shared word ("Kecamatan X" for "Kecamatan
    Y"), cognates stand for a name's words only across languages, and the judge was refitted;
    0.77 and 0.88 since only a word of the claim's own language may translate a word of a
    name and a name may come from the next sentence naming anyone (refitted again); 0.86 and
    0.88 since a number may come from another sentence of the passage that states it with the
    claim's words and names beside it, clock times ("5:40", "pukul 5.40", "9 p.m.") and number
    words ("a three-week", "in 2027, two years") parse alike, "Rp3,1" and "Sundays" are no
    names, and "tetap" / "unchanged" is a direction. Those fixes were found by reading this
    file's failures, so it is no longer a clean held-out measure of them:
    :func:`test_fresh_rates` is. 0.87 and 0.88 since a name may stand in the passage's lede and
    more/fewer, raised/lowered and "failed to" are read (found reading judge_dev3.jsonl). 0.87
    and 0.89 since a common word of the passage's language is no translation of a name word
    ("Merah" for "Merapi"; found reading judge_dev2.jsonl); 0.88 and 0.89 since a number the
    claim writes too ("3-1") or a rank ("fourth place") is no rival of its numbers (found
    reading judge_dev4.jsonl).
    """
    true_rate, false_rate, _, _ = _measure(judge, load_cases(DATA / "judge_holdout.jsonl"))
    assert true_rate >= 0.87, f"faithful pass rate {true_rate:.3f}"
    assert false_rate >= 0.885, f"perturbation rejection rate {false_rate:.3f}"


@pytest.mark.slow
def test_fresh_rates(judge: Judge) -> None:
    """judge_fresh.jsonl: 200 cases written by another author (a helper session that read no
    code and no other judge data), measured before and after the change that came with it and
    not read since: fictional news passages in both languages, faithful sentences that often
    join facts from several sentences of a passage, and perturbed ones (a number, a name, a
    negation or antonym, an added claim). Harder than the other files: the judge passed 0.58
    of its faithful sentences and rejected 0.79 of its perturbations before that change, 0.59
    and 0.79 after it; 0.63 and 0.80 since the lede and direction rules that
    :func:`test_dev3_rates` describes; 0.63 and 0.81 since the direction words of winning and
    losing, weakening, easing and falling ("jatuh") that judge_dev2.jsonl lacked; 0.63 and
    0.82 since a month the claim names must be in the passages; 0.64 and 0.82 since a
    bracketed date ("Selasa (9/4)", found reading judge_dev4.jsonl) is no rival number; 0.65
    and 0.82 since "without" before a noun is a privative, not a negation ("tanpa izin",
    found reading judge_dev2.jsonl and judge_dev3.jsonl).
    Floors just under; raise them as the judge improves, never lower them.
    """
    true_rate, false_rate, _, _ = _measure(judge, load_cases(DATA / "judge_fresh.jsonl"))
    assert true_rate >= 0.64, f"faithful pass rate {true_rate:.3f}"
    assert false_rate >= 0.815, f"perturbation rejection rate {false_rate:.3f}"


@pytest.mark.slow
def test_dev3_rates(judge: Judge) -> None:
    """judge_dev3.jsonl: 200 cases by another author (a helper session that read no code and no
    other judge data), a development set for the exact checks, not fitted on: the judge passed
    0.79 of its faithful sentences and rejected 0.77 of its perturbations as written; reading
    its failures gave the lede rule (a name may stand in the passage's first sentence) and the
    direction words more/fewer, raised/lowered, "gagal me…" / "failed to": 0.80 and 0.82;
    0.81 and 0.82 since a fraction meets the percentage it rounds to ("seperempat" ~ "25%").
    Fitted with the other files it loosened the threshold for its harder faithful sentences and
    the held-out rejection fell (0.88 to 0.83), so the weights do not read it. 0.81 and 0.87
    since the direction words of later stops, the severity scale and months; 0.82 and 0.87
    since "without" before a noun is a privative ("without a win" for "winless")."""
    true_rate, false_rate, _, _ = _measure(judge, load_cases(DATA / "judge_dev3.jsonl"))
    assert true_rate >= 0.81, f"faithful pass rate {true_rate:.3f}"
    assert false_rate >= 0.86, f"perturbation rejection rate {false_rate:.3f}"


@pytest.mark.slow
def test_dev4_rates(judge: Judge) -> None:
    """judge_dev4.jsonl: 200 cases by another author (a helper session that read no code and no
    other judge data; sport, health, courts, farming, disasters and more), a development set,
    not fitted on. Its faithful sentences are an answerer's restatements: a third of them join
    two sentences of the passage, translate while reordering, or round a figure ("a quarter",
    "half a year"). The judge passed 0.53 of them and rejected 0.86 of its perturbations when
    it was first run: a restated clause is aligned alone to another sentence, so a number or
    name it takes from the sentence the whole claim rests on is "not in the support region".
    Fitted with the other files it passed 0.67 and rejected 0.73, and the held-out rejection
    fell to 0.70, so the weights do not read it. 0.53 and 0.91 since the direction words of
    later stops, the severity scale, a ban kept across languages and months; 0.54 and 0.91
    since a bracketed date ("Selasa (9/4)") is no rival number; 0.55 and 0.91 since neither is
    a number the claim writes too ("3-1") nor a rank ("fourth place"); 0.56 and 0.91 since a
    clause with no negation of its own ("Akibat ombak setinggi 3 meter, …") takes that of
    another clause resting on the same sentence; 0.58 and 0.91 since a number may come from a
    sentence nearly as close as the best one ("an 18 percent increase" for "up 18 percent").
    Floors just under; raise them as the judge improves, never lower them."""
    true_rate, false_rate, _, _ = _measure(judge, load_cases(DATA / "judge_dev4.jsonl"))
    assert true_rate >= 0.57, f"faithful pass rate {true_rate:.3f}"
    assert false_rate >= 0.90, f"perturbation rejection rate {false_rate:.3f}"


def test_a_word_negated_by_its_prefix_must_stay_negated(lexical: Judge) -> None:
    passage = "Pembayaran parkir hanya bisa dilakukan secara nontunai melalui kartu elektronik."
    same = "Pembayaran parkir hanya dapat dilakukan secara nontunai, lewat kartu elektronik."
    assert lexical.judge(same, [passage]).supported
    flipped = "Pembayaran parkir dapat dilakukan secara tunai, selain lewat kartu elektronik."
    verdict = lexical.judge(flipped, [passage])
    assert not verdict.supported and verdict.missing == ["tunai"]
    english = "Parking can only be paid by non-cash means, with an electronic card."
    assert not lexical.judge(
        "Parking can be paid in cash, with an electronic card.", [english]
    ).supported


def test_attribute_cites_the_passage_that_supports_an_uncited_sentence(lexical: Judge) -> None:
    passages = [
        "Pelabuhan Teluk Biru dibuka kembali pada Senin setelah badai.",
        "Harga ikan tongkol di pasar Teluk Biru naik menjadi Rp 40.000 per kilogram.",
    ]
    answer = "Harga ikan tongkol naik menjadi Rp 40.000 per kilogram. Harga cumi turun menjadi"
    attributed = lexical.attribute(answer, passages)
    assert attributed.startswith("Harga ikan tongkol naik menjadi Rp 40.000 per kilogram. [2]")
    assert attributed.endswith("Harga cumi turun menjadi")  # unfinished: left uncited
    wrong = "Harga ikan tongkol naik menjadi Rp 45.000 per kilogram."
    assert lexical.attribute(wrong, passages) == wrong  # no passage supports it
    miscited = "Harga ikan tongkol naik menjadi Rp 40.000 per kilogram [1]."
    assert lexical.attribute(miscited, passages) == (
        "Harga ikan tongkol naik menjadi Rp 40.000 per kilogram. [2]"
    )
    assert lexical.attribute(wrong + " [2]", passages) == wrong + " [2]"  # kept, and fails
    idle = "Harga ikan tongkol naik menjadi Rp 40.000 per kilogram [1][2]."
    assert lexical.attribute(idle, passages) == (  # [1] is not needed: only [2] stays
        "Harga ikan tongkol naik menjadi Rp 40.000 per kilogram. [2]"
    )


def test_attribute_tries_the_passages_of_the_other_language_too(judge: Judge) -> None:
    """A translation is less similar to a claim than passages of the claim's own language that
    share its words: the best of each language are tried, so the English passage that
    supports an Indonesian sentence is found below two Indonesian ones that do not."""
    passages = [
        "Koperasi petani Lestari kesulitan mencari tenaga kerja untuk memetik cengkih.",
        "Tanaman vanili membutuhkan banyak tenaga kerja karena setiap bunganya harus diserbuki"
        " dengan tangan.",
        "The Lestari farmers' cooperative deliberately stays away from the most labour-hungry"
        " crops, such as vanilla.",
    ]
    claim = (
        "Koperasi petani Lestari sengaja menjauhi tanaman yang paling boros tenaga kerja,"
        " misalnya vanili."
    )
    assert judge.attribute(claim, passages).endswith("[3]")


def test_attribute_cites_a_passage_for_each_side_of_a_comparison(lexical: Judge) -> None:
    passages = [
        "Pelabuhan Teluk Biru dibuka kembali pada Senin setelah badai.",
        "Harga ikan tongkol di pasar Teluk Biru naik menjadi Rp 40.000 per kilogram.",
        "Di pasar Teluk Merah, harga ikan cakalang turun menjadi Rp 25.000 per kilogram.",
    ]
    side = "Harga tongkol di Teluk Biru naik menjadi Rp 40.000 per kilogram, sedangkan harga "
    both = side + "cakalang di Teluk Merah turun menjadi Rp 25.000 per kilogram."
    assert lexical.attribute(both, passages) == f"{both} [2][3]"
    one_wrong = side + "cakalang di Teluk Merah turun menjadi Rp 20.000 per kilogram."
    assert lexical.attribute(one_wrong, passages) == one_wrong  # each side must hold


def test_attribute_cites_a_passage_for_each_of_two_joined_claims(lexical: Judge) -> None:
    passages = [
        "Pelabuhan Teluk Biru dibuka kembali pada Senin setelah badai.",
        "Harga ikan tongkol di pasar Teluk Biru naik menjadi Rp 40.000 per kilogram.",
    ]
    joined = (
        "Pelabuhan Teluk Biru dibuka kembali pada Senin setelah badai, dan harga ikan tongkol "
        "di pasar Teluk Biru naik menjadi Rp 40.000 per kilogram."
    )
    assert lexical.attribute(joined, passages) == f"{joined} [1][2]"
    changed = joined.replace("40.000", "45.000")
    assert lexical.attribute(changed, passages) == changed  # each claim must hold


def test_a_verdict_is_reached_once_per_sentence_and_passages(lexical: Judge) -> None:
    calls: list[str] = []
    gather = lexical._gatherer.evidence

    def counted(sentence: str, passages: list[str], premise: Premise) -> Any:
        calls.append(sentence)
        return gather(sentence, passages, premise)

    lexical._gatherer.evidence = counted  # type: ignore[method-assign]
    passage = "Harga ikan tongkol di pasar Teluk Biru naik menjadi Rp 40.000 per kilogram."
    claim = "Harga tongkol di Teluk Biru naik menjadi Rp 40.000 per kilogram."
    first = lexical.judge(claim, [passage])
    again = lexical.judge(f"{claim} [1]", [passage])  # the same sentence once cited
    assert first == again and len(calls) == 1
    lexical.about("Naik menjadi Rp 40.000?").judge(claim, [passage])  # another premise
    assert len(calls) == 2


def test_negation_counts_denying_verbs_and_skips_idioms() -> None:
    assert negated("Siswa dilarang membawa telepon.") == negated(
        "Siswa tidak boleh membawa telepon."
    )
    assert negated("Kupon dipakai untuk mencegah antrean.") == negated(
        "Kupon dipakai agar tidak ada antrean."
    )
    assert negated("The mayor denied the report.")
    assert not negated("Pembeli harus tinggal di sana paling tidak dua tahun.")
    assert not negated("Tak lama kemudian, hujan turun.")
    assert not negated("The council approved the plan.")


def test_without_before_a_noun_is_a_privative_and_before_a_verb_a_negation() -> None:
    assert not negated("Warga membangun kios tanpa izin di trotoar.")  # "unlicensed"
    assert not negated("The side ended a run of seven games without a victory.")  # "winless"
    assert not negated("Koperasi memberi pinjaman tanpa bunga kepada anggotanya.")
    assert negated("Kios dibuka tanpa dipungut biaya sewa.")  # a verb: nothing is charged
    assert negated("The ferry left without waiting for the last bus.")
    assert negated("Festival berakhir tanpa ada keributan.")


def test_a_privative_restated_without_its_word_passes(lexical: Judge) -> None:
    passage = "Petugas menutup 14 kios tanpa izin di sepanjang pantai pada Rabu."
    assert lexical.judge("Petugas menutup 14 kios ilegal di sepanjang pantai.", [passage]).supported
    changed = "Petugas tidak menutup 14 kios ilegal di sepanjang pantai."
    assert not lexical.judge(changed, [passage]).supported


def test_a_clause_takes_the_negation_of_another_resting_on_its_sentence(lexical: Judge) -> None:
    passage = "Para petani di Sukamaju tidak memanen padi pekan ini akibat hujan deras sejak Senin."
    claim = "Akibat hujan deras sejak Senin, para petani Sukamaju tidak memanen padi pekan ini."
    assert lexical.judge(claim, [passage]).supported
    assert not lexical.judge(claim.replace("tidak ", ""), [passage]).supported


def test_stopping_from_denies_and_a_ban_pointed_back_at_does_not() -> None:
    assert negated("The board voted to stop new kiosks from opening near the pier.") == negated(
        "The board voted to ban new kiosks from opening near the pier."
    )
    assert not negated("The ferry stops at the pier from 7 am.")
    assert not negated("Larangan itu berlaku di 40 pasar, tradisional maupun modern.")
    assert not negated("The ban applies to 40 markets.")
    assert negated("The ban on plastic bags applies to 40 markets.")
    assert negated("Larangan memakai kantong plastik berlaku di 40 pasar.")


@pytest.mark.slow
def test_a_bracketed_date_is_no_rival_number(judge: Judge) -> None:
    """ "Kamis (14/3)" is a date, as "14/3/2024" is: its figures are not another count in the
    sentence a clause rests on. A changed count still fails."""
    passage = (
        "Pemkab Rawa Jaya meresmikan pembangkit listrik tenaga air berkapasitas 3 megawatt di "
        "Desa Tirta Sari, Kamis (14/3). Pembangkit itu akan melayani sekitar 2.600 rumah tangga "
        "yang sebelumnya hanya mendapat listrik 10 jam sehari. Proyek ini menelan biaya Rp45 "
        "miliar."
    )
    claim = (
        "Sekitar {} rumah tangga di Desa Tirta Sari kini mendapat listrik dari pembangkit 3 "
        "megawatt, yang sebelumnya hanya 10 jam sehari."
    )
    assert not judge.evidence(claim.format("2.600"), [passage]).failures
    changed = judge.evidence(claim.format("3.600"), [passage]).failures
    assert ("number not in the support region", "3.600") in changed


@pytest.mark.slow
def test_a_score_the_claim_writes_and_a_rank_are_no_rival_numbers(judge: Judge) -> None:
    """The best sentence's "3-1" is the claim's own score, and "fourth place" a rank: neither
    is another number of the claim's "two goals", which the next sentence states ("twice"). A
    count no sentence states still fails."""
    passage = (
        "Kalimbo Rovers beat Tanjung United 3-1 at Lembah Park on Sunday, lifting the club to "
        "fourth place in the league. Striker Andi Pratama scored twice in the first half before "
        "defender Rudi Hartono added a header late on. A crowd of 8,200 attended."
    )
    claim = "Andi Pratama scored {} first-half goals as Kalimbo Rovers beat Tanjung United 3-1."
    assert not judge.evidence(claim.format("two"), [passage]).failures
    changed = judge.evidence(claim.format("five"), [passage]).failures
    assert ("number not in the support region", "5") in changed


def test_a_month_the_passages_do_not_name_fails(lexical: Judge) -> None:
    passage = ["Pendaftaran lomba dibuka hingga 12 Juli. Pemenang diumumkan di balai desa."]
    added = lexical.judge("Pemenang lomba diumumkan pada Agustus di balai desa.", passage)
    assert not added.supported and added.reason == "month not in the cited passages"
    across = lexical.judge("Registration for the contest is open until 12 July.", passage)
    assert "month" not in across.reason


def test_a_ban_stated_in_the_other_language_must_stay_a_ban(lexical: Judge) -> None:
    passage = ["Pemkot Lamar melarang penjualan kembang api mulai 1 Juni."]
    allowed = lexical.judge("From 1 June, Lamar will allow the sale of fireworks.", passage)
    assert not allowed.supported and "ban" in allowed.reason
    for faithful in (
        "From 1 June, Lamar bans the sale of fireworks.",
        "From 1 June, Lamar has barred the sale of fireworks.",
    ):
        assert "ban" not in lexical.judge(faithful, passage).reason


def test_a_role_the_passage_gives_someone_else_fails(lexical: Judge) -> None:
    passage = ["OpenAI president Greg Brockman voiced a similar view on Tuesday."]
    wrong = lexical.judge("The chief executive of OpenAI, Greg Brockman, voiced a view.", passage)
    assert not wrong.supported and wrong.reason == "the passage gives another role"
    assert (
        "another role" not in lexical.judge("Presiden OpenAI Greg Brockman setuju.", passage).reason
    )
    indonesian = ["Direktur Utama PT Jati, Handoko Susilo, menyebut permintaan melemah."]
    claim = "President director Handoko Susilo said demand weakened."
    assert "another role" not in lexical.judge(claim, indonesian).reason
