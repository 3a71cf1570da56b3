"""alliance-sim: how an alliance network between states withstands shocks."""

from sim import metrics, robustness, shocks
from sim.agents import StateAgent
from sim.errors import SimError, ValidationError
from sim.model import AllianceModel
from sim.params import ModelParams
from sim.runner import EnsembleResults, load_results, run_scenario
from sim.scenario import ScenarioSpec, load_scenario
from sim.sensitivity import sensitivity  # the function; the module stays importable by name
from sim.world import Actor, PartnershipTie, RivalryTie, Route, SupplyTie, World
from sim.worlds import list_worlds, load_world

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

__version__ = "0.1.0"
