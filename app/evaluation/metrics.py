"""Per-question metrics: retrieval, answer, key points, citations (ALCE with our judge)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from app.answer.judge import Judge
from app.answer.markers import extract_markers, split_answer, strip_markers
from app.evaluation.questions import EvalQuestion
from app.types import Answer

Row = dict[str, Any]
CONCISE_CHARS = 600
OPEN_MAX_CHARS = 1500
HIT_KS = (1, 3, 5)
MRR_K = 10
RATE_KEYS = (
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr@10",
    "answer_accuracy",
    "evidence_cited",
    "keypoint_recall",
    "citation_precision",
    "citation_recall",
    "abstention_accuracy",
    "false_abstention",
    "concise",
    "doubtful_wrong",
    "sure_wrong",
)

# One line per metric, for people (the web app's Evaluate tab and `telaah eval`).
METRIC_HELP: dict[str, dict[str, str]] = {
    "en": {
        "n": "questions asked",
        "hit@1": "the passage holding the answer was ranked first",
        "hit@3": "… among the first three passages",
        "hit@5": "… among the first five passages",
        "mrr@10": "how high that passage ranked on average (1 = always first)",
        "answer_accuracy": "answers that state the expected fact",
        "evidence_cited": "answers that cite a passage holding the evidence",
        "keypoint_recall": "share of the expected key points an open answer states",
        "citation_precision": "citations that are needed to support their sentence",
        "citation_recall": "answer sentences supported by the passages they cite",
        "abstention_accuracy": "questions the articles cannot answer that got 'not found'",
        "false_abstention": "answerable questions that wrongly got 'not found' (lower is better)",
        "concise": "correct answers (key-point questions aside) of at most 600 characters",
        "doubtful_wrong": "answers flagged as unsure that were wrong or unanswerable",
        "sure_wrong": "answers not flagged that were wrong or unanswerable (lower is better)",
        "latency_p50_ms": "typical time per question, in milliseconds",
        "latency_p95_ms": "time of the slowest 5 % of questions, in milliseconds",
    },
    "id": {
        "n": "jumlah pertanyaan",
        "hit@1": "bagian yang memuat jawaban berada di peringkat pertama",
        "hit@3": "… di antara tiga bagian teratas",
        "hit@5": "… di antara lima bagian teratas",
        "mrr@10": "rata-rata setinggi apa bagian itu diperingkat (1 = selalu pertama)",
        "answer_accuracy": "jawaban yang menyebut fakta yang diharapkan",
        "evidence_cited": "jawaban yang mengutip bagian yang memuat bukti",
        "keypoint_recall": "bagian poin kunci yang disebut jawaban terbuka",
        "citation_precision": "kutipan yang memang diperlukan untuk kalimatnya",
        "citation_recall": "kalimat jawaban yang didukung bagian yang dikutipnya",
        "abstention_accuracy": "pertanyaan yang tak terjawab artikel dan mendapat "
        "'tidak ditemukan'",
        "false_abstention": "pertanyaan yang bisa dijawab tetapi keliru mendapat 'tidak ditemukan'"
        " (makin rendah makin baik)",
        "concise": "jawaban benar (selain pertanyaan poin kunci) paling panjang 600 karakter",
        "doubtful_wrong": "jawaban bertanda ragu yang ternyata keliru atau tak terjawab artikel",
        "sure_wrong": "jawaban tanpa tanda ragu yang ternyata keliru atau tak terjawab artikel "
        "(makin rendah makin baik)",
        "latency_p50_ms": "waktu khas per pertanyaan, dalam milidetik",
        "latency_p95_ms": "waktu 5 % pertanyaan terlambat, dalam milidetik",
    },
}


def normalize(text: str) -> str:
    """Whitespace-normalized, case-folded text for evidence matching."""
    return " ".join(text.split()).casefold()


def evidence_in(text: str, evidence: Sequence[str]) -> set[str]:
    """The evidence strings that occur in ``text``."""
    body = normalize(text)
    return {e for e in evidence if normalize(e) in body}


def retrieval_scores(texts: Sequence[str], evidence: Sequence[str]) -> dict[str, float]:
    """hit@1/3/5 and mrr@10 of a ranked list of passage texts."""
    rank = next((i for i, t in enumerate(texts, start=1) if evidence_in(t, evidence)), None)
    scores = {f"hit@{k}": float(rank is not None and rank <= k) for k in HIT_KS}
    scores[f"mrr@{MRR_K}"] = 1.0 / rank if rank is not None and rank <= MRR_K else 0.0
    return scores


def answer_correct(answer: str, patterns: Sequence[str]) -> bool:
    """Whether the answer text (markers removed) matches every pattern."""
    text = strip_markers(answer)
    return all(re.search(p, text, re.IGNORECASE) for p in patterns)


def keypoint_recall(answer: str, points: Sequence[str]) -> float:
    """Share of the key points an answer states; an answer over 1,500 characters scores 0."""
    text = strip_markers(answer)
    if len(text) > OPEN_MAX_CHARS or not points:
        return 0.0
    return sum(bool(re.search(p, text, re.IGNORECASE)) for p in points) / len(points)


def citation_scores(answer: Answer, judge: Judge) -> tuple[float, float]:
    """ALCE citation (recall, precision) of one answer, judged by ``judge``.

    Recall: share of answer sentences supported by the concatenation of the passages they cite
    (an uncited sentence, or one citing a passage that does not exist, is unsupported).
    Precision: share of citations that are relevant; in a supported sentence a citation is
    irrelevant when it alone does not support the sentence and the remaining citations still
    do; every citation of an unsupported sentence is imprecise. What the answer restates from
    its question is judged as the question's premise (:meth:`Judge.about`).
    """
    judge = judge.about(answer.question)
    texts = {c.n: c.text for c in answer.citations}
    sentences = split_answer(answer.answer)
    supported = cited = precise = 0
    for sentence in sentences:
        refs = list(dict.fromkeys(extract_markers(sentence)))
        cited += len(refs)
        if not refs or any(n not in texts for n in refs):  # uncited, or a dangling marker
            continue
        if not judge.judge(sentence, [texts[n] for n in refs]).supported:
            continue
        supported += 1
        checks = judge.precise_citations(sentence, {n: texts[n] for n in refs})
        precise += sum(1 for c in checks if c.alone or c.needed)
    recall = supported / len(sentences) if sentences else 0.0
    precision = precise / cited if cited else 0.0
    return recall, precision


def _metrics(q: EvalQuestion, ans: Answer, judge: Judge) -> dict[str, float | bool | None]:
    out: dict[str, float | bool | None] = dict.fromkeys(RATE_KEYS)
    correct = False
    if q.answerable:
        out.update(retrieval_scores([p.text for p in ans.passages], q.evidence))
        correct = not ans.abstained and answer_correct(ans.answer, q.answer_all)
        if q.points:
            out["keypoint_recall"] = 0.0 if ans.abstained else keypoint_recall(ans.answer, q.points)
        cited = set().union(*(evidence_in(c.text, q.evidence) for c in ans.citations))
        out["answer_accuracy"] = correct
        out["evidence_cited"] = len(cited) >= q.evidence_min_distinct
        out["false_abstention"] = ans.abstained
        if correct and not q.points:
            out["concise"] = len(strip_markers(ans.answer)) <= CONCISE_CHARS
    else:
        out["abstention_accuracy"] = ans.abstained
    if not ans.abstained:
        out["citation_recall"], out["citation_precision"] = citation_scores(ans, judge)
        out["doubtful_wrong" if ans.doubtful else "sure_wrong"] = not correct
    return out


def score_question(q: EvalQuestion, ans: Answer, judge: Judge, doc: str = "") -> Row:
    """One report row: the question, the answer, what it cited and retrieved, its metrics."""
    return {
        "id": q.id,
        "question": q.question,
        "lang": q.lang,
        "type": q.type,
        "kind": ans.kind,
        "doc": doc or ("(unanswerable)" if not q.answerable else "(not found)"),
        "passage_lang": ans.passages[0].lang if ans.passages else "",
        "support": ans.support,
        "answerable": q.answerable,
        "answer": ans.answer,
        "abstained": ans.abstained,
        "answerer": ans.answerer,
        "citations": [{"n": c.n, "chunk_id": c.chunk_id, "title": c.title} for c in ans.citations],
        "passages": [
            {"chunk_id": p.chunk_id, "title": p.title, "text": p.text[:120]} for p in ans.passages
        ],
        **_metrics(q, ans, judge),
        "timings": {key: round(v, 1) for key, v in ans.timings.items()},
    }
