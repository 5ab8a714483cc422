"""The textbook LangChain + Chroma RAG baseline, for comparison in ``telaah eval``.

Dense search only, through ``langchain_chroma.Chroma`` over the same chunk collection and the
same embedder; the answer is the top chunk verbatim, every sentence citing it as [1]; it never
abstains. It returns an :class:`~app.types.Answer`, so the same metrics apply.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from app.types import Answer, Ask, Citation, Passage
from ingest.text import detect_language, sentence_spans

if TYPE_CHECKING:
    from langchain_core.documents import Document as LCDocument
    from langchain_core.embeddings import Embeddings

    from app.service import AnswerService
    from app.settings import Settings


def cite_every_sentence(text: str, n: int) -> str:
    """``text`` with a " [n]" marker after each of its sentences (text otherwise unchanged)."""
    ends = sorted({b for _, b in sentence_spans(text)}, reverse=True)
    for end in ends:
        text = f"{text[:end]} [{n}]{text[end:]}"
    return text


def _passage(doc: LCDocument) -> Passage:
    meta: dict[str, Any] = doc.metadata
    return Passage(
        chunk_id=str(doc.id or ""),
        doc_id=str(meta.get("doc_id", "")),
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        lang=str(meta.get("lang", "")),
        text=doc.page_content,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", len(doc.page_content))),
    )


def _citation(p: Passage) -> Citation:
    return Citation(
        n=1,
        doc_id=p.doc_id,
        chunk_id=p.chunk_id,
        title=p.title,
        source=p.source,
        text=p.text,
        start=p.start,
        end=p.end,
        spans=[(p.start, p.end)],
    )


class TextbookBaseline:
    """``Chroma.similarity_search`` top-k; the answer is the top chunk's text verbatim."""

    def __init__(self, settings: Settings, client: Any, embeddings: Embeddings) -> None:
        from langchain_chroma import Chroma

        self.settings = settings
        self.vectorstore = Chroma(
            client=client,
            collection_name=f"{settings.collection}_chunks",
            embedding_function=embeddings,
            create_collection_if_not_exists=False,
        )

    @classmethod
    def from_service(cls, service: AnswerService) -> TextbookBaseline:
        """The baseline over the service's own store client and embedder."""
        retriever = service.retriever
        return cls(service.settings, retriever.store.client, retriever.embeddings)

    def ask(self, question: str, **options: Any) -> Answer:
        """Answer one question (``options``: the other fields of :class:`Ask`)."""
        return self.answer(Ask(question=question, **options))

    def answer(self, request: Ask) -> Answer:
        """Retrieve k chunks and answer with the first (history, answerer and mode are ignored)."""
        t0 = time.perf_counter()
        question = request.question
        k = request.k or self.settings.retrieval.k
        docs = self.vectorstore.similarity_search(question, k=k)
        retrieve_ms = (time.perf_counter() - t0) * 1000
        passages = [_passage(d) for d in docs]
        top = passages[0] if passages else None
        return Answer(
            question=question,
            answer=cite_every_sentence(top.text, 1) if top else "",
            citations=[_citation(top)] if top else [],
            passages=passages,
            timings={"retrieve_ms": retrieve_ms, "total_ms": (time.perf_counter() - t0) * 1000},
            lang=detect_language(question),
            answerer="textbook",
        )
