"""The answer engine on the built-in corpus with the real embedder: what an answer is made of.

These tests check behaviour — verbatim cited sentences, answer budgets, abstention wording,
comparisons, summaries, reranking — not the quality numbers, which the evaluation gate measures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from app.answer.engine import Engine, names_absent, rerank
from app.answer.evidence import Candidate, candidates, passage_of
from app.answer.features import ABSTAIN_FEATURES, FEATURES, featurize
from app.answer.markers import extract_markers, split_answer, strip_markers
from app.answer.query import parse_query
from app.answer.summarize import centrality
from app.constants import ABSTAIN_EN, ABSTAIN_ID
from app.service import AnswerService
from app.settings import Settings
from app.types import Answer, Passage
from ingest.pipeline import ingest
from vectorstore.embeddings import language_means

from .conftest import CORPUS
from .library import BiasedEmbeddings, MemorySentences

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def service(
    tmp_path_factory: pytest.TempPathFactory, real_embeddings: Embeddings
) -> Iterator[AnswerService]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("engine")) / "store")
    store = settings.store(real_embeddings)
    ingest([str(CORPUS)], settings.ingest, real_embeddings, store)
    from app.retrieve import HybridRetriever

    yield AnswerService(settings, HybridRetriever(settings, store, real_embeddings))


def _verbatim(answer: Answer) -> None:
    """Every answer sentence is a sentence of the passage it cites, checked by the judge."""
    assert answer.unsupported == []
    for sentence in split_answer(answer.answer):
        text = re.sub(r"^\*\*[^*]+:\*\*\s*", "", strip_markers(sentence))
        if text in (ABSTAIN_EN, ABSTAIN_ID) or text.startswith(("No information", "Tidak ada")):
            continue
        cited = extract_markers(sentence)
        assert cited, sentence
        quoted = {c.n: c.text for c in answer.citations}
        assert any(text in quoted[n] for n in cited), sentence


def test_typed_question_answer_is_short_and_quoted(service: AnswerService) -> None:
    answer = service.ask("Berapa biaya renovasi stadion kandang Persikal?")
    assert not answer.abstained
    assert len(strip_markers(answer.answer)) <= 600 and answer.kind == "factoid"
    _verbatim(answer)


def test_cross_language_question(service: AnswerService) -> None:
    answer = service.ask("How much did the renovation of Persikal's home stadium cost?")
    assert not answer.abstained and answer.lang == "en"
    assert {c.title for c in answer.citations} and all(
        "Persikal" in c.title for c in answer.citations
    )
    _verbatim(answer)


def test_list_question_includes_the_items(service: AnswerService) -> None:
    answer = service.ask("Apa saja tuntutan warga Desa Wawoleka?")
    assert not answer.abstained and "ganti rugi" in answer.answer
    _verbatim(answer)


def test_open_question_is_a_cited_summary_of_evidence(service: AnswerService) -> None:
    answer = service.ask("Bagaimana OpenAI berencana membiayai belanja infrastrukturnya?")
    assert not answer.abstained and answer.kind == "open"
    assert len(strip_markers(answer.answer)) <= 1200
    _verbatim(answer)


def test_document_summary_by_centrality(service: AnswerService) -> None:
    answer = service.ask("Ringkas artikel tentang smelter nikel di Lalowata.")
    assert answer.kind == "summary" and not answer.abstained
    text = strip_markers(answer.answer)
    assert 200 < len(text) <= 1200 and len(split_answer(answer.answer)) >= 2
    assert {c.title for c in answer.citations} == {answer.citations[0].title}
    assert "smelter" in answer.citations[0].title.lower()
    _verbatim(answer)


def test_comparison_side_by_side(service: AnswerService) -> None:
    answer = service.ask("Bandingkan OpenAI dan Anthropic dalam hal target profitabilitas.")
    assert answer.kind == "compare" and not answer.abstained
    lines = [line for line in answer.answer.split("\n\n") if line.strip()]
    assert [line.split(":**")[0] for line in lines] == ["**OpenAI", "**Anthropic"]
    _verbatim(answer)


def test_a_comparison_side_holds_no_sentence_about_the_other_side_only(
    service: AnswerService,
) -> None:
    answer = service.ask("Bandingkan OpenAI dan Anthropic dalam hal sumber pendapatan.")
    sides = dict(line.split(":**", 1) for line in answer.answer.split("\n\n") if line.strip())
    assert set(sides) == {"**OpenAI", "**Anthropic"}
    for side, other in [("OpenAI", "Anthropic"), ("Anthropic", "OpenAI")]:
        for sentence in split_answer(sides[f"**{side}"]):
            assert side in sentence or other not in sentence, (side, sentence)


def test_a_comparison_side_is_ordered_by_what_it_says_of_the_aspect(
    service: AnswerService,
) -> None:
    """A side gathers the sentences on its aspect, as a list gathers items (relevance), not the
    one sentence the factoid ranker would answer with: OpenAI's revenue strategy is its plan to
    broaden its income, not the controversy over its credibility."""
    answer = service.ask("Compare OpenAI and Anthropic on their revenue strategies.")
    sides = dict(line.split(":**", 1) for line in answer.answer.split("\n\n") if line.strip())
    assert "hardware" in sides["**OpenAI"] and "enterprise" in sides["**Anthropic"]


def test_abstention_in_the_question_language(service: AnswerService) -> None:
    for question, text in [
        ("Berapa gaji bulanan pelatih kepala klub Zorbania?", ABSTAIN_ID),
        ("How much does a student ticket on the Zorbania tram cost?", ABSTAIN_EN),
    ]:
        answer = service.ask(question)
        assert answer.abstained and answer.answer == text and answer.citations == []
        assert answer.passages and answer.support is not None


def test_abstention_follows_the_fitted_threshold(service: AnswerService) -> None:
    threshold = service.engine.model.abstain_below
    for question in ["Berapa panjang rute Seafront Line?", "When was PT TSM's permit issued?"]:
        answer = service.ask(question)
        assert answer.support is not None
        assert answer.abstained == (answer.support < threshold)


def test_names_absent_from_the_retrieved_documents(service: AnswerService) -> None:
    got = service.retriever.retrieve("Siapa pelatih Persikal?", 4)
    docs = list(service.retriever.sentences.get(got.passages).values())
    assert names_absent(parse_query("Siapa pelatih Persikal?"), docs) == 0.0
    assert names_absent(parse_query("Siapa pelatih Zorbania?"), docs) == 1.0


def test_abstention_sees_whether_the_counted_thing_is_mentioned(service: AnswerService) -> None:
    """ "Berapa poin …" is about points, which the article counts; "berapa wasit …" (referees)
    is not, although the best sentences hold numbers all the same."""
    focus = [ABSTAIN_FEATURES.index(f) for f in ("focus_absent_best", "focus_absent")]
    seen = []
    for question in [
        "Berapa poin yang dikumpulkan Persikal?",
        "Berapa wasit yang memimpin laga Persikal?",
    ]:
        query = parse_query(question)
        got = service.retriever.retrieve(question, 4)
        scored = service.engine.score(query, got.passages, got.vector or [])
        seen.append([scored.abstention[k] for k in focus])
    assert seen == [[0.0, 0.0], [1.0, 1.0]]


def test_rerank_orders_passages_by_their_best_sentence(service: AnswerService) -> None:
    got = service.retriever.retrieve("Kapan Anthropic diperkirakan mencapai titik impas?", 4)
    docs = service.retriever.sentences.get(got.passages)
    cands = candidates(got.passages, docs)
    p = np.zeros(len(cands))
    last = next(k for k, c in enumerate(cands) if passage_of(c, got.passages) == len(got.passages))
    p[last] = 0.9
    ordered = rerank(got.passages, cands, p)
    assert ordered[0] == got.passages[-1] and sorted(ordered, key=id) == sorted(
        got.passages, key=id
    )


def test_a_neighbour_outside_the_passages_is_cited_through_its_chunk(
    service: AnswerService,
) -> None:
    engine: Engine = service.engine
    got = service.retriever.retrieve("Siapa pelatih kepala Persikal?", 1)
    docs = service.retriever.sentences.get(got.passages)
    doc = docs[got.passages[0].doc_id]
    outside = next(
        i
        for i, (a, b) in enumerate(doc.spans)
        if a >= got.passages[0].end and len(doc.texts[i]) > 20
    )
    passages = engine.cover([[(Candidate(doc, outside, 0), 0.5)]], list(got.passages))
    assert len(passages) == 2 and passages[1].doc_id == doc.doc_id
    assert passage_of(Candidate(doc, outside, 0), passages) == 2


def test_lexrank_centrality_prefers_the_hub() -> None:
    hub = np.array([1.0, 1.0, 1.0]) / np.sqrt(3)
    vectors = np.vstack([hub, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert int(np.argmax(centrality(vectors))) == 0


def test_engine_needs_no_llm(service: AnswerService) -> None:
    answer = service.ask("Who heads the shopkeepers' group that sued the city?")
    assert answer.answerer == "extractive" and "llm_ms" not in answer.timings
    assert {"embed_ms", "answer_ms", "verify_ms", "total_ms"} <= set(answer.timings)


def test_passage_objects_are_not_modified(service: AnswerService) -> None:
    got = service.retriever.retrieve("Berapa panjang rute Seafront Line?", 3)
    before = [p.model_dump() for p in got.passages]
    service.engine.answer(parse_query("Berapa panjang rute Seafront Line?"), got)
    assert [p.model_dump() for p in got.passages] == before
    assert all(isinstance(p, Passage) for p in got.passages)


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Kapan Anthropic diperkirakan mencapai titik impas?", "id"),
        ("When is Anthropic expected to break even?", "en"),
    ],
)
def test_the_passage_in_the_question_language_is_quoted(
    service: AnswerService, question: str, lang: str
) -> None:
    """Both languages' articles hold the fact: the one in the question's language is cited."""
    result = service.ask(question)
    assert not result.abstained and result.citations
    by_id = {d.doc_id: d for d in service.retriever.store.list_documents()}
    assert {by_id[c.doc_id].lang for c in result.citations} == {lang}


def test_citations_are_numbered_per_answer(service: AnswerService) -> None:
    for question in ("Siapa pelatih kepala Persikal?", "Berapa panjang rute Seafront Line?"):
        result = service.ask(question)
        numbers = [c.n for c in result.citations]
        assert numbers == list(range(1, len(numbers) + 1))
        assert set(extract_markers(result.answer)) == set(numbers)


def test_scoped_question_uses_only_the_chosen_documents(service: AnswerService) -> None:
    docs = service.retriever.store.list_documents()
    chosen = next(d for d in docs if d.lang == "en" and "Anthropic" not in d.title)
    result = service.ask("Kapan Anthropic diperkirakan mencapai titik impas?", docs=[chosen.doc_id])
    assert {p.doc_id for p in result.passages} <= {chosen.doc_id}
    assert {c.doc_id for c in result.citations} <= {chosen.doc_id}
    compare = service.ask("Bandingkan OpenAI dan Anthropic", docs=[chosen.doc_id])
    assert {p.doc_id for p in compare.passages} <= {chosen.doc_id}


def _whole(doc_id: str, lang: str, text: str) -> Passage:
    """A passage that is a whole one-chunk document, titled by its text."""
    return Passage(
        chunk_id=doc_id,
        doc_id=doc_id,
        title=text,
        source=text,
        lang=lang,
        text=text,
        start=0,
        end=len(text),
    )


def test_sentences_in_the_other_language_are_scored_on_an_even_footing() -> None:
    embeddings = BiasedEmbeddings()
    texts = {
        "en": ["The bakery bakes bread before dawn.", "The night train was cancelled again."],
        "id": ["Warga membersihkan sungai setiap pagi.", "Tim itu mencetak gol terakhir."],
    }
    passages = [
        _whole(f"{lang}{k}", lang, t) for lang, pair in texts.items() for k, t in enumerate(pair)
    ]
    docs = MemorySentences(passages, embeddings).get(passages)
    cands = candidates(passages, docs)
    query = parse_query("Kapan toko roti itu membuat roti?")
    vector = embeddings.embed_query(query.text)
    centroids = {
        lang: np.mean([d.vectors.mean(axis=0) for d in docs.values() if d.lang == lang], axis=0)
        for lang in texts
    }
    dense = FEATURES.index("dense")

    def best(means: dict[str, float] | None) -> str:
        X = featurize(query, vector, cands, means)
        return cands[int(np.argmax(X[:, dense]))].doc.lang

    assert best(None) == "id"  # the embedder's pull toward the question's language
    assert best(language_means(vector, centroids)) == "en"  # the bakery sentence


def _feature_rows(text: str, *questions: str) -> list[np.ndarray]:
    """The :data:`FEATURES` rows of one English passage's sentences, for each question."""
    embeddings = BiasedEmbeddings()
    passage = _whole("d0", "en", text)
    cands = candidates([passage], MemorySentences([passage], embeddings).get([passage]))
    queries = [parse_query(q) for q in questions]
    return [featurize(q, embeddings.embed_query(q.text), cands) for q in queries]


