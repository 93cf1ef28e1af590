"""Every name a package exports exists, and nothing public is missing from __all__."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["kg", "ingest", "schemas", "api", "kg.store", "kg.verify"])
def test_all_names_exist(package: str) -> None:
    module = importlib.import_module(package)
    exported = module.__all__
    for name in exported:
        assert hasattr(module, name), f"{package}.{name} is in __all__ but missing"


def test_public_names_are_exported() -> None:
    schemas = importlib.import_module("schemas")
    public = {name for name in vars(schemas) if not name.startswith("_") and name[0].isupper()}
    assert public <= set(schemas.__all__)
