"""``kg nli train``: fine-tune a sentence encoder as a 3-way NLI cross-encoder (premise = evidence,
hypothesis = claim), reproducibly: a TOML recipe, a fixed seed, stratified mixture weights.

Writes a model folder: ``config.json`` with ``id2label``, tokenizer files, fp16 safetensors
weights, ``training.json`` (recipe, pairs seen, time, device) and a model card.
"""

from __future__ import annotations

import json
import random
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from kg.errors import InputError
from kg.nli.data import LOADERS, counts, load
from kg.nli.labels import LABELS
from kg.nli.pairs import NLIPair


class LoraRecipe(BaseModel):
    """A LoRA adapter (``peft``) over every linear layer, with the classification head trained in full."""

    r: int = Field(default=32, ge=1)
    alpha: int = Field(default=32, ge=1)
    dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    target_modules: list[str] = Field(default_factory=lambda: ["query", "key", "value", "dense"])


class TrainConfig(BaseModel):
    base_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    #: bf16 autocast where the CPU has it natively (kg.precision); "fp32" or "bf16" to force one.
    precision: Literal["auto", "bf16", "fp32"] = "auto"
    #: Train a LoRA adapter and the head over ``base_model`` (shipped as a few MB) instead of every weight.
    lora: LoraRecipe | None = None
    seed: int = 13
    max_length: int = 128
    epochs: int = Field(default=1, ge=1)
    batch_size: int = Field(default=32, ge=1)
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    time_budget_minutes: float = 0.0
    mixture: dict[str, int] = Field(default_factory=lambda: {"fever": 0, "snli": 0, "citint": 0})

    @field_validator("mixture")
    @classmethod
    def _known_datasets(cls, mixture: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(mixture) - set(LOADERS))
        if unknown:
            raise ValueError(f"unknown datasets {unknown}; known: {sorted(LOADERS)}")
        return mixture

    @classmethod
    def from_toml(cls, path: Path) -> TrainConfig:
        try:
            return cls.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
            raise InputError(f"cannot read training recipe {path}: {exc}") from exc


def stratified(pairs: list[NLIPair], per_label: int, rng: random.Random) -> list[NLIPair]:
    """Up to ``per_label`` pairs of each label (all when 0), sampled with ``rng``."""
    chosen: list[NLIPair] = []
    for label in LABELS:
        of_label = [p for p in pairs if p.label == label]
        rng.shuffle(of_label)
        chosen.extend(of_label if per_label == 0 else of_label[:per_label])
    return chosen


def training_pairs(config: TrainConfig, data_root: Path) -> list[NLIPair]:
    rng = random.Random(config.seed)
    pairs: list[NLIPair] = []
    for name, per_label in sorted(config.mixture.items()):
        pairs.extend(stratified(load(data_root, name, "train"), per_label, rng))
    rng.shuffle(pairs)
    return pairs


def _length_batches(pairs: list[NLIPair], size: int, rng: random.Random) -> list[list[NLIPair]]:
    """Batches of similar length (less padding), in shuffled order: sort within windows of 50 batches."""
    batches: list[list[NLIPair]] = []
    window = size * 50
    for start in range(0, len(pairs), window):
        chunk = sorted(pairs[start : start + window], key=lambda p: len(p.premise) + len(p.hypothesis))
        batches.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    rng.shuffle(batches)
    return batches


def _base_location(name: str) -> str:
    """A shipped NLI model by name, else a sentence encoder by hub id or path (offline copies first)."""
    from kg.nli.model import SHIPPED_MODELS, resolve_nli_location
    from kg.paraphrase.embeddings import resolve_model_location

    return resolve_nli_location(name) if name in SHIPPED_MODELS else resolve_model_location(name)


def _with_lora(model: Any, recipe: LoraRecipe) -> Any:
    from peft import LoraConfig, TaskType, get_peft_model

    config = LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=recipe.r,
        lora_alpha=recipe.alpha,
        lora_dropout=recipe.dropout,
        target_modules=recipe.target_modules,
        modules_to_save=["classifier"],
    )
    return get_peft_model(model, config)


def train(
    config: TrainConfig, data_root: Path, output: Path, *, log: Callable[[str], None] = print
) -> dict[str, object]:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    from kg.precision import autocast, choose_precision, cpu_flags

    random.seed(config.seed)
    torch.manual_seed(config.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(max(1, torch.get_num_threads()))
    pairs = training_pairs(config, data_root)
    log(f"training pairs: {len(pairs)} {counts(pairs)} on {device}")
    precision, why = choose_precision(config.precision, device, cpu_flags())
    log(f"precision: {precision} ({why})")
    location = _base_location(config.base_model)
    tokenizer = AutoTokenizer.from_pretrained(location)
    model: Any = AutoModelForSequenceClassification.from_pretrained(
        location,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
        dtype=torch.float32,  # a base shipped in fp16 trains in fp32 (bf16 only inside autocast)
    )
    if config.lora is not None:
        model = _with_lora(model, config.lora)
    model.to(device)
    rng = random.Random(config.seed)
    steps_per_epoch = -(-len(pairs) // config.batch_size)
    total_steps = steps_per_epoch * config.epochs
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
            "weight_decay": config.weight_decay,
        },
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    scheduler = get_linear_schedule_with_warmup(  # type: ignore[no-untyped-call]
        optimizer, int(total_steps * config.warmup_ratio), total_steps
    )
    budget = config.time_budget_minutes * 60 or float("inf")
    started = time.monotonic()
    seen = 0
    step = 0
    stopped_by_budget = False
    model.train()
    for epoch in range(config.epochs):
        for batch in _length_batches(pairs, config.batch_size, rng):
            encoded = tokenizer(
                [p.premise for p in batch],
                [p.hypothesis for p in batch],
                truncation="longest_first",
                max_length=config.max_length,
                padding=True,
                return_tensors="pt",
            ).to(device)
            labels = torch.tensor([p.label_id for p in batch], device=device)
            with autocast(precision, device):
                loss = model(**encoded, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            seen += len(batch)
            step += 1
            elapsed = time.monotonic() - started
            if step % 50 == 0:
                log(
                    f"epoch {epoch + 1} step {step}/{total_steps} pairs {seen} loss {loss.item():.4f} "
                    f"{seen / elapsed:.1f} pairs/s"
                )
            if elapsed > budget:
                stopped_by_budget = True
                break
        if stopped_by_budget:
            log(f"time budget of {config.time_budget_minutes} min reached after {seen} pairs")
            break
    elapsed = time.monotonic() - started
    output.mkdir(parents=True, exist_ok=True)
    if config.lora is not None:
        # the adapter names its base as ClaimGraph resolves it (a shipped name or a hub id), not this machine's path
        model.peft_config["default"].base_model_name_or_path = config.base_model
        model.save_pretrained(output, safe_serialization=True)
    else:
        model.half().save_pretrained(output, safe_serialization=True)
        tokenizer.save_pretrained(output)
    stats: dict[str, object] = {
        "recipe": config.model_dump(),
        "device": device,
        "precision": precision,
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "torch_threads": torch.get_num_threads(),
        "training_pairs_available": len(pairs),
        "training_pairs_by_label": counts(pairs),
        "pairs_seen": seen,
        "steps": step,
        "seconds": round(elapsed, 1),
        "pairs_per_second": round(seen / elapsed, 1) if elapsed else None,
        "stopped_by_time_budget": stopped_by_budget,
    }
    (output / "training.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    log(f"saved {output} after {seen} pairs in {elapsed / 60:.1f} min")
    return stats
