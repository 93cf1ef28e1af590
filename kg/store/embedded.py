"""The default store: SQLite in a data directory, no server.

Why SQLite and not the JSON snapshot it replaces (see ``bench/results/embedded_engine.md``):
the snapshot had to be loaded whole before the first query (1.5 s at 10k claims, 1.47 GB
RSS at 93k) and rewritten whole on close. SQLite keeps nodes and relationships in B-trees
on disk, so a cold ``kg claims --benchmark XNLI`` reads a few pages, memory stays flat,
and a commit writes only what changed.

Durability, as before:

* ``journal_mode=WAL`` with ``synchronous=FULL``: a transaction is on disk before
  :meth:`apply` returns, so ``kill -9`` (or a power cut) loses nothing committed and a
  transaction cut short is rolled back by SQLite on the next open;
* one transaction per batch, or per group of batches (:meth:`apply_many`) with a savepoint
  per batch, so a bad batch in a group rolls back alone and every batch gets its own
  exact summary;
* an exclusive ``flock`` on ``.lock`` keeps two writers apart with a clear message; readers
  need no lock and read the last committed state while a writer works.

A data directory written by the JSON-snapshot store (``graph.json`` + ``journal.jsonl``) is
imported on first open and the old files are kept, renamed ``*.imported``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from kg.errors import StoreError, StoreLockedError
from kg.store.base import GraphStore, StoreHealth, validate_batch
from kg.store.embedded_errors import is_disk_full, sqlite_errors_as_store_errors, store_error
from kg.store.embedded_reads import EmbeddedReads
from kg.store.embedded_rows import (
    DELETE_REL,
    LABEL,
    UPDATE_REL_PROPS,
    dumps,
    key_chunks,
    rel_row,
)
from schemas.graph import (
    REL_ENDPOINTS,
    GraphBatch,
    NodeRef,
    PropValue,
    Relationship,
    RelType,
    WriteSummary,
)

DATABASE = "graph.sqlite"
LOCK = ".lock"
LEGACY_SNAPSHOT = "graph.json"
LEGACY_JOURNAL = "journal.jsonl"
SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nodes (
    label TEXT NOT NULL, key TEXT NOT NULL, props TEXT NOT NULL,
    PRIMARY KEY (label, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (
    start_label TEXT NOT NULL, start_key TEXT NOT NULL, type TEXT NOT NULL,
    end_label TEXT NOT NULL, end_key TEXT NOT NULL, rkey TEXT NOT NULL, props TEXT NOT NULL,
    PRIMARY KEY (start_label, start_key, type, end_label, end_key, rkey)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rels_by_end ON rels (end_label, end_key, type, start_label, start_key);
CREATE INDEX IF NOT EXISTS rels_by_type ON rels (type);
"""

#: SQLite page cache of a reading connection (KiB; taken as pages are read)
READ_CACHE_KIB = 64 * 1024
#: and of the writer's. Keys are hashes, so a group of 256 reports touches pages all over the B-trees; with
#: 64 MiB, the 100k-report writer read 80 GB back from the OS for a 2.3 GB store (19M read calls). With 1 GiB
#: its phase took 368 s instead of 393 s, for up to 1 GB more RSS (bench/results/scale.md, f97097f)
WRITE_CACHE_KIB = 1024 * 1024
#: the writer's WAL grows to this many pages (4 KiB) before it is copied back into the database, not SQLite's
#: 1,000: a group commit of 1,024 reports dirties pages all over the hash-keyed B-trees, and each checkpoint
#: writes the union of what the commits since dirtied; with 1,000 every commit was checkpointed whole. The
#: 100k-report writer alone: 286 -> 262 s, 35 -> 24 GB written (the WAL is removed when the store closes)
WAL_CHECKPOINT_PAGES = 262_144


#: the store interface, every method of which raises StoreError rather than sqlite3.Error
_INTERFACE = frozenset(
    name for name in dir(GraphStore) if not name.startswith("_") and callable(getattr(GraphStore, name))
) | {"clear"}


