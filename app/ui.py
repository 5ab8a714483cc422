"""The Gradio web app: layout and wiring only (handlers live in app/ui_handlers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import gradio as gr

from app import ui_handlers as h
from app.render import CSS, JS_ON_LOAD, render_conversation
from app.types import Answer
from app.ui_text import LANGS, LIBRARY_HEADERS, RESULT_HEADERS, text

if TYPE_CHECKING:
    from app.service import AnswerService
    from app.settings import Settings

PAGE_CSS = """
.gradio-container { max-width: 1100px !important; margin: 0 auto !important; }
#tl-conversation { min-height: 240px; max-height: 68vh; overflow-y: auto; padding: 0.2em; }
"""
THEME = gr.themes.Soft(
    primary_hue="indigo",
    font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
)
PRIVATE = "private"


def progress_callback(progress: gr.Progress) -> h.Progress:
    """Adapt a gr.Progress tracker to the pipeline's progress(done, total, desc) callback."""

    def update(done: int, total: int, desc: str) -> None:
        progress((done, total) if total else 0.0, desc=desc[:60])

    return update


def relabel_update(kind: str, key: str, lang: str) -> dict[str, Any]:
    """The update that shows UI string ``key`` in ``lang`` on one component."""
    value = text(lang, key)
    if kind == "title":
        return gr.update(value=f"## {value}")
    if kind == "value":
        return gr.update(value=value)
    if kind == "question":
        return gr.update(label=value, placeholder=text(lang, "question_ph"))
    return gr.update(label=value)


def _library_update(service: AnswerService) -> tuple[list[list[Any]], dict[str, Any]]:
    return h.library_rows(service), gr.update(choices=h.document_choices(service), value=None)


