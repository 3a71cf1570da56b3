"""Delivery of supply ties along routes through transit actors, with rerouting, as arrays.

A world's supply layer is compiled once into flat numpy arrays (:class:`SupplyNetwork`) indexed
by actor position, tie and route, so that one month of deliveries is a handful of vectorised
operations (:func:`deliver`), linear in the number of ties and route hops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.commodities import IMPORTANCE, USD_PER_UNIT
from sim.metrics import route_taken
from sim.rowops import row_bincount
from sim.world import World

__all__ = [
    "SupplyNetwork",
    "capped_share",
    "deliver",
    "deliver_rows",
    "route_taken_rows",
    "surge_targets",
    "surge_targets_rows",
]


@dataclass(frozen=True, eq=False)
class SupplyNetwork:
    """The supply layer of a world compiled into arrays.

    Attributes
    ----------
    supplier, recipient, commodity : int arrays, shape (K,)
        Actor positions and commodity index of each supply tie.
    volume : float array, shape (K,)
        Nominal volume per month of each tie.
    commodities : tuple of str
        The commodity names indexed by ``commodity``.
    production : float array, shape (N, C)
        Nominal output for export per actor and commodity: the declared ``produces`` where
        given, else the sum of that actor's outgoing ties of the commodity.
    domestic : float array, shape (N, C)
        Nominal output for the actor's own use (the world's ``domestic``).
    value : float array, shape (C,)
        USD million per unit of each commodity (:data:`sim.commodities.USD_PER_UNIT`).
    need_actor, need_commodity, need_volume : arrays, shape (M,)
        One entry per (actor, commodity) need > 0: declared ``needs`` where given, else the
        sum of incoming ties plus the actor's own ``domestic`` output of the commodity.
    need_weight : float array, shape (M,)
        Weight of each need in its actor's fulfilment: its value in USD times the
        commodity's military importance (:data:`sim.commodities.IMPORTANCE`).
    tie_need : int array, shape (K,)
        The need entry each tie serves (-1 when the recipient declares no need for it).
    route_tie, route_rank, route_capacity : arrays, shape (R,)
        Routes: their tie, their rank (0 = main route, 1.. = alternatives in file order) and
        capacity share. Routes are sorted by (rank, tie).
    route_corridor : tuple of str, length R
        The corridor name of each route (``""`` where the world names none).
    hop_route, hop_actor : int arrays, shape (H,)
        One entry per transit hop: its route and transit actor.
    route_hops : int array, shape (R,)
        Number of transit hops of each route (0 for a direct route).
    max_rank : int
        The highest route rank: the most alternatives any tie has.

    See Also
    --------
    SupplyNetwork.from_world : How a world is compiled; build one with it.
    deliver : One month of deliveries over the network.

    Examples
    --------
    Iran supplies Hezbollah with 10 units of arms a month through Syria, or directly at half
    capacity when Syria is closed:

    >>> import datetime as dt
    >>> from sim.world import Actor, Route, SupplyTie, World
    >>> tie = SupplyTie(dt.date(2012, 1, 1), "test", supplier="IRN", recipient="HEZ", volume=10,
    ...                 route=Route(via=("SYR",)), alternatives=(Route(capacity=0.5),))
    >>> actors = tuple(Actor(i, i) for i in ("IRN", "SYR", "HEZ"))
    >>> net = SupplyNetwork.from_world(World(actors, (tie,)))
    >>> net.n_ties, net.commodities, net.route_rank.tolist(), net.route_capacity.tolist()
    (1, ('arms',), [0, 1], [1.0, 0.5])
    >>> net.hop_actor.tolist(), net.route_hops.tolist(), net.need_volume.tolist()
    ([1], [1, 0], [10.0])
    """

    supplier: np.ndarray
    recipient: np.ndarray
    commodity: np.ndarray
    volume: np.ndarray
    commodities: tuple[str, ...]
    production: np.ndarray
    domestic: np.ndarray
    value: np.ndarray
    need_actor: np.ndarray
    need_commodity: np.ndarray
    need_volume: np.ndarray
    need_weight: np.ndarray
    tie_need: np.ndarray
    route_tie: np.ndarray
    route_rank: np.ndarray
    route_capacity: np.ndarray
    route_corridor: tuple[str, ...]
    hop_route: np.ndarray
    hop_actor: np.ndarray
    route_hops: np.ndarray
    max_rank: int
    #: route_taken per mask of usable routes (a cache: not part of the network's identity)
    _taken: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_ties(self) -> int:
        """The number of supply ties, K.

        Examples
        --------
        >>> from sim.worlds import synthetic
        >>> SupplyNetwork.from_world(synthetic(8, rng=3)).n_ties
        3
        """
        return len(self.supplier)

    def _by_tie(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Routes grouped by tie (stable): the order, each group's start, each group's tie."""
        got = self._taken.get("by_tie")
        if got is None:
            order = np.argsort(self.route_tie, kind="stable")
            ties, starts = np.unique(self.route_tie[order], return_index=True)
            got = self._taken["by_tie"] = (order, starts, ties)
        return got

    def _cells(self) -> tuple[np.ndarray, np.ndarray]:
        """The (supplier, commodity) cells the ties ship from, as flat indices into an
        (N, C) array: the distinct cells in increasing order, and each tie's position
        among them. Sums over a tie's cell then need one bin per cell used, not N x C."""
        got = self._taken.get("cells")
        if got is None:
            cell = self.supplier * self.production.shape[1] + self.commodity
            got = self._taken["cells"] = np.unique(cell, return_inverse=True)
        return got

    @classmethod
    def from_world(cls, world: World) -> SupplyNetwork:
        """Compile the supply layer of `world` (linear in ties, routes and hops).

        Parameters
        ----------
        world : World
            Its supply ties, their routes, and its actors' ``produces``, ``needs`` and
            ``domestic`` figures are read; the other layers are ignored.

        Returns
        -------
        SupplyNetwork
            Actors indexed by their position in ``world.actors``, ties in the order of
            ``world.ties_in("supply")``, commodities in order of first appearance (ties first).

        Examples
        --------
        >>> from sim.worlds import synthetic
        >>> net = SupplyNetwork.from_world(synthetic(8, rng=3))
        >>> net.commodities, net.volume.round(1).tolist(), net.route_hops.tolist()
        (('missiles', 'drones', 'energy'), [35.8, 13.0, 9.0], [1, 0, 0])
        """
        pos = {a.id: i for i, a in enumerate(world.actors)}
        ties = world.ties_in("supply")
        names: dict[str, int] = {}
        for t in ties:
            names.setdefault(t.commodity, len(names))
        for a in world.actors:
            for c in (*a.produces, *a.needs, *a.domestic):
                names.setdefault(c, len(names))
        n, n_c, k = len(world.actors), max(len(names), 1), len(ties)
        supplier = np.array([pos[t.supplier] for t in ties], dtype=np.intp)
        recipient = np.array([pos[t.recipient] for t in ties], dtype=np.intp)
        commodity = np.array([names[t.commodity] for t in ties], dtype=np.intp)
        volume = np.array([t.volume for t in ties], dtype=float)

        shipped = np.zeros((n, n_c))
        brought = np.zeros((n, n_c))
        np.add.at(shipped, (supplier, commodity), volume)
        np.add.at(brought, (recipient, commodity), volume)
        production, need = shipped.copy(), brought.copy()
        domestic = np.zeros((n, n_c))
        for i, a in enumerate(world.actors):
            for c, v in a.domestic.items():
                domestic[i, names[c]] = v
        need += domestic
        for i, a in enumerate(world.actors):
            # A declared figure replaces the derived one for that commodity only, so an actor
            # that declares drones but ships arms still has an arms output.
            for c, v in a.produces.items():
                production[i, names[c]] = v
            for c, v in a.needs.items():
                need[i, names[c]] = v
        need_actor, need_commodity = np.nonzero(need > 0)
        need_index = np.full((n, n_c), -1, dtype=np.intp)
        need_index[need_actor, need_commodity] = np.arange(len(need_actor))
        tie_need = need_index[recipient, commodity] if k else np.zeros(0, dtype=np.intp)
        value = np.array([USD_PER_UNIT.get(c, 1.0) for c in names] or [1.0])
        importance = np.array([IMPORTANCE.get(c, 1.0) for c in names] or [1.0])
        need_volume = need[need_actor, need_commodity]

        routes = []  # (rank, tie, capacity, corridor, via)
        for j, t in enumerate(ties):
            routes.append((0, j, 1.0, t.route.corridor, t.route.via))
            for r, alt in enumerate(t.alternatives, start=1):
                routes.append((r, j, alt.capacity, alt.corridor, alt.via))
        routes.sort(key=lambda x: (x[0], x[1]))
        hop_route = [r for r, x in enumerate(routes) for _ in x[4]]
        hop_actor = [pos[v] for x in routes for v in x[4]]
        return cls(
            supplier=supplier,
            recipient=recipient,
            commodity=commodity,
            volume=volume,
            commodities=tuple(names),
            production=production,
            domestic=domestic,
            value=value,
            need_actor=need_actor.astype(np.intp),
            need_commodity=need_commodity.astype(np.intp),
            need_volume=need_volume,
            need_weight=need_volume * value[need_commodity] * importance[need_commodity],
            tie_need=tie_need,
            route_tie=np.array([x[1] for x in routes], dtype=np.intp),
            route_rank=np.array([x[0] for x in routes], dtype=np.intp),
            route_capacity=np.array([x[2] for x in routes], dtype=float),
            route_corridor=tuple(x[3] for x in routes),
            hop_route=np.array(hop_route, dtype=np.intp),
            hop_actor=np.array(hop_actor, dtype=np.intp),
            route_hops=np.array([len(x[4]) for x in routes], dtype=np.intp),
            max_rank=max((x[0] for x in routes), default=0),
        )


