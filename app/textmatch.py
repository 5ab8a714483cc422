"""Word-level matching shared by the extractive answerer and the citation judge.

Tokens are lowercase words (lexicon phrases joined with ``_``). A word's *keys* are its stem
(PySastrawi for Indonesian, a light suffix stripper for English), a cognate spelling and the stems
of its lexicon synonyms, so "kerugiannya", "kerugian" and "losses" meet. :class:`Vocab` holds the
keys of a text and answers whether a word occurs in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from app.lexicon import phrases, synonyms
from vectorstore.keyword import sastrawi

STOPWORDS_ID = frozenset(
    """yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan juga atau oleh
    sebagai karena telah sudah bahwa mereka kami kita saya ada bisa lebih para tersebut menjadi
    dapat sekitar hingga namun sebesar milik baru apa siapa kapan berapa mengapa kenapa bagaimana
    sedang belum masih agar serta setelah apakah seperti sangat jika kalau maka lalu lain lainnya
    ia dia nya pun saja hanya sama sendiri begitu sebelum antara terhadap tentang mengenai atas
    bagi tanpa hal kini saat ketika sementara sebaliknya yaitu yakni kemudian secara paling
    banyak semua seluruh setiap masing beberapa suatu sebuah seorang tiap mana sini sana
    harus perlu ingin boleh mungkin punya memiliki dimiliki adanya ialah merupakan buah
    sebagainya tadi nanti sejak selama sampai jadi bukan belum oleh tapi tetapi melainkan
    dahulu pula lah kah tak para dll dsb dst yg dgn utk tsb ya""".split()
)
STOPWORDS_EN = frozenset(
    """the and of to in is that for on with as was by it this are be from or at an which have
    has had not will would their its what who whom whose when where how much many why were been
    than more about into they he she we our you your does did do doing a i me my him her them
    there here these those so such but if then else also just only very can could should may
    might must shall being over under up down out off again further once all any both each few
    other some no nor same too s t don now am per via while whether yet ever every since
    until upon within without against between through during before after above below""".split()
)
STOPWORDS = STOPWORDS_ID | STOPWORDS_EN

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
_NAME_WORD = re.compile(r"[^\W\d_][\w&'’.-]*", re.UNICODE)


# ---------------------------------------------------------------- tokens and stems


def _split_hyphen(word: str) -> list[str]:
    word = word.replace("’", "'")
    if "'" in word:
        word = word.split("'", 1)[0]
    if "-" not in word:
        return [word]
    joined = word.replace("-", "_")
    if synonyms(joined):
        return [joined]
    parts = [p for p in word.split("-") if p]
    if len(parts) == 2 and parts[0] == parts[1]:
        return [parts[0]]
    return parts


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens of ``text``; lexicon phrases ("titik impas") become one token."""
    return list(_tokenize(text))


@lru_cache(maxsize=32768)
def _tokenize(text: str) -> tuple[str, ...]:
    raw: list[str] = []
    for match in _WORD.finditer(text.lower()):
        raw.extend(_split_hyphen(match.group()))
    table = phrases()
    out: list[str] = []
    i = 0
    while i < len(raw):
        for size in (3, 2):
            joined = table.get(tuple(raw[i : i + size]))
            if joined:
                out.append(joined)
                i += size
                break
        else:
            out.append(raw[i])
            i += 1
    return tuple(out)


_EN_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ies", "y"),
    ("sses", "ss"),
    ("ness", ""),
    ("ments", ""),
    ("ment", ""),
    ("ings", ""),
    ("ing", ""),
    ("edly", ""),
    ("ed", ""),
    ("ers", "er"),
    ("ly", ""),
    ("s", ""),
)


