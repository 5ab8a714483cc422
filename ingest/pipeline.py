"""Ingest: load → normalize → identify → chunk → embed → store, one document at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, Field

from ingest.chunking import chunk_text, sentence_pieces
from ingest.errors import IngestError
from ingest.loaders import expand_inputs, load_source
from ingest.text import content_hash, detect_language
from ingest.types import Chunk, Document, Embedded, LoadedText, Sentence

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from ingest.settings import IngestSettings

Status = Literal["added", "unchanged", "updated", "error"]
Progress = Callable[[int, int, str], None]
"""progress(done_pieces, total_pieces, description): pieces are chunks and sentences."""


class DocumentStore(Protocol):
    """What ingest needs of a store (``vectorstore.store.Store`` is one): ingest defines the
    interface, the store implements it, and ingest never imports the store."""

    def writing(self) -> AbstractContextManager[None]: ...

    def get_document(self, doc_id: str) -> Document | None: ...

    def list_documents(self) -> list[Document]: ...

    def find(self, doc_id_or_source: str) -> list[Document]: ...

    def add_document(
        self,
        doc: Document,
        chunks: Sequence[Chunk],
        vectors: Sequence[Sequence[float]],
        sentences: Sequence[Sentence],
        sentence_vectors: Sequence[Sequence[float]],
    ) -> None: ...

    def delete_document(self, doc_id: str) -> None: ...

    def rebuild(
        self,
        items: Iterator[Embedded],
    ) -> None: ...


class IngestResult(BaseModel):
    """Outcome for one input."""

    source: str = Field(description="The input as given (path or URL).")
    doc_id: str | None = Field(None, description="Document id when known.")
    status: Status = Field(description="added, unchanged, updated or error.")
    chunks: int = Field(0, description="Chunks stored for the document.")
    title: str | None = Field(None, description="Document title when known.")
    error: str | None = Field(None, description="One-line reason when status is error.")

    @property
    def chunk_count(self) -> str:
        """The chunks stored, counted in words: "1 chunk", "12 chunks"."""
        return f"{self.chunks} chunk{'' if self.chunks == 1 else 's'}"


@dataclass
class _Prepared:
    source: str
    doc: Document
    chunks: list[Chunk]
    sentences: list[Sentence]
    replaces: list[str]

    @property
    def texts(self) -> list[str]:
        """What to embed: the chunks, then the sentences."""
        return [c.text for c in self.chunks] + [s.text for s in self.sentences]


def first_line(exc: BaseException) -> str:
    """An exception as one short line."""
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def now_iso() -> str:
    """Current UTC time, ISO 8601, seconds precision."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def source_key(source: str) -> str:
    """A stable identity for a source: absolute paths for files, URLs as given."""
    if "://" in source or source.startswith("pasted:"):
        return source
    return str(Path(source).resolve())


def _title_for(loaded: LoadedText) -> str:
    if loaded.title and loaded.title.strip():
        return loaded.title.strip()[:300]
    first = loaded.text.split("\n", 1)[0].strip()
    if len(first) > 100:
        first = first[:100].rsplit(" ", 1)[0] + "…"
    return first or loaded.source


def make_document(loaded: LoadedText, source: str) -> Document:
    """The stored record for a loaded text (chunk count filled in later)."""
    return Document(
        doc_id=content_hash(loaded.text),
        title=_title_for(loaded),
        source=source,
        lang=detect_language(loaded.text),
        published=loaded.published,
        ingested_at=now_iso(),
        chunks=0,
        chars=len(loaded.text),
        text=loaded.text,
    )


def _pieces_for(doc: Document, cfg: IngestSettings) -> tuple[list[Chunk], list[Sentence]]:
    """The document's chunks and sentences; their counts are recorded on ``doc``."""
    chunks = chunk_text(
        doc.doc_id, doc.text, cfg.chunk_min_chars, cfg.chunk_max_chars, cfg.chunk_overlap_chars
    )
    sentences = sentence_pieces(doc.doc_id, doc.text, cfg.sentence_max_chars)
    doc.chunks, doc.sentences = len(chunks), len(sentences)
    return chunks, sentences


