"""Records that cross the ingest → store boundary."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field


class LoadedText(BaseModel):
    """What a loader returns: normalized text plus what it could learn about the source."""

    text: str = Field(
        description="Normalized full text (NFC, clean whitespace, paragraphs split by blank lines)."
    )
    source: str = Field(description="File path or URL the text came from.")
    title: str | None = Field(None, description="Title found in the source, if any.")
    published: str | None = Field(None, description="Publication date (ISO 8601) if found.")
    kind: str = Field(description="Loader used: txt, md, html, pdf.")


class Document(BaseModel):
    """One stored article."""

    doc_id: str = Field(description="sha256 of the normalized text.")
    title: str = Field(description="Title (source title, heading or first line).")
    source: str = Field(description="File path or URL.")
    lang: str = Field(description="Detected language: 'id' or 'en'.")
    published: str | None = Field(None, description="Publication date (ISO 8601) if known.")
    ingested_at: str = Field(description="UTC time of ingest (ISO 8601).")
    chunks: int = Field(description="Number of chunks stored for this document.")
    sentences: int = Field(0, description="Number of sentences stored for this document.")
    chars: int = Field(description="Length of the normalized text.")
    text: str = Field("", description="Full normalized text (empty in listings).")


class Piece(BaseModel):
    """A span of a document's normalized text: a chunk or a sentence."""

    doc_id: str = Field(description="Owning document.")
    index: int = Field(description="Position of the piece within its document.")
    text: str = Field(description="Exactly text[start:end] of the document.")
    start: int = Field(description="Start character offset in the document text.")
    end: int = Field(description="End character offset (exclusive) in the document text.")


class Chunk(Piece):
    """What retrieval ranks: a few sentences of a document."""

    chunk_id: str = Field(description="'<doc_id[:16]>-<index>'.")


class Sentence(Piece):
    """One sentence of a document, embedded on its own for sentence-level evidence."""

    sentence_id: str = Field(description="'<doc_id[:16]>-s<index>'.")


Embedded = tuple[
    Document,
    Sequence[Chunk],
    Sequence[Sequence[float]],
    Sequence[Sentence],
    Sequence[Sequence[float]],
]
"""A document with its chunks, their vectors, its sentences and theirs (what reindex writes)."""
