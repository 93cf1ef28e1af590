"""Verification at scale: `kg verify` over a scale-bench store, beside a bare forward pass of the same pairs.

The scale bench's stores (``bench.scale_bench``) hold claims, reports and the arXiv ids they cite, but no
abstracts (the ingest is offline). Here every cited ``2104.*`` paper gets a synthetic abstract built from the
claims of the first report that cites it: some sentences as the report wrote them, some with a number changed
(what a refuting sentence looks like), some about other things; the paper every report cites gets one fixed
abstract. They go in with ``kg papers import``, as a researcher's would. Then, each in a new process:

1. ``kg verify --json``: wall, CPU, peak RSS (``wait4``), claims and pairs scored;
2. a *bare forward* of exactly the pairs it scored (read back from the stored verdicts' evidence, the claim as
   hypothesis), in one ``NLIModel.predict`` call: the floor any verifier pays for them (model load included);
3. ``+1 report``: a report the store has never seen (:func:`fresh_report`) ingested, then ``kg verify`` again
   (only claims whose admitted evidence changed are scored). Not the scale bench's held-out report: the scale
   bench ingests that one into its store already, so adding it again changes nothing (which is what this bench
   measured until 2026-12-08).

Run: ``python -m bench.verify_scale --store bench-scale/store-10000`` (the store is copied first).
Writes ``bench/results/verify_scale.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.scale_bench import kg, measure
from bench.synthetic import Generator, report_text

RESULTS = Path(__file__).parent / "results"
COMMON_PAPER = "2005.13013"
BARE_FORWARD = """
import json, random, sys, time
from kg.nli.model import load_nli_model
pairs = [tuple(p) for p in json.load(open(sys.argv[1]))]
share = float(sys.argv[3])
sample = pairs if share >= 1 else random.Random(7).sample(pairs, round(len(pairs) * share))
start = time.perf_counter()
model = load_nli_model(sys.argv[2])
loaded = time.perf_counter()
model.predict(sample)
print(json.dumps({"pairs": len(pairs), "sampled": len(sample), "load_s": loaded - start,
                  "forward_s": (time.perf_counter() - loaded) / max(share, len(sample) / max(1, len(pairs))),
                  "path": f"torch-{model.precision}"}))
