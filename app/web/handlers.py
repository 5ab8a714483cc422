"""The web app's handlers: plain functions over the front object (answers: over its service),
called by the UI and tests."""

from __future__ import annotations

import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from app.conversations import ConversationStore, export_markdown
from app.types import Answer, Ask
from app.web.render import is_web_url, render_conversation, render_error, render_pending
from app.web.text import text

if TYPE_CHECKING:
    from app.front import Telaah
    from app.service import AnswerService
    from app.settings import Settings
    from ingest.pipeline import IngestResult

Progress = Callable[[int, int, str], None]
Row = list[Any]
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
_UNSAFE = re.compile(r"[^\w.\- ]+")
_STREAM_EVERY_S = 0.08


# ---------------------------------------------------------------------------- chat


def _ask_streaming(service: AnswerService, request: Ask) -> Iterator[str | Answer]:
    """Yield the LLM's text as it streams, then the verified Answer."""
    tokens: queue.Queue[str] = queue.Queue()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["answer"] = service.answer(request, tokens.put)
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread below
            box["error"] = exc

    worker = threading.Thread(target=work, name="telaah-answer", daemon=True)
    worker.start()
    streamed, last = "", 0.0
    while worker.is_alive() or not tokens.empty():
        try:
            streamed += tokens.get(timeout=0.05)
        except queue.Empty:
            continue
        if time.monotonic() - last >= _STREAM_EVERY_S:
            last = time.monotonic()
            yield streamed
    worker.join()
    if "error" in box:
        raise box["error"]
    yield box["answer"]


def llm_service(
    service: AnswerService, provider: str | None, base_url: str | None, model: str | None
) -> AnswerService:
    """The service answering with the LLM chosen in the settings panel (defaults: settings)."""
    cfg = service.settings.answer
    update = {
        key: value.strip() if isinstance(value, str) else value
        for key, value in (("provider", provider), ("base_url", base_url), ("model", model))
        if value and (value.strip() if isinstance(value, str) else value)
    }
    if all(getattr(cfg, key) == value for key, value in update.items()):
        return service
    from app.llm import make_chat_model

    return service.with_chat_model(make_chat_model(cfg.model_copy(update=update)))


def chat(
    service: AnswerService,
    question: str,
    turns: list[Answer] | None,
    answerer: str = "extractive",
    k: int | None = None,
    lang: str = "en",
    llm: tuple[str | None, str | None, str | None] = (None, None, None),
    docs: Sequence[str] | None = None,
) -> Iterator[tuple[str, list[Answer]]]:
    """Answer one chat message; yields (conversation HTML, turns) while streaming, then final.

    Earlier questions of this session's ``turns`` are passed as history for follow-ups;
    ``llm`` is the (provider, base URL, model) chosen in the settings panel; ``docs`` limits
    the answer to those documents.
    """
    turns = list(turns or [])
    question = (question or "").strip()
    if not question:
        yield render_conversation(turns, lang), turns
        return
    yield render_conversation(turns, lang, render_pending(question, "", lang)), turns
    try:
        request = Ask.model_validate(
            {"question": question, "history": [t.question for t in turns], "answerer": answerer}
            | {"k": k, "docs": list(docs or [])}
        )
        if answerer == "llm":
            result: Answer | None = None
            chosen = llm_service(service, *llm)
            n = k or service.settings.retrieval.k
            reading = render_pending(question, "", lang, text(lang, "reading").format(n=n))
            yield render_conversation(turns, lang, reading), turns
            for item in _ask_streaming(chosen, request):
                if isinstance(item, Answer):
                    result = item
                else:
                    pending = render_pending(question, item, lang)
                    yield render_conversation(turns, lang, pending), turns
            assert result is not None
        else:
            result = service.answer(request)
    except Exception as exc:  # noqa: BLE001 - a failed question must not end the session
        failed = render_error(question, str(exc) or type(exc).__name__, lang)
        yield render_conversation(turns, lang, failed), turns
        return
    turns.append(result)
    yield render_conversation(turns, lang), turns


