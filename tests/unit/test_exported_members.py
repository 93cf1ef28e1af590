"""Every package's ``__all__`` and its namespace agree, both ways."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = ["claimgraph", "claimgraph.services", "kg", "ingest", "schemas", "api", "kg.store", "kg.verify"]


@pytest.mark.parametrize("package", PACKAGES)
def test_all_names_exist(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.{name} is in __all__ but missing"


@pytest.mark.parametrize("package", PACKAGES)
def test_public_names_are_exported(package: str) -> None:
    """A public class, function or constant the package imports from its own modules is in ``__all__``."""
    module = importlib.import_module(package)
    root = package.split(".")[0]
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and (getattr(value, "__module__", "") or "").split(".")[0] == root
    }
    assert public <= set(module.__all__), sorted(public - set(module.__all__))