def english_stem(word: str) -> str:
    """A light English suffix stripper (plural, -ing, -ed, -ly, -ment, -ness)."""
    if len(word) <= 4 or word.endswith(("ss", "us", "is")):
        return word.rstrip("e") if len(word) > 4 else word
    for suffix, repl in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Stem one lowercase token: PySastrawi for Indonesian words, else the English stripper."""
    if "_" in word or not word.isalpha():
        return word
    stemmer, dictionary = sastrawi()
    base = _strip_nya(word)
    stemmed: str = stemmer.stem(base)  # type: ignore[attr-defined]  # Sastrawi is untyped
    if stemmed != base or base in dictionary:
        # Stems that collide with function words ("pendapatan" -> "dapat") keep the word.
        return base if stemmed in STOPWORDS or stemmed in _AMBIGUOUS_STEMS else stemmed
    return english_stem(base)


def is_affixed_verb(word: str) -> bool:
    """An Indonesian me-/di-/ber-/ter- derived word or an English -ed/-ing form."""
    if word.endswith(("ed", "ing")) and len(word) > 5:
        return not synonyms(word)
    if not word.startswith(("me", "di", "ber", "ter")) or "_" in word:
        return False
    stemmer, _ = sastrawi()
    root: str = stemmer.stem(word)  # type: ignore[attr-defined]  # Sastrawi is untyped
    return root != word and root not in STOPWORDS


_AMBIGUOUS_STEMS = frozenset("diri kata ada buat laku guna kan".split())


_TION = re.compile(r"tion(s)?$")
_ITY = re.compile(r"ity$")
_SOFT_C = re.compile(r"c(?=[eiy])")
_DOUBLE = re.compile(r"(.)\1")


@lru_cache(maxsize=65536)
def cognate(word: str) -> str:
    """An Indonesian-like spelling of a Latin-root word: "infrastructure" -> "infrastruktur"."""
    w = word.replace("ph", "f").replace("th", "t").replace("qu", "kw").replace("x", "ks")
    w = _TION.sub("si", w)
    w = _ITY.sub("itas", w)
    w = _SOFT_C.sub("s", w).replace("c", "k").replace("y", "i")
    w = _DOUBLE.sub(r"\1", w)
    return w[:-1] if w.endswith("e") and len(w) > 5 else w


@lru_cache(maxsize=65536)
def word_keys(word: str) -> frozenset[str]:
    """Keys under which a token can match: stem, cognate, and its lexicon synonyms' stems."""
    base = stem(word)
    keys = {word, _strip_nya(word), base, cognate(base)}
    for syn in synonyms(word) | synonyms(base) | synonyms(_strip_nya(word)):
        keys.add(syn)
        syn_stem = stem(syn)
        if synonyms(syn_stem) or len(syn_stem) >= 6:  # short roots ("kerja") are too broad
            keys.add(syn_stem)
    return frozenset(k for k in keys if k)


def _strip_nya(word: str) -> str:
    return word[:-3] if word.endswith("nya") and len(word) > 6 else word


def is_content(word: str) -> bool:
    """Whether a token carries content (not a stopword, at least two letters)."""
    return len(word) > 1 and word not in STOPWORDS


def content_words(text: str, exclude: Iterable[str] = ()) -> list[str]:
    """Content tokens of ``text`` in order, without duplicates or excluded words."""
    skip = set(exclude)
    seen: set[str] = set()
    out: list[str] = []
    for token in tokenize(text):
        if is_content(token) and token not in skip and stem(token) not in skip:
            if token not in seen:
                seen.add(token)
                out.append(token)
    return out


