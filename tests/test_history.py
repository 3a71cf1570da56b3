"""The history package (sim.history): every public name of its modules re-exported once, so
``from sim.history import build_world, hindcast`` is the one way in."""

import importlib

import pytest

import sim.history

SUBMODULES = ["episode", "hindcast", "world"]


@pytest.mark.parametrize("sub", SUBMODULES)
def test_each_re_exported_name_is_the_submodules_own_object(sub):
    module = importlib.import_module(f"sim.history.{sub}")
    shared = set(module.__all__) & set(sim.history.__all__)
    assert shared, f"sim.history re-exports nothing of {sub}"
    for name in shared:
        assert getattr(sim.history, name) is getattr(module, name)


def test_the_package_exports_only_names_of_its_submodules_each_once():
    owners: dict[str, list[str]] = {}
    for sub in SUBMODULES:
        for name in importlib.import_module(f"sim.history.{sub}").__all__:
            owners.setdefault(name, []).append(sub)
    assert all(len(subs) == 1 for subs in owners.values()), owners
    assert set(sim.history.__all__) <= set(owners)
    assert len(sim.history.__all__) == len(set(sim.history.__all__))
