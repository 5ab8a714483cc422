"""Words, stems and stopwords: the one tokenizer shared by BM25, the answer engine and the judge.

Stems come from the Snowball stemmers of PyStemmer (Indonesian and English); stopwords from kept
lists (stopwords-iso's Indonesian list, the NLTK-style English list bundled with bm25s); word
frequencies from wordfreq. Negations are never stopwords: "tidak impas" must not match its
opposite.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

# Closed class: words that turn a statement into its opposite.
NEGATIONS = frozenset(
    """tidak tak bukan belum tanpa jangan tiada enggak nggak gak no not never without nor none
    neither cannot nobody nothing""".split()
)

_WORD = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_local = threading.local()


@lru_cache(maxsize=2)
def stopwords(lang: str) -> frozenset[str]:
    """Function words of a language ('id' or 'en'), negations excluded."""
    if lang == "id":
        import stopwordsiso

        words = set(stopwordsiso.stopwords("id"))
    else:
        from bm25s.stopwords import STOPWORDS_EN_PLUS

        words = set(STOPWORDS_EN_PLUS)
    return frozenset(w for w in words if w not in NEGATIONS and "'" not in w)


def all_stopwords() -> frozenset[str]:
    """Function words of both languages (for text whose language is unknown, e.g. a question)."""
    return stopwords("id") | stopwords("en")


def _stemmer(lang: str) -> Any:
    """This thread's Snowball stemmer (PyStemmer objects are not thread-safe)."""
    cache: dict[str, Any] | None = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if lang not in cache:
        import Stemmer

        cache[lang] = Stemmer.Stemmer("indonesian" if lang == "id" else "english")
    return cache[lang]


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """The Snowball stem of a lowercase word in ``lang``; numbers are returned unchanged."""
    if _NUMBER.search(word) or len(word) <= 2:
        return word
    return str(_stemmer(lang).stemWord(word)) or word


def normalize_number(token: str) -> str:
    """'1,4' and '1.4' alike; thousands separators ('1.000', '1,000') dropped."""
    core = token.rstrip("%")
    if _THOUSANDS.fullmatch(core):
        core = re.sub(r"[.,]", "", core)
    else:
        core = core.replace(",", ".")
    return core + ("%" if token.endswith("%") else "")


def _split(raw: str) -> list[str]:
    """A raw match as words: possessives and contractions cut, hyphenated words split."""
    word = raw.replace("’", "'")
    if word.endswith("n't"):
        return [word[:-3], "not"]
    word = word.split("'", 1)[0]
    if "-" not in word:
        return [word] if word else []
    parts = [p for p in word.split("-") if p]
    if len(parts) == 2 and parts[0] == parts[1]:
        return [parts[0]]  # Indonesian reduplication: "perusahaan-perusahaan"
    return parts


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for match in _WORD.finditer(text.lower()):
        raw = match.group()
        if raw[0].isdigit():
            out.append(normalize_number(raw))
        else:
            out.extend(_split(raw))
    return tuple(out)


def words(text: str) -> list[str]:
    """Lowercase word and number tokens, in order."""
    return list(_words(text))


def is_content(word: str, lang: str | None = None) -> bool:
    """Not a function word (of ``lang``, or of either language when None), two letters or more."""
    if word[:1].isdigit():
        return True
    stop = stopwords(lang) if lang else all_stopwords()
    return len(word) > 1 and word not in stop


# A word of one language, not of both (wordfreq's Zipf scale: 3 is once per million words).
# Measured: "islands" 4.50 in English against 3.24 in Indonesian, "teluk" 4.37 against 1.58,
# "pengadilan" 4.93 against 0; names both languages write alike stay close: "google" 4.86 and
# 4.91, "bangkok" 3.84 and 4.32, "marina" 3.84 and 3.88.
COMMON_ZIPF = 3.0
OWN_WORD_MARGIN = 1.0


