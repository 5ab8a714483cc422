"""Loaders: one file path or URL in, one normalized ``LoadedText`` out (txt, md, html, pdf)."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date
from pathlib import Path

import charset_normalizer
from charset_normalizer.md import mess_ratio
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest.errors import IngestError
from ingest.fetch import CONTENT_KINDS, fetch_url, format_size, parse_content_type
from ingest.pdfworker import parse_pdf
from ingest.settings import IngestSettings
from ingest.text import normalize_text
from ingest.types import LoadedText

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_JUNK = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_DATE_LINE = re.compile(
    r"^\s*(?:date|tanggal|published|diterbitkan)\s*:\s*[\"']?(\d{4}-\d{2}-\d{2})", re.I | re.M
)
_TITLE_MAX = 150


def is_url(source: str) -> bool:
    """True for anything with a scheme (``http://``, ``file://``...); files have none."""
    return bool(_URL.match(source))


def expand_inputs(inputs: list[str]) -> list[str]:
    """Expand directories (recursively, sorted, supported extensions, no hidden entries).

    URLs and files pass through unchanged; a missing path is kept so loading it fails with a
    clear error. Duplicates are dropped, first occurrence wins.
    """
    out: list[str] = []
    for item in inputs:
        path = Path(item).expanduser()
        if is_url(item) or not path.is_dir():
            out.append(item)
            continue
        for found in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in found.relative_to(path).parts)
            if found.is_file() and not hidden and found.suffix.lower() in SUPPORTED_EXTENSIONS:
                out.append(str(found))
    return list(dict.fromkeys(out))


def load_source(source: str, settings: IngestSettings) -> LoadedText:
    """Load one file path or URL.

    Args:
        source: A path to a .txt/.md/.markdown/.html/.htm/.pdf file, or an http(s) URL.
        settings: Ingest caps (bytes, characters, URL and PDF limits).

    Returns:
        The normalized text with title, publication date and loader kind when known.

    Raises:
        IngestError: with a one-line reason (missing, unsupported, too large, not text,
            corrupt PDF, refused URL, empty...).
    """
    if is_url(source):
        return _load_url(source, settings)
    return _load_file(source, settings)


def _load_file(source: str, settings: IngestSettings) -> LoadedText:
    path = Path(source).expanduser()
    if not path.exists():
        raise IngestError(f"no such file: {source}")
    if path.is_dir():
        raise IngestError(f"is a directory (expand it first): {source}")
    kind = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        supported = " ".join(SUPPORTED_EXTENSIONS)
        raise IngestError(
            f"unsupported file type: {path.suffix or '(none)'} (supported: {supported})"
        )
    data = _read_capped(path, settings.max_bytes, read=kind != "pdf")
    if kind == "pdf":
        title, text = parse_pdf(path, settings)
        return _finish(text, source, title, None, kind, settings)
    return _parse_bytes(data, kind, source, None, settings)


def _load_url(url: str, settings: IngestSettings) -> LoadedText:
    body, content_type, final_url = fetch_url(url, settings)
    media, charset = parse_content_type(content_type)
    kind = CONTENT_KINDS[media]
    if kind != "pdf":
        return _parse_bytes(body, kind, url, charset, settings, final_url)
    with tempfile.TemporaryDirectory(prefix="telaah-pdf-") as tmp:
        path = Path(tmp) / "download.pdf"
        path.write_bytes(body)
        title, text = parse_pdf(path, settings)
    return _finish(text, url, title, None, kind, settings)


def _parse_bytes(
    data: bytes,
    kind: str,
    source: str,
    charset: str | None,
    settings: IngestSettings,
    url: str | None = None,
) -> LoadedText:
    """Decode and parse a txt, md or html body."""
    if kind == "html" and charset is None:
        declared = _META_CHARSET.search(data[:4096])
        charset = declared.group(1).decode("ascii").lower() if declared else None
    text = decode_text(data, charset)
    if kind == "html":
        text, title, published = _parse_html(text, url)
    elif kind == "md":
        text, title, published = _parse_markdown(text)
    else:
        text, title, published = _parse_txt(text)
    return _finish(text, source, title, published, kind, settings)


def _read_capped(path: Path, cap: int, read: bool = True) -> bytes:
    """The file's bytes (or b"" when not ``read``), refusing files over ``cap`` before reading."""
    size = os.stat(path).st_size
    if size > cap:
        raise IngestError(f"too large: {format_size(size)} > {format_size(cap)} cap")
    if not read:
        return b""
    with path.open("rb") as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:  # the file grew after stat
        raise IngestError(f"too large: more than the {format_size(cap)} cap")
    return data


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes to str: BOM, declared charset, strict UTF-8, cp1252, charset_normalizer's guess.

    cp1252 is tried before the statistical guess because it is by far the likeliest legacy
    encoding for Indonesian and English news, and detectors often mistake it for cp1250.

    Raises:
        IngestError: NUL bytes or too many control/undecodable characters ("not text").
    """
    text = _decode_bom(data)
    if text is None:
        if b"\x00" in data:
            raise IngestError("not text: contains NUL bytes (a binary file?)")
        text = _decode_declared(data, declared) or _decode_guess(data)
    junk = len(_JUNK.findall(text))
    if text and junk / len(text) > 0.02:
        raise IngestError(f"not text: {junk} control or undecodable characters")
    return text


def _decode_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    return None


def _decode_declared(data: bytes, declared: str | None) -> str | None:
    if not declared:
        return None
    try:
        return data.decode(declared)
    except (LookupError, UnicodeDecodeError):
        return None


def _decode_guess(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        if mess_ratio(text, 1.0) < 0.1:
            return text
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.chaos < 0.3:
        return str(best)
    return data.decode("cp1252", errors="replace")


def _parse_txt(text: str) -> tuple[str, str | None, str | None]:
    """Plain text: title is a short first line; hard wraps before lower-case are undone."""
    return unwrap_lines(text), first_line_title(text), find_date_line(text)


def unwrap_lines(text: str) -> str:
    """Join a line break not after terminal punctuation when the next line starts lower-case."""

    def join(match: re.Match[str]) -> str:
        before, after = match.group(1), match.group(2)
        keep = before in ".!?:;" or not after.islower()
        return before + ("\n" if keep else " ") + after

    return re.sub(r"([^\s])[ \t]*\n[ \t]*(\S)", join, text)


def first_line_title(text: str) -> str | None:
    """The first non-empty line when it is short enough to be a title."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) < _TITLE_MAX else None
    return None


