"""Scripted LLM answers through the whole LLM path: faithful paraphrases are kept as the model's
own words, a changed number, a swapped name or a reversed meaning is caught.

``tests/data/llm_answers.jsonl``: 40 stories (two passages each; English, Indonesian and across
the two), each with a faithful answer of 2-3 cited sentences as a small model writes them and
the same answer with one sentence perturbed. Written for this test and never used to fit the
judge.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult

from app.answer.markers import split_answer, strip_markers
from app.service import AnswerService
from app.settings import Settings
from app.types import Passage
from ingest.text import detect_language

from .library import MemoryLibrary

CASES = Path(__file__).parent / "data" / "llm_answers.jsonl"

pytestmark = pytest.mark.slow


def _passages(texts: list[str]) -> list[Passage]:
    return [
        Passage(
            chunk_id=f"c{n}",
            doc_id=f"d{n}",
            title=f"Story {n}",
            source=f"/tmp/story{n}.md",
            lang=detect_language(text),
            text=text,
            start=0,
            end=len(text),
        )
        for n, text in enumerate(texts, start=1)
    ]


class NumberingChat(GenericFakeChatModel):
    """A scripted model that cites as a model does: by the numbers its prompt gives the stories.
    The service orders passages by its own scores, so story 1 may reach the model as [2]."""

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        prompt = str(messages[-1].content)
        number = {k: n for n, k in re.findall(r"^\[(\d+)\] Story (\d+)$", prompt, re.M)}
        result = super()._generate(messages, *args, **kwargs)
        message = result.generations[0].message
        message.content = re.sub(
            r"\[(\d+)\]", lambda m: f"[{number.get(m.group(1), m.group(1))}]", str(message.content)
        )
        return result


class _Remembering(Embeddings):
    """The real embedder, embedding each text once across the cases (a story's passages come
    twice: with the faithful answer and with the perturbed one)."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.seen: dict[tuple[str, str], list[float]] = {}

    def _many(self, role: str, texts: list[str]) -> list[list[float]]:
        new = [t for t in dict.fromkeys(texts) if (role, t) not in self.seen]
        if new:
            rows = (
                self.inner.embed_documents(new)
                if role == "passage"
                else [self.inner.embed_query(t) for t in new]
            )
            self.seen.update(zip(((role, t) for t in new), rows, strict=True))
        return [self.seen[(role, t)] for t in texts]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._many("passage", texts)

    def embed_query(self, text: str) -> list[float]:
        return self._many("query", [text])[0]

    def __getattr__(self, name: str) -> Any:  # model_id, token_count, …
        return getattr(self.inner, name)


def _kept(case: dict[str, Any], settings: Settings, embeddings: Embeddings) -> dict[str, bool]:
    """For each sentence of the scripted answer: does it stand in Telaah's answer as the
    model's own (not replaced by a quote, not dropped)?"""
    library = MemoryLibrary(_passages(case["passages"]), embeddings)
    chat = NumberingChat(messages=iter([AIMessage(case["answer"])]))
    service = AnswerService(settings, retriever=library, chat_model=chat)  # type: ignore[arg-type]
    result = service.ask(case["question"], answerer="llm")
    shown = strip_markers(result.answer) if result.answerer == "llm" else ""
    return {s: strip_markers(s).strip() in shown for s in split_answer(case["answer"])}


def test_scripted_model_answers_are_verified_sentence_by_sentence(
    settings: Settings, real_embeddings: Embeddings
) -> None:
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
    groups: dict[str, list[bool]] = defaultdict(list)
    embeddings = _Remembering(real_embeddings)
    for case in cases:
        kept = _kept(case, settings, embeddings)
        if case["label"]:
            for ok in kept.values():
                groups["faithful kept"].append(ok)
                groups[f"faithful kept/{case['lang']}"].append(ok)
        else:
            caught = not kept[case["changed"]]
            groups["perturbed caught"].append(caught)
            groups[f"perturbed caught/{case['kind']}"].append(caught)
    share = {k: sum(v) / len(v) for k, v in sorted(groups.items())}
    for key, value in share.items():
        print(f"{key:28} {value:.3f}  (n={len(groups[key])})")
    # Goals: 0.9 kept, 0.97 caught. Floors just under what was measured when the file was
    # first run; raise them as the judge improves, never lower them to pass.
    # Measured 0.840 and 0.925 then; 0.866 and 0.975 since a date in figures is no rival number,
    # a reversed restriction fails and the judge was refitted with those checks; 0.899 and
    # 0.975 since a name's own-language words may be translated ("Talise Islands" for
    # "Kepulauan Talise") and a name may come from the next sentence that says who it is;
    # 0.908 since a single word joined to the next by a bare "and" is no clause of its own;
    # 0.916 since a number may come from another sentence of the passage that states it with
    # the claim's words and names beside it, and clock times and number words parse alike.
    assert share["faithful kept"] >= 0.91  # measured 0.916 (109 of 119 sentences)
    assert share["perturbed caught"] >= 0.97  # measured 0.975 (39 of 40)
