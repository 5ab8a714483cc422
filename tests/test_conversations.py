"""Saved conversations: the store, the Markdown export and the ``telaah conversations`` CLI."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from app import conversations as convs
from app.cli import app as cli_app
from app.conversations import (
    Conversation,
    ConversationNotFound,
    ConversationStore,
    export_markdown,
    quoted_span,
)
from app.settings import Settings
from app.types import Answer, Ask, Citation, Passage

PASSAGE = "Anthropic expects to break even in 2028.\nRevenue grew  fast. Costs fell too."


def citation(n: int, spans: list[tuple[int, int]] | None = None) -> Citation:
    """A citation of PASSAGE as it sits at document offset 100."""
    return Citation(
        n=n,
        doc_id=f"doc{n}",
        chunk_id=f"doc{n}:0",
        title=f"Title {n}\nsecond line",
        source=f"https://example.com/{n}",
        text=PASSAGE,
        start=100,
        end=100 + len(PASSAGE),
        spans=spans or [],
    )


def passage(i: int) -> Passage:
    return Passage(
        chunk_id=f"c{i}", doc_id="d", title="T", source="s", text=f"p{i}", start=0, end=2
    )


def answer(question: str, abstained: bool = False, passages: int = 0) -> Answer:
    if abstained:
        return Answer(
            question=question,
            answer="The articles do not say.",
            abstained=True,
            passages=[passage(i) for i in range(passages)],
        )
    return Answer(
        question=question,
        answer="Anthropic breaks even in 2028 [1]. Revenue grew [2].",
        citations=[citation(2, [(141, 160)]), citation(1, [(100, 140)])],
        passages=[passage(i) for i in range(passages)],
    )


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "conversations")


def clock(monkeypatch: pytest.MonkeyPatch, *stamps: str) -> None:
    """Make ``now()`` return the given stamps in turn."""
    it = iter(stamps)
    monkeypatch.setattr(convs, "now", lambda: next(it))


# ---------------------------------------------------------------------------- store


def test_save_load_roundtrip(store: ConversationStore) -> None:
    conv = store.new(docs=["abc"])
    assert len(conv.id) == 12 and conv.turns == [] and conv.docs == ["abc"]
    store.append(conv, answer("Kapan Anthropic impas?  \n"))
    store.append(conv, answer("Dan OpenAI?", abstained=True, passages=5))
    loaded = store.load(conv.id)
    assert loaded == conv
    assert loaded.title == "Kapan Anthropic impas?"
    assert loaded.turns[0].citations[1].spans == [(100, 140)]
    assert len(loaded.turns[1].passages) == 3  # cut to the closest three
    raw = store.path(conv.id).read_text(encoding="utf-8")
    assert "\n  " in raw  # indented


def test_title_is_cut_and_unicode_kept(store: ConversationStore) -> None:
    conv = store.append(store.new(), answer("Berapa pendapatan — " + "x" * 200))
    assert len(conv.title) == 80
    assert "—" in store.path(conv.id).read_text(encoding="utf-8")  # ensure_ascii=False


def test_prefix_lookup(store: ConversationStore) -> None:
    a = Conversation(id="abcd00000001", created="t", updated="t")
    b = Conversation(id="abcd11111111", created="t", updated="t")
    store.save(a)
    store.save(b)
    assert store.load("abcd0").id == a.id
    assert store.load("ABCD1111").id == b.id
    with pytest.raises(ConversationNotFound, match="matches 2 conversations"):
        store.load("abcd")
    with pytest.raises(ConversationNotFound):
        store.load("abc")  # shorter than 4 characters


def test_not_found(store: ConversationStore) -> None:
    with pytest.raises(ConversationNotFound, match="no conversation matches 'ffff'"):
        store.load("ffff")
    with pytest.raises(ValueError):
        store.load("../../etc/passwd")


def test_list_newest_first(store: ConversationStore, monkeypatch: pytest.MonkeyPatch) -> None:
    clock(
        monkeypatch,
        "2024-01-01T00:00:00+00:00",  # new a
        "2024-01-01T00:00:01+00:00",  # save a
        "2024-01-01T00:00:02+00:00",  # new b
        "2024-01-01T00:00:03+00:00",  # save b
        "2024-01-01T00:00:04+00:00",  # save a again
    )
    a = store.append(store.new(), answer("first"))
    b = store.append(store.new(), answer("second"))
    assert [s.id for s in store.list()] == [b.id, a.id]
    store.append(a, answer("again"))
    listed = store.list()
    assert [s.id for s in listed] == [a.id, b.id]
    assert listed[0].turns == 2 and listed[0].title == "first"
    assert listed[0].updated == "2024-01-01T00:00:04+00:00"


def test_corrupt_file_skipped(store: ConversationStore) -> None:
    good = store.append(store.new(), answer("q"))
    (store.folder / "0123456789ab.json").write_text("{not json", encoding="utf-8")
    (store.folder / "ba9876543210.json").write_bytes(b"\xff\xfe\x00")
    assert [s.id for s in store.list()] == [good.id]
    with pytest.raises(ValueError, match="unreadable"):
        store.load("0123456789ab")


def test_delete(store: ConversationStore) -> None:
    conv = store.append(store.new(), answer("q"))
    assert store.delete(conv.id[:6]) is True
    assert store.delete(conv.id) is False
    assert store.list() == []


def test_atomic_write_leaves_no_temp_files(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    conv = store.append(store.new(), answer("q"))
    store.append(conv, answer("q2"))
    assert [p.name for p in store.folder.iterdir()] == [f"{conv.id}.json"]

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(convs.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        store.append(conv, answer("q3"))
    assert [p.name for p in store.folder.iterdir()] == [f"{conv.id}.json"]
    assert len(store.load(conv.id).turns) == 2  # the old file is intact


# ---------------------------------------------------------------------------- export


def test_quoted_span() -> None:
    assert quoted_span(citation(1, [(100, 140)])) == "Anthropic expects to break even in 2028."
    two = quoted_span(citation(1, [(100, 109), (141, 160)]))
    assert two == "Anthropic … Revenue grew fast."
    assert "\n" not in quoted_span(citation(1, [(130, 160)]))
    clipped = quoted_span(citation(1, [(50, 109), (5000, 6000)]))
    assert clipped == "Anthropic"
    assert quoted_span(citation(1)) == " ".join(PASSAGE.split())[:200]


def test_export_markdown(store: ConversationStore) -> None:
    conv = store.new(docs=["doc-a", "doc-b"])
    store.append(conv, answer("Kapan impas?"))
    store.append(conv, answer("Who is the CEO\nof Mars?", abstained=True, passages=2))
    md = export_markdown(conv)
    lines = md.splitlines()
    assert lines[0] == "# Kapan impas?"
    assert "doc-a" in md and "doc-b" in md and "Created" in md
    assert "## Q1: Kapan impas?" in lines
    assert "Anthropic breaks even in 2028 [1]. Revenue grew [2]." in lines
    refs = [line for line in lines if line.startswith("- [")]
    assert refs == [
        "- [1] **Title 1 second line** — https://example.com/1 — > "
        '"Anthropic expects to break even in 2028."',
        '- [2] **Title 2 second line** — https://example.com/2 — > "Revenue grew fast."',
    ]
    q2 = md.index("## Q2: Who is the CEO of Mars?")
    second = md[q2:]
    assert "*The articles do not say.*" in second
    assert "References" not in second and "- [" not in second


# ---------------------------------------------------------------------------- CLI


def cli_store() -> ConversationStore:
    return ConversationStore.for_settings(Settings())


def test_cli_list_show_export_rm(tmp_path: Path) -> None:
    runner = CliRunner()
    empty = runner.invoke(cli_app, ["conversations", "list", "--json"])
    assert empty.exit_code == 0 and json.loads(empty.stdout) == []

    long_q = "What did the article say about " + "very " * 12 + "long questions?"
    conv = cli_store().append(cli_store().new(), answer(long_q))

    listed = runner.invoke(cli_app, ["conversations", "list"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    assert conv.id in listed.stdout and conv.title in listed.stdout  # not truncated
    data = json.loads(runner.invoke(cli_app, ["conversations", "list", "--json"]).stdout)
    assert data == [{"id": conv.id, "title": conv.title, "updated": conv.updated, "turns": 1}]

    shown = runner.invoke(cli_app, ["conversations", "show", conv.id[:5]])
    assert shown.exit_code == 0 and shown.stdout == export_markdown(conv)
    raw = json.loads(runner.invoke(cli_app, ["conversations", "show", conv.id, "--json"]).stdout)
    assert raw["id"] == conv.id and len(raw["turns"]) == 1

    out = tmp_path / "chat.md"
    exported = runner.invoke(
        cli_app, ["conversations", "export", conv.id, "--output", str(out), "--json"]
    )
    assert exported.exit_code == 0, exported.output
    text = out.read_text(encoding="utf-8")
    assert json.loads(exported.stdout) == {"path": str(out), "chars": len(text)}
    assert "[1] **Title 1 second line**" in text
    to_stdout = runner.invoke(cli_app, ["conversations", "export", conv.id])
    assert to_stdout.stdout == text

    removed = runner.invoke(cli_app, ["conversations", "rm", conv.id, "--json"])
    assert removed.exit_code == 0 and json.loads(removed.stdout) == {"removed": conv.id}
    assert cli_store().list() == []


def test_cli_unknown_conversation_is_one_line_error() -> None:
    for args in (["show", "abcd1234"], ["rm", "abcd1234"], ["export", "zz"]):
        result = CliRunner().invoke(cli_app, ["conversations", *args])
        assert result.exit_code == 1
        assert result.stderr.startswith("error: no conversation matches")
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


class FakeService:
    """Stands in for AnswerService: a fixed answer, and a record of the history it got."""

    histories: list[list[str] | None] = []
    scopes: list[Any] = []
    DOC = "d" * 64

    def __init__(self, settings: Settings, retriever: Any = None) -> None:
        self.settings = settings
        found = lambda key: [SimpleNamespace(doc_id=self.DOC)] if self.DOC.startswith(key) else []  # noqa: E731
        self.retriever = SimpleNamespace(store=SimpleNamespace(find=found))

    def answer(self, request: Ask, on_token: Any = None) -> Answer:
        FakeService.histories.append(request.history)
        FakeService.scopes.append(request.docs or None)
        return answer(request.question)


@pytest.fixture
def fake_service(monkeypatch: pytest.MonkeyPatch) -> type[FakeService]:
    import app.service

    FakeService.histories = []
    FakeService.scopes = []
    monkeypatch.setattr(app.service, "AnswerService", FakeService)
    return FakeService


def test_ask_with_conversation(fake_service: type[FakeService]) -> None:
    runner = CliRunner()
    first = runner.invoke(cli_app, ["ask", "--json", "--conversation", "new", "Kapan impas?"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    conv_id = data["conversation"]
    assert data["answer"].startswith("Anthropic") and len(conv_id) == 12

    second = runner.invoke(cli_app, ["ask", "--conversation", conv_id[:6], "Dan tahun depan?"])
    assert second.exit_code == 0, second.output
    assert f"conversation {conv_id}" in second.stderr
    assert "[1] Title 1" in second.stdout

    assert fake_service.histories == [[], ["Kapan impas?"]]
    conv = cli_store().load(conv_id)
    assert [t.question for t in conv.turns] == ["Kapan impas?", "Dan tahun depan?"]
    assert conv.title == "Kapan impas?"
    stored = json.loads(cli_store().path(conv_id).read_text(encoding="utf-8"))
    assert len(stored["turns"]) == 2


def test_ask_without_conversation_is_unchanged(fake_service: type[FakeService]) -> None:
    result = CliRunner().invoke(cli_app, ["ask", "--json", "q"])
    assert result.exit_code == 0, result.output
    assert "conversation" not in json.loads(result.stdout)
    assert fake_service.histories == [[]]
    assert cli_store().list() == []


def test_an_empty_question_is_refused_with_a_reason(fake_service: type[FakeService]) -> None:
    result = CliRunner().invoke(cli_app, ["ask", "--json", "  "])
    assert result.exit_code == 2
    assert "the question is empty" in result.stderr
    assert fake_service.histories == []


def test_ask_unknown_conversation_fails_cleanly(fake_service: type[FakeService]) -> None:
    result = CliRunner().invoke(cli_app, ["ask", "--conversation", "dead", "q"])
    assert result.exit_code == 1
    assert "no conversation matches 'dead'" in result.stderr
    assert fake_service.histories == []


def test_ask_scoped_to_documents(fake_service: type[FakeService]) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli_app, ["ask", "--json", "--doc", "dddddddd", "--conversation", "new", "q"]
    )
    assert result.exit_code == 0, result.output
    assert fake_service.scopes == [[FakeService.DOC]]
    conv = cli_store().load(json.loads(result.stdout)["conversation"])
    assert conv.docs == [FakeService.DOC]
    again = runner.invoke(cli_app, ["ask", "--conversation", conv.id, "q2"])  # keeps its scope
    assert again.exit_code == 0 and fake_service.scopes[-1] == [FakeService.DOC]
    refused = runner.invoke(cli_app, ["ask", "--doc", "zzzzzzzz", "q"])
    assert refused.exit_code == 1 and "matches no document" in refused.stderr
