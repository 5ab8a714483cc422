"""Scale-out: one writer and two long-running reader processes sharing a `chroma run` server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.slow

NEW_ARTICLE = """# Nusantara Grid Memesan Turbin

Perusahaan energi Nusantara Grid memesan 48 turbin angin dari pabrikan Denmark untuk ladang
angin di Sidrap, Sulawesi Selatan. Direktur utamanya, Laras Pratiwi, mengatakan proyek itu
bernilai sekitar Rp 7,2 triliun dan ditargetkan beroperasi pada 2027.
"""


def _env(tmp_path: Path, name: str, host: str, port: int, collection: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELAAH_DATA_DIR": str(tmp_path / name),  # each process keeps its own keyword index
        "TELAAH_CHROMA_HOST": host,
        "TELAAH_CHROMA_PORT": str(port),
        "TELAAH_COLLECTION": collection,
    }


class Reader:
    """A `telaah ask --json -` process kept running; one question in, one JSON line out."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "ask", "--json", "-"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def ask(self, question: str) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(question + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, self.proc.stderr.read() if self.proc.stderr else "reader died"
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(30)


def poll(reader: Reader, question: str, wanted: str, seconds: float = 8.0) -> dict:
    """Ask until the answer holds ``wanted`` (a loaded machine may need a recheck more)."""
    end = time.monotonic() + seconds
    while True:
        answer = reader.ask(question)
        if wanted in answer["answer"] or time.monotonic() > end:
            return answer
        time.sleep(0.5)


def test_two_readers_one_writer_through_chroma_server(tmp_path: Path, chroma_server) -> None:
    host, port = chroma_server
    collection = f"scale{uuid.uuid4().hex[:8]}"
    writer_env = _env(tmp_path, "writer", host, port, collection)
    subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", str(CORPUS), "--json"],
        env=writer_env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    readers = [Reader(_env(tmp_path, f"reader{i}", host, port, collection)) for i in (1, 2)]
    try:
        for reader in readers:
            answer = reader.ask("Kapan Anthropic diperkirakan mencapai titik impas?")
            assert "2028" in answer["answer"] and answer["citations"]
        article = tmp_path / "grid.md"
        article.write_text(NEW_ARTICLE, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "ingest", str(article), "--json"],
            env=writer_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        time.sleep(2.5)  # readers recheck the shared store every 2 s
        for reader in readers:
            answer = poll(reader, "Berapa turbin angin yang dipesan Nusantara Grid?", "48")
            assert "48" in answer["answer"], answer["answer"]
            assert any(c["source"].endswith("grid.md") for c in answer["citations"])
    finally:
        for reader in readers:
            reader.close()
