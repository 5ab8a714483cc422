"""Web app: rendering safety, handlers (called directly), wiring of build_app/launch/serve."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from langchain_core.embeddings import Embeddings
from typer.testing import CliRunner

from app.front import Telaah
from app.retrieve import HybridRetriever
from app.service import AnswerService
from app.settings import Settings
from app.types import Answer, Ask, Citation, Passage
from app.web import handlers as h
from app.web import render
from app.web.text import EVAL_HEADERS

NUSANTARA = (
    "Nusantara Cloud adalah perusahaan komputasi awan asal Bandung. "
    "Nusantara Cloud didirikan pada tahun 2019 oleh Sari Wulandari. "
    "Perusahaan itu kini melayani 4.200 pelanggan UMKM di seluruh Indonesia."
)


def citation(text: str, spans: list[tuple[int, int]], start: int = 100, **kw: Any) -> Citation:
    base = {"n": 1, "doc_id": "d", "chunk_id": "d-0", "title": "T", "source": "a.txt"}
    return Citation(**{**base, **kw}, text=text, start=start, end=start + len(text), spans=spans)


def passage(text: str, **kw: Any) -> Passage:
    base = {"chunk_id": "d-0", "doc_id": "d", "title": "T", "source": "a.txt", "start": 0}
    return Passage(**{**base, **kw}, text=text, end=len(text))


class StubService:
    """Records calls; streams tokens for the llm answerer; returns a canned answer."""

    def __init__(self, settings: Settings, canned: Answer) -> None:
        self.settings = settings
        self.canned = canned
        self.calls: list[dict[str, Any]] = []

    def answer(self, request: Ask, on_token: Callable[[str], None] | None = None) -> Answer:
        self.calls.append(request.model_dump())
        question = request.question
        if on_token is not None:
            for token in ["Anthropic ", "<b>breaks</b> ", "even ", "in 2028."]:
                on_token(token)
        return self.canned.model_copy(update={"question": question})


@pytest.fixture
def service(settings: Settings, real_embeddings: Embeddings) -> AnswerService:
    store = settings.store(real_embeddings)
    return AnswerService(settings, HybridRetriever(settings, store, real_embeddings))


def lib(service: AnswerService) -> Telaah:
    """The front object the web app's handlers take, over one service."""
    return Telaah(service.settings, service)


def cited_answer() -> Answer:
    text = "Anthropic expects to break even in 2028. Revenue grows fast."
    return Answer(
        question="q",
        answer="Anthropic expects to break even in 2028. [1] It will own the moon. [2]",
        citations=[
            citation(text, [(100, 140)], n=1, title="Strategy <i>", source="https://ex.com/a?x=1"),
            citation("Other text.", [], n=2, start=0),
        ],
        unsupported=["It will own the moon. [2]"],
    )


# ---------------------------------------------------------------------------- render


SAFE_TAGS = {"div", "p", "span", "a", "strong", "mark", "details", "summary", "ul", "li"}


