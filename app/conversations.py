"""Saved conversations: one JSON file per chat under ``<data_dir>/conversations``, and export.

A :class:`Conversation` holds the answered turns (:class:`~app.types.Answer` records) of one
chat. :class:`ConversationStore` saves them atomically (temporary file, then ``os.replace``),
finds them by id or unique id prefix and lists them newest first, skipping unreadable files.
:func:`export_markdown` turns a conversation into a Markdown document whose per-turn reference
lists are numbered exactly like the answer's ``[n]`` markers and quote the highlighted spans.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import json
import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from app.types import Answer, Citation

if TYPE_CHECKING:
    from app.settings import Settings

ID_LENGTH = 12
MIN_PREFIX = 4
TITLE_CHARS = 80
KEPT_PASSAGES = 3
QUOTE_CHARS = 200
_ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")
_KEY = re.compile(rf"[0-9a-f]{{{MIN_PREFIX},{ID_LENGTH}}}")
_SPACE = re.compile(r"\s+")


class ConversationError(ValueError):
    """A conversation could not be read or found."""


class ConversationNotFound(ConversationError):
    """No saved conversation matches the given id or prefix."""


class Conversation(BaseModel):
    """One chat: its questions and answers, in order."""

    id: str = Field(description="Short identifier (12 hex characters).")
    title: str = Field("", description="The first question, cut to 80 characters.")
    created: str = Field(description="Creation time, ISO-8601 UTC (seconds).")
    updated: str = Field(description="Last save time, ISO-8601 UTC (seconds).")
    docs: list[str] = Field(
        default_factory=list, description="Doc ids the chat is scoped to; empty means all."
    )
    turns: list[Answer] = Field(default_factory=list, description="The answered questions.")


class ConversationSummary(BaseModel):
    """What a listing shows of a conversation."""

    id: str
    title: str
    updated: str
    turns: int = Field(description="Number of answered questions.")


def now() -> str:
    """The current time as ISO-8601 UTC, to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space."""
    return _SPACE.sub(" ", text).strip()


def make_title(question: str) -> str:
    """A conversation title from its first question: one line, at most 80 characters."""
    text = one_line(question)
    if len(text) <= TITLE_CHARS:
        return text
    return text[: TITLE_CHARS - 1].rstrip() + "…"


def stored_turn(answer: Answer) -> Answer:
    """The answer as saved: unchanged but for its passages, cut to the closest three."""
    if len(answer.passages) <= KEPT_PASSAGES:
        return answer
    return answer.model_copy(update={"passages": answer.passages[:KEPT_PASSAGES]})


class ConversationStore:
    """Conversations saved as ``<id>.json`` files in one folder."""

    def __init__(self, folder: Path) -> None:
        """Use ``folder`` (created on first save)."""
        self.folder = Path(folder)

    @classmethod
    def for_settings(cls, settings: Settings) -> ConversationStore:
        """The store under ``settings.data_dir / "conversations"``."""
        return cls(settings.data_dir / "conversations")

    def path(self, conv_id: str) -> Path:
        """The file of a (full) conversation id."""
        return self.folder / f"{conv_id}.json"

    def ids(self) -> builtins.list[str]:
        """Every saved conversation id, in no particular order."""
        if not self.folder.is_dir():
            return []
        return [p.stem for p in self.folder.glob("*.json") if _ID.fullmatch(p.stem)]

    def matches(self, key: str) -> builtins.list[str]:
        """Saved ids starting with ``key`` (at least 4 hex characters), sorted."""
        wanted = key.strip().lower()
        if not _KEY.fullmatch(wanted):
            return []
        return sorted(i for i in self.ids() if i.startswith(wanted))

    def resolve(self, key: str) -> str:
        """The full id matching ``key``: an id or a unique prefix of at least 4 characters.

        Raises:
            ConversationNotFound: Nothing (or more than one conversation) matches.
        """
        found = self.matches(key)
        if not found:
            raise ConversationNotFound(f"no conversation matches {key!r}")
        if len(found) > 1:
            raise ConversationNotFound(
                f"{key!r} matches {len(found)} conversations; give more of the id"
            )
        return found[0]

    def new(self, docs: builtins.list[str] | None = None) -> Conversation:
        """A fresh, empty conversation (saved on its first :meth:`append` or :meth:`save`)."""
        stamp = now()
        return Conversation(
            id=uuid.uuid4().hex[:ID_LENGTH], created=stamp, updated=stamp, docs=list(docs or [])
        )

    def save(self, conv: Conversation) -> None:
        """Write the conversation atomically and set its ``updated`` time.

        The JSON goes to a temporary file in the same folder, which then replaces the old file,
        so a reader never sees half a conversation.
        """
        conv.updated = now()
        conv.turns = [stored_turn(t) for t in conv.turns]
        self.folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps(conv.model_dump(mode="json"), ensure_ascii=False, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{conv.id}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path(conv.id))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def load(self, key: str) -> Conversation:
        """The conversation with id (or unique prefix) ``key``.

        Raises:
            ConversationNotFound: No single conversation matches.
            ConversationError: Its file cannot be read.
        """
        conv_id = self.resolve(key)
        try:
            return self._read(self.path(conv_id))
        except FileNotFoundError:
            raise ConversationNotFound(f"no conversation matches {key!r}") from None
        except (OSError, ValueError) as exc:
            raise ConversationError(
                f"conversation {conv_id} is unreadable ({type(exc).__name__})"
            ) from None

    def list(self) -> builtins.list[ConversationSummary]:
        """Summaries of every readable conversation, most recently updated first."""
        found: builtins.list[tuple[str, int, ConversationSummary]] = []
        for conv_id in self.ids():
            path = self.path(conv_id)
            try:
                conv = self._read(path)
                mtime = path.stat().st_mtime_ns
            except (OSError, ValueError):
                continue
            summary = ConversationSummary(
                id=conv.id, title=conv.title, updated=conv.updated, turns=len(conv.turns)
            )
            found.append((conv.updated, mtime, summary))
        found.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [summary for _, _, summary in found]

    def delete(self, key: str) -> bool:
        """Remove the conversation with id (or unique prefix) ``key``; False when none matches.

        Raises:
            ConversationNotFound: The prefix matches more than one conversation.
        """
        if not self.matches(key):
            return False
        conv_id = self.resolve(key)
        try:
            self.path(conv_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def append(self, conv: Conversation, answer: Answer) -> Conversation:
        """Add an answered turn, title the conversation by its first question, and save it."""
        conv.turns.append(stored_turn(answer))
        if not conv.title:
            first = next((t.question for t in conv.turns if t.question.strip()), "")
            conv.title = make_title(first)
        self.save(conv)
        return conv

    @staticmethod
    def _read(path: Path) -> Conversation:
        return Conversation.model_validate_json(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------ export


def quoted_span(citation: Citation) -> str:
    """The highlighted text of a citation, on one line.

    Spans are document offsets; each is shifted by the passage start and clipped to the
    passage. Several spans are joined with `` … ``; without any, the passage's first 200
    characters stand in.
    """
    text = citation.text
    parts: list[str] = []
    for start, end in citation.spans:
        lo = max(0, start - citation.start)
        hi = min(len(text), end - citation.start)
        piece = one_line(text[lo:hi]) if hi > lo else ""
        if piece:
            parts.append(piece)
    if parts:
        return " … ".join(parts)
    flat = one_line(text)
    return flat if len(flat) <= QUOTE_CHARS else flat[:QUOTE_CHARS].rstrip() + "…"


def reference_line(citation: Citation) -> str:
    """One Markdown reference: ``- [n] **Title** — source — > "quoted span"``."""
    title = one_line(citation.title) or citation.doc_id
    source = one_line(citation.source)
    head = f"- [{citation.n}] **{title}**"
    if source:
        head += f" — {source}"
    return f'{head} — > "{quoted_span(citation)}"'


def _created_line(conv: Conversation) -> str:
    try:
        when = dt.datetime.fromisoformat(conv.created).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        when = conv.created
    line = f"*Created {when}"
    if conv.docs:
        line += " · scoped to: " + ", ".join(f"`{d}`" for d in conv.docs)
    return line + "*"


def _turn_markdown(i: int, turn: Answer) -> list[str]:
    lines = [f"## Q{i}: {one_line(turn.question)}", ""]
    text = turn.answer.strip()
    if turn.abstained:
        paragraphs = [one_line(p) for p in re.split(r"\n\s*\n", text) if p.strip()]
        for paragraph in paragraphs or ["(no answer)"]:
            lines += [f"*{paragraph}*", ""]
        return lines
    lines += [text, ""]
    if turn.citations:
        lines += ["**References**", ""]
        lines += [reference_line(c) for c in sorted(turn.citations, key=lambda c: c.n)]
        lines.append("")
    return lines


def export_markdown(conv: Conversation) -> str:
    """The conversation as a Markdown document: title, date, then each turn with references.

    Each turn is ``## Q<i>: <question>``, the answer text with its ``[n]`` markers, and a
    References list numbered like those markers quoting the highlighted spans. Abstained turns
    show their answer in italics and no references.
    """
    lines = [f"# {one_line(conv.title) or 'Conversation'}", "", _created_line(conv), ""]
    for i, turn in enumerate(conv.turns, start=1):
        lines += _turn_markdown(i, turn)
    return "\n".join(lines).rstrip() + "\n"