def _prepare(
    source: str, cfg: IngestSettings, store: DocumentStore, seen: set[str], label: str | None = None
) -> _Prepared | IngestResult:
    try:
        loaded = load_source(source, cfg)
    except IngestError as exc:
        return IngestResult(source=source, status="error", error=str(exc))
    return _prepare_loaded(source, loaded, label or source_key(loaded.source), cfg, store, seen)


def _prepare_loaded(
    source: str,
    loaded: LoadedText,
    key: str,
    cfg: IngestSettings,
    store: DocumentStore,
    seen: set[str],
) -> _Prepared | IngestResult:
    """Identify a loaded text: 'unchanged' if stored (or seen in this batch), else chunk it."""
    doc = make_document(loaded, key)
    existing = None if doc.doc_id in seen else store.get_document(doc.doc_id)
    if doc.doc_id in seen or existing is not None:
        return IngestResult(
            source=source,
            doc_id=doc.doc_id,
            status="unchanged",
            chunks=existing.chunks if existing else 0,
            title=existing.title if existing else doc.title,
        )
    seen.add(doc.doc_id)
    chunks, sentences = _pieces_for(doc, cfg)
    replaces = [d.doc_id for d in store.find(doc.source) if d.source == doc.source]
    return _Prepared(source, doc, chunks, sentences, replaces)


def embed_texts(
    texts: Sequence[str],
    embeddings: Embeddings,
    batch: int,
    progress: Progress | None = None,
    done: int = 0,
    total: int = 0,
) -> list[list[float]]:
    """Embed passages in batches, reporting progress after each batch."""
    vectors: list[list[float]] = []
    for lo in range(0, len(texts), batch):
        vectors.extend(embeddings.embed_documents(list(texts[lo : lo + batch])))
        if progress:
            progress(done + len(vectors), total, "embedding passages")
    return vectors


def _shown(source: str) -> str:
    """A source as a person names it: the file name of a path, the URL or label as is."""
    if "://" in source or ":" in source.split("/", 1)[0]:
        return source.removeprefix("upload:")
    return Path(source).name or source


def _commit(prep: _Prepared, vectors: list[list[float]], store: DocumentStore) -> IngestResult:
    n = len(prep.chunks)
    store.add_document(prep.doc, prep.chunks, vectors[:n], prep.sentences, vectors[n:])
    for old in prep.replaces:
        store.delete_document(old)
    return IngestResult(
        source=prep.source,
        doc_id=prep.doc.doc_id,
        status="updated" if prep.replaces else "added",
        chunks=len(prep.chunks),
        title=prep.doc.title,
    )


def _embed_failed(prep: _Prepared, exc: Exception) -> IngestResult:
    return IngestResult(
        source=prep.source,
        doc_id=prep.doc.doc_id,
        status="error",
        error=f"embedding failed: {first_line(exc)}",
    )


def _store_one(
    prep: _Prepared,
    cfg: IngestSettings,
    embeddings: Embeddings,
    store: DocumentStore,
    progress: Progress | None,
    done: int,
    total: int,
) -> IngestResult:
    batch = cfg.embed_batch
    try:
        vectors = embed_texts(prep.texts, embeddings, batch, progress, done, total)
    except Exception as exc:  # noqa: BLE001 - an embedder failure fails this document only
        return _embed_failed(prep, exc)
    return _commit(prep, vectors, store)


def _groups(preps: list[_Prepared], batch: int) -> Iterator[list[_Prepared]]:
    """Consecutive documents packed until they fill at least one embedding batch."""
    group: list[_Prepared] = []
    for prep in preps:
        group.append(prep)
        if sum(len(p.texts) for p in group) >= batch:
            yield group
            group = []
    if group:
        yield group


def _store_group(
    group: list[_Prepared],
    cfg: IngestSettings,
    embeddings: Embeddings,
    store: DocumentStore,
    progress: Progress | None,
    done: int,
    total: int,
) -> list[IngestResult]:
    """Embed a group's pieces in full batches that span documents, then commit each document.

    Small documents would otherwise each get a batch of a few pieces, and the embedder runs far
    below its speed. If the group's embedding fails, its documents are retried one by one so
    that only the failing document is reported as an error.
    """
    texts = [t for p in group for t in p.texts]
    try:
        vectors = embed_texts(texts, embeddings, cfg.embed_batch, progress, done, total)
    except Exception:  # noqa: BLE001 - find the culprit document by document
        results, offset = [], done
        for prep in group:
            results.append(_store_one(prep, cfg, embeddings, store, progress, offset, total))
            offset += len(prep.texts)
        return results
    results, lo = [], 0
    for prep in group:
        results.append(_commit(prep, vectors[lo : lo + len(prep.texts)], store))
        lo += len(prep.texts)
    return results