def capped_share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``min(1, num / den)`` element-wise, 0 where ``den <= 0``, without overflow.

    Parameters
    ----------
    num, den : float arrays of one shape
        Non-negative numerators and denominators.

    Returns
    -------
    float array
        The capped share, in [0, 1].

    Notes
    -----
    A plain ``np.minimum(1, num / den)`` overflows (a ``RuntimeWarning``) when `den` is
    subnormal and `num` is not, e.g. a volume of 5e-324 against an output of 1. Here the
    division runs only where ``num < den``, where the quotient is below 1 and cannot
    overflow; everywhere else the share is 1 by the cap (it may underflow to 0, which numpy
    does silently and which is the right answer to the precision of a float). The division
    is computed everywhere, its warnings silenced, and the other entries overwritten: a
    masked ``np.divide(..., where=)`` is several times slower. ``np.fmin`` caps an overflow
    at 1 and turns a NaN quotient (``inf / inf``) into 1, as ``num >= den`` requires.

    Examples
    --------
    Half, capped at 1, nothing to share, and a subnormal denominator (no overflow warning):

    >>> capped_share(np.array([1.0, 3.0, 2.0, 1.0]), np.array([2.0, 2.0, 0.0, 5e-324]))
    array([0.5, 1. , 0. , 1. ])
    """
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(all="ignore"):  # quotients of den <= 0 or num >= den are replaced
        out = np.divide(num, den)
    np.fmin(out, 1.0, out=out)
    np.copyto(out, 0.0, where=~(den > 0))
    return out


def deliver(
    net: SupplyNetwork,
    *,
    output: np.ndarray,
    tie_open: np.ndarray,
    passable: np.ndarray,
    route_open: np.ndarray,
    tie_passable: np.ndarray | None = None,
    uniform: np.ndarray | None = None,
    interdiction_rate: float = 0.0,
    direct_rate: float = 0.0,
    route_out: np.ndarray | None = None,
    volume: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One month of deliveries.

    Parameters
    ----------
    net : SupplyNetwork
        The compiled supply layer (:meth:`SupplyNetwork.from_world`).
    output : float array, shape (N, C)
        What each actor produced this month, per commodity.
    tie_open : bool array, shape (K,)
        Ties that ship at all (both ends alive, not cut or sanctioned).
    passable : bool array, shape (N,)
        Actors whose territory lets transit through (alive, not blocking).
    route_open : bool array, shape (R,)
        Routes not closed as a whole (e.g. a blocked corridor).
    tie_passable : bool array, shape (H,), optional
        Per hop, whether the transit actor lets *this tie's* traffic through (False where the
        transit actor has realigned against the supplier); combined with `passable`.
    uniform : float array, shape (K,), optional
        One uniform draw ``u`` per tie: the month's interdicted share of the shipment is
        ``min(1, -q log u)`` (exponential with mean ``q``, capped at the whole shipment),
        where ``q = 1 - (1 - interdiction_rate) ** hops`` on the route taken.
    interdiction_rate : float
        Expected share of a month's shipment interdicted at each transit hop.
    direct_rate : float
        Expected share interdicted on any route, direct ones included (strikes on flights,
        seizures at sea): ``q = 1 - (1 - direct_rate) (1 - interdiction_rate) ** hops``.
    volume : float array, shape (K,), optional
        This month's volume of each tie (default: the nominal ``net.volume``): the model's
        volumes follow the partnership and add substitution surges.
    route_out : int array, shape (K,), optional
        Filled with the route each tie took (an index into the route arrays, -1 where no
        route is usable), e.g. to tell a rerouted tie from one on its main route.

    Returns
    -------
    delivered : float array, shape (K,)
        Volume that arrived on each tie: its share of the supplier's output, times the
        capacity of the first open route (main route first, then alternatives in order),
        less the interdicted share; 0 if no route is open.
    dispatched : float array, shape (K,)
        Volume each open tie was allotted from its supplier's output.

    Notes
    -----
    A supplier splits its output of a commodity among its open ties in proportion to their
    nominal volumes and never ships more than that volume, so deliveries never exceed what was
    produced. Cost: O(K + H + R log R).

    Rerouting: a tie takes its first usable route (main, then alternatives in file order) at
    that route's capacity; open alternatives do not add up. This is
    :func:`sim.metrics.route_taken`, the rule :func:`sim.metrics.supply_fulfilment` (and so
    criticality rankings) applies too; it lives in the metrics layer, which the model may
    import and which never imports the model.

    Interdiction takes a share of a month's shipment, not all of it: a month's supply moves in
    many convoys and flights, and a strike or seizure stops some of them. The lost share has
    mean ``q (1 - e^{-1/q})`` (within 0.7 % of ``q`` for ``q <= 0.2``), so the expected loss
    is what an all-or-nothing draw with probability ``q`` gave, but a month in which the whole
    shipment vanishes has probability ``e^{-1/q}`` (2e-11 at ``q = 0.04``) rather than ``q``.
    The share is a function of the one uniform per tie, so a shocked run and its baseline
    keep drawing the same numbers whatever routes they take.

    Examples
    --------
    Iran ships 10 units of arms a month to Hezbollah through Syria (the main route), or
    directly at half capacity:

    >>> import datetime as dt
    >>> from sim.world import Actor, Route, SupplyTie, World
    >>> tie = SupplyTie(dt.date(2012, 1, 1), "test", supplier="IRN", recipient="HEZ", volume=10,
    ...                 route=Route(via=("SYR",)), alternatives=(Route(capacity=0.5),))
    >>> actors = tuple(Actor(i, i) for i in ("IRN", "SYR", "HEZ"))
    >>> net = SupplyNetwork.from_world(World(actors, (tie,)))
    >>> kw = dict(output=net.production, tie_open=np.ones(1, bool), route_open=np.ones(2, bool))
    >>> deliver(net, passable=np.ones(3, bool), **kw)
    (array([10.]), array([10.]))

    Syria closes its territory: the tie reroutes to the direct route, at half capacity.

    >>> taken = np.empty(1, dtype=np.intp)
    >>> deliver(net, passable=np.array([True, False, True]), route_out=taken, **kw)
    (array([5.]), array([10.]))
    >>> taken.tolist(), net.route_rank[taken].tolist()
    ([1], [1])

    With interdiction on every route (mean share 0.1, the draw ``u = 0.5``), the lost share
    is ``-0.1 log 0.5 = 0.069``:

    >>> delivered, _ = deliver(net, passable=np.ones(3, bool), uniform=np.array([0.5]),
    ...                        direct_rate=0.1, **kw)
    >>> delivered.round(3)
    array([9.307])
    """
    vol = net.volume if volume is None else volume
    delivered, dispatched, taken = deliver_rows(
        net,
        output=output[None],
        tie_open=tie_open[None],
        passable=passable[None],
        route_open=route_open[None],
        tie_passable=None if tie_passable is None else tie_passable[None],
        uniform=None if uniform is None else uniform[None],
        interdiction_rate=interdiction_rate,
        direct_rate=direct_rate,
        volume=vol[None],
    )
    if route_out is not None:
        route_out[:] = taken[0]
    return delivered[0], dispatched[0]