def api_ask(front: Telaah, question: str, docs: Sequence[str] | None = None) -> dict[str, Any]:
    """The `ask` API endpoint: the same JSON as ``telaah ask --json`` (``docs``: scope)."""
    return front.ask(Ask(question=question, docs=list(docs or []))).model_dump(mode="json")


# ---------------------------------------------------------------------------- conversations


def _conversations(front: Telaah) -> ConversationStore:
    return ConversationStore.for_settings(front.settings)


def conversation_choices(front: Telaah) -> list[tuple[str, str]]:
    """(label, id) of every saved conversation, newest first."""
    return [
        (f"{c.title} · {c.updated[:16].replace('T', ' ')} · {c.turns}", c.id)
        for c in _conversations(front).list()
    ]


def remember(
    front: Telaah, conv_id: str | None, turns: list[Answer], docs: Sequence[str] | None
) -> str:
    """Save the conversation's turns (creating it on its first turn); returns its id."""
    store = _conversations(front)
    conv = (
        store.load(conv_id) if conv_id and store.matches(conv_id) else store.new(list(docs or []))
    )
    conv.turns = list(turns[:-1])  # the page's turns are the truth; the newest is appended
    conv.docs = list(docs or [])
    return store.append(conv, turns[-1]).id


def open_conversation(front: Telaah, conv_id: str | None) -> tuple[list[Answer], list[str]]:
    """A saved conversation's turns and scope (nothing when there is none)."""
    if not conv_id:
        return [], []
    conv = _conversations(front).load(conv_id)
    return list(conv.turns), list(conv.docs)


def exports_dir(settings: Settings) -> Path:
    """Files the web app hands out for download (exports, charts); the only served folder of
    the data dir."""
    folder = settings.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_conversation(front: Telaah, conv_id: str | None) -> Path | None:
    """Write a conversation as Markdown under the data dir; returns the file."""
    if not conv_id:
        return None
    conv = _conversations(front).load(conv_id)
    path = (
        exports_dir(front.settings)
        / f"telaah-{safe_name(conv.title, 'conversation')[:60]}-{conv.id}.md"
    )
    path.write_text(export_markdown(conv), encoding="utf-8")
    return path


def delete_conversation(front: Telaah, conv_id: str | None) -> bool:
    """Remove a saved conversation."""
    return bool(conv_id) and _conversations(front).delete(str(conv_id))


# ---------------------------------------------------------------------------- adding articles


