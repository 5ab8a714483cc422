"""The Gradio web app: layout and wiring only (handlers live in app/web/handlers.py).

``build_app`` composes one function per tab; each returns the components the others wire to.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from app.front import Telaah
from app.types import Answer
from app.web import handlers as h
from app.web.render import CSS, JS_ON_LOAD, render_conversation
from app.web.text import EVAL_HEADERS, LANGS, LIBRARY_HEADERS, RESULT_HEADERS, text

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.service import AnswerService
    from app.settings import Settings

PAGE_CSS = """
.gradio-container { width: min(1100px, 100%) !important; max-width: 1100px !important;
  margin: 0 auto !important; }
#tl-question textarea { overflow-wrap: anywhere; }
#tl-library table, #tl-eval-rows table { table-layout: auto; }
#tl-library th, #tl-eval-rows th, #tl-eval-summary th { word-break: normal; hyphens: none;
  white-space: nowrap; }
"""
THEME = gr.themes.Soft(
    primary_hue="indigo",
    font=["system-ui", "Segoe UI", "Roboto", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
)
PRIVATE = "private"
Labelled = list[tuple[Any, str, str]]  # (component, how to relabel, UI string key)


class AuthRequiredError(ValueError):
    """Serving beyond loopback without a login was not explicitly allowed."""


def progress_callback(progress: gr.Progress) -> h.Progress:
    """Adapt a gr.Progress tracker to the pipeline's progress(done, total, desc) callback."""

    def update(done: int, total: int, desc: str) -> None:
        progress((done, total) if total else None, desc=desc[:80], unit="")

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
    if kind == "answerer":
        return gr.update(label=value, choices=answerer_choices(lang))
    return gr.update(label=value)


def answerer_choices(lang: str) -> list[tuple[str, str]]:
    """The two ways to answer, in the user's words."""
    return [(text(lang, "answer_quote"), "extractive"), (text(lang, "answer_llm"), "llm")]


def _docs_update(front: Telaah, keep: list[str] | None = None) -> dict[str, Any]:
    """New choices for the scope picker; its value changes only when a chosen one is gone
    (a value read a moment ago must not undo a choice the user made since)."""
    choices = h.document_choices(front)
    known = {value for _, value in choices}
    if all(d in known for d in keep or []):
        return gr.update(choices=choices)
    return gr.update(choices=choices, value=[d for d in keep or [] if d in known])


def _conversations_update(front: Telaah, value: str | None = None) -> dict[str, Any]:
    return gr.update(choices=h.conversation_choices(front), value=value)


@dataclass
class ChatTab:
    conversation: Any
    turns: Any
    conv_id: Any
    question: Any
    ask_btn: Any
    scope: Any
    conv_pick: Any
    answerer: Any
    top_k: Any
    ui_lang: Any
    provider: Any
    base_url: Any
    llm_model: Any


