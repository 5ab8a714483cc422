"""Answer a question: follow-ups, retrieval, extractive or LLM answer, verified citations."""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

import prompts
from app.answer.engine import Draft, Engine
from app.answer.judge import Judge
from app.answer.markers import (
    extract_markers,
    first_use_order,
    renumber,
    split_answer,
    strip_markers,
)
from app.answer.query import merge_followup, parse_query
from app.constants import ABSTAIN_TEXTS, abstain_text
from app.retrieve import HybridRetriever
from app.sanitize import plain_text
from app.types import Answer, Ask, Citation, Passage
from ingest.terms import term_set
from ingest.text import detect_language, sentence_spans

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.answer.model import Model
    from app.settings import Settings

TokenCallback = Callable[[str], None]
_LANG_NAME = {"id": "Indonesian (Bahasa Indonesia)", "en": "English"}
_NOTICE = {
    "fallback": {
        "en": "The language model was unavailable ({why}); showing the extractive answer.",
        "id": "Model bahasa tidak tersedia ({why}); menampilkan jawaban ekstraktif.",
    },
    "unsupported": {
        "en": "The language model's answer failed the citation check; "
        "showing the extractive answer.",
        "id": "Jawaban model bahasa gagal pemeriksaan kutipan; menampilkan jawaban ekstraktif.",
    },
    "incomplete": {
        "en": "The language model stopped mid-answer ({why}); the answer is incomplete.",
        "id": "Model bahasa berhenti di tengah jawaban ({why}); jawaban tidak lengkap.",
    },
}
_FENCE = re.compile(r"<{3,}|>{3,}")


def fence_passages(passages: list[Passage]) -> str:
    """Number the passages and fence each as quoted data (fence markers inside are defused)."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        body = _FENCE.sub("", p.text)
        blocks.append(f"[{n}] {_FENCE.sub('', p.title)}\n<<<\n{body}\n>>>")
    return "\n\n".join(blocks)


def _both_terms(text: str) -> frozenset[str]:
    return term_set(text, "id") | term_set(text, "en")


def _support_spans(sentence: str, passage: Passage) -> list[tuple[int, int]]:
    """Document offsets of the passage sentence sharing most words with an answer sentence."""
    words = _both_terms(strip_markers(sentence))
    best, best_score = None, 0.0
    for a, b in sentence_spans(passage.text):
        score = len(words & _both_terms(passage.text[a:b])) / (len(words) or 1)
        if score > best_score:
            best, best_score = (a, b), score
    return [(passage.start + best[0], passage.start + best[1])] if best else []


def build_citations(
    answer: str, passages: list[Passage], used: list[tuple[int, tuple[int, int]]] | None = None
) -> list[Citation]:
    """One citation per passage number used in the answer, with the spans to highlight."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for n, span in used or []:
        spans.setdefault(n, []).append(span)
    numbers: list[int] = []
    for sentence in split_answer(answer):
        for n in extract_markers(sentence):
            if 1 <= n <= len(passages) and n not in numbers:
                numbers.append(n)
                if n not in spans:
                    spans[n] = _support_spans(sentence, passages[n - 1])
    return [
        Citation(
            n=n,
            doc_id=passages[n - 1].doc_id,
            chunk_id=passages[n - 1].chunk_id,
            title=passages[n - 1].title,
            source=passages[n - 1].source,
            text=passages[n - 1].text,
            start=passages[n - 1].start,
            end=passages[n - 1].end,
            spans=sorted(set(spans.get(n, []))),
        )
        for n in sorted(numbers)
    ]


def addresses(question: str, answer: str) -> bool:
    """Whether an answer touches the question at all: one of its words, in either language."""
    wanted = parse_query(question).terms
    if not wanted:
        return True
    found = _both_terms(strip_markers(answer))
    return any(group & found for group in wanted)


