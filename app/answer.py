"""Answer a question: follow-ups, retrieval, extractive or LLM answer, verified citations."""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

import prompts
from app.citations import extract_markers, judge_answer, split_answer, strip_markers
from app.constants import ABSTAIN_TEXTS, abstain_text
from app.extractive import answer_comparison, answer_extractive
from app.question import analyze, merge_followup, parse_comparison, question_language
from app.retrieve import HybridRetriever
from app.sanitize import plain_text
from app.textmatch import Vocab, content_words, tokenize
from app.types import Answer, Citation, Passage
from ingest.text import sentence_spans

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

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


def _support_spans(sentence: str, passage: Passage) -> list[tuple[int, int]]:
    """Document offsets of the passage sentence that best matches an answer sentence."""
    words = set(content_words(strip_markers(sentence)))
    best, best_score = None, 0.0
    for a, b in sentence_spans(passage.text):
        score = len(words & set(content_words(passage.text[a:b]))) / (len(words) or 1)
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
    """Whether an answer touches the question at all: one of its entities or keywords."""
    info = analyze(question)
    wanted = [*info.entities, *info.keywords]
    if not wanted:
        return True
    vocab = Vocab([strip_markers(answer)])
    return any(all(vocab.has(t) for t in tokenize(w)) for w in wanted if tokenize(w))


class AnswerService:
    """Everything needed to answer: settings, a retriever and (optionally) a chat model."""

    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings
        if retriever is None:
            embeddings = settings.embeddings()
            retriever = HybridRetriever(settings, settings.store(embeddings), embeddings)
        self.retriever = retriever
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
            self._chat_model = self.settings.chat_model()
        return self._chat_model

    # ---------------------------------------------------------------- entry point

    def ask(
        self,
        question: str,
        history: list[str] | None = None,
        answerer: str | None = None,
        k: int | None = None,
        mode: str | None = None,
        on_token: TokenCallback | None = None,
    ) -> Answer:
        """Answer one question (with earlier questions of the conversation as ``history``)."""
        t0 = time.perf_counter()
        question = question.strip()
        answerer = answerer or self.settings.answer.answerer
        lang = question_language(question)
        standalone = self.standalone(question, history or [], answerer)
        result = (
            self._compare(standalone, lang, k, mode)
            if parse_comparison(standalone)
            else self._single(standalone, lang, k, mode, answerer, on_token)
        )
        result.question = question
        result.timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return result

    def standalone(self, question: str, history: list[str], answerer: str) -> str:
        """Resolve a follow-up ("dan Anthropic?") against the conversation."""
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

    # ---------------------------------------------------------------- single question

    def _single(
        self,
        question: str,
        lang: str,
        k: int | None,
        mode: str | None,
        answerer: str,
        on_token: TokenCallback | None,
    ) -> Answer:
        retrieval = self.retriever.retrieve(question, k, mode)
        passages = retrieval.passages
        timings = dict(retrieval.timings)
        t1 = time.perf_counter()
        extractive = self._extractive(question, passages, lang)
        timings["answer_ms"] = (time.perf_counter() - t1) * 1000
        if answerer != "llm":
            extractive.timings = {**timings, **extractive.timings}
            return extractive
        t2 = time.perf_counter()
        result = self._llm(question, passages, lang, extractive, on_token)
        timings["llm_ms"] = (time.perf_counter() - t2) * 1000
        result.timings = {**timings, **result.timings}
        return result

    def _extractive(self, question: str, passages: list[Passage], lang: str) -> Answer:
        t0 = time.perf_counter()
        res = answer_extractive(question, passages, lang=lang)
        return self._finish(res.answer, res.abstained, passages, lang, "extractive", res.used, t0)

    def _finish(
        self,
        text: str,
        abstained: bool,
        passages: list[Passage],
        lang: str,
        answerer: str,
        used: list[tuple[int, tuple[int, int]]] | None,
        t0: float,
    ) -> Answer:
        text = plain_text(text)
        cleaned, unsupported = judge_answer(text, [p.text for p in passages])
        if abstained:
            unsupported = []
        verify_ms = (time.perf_counter() - t0) * 1000
        return Answer(
            answer=cleaned,
            abstained=abstained,
            citations=[] if abstained else build_citations(cleaned, passages, used),
            passages=passages,
            unsupported=unsupported,
            timings={"verify_ms": verify_ms},
            lang=lang,
            answerer=answerer,
        )

    # ---------------------------------------------------------------- comparison

    def _compare(self, question: str, lang: str, k: int | None, mode: str | None) -> Answer:
        parsed = parse_comparison(question)
        assert parsed is not None
        entities, aspect = parsed
        timings: dict[str, float] = {}
        per_entity: dict[str, list[Passage]] = {}
        per_k = max(3, (k or self.settings.retrieval.k) // 2)
        for entity in entities:
            got = self.retriever.retrieve(f"{entity} {aspect}".strip(), per_k, mode)
            per_entity[entity] = got.passages
            for key, value in got.timings.items():
                timings[key] = timings.get(key, 0.0) + value
        t0 = time.perf_counter()
        res = answer_comparison(question, per_entity, lang=lang)
        result = self._finish(
            res.answer, res.abstained, res.passages, lang, "extractive", res.used, t0
        )
        result.timings = {**timings, "answer_ms": (time.perf_counter() - t0) * 1000}
        return result

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
        from app.llm import stream_with_deadline  # only the LLM path pays for this import

        cfg = self.settings.answer
        out = stream_with_deadline(
            self.chat_model, messages, cfg.read_timeout_s, cfg.timeout_s, on_token
        )
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
        t0 = time.perf_counter()
        clean = plain_text(text)
        abstained = strip_markers(clean).strip() in ABSTAIN_TEXTS
        if abstained:
            clean = abstain_text(lang)
        result = self._finish(clean, abstained, passages, lang, "llm", None, t0)
        if not abstained and not result.unsupported and not addresses(question, clean):
            # supported but beside the point (e.g. an instruction injected into a passage)
            result.unsupported = split_answer(clean)
        return result

    @staticmethod
    def _fallback(extractive: Answer, kind: str, lang: str, why: str) -> Answer:
        result = extractive.model_copy(deep=True)
        result.notice = _NOTICE[kind][lang].format(why=why[:120])
        return result