class TagAudit(HTMLParser):
    """Collects every tag and attribute of rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_safe(html: str) -> None:
    audit = TagAudit()
    audit.feed(html)
    for tag, attrs in audit.tags:
        assert tag in SAFE_TAGS, tag
        assert not any(name.startswith("on") or name == "src" for name in attrs), attrs
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("#tl-t", "https://", "http://")), href


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script> Done. [1]",
        '<img src=x onerror="alert(1)"> Done. [1]',
        "See [click](javascript:alert(1)) now. [1]",
        "See <javascript:alert(1)> now. [1]",
        "Look ![chart](https://evil.example/x.png) here. [1]",
        "<a href='http://evil.example'>x</a> Done. [1]",
        "**<iframe src=//e>** Done. [1]",
    ],
)
def test_answer_html_is_escaped(payload: str) -> None:
    answer = Answer(answer=payload, citations=[citation(payload, [(100, 110)], title=payload)])
    html = render.render_answer(answer, 0, "en")
    assert_safe(html)
    assert "evil.example/x.png" not in html.split('class="tl-passage"')[0]
    assert "javascript:" not in html.split('class="tl-passage"')[0]


def test_passage_and_title_are_escaped() -> None:
    c = citation("<script>x()</script><img src=http://e/x.png onerror=alert(1)>", [(100, 108)])
    c.title = "<b onmouseover=alert(1)>T</b>"
    html = render.render_citation(c, 0)
    assert_safe(html)
    assert "<script" not in html and "<img" not in html and "<b " not in html
    assert "<mark>&lt;script&gt;</mark>" in html


def test_markers_become_links_to_sources() -> None:
    html = render.render_answer(cited_answer(), 3, "en")
    link = '<a class="tl-cite" href="#tl-t3-src-1" data-target="tl-t3-src-1">[1]</a>'
    assert link in html
    assert '<details class="tl-src" id="tl-t3-src-1">' in html
    assert "<strong>Strategy</strong>" in html and "<i>" not in html


def test_unknown_marker_stays_plain_text() -> None:
    answer = Answer(answer="Fact. [1, 7]", citations=[citation("Fact.", [])])
    html = render.render_answer_text(answer, 0, "en")
    assert 'data-target="tl-t0-src-1"' in html and "[7]" in html and "src-7" not in html


def test_highlight_uses_spans_minus_start() -> None:
    c = citation("Anthropic expects to break even in 2028. Revenue grows fast.", [(100, 140)])
    assert render.highlight(c) == (
        "<mark>Anthropic expects to break even in 2028.</mark> Revenue grows fast."
    )


def test_highlight_clips_and_merges_spans() -> None:
    c = citation("abcdefghij", [(95, 103), (102, 105), (108, 200), (300, 310)])
    assert render.local_spans(c) == [(0, 5), (8, 10)]
    assert render.highlight(c) == "<mark>abcde</mark>fgh<mark>ij</mark>"


def test_unsupported_sentence_is_flagged() -> None:
    html = render.render_answer(cited_answer(), 0, "en")
    assert 'class="tl-unsupported"' in html and "⚠" in html
    flagged = html.split('class="tl-unsupported"', 1)[1].split("</span>", 1)[0]
    assert "moon" in flagged and "2028" not in flagged


def test_abstention_looks_different_and_lists_closest() -> None:
    answer = Answer(
        answer="Not found in the ingested articles.",
        abstained=True,
        passages=[passage("Close but <no> cigar.", title="Near")],
    )
    html = render.render_answer(answer, 0, "en")
    assert "tl-abstained" in html and "Closest passages" in html
    assert "Close but &lt;no&gt; cigar." in html and "tl-cite" not in html


def test_notice_and_incomplete_are_shown() -> None:
    answer = cited_answer().model_copy(update={"notice": "LLM <down>", "incomplete": True})
    html = render.render_answer(answer, 0, "id")
    assert '<div class="tl-notice">LLM &lt;down&gt;</div>' in html
    assert "Jawaban tidak lengkap" in html


def test_rejected_model_sentences_are_folded_under_the_notice() -> None:
    answer = cited_answer().model_copy(
        update={"notice": "fell back", "rejected": ["Paris <b>2031</b>."]}
    )
    html = render.render_answer(answer, 0, "en")
    assert '<details class="tl-rejected">' in html and "failed the check" in html
    assert "<li>Paris &lt;b&gt;2031&lt;/b&gt;.</li>" in html
    assert "tl-rejected" not in render.render_answer(cited_answer(), 0, "en")


def test_sources_link_only_for_http() -> None:
    web = render.render_source("https://ex.com/a?b=1&c=<2>")
    assert 'rel="noopener noreferrer nofollow"' in web and 'target="_blank"' in web
    assert "&amp;c=&lt;2&gt;" in web
    for bad in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd"):
        assert "<a " not in render.render_source(bad)
    assert render.render_source("/tmp/x/y/artikel.txt") == "<span>artikel.txt</span>"
    assert render.source_label("pasted:Judul") == "pasted: Judul"


# ---------------------------------------------------------------------------- uploads


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("..", "upload"),
        ("../../x", "x"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\a\\berita.txt", "berita.txt"),
        (".bashrc", "bashrc"),
        ("...txt", "txt"),
        ("", "upload"),
        ("a<b>|c.md", "a_b_c.md"),
        ("laporan keuangan.pdf", "laporan keuangan.pdf"),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    assert h.safe_name(name) == expected


def test_stage_uploads_checks_type_size_and_duplicates(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    (src / "a" / "news.txt").write_text("one")
    (src / "b" / "news.txt").write_text("two")
    (src / "a" / "tool.exe").write_text("x")
    (src / "a" / "big.md").write_text("x" * 50)
    out = tmp_path / "out"
    out.mkdir()
    paths = [src / "a" / "news.txt", src / "b" / "news.txt", src / "a" / "tool.exe"]
    staged, errors = h.stage_uploads([str(p) for p in [*paths, src / "a" / "big.md"]], out, 10)
    assert sorted(staged.values()) == ["news-2.txt", "news.txt"]
    assert all(Path(p).parent == out for p in staged)
    assert [(e[0], e[1]) for e in errors] == [("tool.exe", "error"), ("big.md", "error")]
    assert "too large" in errors[1][3]


def test_add_articles_reports_each_item(service: AnswerService, tmp_path: Path) -> None:
    upload = tmp_path / "nusantara.txt"
    upload.write_text(NUSANTARA, encoding="utf-8")
    rows = h.add_articles(
        lib(service), [str(upload)], "file:///etc/passwd\n", "Teks <b>lain</b> tentang Garuda.", "G"
    )
    assert rows[0][:2] == ["file:///etc/passwd", "error"]
    assert rows[1][:2] == ["nusantara.txt", "added"] and rows[1][2] >= 1
    assert rows[2][:2] == ["pasted:G", "added"]
    again = h.add_articles(lib(service), [str(upload)])
    assert again[0][:2] == ["nusantara.txt", "unchanged"]


def test_progress_is_reported(service: AnswerService, tmp_path: Path) -> None:
    upload = tmp_path / "a.md"
    upload.write_text("# Judul\n\n" + NUSANTARA, encoding="utf-8")
    seen: list[tuple[int, int, str]] = []
    h.add_articles(lib(service), [str(upload)], progress=lambda d, t, s: seen.append((d, t, s)))
    assert ("read a.md") in [s for _, _, s in seen]  # the file's own name, not a temp path
    embedding = [(d, t) for d, t, s in seen if s == "embedding passages"]
    assert (
        embedding and all(0 < d <= t for d, t in embedding) and embedding[-1][0] == embedding[-1][1]
    )
    assert not any("/tmp" in s for _, _, s in seen)


# ---------------------------------------------------------------------------- library


def test_library_delete_and_reingest(service: AnswerService, tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text(NUSANTARA, encoding="utf-8")
    from ingest.pipeline import ingest

    ingest(
        [str(kept)], service.settings.ingest, service.retriever.embeddings, service.retriever.store
    )
    h.add_articles(lib(service), None, paste="Teks tentang Garuda Data.", paste_title="Garuda")
    rows = h.library_rows(lib(service))
    assert len(rows) == 2 and {r[0] for r in rows} >= {"Garuda"}
    assert all(len(r) == 5 and len(r[4]) == h.SHORT_ID and len(r[3]) == 10 for r in rows)
    by_title = {label.split(" · ")[0]: doc for label, doc in h.document_choices(lib(service))}
    pasted = by_title["Garuda"]
    assert h.resolve_document(lib(service), pasted[: h.SHORT_ID]) == pasted
    assert "no longer available" in h.reingest_document(lib(service), pasted)
    file_doc = next(d for t, d in by_title.items() if t != "Garuda")
    assert h.reingest_document(lib(service), file_doc).startswith("unchanged")
    kept.write_text(NUSANTARA + " Kantor pusatnya di Dago.", encoding="utf-8")
    assert h.reingest_document(lib(service), file_doc).startswith("updated")
    assert "Garuda" in (h.delete_prompt(lib(service), pasted) or "")
    assert h.delete_prompt(lib(service), None) is None
    assert h.delete_document(lib(service), pasted).startswith("Removed: Garuda")
    assert len(h.library_rows(lib(service))) == 1
    assert (
        h.reingest_document(lib(service), None) == "Pick a document in the table or the list first."
    )


def test_uploaded_original_is_kept_for_reingest(service: AnswerService, tmp_path: Path) -> None:
    upload = tmp_path / "nusantara.txt"
    upload.write_text(NUSANTARA, encoding="utf-8")
    [row] = h.add_articles(lib(service), [str(upload)])
    assert row[:2] == ["nusantara.txt", "added"]
    upload.unlink()  # Gradio's temp copy is gone after the request
    [doc] = service.retriever.store.list_documents()
    assert doc.source == "upload:nusantara.txt"
    assert (h.uploads_dir(lib(service)) / "nusantara.txt").is_file()
    assert h.reingest_document(lib(service), doc.doc_id).startswith("unchanged")
    h.delete_document(lib(service), doc.doc_id)
    assert not (h.uploads_dir(lib(service)) / "nusantara.txt").exists()


# ---------------------------------------------------------------------------- chat


def test_chat_extractive_renders_cited_answer(service: AnswerService) -> None:
    h.add_articles(lib(service), None, paste="Garuda Data memiliki 12 pusat data.", paste_title="G")
    assert service.ask("Berapa pusat data Garuda Data?").citations  # keyword index now loaded
    h.add_articles(lib(service), None, paste=NUSANTARA, paste_title="Profil Nusantara Cloud")
    frames = list(h.chat(service, "Kapan Nusantara Cloud didirikan?", [], "extractive", 4, "id"))
    html, turns = frames[-1]
    assert len(turns) == 1 and "2019" in turns[0].answer
    assert 'data-target="tl-t0-src-1"' in html
    assert "<mark>Nusantara Cloud didirikan pada tahun 2019 oleh Sari Wulandari.</mark>" in html


def test_chat_passes_history_and_keeps_turns_per_call(settings: Settings) -> None:
    stub = StubService(settings, cited_answer())
    _, turns = list(h.chat(stub, "Kapan Anthropic impas?", [], "extractive", 5, "en"))[-1]  # type: ignore[arg-type]
    _, turns2 = list(h.chat(stub, "dan OpenAI?", turns, "extractive", 5, "en"))[-1]  # type: ignore[arg-type]
    assert stub.calls[1]["history"] == ["Kapan Anthropic impas?"]
    assert [t.question for t in turns2] == ["Kapan Anthropic impas?", "dan OpenAI?"]
    assert len(turns) == 1  # the earlier state object is not mutated
    html, _ = list(h.chat(stub, "  ", turns2, "extractive", 5, "en"))[-1]  # type: ignore[arg-type]
    assert len(stub.calls) == 2 and 'id="tl-t1-src-1"' in html


def test_chat_streams_llm_tokens_then_verified_answer(settings: Settings) -> None:
    stub = StubService(settings, cited_answer())
    frames = list(h.chat(stub, "When?", [], "llm", 5, "en"))  # type: ignore[arg-type]
    assert "tl-streaming" in frames[0][0]
    final = frames[-1][0]
    assert "tl-streaming" not in final and "tl-cite" in final
    streamed = [f for f, _ in frames if "tl-streaming" in f and "Anthropic" in f]
    assert streamed and all("<b>" not in f for f in streamed)
    assert stub.calls[0]["answerer"] == "llm"
    assert any("The model is reading 5 passages" in f for f, _ in frames)


def test_llm_answer_marks_model_words_and_quotes() -> None:
    answer = cited_answer().model_copy(
        update={
            "answerer": "llm",
            "answer": "Anthropic breaks even in 2028 [1]. Anthropic targets 2028 [1].",
            "quoted": ["Anthropic targets 2028."],
        }
    )
    html = render.render_answer(answer, 0, "en")
    assert html.count('class="tl-model"') == 1 and html.count('class="tl-quote"') == 1
    assert "quoted from the article" in html and "tl-legend" in html
    plain = render.render_answer(cited_answer(), 0, "en")  # extractive: every sentence a quote
    assert "tl-model" not in plain and "tl-quote" not in plain


def test_chat_error_is_shown_not_raised(settings: Settings) -> None:
    stub = StubService(settings, cited_answer())

    def boom(*args: Any, **kwargs: Any) -> Answer:
        raise RuntimeError("store <busy>")

    stub.answer = boom  # type: ignore[method-assign]
    html, turns = list(h.chat(stub, "q", [], "llm", 5, "en"))[-1]  # type: ignore[arg-type]
    assert "tl-error" in html and "store &lt;busy&gt;" in html and turns == []


def test_api_ask_matches_cli_json(service: AnswerService) -> None:
    h.add_articles(lib(service), None, paste=NUSANTARA, paste_title="Profil")
    data = h.api_ask(lib(service), "Siapa pendiri Nusantara Cloud?")
    assert set(data) == set(Answer.model_fields)
    assert json.loads(json.dumps(data)) == data
    assert Answer.model_validate(data).citations[0].spans


# ---------------------------------------------------------------------------- wiring


def test_build_app_registers_ask_endpoint(settings: Settings, service: AnswerService) -> None:
    from app.web.app import build_app

    demo = build_app(settings, service)
    assert isinstance(demo, gr.Blocks)
    public = {fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert public == {"ask"}


def block(demo: gr.Blocks, elem_id: str) -> Any:
    """The component of the app with that element id."""
    return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == elem_id)


def test_ask_button_waits_for_the_page_load(settings: Settings, service: AnswerService) -> None:
    """A click before the page is wired up would be lost: the button starts disabled and the
    page's load event enables it."""
    from app.web.app import build_app

    demo = build_app(settings, service)
    button = block(demo, "tl-ask")
    assert button.interactive is False
    on_load = [fn for fn in demo.fns.values() if any(t[1] == "load" for t in fn.targets)]
    enabling = [fn for fn in on_load if button in fn.outputs]
    assert len(enabling) == 1 and enabling[0].fn is not None
    assert enabling[0].fn() == {"__type__": "update", "interactive": True}