def safe_name(name: str, fallback: str = "upload") -> str:
    """A plain file name for an uploaded file: no directories, no dot-only or hidden names."""
    base = PurePath(name.replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not base or (dot and not stem.strip("._ ")):
        return fallback + (f".{suffix}" if dot and suffix else "")
    if len(base) > 120:
        keep = f".{suffix}" if dot and len(suffix) <= 10 else ""
        base = base[: 120 - len(keep)] + keep
    return base


UPLOAD_PREFIX = "upload:"


def uploads_dir(front: Telaah) -> Path:
    """Where uploaded originals are kept (so that re-ingest and reindex can read them)."""
    return front.settings.data_dir / "uploads"


def kept_upload(front: Telaah, source: str) -> Path | None:
    """The kept original of an uploaded document's source (``upload:NAME``)."""
    if not source.startswith(UPLOAD_PREFIX):
        return None
    return uploads_dir(front) / safe_name(source.removeprefix(UPLOAD_PREFIX))


def _error_row(source: str, reason: str) -> Row:
    return [source, "error", 0, reason]


def _result_row(result: IngestResult, shown: str | None = None) -> Row:
    return [shown or result.source, result.status, result.chunks, result.error or ""]


def stage_uploads(
    paths: Sequence[str], folder: Path, max_bytes: int
) -> tuple[dict[str, str], list[Row]]:
    """Copy uploads into ``folder`` under sanitized unique names.

    Returns:
        ``{staged path: shown name}`` for the accepted files and error rows for the rest.
    """
    staged: dict[str, str] = {}
    errors: list[Row] = []
    used: set[str] = set()
    for raw in paths:
        original = Path(raw)
        name = safe_name(original.name)
        if not name.lower().endswith(UPLOAD_SUFFIXES):
            errors.append(
                _error_row(name, f"unsupported file type (use {' '.join(UPLOAD_SUFFIXES)})")
            )
            continue
        if original.stat().st_size > max_bytes:
            errors.append(_error_row(name, f"too large: over {max_bytes // (1024 * 1024)} MB"))
            continue
        stem, dot, suffix = name.rpartition(".")
        unique, n = name, 2
        while unique.lower() in used:
            unique, n = f"{stem}-{n}{dot}{suffix}", n + 1
        used.add(unique.lower())
        target = folder / unique
        shutil.copyfile(original, target)
        staged[str(target)] = unique
    return staged, errors


def _web_urls(urls: str) -> tuple[list[str], list[Row]]:
    good: list[str] = []
    bad: list[Row] = []
    for line in (urls or "").splitlines():
        url = line.strip()
        if url:
            (
                good.append(url)
                if is_web_url(url)
                else bad.append(_error_row(url, "not an http(s) URL"))
            )
    return good, bad


def add_articles(
    front: Telaah,
    files: Sequence[str] | None,
    urls: str = "",
    paste: str = "",
    paste_title: str = "",
    progress: Progress | None = None,
) -> list[Row]:
    """Ingest uploads, URLs and pasted text; one result row [source, status, chunks, reason]."""
    settings = front.settings
    rows: list[Row] = []
    folder = Path(tempfile.mkdtemp(prefix="telaah-upload-"))
    try:
        staged, errors = stage_uploads(files or [], folder, settings.ui.max_upload_mb * 1024 * 1024)
        good_urls, bad_urls = _web_urls(urls)
        rows.extend(errors + bad_urls)
        inputs = [*staged, *good_urls]
        if inputs:
            labels = {path: f"{UPLOAD_PREFIX}{name}" for path, name in staged.items()}
            results = front.add(inputs, progress, labels)
            rows.extend(_result_row(r, staged.get(r.source)) for r in results)
            keep = uploads_dir(front)
            for r in results:  # keep the originals: re-ingest and reindex read them again
                if r.source in staged and r.status != "error":
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(r.source, keep / staged[r.source])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if paste.strip():
        title = paste_title.strip() or paste.strip().split("\n", 1)[0][:80]
        rows.append(_result_row(front.add_text(paste, title)))
    return rows


# ---------------------------------------------------------------------------- library


SHORT_ID = 10


def library_rows(front: Telaah) -> list[Row]:
    """One row per stored document: title, language, passages, date, short id."""
    return [
        [d.title, d.lang, d.chunks, (d.published or d.ingested_at)[:10], d.doc_id[:SHORT_ID]]
        for d in front.documents()
    ]


def document_choices(front: Telaah) -> list[tuple[str, str]]:
    """(label, doc_id) pairs for the document pickers."""
    return [(f"{d.title[:90]} · {d.doc_id[:SHORT_ID]}", d.doc_id) for d in front.documents()]


def resolve_document(front: Telaah, key: str | None) -> str | None:
    """The full doc_id of a document picked by id or short id (None when none matches)."""
    if not key:
        return None
    found = [d.doc_id for d in front.documents() if d.doc_id.startswith(key)]
    return found[0] if len(found) == 1 else None


def delete_prompt(front: Telaah, doc_id: str | None, lang: str = "en") -> str | None:
    """The confirmation question before deleting (None when nothing is picked)."""
    doc = front.document(doc_id) if doc_id else None
    return text(lang, "confirm_delete").format(title=doc.title) if doc else None


def delete_document(front: Telaah, doc_id: str | None, lang: str = "en") -> str:
    """Remove one document (and its kept upload); returns a status line."""
    if not doc_id:
        return text(lang, "pick_first")
    removed = front.remove(doc_id)
    if not removed:
        return text(lang, "no_match").format(key=doc_id[:SHORT_ID])
    for doc in removed:
        kept = kept_upload(front, doc.source)
        if kept is not None:
            kept.unlink(missing_ok=True)
    return text(lang, "removed").format(titles=", ".join(d.title for d in removed))


def reingest_document(
    front: Telaah,
    doc_id: str | None,
    progress: Progress | None = None,
    lang: str = "en",
) -> str:
    """Re-run ingest on a document's source: a URL, a file that still exists, or a kept upload."""
    doc = front.document(doc_id) if doc_id else None
    if doc is None:
        return text(lang, "pick_first")
    kept = kept_upload(front, doc.source)
    path = str(kept) if kept is not None else doc.source
    if not (is_web_url(path) or Path(path).is_file()):
        return text(lang, "cannot_reingest").format(source=doc.source)
    labels = {path: doc.source} if kept is not None else None
    [result] = front.add([path], progress, labels)
    detail = f" ({result.error})" if result.error else f", {result.chunk_count}"
    return f"{result.status}: {result.title or result.source}{detail}"


# ---------------------------------------------------------------------------- evaluation

PROJECT_QUESTIONS = Path(__file__).resolve().parents[2] / "data" / "eval" / "questions.jsonl"


def _cell(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value


def _mark(value: Any) -> str:
    return "–" if value is None else ("✓" if value else "✗")


def passed(row: dict[str, Any]) -> bool:
    """Whether a question was answered as expected (a fact stated, or 'not found' when due)."""
    return bool(row.get("answer_accuracy")) if row.get("answerable") else bool(row.get("abstained"))


def question_row(row: dict[str, Any]) -> Row:
    """One per-question line: question, expected, answered, cited the evidence, answer, id."""
    expected = "answer" if row.get("answerable") else "not found"
    answer = str(row.get("answer") or "")
    return [
        row.get("question", ""),
        expected,
        _mark(passed(row)),
        _mark(row.get("evidence_cited")),
        answer if len(answer) <= 300 else answer[:300] + "…",
        row.get("id", ""),
    ]


def run_evaluation(
    front: Telaah,
    path: str | None,
    answerer: str = "extractive",
    k: int | None = None,
    progress: Progress | None = None,
    lang: str = "en",
) -> tuple[list[Row], list[Row], str | None, str]:
    """Evaluate a JSONL question set (the project set when ``path`` is empty).

    Returns:
        Summary rows [metric, value, meaning], per-question rows (failing questions first),
        the chart's path and a status line.
    """
    from app.evaluation.metrics import METRIC_HELP
    from app.evaluation.questions import load_questions
    from app.evaluation.report import write_chart
    from app.evaluation.run import SUMMARY_KEYS

    source = Path(path) if path else PROJECT_QUESTIONS
    try:
        questions = load_questions(source)
    except (ValueError, OSError) as exc:
        return [], [], None, f"error: {exc}"
    run = front.evaluate(questions, answerer, k, progress, name=answerer)
    helps = METRIC_HELP.get(lang, METRIC_HELP["en"])
    summary = [
        [key, _cell(run.summary.get(key)), helps.get(key, "")]
        for key in SUMMARY_KEYS
        if run.summary.get(key) is not None
    ]
    ordered = sorted(run.rows, key=passed)  # failing first, otherwise in file order
    rows = [question_row(row) for row in ordered]
    chart = exports_dir(front.settings) / "evaluation-chart.png"
    write_chart({answerer: run}, chart)
    failed = sum(not passed(row) for row in run.rows)
    status = text(lang, "eval_done").format(n=len(questions), source=source.name, failed=failed)
    return summary, rows, str(chart), status