@sqlite_errors_as_store_errors(_INTERFACE)
class EmbeddedStore(EmbeddedReads, GraphStore):
    backend = "embedded"

    def __init__(self, data_dir: Path, *, read_only: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.read_only = read_only
        self._conn: sqlite3.Connection | None = None
        self._lock: IO[str] | None = None
        self._local = threading.local()  # a read connection per thread (the API serves reads from a pool)
        self._readers: list[sqlite3.Connection] = []
        self._readers_guard = threading.Lock()
        self._open = False
        self._owner = 0  # the thread that opened the store reads through the writer's connection

    @property
    def uri(self) -> str:
        return f"embedded://{self.data_dir}"

    @property
    def path(self) -> Path:
        return self.data_dir / DATABASE

    # -- lifecycle -------------------------------------------------------------------
    def open(self) -> None:
        if self._open:
            return
        if self.read_only:
            self._conn = self._connect(read_only=True) if self.path.exists() else self._empty_in_memory()
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._acquire_lock()
            try:
                self._conn = self._connect(read_only=False)
                self._conn.executescript(SCHEMA)
                self._check_version(self._conn)
                self._import_legacy()
            except BaseException:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
                self._release_lock()
                raise
        self._owner = threading.get_ident()
        self._open = True

    def close(self) -> None:
        if not self._open:
            return
        with self._readers_guard:
            for reader in self._readers:
                reader.close()
            self._readers.clear()
        self._local = threading.local()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._release_lock()
        self._open = False

    def _connect(self, *, read_only: bool) -> sqlite3.Connection:
        try:
            if read_only:
                conn = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            else:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                # each file's savepoint keeps the pages it changes in a statement journal, spilled past 64 KiB
                # to a temporary file: at 1,024 reports a group, 35 of the 100k-report writer's 71 GB of writes
                # went there. In memory it holds one file's pages at a time (that writer alone: 305 -> 286 s)
                conn.execute("PRAGMA temp_store=MEMORY")
                conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB if read_only else WRITE_CACHE_KIB}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from exc
        return conn

    def _empty_in_memory(self) -> sqlite3.Connection:
        """A read-only view of a store that does not exist yet: empty, like the default it would be."""
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.executescript(SCHEMA)
        return conn

    def _check_version(self, conn: sqlite3.Connection) -> None:
        row = conn.execute("SELECT value FROM meta WHERE name='schema_version'").fetchone()
        if row is None:
            conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {row[0]}, expected {SCHEMA_VERSION}")

    def _release_lock(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def _acquire_lock(self) -> None:
        handle = (self.data_dir / LOCK).open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise StoreLockedError(
                f"the store in {self.data_dir} is open for writing by another process; "
                "wait for it to finish or use another --data-dir"
            ) from exc
        self._lock = handle

    def health(self) -> StoreHealth:
        if not self._open:
            return StoreHealth(ok=False, backend=self.backend, detail=f"{self.data_dir} (closed)")
        count = self._read().execute("SELECT count(*) FROM nodes").fetchone()[0]
        return StoreHealth(ok=True, backend=self.backend, detail=f"{self.path} ({count} nodes)")

    def _import_legacy(self) -> None:
        """Bring a JSON-snapshot store's graph into SQLite, once, in one transaction."""
        from kg.store.legacy_snapshot import read_legacy

        snapshot, journal = self.data_dir / LEGACY_SNAPSHOT, self.data_dir / LEGACY_JOURNAL
        if not snapshot.exists() and not journal.exists():
            return
        for outcome in self.apply_many(read_legacy(snapshot, journal)):
            if isinstance(outcome, Exception):
                raise StoreError(f"cannot import the old store in {self.data_dir}: {outcome}") from outcome
        for old in (snapshot, journal):
            if old.exists():
                old.replace(old.with_name(old.name + ".imported"))

    # -- connections -----------------------------------------------------------------
    def _writer(self) -> sqlite3.Connection:
        if self._conn is None:  # not _require_open: open() imports an old store through here
            raise StoreError("the store is not open; call open() or use it as a context manager")
        if self.read_only:
            raise StoreError(f"{self.uri} is open read-only")
        return self._conn

    def _read(self) -> sqlite3.Connection:
        """The connection for reads: the writer's own in its thread (it sees what it wrote), else one per thread."""
        self._require_open()
        assert self._conn is not None
        if self.read_only or self._conn.in_transaction or threading.get_ident() == self._owner:
            return self._conn
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect(read_only=True)
            self._local.conn = conn
            with self._readers_guard:
                self._readers.append(conn)
        return conn

    def _require_open(self) -> None:
        if not self._open:
            raise StoreError("the store is not open; call open() or use it as a context manager")

    # -- writes ----------------------------------------------------------------------
    def apply(self, batch: GraphBatch) -> WriteSummary:
        outcome = self.apply_many([batch])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def apply_many(self, batches: list[GraphBatch]) -> list[WriteSummary | Exception]:
        """All batches in one transaction (one fsync), each under a savepoint of its own."""
        outcomes: list[WriteSummary | Exception] = []
        with self._transaction() as conn:
            for batch in batches:
                conn.execute("SAVEPOINT batch")
                try:
                    stored = self._existing(conn, batch)
                    validate_batch(batch, is_stored=stored.__contains__)
                    summary = self._apply_one(conn, batch)
                except (StoreError, sqlite3.Error) as exc:
                    if isinstance(exc, sqlite3.Error) and is_disk_full(exc):
                        raise  # not this batch's fault: the group fails whole, as the store does
                    conn.execute("ROLLBACK TO batch")
                    conn.execute("RELEASE batch")
                    failure = exc if isinstance(exc, StoreError) else StoreError(f"{batch.source}: {exc}")
                    outcomes.append(failure)
                    continue
                conn.execute("RELEASE batch")
                outcomes.append(summary)
        return outcomes

    def apply_stream(self, batches: Iterable[GraphBatch]) -> WriteSummary:
        """One transaction for all the batches; readers (other connections) still see the state before it."""
        total = WriteSummary()
        with self._transaction() as conn:
            for batch in batches:
                stored = self._existing(conn, batch)
                validate_batch(batch, is_stored=stored.__contains__)
                total = total + self._apply_one(conn, batch)
        return total

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The writer's connection inside ``BEGIN IMMEDIATE`` … ``COMMIT``; any error rolls it all back, and
        SQLite's own errors come out as StoreError."""
        conn = self._writer()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back itself (a full disk)
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise store_error(self.path, exc) from exc
            raise

    def replace_relationships(self, rel_type: RelType, relationships: list[Relationship]) -> WriteSummary:
        """As :meth:`GraphStore.replace_relationships`, in one transaction, diffing rows against the stored ones
        of ``rel_type`` directly: the batch path read every start node's links back, one IN-list per 500 nodes,
        and built a NodeRef per endpoint to validate (a first pass at 100k reports writes 800k links: 21 -> 11 s).
        """
        wanted: dict[tuple[str, str, str, str, str, str], dict[str, PropValue]] = {}
        starts_allowed, ends_allowed = REL_ENDPOINTS[rel_type]
        for rel in relationships:
            if rel.type != rel_type:
                raise StoreError(f"replace {rel_type}: a {rel.type} relationship is not one of them")
            if rel.start.label not in starts_allowed or rel.end.label not in ends_allowed:
                raise StoreError(f"replace {rel_type}: {rel_type} cannot connect {rel.start.label} to {rel.end.label}")
            wanted[rel_row(rel)] = rel.props  # a relationship listed twice: the last one wins, as in the batch path
        with self._transaction() as conn:
            endpoints = {(row[0], row[1]) for row in wanted} | {(row[3], row[4]) for row in wanted}
            if missing := sorted(endpoints - self._stored_keys(conn, sorted(endpoints))):
                first_label, first_key = missing[0]
                raise StoreError(f"replace {rel_type}: {rel_type} points to missing node {first_label}:{first_key}")
            stored = {
                tuple(ident): props
                for *ident, props in conn.execute(
                    "SELECT start_label, start_key, type, end_label, end_key, rkey, props FROM rels WHERE type=?",
                    (rel_type,),
                )
            }
            doomed = sorted(ident for ident in stored if ident not in wanted)
            conn.executemany(DELETE_REL, doomed)
            inserts: list[tuple[str, ...]] = []
            updates: list[tuple[str, ...]] = []
            for ident, props in wanted.items():
                old_json = stored.get(ident)
                if old_json is None:
                    inserts.append((*ident, dumps(props)))
                    continue
                old = json.loads(old_json)
                merged = {**old, **props}  # as a MERGE with SET r += props: what the batch path does
                if merged != old:
                    updates.append((dumps(merged), *ident))
            inserts.sort()  # primary-key order: the B-tree is walked once
            conn.executemany("INSERT INTO rels VALUES (?, ?, ?, ?, ?, ?, ?)", inserts)
            conn.executemany(UPDATE_REL_PROPS, updates)
        return WriteSummary(
            relationships_created=len(inserts), relationships_updated=len(updates), relationships_deleted=len(doomed)
        )

    @staticmethod
    def _outgoing(
        conn: sqlite3.Connection, starts: set[tuple[str, str]], types: set[str]
    ) -> dict[tuple[str, str, str, str, str, str], dict[str, PropValue]]:
        """The stored relationships of ``types`` leaving the given nodes, by identity row; one query per label and
        chunk. Only the types a batch writes or replaces: the paraphrase layer's batch starts at most claims of
        the store, and their entity and result links are none of its business."""
        found: dict[tuple[str, str, str, str, str, str], dict[str, PropValue]] = {}
        if not types:
            return found
        wanted = sorted(types)
        of_type = ",".join("?" * len(wanted))
        for label, chunk, marks in key_chunks(starts):
            for *ident, props in conn.execute(
                "SELECT start_label, start_key, type, end_label, end_key, rkey, props FROM rels "
                f"WHERE start_label=? AND start_key IN ({marks}) AND type IN ({of_type})",
                (label, *chunk, *wanted),
            ):
                found[tuple(ident)] = json.loads(props)
        return found

    @staticmethod
    def _existing(conn: sqlite3.Connection, batch: GraphBatch) -> set[NodeRef]:
        """The endpoints of the batch's relationships that are stored already and not in the batch itself.

        One query per label and chunk: the paraphrase layer's batch has ~3 links per claim, and a query per
        endpoint was a tenth of the pass.
        """
        in_batch = {node.ref for node in batch.nodes}
        outside = {end for rel in batch.relationships for end in (rel.start, rel.end) if end not in in_batch}
        stored = EmbeddedStore._stored_keys(conn, [(ref.label, ref.key) for ref in outside])
        return {NodeRef(label=LABEL[label], key=key) for label, key in stored}

    @staticmethod
    def _stored_keys(conn: sqlite3.Connection, refs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of the (label, key) pairs are stored nodes; one query per label and chunk."""
        found: set[tuple[str, str]] = set()
        for label, chunk, marks in key_chunks(refs):
            rows = conn.execute(f"SELECT key FROM nodes WHERE label=? AND key IN ({marks})", (label, *chunk))
            found.update((label, key) for (key,) in rows)
        return found

    @staticmethod
    def _rels_by_identity(
        conn: sqlite3.Connection, rows: list[tuple[str, str, str, str, str, str]]
    ) -> dict[tuple[str, str, str, str, str, str], dict[str, PropValue]]:
        """The stored properties of those of the given relationships (by primary key) that exist; 150 a query."""
        found: dict[tuple[str, str, str, str, str, str], dict[str, PropValue]] = {}
        unique = sorted(set(rows))
        for start in range(0, len(unique), 150):
            chunk = unique[start : start + 150]
            values = ",".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk))
            for *ident, props in conn.execute(  # a join, not a row-value IN: that one scans the table
                f"WITH w(a, b, c, d, e, f) AS (VALUES {values}) "
                "SELECT r.start_label, r.start_key, r.type, r.end_label, r.end_key, r.rkey, r.props "
                "FROM w CROSS JOIN rels r ON r.start_label=w.a AND r.start_key=w.b AND r.type=w.c "
                "AND r.end_label=w.d AND r.end_key=w.e AND r.rkey=w.f",
                [part for row in chunk for part in row],
            ):
                found[(ident[0], ident[1], ident[2], ident[3], ident[4], ident[5])] = json.loads(props)
        return found

    def _apply_one(self, conn: sqlite3.Connection, batch: GraphBatch) -> WriteSummary:
        summary = WriteSummary()
        for ref in batch.delete_nodes:
            if not self._exists(conn, ref):
                continue
            touching = conn.execute(
                "SELECT count(*) FROM rels WHERE (start_label=? AND start_key=?) OR (end_label=? AND end_key=?)",
                (ref.label, ref.key, ref.label, ref.key),
            ).fetchone()[0]
            conn.execute("DELETE FROM rels WHERE start_label=? AND start_key=?", (ref.label, ref.key))
            conn.execute("DELETE FROM rels WHERE end_label=? AND end_key=?", (ref.label, ref.key))
            conn.execute("DELETE FROM nodes WHERE label=? AND key=?", (ref.label, ref.key))
            summary.nodes_deleted += 1
            summary.relationships_deleted += int(touching)
        # one read of the outgoing relationships of every node the batch replaces or starts from serves both
        # the replace step and the diff below (a query per node was most of the writer's SQLite time)
        # of the other start nodes, only the relationships the batch writes: a named report that a large claim
        # file asserts into gains 5,000 links a chunk, and reading all of them back each chunk was quadratic
        starts: set[tuple[str, str]] = {(ref.label, ref.key) for ref in batch.replace_outgoing}
        types_written = {str(t) for t in batch.replace_types} | {str(rel.type) for rel in batch.relationships}
        stored_rels = self._outgoing(conn, starts, types_written)
        elsewhere = [row for rel in batch.relationships if (row := rel_row(rel))[:2] not in starts]
        stored_rels.update(self._rels_by_identity(conn, elsewhere))
        if batch.replace_outgoing and batch.replace_types:
            # Only relationships the batch does not re-assert are deleted, so re-ingesting an
            # unchanged report counts no change at all.
            wanted = {rel_row(r) for r in batch.relationships}
            types = {str(t) for t in batch.replace_types}
            replaced = {(ref.label, ref.key) for ref in batch.replace_outgoing}
            doomed = [
                ident
                for ident in stored_rels
                if ident[2] in types and (ident[0], ident[1]) in replaced and ident not in wanted
            ]
            conn.executemany(DELETE_REL, doomed)
            summary.relationships_deleted += len(doomed)
            for ident in doomed:
                del stored_rels[ident]
        stored_nodes = self._stored_props(conn, [(node.label, node.key) for node in batch.nodes])
        inserts: list[tuple[str, str, str]] = []
        updates: list[tuple[str, str, str]] = []
        for node in batch.nodes:
            old = stored_nodes.get((node.label, node.key))
            if old is None:
                inserts.append((node.label, node.key, dumps(node.props)))
                stored_nodes[(node.label, node.key)] = dict(node.props)  # a node listed twice merges, as in a store
                continue
            merged = {**old, **node.props}
            if merged != old:
                updates.append((dumps(merged), node.label, node.key))
                stored_nodes[(node.label, node.key)] = merged
        conn.executemany("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)", inserts)
        conn.executemany("UPDATE nodes SET props=? WHERE label=? AND key=?", updates)
        summary.nodes_created += len(inserts)
        summary.nodes_updated += len(updates)
        rel_inserts: list[tuple[str, ...]] = []
        rel_updates: list[tuple[str, ...]] = []
        for rel in batch.relationships:
            ident = rel_row(rel)
            old_props = stored_rels.get(ident)
            if old_props is None:
                rel_inserts.append((*ident, dumps(rel.props)))
                stored_rels[ident] = dict(rel.props)
                continue
            merged_props = {**old_props, **rel.props}
            if merged_props != old_props:
                rel_updates.append((dumps(merged_props), *ident))
                stored_rels[ident] = merged_props
        rel_inserts.sort()  # in primary-key order the B-tree is walked once, not at random (127k links: 1.3 -> 0.9 s)
        conn.executemany("INSERT OR REPLACE INTO rels VALUES (?, ?, ?, ?, ?, ?, ?)", rel_inserts)
        conn.executemany(UPDATE_REL_PROPS, rel_updates)
        summary.relationships_created += len(rel_inserts)
        summary.relationships_updated += len(rel_updates)
        return summary
