"""The Chroma store in both modes: embedded PersistentClient and a real `chroma run` server."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from app.settings import Settings
from ingest.chunking import chunk_text
from ingest.pipeline import make_document
from ingest.types import LoadedText
from vectorstore.store import ModelMismatchError, Store, StoreBusyError

TEXT = (
    "Anthropic menargetkan titik impas pada 2028 dengan fokus pada pelanggan korporat.\n\n"
    "OpenAI memperkirakan kerugian operasional sekitar $74 miliar pada tahun yang sama.\n\n"
    + "Paragraf pengisi tentang pasar komputasi dan pusat data. "
    * 30
)


@pytest.fixture(params=["embedded", "server"])
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "server":
        host, port = request.getfixturevalue("chroma_server")
        # a fresh collection per test keeps server-mode tests independent
        return settings.model_copy(
            update={
                "chroma_host": host,
                "chroma_port": port,
                "collection": f"t{uuid.uuid4().hex[:12]}",
            }
        )
    return settings


def _add(store: Store, text: str = TEXT, source: str = "a.txt") -> str:
    doc = make_document(LoadedText(text=text, source=source, kind="txt"), source)
    chunks = chunk_text(doc.doc_id, doc.text)
    doc.chunks = len(chunks)
    with store.writing():
        store.add_document(doc, chunks, store.embeddings.embed_documents([c.text for c in chunks]))
    return doc.doc_id


def test_add_list_query_delete(store_settings: Settings, fake_embeddings) -> None:
    store = Store.open(store_settings, fake_embeddings)
    doc_id = _add(store)
    docs = store.list_documents()
    assert [d.doc_id for d in docs] == [doc_id]
    assert docs[0].chunks == store.chunk_count() > 1
    full = store.get_document(doc_id)
    assert full is not None and full.text.startswith("Anthropic menargetkan")
    first_text = next(t for _, t, _ in store.iter_chunks())
    hits = store.search(fake_embeddings.embed_query(first_text), 3)
    assert hits[0][1] == pytest.approx(1.0, abs=1e-3)
    assert store.get_chunks([hits[0][0]])[hits[0][0]][0] == first_text
    assert store.find(doc_id[:10])[0].doc_id == doc_id
    with store.writing():
        store.delete_document(doc_id)
    assert store.list_documents() == [] and store.chunk_count() == 0


def test_each_language_is_searched_in_its_own_collection(
    store_settings: Settings, fake_embeddings
) -> None:
    store = Store.open(store_settings, fake_embeddings)
    doc_id = _add(store)  # Indonesian
    text = next(t for _, t, _ in store.iter_chunks())
    vector = fake_embeddings.embed_query(text)
    assert store.vectors["id"].count() == store.chunk_count() and store.vectors["en"].count() == 0
    assert [i for i, _ in store.search(vector, 3, lang="id")] == [
        i for i, _ in store.search(vector, 3)
    ]
    assert store.search(vector, 3, lang="en") == []
    # a store written before these collections gets them when it is opened
    for collection in store.vectors.values():
        store.client.delete_collection(collection.name)
    reopened = Store.open(store_settings, fake_embeddings)
    assert reopened.languages_indexed() and reopened.vectors["id"].count() == store.chunk_count()
    assert reopened.search(vector, 1, lang="id")[0][0] == store.search(vector, 1)[0][0]
    with reopened.writing():
        reopened.delete_document(doc_id)
    assert all(c.count() == 0 for c in reopened.vectors.values())


def test_restart_finds_every_chunk(store_settings: Settings, fake_embeddings) -> None:
    _add(Store.open(store_settings, fake_embeddings))
    reopened = Store.open(store_settings, fake_embeddings)
    rows = list(reopened.iter_chunks())
    assert rows and len(reopened.get_chunks([r[0] for r in rows])) == len(rows)
    for chunk_id, text, _ in rows:
        assert reopened.search(fake_embeddings.embed_query(text), 1)[0][0] == chunk_id


def test_model_mismatch_names_reindex(store_settings: Settings, fake_embeddings) -> None:
    _add(Store.open(store_settings, fake_embeddings))
    other = type(fake_embeddings)(size=32)
    other.model_id = "fake:other"
    with pytest.raises(ModelMismatchError, match="telaah reindex"):
        Store.open(store_settings, other)


def test_repair_removes_uncommitted_chunks(settings: Settings, fake_embeddings) -> None:
    store = Store.open(settings.store_settings, fake_embeddings)
    kept = _add(store, source="kept.txt")
    doc = make_document(LoadedText(text="Teks lain. " * 80, source="b.txt", kind="txt"), "b.txt")
    chunks = chunk_text(doc.doc_id, doc.text)
    store._journal_begin(doc.doc_id)  # a crash after writing chunks, before the commit record
    store._write_chunks(
        store.chunks, doc, chunks, fake_embeddings.embed_documents([c.text for c in chunks])
    )
    assert store.chunk_count() > store.list_documents()[0].chunks
    reopened = Store.open(settings.store_settings, fake_embeddings)
    assert [d.doc_id for d in reopened.list_documents()] == [kept]
    assert reopened.chunk_count() == reopened.list_documents()[0].chunks


def test_single_writer_lock(settings: Settings, fake_embeddings) -> None:
    a = Store.open(settings.store_settings, fake_embeddings)
    b = Store.open(settings.store_settings, fake_embeddings)
    with a.writing():
        with pytest.raises(StoreBusyError, match="Chroma server"):
            with b.writing():
                pass
    with b.writing():
        pass


def test_language_centroids_from_a_bounded_sample(settings: Settings, fake_embeddings) -> None:
    store = Store.open(settings.store_settings, fake_embeddings)
    rng = np.random.default_rng(0)
    langs = ["en" if k % 3 else "id" for k in range(600)]
    direction = {"en": np.eye(8)[0], "id": np.eye(8)[1]}
    vectors = np.asarray([direction[x] + rng.normal(scale=0.05, size=8) for x in langs])
    store.chunks.add(
        ids=[f"c{k}" for k in range(600)],
        embeddings=vectors,
        metadatas=[{"doc_id": "d", "lang": x} for x in langs],
        documents=["text"] * 600,
    )
    exact = store.language_centroids(sample=10_000)
    sampled = store.language_centroids(sample=120)  # 8 pages of 15, spread over the 600
    for lang in ("en", "id"):
        assert np.allclose(exact[lang], vectors[[x == lang for x in langs]].mean(axis=0))
        assert np.linalg.norm(sampled[lang] - exact[lang]) < 0.05
    store.chunks.add(ids=["bare"], embeddings=[list(vectors[0])], documents=["text"])
    assert store.language_centroids() == {}  # a chunk of no known language: nothing to centre