class Vocab:
    """The matchable keys of a text (or of several texts)."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.keys: set[str] = set()
        self.surface: set[str] = set()
        self._by_prefix: dict[str, list[str]] | None = None
        self._has: dict[str, bool] = {}
        for text in texts:
            self.add(text)

    @staticmethod
    def of(text: str) -> Vocab:
        """The (cached, shared: do not ``add`` to it) vocabulary of one text."""
        return _vocab_of(text)

    @staticmethod
    def merged(texts: Iterable[str]) -> Vocab:
        """The vocabulary of several texts, from their cached single-text vocabularies."""
        out = Vocab()
        for text in texts:
            one = _vocab_of(text)
            out.keys |= one.keys
            out.surface |= one.surface
        return out

    def add(self, text: str) -> None:
        """Add the tokens of ``text``."""
        self._by_prefix, self._has = None, {}
        for token in tokenize(text):
            self.surface.add(token)
            base = stem(token)
            self.keys.update((token, _strip_nya(token), base, cognate(base)))
            if "_" in token:  # a joined phrase still contains its words ("gedung_putih")
                for part in token.split("_"):
                    if is_content(part):
                        self.keys.update((part, stem(part)))

    def has(self, word: str) -> bool:
        """Whether ``word`` (a token) occurs, by stem, cognate, synonym or shared long prefix."""
        known = self._has.get(word)
        if known is None:
            known = self._has[word] = self._lookup(word)
        return known

    def _lookup(self, word: str) -> bool:
        keys = word_keys(word)
        if keys & self.keys:
            return True
        if self._by_prefix is None:
            self._by_prefix = {}
            for other in self.keys:
                if len(other) >= 6:
                    self._by_prefix.setdefault(other[:5], []).append(other)
        long_keys = [key for key in keys if len(key) >= 6 and "_" not in key]
        return any(
            _prefix_match(key, other)
            for key in long_keys
            for other in self._by_prefix.get(key[:5], ())
        )


@lru_cache(maxsize=16384)
def _vocab_of(text: str) -> Vocab:
    return Vocab([text])


def _prefix_match(a: str, b: str) -> bool:
    if len(b) < 6 or a[:5] != b[:5]:
        return False
    need = max(6, min(len(a), len(b)) - 2)
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= need


# ---------------------------------------------------------------- proper names


def is_acronym(word: str) -> bool:
    """All capitals, at least two letters: AMD, CEO, GPU."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _is_camel_or_acronym(word: str) -> bool:
    if is_acronym(word):
        return True
    return any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)


KNOWN_ENTITIES = frozenset(
    """openai anthropic google alphabet meta microsoft nvidia amd oracle softbank apple amazon
    tesla intel ibm chatgpt claude gemini stargate xai deepmind samsung tsmc broadcom coreweave
    netflix facebook instagram whatsapp twitter baidu alibaba tencent huawei bytedance tiktok
    mistral cohere perplexity""".split()
)
_START_GAP = re.compile(r"(?:[.!?:;]\s*|[“\"(*]\s*)$")


def proper_names(sentence: str) -> list[str]:
    """Proper names in a sentence (see ``_proper_names``); cached per sentence."""
    return list(_proper_names(sentence))


@lru_cache(maxsize=32768)
def _proper_names(sentence: str) -> tuple[str, ...]:
    """Proper names in a sentence: capitalized runs not at its start, acronyms, known names.

    Runs of capitalized words are returned whole ("Sam Altman"); acronyms, CamelCase and known
    company names stand alone. A word at
    the start of the sentence (or after a colon or an opening quote) counts only when it is an
    acronym, CamelCase or a known company name.
    """
    names: list[str] = []
    run: list[str] = []
    last_end = 0
    for match in _NAME_WORD.finditer(sentence):
        word = _trim_compound(re.sub(r"['’]s$", "", match.group()).rstrip(".'’-"))
        gap = sentence[last_end : match.start()]
        at_start = last_end == 0 or bool(_START_GAP.search(gap))
        last_end = match.end()
        name = _looks_like_name(word, at_start)
        single = name and (_is_camel_or_acronym(word) or word.lower() in KNOWN_ENTITIES)
        if run and (not name or single or gap.strip(" ")):
            names.append(" ".join(run))
            run = []
        if single:
            names.append(word)  # "OpenAI Sarah Friar" is two names
        elif name:
            run.append(word)
    if run:
        names.append(" ".join(run))
    return tuple(names)


def _trim_compound(word: str) -> str:
    """ "AI-related" -> "AI": a lowercase tail after a hyphen is an adjective, not a name part."""
    head, _, tail = word.partition("-")
    return head if tail and tail.islower() else word