def test_typing_the_next_question_while_an_answer_finishes(
    settings: Settings, service: AnswerService
) -> None:
    """The question box is emptied by the answer's first update only, so a question typed
    while the answer streams or is saved stays; a click meanwhile runs once the answer ends."""
    from app.web.app import build_app

    demo = build_app(settings, service)
    button = block(demo, "tl-ask")
    asked = next(fn for fn in demo.fns.values() if (button._id, "click") in fn.targets)
    assert asked.trigger_mode == "always_last"
    updates = list(asked.fn("Who?", [], None, [], "extractive", 4, "en", "openai", "", ""))
    boxes = [update[2] for update in updates]
    assert len(boxes) >= 2 and boxes[0] == ""
    assert all(box == {"__type__": "update"} for box in boxes[1:])  # gr.skip(): left as typed


class FakeBlocks:
    def __init__(self) -> None:
        self.queued: dict[str, Any] = {}
        self.launched: dict[str, Any] = {}

    def queue(self, **kwargs: Any) -> None:
        self.queued = kwargs

    def launch(self, **kwargs: Any) -> None:
        self.launched = kwargs


def test_launch_limits_and_loopback(settings: Settings) -> None:
    from app.web.app import launch

    demo = FakeBlocks()
    launch(demo, settings)  # type: ignore[arg-type]
    assert demo.queued == {"default_concurrency_limit": 2, "max_size": 16}
    assert demo.launched["server_name"] == "127.0.0.1"
    assert demo.launched["max_file_size"] == 20 * 1024 * 1024
    assert demo.launched["share"] is False