def build_app(settings: Settings, service: AnswerService | None = None) -> gr.Blocks:
    """Build (without launching) the Telaah web app over one AnswerService."""
    if service is None:
        from app.service import AnswerService

        service = AnswerService(settings)
    svc: AnswerService = service
    lang0 = settings.ui.lang

    def t(key: str) -> str:
        return text(lang0, key)

    with gr.Blocks(title="Telaah", analytics_enabled=False) as demo:
        turns = gr.State([])
        header = gr.Markdown(f"## {t('title')}")
        with gr.Tabs():
            with gr.Tab(t("tab_chat"), id="chat") as tab_chat:
                conversation = gr.HTML(
                    render_conversation([], lang0),
                    css_template=CSS,
                    js_on_load=JS_ON_LOAD,
                    elem_id="tl-conversation",
                    autoscroll=True,
                )
                with gr.Row():
                    question = gr.Textbox(
                        label=t("question"),
                        placeholder=t("question_ph"),
                        scale=6,
                        max_lines=4,
                        elem_id="tl-question",
                    )
                    with gr.Column(scale=1, min_width=150):
                        ask_btn = gr.Button(t("ask"), variant="primary", elem_id="tl-ask")
                        clear_btn = gr.Button(t("clear"), size="sm", variant="secondary")
                with gr.Accordion(t("settings"), open=False, elem_id="tl-settings") as settings_box:
                    with gr.Row():
                        answerer = gr.Radio(
                            ["extractive", "llm"],
                            value=settings.answer.answerer,
                            label=t("answerer"),
                        )
                        top_k = gr.Slider(
                            1, 20, value=settings.retrieval.k, step=1, label=t("top_k")
                        )
                        ui_lang = gr.Radio(
                            [(name, code) for code, name in LANGS.items()],
                            value=lang0,
                            label=t("ui_lang"),
                            elem_id="tl-lang",
                        )
                    with gr.Row():
                        provider = gr.Dropdown(
                            ["openai", "ollama", "llamacpp"],
                            value=settings.answer.provider,
                            label=t("provider"),
                        )
                        base_url = gr.Textbox(
                            value=settings.answer.base_url or "",
                            label=t("base_url"),
                            placeholder="http://127.0.0.1:8080/v1",
                        )
                        llm_model = gr.Textbox(value=settings.answer.model, label=t("llm_model"))
            with gr.Tab(t("tab_add"), id="add") as tab_add:
                files = gr.File(
                    label=t("files"),
                    file_count="multiple",
                    file_types=list(h.UPLOAD_SUFFIXES),
                    type="filepath",
                    elem_id="tl-files",
                )
                urls = gr.Textbox(label=t("urls"), lines=2, placeholder="https://…")
                with gr.Row():
                    paste_title = gr.Textbox(label=t("paste_title"), scale=1)
                paste = gr.Textbox(label=t("paste"), lines=6)
                add_btn = gr.Button(t("add"), variant="primary", elem_id="tl-add")
                results = gr.Dataframe(
                    headers=RESULT_HEADERS[lang0],
                    label=t("results"),
                    interactive=False,
                    wrap=True,
                    elem_id="tl-results",
                )
            with gr.Tab(t("tab_library"), id="library") as tab_library:
                library = gr.Dataframe(
                    headers=LIBRARY_HEADERS[lang0],
                    label=t("library"),
                    interactive=False,
                    wrap=True,
                    elem_id="tl-library",
                )
                with gr.Row():
                    doc_pick = gr.Dropdown(label=t("document"), choices=[], scale=4)
                    delete_btn = gr.Button(t("delete"), variant="stop", scale=1)
                    reingest_btn = gr.Button(t("reingest"), scale=1)
                    refresh_btn = gr.Button(t("refresh"), scale=1)
                library_status = gr.Markdown("")
            with gr.Tab(t("tab_eval"), id="evaluate") as tab_eval:
                eval_file = gr.File(label=t("eval_file"), file_types=[".jsonl"], type="filepath")
                eval_btn = gr.Button(t("eval_run"), variant="primary")
                eval_status = gr.Markdown("")
                eval_summary = gr.Dataframe(
                    headers=["metric", "value"], label=t("eval_summary"), interactive=False
                )
                eval_rows = gr.Dataframe(
                    headers=list(h.EVAL_COLUMNS),
                    label=t("eval_questions"),
                    interactive=False,
                    wrap=True,
                )

        # ------------------------------------------------------------------ chat
        def ask_fn(
            q: str,
            state: list[Answer],
            who: str,
            k: float,
            lang: str,
            prov: str,
            url: str,
            model: str,
        ) -> Iterator[tuple[str, list[Answer], str]]:
            llm = (prov, url, model)
            for html, new_state in h.chat(svc, q, state, who, int(k), lang, llm):
                yield html, new_state, ""

        chat_io: dict[str, Any] = {
            "fn": ask_fn,
            "inputs": [question, turns, answerer, top_k, ui_lang, provider, base_url, llm_model],
            "outputs": [conversation, turns, question],
            "api_visibility": PRIVATE,
            "show_progress": "hidden",
        }
        ask_btn.click(**chat_io)
        question.submit(**chat_io)
        clear_btn.click(
            lambda lang: ([], render_conversation([], lang)),
            [ui_lang],
            [turns, conversation],
            api_visibility=PRIVATE,
        )

        # ------------------------------------------------------------------ language
        labelled: list[tuple[Any, str, str]] = [
            (header, "title", "title"),
            (tab_chat, "label", "tab_chat"),
            (tab_add, "label", "tab_add"),
            (tab_library, "label", "tab_library"),
            (tab_eval, "label", "tab_eval"),
            (question, "question", "question"),
            (ask_btn, "value", "ask"),
            (clear_btn, "value", "clear"),
            (settings_box, "label", "settings"),
            (answerer, "label", "answerer"),
            (top_k, "label", "top_k"),
            (ui_lang, "label", "ui_lang"),
            (provider, "label", "provider"),
            (base_url, "label", "base_url"),
            (llm_model, "label", "llm_model"),
            (files, "label", "files"),
            (urls, "label", "urls"),
            (paste_title, "label", "paste_title"),
            (paste, "label", "paste"),
            (add_btn, "value", "add"),
            (results, "label", "results"),
            (library, "label", "library"),
            (doc_pick, "label", "document"),
            (delete_btn, "value", "delete"),
            (reingest_btn, "value", "reingest"),
            (refresh_btn, "value", "refresh"),
            (eval_file, "label", "eval_file"),
            (eval_btn, "value", "eval_run"),
            (eval_summary, "label", "eval_summary"),
            (eval_rows, "label", "eval_questions"),
        ]

        def relabel(lang: str, state: list[Answer]) -> list[Any]:
            updates = [relabel_update(kind, key, lang) for _, kind, key in labelled]
            return [render_conversation(state, lang), *updates]

        ui_lang.change(
            relabel,
            [ui_lang, turns],
            [conversation, *(component for component, _, _ in labelled)],
            api_visibility=PRIVATE,
        )

        # ------------------------------------------------------------------ add articles
        def add_fn(
            paths: list[str] | None,
            url_text: str,
            body: str,
            title: str,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's injection idiom
        ) -> list[list[Any]]:
            return h.add_articles(svc, paths, url_text, body, title, progress_callback(progress))

        library_io: dict[str, Any] = {
            "fn": lambda: _library_update(svc),
            "inputs": None,
            "outputs": [library, doc_pick],
            "api_visibility": PRIVATE,
        }
        add_btn.click(
            add_fn, [files, urls, paste, paste_title], [results], api_visibility=PRIVATE
        ).then(**library_io)

        # ------------------------------------------------------------------ library
        def pick_row(event: gr.SelectData) -> str | None:
            row = event.row_value or []
            return str(row[-1]) if row else None

        def reingest_fn(
            doc_id: str | None,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's injection idiom
        ) -> str:
            return h.reingest_document(svc, doc_id, progress_callback(progress))

        library.select(pick_row, None, [doc_pick], api_visibility=PRIVATE)
        refresh_btn.click(**library_io)
        delete_btn.click(
            lambda doc_id, lang: h.delete_document(svc, doc_id, lang),
            [doc_pick, ui_lang],
            [library_status],
            api_visibility=PRIVATE,
        ).then(**library_io)
        reingest_btn.click(reingest_fn, [doc_pick], [library_status], api_visibility=PRIVATE).then(
            **library_io
        )
        demo.load(**library_io)

        # ------------------------------------------------------------------ evaluation
        def eval_fn(
            path: str | None,
            who: str,
            k: float,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's injection idiom
        ) -> tuple[list[list[Any]], list[list[Any]], str]:
            return h.run_evaluation(svc, path, who, int(k), progress_callback(progress))

        eval_btn.click(
            eval_fn,
            [eval_file, answerer, top_k],
            [eval_summary, eval_rows, eval_status],
            api_visibility=PRIVATE,
            concurrency_limit=1,
        )

        # ------------------------------------------------------------------ API
        def ask(question: str) -> dict[str, Any]:
            """Answer a question from the stored articles; returns `telaah ask --json`'s JSON."""
            return h.api_ask(svc, question)

        gr.api(ask, api_name="ask")
    return demo


def launch(
    demo: gr.Blocks,
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    prevent_thread_lock: bool = False,
) -> Any:
    """Queue (explicit concurrency and size limits) and serve the app; loopback by default."""
    demo.queue(
        default_concurrency_limit=settings.ui.concurrency_limit,
        max_size=settings.ui.max_queue,
    )
    return demo.launch(
        server_name=host or settings.ui.host,
        server_port=port or settings.ui.port,
        max_file_size=settings.ui.max_upload_mb * 1024 * 1024,
        prevent_thread_lock=prevent_thread_lock,
        ssr_mode=False,
        share=False,
        show_error=True,
        quiet=True,
        theme=THEME,
        css=PAGE_CSS,
    )