@lru_cache(maxsize=16384)
def zipf(word: str, lang: str) -> float:
    """How common a lowercase word is in ``lang`` (wordfreq's Zipf scale; 0 when unknown)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, lang))


def common_word(word: str, lang: str) -> bool:
    """Whether ``word`` occurs at least once per million words of ``lang``."""
    return zipf(word, lang) >= COMMON_ZIPF


def own_word(word: str, lang: str) -> bool:
    """Whether ``word`` is a common word of ``lang`` that the other language does not use: a
    word a translation replaces ("Islands" for "Kepulauan"), not a name word both languages
    write alike ("Google", "Bangkok") nor a rare one ("Talise")."""
    other = "en" if lang == "id" else "id"
    return common_word(word, lang) and zipf(word, lang) - zipf(word, other) >= OWN_WORD_MARGIN


def terms(text: str, lang: str) -> list[str]:
    """Content words of ``text`` stemmed in its language; numbers normalized (the BM25 tokens)."""
    return [stem(w, lang) for w in _words(text) if is_content(w, lang)]


def term_set(text: str, lang: str) -> frozenset[str]:
    """The distinct terms of a text (cached per text and language)."""
    return _term_set(text, lang)


@lru_cache(maxsize=32768)
def _term_set(text: str, lang: str) -> frozenset[str]:
    return frozenset(terms(text, lang))


def _query_words(text: str) -> list[str]:
    """A question's distinct content words, in order."""
    return list(dict.fromkeys(w for w in _words(text) if is_content(w)))


def query_terms(text: str) -> list[frozenset[str]]:
    """Each distinct content word of a question as its stems in both languages, and the stem
    across a melted consonant (:func:`_restored`).

    A question may be asked in one language about an article in the other, and short questions
    are hard to identify: a word matches a text when either stem is among the text's terms.
    """
    return [frozenset({stem(w, "id"), stem(w, "en"), *_restored(w)}) for w in _query_words(text)]


def flat_query_terms(text: str) -> list[str]:
    """The BM25 query: each content word's stems in both languages, without duplicates (not
    the restored stems, which cost BM25 more wrong matches than they find)."""
    return list(
        dict.fromkeys(s for w in _query_words(text) for s in sorted({stem(w, "id"), stem(w, "en")}))
    )


_VOWELS = frozenset("aeiou")


def _restored(word: str) -> tuple[str, ...]:
    """The other form of an Indonesian stem whose first consonant a meN-/peN- prefix took.

    Snowball strips "meng"/"men" and leaves the stem without the k or t the prefix melted
    ("mengetuai" → "etua", root "ketua"; "menulis" → "ulis", root "tulis"), so the verb and
    its root noun never share a stem. A question word gets both forms: "mengetuai" also
    "ketua", and "ketua" or "ditulis" also "etua" or "ulis" (the stems an article's
    "mengetuai" or "menulis" has).
    """
    s = stem(word, "id")
    if len(s) < 3:
        return ()
    if s[0] in _VOWELS and word[:4] not in ("meny", "peny") and word[:3] in ("men", "pen"):
        root = ("k" if word[3] == "g" else "t") + s
        return (root, stem(root, "id"))
    melted = {
        stem(("meng" if base[0] == "k" else "men") + base[1:], "id")
        for base in {word, s}  # "ketua" (stem "tua"), "ditulis" (stem "tulis")
        if base[0] in "kt" and base[1:2] in _VOWELS and len(base) >= 4
    }
    return tuple(sorted(m for m in melted if m[:1] in _VOWELS and m != s))
    if s[0] in _VOWELS and word[:4] in ("meng", "peng"):
        return ("k" + s,)
    if s[0] in _VOWELS and word[:3] in ("men", "pen") and word[:4] not in ("meny", "peny"):
        return ("t" + s,)
    if s[0] in "kt" and s[1:2] in _VOWELS and len(s) >= 4 and s == word[: len(s)]:
        return (s[1:],)
    return ()


def has_negation(text: str) -> bool:
    """Whether any negation word occurs in ``text``."""
    return any(w in NEGATIONS or w == "not" for w in _words(text))


def overlap(groups: Iterable[frozenset[str]], text_terms: frozenset[str]) -> list[bool]:
    """For each question word (its stem group), whether it occurs among ``text_terms``."""
    return [bool(g & text_terms) for g in groups]


