"""Faults against real sockets: a refusing provider, a stalling stream, 429/500 retries, locks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from app.service import AnswerService
from app.settings import Settings

from .conftest import free_port
from .library import MemoryLibrary
from .test_answer import PASSAGES

GOOD = "Anthropic menargetkan titik impas pada tahun 2028 [1]."


def _chunk(content: str) -> bytes:
    body = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": None}
        ],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


class FakeOpenAI(BaseHTTPRequestHandler):
    """Scripted OpenAI-compatible server: `script` is a list of behaviours, one per request."""

    script: list[str] = []
    hits: list[str] = []

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        behaviour = self.script.pop(0) if self.script else "ok"
        type(self).hits.append(behaviour)
        if behaviour in ("429", "500"):
            self.send_response(int(behaviour))
            self.send_header("Content-Type", "application/json")
            self.send_header("retry-after-ms", "10")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "busy", "type": "rate_limit"}}')
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        words = GOOD.split(" ")
        for i, word in enumerate(words):
            if behaviour == "stall" and i == 3:
                self.wfile.flush()
                time.sleep(20)
                return
            self.wfile.write(_chunk(word + (" " if i < len(words) - 1 else "")))
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def openai_server() -> Iterator[str]:
    FakeOpenAI.script, FakeOpenAI.hits = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture
def library(real_embeddings: Embeddings) -> MemoryLibrary:
    return MemoryLibrary(PASSAGES, real_embeddings)


def _llm_service(
    settings: Settings, library: MemoryLibrary, base_url: str, **answer: object
) -> AnswerService:
    cfg = settings.answer.model_copy(
        update={"answerer": "llm", "provider": "openai", "base_url": base_url, **answer}
    )
    updated = settings.model_copy(update={"answer": cfg})
    return AnswerService(updated, library)  # type: ignore[arg-type]


def test_real_openai_client_streams_verified_answer(
    settings: Settings, library: MemoryLibrary, openai_server: str
) -> None:
    result = _llm_service(settings, library, openai_server).ask("Kapan Anthropic impas?")
    assert result.answerer == "llm" and "2028" in result.answer and not result.unsupported


def test_refused_connection_falls_back_within_5s(
    settings: Settings, library: MemoryLibrary
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    t0 = time.monotonic()
    result = _llm_service(settings, library, closed, max_retries=0).ask("Kapan Anthropic impas?")
    assert time.monotonic() - t0 < 5
    assert result.answerer == "extractive" and "2028" in result.answer and result.notice


def test_429_and_500_are_retried_a_bounded_number_of_times(
    settings: Settings, library: MemoryLibrary, openai_server: str
) -> None:
    FakeOpenAI.script = ["429", "500", "ok"]
    result = _llm_service(settings, library, openai_server, max_retries=2).ask(
        "Kapan Anthropic impas?"
    )
    assert FakeOpenAI.hits == ["429", "500", "ok"] and result.answerer == "llm"
    FakeOpenAI.script, FakeOpenAI.hits = ["500"] * 10, []
    result = _llm_service(settings, library, openai_server, max_retries=2).ask(
        "Kapan Anthropic impas?"
    )
    assert len(FakeOpenAI.hits) == 3 and result.answerer == "extractive" and result.notice


def test_stall_is_cut_and_other_users_are_not_blocked(
    settings: Settings, library: MemoryLibrary, openai_server: str
) -> None:
    FakeOpenAI.script = ["stall"]
    stalled = _llm_service(settings, library, openai_server, read_timeout_s=2.0, max_retries=0)
    other = AnswerService(settings, library)  # type: ignore[arg-type]
    box: dict[str, object] = {}

    def run_stalled() -> None:
        t0 = time.monotonic()
        box["result"] = stalled.ask("Kapan Anthropic impas?")
        box["elapsed"] = time.monotonic() - t0

    worker = threading.Thread(target=run_stalled)
    worker.start()
    time.sleep(0.3)
    t0 = time.monotonic()
    quick = other.ask("Kapan Anthropic diperkirakan mencapai titik impas?")
    assert time.monotonic() - t0 < 1.5 and "2028" in quick.answer
    assert worker.is_alive()  # the stalled request is still waiting meanwhile
    worker.join(15)
    result = box["result"]
    assert box["elapsed"] < 6  # type: ignore[operator]
    assert result.notice and result.answerer == "extractive"  # type: ignore[attr-defined]


def test_second_writer_process_is_refused(tmp_path: Path, settings: Settings) -> None:
    from vectorstore.store import Store

    from .conftest import CountingFakeEmbedding

    store = Store.open(settings.store_settings, CountingFakeEmbedding(size=8))
    doc = tmp_path / "x.txt"
    doc.write_text("Teks percobaan tentang kunci penulis tunggal. " * 20, encoding="utf-8")
    with store.writing():
        proc = subprocess.run(
            [sys.executable, "-m", "app.cli", "ingest", str(doc)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "TELAAH_DATA_DIR": str(settings.data_dir)},
        )
    assert proc.returncode == 1
    assert "another telaah process is writing" in proc.stderr and "Traceback" not in proc.stderr


def test_the_openai_client_bounds_connecting_and_the_whole_call() -> None:
    """The HTTP client under ChatOpenAI gets the connect bound and the whole-call bound,
    whichever HTTP library the installed openai client uses (httpx, or httpx2 since 3.63,
    which refuses httpx's Timeout object)."""
    from app.llm import make_chat_model

    answer = Settings().answer.model_copy(
        update={"provider": "openai", "base_url": "http://127.0.0.1:9/v1"}
    )
    timeout = make_chat_model(answer).root_client._client.timeout  # type: ignore[attr-defined]
    assert timeout.connect == answer.connect_timeout_s
    assert timeout.read == timeout.pool > answer.timeout_s
