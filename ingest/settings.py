"""The ingest stage's settings (composed into the app's settings as ``TELAAH_INGEST__*``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IngestSettings(BaseModel):
    """Limits and sizes of loading, chunking and embedding articles."""

    model_config = ConfigDict(extra="forbid")

    max_bytes: int = Field(20 * 1024 * 1024, description="Largest input accepted, in bytes.")
    max_chars: int = Field(
        5_000_000, description="Longest normalized text accepted, in characters."
    )
    chunk_min_chars: int = Field(400, description="Chunks grow to at least this many characters.")
    chunk_max_chars: int = Field(1000, description="Chunks never exceed this many characters.")
    chunk_overlap_chars: int = Field(
        150, description="Up to this many trailing characters (whole sentences) repeat."
    )
    sentence_max_chars: int = Field(
        600, description="Sentences longer than this are cut (at whitespace) before embedding."
    )
    embed_batch: int = Field(32, description="Chunks and sentences embedded per batch.")
    url_timeout_s: float = Field(15.0, description="Total time allowed for one URL fetch.")
    url_max_redirects: int = Field(5, description="Redirects followed per URL fetch.")
    url_allow_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts or IPs exempt from the non-global-address guard (tests only).",
    )
    pdf_timeout_s: float = Field(30.0, description="Time limit for parsing one PDF.")
    pdf_memory_mb: int = Field(1024, description="Memory limit for the PDF parser process.")