"""


def _changed_number(text: str, rng: random.Random) -> str:
    """The sentence with its first number moved: what a paper that contradicts the claim would say."""
    found = re.search(r"\d+(\.\d+)?", text)
    if found is None:
        return text
    value = float(found.group()) * rng.choice((0.5, 1.7, 2.3))
    number = f"{value:.1f}" if "." in found.group() else str(round(value))
    return text[: found.start()] + number + text[found.end() :]


def synthetic_papers(database: Path, out: Path, seed: int = 11) -> int:
    """A papers.jsonl for every cited arXiv id of the store; returns the records written."""
    rng = random.Random(seed)
    conn = sqlite3.connect(database)
    claims_of: dict[str, list[str]] = {}
    for report, props in conn.execute(
        "SELECT r.start_key, n.props FROM rels r JOIN nodes n ON n.label='Claim' AND n.key=r.end_key "
        "WHERE r.type='ASSERTS' ORDER BY r.start_key, r.end_key"
    ):
        claims_of.setdefault(report, []).append(json.loads(props)["text"])
    first_citing: dict[str, str] = {}
    for report, paper in conn.execute("SELECT start_key, end_key FROM rels WHERE type='CITES' ORDER BY start_key"):
        first_citing.setdefault(paper, report)
    unrelated = [
        "We release our code and models to the community.",
        "Experiments cover eleven typologically diverse languages.",
        "Annotation was carried out by native speakers.",
    ]
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    records = 0
    with out.open("w", encoding="utf-8") as file:
        for paper, report in sorted(first_citing.items()):
            claims = claims_of.get(report, [])
            if paper == COMMON_PAPER:
                claims = [c for texts in list(claims_of.values())[:3] for c in texts[:3]]
            sentences = [
                _changed_number(c, rng) if rng.random() < 0.3 else c for c in rng.sample(claims, min(6, len(claims)))
            ]
            sentences += rng.sample(unrelated, 2)
            rng.shuffle(sentences)
            abstract = " ".join(s if s.endswith(".") else s + "." for s in sentences)
            record = {"arxiv_id": paper, "version": "v1", "title": f"Synthetic paper {paper}", "authors": ["Bench"],
                      "abstract": abstract, "fetched_at": now}  # fmt: skip
            file.write(json.dumps(record) + "\n")
            records += 1
    return records


def fresh_report(database: Path, folder: Path, seed: int = 99) -> Path:
    """A report folder with one report new to the store: 12 rows from the corpus's generator on another seed (new
    claims, and repeats and rewordings of claims the store holds), citing a paper that has an abstract, so
    existing claims gain evidence too."""
    reports = sqlite3.connect(database).execute("SELECT count(*) FROM nodes WHERE label='Report'").fetchone()[0]
    number = int(reports) + 1
    generator = Generator(random.Random(seed))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic_{number:06d}.txt"
    path.write_text(report_text(number, [generator.row() for _ in range(12)], markdown=True), encoding="utf-8")
    return folder


def scored_pairs(database: Path) -> list[tuple[str, str]]:
    """(evidence sentence, claim) of every admitted sentence of every stored verdict: the pairs verify scored."""
    conn = sqlite3.connect(database)
    text = {key: json.loads(p)["text"] for key, p in conn.execute("SELECT key, props FROM nodes WHERE label='Claim'")}
    pairs = []
    for key, props in conn.execute("SELECT key, props FROM nodes WHERE label='Verdict'"):
        verdict = json.loads(props)
        pairs += [(sentence, text[key]) for sentence in verdict.get("evidence_sentences") or []]
    return pairs


def run(store_in: Path, workdir: Path, bare_share: float = 1.0, plus_one: bool = True) -> dict[str, Any]:
    store = workdir / "store"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(store_in, store)
    env = {**os.environ, "CLAIMGRAPH_DATA_DIR": str(store), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    papers = workdir / "papers.jsonl"
    records = synthetic_papers(store / "graph.sqlite", papers)
    measure(kg("papers", "import", str(papers)), env)
    verify = measure(kg("verify", "--json"), env)
    summary = json.loads(verify.stdout)
    pairs = scored_pairs(store / "graph.sqlite")
    pairs_file = workdir / "pairs.json"
    pairs_file.write_text(json.dumps(pairs), encoding="utf-8")
    bare = measure([sys.executable, "-c", BARE_FORWARD, str(pairs_file), summary["model"], str(bare_share)], env)
    bare_out = json.loads(bare.stdout.strip().splitlines()[-1])
    row: dict[str, Any] = {
        "claims": summary["claims_selected"],
        "papers": records,
        "verified": summary["claims_verified"],
        "pairs": summary["pairs_scored"],
        "pairs_read_back": len(pairs),
        "backend": summary["backend"],
        "verdicts": summary["verdicts"],
        "wall": verify.wall,
        "cpu": verify.cpu,
        "rss": verify.peak_rss_mb,
        "bare_wall": bare_out["load_s"] + bare_out["forward_s"],
        "bare_share": bare_share,
        "bare_forward": bare_out["forward_s"],
        "bare_path": bare_out["path"],
        "measured": f"{datetime.now(UTC):%Y-%m-%d} {_commit()}",
    }
    if plus_one:
        extra = fresh_report(store / "graph.sqlite", workdir / "plus-one")
        ingest = measure(kg("ingest", "--offline", "--json", str(extra)), env)
        again = measure(kg("verify", "--json"), env)
        second = json.loads(again.stdout)
        row.update(
            plus_one_ingest=ingest.wall,
            plus_one_wall=again.wall,
            plus_one_verified=second["claims_verified"],
            plus_one_unchanged=second["claims_unchanged"],
            plus_one_pairs=second["pairs_scored"],
            plus_one_new_claims=second["claims_selected"] - summary["claims_selected"],
        )
    return row


def _commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "?"


def table(rows: list[dict[str, Any]]) -> str:
    where = f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or ''}"
    lines = [
        f"# `kg verify` at scale, embedded store ({where.rstrip(', ')})",
        "",
        "| claims | papers with abstracts | path | verify wall s | CPU s | peak RSS MB | claims/s | pairs scored | "
        "pairs/s | bare forward of the same pairs s (load + forward) | bare pairs/s | verify rate / bare forward | "
        "verdicts S / R / NEI | +1 report: ingest s, verify s (claims scored, unchanged, pairs) | measured |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in rows:
        verdicts = r["verdicts"]
        wall, bare_wall = float(r["wall"]), float(r["bare_wall"])
        pairs = int(r["pairs"])
        plus = (
            f"{float(r['plus_one_ingest']):.1f}, {float(r['plus_one_wall']):.1f} ({r['plus_one_verified']}, "
            f"{int(r['plus_one_unchanged']):,}, {r['plus_one_pairs']}; {r['plus_one_new_claims']} new claims)"
            if "plus_one_new_claims" in r
            else f"{float(r['plus_one_ingest']):.1f}, {float(r['plus_one_wall']):.1f}: the report was in the store"
            if "plus_one_wall" in r
            else "–"
        )
        lines.append(
            f"| {int(r['claims']):,} | {int(r['papers']):,} | {r['backend']} | {wall:.1f} | {float(r['cpu']):.1f} "
            f"| {float(r['rss']):,.0f} | {int(r['claims']) / wall:.0f} | {pairs:,} | {pairs / wall:.0f} "
            f"| {bare_wall:.1f} ({float(r['bare_forward']):.1f}) | {pairs / float(r['bare_forward']):.0f} "
            f"| **{bare_wall / wall:.2f}** | {verdicts['SUPPORTED']:,} / {verdicts['REFUTED']:,} / "
            f"{verdicts['NOT_ENOUGH_INFO']:,} | {plus} | {r['measured']} |"
        )
    lines += [
        "",
        "*Verify rate / bare forward*: the wall time of a process that only loads the NLI model and scores the same "
        "pairs in one `predict` call, over `kg verify`'s wall time (both with start-up and model load); 1.0 would "
        "mean verification costs nothing beyond the model's forward passes. What verify adds: reading the store, "
        "retrieval (sentence vectors, cached), the gate, the numeric check, the decisions and writing the verdicts. "
        "*+1 report*: one report new to the store (12 rows from the corpus's generator on another seed, citing a "
        "paper with an abstract) ingested into the verified store, then `kg verify`: only claims whose admitted "
        "evidence changed are scored. Rows measured before 2026-12-08 re-ingested the scale bench's held-out "
        "report, which its store already holds (so nothing could change).",
        "",
        "Reproduce: `python -m bench.scale_bench --sizes N`, then "
        "`python -m bench.verify_scale --store bench-scale/store-N`.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a scale-bench store folder (copied, not changed)")
    parser.add_argument("--no-plus-one", action="store_true", help="skip adding one new report and verifying again")
    parser.add_argument("--workdir", type=Path, default=Path("bench-verify"))
    parser.add_argument("--out", type=Path, default=RESULTS / "verify_scale.md")
    parser.add_argument(
        "--bare-share", type=float, default=1.0, help="forward a random share of the pairs and scale its time up"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows_json = args.out.with_suffix(".json")
    rows = json.loads(rows_json.read_text()) if rows_json.exists() else []
    row = run(args.store.resolve(), args.workdir.resolve(), args.bare_share, plus_one=not args.no_plus_one)
    rows = sorted([r for r in rows if r["claims"] != row["claims"]] + [row], key=lambda r: int(r["claims"]))
    rows_json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    args.out.write_text(table(rows), encoding="utf-8")
    print(table(rows))


if __name__ == "__main__":
    main()
