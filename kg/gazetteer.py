"""A curated, extensible dictionary of benchmarks, models and languages, and its matcher.

Data lives in ``kg/data/gazetteer.toml`` (reviewable, diffable); users extend it with their
own TOML file. Matching is whole-word where ``-`` counts as part of a word, so XTREME never
matches inside XTREME-R and XLM never inside XLM-R.
"""

from __future__ import annotations

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


def _boundary(alternatives: Iterable[str]) -> str:
    ordered = sorted(set(alternatives), key=len, reverse=True)
    body = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in ordered)
    return rf"(?<![\w-])(?:{body})(?![\w-])"


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
            if exact:
                patterns.append((re.compile(_boundary(exact)), exact, kind))
            if folded:
                patterns.append((re.compile(_boundary(folded), re.IGNORECASE), folded, kind))
            if kind == "language":
                codes = {e.code: e for e in self.entries(kind) if e.code}
                code_pattern = re.compile(r"\((" + "|".join(map(re.escape, codes)) + r")\)")
                patterns.append((code_pattern, {f"({c})": e for c, e in codes.items()}, kind))
        return patterns

    def find(self, text: str) -> list[Mention]:
        """All entity mentions in ``text``, longest match winning where two overlap."""
        found: list[Mention] = []
        for pattern, table, kind in self._patterns:
            for match in pattern.finditer(text):
                spelled = " ".join(match.group(0).split())
                entry = table.get(spelled) or table.get(spelled.casefold())
                if entry is not None:
                    found.append(Mention(kind, entry.key, match.start(), match.end()))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                continue  # overlaps a longer or earlier match
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
