"""StateAgent: a state or armed non-state actor, a thin view onto the model's arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.model import AllianceModel

__all__ = ["StateAgent"]


class StateAgent(mesa.Agent):
    """One actor of the world.

    The model keeps every actor's state in numpy arrays indexed by position (so a month is a
    few vectorised operations); an agent reads its own entries through the model's inspection
    methods. A collapsed, removed actor stays registered with ``alive`` False, so that agent
    frames keep one row per actor and step.

    Parameters
    ----------
    model : AllianceModel
    index : int
        The actor's position in ``model.world.actors``.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> agent = m.agents[0]
    >>> agent
    StateAgent('A00000', bloc='axis', alive=True)
    >>> agent.index, agent.capability, agent.fulfilment
    (0, 0.116, 1.0)
    """

    def __init__(self, model: AllianceModel, index: int):
        super().__init__(model)
        self.index = index
        self.actor = model.world.actors[index].id

    @property
    def bloc(self) -> str:
        """The bloc the actor belongs to now (it may have defected)."""
        return self.model.bloc(self.actor)

    @property
    def alive(self) -> bool:
        return self.model.alive(self.actor)

    @property
    def capability(self) -> float:
        return self.model.capability(self.actor)

    @property
    def stability(self) -> float:
        return self.model.stability(self.actor)

    @property
    def fulfilment(self) -> float:
        """Mean share of its needs that arrived last month (1 if it needs nothing)."""
        return self.model.fulfilment(self.actor)

    def __repr__(self) -> str:
        return f"StateAgent({self.actor!r}, bloc={self.bloc!r}, alive={self.alive})"
