"""Find the files to ingest and read them: folders walked, symlinks judged, bytes decoded once.

A path that is passed over (dangling symlink, FIFO, symlink out of the folder, not UTF-8) gets a
failed :class:`~ingest.outcomes.SourceOutcome` or a :class:`~kg.errors.ParseError` that names it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ingest.outcomes import SourceOutcome, printable
from kg.errors import ParseError, SourceIssue
from kg.extraction.text import normalise_controls

REPORT_SUFFIXES = (".txt", ".md")
CLAIMS_SUFFIXES = (".jsonl",)


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[SourceOutcome]]:
    """Files to ingest (folders walked recursively, sorted), and a failed outcome for every path passed over.

    Nothing is skipped without a word: a dangling or looping symlink, a FIFO or socket named like a
    report, a symlink that leads out of the folder given, or a symlinked folder is reported with the
    path as found (the link, not its target). Symlinks inside the folder are followed to files inside it.
    """
    files: list[Path] = []
    problems: list[SourceOutcome] = []

    def fail(path: Path, reason: str) -> None:
        problems.append(
            SourceOutcome(
                path=printable(str(path)), kind="unknown", status="failed", errors=[printable(f"{path}: {reason}")]
            )
        )

    for path in paths:
        if path.is_dir():
            before = len(files) + len(problems)
            _walk(path, files, fail)
            if len(files) + len(problems) == before:
                fail(path, "folder holds no .txt, .md or .jsonl files")
        elif path.is_file():
            files.append(path)
        elif path.is_symlink():
            fail(path, f"dangling symlink (to {path.readlink()})")
        elif path.exists():
            fail(path, "not a regular file (a FIFO, socket or device)")
        else:
            fail(path, "no such file")
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file.absolute())
    return list(unique.values()), problems


def _walk(folder: Path, files: list[Path], fail: Callable[[Path, str], None]) -> None:
    root = folder.resolve()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        dirnames.sort()
        for name in dirnames:
            if (here / name).is_symlink():
                fail(here / name, "symlinked folder: not followed (give its target folder itself)")
        for name in sorted(filenames):
            candidate = here / name
            if candidate.suffix.lower() not in REPORT_SUFFIXES + CLAIMS_SUFFIXES:
                continue
            reason = _unreadable(candidate, root)
            if reason is None:
                files.append(candidate)
            else:
                fail(candidate, reason)


def _unreadable(candidate: Path, root: Path) -> str | None:
    """Why a file found in a folder is not ingested, or None."""
    if candidate.is_symlink():
        try:
            target = candidate.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
            return "symlink loop"
        if not target.exists():
            return f"dangling symlink (to {candidate.readlink()})"
        if not target.is_relative_to(root):
            return f"symlink to a file outside {root}: not followed"
    if not candidate.is_file():
        return "not a regular file (a FIFO, socket or device)"
    return None


def read_text(path: Path) -> str:
    """The file's text, control characters normalised once here so that every backend stores the same strings."""
    data = path.read_bytes()
    try:
        return normalise_controls(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            [SourceIssue(printable(path.name), line, f"not UTF-8 text (byte offset {exc.start})")]
        ) from exc
