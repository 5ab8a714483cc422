"""Prompt templates live here as .txt files; rendered strictly (a missing variable is an error)."""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

_DIR = Path(__file__).parent


class PromptError(KeyError):
    """A template was rendered with missing or unexpected variables."""


@cache
def load(name: str) -> str:
    """The raw text of ``prompts/<name>.txt``."""
    path = _DIR / f"{name}.txt"
    if not path.is_file():
        raise PromptError(f"no prompt named {name!r} in {_DIR}")
    return path.read_text(encoding="utf-8")


def variables(name: str) -> set[str]:
    """The ``{placeholders}`` a template expects."""
    return {field for _, field, _, _ in string.Formatter().parse(load(name)) if field}


def render(name: str, **values: str) -> str:
    """Fill a template; the given variables must be exactly the expected ones."""
    expected = variables(name)
    if set(values) != expected:
        missing, extra = expected - set(values), set(values) - expected
        raise PromptError(f"prompt {name!r}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    return load(name).format(**values)