def test_serving_beyond_loopback_needs_a_login(settings: Settings) -> None:
    from app.web.app import AuthRequiredError, check_exposure, launch

    with pytest.raises(AuthRequiredError, match="without a login"):
        launch(FakeBlocks(), settings, host="0.0.0.0")  # type: ignore[arg-type]
    assert check_exposure("127.0.0.1", settings) is None
    assert check_exposure("localhost", settings) is None
    guarded = settings.model_copy(update={"ui": settings.ui.model_copy(update={"auth": "ana:s3"})})
    demo = FakeBlocks()
    launch(demo, guarded, host="0.0.0.0")  # type: ignore[arg-type]
    assert demo.launched["auth"] == ("ana", "s3")
    bad = settings.model_copy(update={"ui": settings.ui.model_copy(update={"auth": "nocolon"})})
    with pytest.raises(ValueError, match="user:password"):
        check_exposure("127.0.0.1", bad)
    opened = settings.model_copy(update={"ui": settings.ui.model_copy(update={"allow_open": True})})
    assert check_exposure("0.0.0.0", opened) is None


def test_serve_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.web.app
    from app.cli import app as cli_app

    got: dict[str, Any] = {}
    monkeypatch.setattr(app.web.app, "build_app", lambda settings: "demo")
    monkeypatch.setattr(
        app.web.app, "launch", lambda demo, settings, host, port: got.update(host=host, port=port)
    )
    result = CliRunner().invoke(cli_app, ["serve", "--port", "7999"])
    assert result.exit_code == 0, result.output
    assert got == {"host": None, "port": 7999}
    refused = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 1 and "without a login" in refused.output
    assert "Traceback" not in refused.output and "port" not in got or got["port"] == 7999
    guarded = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--auth", "ana:pw"])
    assert guarded.exit_code == 0, guarded.output
    assert got["host"] == "0.0.0.0"


