"""Writes from another process while the web app serves: the app picks them up, never errors.

The embedded Chroma client keeps its vector index in memory; a document removed by another
process used to come back from a search without its metadata and fail every question.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings

from app.retrieve import HybridRetriever
from app.service import AnswerService
from app.settings import Settings
from tests.conftest import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
FIRST = """Koperasi Tenun Sumba Timur

Koperasi Tenun Lambanapu di Sumba Timur beranggotakan 180 penenun perempuan. Pada 2024 koperasi
itu menjual 2.300 lembar kain ikat ke pembeli di Bali dan Jakarta.
"""
SECOND = """Perpustakaan Keliling Kabupaten Ende

Perpustakaan keliling Kabupaten Ende memakai dua perahu motor untuk melayani 14 pulau kecil.
Setiap perahu membawa sekitar 1.500 buku dan singgah di tiap pulau dua kali sebulan.
"""
THIRD = """Kebun Raya Liwa

Kebun Raya Liwa di Lampung Barat dibuka untuk umum pada 2019 dan menempati lahan seluas 86
hektare. Koleksi utamanya adalah tanaman hias dataran tinggi dari Sumatra.
"""


def telaah(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a second process on the same data dir."""
    env = {**os.environ, "TELAAH_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ask_for(client: Any, question: str, seconds: float) -> list[dict[str, Any]]:
    """Ask repeatedly through the API for ``seconds``; every call must succeed."""
    answers = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        answers.append(client.predict(question=question, api_name="/ask"))
        time.sleep(0.2)
    return answers


def titles(answer: dict[str, Any]) -> set[str]:
    return {c["title"] for c in answer["citations"]}


def test_cli_writes_while_the_app_serves(tmp_path: Path, real_embeddings: Embeddings) -> None:
    from gradio_client import Client

    from app.web.app import build_app, launch
    from ingest.pipeline import ingest

    folder = tmp_path / "articles"
    folder.mkdir()
    for name, body in (("tenun.txt", FIRST), ("perpustakaan.txt", SECOND)):
        (folder / name).write_text(body, encoding="utf-8")
    (tmp_path / "kebun.txt").write_text(THIRD, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "store")
    store = settings.store(real_embeddings)
    assert all(
        r.status == "added" for r in ingest([str(folder)], settings.ingest, real_embeddings, store)
    )
    service = AnswerService(settings, HybridRetriever(settings, store, real_embeddings))
    demo = build_app(settings, service)
    port = free_port()
    launch(demo, settings, host="127.0.0.1", port=port, prevent_thread_lock=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        weavers = "Berapa penenun anggota Koperasi Tenun Lambanapu?"
        first = client.predict(question=weavers, api_name="/ask")
        assert "180" in first["answer"] and titles(first) == {"Koperasi Tenun Sumba Timur"}

        removed = telaah(settings.data_dir, "docs", "rm", str(folder / "tenun.txt"))
        assert removed.returncode == 0, removed.stderr
        answers = ask_for(client, weavers, 3.0)  # no error, before and after the app notices
        assert "Koperasi Tenun Sumba Timur" not in titles(answers[-1])
        assert "180" not in answers[-1]["answer"]

        added = telaah(settings.data_dir, "ingest", str(tmp_path / "kebun.txt"))
        assert added.returncode == 0, added.stderr
        garden = "Berapa hektare luas Kebun Raya Liwa?"
        answers = ask_for(client, garden, 3.0)
        assert "86" in answers[-1]["answer"] and titles(answers[-1]) == {"Kebun Raya Liwa"}
        boats = client.predict(
            question="Berapa perahu perpustakaan keliling Ende?", api_name="/ask"
        )
        assert "dua perahu" in boats["answer"]
    finally:
        demo.close()
