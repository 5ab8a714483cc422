"""The one settings object (env prefix ``TELAAH_``): it composes each stage's own settings model
(ingest, vectorstore) with the app's, and builds the embedder and the store from them."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.settings import IngestSettings
from vectorstore.settings import EmbedSettings, StoreSettings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from vectorstore.store import Store

# Nothing may reach the model hub at run time: weights come from installed packages.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "telaah"


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RetrievalSettings(_Group):
    k: int = Field(6, description="Passages returned per question.")
    candidates: int = Field(
        20,
        description="Candidates taken from each retriever before fusion (20 and 30 scored the "
        "same on the evaluation sets; 20 is faster).",
    )
    rrf_k: int = Field(60, description="Reciprocal-rank-fusion constant.")
    mode: Literal["hybrid", "dense", "bm25"] = Field(
        "dense",
        description="Retrieval mode (dense is the default: it ranked best on measured data, see "
        "BENCHMARKS.md).",
    )
    reranker: str | None = Field(
        None, description="Local cross-encoder model (name or path); off when unset."
    )
    max_per_doc: int = Field(4, description="At most this many passages from one document.")
    name_scope: bool = Field(
        True,
        description="Rank first the passages of the documents that hold the most of the "
        "question's names, when only some do (one such document may fill all places but two "
        "for a factoid or list question).",
    )


class AnswerSettings(_Group):
    answerer: Literal["extractive", "llm"] = Field("extractive", description="Default answerer.")
    provider: Literal["openai", "ollama", "llamacpp"] = Field(
        "openai", description="LLM provider for the llm answerer."
    )
    base_url: str | None = Field(None, description="OpenAI-compatible or Ollama base URL.")
    api_key: str | None = Field(None, description="API key for the OpenAI-compatible endpoint.")
    model: str = Field("local", description="Chat model name (or GGUF path for llamacpp).")
    temperature: float = Field(0.0, description="Sampling temperature.")
    timeout_s: float = Field(
        60.0, description="Overall deadline for one LLM answer, after its first token."
    )
    connect_timeout_s: float = Field(3.0, description="Connection timeout to the provider.")
    read_timeout_s: float = Field(
        20.0, description="Longest silence tolerated between tokens once the answer streams."
    )
    first_token_timeout_s: float | None = Field(
        None,
        description="Longest wait for the first token; unset: sized from the prompt's tokens "
        "and prompt_tokens_per_s (a local model reads the whole prompt before it writes).",
    )
    prompt_tokens_per_s: float = Field(
        50.0,
        description="How fast the provider reads a prompt, in tokens/s (a 1.5B GGUF on two "
        "laptop cores reads about 100; hosted models thousands).",
    )
    max_retries: int = Field(2, description="Retries on 429/5xx from the provider.")
    max_tokens: int = Field(400, description="Longest LLM answer, in tokens.")
    context_tokens: int = Field(
        1500,
        description="Passage text an LLM reads, in tokens (estimated); beyond it the passages "
        "are cut to their best sentences with their neighbours.",
    )
    doubt_below: float = Field(
        0.75,
        ge=0.0,
        le=1.0,
        description="An extractive answer whose confidence (the engine's support score as the "
        "probability that the articles answer the question) is below this says so in a notice; "
        "0 turns the notice off.",
    )
    evidence_passages: int = Field(
        12,
        description="Passages whose sentences the extractive engine scores (at least k); more "
        "raised answer accuracy on the training questions up to 12 (docs/ENGINE.md).",
    )


class UISettings(_Group):
    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, description="Port of the web app.")
    lang: Literal["en", "id"] = Field("en", description="UI language.")
    concurrency_limit: int = Field(2, description="Chat requests processed at once.")
    max_queue: int = Field(16, description="Requests waiting beyond which callers get 'busy'.")
    max_upload_mb: int = Field(20, description="Largest upload accepted, in MB.")
    auth: str | None = Field(
        None, description="'user:password' required to open the web app (Gradio's login)."
    )
    allow_open: bool = Field(
        False,
        description="Serve beyond loopback without a login (refused unless this is set).",
    )


class Settings(BaseSettings):
    """Everything configurable; read from ``TELAAH_*`` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="TELAAH_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Field(default_factory=_default_data_dir, description="Store location.")
    chroma_host: str | None = Field(None, description="Chroma server host; embedded when unset.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    collection: str = Field("telaah", description="Chroma collection name prefix.")
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    embed: EmbedSettings = Field(default_factory=EmbedSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ui: UISettings = Field(default_factory=UISettings)

    @property
    def store_settings(self) -> StoreSettings:
        """What the store needs (its location and server), as the store's own model."""
        return StoreSettings(
            data_dir=self.data_dir,
            chroma_host=self.chroma_host,
            chroma_port=self.chroma_port,
            collection=self.collection,
        )

    @cached_property
    def _embeddings(self) -> Embeddings:
        from vectorstore.embeddings import make_embeddings

        return make_embeddings(self.embed.backend, self.embed.model)

    def embeddings(self) -> Embeddings:
        """The configured embedder (loaded once per settings object)."""
        return self._embeddings

    def store(self, embeddings: Embeddings | None = None) -> Store:
        """Open the configured vector store."""
        from vectorstore.store import Store

        return Store.open(self.store_settings, embeddings or self.embeddings())