# ---------------------------------------------------------------------------- evaluation


def test_run_evaluation_on_uploaded_set(service: AnswerService, tmp_path: Path) -> None:
    h.add_articles(lib(service), None, paste=NUSANTARA, paste_title="Profil Nusantara Cloud")
    questions = [
        {
            "id": "id-num-01",
            "question": "Kapan Nusantara Cloud didirikan?",
            "lang": "id",
            "answer_all": ["2019"],
            "evidence": ["didirikan pada tahun 2019"],
            "answerable": True,
        },
        {
            "id": "id-unans-01",
            "question": "Berapa harga saham Nusantara Cloud di bursa Tokyo?",
            "lang": "id",
            "answer_all": [],
            "evidence": [],
            "answerable": False,
        },
    ]
    questions.append(
        {
            "id": "id-num-02",
            "question": "Berapa jumlah karyawan Nusantara Cloud?",
            "lang": "id",
            "answer_all": ["9.999"],
            "evidence": ["9.999 karyawan"],
            "answerable": True,
        }
    )
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in questions), encoding="utf-8")
    seen: list[int] = []
    summary, rows, chart, status = h.run_evaluation(
        lib(service), str(path), "extractive", 4, lambda d, t, s: seen.append(d)
    )
    values = {row[0]: row[1] for row in summary}
    assert values["n"] == 3 and values["answer_accuracy"] == 0.5
    assert all(row[2] for row in summary)  # every metric explained
    assert rows[0][0] == "Berapa jumlah karyawan Nusantara Cloud?" and rows[0][2] == "✗"
    assert [r[-1] for r in rows[1:]] == ["id-num-01", "id-unans-01"]
    assert len(rows[0]) == len(EVAL_HEADERS["en"]) and seen[-1] == 3
    assert chart and Path(chart).is_file()
    assert status.startswith("3 questions from set.jsonl; 1 not answered as expected")


