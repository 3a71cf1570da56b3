"""alliance-sim: how an alliance network between states withstands shocks."""

from sim.agents import StateAgent
from sim.errors import SimError, ValidationError
from sim.model import AllianceModel
from sim.params import ModelParams
from sim.world import Actor, PartnershipTie, RivalryTie, Route, SupplyTie, World
from sim.worlds import list_worlds, load_world

__all__ = [
    "Actor",
    "AllianceModel",
    "ModelParams",
    "PartnershipTie",
    "RivalryTie",
    "Route",
    "SimError",
    "StateAgent",
    "SupplyTie",
    "ValidationError",
    "World",
    "__version__",
    "list_worlds",
    "load_world",
]

__version__ = "0.1.0"
