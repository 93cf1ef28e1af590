"""Claim identity: which incoming claim text is an already-known claim.

One ``Claim`` per distinct claim across reports. Texts are compared in
:func:`kg.extraction.text.match_text` form (markup, case, whitespace and trailing punctuation
ignored). A truncated text is the same claim as the one known text it is a prefix of;
a full text absorbs the one known truncated claim that is its prefix. The claim keeps the
key it was first stored under (a content hash of its first-seen text) and the longest
full text seen. Ambiguous prefixes (a truncated text matching two different claims) are
never merged: they become their own claim and the ingest records a warning.

Paraphrases are *not* merged here: they are linked by :mod:`kg.paraphrase.links`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sortedcontainers import SortedList

from kg.extraction.text import clean_text, looks_truncated, match_text, stable_key

MergeKind = Literal["new", "exact", "truncated-prefix", "completes-truncated"]


@dataclass(frozen=True)
class KnownClaim:
    key: str
    text: str
    truncated: bool

    @property
    def match(self) -> str:
        return match_text(self.text)


@dataclass(frozen=True)
class Resolution:
    key: str
    text: str  # the text the claim should now carry (the longest full text)
    truncated: bool
    how: MergeKind
    warning: str | None = None


class ClaimIndex:
    """In-memory index of known claims, built once per ingest run and updated as it goes."""

    def __init__(self, known: list[KnownClaim] | None = None) -> None:
        self._key_by_match: dict[str, str] = {}
        self._best: dict[str, KnownClaim] = {}  # key -> the claim's best text so far
        # every known match text, for prefix search; a SortedList, as inserting into a plain sorted list
        # moves half of it each time (quadratic: minutes at a million claims)
        self._sorted: SortedList[str] = SortedList()
        self._truncated: dict[str, str] = {}  # truncated match text -> key
        self._truncated_lengths: set[int] = set()  # lengths of those texts: the only prefixes worth looking up
        claims = known or []
        matches = [claim.match for claim in claims]
        self._sorted.update(set(matches))
        self._key_by_match.update(dict.fromkeys(matches, ""))  # placeholders: _remember fills them in
        for match, claim in zip(matches, claims, strict=True):
            self._remember(match, claim)

    def __len__(self) -> int:
        return len(self._best)

    def _remember(self, match: str, claim: KnownClaim) -> None:
        if match not in self._key_by_match:
            self._sorted.add(match)
        self._key_by_match[match] = claim.key
        if claim.truncated and match == claim.match:
            self._truncated[match] = claim.key
            self._truncated_lengths.add(len(match))
        current = self._best.get(claim.key)
        if current is None or _rank(claim) > _rank(current):
            self._best[claim.key] = claim

    def _extending(self, prefix: str) -> set[str]:
        """Keys of known claims whose match text starts with ``prefix``."""
        keys: set[str] = set()
        for match in self._sorted.irange(minimum=prefix):
            if not match.startswith(prefix):
                break
            keys.add(self._key_by_match[match])
        return keys

    def _truncated_prefixes_of(self, match: str) -> set[str]:
        """Keys of known truncated claims that ``match`` extends.

        Only the lengths truncated texts really have are tried (truncation happens at about 120
        characters), so the cost does not grow with the length of ``match``: a 200 KB claim
        used to build every one of its prefixes.
        """
        return {
            key
            for length in self._truncated_lengths
            if length < len(match) and (key := self._truncated.get(match[:length]))
        }

    def resolve(self, raw_text: str) -> Resolution:
        """Decide which claim ``raw_text`` is, and remember the decision."""
        text = clean_text(raw_text)
        truncated = looks_truncated(raw_text)
        match = match_text(raw_text)
        resolution = self._decide(text, truncated, match)
        self._remember(match, KnownClaim(resolution.key, text, truncated))
        return Resolution(
            resolution.key,
            self._best[resolution.key].text,
            self._best[resolution.key].truncated,
            resolution.how,
            resolution.warning,
        )

    def _decide(self, text: str, truncated: bool, match: str) -> Resolution:
        key = self._key_by_match.get(match)
        if key is not None:
            return Resolution(key, text, truncated, how="exact")
        warning = None
        if truncated:
            extending = self._extending(match)
            if len(extending) == 1:
                return Resolution(extending.pop(), text, truncated, how="truncated-prefix")
            if len(extending) > 1:
                warning = f"truncated claim {text[:60]!r}… matches {len(extending)} claims; kept apart"
        prefixes = self._truncated_prefixes_of(match)
        if len(prefixes) == 1:
            return Resolution(prefixes.pop(), text, truncated, how="completes-truncated")
        if len(prefixes) > 1:
            warning = f"claim {text[:60]!r}… completes {len(prefixes)} truncated claims; kept apart"
        return Resolution(stable_key("c", match), text, truncated, how="new", warning=warning)


def _rank(claim: KnownClaim) -> tuple[bool, int]:
    """Full text beats truncated text; then the longer text wins."""
    return (not claim.truncated, len(claim.text))
