"""SQLite's errors as ClaimGraph's: every public method of the embedded store raises StoreError, never sqlite3's.

A full disk used to reach the user as a raw ``sqlite3.OperationalError`` traceback (exit 1, HTTP 500)
from wherever SQLite first needed a page: a write, a checkpoint, a read that sorts in a temporary
file. Wrapping the store's whole public surface fixes the class, not the one call that was seen.
"""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import StoreError, StoreFullError

C = TypeVar("C", bound=type)


def is_disk_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc)


def store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """The StoreError for a SQLite error at ``path``; a full disk says so and what to do."""
    if is_disk_full(exc):
        return StoreFullError(
            f"cannot write to {path}: the disk is full ({exc}); the write was rolled back, "
            "nothing of it was kept. Free space on that disk and run the command again."
        )
    return StoreError(f"cannot use {path}: {exc}")


def _wrapped(method: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise store_error(self.path, exc) from exc

        return generator

    @functools.wraps(method)
    def plain(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from exc

    return plain


def sqlite_errors_as_store_errors(names: frozenset[str]) -> Callable[[C], C]:
    """Class decorator: the methods ``names`` (the store interface) raise StoreError for any sqlite3.Error."""

    def decorate(cls: C) -> C:
        for name in sorted(names):
            method = getattr(cls, name, None)
            if inspect.isfunction(method):
                setattr(cls, name, _wrapped(method))
        return cls

    return decorate