def test_run_evaluation_reports_bad_file(service: AnswerService, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    assert h.run_evaluation(lib(service), str(bad))[3].startswith("error: ")
    assert h.run_evaluation(lib(service), str(tmp_path / "missing.jsonl"))[3].startswith("error: ")


def test_project_question_set_exists() -> None:
    assert h.PROJECT_QUESTIONS.is_file()


def test_relabel_update_uses_ui_text() -> None:
    from app.web.app import relabel_update

    assert relabel_update("value", "ask", "id")["value"] == "Tanya"
    assert relabel_update("title", "title", "en")["value"].startswith("## Telaah")
    question = relabel_update("question", "question", "id")
    assert question["label"] == "Pertanyaan" and "Anthropic" in question["placeholder"]


def test_llm_choice_from_settings_panel(settings: Settings, fake_embeddings: Embeddings) -> None:
    from app.service import AnswerService

    from .library import MemoryLibrary

    library = MemoryLibrary([], fake_embeddings)
    service = AnswerService(settings, retriever=library, chat_model=None)  # type: ignore[arg-type]
    assert h.llm_service(service, None, "", None) is service
    assert h.llm_service(service, "openai", None, "local") is service
    other = h.llm_service(service, "openai", "http://127.0.0.1:9/v1", "qwen")
    assert other is not service and other.retriever is service.retriever
    assert other.chat_model.model_name == "qwen"  # type: ignore[attr-defined]
    assert "127.0.0.1:9" in str(other.chat_model.openai_api_base)  # type: ignore[attr-defined]
