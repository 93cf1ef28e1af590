"""One line that says on what machine a figure was measured: CPU model, cores, bf16 flags, python."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from kg.precision import BF16_FLAGS, cpu_flags


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    flags = [f for f in BF16_FLAGS if f in cpu_flags()] or ["no bf16 flags"]
    return (
        f"{cpu_model()}, {os.cpu_count()} CPUs ({', '.join(flags)}), {platform.machine()}, "
        f"python {platform.python_version()}"
    )
