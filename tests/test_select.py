"""Choosing an answer's sentences, and whether a sentence holds what a question asks for."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.answer.engine import factoid_scores, render
from app.answer.evidence import Candidate, quotation
from app.answer.features import FEATURES, type_fit
from app.answer.model import MODEL_PATH, Compose, DocScore, Model
from app.answer.query import parse_query
from app.answer.select import best_document, factoid, mmr
from app.answer.summarize import summary_sentences
from app.sentences import DocSentences
from app.types import Passage
from ingest.facts import text_facts

TEXTS = [
    "The ferry service opened in the spring after a long delay.",
    "Its first captain was a former fisherman from the island.",
    "The crossing takes forty minutes in calm weather.",
    "Tickets cost less than the old bus fare to the mainland.",
    "A second boat joined the line two years later.",
    "Ridership doubled within the first season of service.",
]


def _doc(doc_id: str = "d") -> DocSentences:
    vectors = np.eye(len(TEXTS), dtype=np.float32)  # no two sentences alike
    spans, at = [], 0
    for text in TEXTS:
        spans.append((at, at + len(text)))
        at += len(text) + 1
    return DocSentences(doc_id, "en", "Ferry", TEXTS, spans, vectors)


def _texts(policy: Compose, p: list[float]) -> list[str]:
    doc = _doc()
    cands = [Candidate(doc, i, 0) for i in range(len(TEXTS))]
    groups = factoid(cands, np.asarray(p), "en", policy)
    return [c.text for group in groups for c, _ in group]


def test_further_sentences_or_neighbours_first_when_not_all_fit() -> None:
    p = [0.9, 0.1, 0.1, 0.1, 0.1, 0.8]  # the best sentence and one far from it
    room = len(TEXTS[0]) + len(TEXTS[1]) + len(TEXTS[5]) + 3
    neighbours = Compose(ratio=0.5, max_sentences=2, after=2, max_chars=room)
    assert _texts(neighbours, p) == TEXTS[:3]  # the neighbours took the room
    anchors = Compose(ratio=0.5, max_sentences=2, after=2, max_chars=room, anchors_first=True)
    assert _texts(anchors, p) == [TEXTS[0], TEXTS[1], TEXTS[5]]  # the far one, then a neighbour


def test_a_day_for_a_date_question_that_asks_for_one() -> None:
    day = parse_query("On what date did the ferry service open?")
    when = parse_query("When did the ferry service open?")
    assert not type_fit(day, text_facts("The ferry service opened in 2019."))
    assert type_fit(day, text_facts("The ferry opened on Monday (13/11) after a delay."))
    assert type_fit(when, text_facts("The ferry service opened in 2019."))


def test_a_count_is_not_a_share() -> None:
    count = parse_query("Berapa penumpang yang naik kapal itu setiap hari?")
    assert not type_fit(count, text_facts("Sekitar 70% penumpang adalah pelajar."))
    assert type_fit(count, text_facts("Sekitar 1.200 penumpang naik setiap hari."))
    share = parse_query("Berapa persen penumpang adalah pelajar?")
    assert type_fit(share, text_facts("Sekitar 70% penumpang adalah pelajar."))


def test_a_counting_word_binds_a_count_in_its_own_language_only() -> None:
    buses = parse_query("Berapa unit bus yang melayani rute itu?")
    assert not type_fit(buses, text_facts("Rute itu dilayani 40 bus listrik."))
    assert type_fit(buses, text_facts("Rute itu dilayani 40 unit bus listrik."))
    assert type_fit(buses, text_facts("The route is served by 40 electric buses."), same=False)
    assert not type_fit(buses, text_facts("The route is 18.4 kilometres long."), same=False)
    tonnes = parse_query("Berapa ton beras yang diimpor?")
    assert not type_fit(tonnes, text_facts("Imports cost $40 million."), same=False)
    assert type_fit(tonnes, text_facts("Imports reached 40,000 tonnes."), same=False)


def test_how_many_asks_for_a_count_not_a_sum_or_a_measure() -> None:
    stops = parse_query("How many stops does the ferry make?")
    assert type_fit(stops, text_facts("The ferry makes 12 stops on its way."))
    assert not type_fit(stops, text_facts("The 18.4-kilometre crossing cost $40 million."))
    assert not type_fit(stops, text_facts("The crossing is 18.4 kilometres long."))
    length = parse_query("How many kilometres is the crossing?")
    assert type_fit(length, text_facts("The 18.4-kilometre crossing cost $40 million."))
    berapa = parse_query("Berapa banyak dana yang dihabiskan?")  # "banyak": much or many
    assert type_fit(berapa, text_facts("Proyek itu menghabiskan $40 juta."))


def test_how_old_asks_for_an_age_not_a_count() -> None:
    usia = parse_query("Berapa usia ketua koperasi itu?")
    assert not type_fit(usia, text_facts("Koperasi itu kini beranggotakan 870 petani."))
    assert type_fit(usia, text_facts("Ketua koperasi, Sari Wulan (52), menyambut rencana itu."))
    assert type_fit(usia, text_facts("Ia sudah berusia 61 tahun."))
    old = parse_query("How old is the club's coach?")
    assert not type_fit(old, text_facts("The club signed 14 players this summer."))
    assert not type_fit(old, text_facts("The club paid $12,500,000 for 14 players."))
    assert type_fit(old, text_facts("Its coach, Dana Reyes, 47, said the club would rebuild."))
    assert type_fit(old, text_facts("The 47-year-old coach said the club would rebuild."))


def test_where_asks_for_a_place_a_preposition_of_place_stands_before() -> None:
    ferry = parse_query("Where did the ferry run aground?")
    assert type_fit(ferry, text_facts("The ferry ran aground off Karang Putih on Sunday."))
    assert type_fit(ferry, text_facts("Kapal itu kandas di dekat Pulau Sabira."), same=False)
    assert not type_fit(ferry, text_facts("Captain Rudi Hartono said the ferry ran aground."))
    assert not type_fit(ferry, text_facts("The ferry ran aground in March, according to Reuters."))
    mana = parse_query("Di mana pabrik Sinar Baja akan dibangun?")
    assert not type_fit(mana, text_facts("Pabrik Sinar Baja akan dibangun tahun depan."))
    assert not type_fit(mana, text_facts("Izin pabrik itu diurus di Sinar Baja."))  # its own name
    assert type_fit(mana, text_facts("Pabrik Sinar Baja akan berdiri di Cilegon."))
    # a point of the compass or of a river places a thing without a name
    assert type_fit(mana, text_facts("Pabrik itu berdiri di hulu sungai."))
    assert type_fit(ferry, text_facts("The ferry drifted north-east after its engine failed."))


def test_who_asks_for_a_person_not_an_acronym() -> None:
    who = parse_query("Who signed the harbour board's letter?")
    assert not type_fit(who, text_facts("The letter asked the EU and the UN for help."))
    assert type_fit(who, text_facts("The letter was signed by Rina Marlow."))
    siapa = parse_query("Siapa yang menandatangani surat dewan pelabuhan?")
    assert not type_fit(siapa, text_facts("Surat itu dikirim ke DPRD dan PT KAI."))
    assert type_fit(siapa, text_facts("Surat itu ditandatangani Rina Marlow dari PT KAI."))


def test_how_long_asks_for_a_time_or_a_length() -> None:
    road = parse_query("How long will the new ring road be?")
    assert type_fit(road, text_facts("Jalan lingkar itu sepanjang 9,6 kilometer."), same=False)
    assert type_fit(road, text_facts("Building it will take three years."))
    lama = parse_query("Berapa lama pembangunan jalan itu?")
    assert not type_fit(lama, text_facts("Jalan lingkar itu sepanjang 9,6 kilometer."))


def test_an_open_answer_keeps_to_the_documents_close_to_the_best() -> None:
    first, second = _doc("a"), _doc("b")
    second.vectors = -second.vectors  # no sentence of one alike any of the other
    cands = [Candidate(first, i, 0) for i in range(3)] + [Candidate(second, i, 1) for i in range(3)]
    p = np.asarray([0.9, 0.2, 0.1, 0.5, 0.4, 0.3])

    def docs(doc_ratio: float) -> set[str]:
        picks = mmr(cands, p, "en", 10_000, 0.0, 0.7, doc_ratio)
        assert len(picks) == len({c.key for c, _ in picks})
        return {c.doc.doc_id for c, _ in picks}

    assert docs(0.0) == {"a", "b"}
    assert docs(0.5) == {"a", "b"}  # the other document's best reaches half the best
    assert docs(0.6) == {"a"}
    assert docs(1.0) == {"a"}


def test_an_open_answer_can_keep_to_the_documents_retrieved_first() -> None:
    first, second = _doc("a"), _doc("b")
    second.vectors = -second.vectors
    # "b" holds the best-ranked passage, "a" the best sentence
    cands = [Candidate(first, i, 1) for i in range(3)] + [Candidate(second, i, 0) for i in range(3)]
    p = np.asarray([0.9, 0.2, 0.1, 0.5, 0.4, 0.3])

    def docs(doc_ratio: float, by: DocScore) -> set[str]:
        return {c.doc.doc_id for c, _ in mmr(cands, p, "en", 10_000, 0.0, 0.7, doc_ratio, by)}

    assert docs(1.0, "sentence") == {"a"}
    assert docs(1.0, "passage") == {"b"}
    assert docs(0.5, "passage") == {"a", "b"}  # the second-ranked passage's document too
    # a sentence's share is taken of the best sentence among the kept documents
    kept = mmr(cands, p, "en", 10_000, 0.7, 0.7, 1.0, "passage")
    assert [c.key for c, _ in kept] == [("b", 0), ("b", 1)]


def test_the_best_document_by_sentence_or_by_passage() -> None:
    first, second = _doc("a"), _doc("b")
    cands = [Candidate(first, 0, 1), Candidate(second, 0, 0)]
    p = np.asarray([0.9, 0.5])
    assert best_document(cands, p, "sentence").doc_id == "a"
    assert best_document(cands, p, "passage").doc_id == "b"


def test_a_model_file_with_an_unknown_document_score_is_refused() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert Model.from_json(data).open_doc_by in ("sentence", "passage")
    with pytest.raises(ValueError, match="open_doc_by"):
        Model.from_json({**data, "open_doc_by": "document"})


def test_the_ranker_s_probabilities_compare_a_question_s_candidates_only() -> None:
    """The ranker scores a sentence by how far it falls behind its question's best: the best
    always gets σ(intercept), whatever the level of the scores; without ranking weights (an older
    file) the relevance model ranks. Lists are composed by relevance, factoids by the ranker."""
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    model = Model.from_json(data)
    X = np.random.default_rng(0).normal(size=(5, len(FEATURES))).astype(np.float32)
    shifted = X.copy()
    col = model.columns[int(np.argmax(np.abs(model.rank_coef)))]
    shifted[:, col] += 3.0  # every candidate alike: the order and the gaps stay
    rank = model.rank_probabilities(X)
    assert rank.max() == pytest.approx(1 / (1 + np.exp(-model.rank_intercept)))
    assert np.allclose(rank, model.rank_probabilities(shifted))
    assert not np.allclose(model.probabilities(X), model.probabilities(shifted))
    old = Model.from_json({k: v for k, v in data.items() if not k.startswith("rank_")})
    assert np.array_equal(old.rank_probabilities(X), old.probabilities(X))
    with pytest.raises(ValueError, match="ranking weights"):
        Model.from_json({**data, "rank_coef": data["rank_coef"][:-1]})
    p, r = np.zeros(2), np.ones(2)
    assert factoid_scores("list", p, r) is p and factoid_scores("factoid", p, r) is r


QUOTED = [
    "The harbour master spoke at the pier on Friday.",
    '"We waited ten years for this boat.',
    'Now the children can reach school in an hour," she said.',
    "The ferry carries ninety passengers.",
    "Fares are paid on board.",
]


def _quoted_doc() -> DocSentences:
    spans, at = [], 0
    for text in QUOTED:
        spans.append((at, at + len(text)))
        at += len(text) + 1
    return DocSentences("q", "en", "Pier", QUOTED, spans, np.eye(len(QUOTED), dtype=np.float32))


def test_quotation_runs_from_the_sentence_that_opens_it_to_the_one_that_closes_it() -> None:
    assert quotation(QUOTED, 2) == [1, 2]
    assert quotation(QUOTED, 1) == [1, 2]  # an opening left open goes on to its close
    assert quotation(QUOTED, 0) == [0] and quotation(QUOTED, 3) == [3]
    curly = ["“One.", "Two.", "Three,” he said.", 'Closed." she said.']
    assert quotation(curly, 2) == [0, 1, 2]
    assert quotation(curly, 0) == [0, 1, 2]
    assert quotation(curly, 3) == [3]  # an earlier quotation closed: nothing opens this one
    unclosed = ['"One.', "Two.", '"Three.']  # a new opening before any close: no unit
    assert quotation(unclosed, 0) == [0]


def test_a_sentence_that_ends_a_quotation_comes_with_its_opening() -> None:
    doc = _quoted_doc()
    cands = [Candidate(doc, i, 0) for i in range(len(QUOTED))]
    policy = Compose(ratio=0.9, max_sentences=1, before=0, after=0, max_chars=600)
    p = np.asarray([0.1, 0.1, 0.9, 0.1, 0.1])
    groups = factoid(cands, p, "en", policy)
    assert [c.i for group in groups for c, _ in group] == [1, 2]
    picks = mmr(cands, p, "en", 600, 0.9, 0.5)
    assert sorted(c.i for c, _ in picks) == [1, 2]
    central = np.eye(len(QUOTED), dtype=np.float32)
    central[2] = np.asarray([1, 0, 0, 1, 1]) / np.sqrt(3)  # the closing one is the most central
    summarised = DocSentences("q", "en", "Pier", QUOTED, doc.spans, central)
    room = len(QUOTED[1]) + len(QUOTED[2]) + 2
    assert summary_sentences(summarised, room) == [1, 2]


def test_a_neighbour_that_ends_a_quotation_needs_its_opening_in_the_group() -> None:
    doc = _quoted_doc()
    cands = [Candidate(doc, i, 0) for i in range(len(QUOTED))]
    policy = Compose(
        ratio=0.5, max_sentences=2, before=0, after=2, max_chars=600, anchors_first=True
    )
    p = np.asarray([0.9, 0.1, 0.6, 0.1, 0.1])  # the quotation is a second anchor: its own group
    groups = factoid(cands, p, "en", policy)
    assert [[c.i for c, _ in group] for group in groups] == [[0], [1, 2]]
    p = np.asarray([0.9, 0.6, 0.1, 0.1, 0.1])  # the opening sentence is the second anchor
    groups = factoid(cands, p, "en", policy)
    assert [[c.i for c, _ in group] for group in groups] == [[0], [1, 2]]  # with its close
    after = Compose(ratio=0.9, max_sentences=1, before=0, after=1, max_chars=600)
    groups = factoid(cands, np.asarray([0.9, 0.1, 0.1, 0.1, 0.1]), "en", after)
    assert [c.i for c, _ in groups[0]] == [0]  # a neighbour opening a quotation it leaves open


def test_a_diverse_summary_trades_score_for_saying_something_else() -> None:
    texts = [
        "The ferry service opened in the spring after a long delay.",
        "The ferry service finally opened this spring, later than planned.",
        "Tickets cost less than the old bus fare to the mainland.",
    ]
    vectors = np.asarray([[1, 0, 0], [0.9, np.sqrt(1 - 0.81), 0], [0, 0, 1]], dtype=np.float32)
    spans = [(0, 58), (59, 124), (125, 181)]
    doc = DocSentences("f", "en", "Ferry", texts, spans, vectors)
    room = len(texts[0]) + len(texts[1]) + 2  # two sentences
    assert summary_sentences(doc, room, position=2.0) == [0, 1]  # the lead and its echo
    assert summary_sentences(doc, room, position=2.0, diversity=0.5) == [0, 2]


def test_an_item_an_article_bullets_is_its_own_line_without_the_bullet() -> None:
    texts = ["Ferry news in brief.", "● The crossing reopened on Monday.", "Tickets cost less."]
    spans, at = [], 0
    for text in texts:
        spans.append((at, at + len(text)))
        at += len(text) + 1
    doc = DocSentences("f", "en", "Ferry", texts, spans, np.eye(3, dtype=np.float32))
    passage = Passage(
        chunk_id="c", doc_id="f", title="Ferry", source="s", text="\n".join(texts), start=0, end=at
    )
    picks = [(Candidate(doc, i, 0), 1.0) for i in range(3)]
    assert render([picks], [passage]).text == (
        "Ferry news in brief. [1]\n- The crossing reopened on Monday. [1]\nTickets cost less. [1]"
    )