class AnswerService:
    """Everything needed to answer: settings, a retriever, the engine, the judge and (optionally)
    a chat model."""

    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever | None = None,
        chat_model: BaseChatModel | None = None,
        model: Model | None = None,
    ) -> None:
        self.settings = settings
        if retriever is None:
            embeddings = settings.embeddings()
            retriever = HybridRetriever(settings, settings.store(embeddings), embeddings)
        self.retriever = retriever
        self.engine = Engine(retriever, model)
        self.judge = Judge(retriever.embeddings)
        self._chat_model = chat_model

    def with_chat_model(self, chat_model: BaseChatModel) -> AnswerService:
        """The same service (shared retriever and store) answering with another chat model."""
        other = copy.copy(self)
        other._chat_model = chat_model
        return other

    @property
    def chat_model(self) -> BaseChatModel:
        """The chat model, built from settings on first use."""
        if self._chat_model is None:
            from app.llm import make_chat_model

            self._chat_model = make_chat_model(self.settings.answer)
        return self._chat_model

    # ---------------------------------------------------------------- entry point

    def ask(self, question: str, on_token: TokenCallback | None = None, **options: Any) -> Answer:
        """Answer one question; ``options`` are the other fields of :class:`Ask`."""
        return self.answer(Ask(question=question, **options), on_token)

    def answer(self, request: Ask, on_token: TokenCallback | None = None) -> Answer:
        """Answer one request (earlier questions of its conversation in ``request.history``;
        only from ``request.docs`` when given)."""
        t0 = time.perf_counter()
        question = request.question.strip()
        answerer = request.answerer or self.settings.answer.answerer
        k, mode, docs = request.k, request.mode, request.docs or None
        lang = detect_language(question)
        standalone = self.standalone(question, request.history, answerer)
        query = parse_query(standalone, lang)
        timings: dict[str, float] = {}
        wanted = max(k or self.settings.retrieval.k, self.settings.answer.evidence_passages)
        if query.kind == "compare" and len(query.entities) >= 2:
            t1 = time.perf_counter()
            draft = self.engine.compare(query, wanted, mode, docs)
        else:
            retrieval = self.retriever.retrieve(standalone, wanted, mode, docs)
            timings.update(retrieval.timings)
            t1 = time.perf_counter()
            draft = self.engine.answer(query, retrieval)
        timings["answer_ms"] = (time.perf_counter() - t1) * 1000
        result = self._finish(draft, lang, "extractive")
        if answerer == "llm":
            t2 = time.perf_counter()
            top = draft.passages[: k or self.settings.retrieval.k]
            result = self._llm(standalone, top, lang, result, on_token)
            timings["llm_ms"] = (time.perf_counter() - t2) * 1000
        result.timings = {**timings, **result.timings}
        result.question = question
        result.timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return result

    def standalone(self, question: str, history: list[str], answerer: str) -> str:
        """Resolve a follow-up ("dan Persija?") against the conversation."""
        if not history:
            return question
        merged = merge_followup(question, history)
        if answerer != "llm" or merged != question:
            return merged
        try:
            text = prompts.render(
                "condense", history="\n".join(f"- {q}" for q in history[-3:]), question=question
            )
            from app.llm import stream_with_deadline

            out = stream_with_deadline(
                self.chat_model,
                [HumanMessage(text)],
                self.settings.answer.read_timeout_s,
                self.settings.answer.timeout_s,
            )
        except Exception:  # noqa: BLE001 - condensing is best effort
            return question
        condensed = plain_text(out.text).strip().splitlines()[0] if out.text.strip() else ""
        return condensed if not out.error and 0 < len(condensed) < 300 else question

    def _finish(self, draft: Draft, lang: str, answerer: str) -> Answer:
        """Check every sentence's citations and build the answer record."""
        t0 = time.perf_counter()
        text = plain_text(draft.text)
        passages = draft.passages
        cleaned, unsupported = self.judge.judge_answer(text, [p.text for p in passages])
        if draft.abstained:
            unsupported = []
        citations = [] if draft.abstained else build_citations(cleaned, passages, draft.used)
        cited = {c.n for c in citations}
        order = {  # per answer: its citations are [1]..[n] in order of first use
            old: new
            for new, old in enumerate((n for n in first_use_order(cleaned) if n in cited), 1)
        }
        for citation in citations:
            citation.n = order.get(citation.n, citation.n)
        citations.sort(key=lambda c: c.n)
        return Answer(
            answer=renumber(cleaned, order),
            abstained=draft.abstained,
            citations=citations,
            passages=passages,
            unsupported=[renumber(u, order) for u in unsupported],
            timings={"verify_ms": (time.perf_counter() - t0) * 1000},
            lang=lang,
            answerer=answerer,
            kind=draft.kind,
            support=draft.support,
        )

    # ---------------------------------------------------------------- LLM

    def _messages(self, question: str, passages: list[Passage], lang: str) -> list[BaseMessage]:
        system = prompts.render(
            "answer_system", language=_LANG_NAME[lang], abstain=abstain_text(lang)
        )
        user = prompts.render("answer_user", passages=fence_passages(passages), question=question)
        return [SystemMessage(system), HumanMessage(user)]

    def _call(
        self, messages: list[BaseMessage], on_token: TokenCallback | None
    ) -> tuple[str, bool, str | None]:
        from app.llm import LLMError, stream_with_deadline  # only the LLM path pays for these

        cfg = self.settings.answer
        try:
            model = self.chat_model
        except LLMError as exc:
            return "", False, str(exc)
        out = stream_with_deadline(model, messages, cfg.read_timeout_s, cfg.timeout_s, on_token)
        return out.text, out.incomplete, out.error

    def _llm(
        self,
        question: str,
        passages: list[Passage],
        lang: str,
        extractive: Answer,
        on_token: TokenCallback | None,
    ) -> Answer:
        messages = self._messages(question, passages, lang)
        text, incomplete, error = self._call(messages, on_token)
        if error and not text.strip():
            return self._fallback(extractive, "fallback", lang, error)
        result = self._judge_llm(question, text, passages, lang)
        if result.unsupported and not incomplete:
            failures = "\n".join(f"- {s}" for s in result.unsupported)
            retry = prompts.render("retry_user", failures=failures, abstain=abstain_text(lang))
            messages = [*messages, AIMessage(text), HumanMessage(retry)]
            text, incomplete, error = self._call(messages, None)
            if error and not text.strip():
                return self._fallback(extractive, "fallback", lang, error)
            result = self._judge_llm(question, text, passages, lang)
            if result.unsupported:
                return self._fallback(extractive, "unsupported", lang, "")
        if incomplete:
            result.incomplete = True
            result.notice = _NOTICE["incomplete"][lang].format(why=error or "deadline")
        return result

    def _judge_llm(self, question: str, text: str, passages: list[Passage], lang: str) -> Answer:
        clean = plain_text(text)
        abstained = strip_markers(clean).strip() in ABSTAIN_TEXTS
        if abstained:
            clean = abstain_text(lang)
        result = self._finish(Draft(clean, abstained, passages), lang, "llm")
        if not abstained and not result.unsupported and not addresses(question, clean):
            # supported but beside the point (e.g. an instruction injected into a passage)
            result.unsupported = split_answer(clean)
        return result

    @staticmethod
    def _fallback(extractive: Answer, kind: str, lang: str, why: str) -> Answer:
        result = extractive.model_copy(deep=True)
        result.notice = _NOTICE[kind][lang].format(why=why[:120])
        return result
