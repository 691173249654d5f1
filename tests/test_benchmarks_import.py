"""The benchmark scripts import the project by name: every `from assistant… import X` they make
resolves (fast; a moved function broke benchmarks/faithfulness.py once, with every test green)."""

from __future__ import annotations

import ast
import importlib

import pytest

from .helpers import ROOT

SCRIPTS = sorted((ROOT / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_every_project_import_of_a_benchmark_resolves(script):
    tree = ast.parse(script.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("assistant"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{script.name}: {node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("assistant"):
                    importlib.import_module(alias.name)
