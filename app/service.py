"""Answer a question: follow-ups, retrieval, extractive or LLM answer, verified citations."""

from __future__ import annotations

import copy
import math
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

import prompts
from app.answer.engine import Draft, Engine
from app.answer.evidence import passage_of
from app.answer.features import type_fit
from app.answer.judge import Judge
from app.answer.markers import (
    extract_markers,
    first_use_order,
    renumber,
    split_answer,
    strip_markers,
)
from app.answer.query import Query, merge_followup, parse_query
from app.constants import ABSTAIN_TEXTS, abstain_text
from app.llm import CHARS_PER_TOKEN
from app.retrieve import HybridRetriever
from app.sanitize import plain_text
from app.types import Answer, Ask, Citation, Passage
from ingest.facts import TextFacts, text_facts
from ingest.names import name_occurs
from ingest.numbers import facts_match
from ingest.terms import term_set
from ingest.text import detect_language, sentence_spans

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from app.answer.model import Model
    from app.settings import Settings

TokenCallback = Callable[[str], None]
_LANG_NAME = {"id": "Indonesian (Bahasa Indonesia)", "en": "English"}
# The last line of the prompt, in the answer's own language: small models follow it best there.
_REPLY_IN = {"id": "Jawab dalam bahasa Indonesia.", "en": "Answer in English."}
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
    "cut": {
        "en": "The language model stopped mid-answer ({why}); showing the extractive answer.",
        "id": "Model bahasa berhenti di tengah jawaban ({why}); menampilkan jawaban ekstraktif.",
    },
    "declined": {
        "en": "The language model found no answer in the passages; showing the sentences that "
        "do answer it.",
        "id": "Model bahasa tidak menemukan jawaban di bagian artikel; menampilkan kalimat yang "
        "menjawabnya.",
    },
    "doubt": {
        "en": "The articles may not answer this exactly (confidence {pct} %): check the quoted "
        "sentences against your question.",
        "id": "Artikel mungkin tidak menjawab ini secara persis (keyakinan {pct} %): periksa "
        "kalimat yang dikutip terhadap pertanyaan Anda.",
    },
    "incomplete": {
        "en": "The language model stopped mid-answer ({why}); the answer is incomplete.",
        "id": "Model bahasa berhenti di tengah jawaban ({why}); jawaban tidak lengkap.",
    },
}
_FENCE = re.compile(r"<{3,}|>{3,}")


def _logistic(x: float) -> float:
    """σ(x), without overflow for a large negative x."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


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


def _quotes(extractive: Answer, passages: list[Passage]) -> list[str]:
    """The extractive answer's sentences with markers pointing into ``passages`` (its cited
    passages are appended when missing)."""
    ids = [p.chunk_id for p in passages]
    mapping: dict[int, int] = {}
    for c in extractive.citations:
        if c.chunk_id not in ids:
            passages.append(c.passage())
            ids.append(c.chunk_id)
        mapping[c.n] = ids.index(c.chunk_id) + 1
    return [renumber(s, mapping) for s in split_answer(extractive.answer) if extract_markers(s)]


def _closest(sentence: str, quotes: list[str], exclude: list[str]) -> str | None:
    """The quote sharing most words with a failed sentence (None when none shares any)."""
    words = _both_terms(strip_markers(sentence))
    scored = [(len(words & _both_terms(strip_markers(q))), q) for q in quotes if q not in exclude]
    best = max(scored, default=(0, None), key=lambda pair: pair[0])
    return best[1] if best[0] > 0 else None


_LANGUAGE_MIN_CHARS = 40  # shorter sentences (a name, a number) say too little to tell


def other_language(sentence: str, lang: str) -> bool:
    """Whether an answer sentence is clearly written in the other language than ``lang``."""
    text = strip_markers(sentence)
    return len(text) >= _LANGUAGE_MIN_CHARS and detect_language(text) != lang


_BARE_WORDS = 5  # an answer this short states a value ("$500 billion"), not a claim of its own


def _bare_text(answer: str) -> str:
    return strip_markers(answer).strip().rstrip(".").strip()


def _bare(answer: str) -> bool:
    """Whether an answer is a few words only: a value, not a statement."""
    return len(_bare_text(answer).split()) <= _BARE_WORDS


def stated_value(question: str, answer: str, quotes: list[str]) -> str | None:
    """A bare value answering ``question`` ("$500 billion [1]", "Sam Altman"), cited to the
    quote of the engine's answer that states it: each of its numbers and names is in that one
    sentence, and it is the kind of thing asked. For a question that asks no kind of value
    ("what is the term for …?"), a bare phrase the quote states word for word, with a word the
    question does not have. None for anything else.

    A value says nothing the judge could align with a passage, so it cannot pass as a claim; but
    the engine's quotes are verified evidence for this very question."""
    text = _bare_text(answer)
    if not _bare(answer) or not text:
        return None
    facts = text_facts(text)
    query = parse_query(question)
    place = query.expects == "place"  # a place named bare has no "in" before it: any name
    if facts.numbers or facts.names:
        if not type_fit(query, facts) and not (place and facts.names):
            return None
        found = [q for q in quotes if _states_facts(facts, strip_markers(q))]
    elif (not query.expects or place) and term_set(text, query.lang) - term_set(
        question, query.lang
    ):
        phrase = re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.IGNORECASE)
        found = [q for q in quotes if phrase.search(strip_markers(q))]
    else:
        return None
    if not found:
        return None
    return f"{text} {''.join(f'[{n}]' for n in dict.fromkeys(extract_markers(found[0])))}"


