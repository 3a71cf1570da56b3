"""alliance-sim: how an alliance network between states withstands shocks.

The public names below load on first use (PEP 562), so ``alliance-sim --help`` and small
scripts do not pay for Mesa, pandas, pyarrow, SciPy and SALib until they need them.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from typing import TYPE_CHECKING, Any

from sim.errors import SimError, ValidationError

__version__ = "0.1.0"

#: Public name -> (submodule of sim, attribute); attribute None means the submodule itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    "Actor": ("world", "Actor"),
    "analyse_sensitivity": ("sensitivity", "analyse"),
    "AllianceModel": ("model", "AllianceModel"),
    "EnsembleResults": ("runner", "EnsembleResults"),
    "ModelParams": ("params", "ModelParams"),
    "PartnershipTie": ("world", "PartnershipTie"),
    "RivalryTie": ("world", "RivalryTie"),
    "Route": ("world", "Route"),
    "ScenarioSpec": ("scenario", "ScenarioSpec"),
    "StateAgent": ("agents", "StateAgent"),
    "SupplyTie": ("world", "SupplyTie"),
    "World": ("world", "World"),
    "list_worlds": ("worlds", "list_worlds"),
    "load_results": ("runner", "load_results"),
    "load_scenario": ("scenario", "load_scenario"),
    "load_world": ("worlds", "load_world"),
    "metrics": ("metrics", None),
    "robustness": ("robustness", None),
    "run_scenario": ("runner", "run_scenario"),
    # The package; the function is ``analyse_sensitivity`` (calling ``sim.sensitivity(...)``
    # still works, with a DeprecationWarning: the package is callable).
    "sensitivity": ("sensitivity", None),
    "shocks": ("shocks", None),
}

__all__ = [
    "Actor",
    "AllianceModel",
    "EnsembleResults",
    "ModelParams",
    "PartnershipTie",
    "RivalryTie",
    "Route",
    "ScenarioSpec",
    "SimError",
    "StateAgent",
    "SupplyTie",
    "ValidationError",
    "World",
    "__version__",
    "analyse_sensitivity",
    "list_worlds",
    "load_results",
    "load_scenario",
    "load_world",
    "metrics",
    "robustness",
    "run_scenario",
    "sensitivity",
    "shocks",
]


#: Modules that moved: old name -> new name. ``import sim.uncertain_world`` still works (the
#: same module object as the new name, so private helpers stay reachable and classes pickle
#: under their new name) and warns with a DeprecationWarning. No file is left at the old
#: path, so history (and a merge of edits made there meanwhile) follows the move.
_MOVED = {"sim.uncertain_world": "sim.sensitivity.uncertain"}
# the modules themselves, imported by fixed names only (nothing an input names is imported)
_IMPORT_MOVED = {
    "sim.uncertain_world": lambda: importlib.import_module("sim.sensitivity.uncertain"),
}


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports a moved module under its old name: the new module, with a warning."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in _MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: Any) -> Any:
        new = _MOVED[spec.name]
        warnings.warn(
            f"{spec.name} moved to {new}; import it from there",
            DeprecationWarning,
            stacklevel=2,
        )
        module = _IMPORT_MOVED[spec.name]()
        self._spec = module.__spec__  # the import system overwrites it with the old name's
        return module

    def exec_module(self, module: Any) -> None:
        module.__spec__ = self._spec


if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'sim' has no attribute {name!r}") from None
    value = importlib.import_module(f"sim.{module}")  # a submodule named in the table above
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # for type checkers and IDEs; nothing here runs
    from sim import metrics, robustness, sensitivity, shocks
    from sim.agents import StateAgent
    from sim.model import AllianceModel
    from sim.params import ModelParams
    from sim.runner import EnsembleResults, load_results, run_scenario
    from sim.scenario import ScenarioSpec, load_scenario
    from sim.sensitivity import analyse as analyse_sensitivity
    from sim.world import Actor, PartnershipTie, RivalryTie, Route, SupplyTie, World
    from sim.worlds import list_worlds, load_world
