"""Records that cross the retrieve → answer → render boundary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Ask(BaseModel):
    """One question to answer, with everything that shapes its answer (the CLI, the web app,
    the API and the evaluation all send this)."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question as asked.")
    history: list[str] = Field(
        default_factory=list, description="Earlier questions of the conversation (follow-ups)."
    )
    answerer: Literal["extractive", "llm"] | None = Field(
        None, description="extractive (quote the articles) or llm; the settings' when unset."
    )
    k: int | None = Field(None, ge=1, le=50, description="Passages to read; settings' when unset.")
    mode: Literal["dense", "hybrid", "bm25"] | None = Field(
        None, description="Retrieval mode; the settings' when unset."
    )
    docs: list[str] = Field(
        default_factory=list, description="Answer only from these doc ids (empty: all)."
    )


class Passage(BaseModel):
    """A retrieved chunk with its document's metadata."""

    chunk_id: str = Field(description="Chunk identifier.")
    doc_id: str = Field(description="Owning document.")
    title: str = Field(description="Document title.")
    source: str = Field(description="Document source path or URL.")
    lang: str = Field("", description="Document language.")
    text: str = Field(description="Passage text.")
    start: int = Field(description="Start offset in the document text.")
    end: int = Field(description="End offset in the document text.")
    score: float = Field(0.0, description="Retrieval score (higher is better).")


class Citation(BaseModel):
    """A numbered reference from the answer to a passage."""

    n: int = Field(description="The marker number used in the answer text, [n].")
    doc_id: str
    chunk_id: str
    title: str
    source: str
    text: str = Field(description="The cited passage.")
    start: int
    end: int
    spans: list[tuple[int, int]] = Field(
        default_factory=list,
        description="Document offsets of the sentences the answer rests on within the passage.",
    )

    def passage(self) -> Passage:
        """The cited passage as a retrieval record."""
        keep = {"chunk_id", "doc_id", "title", "source", "text", "start", "end"}
        return Passage.model_validate(self.model_dump(include=keep))


class Answer(BaseModel):
    """The result of one question: the JSON of `telaah ask --json`."""

    question: str = Field("", description="The question as asked.")
    answer: str = Field(description="Answer text; each sentence ends with its [n] markers.")
    abstained: bool = Field(False, description="True when the articles do not hold the answer.")
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list, description="Ranked passages.")
    unsupported: list[str] = Field(
        default_factory=list, description="Answer sentences that failed the citation check."
    )
    timings: dict[str, float] = Field(default_factory=dict, description="Milliseconds per stage.")
    lang: str = Field("en", description="Language of the question ('id' or 'en').")
    answerer: str = Field("extractive", description="Which answerer produced the final answer.")
    notice: str | None = Field(None, description="Visible notice, e.g. an LLM fallback.")
    incomplete: bool = Field(False, description="True when a streamed answer was cut short.")
    quoted: list[str] = Field(
        default_factory=list,
        description="In an LLM answer, the sentences (without markers) quoted from the articles "
        "in place of model sentences that failed the citation check; the rest are the model's.",
    )
    rejected: list[str] = Field(
        default_factory=list,
        description="When an LLM answer fell back to the extractive one: the model's sentences "
        "(without markers) that failed the citation check, so a reader can see why.",
    )
    kind: str = Field(
        "factoid", description="What the question asked for: factoid, list, open, summary, compare."
    )
    support: float | None = Field(
        None,
        description="The engine's support score for its best evidence; it abstains below the "
        "fitted threshold.",
    )
    confidence: float | None = Field(
        None,
        description="The support score as a probability (logistic) that the articles answer the "
        "question; None for summaries and comparisons.",
    )
    doubtful: bool = Field(
        False,
        description="True when an extractive answer's confidence is below answer.doubt_below: "
        "the articles may not answer the question exactly (its notice says so).",
    )
