"""alliance-sim: how an alliance network between states withstands shocks."""

from sim.errors import SimError, ValidationError
from sim.world import Actor, PartnershipTie, RivalryTie, Route, SupplyTie, World
from sim.worlds import list_worlds, load_world

__all__ = [
    "Actor",
    "PartnershipTie",
    "RivalryTie",
    "Route",
    "SimError",
    "SupplyTie",
    "ValidationError",
    "World",
    "__version__",
    "list_worlds",
    "load_world",
]

__version__ = "0.1.0"
