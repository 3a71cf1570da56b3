"""alliance-sim: how an alliance network between states withstands shocks.

The public names below load on first use (PEP 562), so ``alliance-sim --help`` and small
scripts do not pay for Mesa, pandas, pyarrow, SciPy and SALib until they need them.
"""

from __future__ import annotations

import importlib
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