def find_date_line(text: str) -> str | None:
    """ISO date from a ``Date:``/``Tanggal:``/``Published:`` line, if a valid one exists."""
    for match in _DATE_LINE.finditer(text):
        iso = valid_iso_date(match.group(1))
        if iso:
            return iso
    return None


def valid_iso_date(value: str) -> str | None:
    """``YYYY-MM-DD`` if ``value`` starts with a real calendar date, else None."""
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MARKDOWN = MarkdownIt("commonmark")  # raw HTML blocks are recognized, and dropped below


def _inline_text(token: Token) -> str:
    """The visible words of an inline token: link texts stay, images and raw HTML go."""
    out: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out)


def _parse_markdown(md: str) -> tuple[str, str | None, str | None]:
    """Markdown to plain text (markdown-it-py): headings and paragraphs as blocks, list items as
    "- " lines, code kept; title = first level-1 heading, date from front matter or a line."""
    meta, md = _front_matter(md)
    tokens = _MARKDOWN.parse(md)
    out: list[str] = []
    title: str | None = None
    items = 0  # depth of list items around the current token
    for i, token in enumerate(tokens):
        if token.type == "list_item_open":
            items += 1
        elif token.type == "list_item_close":
            items -= 1
        elif token.type == "inline" and i and tokens[i - 1].type == "heading_open":
            text = _inline_text(token)
            if title is None and tokens[i - 1].tag == "h1":
                title = text
            out += ["", text, ""]
        elif token.type == "inline":
            text = _inline_text(token)
            out += [f"- {text}" if items else text] + ([] if items else [""])
        elif token.type in ("fence", "code_block"):
            out += ["", token.content.rstrip("\n"), ""]
    text = unwrap_lines("\n".join(out).strip())
    title = title or meta.get("title") or first_line_title(text)
    published = valid_iso_date(meta.get("date", "")) or find_date_line(text)
    return text, title, published


def _front_matter(md: str) -> tuple[dict[str, str], str]:
    """YAML-ish ``key: value`` front matter (title, date) and the markdown after it."""
    match = _FRONT_MATTER.match(md)
    if not match:
        return {}, md
    meta: dict[str, str] = {}
    for line in match.group(1).split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in ("title", "date"):
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, md[match.end() :]


_HIDDEN_XPATH = [
    "//*[@hidden]",
    "//*[contains(translate(@style, 'DISPLAYNOE ', 'displaynoe'), 'display:none')]",
    "//*[contains(translate(@style, 'VISIBLTYHDN ', 'visibltyhdn'), 'visibility:hidden')]",
    "//iframe",
    "//noscript",
    "//template",
]


def _parse_html(html: str, url: str | None) -> tuple[str, str | None, str | None]:
    """Main text via trafilatura (boilerplate and hidden elements dropped), title and date."""
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:  # trafilatura rejects bare fragments such as "<p>x</p>"
        tree = trafilatura.load_html(f"<html><body><div>{html}</div></body></html>")
    if tree is None:
        raise IngestError("empty: no text found (unreadable HTML)")
    fallback = _first_text(tree, "//title") or _first_text(tree, "//h1")
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        prune_xpath=_HIDDEN_XPATH,
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "max_date": date.today().isoformat(),
        },
    )
    body = str(getattr(document, "text", None) or "")
    if not body:
        return "", fallback, None
    paragraphs = "\n\n".join(line for line in body.split("\n") if line.strip())
    when = getattr(document, "date", None)
    published = valid_iso_date(str(when)) if when else None
    return paragraphs, str(getattr(document, "title", None) or fallback), published


def _first_text(tree: object, xpath: str) -> str | None:
    for element in tree.xpath(xpath):  # type: ignore[attr-defined]
        text = " ".join(element.text_content().split())
        if text:
            return text
    return None


def _finish(
    raw: str,
    source: str,
    title: str | None,
    published: str | None,
    kind: str,
    settings: IngestSettings,
) -> LoadedText:
    text = normalize_text(raw)
    if not text:
        raise IngestError("empty: no text found")
    if len(text) > settings.max_chars:
        raise IngestError(
            f"too long: {len(text):,} characters > {settings.max_chars:,} character cap"
        )
    title = " ".join((title or "").split()) or first_line_title(text)
    if title and len(title) > 300:
        title = title[:300].rstrip() + "…"
    return LoadedText(text=text, source=source, title=title, published=published, kind=kind)
