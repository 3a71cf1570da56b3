"""The plotting package: one module per concern, every public name re-exported once, and no view
importing the layers it draws from (architecture: views read only what they are given)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import sim.plotting

SUBMODULES = ["colours", "layout", "map", "results", "save"]
#: Layers a view must not import: it is given their output.
FORBIDDEN = ("sim.model", "sim.engine", "sim.runner", "sim.store", "sim.analysis", "sim.robustness",
             "sim.sensitivity", "sim.agents")  # fmt: skip


def test_the_package_re_exports_exactly_its_submodules_public_names():
    names: dict[str, str] = {}
    for sub in SUBMODULES:
        module = importlib.import_module(f"sim.plotting.{sub}")
        for name in module.__all__:
            assert name not in names, f"{name} is public in both {names[name]} and {sub}"
            names[name] = sub
            assert getattr(sim.plotting, name) is getattr(module, name)
    assert sorted(sim.plotting.__all__) == sorted(names)


@pytest.mark.parametrize("sub", SUBMODULES)
def test_views_do_not_import_the_model_runner_or_analyses(sub):
    path = Path(sim.plotting.__file__).with_name(f"{sub}.py")
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    bad = sorted(m for m in imported if m.startswith(FORBIDDEN))
    assert not bad, f"sim/plotting/{sub}.py imports {bad}"
    assert "sim.plotting" not in imported, "importing the package's __init__ makes a cycle"