def ingest(
    inputs: Sequence[str],
    cfg: IngestSettings,
    embeddings: Embeddings,
    store: DocumentStore,
    progress: Progress | None = None,
    labels: dict[str, str] | None = None,
) -> list[IngestResult]:
    """Ingest files, directories and URLs; one result per expanded input, in order.

    Args:
        labels: Optional source names to store instead of a path (uploads: the original
            file name rather than the temporary copy's path).
    """
    results: list[IngestResult | _Prepared] = []
    with store.writing():
        seen: set[str] = set()
        sources = list(expand_inputs(list(inputs)))
        for n, source in enumerate(sources, start=1):
            label = (labels or {}).get(source)
            results.append(_prepare(source, cfg, store, seen, label))
            if progress:
                progress(n, len(sources), f"read {_shown(label or source)}")
        preps = [r for r in results if isinstance(r, _Prepared)]
        total = sum(len(p.texts) for p in preps)
        done = 0
        stored: dict[int, IngestResult] = {}
        for group in _groups(preps, cfg.embed_batch):
            outcomes = _store_group(group, cfg, embeddings, store, progress, done, total)
            stored.update({id(p): r for p, r in zip(group, outcomes, strict=True)})
            done += sum(len(p.texts) for p in group)
    return [stored[id(r)] if isinstance(r, _Prepared) else r for r in results]


def ingest_text(
    text: str,
    title: str,
    cfg: IngestSettings,
    embeddings: Embeddings,
    store: DocumentStore,
) -> IngestResult:
    """Ingest pasted text under a title (the UI's paste box)."""
    from ingest.text import normalize_text

    normalized = normalize_text(text)
    source = f"pasted:{title.strip()[:80] or 'untitled'}"
    if not normalized:
        return IngestResult(source=source, status="error", error="empty: no text found")
    if len(normalized) > cfg.max_chars:
        return IngestResult(source=source, status="error", error="too large: text over the cap")
    loaded = LoadedText(text=normalized, source=source, title=title.strip() or None, kind="txt")
    with store.writing():
        prep = _prepare_loaded(source, loaded, source, cfg, store, set())
        if isinstance(prep, IngestResult):
            return prep
        return _store_one(prep, cfg, embeddings, store, None, 0, len(prep.texts))


def remove(key: str, store: DocumentStore) -> list[Document]:
    """Delete the documents matching an id, id prefix or source; returns what was removed."""
    with store.writing():
        found = store.find(key)
        for doc in found:
            store.delete_document(doc.doc_id)
    return found


def reindex(
    cfg: IngestSettings,
    embeddings: Embeddings,
    store: DocumentStore,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Re-chunk, re-split and re-embed every stored document with ``embeddings``.

    ``store`` is opened without its embedder check (it was built with another model).

    Returns:
        (documents, pieces): how many documents and chunks plus sentences were embedded.
    """
    with store.writing():
        docs = [store.get_document(d.doc_id) for d in store.list_documents()]
        prepared = [(d, *_pieces_for(d, cfg)) for d in docs if d is not None]
        total = sum(len(c) + len(s) for _, c, s in prepared)
        done = 0

        def embedded() -> Iterator[
            tuple[Document, list[Chunk], list[list[float]], list[Sentence], list[list[float]]]
        ]:
            nonlocal done
            batch = cfg.embed_batch
            for doc, chunks, sentences in prepared:
                texts = [c.text for c in chunks] + [s.text for s in sentences]
                vectors = embed_texts(texts, embeddings, batch, progress, done, total)
                yield doc, chunks, vectors[: len(chunks)], sentences, vectors[len(chunks) :]
                done += len(texts)

        store.rebuild(embedded())
    return len(prepared), total
