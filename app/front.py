"""The front object the CLI and the web app both use (as paper-qa's ``Docs``): add, remove, list,
reindex, ask and evaluate over one data dir."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from app.types import Answer, Ask

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from app.evaluation.questions import EvalQuestion
    from app.evaluation.run import EvalRun
    from app.service import AnswerService
    from app.settings import Settings
    from ingest.pipeline import IngestResult
    from ingest.types import Document
    from vectorstore.store import Store

Progress = Callable[[int, int, str], None]


class Telaah:
    """One library of articles and everything done with it; parts are built on first use."""

    def __init__(self, settings: Settings, service: AnswerService | None = None) -> None:
        self.settings = settings
        if service is not None:
            self.__dict__["service"] = service

    @cached_property
    def service(self) -> AnswerService:
        """The answering service (retriever, engine, judge, optional LLM) over the same store."""
        from app.service import AnswerService

        if "_store" not in self.__dict__:
            return AnswerService(self.settings)
        from app.retrieve import HybridRetriever

        retriever = HybridRetriever(self.settings, self._store, self.embeddings)
        return AnswerService(self.settings, retriever)

    @property
    def embeddings(self) -> Embeddings:
        """The embedder (one per settings object)."""
        if "service" in self.__dict__:
            return self.service.retriever.embeddings
        return self.settings.embeddings()

    @property
    def store(self) -> Store:
        """The store, opened once (the service's when it exists): ingest needs no answerer."""
        if "service" in self.__dict__:
            return self.service.retriever.store
        return self._store

    @cached_property
    def _store(self) -> Store:
        return self.settings.store(self.embeddings)

    # ---------------------------------------------------------------- articles

    def add(
        self,
        inputs: Sequence[str],
        progress: Progress | None = None,
        labels: dict[str, str] | None = None,
    ) -> list[IngestResult]:
        """Ingest files, folders and URLs (``labels``: sources to store instead of paths)."""
        from ingest.pipeline import ingest

        results = ingest(
            inputs, self.settings.ingest, self.embeddings, self.store, progress, labels
        )
        self._changed(any(r.status in ("added", "updated") for r in results))
        return results

    def add_text(self, text: str, title: str) -> IngestResult:
        """Ingest pasted text under a title."""
        from ingest.pipeline import ingest_text

        result = ingest_text(text, title, self.settings.ingest, self.embeddings, self.store)
        self._changed(result.status in ("added", "updated"))
        return result

    def remove(self, key: str) -> list[Document]:
        """Remove the documents matching an id, a unique id prefix or a source."""
        from ingest.pipeline import remove

        removed = remove(key, self.store)
        self._changed(bool(removed))
        return removed

    def documents(self) -> list[Document]:
        """Every stored document (without its text), by title."""
        return self.store.list_documents()

    def document(self, doc_id: str) -> Document | None:
        """One document with its text, or None."""
        return self.store.get_document(doc_id)

    def find(self, key: str) -> list[Document]:
        """Documents whose id, unique id prefix (8+ characters) or source is ``key``."""
        return self.store.find(key)

    def generation(self) -> str | None:
        """The store's change token: it differs after any process wrote."""
        return self.store.generation()

    def sync(self) -> None:
        """Pick up other processes' writes now (answers otherwise do within two seconds)."""
        self.service.retriever.sync()

    def reindex(self, progress: Progress | None = None) -> tuple[int, int]:
        """Re-chunk and re-embed every document with the configured embedder."""
        from ingest.pipeline import reindex
        from vectorstore.store import Store

        store = Store.open(self.settings.store_settings, self.embeddings, check_model=False)
        return reindex(self.settings.ingest, self.embeddings, store, progress)

    def _changed(self, changed: bool) -> None:
        if changed and "service" in self.__dict__:  # answer from the new state at once
            self.service.retriever.sync(force=True)

    # ---------------------------------------------------------------- questions

    def ask(self, request: Ask | str, on_token: Callable[[str], None] | None = None) -> Answer:
        """Answer one question (a plain string, or an :class:`Ask` with its options)."""
        ask = request if isinstance(request, Ask) else Ask(question=request)
        return self.service.answer(ask, on_token)

    def evaluate(
        self,
        questions: Sequence[EvalQuestion],
        answerer: str | None = None,
        k: int | None = None,
        progress: Progress | None = None,
        **options: Any,
    ) -> EvalRun:
        """Ask a test-question set and score it (see docs/EVALUATION.md)."""
        from app.evaluation.run import evaluate

        return evaluate(list(questions), self.service, answerer, k, progress=progress, **options)