def chat_tab(front: Telaah, settings: Settings, lang: str, labelled: Labelled) -> ChatTab:
    """The chat: conversation, question box, scope, saved conversations and settings."""
    t = lambda key: text(lang, key)  # noqa: E731 - a local shorthand
    turns = gr.State([])
    conv_id = gr.State(None)
    conversation = gr.HTML(
        render_conversation([], lang),
        css_template=CSS,
        js_on_load=JS_ON_LOAD,
        elem_id="tl-conversation",
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
            # Enabled by the page's load event: a click before the page is wired would be lost.
            ask_btn = gr.Button(t("ask"), variant="primary", elem_id="tl-ask", interactive=False)
            clear_btn = gr.Button(t("clear"), size="sm", variant="secondary", elem_id="tl-new")
    scope = gr.Dropdown(
        label=t("scope"), choices=[], multiselect=True, elem_id="tl-scope", value=[]
    )
    with gr.Accordion(t("conversation"), open=False, elem_id="tl-conversations") as conv_box:
        with gr.Row():
            conv_pick = gr.Dropdown(
                label=t("conversation"), choices=[], scale=4, elem_id="tl-conv-pick"
            )
            open_btn = gr.Button(t("open"), scale=1, elem_id="tl-conv-open")
            export_btn = gr.Button(t("export"), scale=1, elem_id="tl-conv-export")
            delete_btn = gr.Button(t("delete_conv"), scale=1, variant="stop")
        exported = gr.File(label=t("exported"), visible=False, elem_id="tl-conv-file")
    with gr.Accordion(t("settings"), open=False, elem_id="tl-settings") as settings_box:
        with gr.Row():
            answerer = gr.Radio(
                answerer_choices(lang), value=settings.answer.answerer, label=t("answerer")
            )
            top_k = gr.Slider(1, 20, value=settings.retrieval.k, step=1, label=t("top_k"))
            ui_lang = gr.Radio(
                [(name, code) for code, name in LANGS.items()],
                value=lang,
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

    def ask_fn(
        q: str,
        state: list[Answer],
        current: str | None,
        docs: list[str] | None,
        who: str,
        k: float,
        ui: str,
        prov: str,
        url: str,
        model: str,
    ) -> Iterator[tuple[str, list[Answer], Any, str | None]]:
        llm = (prov, url, model)
        new_state = state
        box: Any = ""  # the question box is emptied once: what is typed next stays
        for html, new_state in h.chat(front.service, q, state, who, int(k), ui, llm, docs):
            yield html, new_state, box, current
            box = gr.skip()
        if len(new_state) > len(state or []):
            current = h.remember(front, current, new_state, docs)
            yield html, new_state, box, current

    chat_io: dict[str, Any] = {
        "fn": ask_fn,
        "inputs": [
            question,
            turns,
            conv_id,
            scope,
            answerer,
            top_k,
            ui_lang,
            provider,
            base_url,
            llm_model,
        ],
        "outputs": [conversation, turns, question, conv_id],
        "api_visibility": PRIVATE,
        "show_progress": "hidden",
        "trigger_mode": "always_last",  # asked while the last answer is saved: runs next
    }
    ask_btn.click(**chat_io).then(
        lambda c: _conversations_update(front, c), [conv_id], [conv_pick], api_visibility=PRIVATE
    )
    question.submit(**chat_io).then(
        lambda c: _conversations_update(front, c), [conv_id], [conv_pick], api_visibility=PRIVATE
    )
    clear_btn.click(
        lambda ui: ([], None, render_conversation([], ui), _conversations_update(front)),
        [ui_lang],
        [turns, conv_id, conversation, conv_pick],
        api_visibility=PRIVATE,
    )

    def open_fn(picked: str | None, ui: str) -> tuple[Any, ...]:
        loaded, docs = h.open_conversation(front, picked)
        return loaded, picked, render_conversation(loaded, ui), _docs_update(front, docs)

    open_btn.click(
        open_fn,
        [conv_pick, ui_lang],
        [turns, conv_id, conversation, scope],
        api_visibility=PRIVATE,
    )

    def export_fn(picked: str | None, current: str | None) -> dict[str, Any]:
        path = h.export_conversation(front, picked or current)
        return gr.update(value=str(path) if path else None, visible=path is not None)

    export_btn.click(export_fn, [conv_pick, conv_id], [exported], api_visibility=PRIVATE)

    def delete_fn(picked: str | None, current: str | None, ui: str) -> tuple[Any, ...]:
        h.delete_conversation(front, picked)
        if picked and picked == current:  # the open conversation is gone: start afresh
            return [], None, render_conversation([], ui), _conversations_update(front)
        return gr.skip(), current, gr.skip(), _conversations_update(front)

    delete_btn.click(
        delete_fn,
        [conv_pick, conv_id, ui_lang],
        [turns, conv_id, conversation, conv_pick],
        api_visibility=PRIVATE,
    )
    labelled.extend(
        [
            (question, "question", "question"),
            (ask_btn, "value", "ask"),
            (clear_btn, "value", "clear"),
            (scope, "label", "scope"),
            (conv_box, "label", "conversation"),
            (conv_pick, "label", "conversation"),
            (open_btn, "value", "open"),
            (export_btn, "value", "export"),
            (delete_btn, "value", "delete_conv"),
            (exported, "label", "exported"),
            (settings_box, "label", "settings"),
            (answerer, "answerer", "answerer"),
            (top_k, "label", "top_k"),
            (ui_lang, "label", "ui_lang"),
            (provider, "label", "provider"),
            (base_url, "label", "base_url"),
            (llm_model, "label", "llm_model"),
        ]
    )
    return ChatTab(
        conversation,
        turns,
        conv_id,
        question,
        ask_btn,
        scope,
        conv_pick,
        answerer,
        top_k,
        ui_lang,
        provider,
        base_url,
        llm_model,
    )


def add_tab(front: Telaah, lang: str, labelled: Labelled) -> Any:
    """Add articles: uploads, URLs, pasted text; returns the button whose runs change the
    library."""
    t = lambda key: text(lang, key)  # noqa: E731 - a local shorthand
    files = gr.File(
        label=t("files"),
        file_count="multiple",
        file_types=list(h.UPLOAD_SUFFIXES),
        type="filepath",
        elem_id="tl-files",
    )
    urls = gr.Textbox(label=t("urls"), lines=2, placeholder="https://…")
    paste_title = gr.Textbox(label=t("paste_title"))
    paste = gr.Textbox(label=t("paste"), lines=6)
    add_btn = gr.Button(t("add"), variant="primary", elem_id="tl-add")
    results = gr.Dataframe(
        headers=RESULT_HEADERS[lang],
        label=t("results"),
        interactive=False,
        wrap=True,
        elem_id="tl-results",
    )

    def add_fn(
        paths: list[str] | None,
        url_text: str,
        body: str,
        title: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's injection idiom
    ) -> list[list[Any]]:
        return h.add_articles(front, paths, url_text, body, title, progress_callback(progress))

    event = add_btn.click(
        add_fn, [files, urls, paste, paste_title], [results], api_visibility=PRIVATE
    )
    labelled.extend(
        [
            (files, "label", "files"),
            (urls, "label", "urls"),
            (paste_title, "label", "paste_title"),
            (paste, "label", "paste"),
            (add_btn, "value", "add"),
            (results, "label", "results"),
        ]
    )
    return event


@dataclass
class LibraryTab:
    library: Any
    doc_pick: Any
    changed: list[Any]  # events after which the library changed


def library_tab(front: Telaah, lang: str, ui_lang: Any, labelled: Labelled) -> LibraryTab:
    """The library: readable columns, delete with confirmation, re-ingest."""
    t = lambda key: text(lang, key)  # noqa: E731 - a local shorthand
    library = gr.Dataframe(
        headers=LIBRARY_HEADERS[lang],
        label=t("library"),
        interactive=False,
        wrap=True,
        column_widths=["56%", "10%", "10%", "12%", "12%"],
        elem_id="tl-library",
    )
    with gr.Row():
        doc_pick = gr.Dropdown(label=t("document"), choices=[], scale=4, elem_id="tl-doc-pick")
        delete_btn = gr.Button(t("delete"), variant="stop", scale=1, elem_id="tl-delete")
        reingest_btn = gr.Button(t("reingest"), scale=1)
        refresh_btn = gr.Button(t("refresh"), scale=1)
    with gr.Row(visible=False, elem_id="tl-confirm") as confirm_row:
        confirm_text = gr.Markdown("")
        confirm_btn = gr.Button(t("confirm"), variant="stop", scale=0, elem_id="tl-confirm-yes")
        cancel_btn = gr.Button(t("cancel"), scale=0)
    library_status = gr.Markdown("", elem_id="tl-library-status")

    def pick_row(event: gr.SelectData) -> str | None:
        row = event.row_value or []
        return h.resolve_document(front, str(row[-1])) if row else None

    def ask_confirm(doc_id: str | None, ui: str) -> tuple[Any, Any, str]:
        prompt = h.delete_prompt(front, doc_id, ui)
        if prompt is None:
            return gr.update(visible=False), gr.skip(), text(ui, "pick_first")
        return gr.update(visible=True), prompt, ""

    def reingest_fn(
        doc_id: str | None,
        ui: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's injection idiom
    ) -> str:
        return h.reingest_document(front, doc_id, progress_callback(progress), ui)

    library.select(pick_row, None, [doc_pick], api_visibility=PRIVATE)
    delete_btn.click(
        ask_confirm,
        [doc_pick, ui_lang],
        [confirm_row, confirm_text, library_status],
        api_visibility=PRIVATE,
    )
    cancel_btn.click(lambda: gr.update(visible=False), None, [confirm_row], api_visibility=PRIVATE)
    deleted = confirm_btn.click(
        lambda doc_id, ui: (gr.update(visible=False), h.delete_document(front, doc_id, ui)),
        [doc_pick, ui_lang],
        [confirm_row, library_status],
        api_visibility=PRIVATE,
    )
    reingested = reingest_btn.click(
        reingest_fn, [doc_pick, ui_lang], [library_status], api_visibility=PRIVATE
    )
    labelled.extend(
        [
            (library, "label", "library"),
            (doc_pick, "label", "document"),
            (delete_btn, "value", "delete"),
            (reingest_btn, "value", "reingest"),
            (refresh_btn, "value", "refresh"),
            (confirm_btn, "value", "confirm"),
            (cancel_btn, "value", "cancel"),
        ]
    )
    refreshed = refresh_btn.click(lambda: None, None, None, api_visibility=PRIVATE)
    return LibraryTab(library, doc_pick, [deleted, reingested, refreshed])


def eval_tab(front: Telaah, lang: str, chat: ChatTab, labelled: Labelled) -> None:
    """Evaluate: a question set's scores explained, its failing questions first, the chart."""
    t = lambda key: text(lang, key)  # noqa: E731 - a local shorthand
    eval_file = gr.File(
        label=t("eval_file"), file_types=[".jsonl"], type="filepath", elem_id="tl-eval-file"
    )
    eval_btn = gr.Button(t("eval_run"), variant="primary", elem_id="tl-eval-run")
    eval_status = gr.Markdown("", elem_id="tl-eval-status")
    with gr.Row():
        eval_summary = gr.Dataframe(
            headers=[t("metric"), t("value"), t("meaning")],
            label=t("eval_summary"),
            interactive=False,
            wrap=True,
            column_widths=["28%", "12%", "60%"],
            elem_id="tl-eval-summary",
            scale=3,
        )
        eval_chart = gr.Image(label=t("eval_chart"), type="filepath", scale=2)
    eval_rows = gr.Dataframe(
        headers=EVAL_HEADERS[lang],
        label=t("eval_questions"),
        interactive=False,
        wrap=True,
        column_widths=["30%", "9%", "9%", "9%", "35%", "8%"],
        elem_id="tl-eval-rows",
    )

    def eval_fn(
        path: str | None,
        who: str,
        k: float,
        ui: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's injection idiom
    ) -> tuple[Any, ...]:
        summary, rows, chart, status = h.run_evaluation(
            front, path, who, int(k), progress_callback(progress), ui
        )
        return summary, rows, chart, status

    eval_btn.click(
        eval_fn,
        [eval_file, chat.answerer, chat.top_k, chat.ui_lang],
        [eval_summary, eval_rows, eval_chart, eval_status],
        api_visibility=PRIVATE,
        concurrency_limit=1,
    )
    labelled.extend(
        [
            (eval_file, "label", "eval_file"),
            (eval_btn, "value", "eval_run"),
            (eval_summary, "label", "eval_summary"),
            (eval_chart, "label", "eval_chart"),
            (eval_rows, "label", "eval_questions"),
        ]
    )


def build_app(settings: Settings, service: AnswerService | None = None) -> gr.Blocks:
    """Build (without launching) the Telaah web app over one AnswerService."""
    front = Telaah(settings, service)
    lang0 = settings.ui.lang
    labelled: Labelled = []

    with gr.Blocks(title="Telaah", analytics_enabled=False) as demo:
        header = gr.Markdown(f"## {text(lang0, 'title')}")
        with gr.Tabs():
            with gr.Tab(text(lang0, "tab_chat"), id="chat") as tab_chat:
                chat = chat_tab(front, settings, lang0, labelled)
            with gr.Tab(text(lang0, "tab_add"), id="add") as tab_add:
                added = add_tab(front, lang0, labelled)
            with gr.Tab(text(lang0, "tab_library"), id="library") as tab_library:
                lib = library_tab(front, lang0, chat.ui_lang, labelled)
            with gr.Tab(text(lang0, "tab_eval"), id="evaluate") as tab_eval:
                eval_tab(front, lang0, chat, labelled)
        labelled.extend(
            [
                (header, "title", "title"),
                (tab_chat, "label", "tab_chat"),
                (tab_add, "label", "tab_add"),
                (tab_library, "label", "tab_library"),
                (tab_eval, "label", "tab_eval"),
            ]
        )

        def relabel(lang: str, state: list[Answer]) -> list[Any]:
            updates = [relabel_update(kind, key, lang) for _, kind, key in labelled]
            return [render_conversation(state, lang), *updates]

        chat.ui_lang.change(
            relabel,
            [chat.ui_lang, chat.turns],
            [chat.conversation, *(component for component, _, _ in labelled)],
            api_visibility=PRIVATE,
        )

        def refresh(
            docs: list[str] | None, picked: str | None, conv: str | None
        ) -> tuple[Any, ...]:
            choices = h.document_choices(front)
            known = {value for _, value in choices}
            still = picked is None or picked in known  # else it was removed: clear it
            return (
                h.library_rows(front),
                gr.update(choices=choices) if still else gr.update(choices=choices, value=None),
                _docs_update(front, docs),
                gr.update(choices=h.conversation_choices(front)),
            )

        refresh_io: dict[str, Any] = {
            "fn": refresh,
            "inputs": [chat.scope, lib.doc_pick, chat.conv_pick],
            "outputs": [lib.library, lib.doc_pick, chat.scope, chat.conv_pick],
            "api_visibility": PRIVATE,
        }
        for event in [added, *lib.changed]:
            event.then(**refresh_io)
        demo.load(lambda: gr.update(interactive=True), None, [chat.ask_btn], api_visibility=PRIVATE)
        seen = gr.State(None)  # the store generation this page last showed
        demo.load(
            lambda *shown: (front.generation(), *refresh(*shown)),
            refresh_io["inputs"],
            [seen, *refresh_io["outputs"]],
            api_visibility=PRIVATE,
        )

        def poll(
            last: str | None, docs: list[str] | None, picked: str | None, conv: str | None
        ) -> tuple[Any, ...]:
            """Show other processes' writes (CLI ingest or rm) within a few seconds."""
            now = front.generation()
            if now == last:
                return (now, *(gr.skip() for _ in range(4)))
            front.sync()
            return (now, *refresh(docs, picked, conv))

        gr.Timer(2.0).tick(
            poll,
            [seen, chat.scope, lib.doc_pick, chat.conv_pick],
            [seen, lib.library, lib.doc_pick, chat.scope, chat.conv_pick],
            api_visibility=PRIVATE,
            show_progress="hidden",
        )

        def ask(question: str, docs: list[str] | None = None) -> dict[str, Any]:
            """Answer a question from the stored articles (only from ``docs``, a list of doc
            ids, when given); returns `telaah ask --json`'s JSON."""
            return h.api_ask(front, question, docs)

        gr.api(ask, api_name="ask")
    return demo


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def login(settings: Settings) -> tuple[str, str] | None:
    """The (user, password) pair of ``ui.auth`` ('user:password'), or None."""
    if not settings.ui.auth:
        return None
    user, sep, password = settings.ui.auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("ui.auth must look like user:password (TELAAH_UI__AUTH)")
    return user, password


def check_exposure(host: str, settings: Settings) -> tuple[str, str] | None:
    """The login to require; refuses a non-loopback bind without one unless allowed."""
    auth = login(settings)
    if auth is None and not is_loopback(host) and not settings.ui.allow_open:
        raise AuthRequiredError(
            f"refusing to serve on {host} without a login: anyone on the network could read "
            "and change your library; pass --auth USER:PASSWORD (or TELAAH_UI__AUTH), or "
            "--allow-open to serve without one"
        )
    return auth


def launch(
    demo: gr.Blocks,
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    prevent_thread_lock: bool = False,
) -> Any:
    """Queue (explicit concurrency and size limits) and serve the app; loopback by default."""
    host = host or settings.ui.host
    auth: Callable[..., Any] | tuple[str, str] | None = check_exposure(host, settings)
    demo.queue(
        default_concurrency_limit=settings.ui.concurrency_limit,
        max_size=settings.ui.max_queue,
    )
    return demo.launch(
        server_name=host,
        server_port=port or settings.ui.port,
        max_file_size=settings.ui.max_upload_mb * 1024 * 1024,
        prevent_thread_lock=prevent_thread_lock,
        ssr_mode=False,
        share=False,
        show_error=True,
        quiet=True,
        theme=THEME,
        css=PAGE_CSS,
        auth=auth,
        allowed_paths=[str(h.exports_dir(settings))],
    )
