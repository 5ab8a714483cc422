"""Answers as safe HTML: everything untrusted is escaped first, then our own markup is added."""

from __future__ import annotations

import re
from pathlib import PurePath
from urllib.parse import urlsplit

from app.answer.markers import split_answer, strip_markers
from app.sanitize import escape, plain_text
from app.types import Answer, Citation, Passage
from app.web.text import text

_MARKER = re.compile(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LIST_LINE = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_SNIPPET_CHARS = 280
QUESTION_SHOWN = 280

CSS = """
.tl-scroll { max-height: min(64vh, 780px); min-height: 220px; overflow-y: auto;
  overscroll-behavior: contain; padding: 0.2em 0.5em 0.2em 0.2em; }
.tl-empty { color: var(--body-text-color-subdued); padding: 1.5em 0.5em; }
.tl-turn { margin: 0 0 1.4em 0; }
.tl-q { font-weight: 600; margin: 0.2em 0 0.5em 0; overflow-wrap: anywhere; }
.tl-q details { display: inline; font-weight: 400; }
.tl-q summary { display: inline; cursor: pointer; color: var(--color-accent); }
.tl-q .tl-who { color: var(--body-text-color-subdued); font-weight: 400; margin-right: 0.4em; }
.tl-answer { overflow-wrap: anywhere; border: 1px solid var(--border-color-primary);
  border-radius: 10px; padding: 0.8em 1em; background: var(--block-background-fill);
  line-height: 1.6; }
.tl-answer p { margin: 0 0 0.5em 0; }
.tl-answer ul { margin: 0 0 0.5em 1.2em; }
.tl-answer.tl-abstained { background: var(--background-fill-secondary);
  color: var(--body-text-color-subdued); border-style: dashed; font-style: italic; }
.tl-answer.tl-streaming { opacity: 0.85; white-space: pre-wrap; }
.tl-answer.tl-error { border-color: #c0392b; color: #c0392b; }
a.tl-cite { display: inline-block; font-size: 0.8em; font-weight: 600; text-decoration: none;
  padding: 0 0.35em; margin: 0 0.1em; border-radius: 5px; vertical-align: super;
  line-height: 1.3; background: var(--color-accent-soft); color: var(--color-accent);
  cursor: pointer; border: 1px solid transparent; }
a.tl-cite:hover, a.tl-cite:focus { border-color: var(--color-accent); }
.tl-quote { background: rgba(253, 230, 138, 0.35); border-radius: 3px; }
.tl-quote::before { content: "❝ "; color: var(--body-text-color-subdued); }
.tl-rejected { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 0.2em 0 0.4em; }
.tl-legend { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 0.3em; }
.tl-unsupported { text-decoration: underline wavy #d68910; text-underline-offset: 3px; }
.tl-badge { font-size: 0.8em; color: #b9770e; margin-left: 0.2em; cursor: help; }
.tl-notice { border-left: 4px solid #d68910; background: rgba(214, 137, 16, 0.1);
  padding: 0.4em 0.8em; margin: 0 0 0.5em 0; border-radius: 4px; }
.tl-incomplete { display: inline-block; font-size: 0.8em; color: #b9770e;
  border: 1px solid #d68910; border-radius: 4px; padding: 0 0.4em; margin-top: 0.3em; }
.tl-sources { margin-top: 0.5em; }
.tl-sources-h { font-size: 0.85em; text-transform: uppercase; letter-spacing: 0.05em;
  color: var(--body-text-color-subdued); margin: 0.6em 0 0.3em 0; }
.tl-src { border: 1px solid var(--border-color-primary); border-radius: 8px;
  margin: 0.3em 0; padding: 0.3em 0.8em; transition: box-shadow 0.3s; }
.tl-src[open] { background: var(--block-background-fill); }
.tl-src.tl-flash { box-shadow: 0 0 0 3px var(--color-accent-soft); }
.tl-src summary { cursor: pointer; }
.tl-src .tl-n { font-weight: 700; color: var(--color-accent); margin-right: 0.3em; }
.tl-src .tl-origin { color: var(--body-text-color-subdued); font-size: 0.85em;
  margin-left: 0.4em; }
.tl-passage { margin: 0.5em 0 0.3em 0; white-space: pre-wrap; font-size: 0.92em;
  line-height: 1.55; }
.tl-passage mark { background: #fde68a; color: #1f2937; padding: 0 0.1em; border-radius: 2px; }
.tl-tline { font-family: var(--font-mono); font-size: 0.9em; white-space: pre-wrap; }
"""

JS_ON_LOAD = """
const toBottom = () => {
  const box = element.querySelector('.tl-scroll');
  if (box) box.scrollTop = box.scrollHeight;
};
new MutationObserver(toBottom).observe(element, {childList: true, subtree: true});
element.addEventListener('click', (event) => {
  const link = event.target.closest('a.tl-cite');
  if (!link || !element.contains(link)) return;
  event.preventDefault();
  const box = element.querySelector('#' + CSS.escape(link.dataset.target));
  if (!box) return;
  box.open = true;
  box.classList.add('tl-flash');
  setTimeout(() => box.classList.remove('tl-flash'), 1500);
  box.scrollIntoView({behavior: 'smooth', block: 'nearest'});
});
"""


def source_id(turn: int, n: int) -> str:
    """The element id of citation ``n`` of conversation turn ``turn``."""
    return f"tl-t{turn}-src-{n}"


def is_web_url(source: str) -> bool:
    """True for an http(s) URL with a host (the only sources rendered as links)."""
    parts = urlsplit(source.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def source_label(source: str) -> str:
    """What to show for a non-link source: the file name or the pasted title."""
    if source.startswith("pasted:"):
        return f"pasted: {source.removeprefix('pasted:')}"
    return PurePath(source.replace("\\", "/")).name or source


def render_source(source: str) -> str:
    """A safe link for http(s) sources, otherwise the escaped file name."""
    if is_web_url(source):
        href = escape(source.strip())
        return (
            f'<a href="{href}" target="_blank" rel="noopener noreferrer nofollow">'
            f"{escape(source.strip())}</a>"
        )
    return f"<span>{escape(source_label(source))}</span>"


def local_spans(citation: Citation) -> list[tuple[int, int]]:
    """Citation spans (document offsets) as sorted, merged offsets into the passage text."""
    size = len(citation.text)
    clipped = sorted(
        (max(0, a - citation.start), min(size, b - citation.start))
        for a, b in citation.spans
        if b - citation.start > 0 and a - citation.start < size
    )
    merged: list[tuple[int, int]] = []
    for a, b in clipped:
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def highlight(citation: Citation) -> str:
    """The passage text, escaped, with the cited spans wrapped in <mark>."""
    body = citation.text
    out: list[str] = []
    pos = 0
    for a, b in local_spans(citation):
        out.append(escape(body[pos:a]))
        out.append(f"<mark>{escape(body[a:b])}</mark>")
        pos = b
    out.append(escape(body[pos:]))
    return "".join(out)


def _markers(escaped: str, turn: int, known: set[int]) -> str:
    """Replace [n] / [n, m] markers in escaped text with clickable citation anchors."""

    def one(n: int) -> str:
        if n not in known:
            return f"[{n}]"
        target = source_id(turn, n)
        return f'<a class="tl-cite" href="#{target}" data-target="{target}">[{n}]</a>'

    def repl(match: re.Match[str]) -> str:
        return "".join(one(int(x)) for x in re.findall(r"\d+", match.group()))

    return _MARKER.sub(repl, escaped)


def _sentence(
    sentence: str,
    turn: int,
    known: set[int],
    unsupported: set[str],
    lang: str,
    origin: str = "",
) -> str:
    html = _markers(_BOLD.sub(r"<strong>\1</strong>", escape(sentence)), turn, known)
    if origin:  # an LLM answer: the model's words, or a quote put in place of a failing one
        tip = escape(text(lang, f"{origin}_tip"))
        html = f'<span class="tl-{origin}" title="{tip}">{html}</span>'
    if sentence.strip() not in unsupported:
        return html
    tip = escape(text(lang, "unsupported"))
    return (
        f'<span class="tl-unsupported" title="{tip}">{html}</span>'
        f'<span class="tl-badge" title="{tip}" aria-label="{tip}">⚠</span>'
    )


def render_answer_text(answer: Answer, turn: int, lang: str) -> str:
    """The answer paragraphs: escaped, markers clickable, unsupported sentences flagged."""
    known = {c.n for c in answer.citations}
    unsupported = {s.strip() for s in answer.unsupported}
    quoted = {q.strip() for q in answer.quoted}

    def origin(sentence: str) -> str:
        if answer.answerer != "llm":
            return ""
        return "quote" if strip_markers(sentence).strip() in quoted else "model"

    blocks: list[str] = []
    items: list[str] = []
    for line in plain_text(answer.answer).split("\n"):
        if not line.strip() or (_TABLE_RULE.match(line) and "-" in line):
            continue
        sentences = split_answer(line) or [line.strip()]
        html = " ".join(_sentence(s, turn, known, unsupported, lang, origin(s)) for s in sentences)
        if _LIST_LINE.match(line):
            items.append(f"<li>{_LIST_LINE.sub('', html, count=1)}</li>")
            continue
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
            items = []
        css = "tl-tline" if line.lstrip().startswith("|") else ""
        blocks.append(f'<p class="{css}">{html}</p>' if css else f"<p>{html}</p>")
    if items:
        blocks.append(f"<ul>{''.join(items)}</ul>")
    return "".join(blocks)


def render_citation(citation: Citation, turn: int) -> str:
    """One collapsible source: number, title, origin and the highlighted passage."""
    return (
        f'<details class="tl-src" id="{source_id(turn, citation.n)}">'
        f'<summary><span class="tl-n">[{citation.n}]</span>'
        f"<strong>{escape(plain_text(citation.title))}</strong>"
        f'<span class="tl-origin">{render_source(citation.source)}</span></summary>'
        f'<div class="tl-passage">{highlight(citation)}</div></details>'
    )


def _snippet(passage: Passage) -> str:
    body = passage.text.strip()
    return body if len(body) <= _SNIPPET_CHARS else body[:_SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


def render_closest(passages: list[Passage], lang: str, limit: int = 3) -> str:
    """The nearest passages shown under an abstention."""
    if not passages:
        return ""
    rows = "".join(
        f'<details class="tl-src"><summary><span class="tl-n">({n})</span>'
        f"<strong>{escape(plain_text(p.title))}</strong>"
        f'<span class="tl-origin">{render_source(p.source)}</span></summary>'
        f'<div class="tl-passage">{escape(_snippet(p))}</div></details>'
        for n, p in enumerate(passages[:limit], start=1)
    )
    return f'<div class="tl-sources-h">{escape(text(lang, "closest"))}</div>{rows}'


def render_rejected(rejected: list[str], lang: str) -> str:
    """The model's sentences that failed the check, folded under the fallback's notice."""
    if not rejected:
        return ""
    rows = "".join(f"<li>{escape(s)}</li>" for s in rejected)
    return (
        f'<details class="tl-rejected"><summary>{escape(text(lang, "rejected"))}</summary>'
        f"<ul>{rows}</ul></details>"
    )


def render_answer(answer: Answer, turn: int, lang: str) -> str:
    """A full answer card: notice, answer, incomplete flag and its sources."""
    notice = f'<div class="tl-notice">{escape(answer.notice)}</div>' if answer.notice else ""
    notice += render_rejected(answer.rejected, lang)
    flag = (
        f'<div class="tl-incomplete">{escape(text(lang, "incomplete"))}</div>'
        if answer.incomplete
        else ""
    )
    if answer.abstained:
        body = f"<p>{escape(plain_text(answer.answer))}</p>"
        return (
            f'{notice}<div class="tl-answer tl-abstained">{body}</div>'
            f'<div class="tl-sources">{render_closest(answer.passages, lang)}</div>'
        )
    sources = "".join(render_citation(c, turn) for c in answer.citations)
    if answer.answerer == "llm":
        flag += f'<div class="tl-legend">{escape(text(lang, "legend"))}</div>'

    heading = f'<div class="tl-sources-h">{escape(text(lang, "sources"))}</div>' if sources else ""
    return (
        f'{notice}<div class="tl-answer">{render_answer_text(answer, turn, lang)}{flag}</div>'
        f'<div class="tl-sources">{heading}{sources}</div>'
    )


def render_question(question: str, lang: str) -> str:
    """The user's question line; a long question is folded after ``QUESTION_SHOWN`` chars."""
    shown = escape(question)
    if len(question) > QUESTION_SHOWN:
        head, rest = question[:QUESTION_SHOWN], question[QUESTION_SHOWN:]
        shown = (
            f"{escape(head)}<details><summary>… {escape(text(lang, 'more'))}</summary>"
            f"{escape(rest)}</details>"
        )
    return (
        f'<div class="tl-q"><span class="tl-who">{escape(text(lang, "you"))}:</span>{shown}</div>'
    )


def render_pending(question: str, partial: str, lang: str, status: str = "") -> str:
    """A turn still being answered: the streamed text so far, escaped, without links (before
    the first token: ``status``, or "Searching the articles…")."""
    shown = escape(plain_text(partial)) if partial else escape(status or text(lang, "thinking"))
    return f'{render_question(question, lang)}<div class="tl-answer tl-streaming">{shown}▍</div>'


def render_error(question: str, message: str, lang: str) -> str:
    """A turn that failed."""
    return (
        f'{render_question(question, lang)}<div class="tl-answer tl-error">'
        f"{escape(text(lang, 'error'))}: {escape(message)}</div>"
    )


def render_conversation(turns: list[Answer], lang: str, pending: str = "") -> str:
    """Every turn of the conversation, oldest first, plus an optional pending turn's HTML, in
    a box that scrolls on its own (so that the question box never covers an answer)."""
    if not turns and not pending:
        empty = escape(text(lang, "empty"))
        return f'<div class="tl-scroll"><div class="tl-empty">{empty}</div></div>'
    cards = [
        f'<div class="tl-turn">{render_question(a.question, lang)}{render_answer(a, i, lang)}</div>'
        for i, a in enumerate(turns)
    ]
    if pending:
        cards.append(f'<div class="tl-turn">{pending}</div>')
    return f'<div class="tl-scroll">{"".join(cards)}</div>'
