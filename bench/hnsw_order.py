"""Does the order an HNSW graph is built in change which paraphrase candidates it finds?

On a store from ``bench.scale_bench`` (its paraphrase index holds every claim's vector), build the faiss graph
twice from the same vectors, with the parameters of :mod:`kg.paraphrase.ann`: once in text-length order (the order the
encoding child finishes claims, in which the pass beside it used to add them) and once in key order (a hash
of the text, the order :meth:`kg.paraphrase.index.ParaphraseIndex.add` now uses). Then every claim of the
generator's rewordings whose two texts are at cosine >= the threshold searches the graph as the pass does (its
48 nearest above the threshold); a pair counts as found when either end finds the other.

Run: ``python -m bench.hnsw_order --workdir /work/scale --size 100000`` (about 3 minutes at 296k claims).
Writes ``bench/results/hnsw_order.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from kg.extraction.text import match_text
from kg.paraphrase.ann import VectorIndex
from kg.paraphrase.index import SEARCH_BLOCK
from kg.paraphrase.links import ParaphraseConfig

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("bench-scale"))
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=RESULTS / "hnsw_order.md")
    args = parser.parse_args()
    store = args.workdir / f"store-{args.size}"
    index_db = sqlite3.connect(store / "paraphrase" / "paraphrase.sqlite")
    checkpoint = int(index_db.execute("SELECT value FROM meta WHERE name='checkpoint_rows'").fetchone()[0])
    stored = VectorIndex.load(store / "paraphrase" / f"hnsw-{checkpoint}.faiss", 384)
    rows = index_db.execute("SELECT row, key, text FROM claims WHERE live=1 AND row < ? ORDER BY row", (checkpoint,))
    keys, texts, vectors_at = [], [], []
    for row, key, text in rows:
        keys.append(key)
        texts.append(text)
        vectors_at.append(row)
    vectors = stored.vectors(0, checkpoint)[np.array(vectors_at)]
    at = {key: i for i, key in enumerate(keys)}
    by_text = {match_text(text): key for key, text in zip(keys, texts, strict=True)}
    config = ParaphraseConfig()
    truth = json.loads((args.workdir / f"truth-{args.size}.json").read_text())
    both = [(by_text.get(match_text(a)), by_text.get(match_text(b))) for a, b in truth]
    pairs = sorted({(min(at[a], at[b]), max(at[a], at[b])) for a, b in both if a and b and a != b})
    pairs = [(a, b) for a, b in pairs if float(vectors[a] @ vectors[b]) >= config.min_cosine]
    queries = np.array(sorted({i for pair in pairs for i in pair}), dtype=np.int64)
    by_length = sorted(range(len(keys)), key=lambda i: (len(texts[i]), keys[i]))
    by_key = sorted(range(len(keys)), key=lambda i: keys[i])
    runs = [  # (order, its name, vectors per add call)
        (by_length, "text length (the encoder's order)", 1024),
        (by_length, "text length", len(keys)),
        (by_key, "key (a hash of the text)", 1024),
        (by_key, "key", SEARCH_BLOCK),
        (by_key, "key", len(keys)),
    ]
    lines = [
        f"# HNSW build order and paraphrase candidates ({datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, "
        f"store-{args.size}: {len(keys):,} claims)",
        "",
        f"{len(pairs):,} reworded pairs at cosine >= {config.min_cosine}; a pair is found when either end has the "
        f"other among its {config.max_neighbours} nearest above the threshold "
        "(faiss HNSW, `kg/paraphrase/ann.py` parameters).",
        "",
        "| built in order of | vectors per add call | build s | search s | pairs found |",
        "|---|---:|---:|---:|---:|",
    ]
    for order, name, per_call in runs:
        permutation = np.array(order, dtype=np.int64)
        started = time.perf_counter()
        index = VectorIndex(vectors.shape[1])
        for start in range(0, len(permutation), per_call):
            index.add(vectors[permutation[start : start + per_call]])
        built = time.perf_counter() - started
        position = np.empty_like(permutation)
        position[permutation] = np.arange(len(permutation))
        started = time.perf_counter()
        hits = index.neighbours(vectors[queries], config.min_cosine, config.max_neighbours + 1)
        searched = time.perf_counter() - started
        found = set(zip(queries[hits.queries].tolist(), permutation[hits.rows].tolist(), strict=True))
        share = sum((a, b) in found or (b, a) in found for a, b in pairs) / len(pairs)
        lines.append(f"| {name} | {per_call:,} | {built:.1f} | {searched:.1f} | **{share:.3f}** |")
        print(lines[-1], flush=True)
    lines += ["", f"Reproduce: `python -m bench.hnsw_order --workdir <scale workdir> --size {args.size}`."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
