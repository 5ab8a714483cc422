"""PDF text extraction in a child process: ``parse_pdf`` runs ``python -m ingest.pdfworker``.

The parent (``parse_pdf``) applies the time limit; the child caps its own address space before
importing pypdf, so a hostile PDF can only exhaust the child. Output is one JSON object
on stdout: ``{"title": str | null, "text": str}`` or ``{"error": str}`` (exit status 2).

Line rejoining (``rejoin_lines``), within a page: a break after a hyphenated word fragment
followed by a lower-case letter is removed ("ekono-\\nmi" -> "ekonomi", but reduplications such
as "perusahaan-\\nperusahaan" keep their hyphen); a break not after terminal punctuation and
followed by a lower-case letter becomes a space; a break after ``.!?`` followed by a capital
starts a new paragraph when the line is short of the page's full width (a sentence ending on
a full line mid-paragraph is joined with a space); other breaks become a space when the line
is full width, and otherwise a paragraph break before a capital (headings) or a line break
(lists). Blank lines are paragraph breaks. Pages are separated by a blank line unless a
sentence visibly runs across the break.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import IngestError

if TYPE_CHECKING:
    from ingest.settings import IngestSettings

_PROJECT_ROOT = Path(__file__).resolve().parent.parent

_TERMINAL = ".!?…\"'”’)"
_FULL_WIDTH = 0.85


def rejoin_lines(page_text: str) -> str:
    """Undo hard line wrapping inside one page's extracted text."""
    lines = [" ".join(line.split()) for line in page_text.split("\n")]
    width = max((len(line) for line in lines), default=0)
    out = ""
    prev = ""  # the previous physical line, "" after a blank line
    for line in lines:
        if not line:
            out, prev = out.rstrip() + "\n\n", ""
            continue
        if not prev:
            out += line
        else:
            sep = _separator(prev, line, width)
            if sep == "" and not _is_reduplication(prev, line):
                out = out[:-1]  # "ekono-" + "mi" -> "ekonomi"
            out += sep + line
        prev = line
    return out.strip()


def _separator(prev: str, line: str, width: int) -> str:
    """What replaces the line break between physical lines ``prev`` and ``line``."""
    full = len(prev) >= _FULL_WIDTH * width
    first = line[0]
    if prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and first.islower():
        return ""
    if prev[-1] in _TERMINAL:
        if first.isupper() or first.isdigit():
            return " " if full else "\n\n"
        return " " if first.islower() else "\n"
    if first.islower() or (full and first.isalnum()):
        return " "
    return "\n\n" if first.isupper() else "\n"


def _is_reduplication(prev: str, line: str) -> bool:
    """'perusahaan-' + 'perusahaan', 'bertahun-' + 'tahun': a reduplication keeps its hyphen."""
    fragment = prev.rsplit(None, 1)[-1][:-1].lower()
    following = line.split(None, 1)[0].rstrip(".,;:!?").lower()
    return fragment == following or (len(following) >= 3 and fragment.endswith(following))


def join_pages(pages: list[str]) -> str:
    """Join per-page text, continuing a sentence that runs across a page break."""
    out = ""
    for page in (p for p in pages if p.strip()):
        if out and out[-1] not in _TERMINAL and page[0].islower():
            out += " " + page
        else:
            out += ("\n\n" if out else "") + page
    return out


def parse_pdf(path: Path, settings: IngestSettings) -> tuple[str | None, str]:
    """Parse a PDF in a child process under ``pdf_timeout_s`` and ``pdf_memory_mb``.

    Returns:
        ``(title or None, rejoined text)``.

    Raises:
        IngestError: corrupt or encrypted PDF, too slow, or out of memory.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PROJECT_ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "ingest.pdfworker", str(path), str(settings.pdf_memory_mb)]
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=settings.pdf_timeout_s, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise IngestError(f"PDF parsing took too long (> {settings.pdf_timeout_s:g} s)") from None
    try:
        result = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        result = {"error": _crash_reason(done)}
    if "error" in result:
        raise IngestError(str(result["error"]))
    return result.get("title"), str(result.get("text") or "")


def _crash_reason(done: subprocess.CompletedProcess[bytes]) -> str:
    stderr = done.stderr.decode("utf-8", errors="replace")
    if "MemoryError" in stderr:
        return "PDF needs too much memory to parse"
    return f"corrupt PDF: the parser stopped (exit status {done.returncode})"


def _clean_title(raw: object) -> str | None:
    title = " ".join(str(raw or "").split())
    lowered = title.lower()
    junk = lowered in ("", "untitled", "untitled document") or lowered.startswith(
        ("microsoft word", "untitled")
    )
    return None if junk or lowered.endswith((".doc", ".docx", ".pdf", ".tex")) else title


def extract(path: str) -> dict[str, str | None]:
    """Title and rejoined text of the PDF at ``path``, or an ``error`` entry."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return {"error": "corrupt PDF: encrypted (a password is required)"}
        pages = [rejoin_lines(page.extract_text() or "") for page in reader.pages]
        title = _clean_title(reader.metadata.title if reader.metadata else None)
    except MemoryError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {"error": f"corrupt PDF: {reason}"}
    except Exception as exc:  # noqa: BLE001 -- any parser failure is a bad PDF to the user
        return {"error": f"corrupt PDF: {type(exc).__name__}"}
    return {"title": title, "text": join_pages(pages)}


def _limit_memory(megabytes: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover -- not on POSIX; only the time limit applies
        return
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str]) -> int:
    """Entry point: ``PATH MEMORY_MB``; prints one JSON object."""
    path, megabytes = argv[0], int(argv[1])
    _limit_memory(megabytes)
    try:
        result = extract(path)
    except MemoryError:
        result = {"error": f"PDF needs more than {megabytes} MB of memory to parse"}
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    return 2 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