def route_taken_rows(net: SupplyNetwork, usable: np.ndarray) -> np.ndarray:
    """:func:`sim.metrics.route_taken` for every row of `usable` (R, routes) at once.

    Parameters
    ----------
    net : SupplyNetwork
        The compiled supply layer.
    usable : bool array, shape (R, routes)
        Per row, the routes open and with every transit hop passable.

    Returns
    -------
    int array, shape (R, K)
        Per row, the route each tie takes (an index into the route arrays), -1 where none of
        its routes is usable.

    Notes
    -----
    Routes are sorted by (rank, tie), so a tie's first usable route is its usable route of
    lowest index: a minimum over each tie's routes, grouped once by ``route_tie``. With a
    single row the answer is memoised per mask (the usable routes change only with shocks).

    Examples
    --------
    A tie with a main route (index 0) and one alternative (index 1), in three rows: both
    usable, the main one blocked, both blocked:

    >>> import datetime as dt
    >>> from sim.world import Actor, Route, SupplyTie, World
    >>> tie = SupplyTie(dt.date(2012, 1, 1), "test", supplier="IRN", recipient="HEZ", volume=10,
    ...                 route=Route(via=("SYR",)), alternatives=(Route(capacity=0.5),))
    >>> actors = tuple(Actor(i, i) for i in ("IRN", "SYR", "HEZ"))
    >>> net = SupplyNetwork.from_world(World(actors, (tie,)))
    >>> route_taken_rows(net, np.array([[True, True], [False, True], [False, False]])).tolist()
    [[0], [1], [-1]]
    """
    k = net.n_ties
    if usable.shape[0] == 1:
        # One row (the single model): the usable routes change only with shocks and
        # collapses, so the choice is memoised per mask.
        key = usable.tobytes()
        taken = net._taken.get(key)
        if taken is None:
            if len(net._taken) > 64:
                net._taken.clear()
            taken = net._taken[key] = route_taken(net.route_tie, usable[0], k)[None, :]
        return taken
    order = net._by_tie()
    big = np.iinfo(np.intp).max
    idx = np.where(usable[:, order[0]], order[0][None, :], big)
    first = np.minimum.reduceat(idx, order[1], axis=1) if len(order[0]) else idx
    taken = np.full((usable.shape[0], k), -1, dtype=np.intp)
    has = first != big
    taken[:, order[2]] = np.where(has, first, -1)
    return taken


