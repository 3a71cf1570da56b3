"""Random worlds of any size with all three layers, for scaling tests and theory checks."""

from __future__ import annotations

import datetime as dt
import math
import numbers

import numpy as np

from sim.errors import Problem, ValidationError
from sim.world import (
    COMMODITIES,
    PARTNERSHIP_KINDS,
    Actor,
    PartnershipTie,
    RivalryTie,
    Route,
    SupplyTie,
    World,
)

__all__ = ["synthetic"]

_SINCE = dt.date(2000, 1, 1)
_SOURCE = "synthetic world (sim.worlds.synthetic)"
#: Share of actors in each bloc.
_BLOCS = (("axis", 0.4), ("west", 0.4), ("neutral", 0.2))


def synthetic(
    n_actors: int,
    *,
    mean_degree: float = 4.0,
    rng: np.random.Generator | int | None = None,
    supply_share: float = 0.6,
    transit_share: float = 0.3,
    n_corridors: int = 8,
) -> World:
    """A random world: blocs, partnerships, supply ties through transit actors, rivalries.

    Parameters
    ----------
    n_actors : int
        Number of actors (>= 4).
    mean_degree : float
        Mean number of partnerships per actor in the two rival blocs; rivalries number
        about ``n_actors * mean_degree / 4``.
    rng : numpy.random.Generator or int or None
        The one random stream.
    supply_share : float
        Share of partnerships that carry a supply tie (from the more capable partner).
    transit_share : float
        Share of supply ties routed through a transit actor of the supplier's bloc; half of
        those have a direct alternative of smaller capacity.
    n_corridors : int
        Routes through transit actors are named ``"corridor-0"``… so that corridor shocks
        can be tested.

    Returns
    -------
    World
        Blocs ``axis`` (40 %), ``west`` (40 %) and ``neutral`` (20 %); partnerships inside
        ``axis`` and ``west`` as uniform random graphs (Erdős–Rényi G(n, m)); rivalries
        between ``axis`` and ``west``; capabilities lognormal (heavy-tailed, in (0, 1]).

    Raises
    ------
    ValidationError
        Every argument out of its range at once (a ``ValueError`` too).

    Notes
    -----
    Cost O(n_actors * mean_degree); every draw comes from `rng`.

    Examples
    --------
    >>> w = synthetic(50, mean_degree=4, rng=1)
    >>> len(w), w.blocs
    (50, ('axis', 'west', 'neutral'))
    """
    _check_arguments(n_actors, mean_degree, supply_share, transit_share, n_corridors)
    rng = np.random.default_rng(rng)
    n = int(n_actors)
    counts = [round(share * n) for _, share in _BLOCS]
    counts[-1] = n - sum(counts[:-1])
    bloc = np.repeat(np.arange(len(_BLOCS)), counts)
    cap = np.clip(np.exp(rng.normal(-2.5, 1.0, n)), 0.01, 1.0)
    stab = rng.uniform(0.4, 0.95, n)
    lat, lon = rng.uniform(-60, 70, n), rng.uniform(-180, 180, n)
    ids = [f"A{i:05d}" for i in range(n)]
    actors = [
        Actor(
            id=ids[i],
            name=f"Actor {i}",
            bloc=_BLOCS[bloc[i]][0],
            lat=round(float(lat[i]), 3),
            lon=round(float(lon[i]), 3),
            capability=round(float(cap[i]), 4),
            stability=round(float(stab[i]), 3),
        )
        for i in range(n)
    ]
    members = [np.flatnonzero(bloc == b) for b in range(len(_BLOCS))]
    ties: list = []
    commodities = list(COMMODITIES)

    pairs: set[tuple[int, int]] = set()
    for b in (0, 1):
        nodes = members[b]
        if len(nodes) < 2:
            continue
        m = min(round(len(nodes) * mean_degree / 2), len(nodes) * (len(nodes) - 1) // 2)
        found: set[tuple[int, int]] = set()
        while len(found) < m:
            u, v = rng.choice(nodes, 2, replace=False)
            found.add((min(u, v), max(u, v)))
        pairs |= found
    for u, v in sorted(pairs):
        ties.append(
            PartnershipTie(
                since=_SINCE,
                source=_SOURCE,
                a=ids[u],
                b=ids[v],
                kind=PARTNERSHIP_KINDS[int(rng.integers(len(PARTNERSHIP_KINDS)))],
                strength=round(float(rng.uniform(0.3, 0.8)), 3),
            )
        )
        if rng.random() >= supply_share:
            continue
        s, r = (u, v) if cap[u] >= cap[v] else (v, u)
        via: tuple[str, ...] = ()
        alts: tuple[Route, ...] = ()
        corridor = ""
        if rng.random() < transit_share and len(members[bloc[s]]) > 2:
            t = s
            while t in (s, r):
                t = int(rng.choice(members[bloc[s]]))
            via = (ids[t],)
            corridor = f"corridor-{int(rng.integers(n_corridors))}"
            if rng.random() < 0.5:
                alts = (
                    Route(via=(), capacity=round(float(rng.uniform(0.1, 0.5)), 2), corridor="air"),
                )
        ties.append(
            SupplyTie(
                since=_SINCE,
                source=_SOURCE,
                supplier=ids[s],
                recipient=ids[r],
                commodity=commodities[int(rng.integers(len(commodities)))],
                volume=round(float(rng.uniform(10, 100) * cap[s] / cap.max()) + 1.0, 2),
                route=Route(via=via, capacity=1.0, corridor=corridor),
                alternatives=alts,
            )
        )
    rivals: set[tuple[int, int]] = set()
    m_r = round(n * mean_degree / 4)
    a_nodes, w_nodes = members[0], members[1]
    m_r = min(m_r, len(a_nodes) * len(w_nodes))
    while len(rivals) < m_r:
        rivals.add((int(rng.choice(a_nodes)), int(rng.choice(w_nodes))))
    for u, v in sorted(rivals):
        ties.append(
            RivalryTie(
                since=_SINCE,
                source=_SOURCE,
                a=ids[u],
                b=ids[v],
                intensity=round(float(rng.uniform(0.3, 0.9)), 3),
            )
        )
    return World(
        actors=tuple(actors),
        ties=tuple(ties),
        name=f"synthetic-{n}",
        description=f"Random world: {n} actors, mean partnership degree {mean_degree}",
    )


def _is_int(x: object) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Integral)


def _is_real(x: object) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Real) and math.isfinite(x)


def _check_arguments(n_actors, mean_degree, supply_share, transit_share, n_corridors) -> None:
    """Every out-of-range argument of :func:`synthetic` as one ValidationError."""
    problems = []
    if not (_is_int(n_actors) and n_actors >= 4):
        problems.append(
            Problem(
                "synthetic(n_actors)",
                "too few actors or not a whole number",
                n_actors,
                "an integer >= 4 (two rival blocs need two members each)",
            )
        )
    if not (_is_real(mean_degree) and mean_degree > 0):
        problems.append(
            Problem(
                "synthetic(mean_degree)",
                "not a positive number",
                mean_degree,
                "a finite number > 0",
            )
        )
    for name, x in (("supply_share", supply_share), ("transit_share", transit_share)):
        if not (_is_real(x) and 0 <= x <= 1):
            problems.append(Problem(f"synthetic({name})", "not a share", x, "a number in [0, 1]"))
    if not (_is_int(n_corridors) and n_corridors >= 1):
        problems.append(
            Problem("synthetic(n_corridors)", "not a count", n_corridors, "an integer >= 1")
        )
    if problems:
        raise ValidationError(problems, what="synthetic world arguments")