# Closed class: how English spellings of shared (mostly Latin and Greek) words map onto
# Indonesian spelling ("infrastructure" ~ "infrastruktur", "capacity" ~ "kapasitas").
_SPELLING = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"ch"), "k"),
    (re.compile(r"qu"), "kw"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(.)\1"), r"\1"),
)
COGNATE_LETTERS = 5


@lru_cache(maxsize=65536)
def cognate_key(word: str) -> str | None:
    """The first letters of a word in a shared spelling, for words of six letters or more."""
    if len(word) < COGNATE_LETTERS + 1 or not word.isalpha():
        return None
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    return word[:COGNATE_LETTERS]


def cognate_keys(word: str) -> frozenset[str]:
    """Cognate keys of a word and of its Indonesian stem ("direnovasi" -> "renovasi")."""
    keys = {cognate_key(word), cognate_key(stem(word, "id"))}
    return frozenset(k for k in keys if k)


@lru_cache(maxsize=32768)
def cognate_set(text: str) -> frozenset[str]:
    """The cognate keys of a text's content words."""
    return frozenset(k for w in _words(text) if is_content(w) for k in cognate_keys(w))


# Closed class: roles and titles people hold, one key for both languages ("ketua" ~ "chair",
# "juru bicara" ~ "spokesperson"): a question asks for the holder of a role in one language
# and the article names it in the other.
_ROLE_WORDS: dict[str, str] = {
    **dict.fromkeys(
        """kepala ketua pemimpin pimpinan memimpin dipimpin mengetuai diketuai komandan kapolres
        kapolda kapolri head heads headed chair chairs chaired chairman chairwoman chairperson
        leader leaders leads commander speaker""".split(),
        "lead",
    ),
    **dict.fromkeys("jubir spokesperson spokesman spokeswoman".split(), "spokesperson"),
    **dict.fromkeys("wakil deputy vice".split(), "deputy"),
    **dict.fromkeys("direktur dirut director directors manajer manager".split(), "director"),
    **dict.fromkeys("ceo".split(), "ceo"),
    **dict.fromkeys("presiden president".split(), "president"),
    **dict.fromkeys("menteri minister".split(), "minister"),
    **dict.fromkeys("walikota mayor".split(), "mayor"),
    **dict.fromkeys("bupati regent".split(), "regent"),
    **dict.fromkeys("gubernur governor".split(), "governor"),
    **dict.fromkeys("pelatih coach".split(), "coach"),
    **dict.fromkeys("kapten captain skipper".split(), "captain"),
    **dict.fromkeys("pemilik owner owners".split(), "owner"),
    **dict.fromkeys("pendiri founder founders".split(), "founder"),
    **dict.fromkeys("hakim judge judges".split(), "judge"),
    **dict.fromkeys("jaksa prosecutor prosecutors".split(), "prosecutor"),
    **dict.fromkeys("pengacara advokat lawyer lawyers attorney".split(), "lawyer"),
    **dict.fromkeys("ahli pakar expert experts specialist analis analyst".split(), "expert"),
    **dict.fromkeys(
        "peneliti ilmuwan researcher researchers scientist scientists".split(), "researcher"
    ),  # fmt: skip
}
_ROLE_PHRASES = {
    "president director": "director",
    "presiden direktur": "director",
    "direktur utama": "director",
    "juru bicara": "spokesperson",
    "kuasa hukum": "lawyer",
    "wali kota": "mayor",
    "chief executive": "ceo",
}
_ROLE_PHRASE = re.compile(r"\b(?:" + "|".join(_ROLE_PHRASES) + r")\b")


@lru_cache(maxsize=32768)
def role_keys(text: str) -> frozenset[str]:
    """The roles a text names, by their key in both languages ("Ketua koperasi" -> "lead")."""
    low = text.lower()
    found = {_ROLE_PHRASES[m] for m in _ROLE_PHRASE.findall(low)}
    rest = _ROLE_PHRASE.sub(" ", low)
    return frozenset(found | {_ROLE_WORDS[w] for w in _words(rest) if w in _ROLE_WORDS})
