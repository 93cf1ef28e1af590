"""The scale run: N synthetic reports through `kg ingest`, end to end, on the default embedded store.

For each size (default 1k, 10k, 100k): a fresh store; ``kg ingest --offline --json`` over the
reports (wall, CPU and peak RSS with ``wait4``, and the peak RSS of the ingest and its encode-ahead
child together, sampled from /proc); the paraphrase pass's own time (from the ingest's JSON); a
*bare encode* of the same distinct claim texts (a process that only loads all-MiniLM-L6-v2 and
encodes them, the floor any ingest must pay); one
held-out report of the same corpus ingested into the full store; and ``kg claims --benchmark
XNLI --json`` in a new process, three times (the first right after the OS page cache was left
by other work: "cold" means a new process, not a dropped page cache, which needs root).

Run: ``python -m bench.scale_bench --sizes 1000 10000 100000`` (the 100k row takes about an
hour on 2 cores, most of it encoding). Writes ``bench/results/scale.md`` after every size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.synthetic import write_reports

RESULTS = Path(__file__).parent / "results"
BARE_ENCODE = """
import json, random, sqlite3, sys, time
texts = [json.loads(p)["text"] for (p,) in sqlite3.connect(sys.argv[1]).execute(
    "SELECT props FROM nodes WHERE label='Claim'")]
share, path = float(sys.argv[3]), sys.argv[4]
sample = texts if share >= 1 else random.Random(7).sample(texts, round(len(texts) * share))
if path == "stock":  # the library's own encode, fp32: what an ingest without ClaimGraph's encoder would pay
    from sentence_transformers import SentenceTransformer
    from kg.paraphrase.embeddings import resolve_model_location
    model = SentenceTransformer(resolve_model_location(sys.argv[2]), device="cpu")
    encode = lambda: model.encode(sample, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
else:  # ClaimGraph's encoder as the ingest runs it (bf16 where the CPU has it)
    from kg.paraphrase.embeddings import embed, load_sentence_model
    load_sentence_model(sys.argv[2])
    encode = lambda: embed(sample, sys.argv[2])
start = time.perf_counter()
encode()
print(json.dumps({"texts": len(texts), "sampled": len(sample), "encode_s": (time.perf_counter() - start) / share}))
"""
#: above this many claims the bare encode runs on a random share of them and is scaled up: encoding
#: is per text, so its time is linear in the count, and the full run would double a 100k row's hour
FULL_BARE_BELOW = 100_000
BARE_SHARE = 0.1


@dataclass
class Measured:
    wall: float
    cpu: float
    peak_rss_mb: float
    stdout: str
    tree_rss_mb: float = 0.0  # peak of the summed RSS of the process and its children (the encode-ahead child)
    helpers_done_s: float | None = None  # seconds from the start until its last child process was last seen
    timeline: list[tuple[float, float, float]] = field(default_factory=list)  # (s, CPU s of it, of its children)


@dataclass
class TreeSample:
    rss_mb: float
    cpu_s: float  # of the root process
    helpers_cpu_s: float  # of its descendants alive now
    helpers: int


def _tree_sample(root: int) -> TreeSample:
    """RSS and CPU of ``root`` and its descendants now, from /proc (zeros where /proc cannot be read)."""
    parents: dict[int, int] = {}
    pages: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z":  # exited, not yet reaped (the encoder child is reaped when the pass stops it)
            continue
        pid = int(stat.parent.name)
        parents[pid], pages[pid], ticks[pid] = int(fields[1]), int(fields[21]), int(fields[11]) + int(fields[12])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    hz = os.sysconf("SC_CLK_TCK")
    helpers = tree - {root}
    return TreeSample(
        rss_mb=sum(pages.get(pid, 0) for pid in tree) * os.sysconf("SC_PAGE_SIZE") / 2**20,
        cpu_s=ticks.get(root, 0) / hz,
        helpers_cpu_s=sum(ticks.get(pid, 0) for pid in helpers) / hz,
        helpers=len(helpers),
    )


def measure(args: list[str], env: dict[str, str], stdout_file: Path | None = None) -> Measured:
    """Run a command; wall time, CPU (user+sys, children included) and peak RSS: of the process (wait4), and of
    the process and its children together (sampled from /proc twice a second: wait4 gives the larger of the
    two peaks, not their sum). The samples also give a CPU timeline and when the last child (the encoder) ended.

    Output goes to files, not pipes: a pipe nobody reads until the end fills up and stalls the child.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out_path = stdout_file or Path(tmp) / "stdout"
        err_path = Path(tmp) / "stderr"
        with out_path.open("w") as out, err_path.open("w") as err:
            start = time.perf_counter()
            process = subprocess.Popen(args, env=env, stdout=out, stderr=err)
            peak = [0.0]
            helpers_last: list[float | None] = [None]  # when a child process was last seen running
            timeline: list[tuple[float, float, float]] = []
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.5):
                    now = _tree_sample(process.pid)
                    at = time.perf_counter() - start
                    peak[0] = max(peak[0], now.rss_mb)
                    if now.helpers:
                        helpers_last[0] = at
                    if not timeline or at - timeline[-1][0] >= 5:
                        timeline.append((round(at, 1), now.cpu_s, now.helpers_cpu_s))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            done.set()
            sampler.join()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise RuntimeError(f"{args[:4]} exited {code}: {err_path.read_text()[-2000:]}")
        return Measured(
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
            out_path.read_text(),
            peak[0],
            helpers_last[0],
            timeline,
        )


def kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "claimgraph.cli.app", *args]


def run_size(size: int, workdir: Path, model: str, fp32_links: bool) -> dict[str, float | int | str]:
    corpus, extra = workdir / f"reports-{size}", workdir / f"extra-{size}"
    rows_file = workdir / f"reports-{size}.rows"
    if not rows_file.exists():
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(extra, ignore_errors=True)
        rows_file.write_text(str(write_reports(corpus, size, hold_out=extra, truth=workdir / f"truth-{size}.json")))
    rows = int(rows_file.read_text())
    store = workdir / f"store-{size}"
    shutil.rmtree(store, ignore_errors=True)
    env = {**os.environ, "CLAIMGRAPH_DATA_DIR": str(store), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    ingest_json = workdir / f"ingest-{size}.json"
    ingest = measure(kg("ingest", "--offline", "--json", str(corpus)), env, stdout_file=ingest_json)
    (workdir / f"timeline-{size}.csv").write_text(
        "seconds,cpu_s,encoder_cpu_s\n" + "".join(f"{t},{cpu:.1f},{helper:.1f}\n" for t, cpu, helper in ingest.timeline)
    )
    payload = json.loads(ingest_json.read_text())
    assert payload["ok"], [f for f in payload["files"] if f["status"] == "failed"][:3]
    database = store / "graph.sqlite"
    with sqlite3.connect(database) as conn:
        claims = int(conn.execute("SELECT count(*) FROM nodes WHERE label='Claim'").fetchone()[0])
        links = int(conn.execute("SELECT count(*) FROM rels WHERE type='PARAPHRASE_OF'").fetchone()[0])
        recall, search_recall, truth_pairs, linkable = paraphrase_recall(
            conn, workdir / f"truth-{size}.json", store, model
        )
    share = 1.0 if claims < FULL_BARE_BELOW else BARE_SHARE
    bare: dict[str, tuple[float, float]] = {}  # path: (wall incl. start-up and load, encode alone), scaled up
    for path in ("stock", "ours"):
        run = measure([sys.executable, "-c", BARE_ENCODE, str(database), model, str(share), path], env)
        out = json.loads(run.stdout.strip().splitlines()[-1])
        load_s = run.wall - out["encode_s"] * share  # start-up and model load, measured, not scaled
        bare[path] = (load_s + out["encode_s"], out["encode_s"])
    links_vs_fp32 = compare_fp32_links(corpus, store, workdir / f"store-{size}-fp32", env) if fp32_links else {}
    again = measure(kg("ingest", "--offline", "--json", str(extra)), env)
    again_pass = json.loads(again.stdout)["paraphrase_pass"]
    queries = cold_queries(env)
    page = json.loads(queries[0].stdout)
    size_mb = sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 2**20
    return {
        "reports": size,
        "rows": rows,
        "claims": claims,
        "links": links,
        "recall": recall,
        "search_recall": search_recall,
        "truth_pairs": truth_pairs,
        "linkable": linkable,
        "ingest_wall": ingest.wall,
        "ingest_cpu": ingest.cpu,
        "ingest_rss": ingest.peak_rss_mb,
        "ingest_tree_rss": ingest.tree_rss_mb,
        "pass_s": payload["paraphrase_pass"]["seconds"],
        "encoder_done_s": ingest.helpers_done_s if ingest.helpers_done_s is not None else 0.0,
        "bare_wall": bare["ours"][0],
        "bare_encode": bare["ours"][1],
        "stock_wall": bare["stock"][0],
        "stock_encode": bare["stock"][1],
        "bare_share": share,
        "fraction": bare["ours"][0] / ingest.wall,
        "stock_fraction": bare["stock"][0] / ingest.wall,
        "precision": _precision(),
        **links_vs_fp32,
        "again_wall": again.wall,
        "again_pass": again_pass["seconds"],
        "again_indexed": again_pass["claims_indexed"],
        "query_first": queries[0].wall,
        "query_median": statistics.median(q.wall for q in queries),
        "query_page": page["count"],
        "store_mb": size_mb,
        "measured": f"{datetime.now(UTC):%Y-%m-%d} {_commit()}",
    }


def _precision() -> str:
    from kg.precision import runtime_precision

    return runtime_precision()[0]


def paraphrase_links(store: Path) -> set[frozenset[str]]:
    """A store's paraphrase links as pairs of claim keys (the same claim has the same key in any store)."""
    with sqlite3.connect(store / "graph.sqlite") as conn:
        return {frozenset(p) for p in conn.execute("SELECT start_key, end_key FROM rels WHERE type='PARAPHRASE_OF'")}


def compare_fp32_links(corpus: Path, store: Path, fp32_store: Path, env: dict[str, str]) -> dict[str, float | int]:
    """The same corpus ingested again with ``CLAIMGRAPH_PRECISION=fp32``: how many paraphrase links the two agree on.

    Claim keys come from the text, so the two stores name the same claims alike; a link is a pair of keys.
    """
    shutil.rmtree(fp32_store, ignore_errors=True)
    fp32_env = {**env, "CLAIMGRAPH_DATA_DIR": str(fp32_store), "CLAIMGRAPH_PRECISION": "fp32"}
    fp32_run = measure(kg("ingest", "--offline", "--json", str(corpus)), fp32_env)
    ours, theirs = paraphrase_links(store), paraphrase_links(fp32_store)
    shutil.rmtree(fp32_store, ignore_errors=True)
    return {
        "fp32_ingest_wall": fp32_run.wall,
        "links_both": len(ours & theirs),
        "links_only_ours": len(ours - theirs),
        "links_only_fp32": len(theirs - ours),
    }


def cold_queries(env: dict[str, str], runs: int = 3) -> list[Measured]:
    """``kg claims --benchmark XNLI --json``, each in a new process (cold: nothing of the graph is loaded)."""
    return [measure(kg("claims", "--benchmark", "XNLI", "--json"), env) for _ in range(runs)]


def _commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "?"


def paraphrase_recall(conn: sqlite3.Connection, truth: Path, store: Path, model: str) -> tuple[float, float, int, int]:
    """Recall of the generator's rewordings: of all of them, and of those the gates accept when the two are
    compared directly (the share the candidate search, ANN and neighbour cap, lets through).

    Only pairs stored as two distinct claims count. Vectors come from the store's embedding cache.
    """
    from kg.extraction.gazetteer import Gazetteer
    from kg.extraction.text import match_text
    from kg.paraphrase.links import ClaimFeatures, ClaimText, EmbeddingCache, ParaphraseConfig, pair_link

    claims = {key: json.loads(props) for key, props in conn.execute("SELECT key, props FROM nodes WHERE label='Claim'")}
    key_of = {match_text(props["text"]): key for key, props in claims.items()}
    linked = {
        frozenset(pair) for pair in conn.execute("SELECT start_key, end_key FROM rels WHERE type='PARAPHRASE_OF'")
    }
    expected = sorted(
        {
            tuple(sorted((key_of[match_text(a)], key_of[match_text(b)])))
            for a, b in json.loads(truth.read_text())
            if match_text(a) in key_of and match_text(b) in key_of and key_of[match_text(a)] != key_of[match_text(b)]
        }
    )
    if not expected:
        return 1.0, 1.0, 0, 0
    gazetteer, config = Gazetteer.load(), ParaphraseConfig(model=model)
    cache = EmbeddingCache(store, model)

    def must_not_embed(texts: list[str]) -> object:
        raise AssertionError(f"{len(texts)} claim texts missing from the embedding cache")

    linkable = 0
    found_linkable = 0
    for a, b in expected:
        ta, tb = (ClaimText(k, str(claims[k]["text"]), bool(claims[k].get("truncated"))) for k in (a, b))
        va, vb = cache.lookup([ta.text, tb.text], must_not_embed)  # type: ignore[arg-type]
        cosine = float(va @ vb)
        if cosine < config.min_cosine:
            continue
        fa, fb = ClaimFeatures.of(ta.text, gazetteer), ClaimFeatures.of(tb.text, gazetteer)
        if pair_link(ta, tb, fa, fb, cosine, config) is not None:
            linkable += 1
            found_linkable += frozenset((a, b)) in linked
    recall = sum(frozenset(pair) in linked for pair in expected) / len(expected)
    return recall, (found_linkable / linkable if linkable else 1.0), len(expected), linkable


def plus_one(size: int, workdir: Path) -> tuple[float, dict[str, float]]:
    """Re-measure "+1 report" on an existing store: delete the held-out report, then ingest it again (new claims
    and all) in a new `kg ingest` process. Updates that row's figure in place."""
    from claimgraph.services import ClaimGraph
    from kg.settings import Settings

    store, extra = workdir / f"store-{size}", workdir / f"extra-{size}"
    service = ClaimGraph(Settings(data_dir=store))
    report = next(o.report for o in service.ingestion.ingest([extra], link_paraphrases=False).files.outcomes)
    assert report is not None
    from kg.paraphrase.links import EmbeddingCache
    from schemas.graph import NodeLabel, NodeRef, RelType

    with service.workspace.store(read_only=True) as graph:
        ref = NodeRef(label=NodeLabel.REPORT, key=report)
        texts = [str(claim.props["text"]) for _, claim in graph.related([ref], RelType.ASSERTS, "out")[ref]]
    service.admin.delete_report(report)
    # and forget their embeddings: a new report's claims are new texts, so the model must load and encode them
    cache = EmbeddingCache(store, service.settings.embedding_model)
    with sqlite3.connect(cache.path) as conn:
        conn.executemany("DELETE FROM vectors WHERE model=? AND hash=?", [(cache.model, cache._key(t)) for t in texts])
    env = {**os.environ, "CLAIMGRAPH_DATA_DIR": str(store), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    again = measure(kg("ingest", "--offline", "--json", str(extra)), env)
    pass_info: dict[str, float] = json.loads(again.stdout)["paraphrase_pass"]
    queries = cold_queries(env)
    pass_info["query_first"], pass_info["query_median"] = queries[0].wall, statistics.median(q.wall for q in queries)
    return again.wall, pass_info


def _with_encoder(row: dict[str, float | int | str]) -> str:
    tree = float(row.get("ingest_tree_rss", 0))
    return f" ({tree:,.0f} with the encoder)" if tree > float(row["ingest_rss"]) else ""


def _phases(row: dict[str, float | int | str]) -> str:
    """When the writer ended (the pass began) and when the encoding child exited, from the ingest's start."""
    done = float(row.get("encoder_done_s", 0))
    writer = float(row["ingest_wall"]) - float(row["pass_s"])
    return f"{writer:,.0f} / {done:,.0f}" if done else "–"


def _agreement(r: dict[str, float | int | str]) -> str:
    both, ours, fp32 = int(r["links_both"]), int(r["links_only_ours"]), int(r["links_only_fp32"])
    return (
        f"{r['reports']:,} reports: {both:,} links in both, {ours:,} only in {r.get('precision', 'bf16')}, "
        f"{fp32:,} only in fp32: **{both / max(1, both + ours + fp32):.2%} identical** "
        f"(fp32 ingest {float(r['fp32_ingest_wall']):.1f} s)"
    )


def table(rows: list[dict[str, float | int | str]], note: str) -> str:
    where = (
        f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}"
    )
    lines = [
        f"# `kg ingest` at scale, embedded store ({where})",
        "",
        "| reports | claim rows | claims | precision | ingest wall s | ingest CPU s | peak RSS MB | paraphrase pass s "
        "| writer ends / encoder ends, s | stock fp32 encode s (load + encode) | bare encode, ours, s (load + encode) "
        "| ingest rate / stock fp32 encode | ingest rate / bare encode, ours | +1 report into it, s | "
        "cold `kg claims --benchmark XNLI` s (1st / median of 3) | store MB | measured (claims/s: stock / ours) |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        sampled = "" if r.get("bare_share", 1) == 1 else f" from a {float(r['bare_share']):.0%} sample"
        stock = f"{float(r['stock_wall']):.1f} ({float(r['stock_encode']):.1f})" if "stock_wall" in r else "–"
        stock_ratio = f"**{float(r['stock_fraction']):.2f}**" if "stock_fraction" in r else "–"
        stock_rate = f"{float(r['claims']) / float(r['stock_encode']):.0f}" if "stock_encode" in r else "–"
        lines.append(
            f"| {r['reports']:,} | {r['rows']:,} | {r['claims']:,} | {r.get('precision', 'fp32')} "
            f"| {r['ingest_wall']:.1f} | {r['ingest_cpu']:.1f} "
            f"| {r['ingest_rss']:,.0f}{_with_encoder(r)} | {r['pass_s']:.1f} | {_phases(r)} "
            f"| {stock}{sampled if stock != '–' else ''} | {r['bare_wall']:.1f} ({r['bare_encode']:.1f}){sampled} "
            f"| {stock_ratio} | {r['fraction']:.2f} | {r['again_wall']:.2f} (pass {r['again_pass']:.2f}, "
            f"{r['again_indexed']} claims) | {r['query_first']:.2f} / {r['query_median']:.2f} "
            f"({r['query_page']} claims) | {r['store_mb']:,.0f} "
            f"| {r.get('measured', 'earlier')} ({stock_rate} / {float(r['claims']) / float(r['bare_encode']):.0f})"
            + (f"; +1 and query {r['plus_one_measured']}" if r.get("plus_one_measured") else "")
            + " |"
        )
    compared = [r for r in rows if "links_both" in r]
    lines += [
        "",
        "*Paraphrase pass*: from the writer's end to the links written; from "
        "`CLAIMGRAPH_ENCODE_AHEAD_FROM` files up it runs beside the encoding child and waits for each chunk's "
        "vectors, so it includes the encoding left when the writer ends. "
        "*Writer ends / encoder ends*: seconds from the ingest's start to the pass's start (start-up and writer) "
        "and to the encoding child's exit, sampled twice a second; from there to the ingest wall is the pass's "
        "own work (HNSW adds, search, gates, links written), and the CPU timeline of both processes is in "
        "`<workdir>/timeline-N.csv`. "
        "*Measured*: the date and commit of the row; rows are kept from earlier runs when a size is not rerun, "
        "and the bare encode rate tells the machines apart (torch differs up to 5× between our 2-core machines). "
        "*Ingest rate / stock fp32 encode*: the wall time of a process that only loads all-MiniLM-L6-v2 and runs "
        "the library's own `SentenceTransformer.encode` (fp32, batch 64) over the same distinct claim texts, over "
        "the ingest's wall time, both including Python start-up and model load (the goal: 1.5). "
        "*Ingest rate / bare encode, ours*: the same with ClaimGraph's encoder as the ingest runs it (bf16 where "
        "the CPU has it, each text padded by its own length); 1.0 would mean the ingest costs nothing beyond "
        "embedding its claims. "
        f"From {FULL_BARE_BELOW:,} claims up the bare encode runs on a random {BARE_SHARE:.0%} of the claim texts "
        "and its encode time is scaled up (start-up and load are measured as they are). "
        "*Paraphrase recall* against the generator's rewordings: **search recall** is the share found of those the "
        "gates accept when the two claims are compared directly (what the HNSW search and its neighbour cap may "
        "lose, the part that scale changes); *all* counts every rewording, including those the pass's "
        "conservative gates reject by design (token overlap < 0.6 on heavy rewordings, a cut that lost a number): "
        + "; ".join(
            f"{r['reports']:,} reports: {r['links']:,} links, search recall {r['search_recall']:.3f} of "
            f"{r['linkable']:,}, all {r['recall']:.3f} of {r['truth_pairs']:,}"
            for r in rows
        )
        + ".",
        "",
        *(
            [
                "*Paraphrase links, bf16 vs fp32*: the same corpus ingested again with `CLAIMGRAPH_PRECISION=fp32` "
                "(links are pairs of claim keys; keys come from the text): "
                + "; ".join(_agreement(r) for r in compared)
                + ".",
                "",
            ]
            if compared
            else []
        ),
        "Reproduce one row: `python -m bench.scale_bench --sizes N` (`--fp32-links N` also ingests size N in fp32).",
        note,
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--workdir", type=Path, default=Path("bench-scale"), help="reports and stores (GBs at 100k)")
    parser.add_argument("--model", default="sentence-transformers/all-MiniLM-L6-v2")
    parser.add_argument("--out", type=Path, default=RESULTS / "scale.md")
    parser.add_argument(
        "--fp32-links",
        type=int,
        nargs="*",
        default=[10000],
        help="sizes whose corpus is ingested again in fp32 to compare paraphrase links (default 10000)",
    )
    parser.add_argument(
        "--plus-one", action="store_true", help="only re-measure +1 report and the cold query on the stores of --sizes"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows_json = args.out.with_suffix(".json")
    # rows of sizes not run this time are kept from earlier runs (a 100k row can be rerun alone)
    kept = json.loads(rows_json.read_text()) if rows_json.exists() else []
    if args.plus_one:
        for row in kept:
            if row["reports"] in args.sizes:
                row["again_wall"], again = plus_one(int(row["reports"]), args.workdir.resolve())
                row["again_pass"], row["again_indexed"] = again["seconds"], again["claims_indexed"]
                row["query_first"], row["query_median"] = again["query_first"], again["query_median"]
                row["plus_one_measured"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} {_commit()}"
        rows_json.write_text(json.dumps(kept, indent=1) + "\n", encoding="utf-8")
        args.out.write_text(table(kept, ""), encoding="utf-8")
        print(table(kept, ""))
        return
    done: list[dict[str, float | int | str]] = [r for r in kept if r["reports"] not in args.sizes]
    for size in args.sizes:
        done.append(run_size(size, args.workdir.resolve(), args.model, size in args.fp32_links))
        done.sort(key=lambda r: int(r["reports"]))
        rows_json.write_text(json.dumps(done, indent=1) + "\n", encoding="utf-8")
        pending = [s for s in args.sizes if s > size]
        note = f"\n(still running: {', '.join(f'{s:,}' for s in pending)})" if pending else ""
        args.out.write_text(table(done, note), encoding="utf-8")
        print(table(done, note), flush=True)


if __name__ == "__main__":
    main()
