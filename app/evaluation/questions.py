"""The test-question file: one JSON object per line (see docs/EVALUATION.md)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

_TYPE_ID = re.compile(r"^[a-z]{2}-([a-z]+)-\d+$")


class QuestionFileError(ValueError):
    """A malformed test-question file; the message names the file and line."""


class EvalQuestion(BaseModel):
    """One test question (a line of the JSONL file)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    id: str = Field(description="Unique id, conventionally '<lang>-<type>-NN'.")
    question: str = Field(description="The question as a user would ask it.")
    lang: Literal["id", "en"] = Field(description="Language of the question.")
    answer_all: list[str] = Field(
        default_factory=list,
        description="Regexes the answer must all match (case-insensitive); empty when "
        "unanswerable or open.",
    )
    evidence: list[str] = Field(
        default_factory=list,
        description="Strings marking a relevant passage (whitespace-normalized, case-folded).",
    )
    answerable: bool = Field(description="Whether the corpus holds the answer.")
    evidence_min_distinct: int = Field(
        1, ge=1, description="Distinct evidence strings the cited passages must contain."
    )
    points: list[str] | None = Field(
        None, description="Regexes of the key points a good answer to an open question states."
    )

    @field_validator("answer_all", "points")
    @classmethod
    def _regexes_compile(cls, patterns: list[str] | None) -> list[str] | None:
        for pattern in patterns or []:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
        return patterns

    @model_validator(mode="after")
    def _evidence_suffices(self) -> EvalQuestion:
        if self.answerable and not self.evidence:
            raise ValueError("an answerable question needs at least one evidence string")
        if self.evidence and self.evidence_min_distinct > len(self.evidence):
            raise ValueError("evidence_min_distinct exceeds the number of evidence strings")
        return self

    @property
    def type(self) -> str:
        """The question type from an id shaped '<lang>-<type>-NN', else 'other'."""
        match = _TYPE_ID.match(self.id)
        return match.group(1) if match else "other"


def _describe(exc: ValidationError) -> str:
    parts: list[str] = []
    for error in exc.errors():
        where = ".".join(str(x) for x in error["loc"])
        if error["type"] == "missing":
            parts.append(f"missing key {where!r}")
        elif error["type"] == "extra_forbidden":
            parts.append(f"unexpected key {where!r}")
        elif error["type"] == "value_error":  # our validators' messages name the problem
            parts.append(str(error["msg"]).removeprefix("Value error, "))
        else:
            parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return "; ".join(parts)


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Read a JSONL test-question file; blank lines are skipped, unknown keys ignored (with one
    warning line on stderr naming them).

    Raises:
        QuestionFileError: on invalid JSON, missing keys, wrong types, a bad regex or a
            duplicate id; the message starts with "<file>:<line>:".
    """
    path = Path(path)
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    extra: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise QuestionFileError(f"{where}: invalid JSON: {exc.msg}") from None
            if not isinstance(data, dict):
                raise QuestionFileError(f"{where}: expected a JSON object")
            try:
                question = EvalQuestion.model_validate(data)
            except ValidationError as exc:
                raise QuestionFileError(f"{where}: {_describe(exc)}") from None
            if question.id in seen:
                raise QuestionFileError(f"{where}: duplicate id {question.id!r}")
            extra.update(k for k in data if k not in EvalQuestion.model_fields)
            seen.add(question.id)
            questions.append(question)
    if extra:
        print(
            f"warning: {path.name}: ignored unknown keys: {', '.join(sorted(extra))}",
            file=sys.stderr,
        )
    return questions


def select_part(questions: list[EvalQuestion], split: Path, part: str) -> list[EvalQuestion]:
    """The questions of one part ("train" or "heldout") of a split file."""
    data: dict[str, Any] = json.loads(split.read_text(encoding="utf-8"))
    if part not in data or "questions" not in data[part]:
        raise QuestionFileError(f"{split.name}: no part {part!r} with a 'questions' list")
    wanted = set(data[part]["questions"])
    return [q for q in questions if q.id in wanted]
