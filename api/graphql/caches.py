"""Parse and validation caches bounded by the size of what they keep, not only by the number of entries.

strawberry's ``ParserCache`` and ``ValidationCache`` keep the 128 most recent documents of any size:
distinct queries near the body limit grew the server from 370 to 1,896 MiB, never released, without
a token. Here a query is cached only while the query texts the caches hold stay under
:data:`MAX_CACHED_CHARS` together (a parsed document and its validation result are a small multiple of
the text); past that the least recently used go first, and a query longer than
:data:`MAX_QUERY_CHARS_CACHED` is parsed and validated every time (a dashboard's queries are short).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql.language.parser import parse
from strawberry.extensions.base_extension import SchemaExtension

#: Longest query text worth caching: real queries are a few hundred characters.
MAX_QUERY_CHARS_CACHED = 20_000
#: Query text the caches may hold together (its parsed documents and validation results with it).
MAX_CACHED_CHARS = 1_000_000


class SizedLRU:
    """An LRU map whose budget is the total length of its keys' query texts. Thread-safe."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[str, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: str, size: int, value: Any) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (size, value)
            self.used += size
            while self.used > self.budget and self._items:
                _, (dropped, _) = self._items.popitem(last=False)
                self.used -= dropped

    def __len__(self) -> int:
        return len(self._items)


_documents = SizedLRU(MAX_CACHED_CHARS)
_validations = SizedLRU(MAX_CACHED_CHARS)


def _cacheable(query: str | None) -> bool:
    return query is not None and len(query) <= MAX_QUERY_CHARS_CACHED


class SizedParserCache(SchemaExtension):
    """Parse once per query text (of a cacheable size); parse options are part of the key."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if not _cacheable(query):
            yield
            return
        assert query is not None
        key = f"{sorted(context.parse_options.items())!r}\0{query}"
        document = _documents.get(key)
        if document is None:
            document = parse(query, **context.parse_options)
            _documents.put(key, len(query), document)
        context.graphql_document = document
        yield


class SizedValidationCache(SchemaExtension):
    """Validate once per query text and rule set; errors are cached like a clean result."""

    def on_validate(self) -> Iterator[None]:
        from strawberry.schema.schema import validate_document

        context = self.execution_context
        query = context.query
        if not _cacheable(query) or context.graphql_document is None:
            yield
            return
        assert query is not None
        rules = ",".join(str(id(rule)) for rule in context.validation_rules)  # the rule classes are built once
        key = f"{id(context.schema._schema)}\0{rules}\0{query}"
        errors = _validations.get(key)
        if errors is None:
            errors = validate_document(context.schema._schema, context.graphql_document, context.validation_rules)
            _validations.put(key, len(query), errors)
        context.pre_execution_errors = errors
        yield