def _states_facts(facts: TextFacts, said: str) -> bool:
    """Whether ``said`` states each number and name of ``facts``."""
    pool = text_facts(said).numbers
    return all(facts_match(f, pool) for f in facts.numbers) and all(
        name_occurs(" ".join(n), said) for n in facts.names
    )


def addresses(question: str, answer: str) -> bool:
    """Whether an answer touches the question at all: one of its words, in either language,
    and — when the question asks for a number, a date or a name — one of those beyond what the
    question itself states ("how far did the bus stray?" is not answered without a distance)."""
    query = parse_query(question)
    text = strip_markers(answer)
    if query.expects not in ("", "reason") and not type_fit(query, text_facts(text)):
        return False
    if not query.terms:
        return True
    found = _both_terms(text)
    return any(group & found for group in query.terms)


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

            cfg = self.settings.answer
            if cfg.provider == "llamacpp" and cfg.model == "local":  # telaah llm setup's model
                from app.local_model import model_path

                cfg = cfg.model_copy(update={"model": str(model_path(self.settings.data_dir))})
            self._chat_model = make_chat_model(cfg)
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
        vector: list[float] | None = None
        if query.kind == "compare" and len(query.entities) >= 2:
            t1 = time.perf_counter()
            draft = self.engine.compare(query, wanted, mode, docs)
        else:
            retrieval = self.retriever.retrieve(
                standalone, wanted, mode, docs, focus=not query.explains
            )
            timings.update(retrieval.timings)
            vector = retrieval.vector
            t1 = time.perf_counter()
            draft = self.engine.answer(query, retrieval)
        timings["answer_ms"] = (time.perf_counter() - t1) * 1000
        result = self._finish(draft, lang, "extractive")
        self._doubt(result, lang)
        if answerer == "llm":
            t2 = time.perf_counter()
            top = self.context(query, draft.passages[: k or self.settings.retrieval.k], vector)
            confidence = result.confidence  # the evidence's, whoever words the answer
            result = self._llm(standalone, top, lang, result, on_token)
            result.confidence = confidence
            timings["llm_ms"] = (time.perf_counter() - t2) * 1000
        result.timings = {**timings, **result.timings}
        result.question = question
        result.timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return result

    def _doubt(self, result: Answer, lang: str) -> None:
        """Set the answer's confidence from its support score and, when an answer falls below
        ``answer.doubt_below``, flag it with a notice. On the realset held-out half the flag
        marks 6 of 26 answers, 4 of them wrong or unanswerable, and no other answer is wrong
        (docs/ENGINE.md)."""
        if result.support is None:
            return
        result.confidence = _logistic(result.support)
        if not result.abstained and result.confidence < self.settings.answer.doubt_below:
            result.doubtful = True
            pct = math.floor(100 * result.confidence)
            result.notice = _NOTICE["doubt"][lang].format(pct=pct)

    def context(
        self, query: Query, passages: list[Passage], vector: list[float] | None
    ) -> list[Passage]:
        """What the LLM reads, fitted to ``answer.context_tokens``: the passages whole when they
        fit; else, best first by the engine's scores, each passage's best sentences with their
        neighbours (a small model reads the evidence, not whole chunks)."""
        budget = self.settings.answer.context_tokens * CHARS_PER_TOKEN
        if sum(len(p.text) for p in passages) <= budget:
            return passages
        if vector is None:  # no sentence scores: whole passages while they fit (at least one)
            kept: list[Passage] = []
            used = 0
            for p in passages:
                if kept and used + len(p.text) > budget:
                    break
                kept.append(p)
                used += len(p.text)
            return kept
        scored = self.engine.score(query, passages, vector)
        windows: dict[int, tuple[int, int]] = {}
        for j in np.argsort(-scored.p):
            c = scored.cands[int(j)]
            n = passage_of(c, passages)
            if n is None:
                continue
            p = passages[n - 1]
            before, after = c.neighbour(-1), c.neighbour(1)
            a = max(p.start, c.doc.spans[before][0] if before is not None else c.span[0])
            b = min(p.end, c.doc.spans[after][1] if after is not None else c.span[1])
            old = windows.get(n)
            merged = (min(a, old[0]), max(b, old[1])) if old else (a, b)
            trial = {**windows, n: merged}
            if windows and sum(hi - lo for lo, hi in trial.values()) > budget:
                continue
            windows = trial
        return [
            p.model_copy(
                update={
                    "text": p.text[windows[n][0] - p.start : windows[n][1] - p.start],
                    "start": windows[n][0],
                    "end": windows[n][1],
                }
            )
            for n, p in enumerate(passages, start=1)
            if n in windows
        ]

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
            out, _, error = self._call([HumanMessage(text)], None)
        except Exception:  # noqa: BLE001 - condensing is best effort
            return question
        condensed = plain_text(out).strip().splitlines()[0] if out.strip() else ""
        return condensed if not error and 0 < len(condensed) < 300 else question

    def _finish(self, draft: Draft, lang: str, answerer: str, question: str = "") -> Answer:
        """Check every sentence's citations (a model's answer against what ``question``
        states, see :meth:`Judge.about`) and build the answer record."""
        t0 = time.perf_counter()
        text = plain_text(draft.text)
        passages = draft.passages
        judge = self.judge.about(question, [p.title for p in passages])
        cleaned, unsupported = judge.judge_answer(text, [p.text for p in passages])
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
        user = prompts.render(
            "answer_user",
            passages=fence_passages(passages),
            question=question,
            reply_in=_REPLY_IN[lang],
        )
        return [SystemMessage(system), HumanMessage(user)]

    def _call(
        self, messages: list[BaseMessage], on_token: TokenCallback | None
    ) -> tuple[str, bool, str | None]:
        from app.llm import (  # only the LLM path pays for these
            LLMError,
            estimate_tokens,
            first_token_deadline,
            stream_with_deadline,
        )

        cfg = self.settings.answer
        try:
            model = self.chat_model
        except LLMError as exc:
            return "", False, str(exc)
        first = first_token_deadline(cfg, estimate_tokens(messages))
        out = stream_with_deadline(
            model, messages, first, cfg.read_timeout_s, cfg.timeout_s, on_token
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
        """The model's verified answer; when it declines or none of its sentences holds, one
        more try on the passages the engine's answer cites (a small model reading fewer
        passages mixes them up less), unstreamed; else the extractive answer with a notice."""
        from app.llm import estimate_tokens

        messages = self._messages(question, passages, lang)
        result, kind, why, rejected = self._attempt(
            messages, question, passages, lang, extractive, on_token
        )
        tokens = {"prompt_tokens": float(estimate_tokens(messages))}
        focus = self._focus(passages, extractive)
        if result is None and kind in ("declined", "unsupported") and focus:
            retry = self._messages(question, focus, lang)
            result, _, _, again = self._attempt(retry, question, focus, lang, extractive, None)
            rejected = rejected or again
            tokens["retry_prompt_tokens"] = float(estimate_tokens(retry))
        result = result or self._fallback(extractive, kind, lang, why, rejected)
        result.timings.update(tokens)
        return result

    def _attempt(
        self,
        messages: list[BaseMessage],
        question: str,
        passages: list[Passage],
        lang: str,
        extractive: Answer,
        on_token: TokenCallback | None,
    ) -> tuple[Answer | None, str, str, list[str]]:
        """One call of the model and the check of its answer: the verified (or repaired)
        answer, or None with the kind of failure, why (for the fallback's notice) and the
        model's sentences that failed the check (streamed to the reader, so shown with it)."""
        text, incomplete, error = self._call(messages, on_token)
        if error and not text.strip():
            return None, "fallback", error, []
        judged = self._judge_llm(question, text, passages, lang, extractive)
        if judged.abstained and not extractive.abstained:
            # the engine's calibrated rule found support the model did not see
            return None, "declined", "", []
        result = (
            self._repair(question, judged, extractive, passages, lang)
            if judged.unsupported
            else judged
        )
        if result is None:
            # only a repair fails: judged.unsupported holds the sentences that failed
            rejected = [strip_markers(s).strip() for s in judged.unsupported]
            return None, "cut" if incomplete else "unsupported", error or "deadline", rejected
        if incomplete:
            result.incomplete = True
            result.notice = _NOTICE["incomplete"][lang].format(why=error or "deadline")
        return result, "", "", []

    @staticmethod
    def _focus(passages: list[Passage], extractive: Answer) -> list[Passage]:
        """The passages the extractive answer cites, when they are fewer than all."""
        cited = {c.chunk_id for c in extractive.citations}
        focus = [p for p in passages if p.chunk_id in cited]
        return focus if 0 < len(focus) < len(passages) else []

    def _repair(
        self,
        question: str,
        result: Answer,
        extractive: Answer,
        passages: list[Passage],
        lang: str,
    ) -> Answer | None:
        """Keep the model's verified sentences; put in place of each failing one the extractive
        sentence that states the same claim (a quote), or drop it. None when none of the
        model's own sentences survives, or the repaired answer does not address the question.
        When the engine abstained it has no quotes: failing sentences are dropped."""
        if result.abstained:
            return None
        failed = {s.strip() for s in result.unsupported}
        combined = list(passages)
        ids = [p.chunk_id for p in combined]
        back = {c.n: ids.index(c.chunk_id) + 1 for c in result.citations}  # to passage numbers
        quotes = _quotes(extractive, combined)
        own: list[str] = []
        out: list[str] = []
        quoted: list[str] = []
        for sentence in split_answer(result.answer):
            if sentence.strip() not in failed:
                out.append(renumber(sentence, back))
                own.append(sentence)
                continue
            quote = _closest(sentence, quotes, exclude=out)
            if quote is not None:
                out.append(quote)
                quoted.append(strip_markers(quote))
        if not own or not addresses(question, " ".join(out)):
            return None
        repaired = self._finish(Draft(" ".join(out), False, combined), lang, "llm", question)
        if repaired.unsupported:
            return None
        repaired.quoted = quoted
        return repaired

    def _judge_llm(
        self, question: str, text: str, passages: list[Passage], lang: str, extractive: Answer
    ) -> Answer:
        clean = plain_text(text)
        abstained = strip_markers(clean).strip() in ABSTAIN_TEXTS
        if abstained:
            clean = abstain_text(lang)
        else:  # a supported sentence the model forgot to cite gets its passage's number
            judge = self.judge.about(question, [p.title for p in passages])
            clean = judge.attribute(clean, [p.text for p in passages])
        if not abstained and not extractive.abstained and _bare(clean):
            combined = list(passages)
            value = stated_value(question, clean, _quotes(extractive, combined))
            if value is not None:  # the quote that states it answers the question (see there)
                result = self._finish(Draft(value, False, combined), lang, "llm", question)
                result.unsupported = []
                return result
        result = self._finish(Draft(clean, abstained, passages), lang, "llm", question)
        if not abstained and not result.unsupported and not addresses(question, clean):
            # supported but beside the point (e.g. an instruction injected into a passage)
            result.unsupported = split_answer(result.answer)
        if not abstained:  # a sentence in the other language is replaced like a failing one
            result.unsupported += [
                s
                for s in split_answer(result.answer)
                if s not in result.unsupported and other_language(s, lang)
            ]
        return result

    @staticmethod
    def _fallback(
        extractive: Answer, kind: str, lang: str, why: str, rejected: list[str]
    ) -> Answer:
        result = extractive.model_copy(deep=True)
        notice = _NOTICE[kind][lang].format(why=why[:120])
        result.notice = f"{notice} {extractive.notice}" if extractive.doubtful else notice
        result.rejected = rejected
        return result
