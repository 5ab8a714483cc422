"""Make untrusted text (documents, model output) safe to show: no HTML, images or live links."""

from __future__ import annotations

import html
import re

import nh3

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_REF_IMAGE = re.compile(r"!\[([^\]]*)\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}
_DANGEROUS_SCHEME = re.compile(r"\b(?:javascript|vbscript|data)\s*:", re.I)


def plain_text(text: str) -> str:
    """Strip HTML, Markdown images and link targets; keep the visible words.

    ``[text](url)`` becomes ``text``; images vanish (their alt text stays); tags and script
    bodies are removed; ``javascript:``-like schemes are defused. Citation markers ``[n]`` stay.
    """
    text = nh3.clean(text, tags=set(), clean_content_tags=_DROPPED_WITH_CONTENT)  # escapes text
    text = _IMAGE.sub(r"\1", text)
    text = _REF_IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_DEF.sub("", text)
    text = _DANGEROUS_SCHEME.sub("", text)
    return html.unescape(text).replace("<", "‹").replace(">", "›").strip()


def escape(text: str) -> str:
    """HTML-escape text for display inside our own markup."""
    return html.escape(text, quote=True)
