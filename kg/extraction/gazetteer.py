"""A curated, extensible dictionary of benchmarks, models and languages, and its matcher.

Data lives in ``kg/data/gazetteer.toml`` (reviewable, diffable); users extend it with their
own TOML file. Matching is whole-word where ``-`` counts as part of a word, so XTREME never
matches inside XTREME-R and XLM never inside XLM-R.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from kg.errors import InputError

EntityKind = Literal["benchmark", "model", "language"]
KINDS: tuple[EntityKind, ...] = ("benchmark", "model", "language")


@dataclass(frozen=True)
class Entry:
    kind: EntityKind
    name: str  # canonical name (languages: English name)
    aliases: tuple[str, ...]
    ci_aliases: tuple[str, ...] = ()
    code: str | None = None  # ISO 639-1 for languages
    task: str | None = None
    family: str | None = None
    size: str | None = None

    @property
    def key(self) -> str:
        return self.code if self.kind == "language" and self.code else self.name


@dataclass(frozen=True)
class Mention:
    kind: EntityKind
    name: str  # canonical
    start: int
    end: int
    pair: tuple[int, int] | None = None  # the span of a code-switched pair ("Hindi-English") this language is in


#: A size written onto a model name with a hyphen: mT5-XXL, XLM-R-XL, BLOOM-7B1 are sizes of mT5, XLM-R, BLOOM.
MODEL_SIZE_SUFFIX = r"(?P<size>-(?:XXL|XL|Large|Base|Small|large|base|small|\d+(?:\.\d+)?[BMK]\d*))?"


def _boundary(alternatives: Iterable[str], suffix: str = "") -> str:
    ordered = sorted(set(alternatives), key=len, reverse=True)
    body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in ordered)
    return rf"(?<![\w-])(?P<name>{body}){suffix}(?![\w-])"


class Gazetteer:
    """Entries by kind plus compiled matchers; build with :meth:`load`."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries: dict[tuple[EntityKind, str], Entry] = {}
        for entry in entries:
            self._entries[(entry.kind, entry.key)] = entry

    # -- loading ---------------------------------------------------------------------
    @classmethod
    def load(cls, extra: Path | None = None) -> Gazetteer:
        """The built-in gazetteer, with ``extra`` (a TOML file of the same shape) merged over it."""
        builtin = resources.files("kg").joinpath("data/gazetteer.toml").read_text(encoding="utf-8")
        entries = list(_entries_from_toml(tomllib.loads(builtin), "built-in gazetteer"))
        if extra is not None:
            try:
                data = tomllib.loads(extra.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise InputError(f"cannot read gazetteer {extra}: {exc}") from exc
            entries.extend(_entries_from_toml(data, str(extra)))
        return cls(entries)

    # -- lookups ---------------------------------------------------------------------
    def entries(self, kind: EntityKind) -> list[Entry]:
        return sorted((e for (k, _), e in self._entries.items() if k == kind), key=lambda e: e.key)

    def get(self, kind: EntityKind, key: str) -> Entry | None:
        return self._entries.get((kind, key))

    @cached_property
    def fingerprint(self) -> str:
        """Changes when any entry does: extraction (and so the verifier's gate) may then find other mentions."""
        entries = sorted(self._entries.values(), key=lambda e: (e.kind, e.key))
        return hashlib.sha256(repr(entries).encode()).hexdigest()[:16]

    @cached_property
    def _lookup(self) -> dict[tuple[EntityKind, str], Entry]:
        table: dict[tuple[EntityKind, str], Entry] = {}
        for entry in self._entries.values():
            for spelling in (entry.name, entry.key, *entry.aliases, *entry.ci_aliases):
                table[(entry.kind, spelling.casefold())] = entry
        return table

    def resolve(self, kind: EntityKind, name: str) -> Entry | None:
        """Canonical entry for a user-typed name, alias or code (case-insensitive)."""
        return self._lookup.get((kind, " ".join(name.split()).casefold()))

    # -- matching --------------------------------------------------------------------
    @cached_property
    def _patterns(self) -> list[tuple[re.Pattern[str], dict[str, Entry], EntityKind]]:
        patterns: list[tuple[re.Pattern[str], dict[str, Entry], EntityKind]] = []
        for kind in KINDS:
            exact: dict[str, Entry] = {}
            folded: dict[str, Entry] = {}
            for entry in self.entries(kind):
                for alias in (entry.name, *entry.aliases):
                    exact[" ".join(alias.split())] = entry
                for alias in entry.ci_aliases:
                    folded[" ".join(alias.split()).casefold()] = entry
            suffix = MODEL_SIZE_SUFFIX if kind == "model" else ""
            if exact:
                patterns.append((re.compile(_boundary(exact, suffix)), exact, kind))
            if folded:
                patterns.append((re.compile(_boundary(folded, suffix), re.IGNORECASE), folded, kind))
            if kind == "language":
                codes = {e.code: e for e in self.entries(kind) if e.code}
                code_pattern = re.compile(r"(?P<name>\((?:" + "|".join(map(re.escape, codes)) + r")\))")
                patterns.append((code_pattern, {f"({c})": e for c, e in codes.items()}, kind))
                names = {" ".join(a.split()): e for e in self.entries(kind) for a in (e.name, *e.aliases)}
                pair_body = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                pair = re.compile(rf"(?<![\w-])(?P<first>{pair_body})-(?P<second>{pair_body})(?![\w-])")
                patterns.append((pair, names, "language"))
        return patterns

    def find(self, text: str) -> list[Mention]:
        """All entity mentions in ``text``, longest match winning where two overlap.

        A hyphenated model size (``mT5-XXL``) is a mention of the model; a code-switched pair
        (``Hindi-English``) is a mention of both languages.
        """
        found: list[Mention] = []
        for pattern, table, kind in self._patterns:
            for match in pattern.finditer(text):
                if "first" in pattern.groupindex:  # a language pair: one mention per language, over the whole span
                    for part in ("first", "second"):
                        entry = table.get(" ".join(match.group(part).split()))
                        if entry is not None:
                            found.append(
                                Mention(kind, entry.key, match.start(part), match.end(part), pair=match.span())
                            )
                    continue
                spelled = " ".join(match.group("name").split())
                entry = table.get(spelled) or table.get(spelled.casefold())
                if entry is not None:
                    found.append(Mention(kind, entry.key, match.start(), match.end()))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                continue  # overlaps a longer or earlier match
            if mention.pair is None and any(k.pair and k.pair[0] <= mention.start < k.pair[1] for k in kept):
                continue  # inside a language pair already kept
            kept.append(mention)
        return kept


def _entries_from_toml(data: dict[str, Any], origin: str) -> Iterable[Entry]:
    for kind in KINDS:
        for raw in data.get(kind, []):
            try:
                if kind == "language":
                    code, name = str(raw["code"]), str(raw["name"])
                else:
                    name = str(raw["name"])
                    code = None
            except KeyError as exc:
                raise InputError(f"{origin}: a [[{kind}]] entry lacks {exc}") from exc
            yield Entry(
                kind=kind,
                name=name,
                aliases=tuple(raw.get("aliases", ())),
                ci_aliases=tuple(raw.get("ci_aliases", ())),
                code=code,
                task=raw.get("task"),
                family=raw.get("family", name if kind == "model" else None),
                size=raw.get("size"),
            )