def deliver_rows(
    net: SupplyNetwork,
    *,
    output: np.ndarray,
    tie_open: np.ndarray,
    passable: np.ndarray,
    route_open: np.ndarray,
    volume: np.ndarray,
    tie_passable: np.ndarray | None = None,
    uniform: np.ndarray | None = None,
    interdiction_rate=0.0,
    direct_rate=0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`deliver` for R rows at once (the batched engine, :mod:`sim.engine`).

    Every state argument carries a leading row axis; the structure (ties, routes, hops) is
    `net`'s, shared by every row.

    Parameters
    ----------
    net : SupplyNetwork
        The compiled supply layer, shared by every row.
    output : float array, shape (R, N, C)
        What each actor produced this month, per commodity, per row.
    tie_open : bool array, shape (R, K)
        Ties that ship at all.
    passable : bool array, shape (R, N)
        Actors whose territory lets transit through.
    route_open : bool array, shape (R, routes)
        Routes not closed as a whole.
    volume : float array, shape (R, K)
        This month's volume of each tie (required here: :func:`deliver` defaults it).
    tie_passable : bool array, shape (R, H), optional
        Per hop, whether the transit actor lets this tie's traffic through.
    uniform : float array, shape (R, K), optional
        One uniform draw per tie for the interdicted share (see :func:`deliver`).
    interdiction_rate, direct_rate : float or float array of shape (R, 1)
        The expected shares interdicted per transit hop and on any route, as in
        :func:`deliver`; one value for every row or one per row.

    Returns
    -------
    delivered, dispatched : float arrays, shape (R, K)
        As in :func:`deliver`, per row.
    taken : int array, shape (R, K)
        The route each tie took, -1 where none is usable (:func:`route_taken_rows`).

    Examples
    --------
    Two rows of the Iran–Hezbollah tie through Syria: Syria open, then closed.

    >>> import datetime as dt
    >>> from sim.world import Actor, Route, SupplyTie, World
    >>> tie = SupplyTie(dt.date(2012, 1, 1), "test", supplier="IRN", recipient="HEZ", volume=10,
    ...                 route=Route(via=("SYR",)), alternatives=(Route(capacity=0.5),))
    >>> actors = tuple(Actor(i, i) for i in ("IRN", "SYR", "HEZ"))
    >>> net = SupplyNetwork.from_world(World(actors, (tie,)))
    >>> delivered, dispatched, taken = deliver_rows(
    ...     net, output=np.stack([net.production] * 2), tie_open=np.ones((2, 1), bool),
    ...     passable=np.array([[True, True, True], [True, False, True]]),
    ...     route_open=np.ones((2, 2), bool), volume=np.stack([net.volume] * 2))
    >>> delivered.tolist(), dispatched.tolist(), taken.tolist()
    ([[10.0], [5.0]], [[10.0], [10.0]], [[0], [1]])
    """
    cells, at = net._cells()  # a tie's cell is cells[at]: its supplier's output of it
    return _deliver_from(
        net,
        output.reshape(output.shape[0], -1)[:, cells[at]],
        tie_open=tie_open,
        passable=passable,
        route_open=route_open,
        volume=volume,
        tie_passable=tie_passable,
        uniform=uniform,
        interdiction_rate=interdiction_rate,
        direct_rate=direct_rate,
    )


#: Routes-taken choices kept per network (and their route terms): one per arm of a scenario
#: stepping together is enough; a few more for designs with several shocked arms.
_RECENT = 4


def _deliver_from(
    net: SupplyNetwork,
    avail: np.ndarray,
    *,
    tie_open: np.ndarray,
    passable: np.ndarray,
    route_open: np.ndarray,
    volume: np.ndarray,
    tie_passable: np.ndarray | None = None,
    uniform: np.ndarray | None = None,
    interdiction_rate=0.0,
    direct_rate=0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`deliver_rows` given, instead of the whole output, each tie's supplier's
    output of its commodity, `avail` (R, K): all that the deliveries read of it."""
    n_rows, k = avail.shape[0], net.n_ties
    if k == 0:
        z = np.zeros((n_rows, 0))
        return z, z.copy(), np.zeros((n_rows, 0), dtype=np.intp)
    vol = np.where(tie_open, volume, 0.0)
    cells, at = net._cells()
    committed = row_bincount(at, vol, len(cells))
    comm = committed[:, at]
    dispatched = vol * capped_share(avail, comm)

    hop_ok = passable[:, net.hop_actor]
    if tie_passable is not None:
        hop_ok &= tie_passable
    # The routes taken change only with shocks and collapses: reuse a recent choice while
    # the open hops and routes are the same (a cache keyed by their values). A few are kept,
    # most recent first: the arms of a scenario share the network and step together.
    recent = net._taken.setdefault("rows", [])
    for k, (hop_then, open_then, got) in enumerate(recent):
        if (
            hop_then.shape == hop_ok.shape
            and np.array_equal(hop_then, hop_ok)
            and np.array_equal(open_then, route_open)
        ):
            taken = got
            recent.insert(0, recent.pop(k))
            break
    else:
        n_routes = len(net.route_tie)
        blocked = row_bincount(net.hop_route, (~hop_ok).astype(float), n_routes)
        usable = route_open & (blocked == 0)
        taken = route_taken_rows(net, usable)
        recent.insert(0, (hop_ok, np.array(route_open, dtype=bool), taken))
        del recent[_RECENT:]
    # capacity and hops of the route taken, and the expected share lost on it, change only
    # with the routes taken: kept with them (the loss, negated, while the rates are shared by
    # the rows)
    terms = net._taken.setdefault("route_terms", [])
    for k, entry in enumerate(terms):
        if entry[0] is taken:
            terms.insert(0, terms.pop(k))
            break
    else:
        ok = taken >= 0
        t = np.where(ok, taken, 0)
        capacity = np.where(ok, net.route_capacity[t], 0.0)
        hops = np.where(ok, net.route_hops[t], 0)
        no_losses: dict[tuple[float, float], np.ndarray] = {}
        entry = (taken, capacity, hops, no_losses)
        terms.insert(0, entry)
        del terms[_RECENT:]
    _, capacity, hops, losses = entry
    delivered = dispatched * capacity
    if uniform is not None and (np.any(interdiction_rate > 0) or np.any(direct_rate > 0)):
        shared = np.ndim(direct_rate) == 0 and np.ndim(interdiction_rate) == 0
        neg_q = losses.get((float(direct_rate), float(interdiction_rate))) if shared else None
        if neg_q is None:  # -q, kept negated: the loss is (-q) log u
            neg_q = -(1.0 - (1.0 - direct_rate) * (1.0 - interdiction_rate) ** hops)
            if shared:
                losses[(float(direct_rate), float(interdiction_rate))] = neg_q
        # min(1, -q log u), then 1 - lost, in one array
        kept = np.log(np.maximum(uniform, 1e-300))
        np.minimum(1.0, np.multiply(neg_q, kept, out=kept), out=kept)
        delivered *= np.subtract(1.0, kept, out=kept)
    return delivered, dispatched, taken


def surge_targets(
    net: SupplyNetwork,
    *,
    shortfall: np.ndarray,
    eligible: np.ndarray,
    pull: np.ndarray,
    spare: np.ndarray,
) -> np.ndarray:
    """Extra volume each supply tie is asked for, to make up its recipients' shortfalls.

    Parameters
    ----------
    net : SupplyNetwork
        The compiled supply layer.
    shortfall : float array, shape (M,)
        Each need's shortfall against its expected level, in the commodity's unit.
    eligible : bool array, shape (K,)
        Ties that may surge: open, on their main route, between active partners.
    pull : float array, shape (K,)
        Each tie's claim on its need's shortfall (the model: partnership strength times
        nominal volume); shared among a need's eligible ties in proportion to it.
    spare : float array, shape (N, C)
        What each supplier can divert, per commodity.

    Returns
    -------
    float array, shape (K,)
        The surge each tie is asked for: its share of the shortfall, scaled down where the
        supplier's spare output cannot cover every claim on it.

    Examples
    --------
    Hezbollah is 4 units of arms short; its one supplier, Iran, can divert 3:

    >>> import datetime as dt
    >>> from sim.world import Actor, Route, SupplyTie, World
    >>> tie = SupplyTie(dt.date(2012, 1, 1), "test", supplier="IRN", recipient="HEZ", volume=10,
    ...                 route=Route(via=("SYR",)), alternatives=(Route(capacity=0.5),))
    >>> actors = tuple(Actor(i, i) for i in ("IRN", "SYR", "HEZ"))
    >>> net = SupplyNetwork.from_world(World(actors, (tie,)))
    >>> kw = dict(eligible=np.ones(1, bool), pull=np.ones(1), spare=np.full((3, 1), 3.0))
    >>> surge_targets(net, shortfall=np.array([4.0]), **kw)
    array([3.])
    >>> surge_targets(net, shortfall=np.array([2.0]), **kw)
    array([2.])
    """
    return surge_targets_rows(
        net,
        shortfall=shortfall[None],
        eligible=eligible[None],
        pull=pull[None],
        spare=spare[None],
    )[0]


def surge_targets_rows(
    net: SupplyNetwork,
    *,
    shortfall: np.ndarray,
    eligible: np.ndarray,
    pull: np.ndarray,
    spare: np.ndarray,
) -> np.ndarray:
    """:func:`surge_targets` for R rows at once: every argument with a leading row axis.

    Parameters
    ----------
    net : SupplyNetwork
        The compiled supply layer, shared by every row.
    shortfall : float array, shape (R, M)
        Each need's shortfall, per row.
    eligible : bool array, shape (R, K)
        Ties that may surge, per row.
    pull : float array, shape (R, K)
        Each tie's claim on its need's shortfall, per row.
    spare : float array, shape (R, N, C)
        What each supplier can divert, per row.

    Returns
    -------
    float array, shape (R, K)
        The surge each tie is asked for, per row (see :func:`surge_targets`).

    Examples
    --------
    Hezbollah 4 units short in both rows; Iran can divert 3, then 6:

    >>> import datetime as dt
    >>> from sim.world import Actor, Route, SupplyTie, World
    >>> tie = SupplyTie(dt.date(2012, 1, 1), "test", supplier="IRN", recipient="HEZ", volume=10,
    ...                 route=Route(via=("SYR",)), alternatives=(Route(capacity=0.5),))
    >>> actors = tuple(Actor(i, i) for i in ("IRN", "SYR", "HEZ"))
    >>> net = SupplyNetwork.from_world(World(actors, (tie,)))
    >>> spare = np.array([np.full((3, 1), 3.0), np.full((3, 1), 6.0)])
    >>> surge_targets_rows(net, shortfall=np.full((2, 1), 4.0), eligible=np.ones((2, 1), bool),
    ...                    pull=np.ones((2, 1)), spare=spare).tolist()
    [[3.0], [4.0]]
    """
    cells, _ = net._cells()  # only the cells the ties ship from are claimed
    return _surge_targets_from(
        net,
        shortfall=shortfall,
        eligible=eligible,
        pull=pull,
        spare=spare.reshape(spare.shape[0], -1)[:, cells],
    )


def _surge_targets_from(
    net: SupplyNetwork,
    *,
    shortfall: np.ndarray,
    eligible: np.ndarray,
    pull: np.ndarray,
    spare: np.ndarray,
) -> np.ndarray:
    """:func:`surge_targets_rows` given the spare output only in the cells the ties ship
    from, `spare` (R, cells) in the order of ``SupplyNetwork._cells``: all it reads of it."""
    n_rows, k = eligible.shape[0], net.n_ties
    m = net.tie_need
    ok = eligible & (m >= 0) & (pull > 0)
    if not ok.any():
        return np.zeros((n_rows, k))
    mc = np.where(m >= 0, m, 0)
    w = np.where(ok, pull, 0.0)
    tot = row_bincount(mc, w, shortfall.shape[1])
    with np.errstate(all="ignore"):  # 0 / 0 where no tie of the need may surge: not kept
        ask = np.where(ok, shortfall[:, mc] * w / tot[:, mc], 0.0)
    cells, at = net._cells()
    claims = row_bincount(at, ask, len(cells))
    scale = capped_share(spare, claims)  # 1 where the spare covers
    return ask * np.where(claims[:, at] > 0, scale[:, at], 0.0)
