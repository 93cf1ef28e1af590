"""Which float precision the models run in: bf16 where the CPU computes it natively, fp32 elsewhere.

On CPUs with AMX (``amx_bf16``) or AVX-512 BF16 (``avx512_bf16``), ``torch.autocast("cpu",
dtype=torch.bfloat16)`` runs the matrix products in bf16 with fp32 accumulation: several
times faster than fp32 on AMX with the same labels for 99.8 % of pairs
(bench/results/nli_inference.md). Elsewhere bf16 is emulated and slower, so fp32 stays.
``CLAIMGRAPH_PRECISION`` (``auto``, ``bf16``, ``fp32``) overrides the detection.

The decision is a pure function of the CPU's flags and the setting, so it can be tested on
any machine and printed by ``kg doctor``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Literal

Precision = Literal["bf16", "fp32"]
PrecisionSetting = Literal["auto", "bf16", "fp32"]
#: CPU flags (as /proc/cpuinfo names them) under which bf16 matrix products are native.
BF16_FLAGS = ("amx_bf16", "avx512_bf16")


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where there is none, e.g. macOS)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def choose_precision(setting: PrecisionSetting, device: str, flags: frozenset[str]) -> tuple[Precision, str]:
    """The precision and why: a forced setting wins; on CUDA bf16; on CPU bf16 only with a native flag."""
    if setting != "auto":
        return setting, f"forced by CLAIMGRAPH_PRECISION={setting}"
    if device.startswith("cuda"):
        return "bf16", "CUDA device"
    native = [flag for flag in BF16_FLAGS if flag in flags]
    if native:
        return "bf16", f"CPU has {', '.join(native)}"
    return "fp32", "CPU has neither amx_bf16 nor avx512_bf16"


def precision_setting() -> PrecisionSetting:
    value = os.environ.get("CLAIMGRAPH_PRECISION", "auto").strip().lower()
    if value not in ("auto", "bf16", "fp32"):
        from kg.errors import InputError

        raise InputError(f"CLAIMGRAPH_PRECISION={value!r}: expected auto, bf16 or fp32")
    return value  # type: ignore[return-value]


def runtime_precision(device: str = "cpu") -> tuple[Precision, str]:
    """The precision this process uses on ``device``, from the environment and the CPU."""
    return choose_precision(precision_setting(), device, cpu_flags())


@contextlib.contextmanager
def autocast(precision: Precision, device: str) -> Iterator[None]:
    """bf16 autocast for ``precision == "bf16"``; nothing otherwise."""
    if precision == "fp32":
        yield
        return
    import torch

    with torch.autocast(device.split(":")[0], dtype=torch.bfloat16):
        yield
