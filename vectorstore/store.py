"""The Chroma store: chunks and sentences (embedded, cosine) plus one record per document.

Chunks are what retrieval ranks; sentences (each embedded on its own, the pattern of
sentence-window retrieval) are the answer engine's evidence. Atomicity without transactions: a
document's chunks and sentences are written first and its document record last (the commit
marker); deletion removes the record first. A journal file notes
work in progress, and the next writer repairs whatever a crash left: chunks without a
committed record, or a record whose chunk count does not match.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
from filelock import FileLock, Timeout
from langchain_core.embeddings import Embeddings

from ingest.text import LANGUAGES
from ingest.types import Chunk, Document, Embedded, Sentence
from vectorstore.embeddings import model_id

if TYPE_CHECKING:
    from vectorstore.settings import StoreSettings

_PAGE = 2000
_CENTROID_SAMPLE = 1000  # chunks read for the language centroids: one bounded read
_WRITE_BATCH = 500
_VECTORS = {lang: f"vectors_{lang}" for lang in LANGUAGES}
"""One collection per language holding its chunks' vectors (and document ids) again, so that a
search within one language is a plain search: Chroma's language filter costs more the larger
the store."""
_KINDS = ("chunks", "sentences", *_VECTORS.values())


class StoreError(RuntimeError):
    """A store problem with a one-line, user-facing message."""


class ModelMismatchError(StoreError):
    """The store was built with a different embedding model."""


class StoreBusyError(StoreError):
    """Another process holds the single-writer lock of an embedded store."""


def _client(settings: StoreSettings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:  # noqa: BLE001 - connection failures become one clear line
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}:"
                f" {str(exc).splitlines()[0][:160]}"
            ) from exc
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if v is not None}


class Store:
    """Documents and chunks in Chroma; one instance per process and data dir."""

    def __init__(self, settings: StoreSettings, embeddings: Embeddings, client: Any) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.model_id = model_id(embeddings)
        self.client = client
        self.server_mode = bool(settings.chroma_host)
        self._open_collections()
        # a reader's sync() must not see the token half-written by this process's writer
        self._generation_lock = threading.Lock()
        self._seen_generation = self.generation()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(settings.data_dir / "writer.lock"), timeout=0)
        self._journal = settings.data_dir / "ingest.journal"
        self.writes = 0  # bumped on every write by this process, so readers can resync at once

    @classmethod
    def open(
        cls, settings: StoreSettings, embeddings: Embeddings, check_model: bool = True
    ) -> Store:
        """Open (creating if needed) the store; repair leftovers of an interrupted write."""
        store = cls(settings, embeddings, _client(settings))
        if check_model:
            store.check_model()
        if store._journal.exists() or not store.languages_indexed():
            try:
                with store.writing():  # writing() repairs on entry
                    if not store.languages_indexed():  # a store from before the collections
                        store.index_languages()
            except StoreBusyError:
                pass  # the writer that holds the lock will finish or repair
        return store

    def _open_collections(self) -> None:
        self.chunks = self._collection("chunks")
        self.sentences = self._collection("sentences")
        self.vectors = {lang: self._collection(kind) for lang, kind in _VECTORS.items()}
        self.docs = self.client.get_or_create_collection(
            f"{self.settings.collection}_docs", configuration={"hnsw": {"space": "cosine"}}
        )

    def sync(self) -> bool:
        """Pick up what other processes wrote; True when the store changed since last seen.

        An embedded Chroma client keeps its vector index in memory and never sees another
        process's writes (a deleted chunk still comes back, without its metadata), so on a
        change the client is opened afresh. A Chroma server is always current.
        """
        with self._generation_lock:
            generation = self.generation()
            if generation == self._seen_generation:
                return False
            self._seen_generation = generation
            if not self.server_mode:
                from chromadb.api.shared_system_client import SharedSystemClient

                SharedSystemClient.clear_system_cache()  # the next client reads the files again
                self.client = _client(self.settings)
                self._open_collections()
            return True

    # ----- identity -------------------------------------------------------------------

    def _collection(self, kind: str) -> Any:
        name = f"{self.settings.collection}_{kind}"
        names = {c.name for c in self.client.list_collections()}
        if name not in names and f"{name}_rebuild" in names:  # reindex died mid-swap
            self.client.get_collection(f"{name}_rebuild").modify(name=name)
        return self.client.get_or_create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embed_model": self.model_id},
        )

    @property
    def built_with(self) -> str:
        """The embedding model recorded in the store."""
        return str((self.chunks.metadata or {}).get("embed_model", self.model_id))

    def check_model(self) -> None:
        """Refuse to use a store built with another embedder."""
        if self.built_with != self.model_id and self.chunks.count() > 0:
            raise ModelMismatchError(
                f"this store was built with {self.built_with} but the configured embedder is "
                f"{self.model_id}; run `telaah reindex` to re-embed it"
            )

    # ----- locking and repair ----------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the single-writer lock (embedded mode) and keep the journal while writing."""
        if self.server_mode:
            yield
            return
        try:
            self._lock.acquire()
        except Timeout as exc:
            raise StoreBusyError(
                f"another telaah process is writing to {self.settings.data_dir}; wait for it to "
                "finish, or share the store through a Chroma server (TELAAH_CHROMA_HOST)"
            ) from exc
        try:
            if self._journal.exists():
                self.repair()
            yield
        finally:
            self._lock.release()

    def _journal_begin(self, doc_id: str) -> None:
        with self._journal.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"doc_id": doc_id}) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _journal_end(self) -> None:
        self._journal.unlink(missing_ok=True)
        self.writes += 1
        # a fresh token tells every process sharing the store (server mode too) that it changed
        with self._generation_lock:
            self._seen_generation = uuid.uuid4().hex
            self.docs.modify(metadata={"generation": self._seen_generation})

    def generation(self) -> str | None:
        """The store's change token (None before the first write)."""
        meta = self.client.get_collection(self.docs.name).metadata or {}
        value = meta.get("generation")
        return str(value) if value else None

    def chunk_ids(self) -> list[str]:
        """Every chunk id (no texts or metadata read)."""
        ids: list[str] = []
        while True:
            page = self.chunks.get(include=[], limit=_PAGE * 5, offset=len(ids))
            if not page["ids"]:
                return ids
            ids.extend(page["ids"])

    def repair(self) -> list[str]:
        """Remove pieces of uncommitted documents and documents with missing pieces."""
        docs = self.list_documents()
        committed = {d.doc_id: (d.chunks, d.sentences) for d in docs}
        counts: dict[str, tuple[int, int]] = {}
        for doc_id, n in self._doc_counts(self.chunks).items():
            counts[doc_id] = (n, 0)
        for doc_id, n in self._doc_counts(self.sentences).items():
            counts[doc_id] = (counts.get(doc_id, (0, 0))[0], n)
        removed: list[str] = []
        for doc_id, pair in counts.items():
            if committed.get(doc_id) != pair:
                self._delete(doc_id)
                removed.append(doc_id)
        for doc_id, pair in committed.items():
            if doc_id not in counts and pair != (0, 0):
                self.docs.delete(ids=[doc_id])
                removed.append(doc_id)
        self._dedupe_sources()
        self._journal_end()
        return removed

    def _dedupe_sources(self) -> None:
        """An update interrupted after its commit leaves two records for one source."""
        by_source: dict[str, list[Document]] = {}
        for doc in self.list_documents():
            by_source.setdefault(doc.source, []).append(doc)
        for docs in by_source.values():
            for old in sorted(docs, key=lambda d: d.ingested_at)[:-1]:
                self._delete(old.doc_id)

    @staticmethod
    def _doc_counts(collection: Any) -> dict[str, int]:
        """Pieces per document in a collection (chunks or sentences)."""
        counts: dict[str, int] = {}
        offset = 0
        while True:
            page = collection.get(include=["metadatas"], limit=_PAGE, offset=offset)
            if not page["ids"]:
                return counts
            for meta in page["metadatas"]:
                counts[meta["doc_id"]] = counts.get(meta["doc_id"], 0) + 1
            offset += len(page["ids"])

    # ----- documents -------------------------------------------------------------------

    def list_documents(self) -> list[Document]:
        """Every committed document (without its text), sorted by title."""
        records = self.docs.get(include=["metadatas"])
        docs = [
            _doc_from_meta(i, m, "")
            for i, m in zip(records["ids"], records["metadatas"], strict=True)
        ]
        return sorted(docs, key=lambda d: (d.title.lower(), d.doc_id))

    def get_document(self, doc_id: str) -> Document | None:
        """One document with its full text, or None."""
        records = self.docs.get(ids=[doc_id], include=["metadatas", "documents"])
        if not records["ids"]:
            return None
        return _doc_from_meta(records["ids"][0], records["metadatas"][0], records["documents"][0])

    def find(self, doc_id_or_source: str) -> list[Document]:
        """Documents whose id (or an unambiguous id prefix ≥ 8) or source matches."""
        key = doc_id_or_source
        docs = self.list_documents()
        exact = [d for d in docs if d.doc_id == key or d.source == key]
        if exact:
            return exact
        if len(key) >= 8:
            return [d for d in docs if d.doc_id.startswith(key)]
        return []

    def add_document(
        self,
        doc: Document,
        chunks: Sequence[Chunk],
        vectors: Sequence[Sequence[float]],
        sentences: Sequence[Sentence] = (),
        sentence_vectors: Sequence[Sequence[float]] = (),
    ) -> None:
        """Write chunks and sentences, then the document record (the commit).

        Call inside ``writing()``; ``doc.chunks`` and ``doc.sentences`` must be their counts.
        """
        if len(chunks) != len(vectors) or len(sentences) != len(sentence_vectors):
            raise StoreError("internal: piece and vector counts differ")
        self._journal_begin(doc.doc_id)
        self._write_chunks(self.chunks, doc, chunks, vectors)
        ids = [c.chunk_id for c in chunks]
        self._write_vectors(self.vectors, doc.lang, ids, vectors, [doc.doc_id] * len(ids))
        self._write_sentences(self.sentences, doc, sentences, sentence_vectors)
        self.docs.upsert(
            ids=[doc.doc_id],
            embeddings=[[1.0]],
            documents=[doc.text],
            metadatas=[_clean_meta(doc.model_dump(exclude={"doc_id", "text"}))],
        )
        self._journal_end()

    def _write_chunks(
        self,
        collection: Any,
        doc: Document,
        chunks: Sequence[Chunk],
        vectors: Sequence[Sequence[float]],
    ) -> None:
        common = {"doc_id": doc.doc_id, "title": doc.title, "source": doc.source, "lang": doc.lang}
        metas = [{**common, "index": c.index, "start": c.start, "end": c.end} for c in chunks]
        _upsert(collection, [c.chunk_id for c in chunks], [c.text for c in chunks], vectors, metas)

    @staticmethod
    def _write_vectors(
        collections: dict[str, Any],
        lang: str,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        doc_ids: Sequence[str],
    ) -> None:
        """Chunk vectors into their language's collection (none for a language not read)."""
        if lang in collections:
            _upsert(collections[lang], ids, None, vectors, [{"doc_id": d} for d in doc_ids])

    def add_language_vectors(
        self,
        lang: str,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        doc_ids: Sequence[str],
    ) -> None:
        """Chunks already written to ``chunks`` into their language's search collection (for
        writers that fill ``chunks`` in bulk, such as the scale benchmarks)."""
        self._write_vectors(self.vectors, lang, ids, vectors, doc_ids)

    def languages_indexed(self) -> bool:
        """Whether the per-language collections hold every chunk (stores written before they
        existed hold none)."""
        return sum(int(c.count()) for c in self.vectors.values()) == self.chunk_count()

    def index_languages(self) -> None:
        """Fill the per-language collections afresh from the chunks (call inside
        ``writing()``)."""
        for lang, kind in _VECTORS.items():
            self.client.delete_collection(self.vectors[lang].name)
            self.vectors[lang] = self._collection(kind)
        offset = 0
        while True:
            page = self.chunks.get(
                include=["embeddings", "metadatas"], limit=_WRITE_BATCH, offset=offset
            )
            if not len(page["ids"]):
                return
            offset += len(page["ids"])
            metas = page["metadatas"]
            for lang in {str(m.get("lang")) for m in metas}:
                rows = [j for j, m in enumerate(metas) if str(m.get("lang")) == lang]
                ids = [page["ids"][j] for j in rows]
                vectors = [page["embeddings"][j] for j in rows]
                doc_ids = [str(metas[j]["doc_id"]) for j in rows]
                self._write_vectors(self.vectors, lang, ids, vectors, doc_ids)

    def _write_sentences(
        self,
        collection: Any,
        doc: Document,
        sentences: Sequence[Sentence],
        vectors: Sequence[Sequence[float]],
    ) -> None:
        metas = [
            {"doc_id": doc.doc_id, "index": s.index, "start": s.start, "end": s.end}
            for s in sentences
        ]
        ids = [s.sentence_id for s in sentences]
        _upsert(collection, ids, [s.text for s in sentences], vectors, metas)

    def delete_document(self, doc_id: str) -> None:
        """Remove a document: record first (uncommit), then its chunks."""
        self._journal_begin(doc_id)
        self._delete(doc_id)
        self._journal_end()

    def _delete(self, doc_id: str) -> None:
        self.docs.delete(ids=[doc_id])
        self.chunks.delete(where={"doc_id": doc_id})
        self.sentences.delete(where={"doc_id": doc_id})
        for collection in self.vectors.values():
            collection.delete(where={"doc_id": doc_id})

    # ----- chunks ----------------------------------------------------------------------

    def chunk_count(self) -> int:
        """Number of stored chunks."""
        return int(self.chunks.count())

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every stored chunk as (id, text, metadata), page by page."""
        offset = 0
        while True:
            page = self.chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            if not page["ids"]:
                return
            yield from zip(page["ids"], page["documents"], page["metadatas"], strict=True)
            offset += len(page["ids"])

    def document_chunks(self, doc_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        """One document's chunks as (id, text, metadata), in document order."""
        page = self.chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        rows = list(zip(page["ids"], page["documents"], page["metadatas"], strict=True))
        return sorted(rows, key=lambda row: int(row[2].get("index", 0)))

    def document_vectors(self, doc_id: str) -> tuple[list[str], list[str], np.ndarray]:
        """One document's chunk ids, their languages and their unit-length embeddings (rows)."""
        page = self.chunks.get(where={"doc_id": doc_id}, include=["embeddings", "metadatas"])
        matrix = np.asarray(page["embeddings"], dtype=np.float64).reshape(len(page["ids"]), -1)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        langs = [str((m or {}).get("lang", "")) for m in page["metadatas"]]
        return list(page["ids"]), langs, matrix

    def get_chunks(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Chunks by id → (text, metadata); a chunk without its record (removed by another
        process a moment ago, or a vector Chroma shows before its record) is left out."""
        if not ids:
            return {}
        page = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        return {
            i: (t, m)
            for i, t, m in zip(page["ids"], page["documents"], page["metadatas"], strict=True)
            if m is not None and t is not None
        }

    def language_centroids(self, sample: int = _CENTROID_SAMPLE) -> dict[str, np.ndarray]:
        """The mean embedding of each language's chunks (by their ``lang``), over at most
        ``sample`` chunks read in pages spread across the collection (the language's direction
        is strong: a sample finds it, and a store of any size costs one bounded read); empty
        when a chunk has no language."""
        total = self.chunk_count()
        pages = 8 if total > sample else 1
        size = sample // pages if total > sample else max(total, 1)
        sums: dict[str, np.ndarray] = {}
        counts: dict[str, int] = {}
        for k in range(pages):
            offset = (total - size) * k // max(pages - 1, 1)
            page = self.chunks.get(include=["embeddings", "metadatas"], limit=size, offset=offset)
            if not len(page["ids"]):
                continue
            vectors = np.asarray(page["embeddings"], dtype=np.float64)
            langs = [str((m or {}).get("lang") or "") for m in page["metadatas"]]
            if "" in langs:
                return {}
            for lang in set(langs):
                rows = vectors[[j for j, x in enumerate(langs) if x == lang]]
                sums[lang] = sums.get(lang, 0.0) + rows.sum(axis=0)
                counts[lang] = counts.get(lang, 0) + len(rows)
        return {lang: vector / counts[lang] for lang, vector in sums.items()}

    def search(
        self,
        vector: Sequence[float],
        k: int,
        docs: Sequence[str] | None = None,
        lang: str | None = None,
    ) -> list[tuple[str, float]]:
        """Dense search: (chunk id, cosine similarity), best first.

        ``docs`` limits the search to those documents, ``lang`` to chunks in that language
        (searched in that language's collection). The chunks' records are not read (that costs
        more than the search itself): :meth:`get_chunks` reads those of the hits a caller keeps.
        """
        collection = self.vectors.get(lang) if lang else self.chunks
        if k <= 0 or collection is None:
            return []
        res = collection.query(  # Chroma returns fewer than k when the store holds fewer
            query_embeddings=[list(vector)],
            n_results=k,
            where=_only(docs),
            include=["distances"],
        )
        pairs = zip(res["ids"][0], res["distances"][0], strict=True)
        return [(chunk_id, 1.0 - float(distance)) for chunk_id, distance in pairs]

    def get_sentences(
        self, doc_ids: Sequence[str]
    ) -> dict[str, list[tuple[Sentence, list[float]]]]:
        """Every stored sentence of these documents with its vector, in document order."""
        if not doc_ids:
            return {}
        page = self.sentences.get(
            where={"doc_id": {"$in": list(doc_ids)}},
            include=["documents", "metadatas", "embeddings"],
        )
        out: dict[str, list[tuple[Sentence, list[float]]]] = {d: [] for d in doc_ids}
        for sid, text, meta, vector in zip(
            page["ids"], page["documents"], page["metadatas"], page["embeddings"], strict=True
        ):
            sentence = Sentence(
                sentence_id=sid,
                doc_id=str(meta["doc_id"]),
                index=int(meta["index"]),
                text=text,
                start=int(meta["start"]),
                end=int(meta["end"]),
            )
            out.setdefault(sentence.doc_id, []).append((sentence, list(vector)))
        for rows in out.values():
            rows.sort(key=lambda row: row[0].index)
        return out

    def rebuild(
        self,
        items: Iterator[Embedded],
    ) -> None:
        """Write every chunk and sentence into fresh collections, then swap them in (reindex).

        Until the swap the old pieces stay in place, so an interrupted reindex loses nothing.
        """
        tmp = {kind: self._fresh(f"{self.settings.collection}_{kind}_rebuild") for kind in _KINDS}
        counts: dict[str, dict[str, int]] = {}
        by_lang = {lang: tmp[kind] for lang, kind in _VECTORS.items()}
        for doc, chunks, vectors, sentences, sentence_vectors in items:
            self._write_chunks(tmp["chunks"], doc, chunks, vectors)
            ids = [c.chunk_id for c in chunks]
            self._write_vectors(by_lang, doc.lang, ids, vectors, [doc.doc_id] * len(ids))
            self._write_sentences(tmp["sentences"], doc, sentences, sentence_vectors)
            counts[doc.doc_id] = {"chunks": len(chunks), "sentences": len(sentences)}
        self._journal_begin("reindex")
        for doc_id, n in counts.items():
            self.docs.update(ids=[doc_id], metadatas=[n])
        for kind in _KINDS:
            name = f"{self.settings.collection}_{kind}"
            self.client.delete_collection(name)
            tmp[kind].modify(name=name)
        self._open_collections()
        self._journal_end()

    def _fresh(self, name: str) -> Any:
        if name in [c.name for c in self.client.list_collections()]:
            self.client.delete_collection(name)
        return self.client.create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embed_model": self.model_id},
        )


def _upsert(
    collection: Any,
    ids: Sequence[str],
    texts: Sequence[str] | None,
    vectors: Sequence[Sequence[float]],
    metas: Sequence[dict[str, Any]],
) -> None:
    """Write pieces with their vectors, in batches Chroma accepts."""
    for lo in range(0, len(ids), _WRITE_BATCH):
        hi = lo + _WRITE_BATCH
        collection.upsert(
            ids=list(ids[lo:hi]),
            embeddings=[list(v) for v in vectors[lo:hi]],
            documents=list(texts[lo:hi]) if texts is not None else None,
            metadatas=list(metas[lo:hi]),
        )


def _only(docs: Sequence[str] | None) -> dict[str, Any] | None:
    """A Chroma filter keeping chunks of these documents (None: no filter)."""
    if not docs:
        return None
    return {"doc_id": docs[0]} if len(docs) == 1 else {"doc_id": {"$in": list(docs)}}


def _doc_from_meta(doc_id: str, meta: dict[str, Any], text: str) -> Document:
    return Document(doc_id=doc_id, text=text, **meta)