def _looks_like_name(word: str, at_start: bool) -> bool:
    if not word or not word[0].isupper() or word.lower() in STOPWORDS:
        return _is_camel_or_acronym(word) and word.lower() not in STOPWORDS_EN
    if _is_camel_or_acronym(word) or word.lower() in KNOWN_ENTITIES:
        return True
    return not at_start and len(word) > 1


# ---------------------------------------------------------------- numbers

_SCALES: dict[str, int] = {
    "ribu": 10**3, "thousand": 10**3, "rb": 10**3, "k": 10**3,
    "juta": 10**6, "million": 10**6, "mln": 10**6, "mn": 10**6, "jt": 10**6, "m": 10**6,
    "miliar": 10**9, "milyar": 10**9, "billion": 10**9, "bn": 10**9, "b": 10**9,
    "triliun": 10**12, "trillion": 10**12, "tn": 10**12, "t": 10**12,
}  # fmt: skip
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<cur>US\$|USD\s?|Rp\.?\s?|IDR\s?|\$|€|£)?"
    r"(?P<num>\d+(?:[.,]\d+)*)"
    r"(?:-an\b)?"
    r"(?P<pct>\s?(?:%|persen\b|percent\b|per\scent\b|pct\b))?"
    r"(?P<scale>\s?(?:ribu|thousand|juta|million|mln|miliar|milyar|billion|triliun|trillion)\b"
    r"|(?:rb|jt|mn|bn|tn|[kmbt])\b)?"
    r"(?P<cur2>\s?(?:dolar|dollars?|USD|rupiah)\b)?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<![\w.,$])(?:1[89]\d\d|20\d\d)(?:-an|['’]?s)?(?![\w%]|[.,]\d)")


def parse_number(digits: str) -> float:
    """Parse "1,4" / "1.4" (decimal) and "1,000" / "1.000" (thousands) alike."""
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        return float(digits.replace(thousands, "").replace(decimal, "."))
    sep = "," if "," in digits else "." if "." in digits else ""
    if not sep:
        return float(digits)
    parts = digits.split(sep)
    if len(parts) > 2 or (len(parts[1]) == 3 and len(parts[0]) <= 3):
        return float("".join(parts))
    return float(digits.replace(sep, "."))


def number_facts(text: str) -> list[tuple[float, str]]:
    """Numbers in ``text`` as (value, kind), kind in {"percent", "money", "number"}.

    "$74 miliar", "74 miliar dolar" and "USD 74 billion" all give (74e9, "money").
    """
    return [fact for _, fact in number_mentions(text)]


def number_mentions(text: str) -> list[tuple[str, tuple[float, str]]]:
    """Each number as written ("$74 miliar") with its normalized fact (see number_facts)."""
    facts: list[tuple[str, tuple[float, str]]] = []
    for m in _NUMBER.finditer(text):
        value = parse_number(m.group("num"))
        scale_word = (m.group("scale") or "").strip().lower()
        if scale_word in ("k", "m", "b", "t") and (m.group("scale") or "").startswith(" "):
            scale_word = ""
        value *= _SCALES.get(scale_word, 1)
        if m.group("pct"):
            kind = "percent"
        elif m.group("cur") or m.group("cur2"):
            kind = "money"
        else:
            kind = "number"
        facts.append((m.group().strip(), (round(value, 6), kind)))
    return facts


def facts_match(fact: tuple[float, str], pool: Iterable[tuple[float, str]]) -> bool:
    """Whether ``pool`` holds the same value (a percentage must meet a percentage)."""
    value, kind = fact
    for other_value, other_kind in pool:
        if abs(other_value - value) <= 1e-9 * max(1.0, abs(value)):
            if kind != "percent" or other_kind == "percent":
                return True
    return False


def years(text: str) -> list[int]:
    """Four-digit years (1800-2099) in ``text``; "1990-an" and "1990s" give 1990."""
    return [int(m.group()[:4]) for m in _YEAR.finditer(text)]
