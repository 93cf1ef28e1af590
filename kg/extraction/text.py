"""Pure text helpers shared by parsing, extraction and claim identity.

Claims arrive with HTML anchors, odd whitespace and truncation at about 120 characters;
identity must not depend on any of that, so every comparison goes through
:func:`match_text` and every key through :func:`stable_key`.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from functools import lru_cache

#: Control characters that no report means: C0 (but tab and the line breaks), DEL, C1 (with NEL, U+0085),
#: and the Unicode line and paragraph separators. Stores disagree on them (FalkorDB rejects NUL).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # in a str, any surrogate is a lone one
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: The longest line a report or a .jsonl file may have: a claim is about 120 characters, a paper
#: record a few thousand; a longer line is an error, not something to hold the store lock over.
MAX_LINE_CHARS = 100_000

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?)])")
_TERMINAL = (".", "!", "?", '"', "'", ")", "]", "”", "’")
_TRAILING_PUNCT = re.compile(r"[\s.,;:!?]+$")

#: Claims at least this long that end mid-sentence are taken as truncated by the report
#: generator (which cuts at about 120 characters); shorter unpunctuated claims are not.
TRUNCATION_MIN_LENGTH = 100


def normalise_controls(text: str) -> str:
    """Input text as every store can hold it: control characters become spaces, lone surrogates U+FFFD.

    Applied once, where text enters (files, JSON values), so all backends see the same strings.
    """
    return _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text))


def split_lines(text: str) -> list[str]:
    """Lines split on \\n, \\r\\n and \\r only (``str.splitlines`` also splits on U+2028, \\x0b, \\x85…)."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def strip_markup(text: str) -> str:
    """Drop HTML tags but keep their text: ``<a href="u">u</a>`` becomes ``u``."""
    return html.unescape(_TAG.sub("", text))


@lru_cache(maxsize=1 << 18)
def clean_text(text: str) -> str:
    """Markup-free, whitespace-collapsed, NFKC-normalised display text.

    Memoised: one claim row is cleaned for its display text, its identity and its truncation test,
    and most rows of a large corpus repeat a claim seen before.
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", strip_markup(text))).strip()


def without_format_characters(text: str) -> str:
    """``text`` without invisible format characters (Unicode category Cf): zero-width space and joiner,
    soft hyphen, word joiner, byte-order mark, bidi embeddings and overrides. They change no word a reader
    sees, yet each made a separate claim, and "PAWS\u200d-X" lost its benchmark."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


@lru_cache(maxsize=1 << 18)
def match_text(text: str) -> str:
    """The form two claims are compared in: clean, case-folded, without trailing punctuation or
    invisible format characters (the display text keeps what was written).

    ``"… Robust-XLT ."`` and ``"… Robust-XLT."`` compare equal; so do the anchor and the
    plain-URL versions of the same claim.
    """
    folded = without_format_characters(clean_text(text)).casefold()
    folded = _SPACE_BEFORE_PUNCT.sub(r"\1", folded)
    return _TRAILING_PUNCT.sub("", folded)


def looks_truncated(text: str) -> bool:
    """A long claim that stops mid-sentence was cut by the report generator."""
    cleaned = clean_text(text)
    return len(cleaned) >= TRUNCATION_MIN_LENGTH and not cleaned.endswith(_TERMINAL)


def stable_key(prefix: str, *parts: str) -> str:
    """A short content hash, stable across runs and machines, used as a node key."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}_{digest}"


_TOKEN = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "those",
        "to",
        "was",
        "we",
        "were",
        "which",
        "with",
    ]
)


def content_tokens(text: str) -> frozenset[str]:
    """Lower-cased word tokens without stop words, for overlap measures."""
    return frozenset(t for t in _TOKEN.findall(match_text(text)) if t not in _STOPWORDS)


def has_words(text: str) -> bool:
    """Whether a cleaned text holds a letter or a digit: "...", "!!!" or an empty tag is no claim."""
    return any(c.isalnum() for c in clean_text(text))