def test_a_sentence_stating_how_many_items_a_list_question_asks_for() -> None:
    """For "Apa saja tiga syarat…" the sentence saying "three conditions" (in words or figures,
    in either language) and the one after it carry the count features; others do not."""
    text = (
        "The board set three conditions for the loan. First, the plan must be audited. "
        "The vote was held on Monday."
    )
    X, other = _feature_rows(
        text, "Apa saja tiga syarat pinjaman itu?", "Apa saja syarat pinjaman itu?"
    )
    own, prev = FEATURES.index("list_count"), FEATURES.index("list_count_prev")
    assert [(X[k, own], X[k, prev]) for k in range(len(X))] == [(1, 0), (0, 1), (0, 0)]
    assert not other[:, [own, prev]].any()  # no count asked: nothing fires


def test_the_thing_a_question_counts_standing_after_a_number() -> None:
    """For "How many stops …" the sentence saying "12 stops" carries ``unit_fit``, not the one
    that counts something else ("four other routes … stops") or one without the thing."""
    text = (
        "Four other routes now end at the ferry stops. The ferry makes 12 stops on its way. "
        "It sails 12 times a day."
    )
    (X,) = _feature_rows(text, "How many stops does the ferry make?")
    assert X[:, FEATURES.index("unit_fit")].tolist() == [0.0, 1.0, 0.0]


def test_factoid_answers_are_ranked_by_the_ranker(service: AnswerService) -> None:
    """The relevance model decides whether to answer; the ranker which sentence answers. A
    ranker that reverses the relevance model's order starts the answer from the sentence the
    relevance model likes least; a ranker equal to it, or none, gives the usual answer."""
    question = "Kapan Anthropic diperkirakan mencapai titik impas?"
    query = parse_query(question)
    got = service.retriever.retrieve(question, 4)
    model = service.engine.model
    same = replace(model, rank_coef=model.coef, rank_intercept=model.intercept)
    reverse = replace(model, rank_coef=tuple(-w for w in model.coef), rank_intercept=0.0)
    plain = replace(model, rank_coef=(), rank_intercept=0.0)
    drafts = [Engine(service.retriever, m).answer(query, got) for m in (same, plain, reverse)]
    assert not any(d.abstained for d in drafts)
    assert drafts[0].text == drafts[1].text != drafts[2].text
    scored = Engine(service.retriever, plain).score(query, got.passages, got.vector or [])
    worst = scored.cands[int(np.argmin(scored.p))]
    assert worst.text in drafts[2].text and worst.text not in drafts[0].text
