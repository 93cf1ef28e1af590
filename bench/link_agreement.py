"""Why two stores' paraphrase links differ: each differing link classified against exact fp32 neighbour lists.

For two ingests of the same corpus (a bf16 store and an fp32 one, e.g. ``bench.scale_bench --fp32-links`` keeps
neither, so ingest the corpus again with ``CLAIMGRAPH_PRECISION=fp32 kg --data-dir B ingest``): every link only one
of them holds is put in one class, by its fp32 cosine and the ranks of its two claims in each other's exact
neighbour lists (vectors from the fp32 store's embedding cache):

* *threshold*: the fp32 cosine lies within 0.002 of the threshold (the recheck band's business);
* *cap edge*: both claims rank each other at the cap's last places or beyond, and both have that many neighbours;
* *inside the cap*: one ranks the other well inside the cap: the HNSW search missed it in one of the stores.

Run: ``python -m bench.link_agreement STORE_BF16 STORE_FP32 [--cap 96]``. Prints counts; writes nothing.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.scale_bench import paraphrase_links
from kg.paraphrase.links import EmbeddingCache, ParaphraseConfig

DEFAULTS = ParaphraseConfig()
Matrix = npt.NDArray[np.float32]


def fp32_vectors(store: Path) -> tuple[list[str], Matrix]:
    """The live claims of ``store``'s paraphrase index (keys, sorted) and their fp32 vectors, from its cache."""
    with sqlite3.connect(store / "paraphrase" / "paraphrase.sqlite") as conn:
        texts = dict(conn.execute("SELECT key, text FROM claims WHERE live=1").fetchall())
    keys = sorted(texts)
    cache = EmbeddingCache(store, DEFAULTS.model, "fp32")
    try:
        return keys, cache.lookup([texts[k] for k in keys], _not_cached)
    finally:
        cache.close()


def _not_cached(texts: list[str]) -> Matrix:
    raise SystemExit(f"{len(texts)} claim texts have no fp32 vector in the cache: is the second store an fp32 one?")


def classify(only: set[frozenset[str]], keys: list[str], vectors: Matrix, cap: int, threshold: float) -> Counter[str]:
    index = {key: row for row, key in enumerate(keys)}
    classes: Counter[str] = Counter()
    for a, b in sorted(tuple(sorted(pair)) for pair in only):
        if a not in index or b not in index:
            classes["a claim not in the fp32 store"] += 1
            continue
        x, y = index[a], index[b]
        to_x, to_y = vectors @ vectors[x], vectors @ vectors[y]
        cosine = float(to_x[y])
        rank_of_y, rank_of_x = int((to_x > to_x[y]).sum()) - 1, int((to_y > to_y[x]).sum()) - 1
        crowded = min(int((to_x >= threshold).sum()), int((to_y >= threshold).sum())) - 1 > cap - 4
        if abs(cosine - threshold) < 0.002:
            classes["threshold"] += 1
        elif min(rank_of_x, rank_of_y) >= cap - 4 and crowded:
            classes["cap edge"] += 1
        else:
            classes["inside the cap (a search miss)"] += 1
    return classes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ours", type=Path, help="the store whose links are compared (bf16)")
    parser.add_argument("fp32", type=Path, help="the same corpus ingested in fp32")
    parser.add_argument("--cap", type=int, default=DEFAULTS.max_neighbours, help="the neighbour cap both ran with")
    parser.add_argument("--threshold", type=float, default=DEFAULTS.min_cosine)
    args = parser.parse_args()
    ours, theirs = paraphrase_links(args.ours), paraphrase_links(args.fp32)
    both = len(ours & theirs)
    print(f"links in both {both:,}, only ours {len(ours - theirs):,}, only fp32 {len(theirs - ours):,}: "
          f"{both / len(ours | theirs):.2%} identical")  # fmt: skip
    keys, vectors = fp32_vectors(args.fp32)
    for side, only in (("only ours", ours - theirs), ("only fp32", theirs - ours)):
        for name, count in classify(only, keys, vectors, args.cap, args.threshold).most_common():
            print(f"{side:>9}: {count:5,} {name}")


if __name__ == "__main__":
    main()
