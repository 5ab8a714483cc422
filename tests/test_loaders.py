"""Loaders: titles, dates, clean text, decoding, refusals, directory expansion."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.loaders import decode_text, expand_inputs, load_source
from ingest.settings import IngestSettings
from ingest.text import normalize_text

DATA = Path(__file__).parent / "data"
BOILERPLATE_MARKERS = (
    "NAV-LINK",
    "COOKIE-BANNER",
    "SCRIPT-SHOULD-NOT-APPEAR",
    "INLINE-SCRIPT",
    "HIDDEN-ATTR",
    "HIDDEN-STYLE",
    "HIDDEN-SPAN",
    "IFRAME",
    "ONERROR",
    "ASIDE",
    "FOOTER",
    "tracker.example",
    "Accept all cookies",
    "Privacy policy",
    "Related stories",
    "promo",
)


@pytest.fixture
def ingest_settings() -> IngestSettings:
    return IngestSettings()


def test_txt_title_date_and_unwrapped_lines(ingest_settings: IngestSettings) -> None:
    loaded = load_source(str(DATA / "article.txt"), ingest_settings)
    assert loaded.kind == "txt"
    assert loaded.title == "Data Centers Race to Keep Up With AI Demand"
    assert loaded.published == "2025-10-02"
    assert "growing faster" not in loaded.text
    assert "three combined, yet waiting lists" in loaded.text
    assert "electricity and cooling.\n\nBuilding a new campus" in loaded.text
    assert loaded.text == normalize_text(loaded.text)


def test_markdown_title_date_and_stripping(ingest_settings: IngestSettings) -> None:
    loaded = load_source(str(DATA / "article.md"), ingest_settings)
    assert loaded.kind == "md"
    assert loaded.title == "Open Models Gain Ground in Indonesia"
    assert loaded.published == "2025-11-13"
    text = loaded.text
    assert text.startswith("Open Models Gain Ground in Indonesia\n\nJakarta — Local startups")
    assert "\n\nWhy it matters\n\n" in text
    assert "the cost of API calls made their products" in text
    assert "fine-tuning open models for Bahasa" in text
    assert "See the regulator's note for details." in text
    assert "python finetune.py --lang id" in text
    assert "Investors now ask" in text
    assert "- Predictable monthly bills" in text
    for junk in ("#", "**", "*Jakarta*", "](", "example.com", "chart", "<span", "```", "> ", "---"):
        assert junk not in text, junk
    assert "Front matter" not in text


def test_markdown_date_line_and_no_heading(tmp_path: Path, ingest_settings: IngestSettings) -> None:
    path = tmp_path / "note.markdown"
    path.write_text("Catatan Rapat\nTanggal: 2024-02-29\n\nIsi _catatan_ singkat.\n")
    loaded = load_source(str(path), ingest_settings)
    assert (loaded.title, loaded.published) == ("Catatan Rapat", "2024-02-29")
    assert "Isi catatan singkat." in loaded.text


def test_html_keeps_only_visible_article_text(ingest_settings: IngestSettings) -> None:
    loaded = load_source(str(DATA / "boilerplate.html"), ingest_settings)
    assert loaded.kind == "html"
    assert loaded.title == "Cloud Bills Reshape the AI Race"
    assert loaded.published == "2025-11-13"
    text = loaded.text
    for marker in BOILERPLATE_MARKERS:
        assert marker not in text, marker
    paragraphs = text.split("\n\n")
    assert paragraphs[1].startswith("Frontier AI laboratories now spend more")
    assert paragraphs[-1] == (
        "Analysts expect the pressure to ease only when new power plants and cooling systems "
        "come online, which could take years rather than months."
    )
    assert "Smaller developers feel the squeeze first." in text


def test_pdf_rejoins_broken_lines(ingest_settings: IngestSettings) -> None:
    loaded = load_source(str(DATA / "artikel.pdf"), ingest_settings)
    assert loaded.kind == "pdf"
    assert loaded.title == "Laboratorium AI dan Tagihan Komputasi Awan"
    text = loaded.text
    assert "pertumbuhan ekonomi digital." in text
    assert "ekono-" not in text
    assert "kerja sama dengan Microsoft dan Google diperpanjang" in text
    assert "perusahaan-perusahaan rintisan" in text
    assert "bertahun-tahun." in text
    assert "sebelumnya oleh pesaing yang jauh lebih besar" in text  # across the page break
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0] == "Laboratorium AI dan Tagihan Komputasi Awan"
    assert all("\n" not in paragraph for paragraph in paragraphs)


def test_cp1252_text_is_decoded(tmp_path: Path, ingest_settings: IngestSettings) -> None:
    original = (
        "Café owners in São Paulo called the “new rules” naïve – and costly.\n"
        "The coöperative’s résumé listed fees of 12 €.\n"
    )
    path = tmp_path / "legacy.txt"
    path.write_bytes(original.encode("cp1252"))
    assert load_source(str(path), ingest_settings).text == normalize_text(original)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_bom_text_is_decoded(
    tmp_path: Path, ingest_settings: IngestSettings, encoding: str
) -> None:
    original = "Ringkasan: Anthropic dan OpenAI — strategi berbeda.\n\nParagraf kedua ✓."
    data = original.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "bom.txt"
    path.write_bytes(data)
    loaded = load_source(str(path), ingest_settings)
    assert loaded.text == original
    assert loaded.title == "Ringkasan: Anthropic dan OpenAI — strategi berbeda."


def test_declared_charset_wins() -> None:
    assert decode_text("Grüße".encode("latin-1"), "iso-8859-1") == "Grüße"


def test_empty_file(tmp_path: Path, ingest_settings: IngestSettings) -> None:
    path = tmp_path / "empty.txt"
    path.write_text(" \n\n\t \n")
    with pytest.raises(IngestError, match="^empty: no text found"):
        load_source(str(path), ingest_settings)


@pytest.mark.parametrize("name", ["noise.txt", "noise.md", "noise.html"])
def test_random_bytes_are_not_text(
    tmp_path: Path, ingest_settings: IngestSettings, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(random.Random(0).randbytes(4096))
    with pytest.raises(IngestError, match="^not text"):
        load_source(str(path), ingest_settings)


def test_random_bytes_without_nul_are_not_text(
    tmp_path: Path, ingest_settings: IngestSettings
) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(b for b in random.Random(1).randbytes(4096) if b))
    with pytest.raises(IngestError, match="^not text"):
        load_source(str(path), ingest_settings)


def test_random_bytes_pdf_is_corrupt(tmp_path: Path, ingest_settings: IngestSettings) -> None:
    path = tmp_path / "noise.pdf"
    path.write_bytes(random.Random(0).randbytes(4096))
    with pytest.raises(IngestError, match="^corrupt PDF: "):
        load_source(str(path), ingest_settings)


def test_truncated_pdf_is_corrupt(tmp_path: Path, ingest_settings: IngestSettings) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes((DATA / "artikel.pdf").read_bytes()[:300])
    with pytest.raises(IngestError, match="^(corrupt PDF|empty)"):
        load_source(str(path), ingest_settings)


def test_pdf_timeout(tmp_path: Path) -> None:
    slow = IngestSettings(pdf_timeout_s=0.001)
    with pytest.raises(IngestError, match=r"^PDF parsing took too long \(> 0.001 s\)"):
        load_source(str(DATA / "artikel.pdf"), slow)


def test_unsupported_extension(tmp_path: Path, ingest_settings: IngestSettings) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(IngestError, match=r"^unsupported file type: \.docx \(supported: \.txt"):
        load_source(str(path), ingest_settings)


def test_missing_file(ingest_settings: IngestSettings) -> None:
    with pytest.raises(IngestError, match="^no such file: /nope/missing.txt"):
        load_source("/nope/missing.txt", ingest_settings)


def test_oversize_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_open)
    monkeypatch.setattr(Path, "read_bytes", no_open)
    with pytest.raises(IngestError, match=r"^too large: 4.9 KB > 1 KB cap"):
        load_source(str(path), IngestSettings(max_bytes=1024))


def test_over_max_chars(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("kata " * 100)
    with pytest.raises(IngestError, match="^too long: "):
        load_source(str(path), IngestSettings(max_chars=50))


def test_refused_url_scheme(ingest_settings: IngestSettings) -> None:
    with pytest.raises(IngestError, match="only http and https"):
        load_source("file:///etc/passwd", ingest_settings)


def test_expand_inputs_nested_dir(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "b" / "deep").mkdir(parents=True)
    (root / ".git").mkdir()
    for name in ("a.txt", "b/z.md", "b/deep/x.PDF", "b/deep/y.htm", "c.docx", ".git/h.txt"):
        (root / name).write_text("x")
    shutil.copy(DATA / "article.md", root / "b" / "a.markdown")
    got = expand_inputs([str(root), "https://example.com/a", str(tmp_path / "missing.txt")])
    rel = [Path(p).relative_to(root).as_posix() for p in got[:-2]]
    assert rel == ["a.txt", "b/a.markdown", "b/deep/x.PDF", "b/deep/y.htm", "b/z.md"]
    assert got[-2:] == ["https://example.com/a", str(tmp_path / "missing.txt")]


def test_encrypted_pdf_is_refused(tmp_path: Path, ingest_settings: IngestSettings) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=DATA / "artikel.pdf")
    writer.encrypt("secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(IngestError, match=r"^corrupt PDF: encrypted"):
        load_source(str(path), ingest_settings)


def test_pdf_memory_limit() -> None:
    with pytest.raises(IngestError, match=r"^PDF needs more than 5 MB of memory"):
        load_source(str(DATA / "artikel.pdf"), IngestSettings(pdf_memory_mb=5))


def test_pdf_rejoin_rules() -> None:
    from ingest.pdfworker import rejoin_lines

    page = (
        "Judul Pendek\n"
        "Kalimat pertama yang panjang ini berlanjut ke baris berikutnya tanpa\n"
        "tanda baca. Kalimat kedua menyebut perusahaan yang didukung oleh\n"
        "Amazon dan Google.\n"
        "\n"
        "- butir daftar\n"
    )
    assert rejoin_lines(page) == (
        "Judul Pendek\n\n"
        "Kalimat pertama yang panjang ini berlanjut ke baris berikutnya tanpa tanda baca. "
        "Kalimat kedua menyebut perusahaan yang didukung oleh Amazon dan Google.\n\n"
        "- butir daftar"
    )


def test_html_fragment_and_pdf_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "fragment.htm"
    path.write_text("<p>Potongan HTML tanpa kerangka dokumen.</p>")
    loaded = load_source(str(path), IngestSettings())
    assert loaded.text == "Potongan HTML tanpa kerangka dokumen."
    with pytest.raises(IngestError, match=r"^too large: 2.2 KB > 100 bytes cap"):
        load_source(str(DATA / "artikel.pdf"), IngestSettings(max_bytes=100))
