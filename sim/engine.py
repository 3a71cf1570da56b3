"""The batched engine: R replicates of the model run together as rows of the same arrays.

One month of the model is a few dozen vectorised operations on arrays of a few dozen actors,
so a single run is almost all fixed Python and numpy overhead. :class:`Engine` holds every
state array with a leading replicate axis, shape (R, ...), and runs the phases of a step
(supply, substitution, state update, tie update, reporters) once for all rows. It is the one
implementation of the model's equations: :class:`sim.model.AllianceModel` is an engine with
R = 1 behind Mesa's ``Model``, and :func:`run_batch` runs many rows for ensembles, designs,
patterns and hindcasts.

Rows are independent replicates:

- each row draws from its own streams, spawned from its seed exactly as a single
  ``AllianceModel(rng=seed)`` spawns them (supply, state, ties, shocks, then the anchor
  stream), in the same order, so a row's numbers equal the single model's;
- each row may have its own world values (capabilities, strengths, intensities, volumes,
  production ...) and numeric parameters, on worlds of one structure (same actors, ties and
  routes) and parameters of one structural choice (``tie_model``, ``collapse_fate``,
  ``defect_bloc``, ``anchor_draws``);
- the partnership layer is pre-allocated: the world's ties, every formation candidate and
  every pair a scheduled ``Formalize`` may create have a slot from the start, shared by the
  rows (``created``/``active`` say which exist in each row);
- shocks are applied per row, through a :class:`RowView` that offers the named model
  operations (the :class:`sim.shocks.Shock` protocol); each operation returns typed undo
  records (:class:`Undo`);
- a row whose numbers go non-finite, or whose shock raises, is marked failed (its seed and
  the reason are kept) and the other rows run on (``BatchFrames.failed``).
"""

from __future__ import annotations

import collections
import copy
import math
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from sim.errors import ShockError, SimError, suggest
from sim.outcomes import REPORTER_KINDS, read_outcomes, reporter_names
from sim.params import ModelParams
from sim.rowops import row_bincount
from sim.supply import (
    SupplyNetwork,
    _deliver_from,
    _surge_targets_from,
    capped_share,
)
from sim.ties import (
    DEFENCE_KINDS,
    KIND_STRENGTH,
    STEADY_MAX,
    _logit,
    allied_support,
    drive,
    formation_candidates,
    log_drivers,
    logodds_targets,
    relax_strengths,
    rival_pressure,
    tie_drivers,
    update_strengths,
)
from sim.world import World

__all__ = [
    "NEUTRAL",
    "BatchFrames",
    "BatchParams",
    "Engine",
    "RowOps",
    "RowView",
    "Undo",
    "inspect",
    "run_arms",
    "run_batch",
]

#: The bloc an actor joins when it turns neutral.
NEUTRAL = "neutral"

#: Shortfalls smaller than this share of a need draw no substitution: supply planners act on
#: a lost supplier or route, not on a month's noise (which is 10 % by default).
SURGE_DEADBAND = 0.02

#: ModelParams fields that choose a structure rather than a number: equal across a batch.
STRUCTURAL_PARAMS = ("collapse_fate", "defect_bloc", "tie_model", "anchor_draws")

#: Outcome kinds the engine reports itself (``kind:bloc`` or ``collapses``).
REPORTED = REPORTER_KINDS
_INT_REPORTERS = ("alive", "collapses")


def _pair_key(i: int, j: int) -> tuple[int, int]:
    return (int(i), int(j)) if i < j else (int(j), int(i))


# =========================================================================================
# per-row parameters
# =========================================================================================
class BatchParams:
    """Model parameters of R rows: a number where every row agrees, else an (R, 1) array.

    Parameters
    ----------
    params : sequence of ModelParams
        One per row. Structural fields (``STRUCTURAL_PARAMS``) must be equal.

    Attributes
    ----------
    rows : list of ModelParams
        The rows' parameters, as given.

    Raises
    ------
    SimError
        Rows that differ in a structural field (each such field, with its values).

    Notes
    -----
    The engine's equations read ``P.name`` and broadcast it against (R, ...) arrays, so a
    batch whose rows agree costs no more than one row.

    Examples
    --------
    >>> P = BatchParams([ModelParams(), ModelParams(tie_decay=0.05)])
    >>> P.tie_decay.ravel().tolist(), P.tie_gain, P.row(1).tie_decay
    ([0.06, 0.05], 0.5, 0.05)
    """

    # One attribute per ModelParams field, set in __init__: structural fields as the rows'
    # common value, the others as a number or an (R, 1) array.
    collapse_fate: str
    defect_bloc: str
    tie_model: str
    anchor_draws: int
    volume_noise: float | np.ndarray
    interdiction_rate: float | np.ndarray
    direct_interdiction_rate: float | np.ndarray
    production_elasticity: float | np.ndarray
    trade_elasticity: float | np.ndarray
    substitution_rate: float | np.ndarray
    surge_capacity: float | np.ndarray
    need_weight: float | np.ndarray
    support_weight: float | np.ndarray
    pressure_weight: float | np.ndarray
    capability_rate: float | np.ndarray
    stability_rate: float | np.ndarray
    stability_sensitivity: float | np.ndarray
    stability_noise: float | np.ndarray
    collapse_threshold: float | np.ndarray
    collapse_prob: float | np.ndarray
    tie_rate: float | np.ndarray
    support_elasticity: float | np.ndarray
    dependence_elasticity: float | np.ndarray
    threat_elasticity: float | np.ndarray
    hostility_weight: float | np.ndarray
    treaty_damping: float | np.ndarray
    driver_floor: float | np.ndarray
    tie_gain: float | np.ndarray
    tie_decay: float | np.ndarray
    tie_support_weight: float | np.ndarray
    dependence_weight: float | np.ndarray
    threat_weight: float | np.ndarray
    tie_floor: float | np.ndarray
    formation_rate: float | np.ndarray
    formation_strength: float | np.ndarray

    def __init__(self, params: Sequence[ModelParams]):
        self.rows = list(params)
        first = self.rows[0]
        # the rows often share one object (a batch of replicates): compare each once
        distinct = list({id(p): p for p in self.rows}.values())
        problems = []
        for f in fields(ModelParams):
            vals = [getattr(p, f.name) for p in distinct]
            if f.name in STRUCTURAL_PARAMS:
                if any(v != vals[0] for v in vals):
                    problems.append(f"{f.name}: {sorted(set(map(repr, vals)))}")
                setattr(self, f.name, vals[0])
            elif all(v == vals[0] for v in vals):
                setattr(self, f.name, getattr(first, f.name))
            else:
                per_row = [getattr(p, f.name) for p in self.rows]
                setattr(self, f.name, np.array(per_row, dtype=float)[:, None])
        draws = {_anchor_draws(p) for p in distinct}
        if len(draws) > 1:
            problems.append(
                "anchor draws (anchor_draws when volume_noise or interdiction_rate > 0, else 1): "
                f"{sorted(draws)}"
            )
        if problems:
            raise SimError(
                "the rows of a batch must share their structural parameters; they differ in "
                + "; ".join(problems)
                + ". Run rows with different structural choices as separate batches"
            )

    def row(self, r: int | np.integer) -> ModelParams:
        """Row `r`'s parameters."""
        return self.rows[r]


def _anchor_draws(p: ModelParams) -> int:
    return max(1, p.anchor_draws) if p.volume_noise > 0 or p.interdiction_rate > 0 else 1


# =========================================================================================
# undo records
# =========================================================================================
@dataclass(frozen=True, eq=False)
class Undo:
    """What one model operation changed in one row, and how to put it back (base class).

    Every operation of :class:`RowOps` (``kill``, ``realign``, ``degrade``...) returns a list
    of records of a subclass (``KillUndo``, ``BlocUndo``, ``FactorUndo``...); a ``Restore``
    shock reverts them in reverse order through ``revert(engine, row)``.

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> eng = Engine(synthetic(20, rng=1), None, [1, 2])
    >>> (rec,) = RowView(eng, 1, time=0.0, shocks=()).kill(0)
    >>> isinstance(rec, Undo), eng.alive[:, 0].tolist()
    (True, [True, False])
    >>> rec.revert(eng, 1)
    >>> eng.alive[:, 0].tolist()
    [True, True]
    """

    def revert(self, eng: Engine, r: int) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class KillUndo(Undo):
    """An actor removed: revive it with the state it had, and its ties at their strengths."""

    actor: int
    cap: float
    stab: float
    ties: np.ndarray
    strengths: np.ndarray

    def revert(self, eng: Engine, r: int) -> None:
        i = self.actor
        eng.alive[r, i] = True
        eng.cap[r, i] = float(np.clip(self.cap + eng.cap_refund[r, i], 0.0, 1.0))
        eng.cap_refund[r, i] = 0.0
        eng.stab[r, i] = self.stab
        eng._reactivate(r, self.ties, self.strengths)
        waiting = eng.rows[r].dormant.pop(i, [])
        if waiting:
            e, s = zip(*waiting, strict=True)
            eng._reactivate(r, np.array(e, dtype=np.intp), np.array(s))


@dataclass(frozen=True, eq=False)
class TiesUndo(Undo):
    """Partnerships dissolved: reactivate them at their strengths then."""

    ties: np.ndarray
    strengths: np.ndarray

    def revert(self, eng: Engine, r: int) -> None:
        eng._reactivate(r, self.ties, self.strengths)


@dataclass(frozen=True, eq=False)
class CutUndo(Undo):
    """Supply ties cut: reopen them (a counter, so overlapping cuts stack)."""

    ties: np.ndarray

    def revert(self, eng: Engine, r: int) -> None:
        eng.tie_cut[r, self.ties] -= 1


@dataclass(frozen=True, eq=False)
class BlocUndo(Undo):
    """An actor realigned: back to its former bloc."""

    actor: int
    bloc: int

    def revert(self, eng: Engine, r: int) -> None:
        eng.bloc[r, self.actor] = self.bloc
        eng.realigned[r] = bool((eng.bloc[r] != eng.bloc0).any())


@dataclass(frozen=True, eq=False)
class AnchorsUndo(Undo):
    """An actor's anchors (expected fulfilment, support, pressure) as they were."""

    actor: int
    fulfil0: float
    support0: float
    pressure0: float
    reanchor: bool

    def revert(self, eng: Engine, r: int) -> None:
        i = self.actor
        eng.fulfil0[r, i], eng.support0[r, i] = self.fulfil0, self.support0
        eng.pressure0[r, i] = self.pressure0
        eng.reanchor[r, i] = self.reanchor


@dataclass(frozen=True, eq=False)
class BlockUndo(Undo):
    """An actor closed to transit: open it again."""

    actor: int

    def revert(self, eng: Engine, r: int) -> None:
        eng.blocking[r, self.actor] -= 1


@dataclass(frozen=True, eq=False)
class RouteUndo(Undo):
    """Routes closed (a corridor): open them again."""

    routes: np.ndarray

    def revert(self, eng: Engine, r: int) -> None:
        eng.route_closed[r, self.routes] -= 1


@dataclass(frozen=True, eq=False)
class HostilityUndo(Undo):
    """Hostile acts counted on partnerships: withdraw them."""

    ties: np.ndarray

    def revert(self, eng: Engine, r: int) -> None:
        eng.hostility[r, self.ties] -= 1.0


@dataclass(frozen=True, eq=False)
class FormalizeUndo(Undo):
    """A treaty: end the tie it created, or give the tie back its former steady state."""

    tie: int
    created: bool
    old: tuple | None

    def revert(self, eng: Engine, r: int) -> None:
        e, kinds = self.tie, eng.rows[r].kinds
        if self.created:
            eng._dissolve(r, np.array([e], dtype=np.intp))
            kinds.pop(e, None)
        else:
            assert self.old is not None  # set whenever the tie was not created
            logit0, base, ell0, damp, k = self.old
            eng.logit0[r, e], eng.base[r, e], eng.ell0[r, e], eng.damp[r, e] = (
                logit0,
                base,
                ell0,
                damp,
            )
            if k is None:
                kinds.pop(e, None)
            else:
                kinds[e] = k


@dataclass(frozen=True, eq=False)
class FactorUndo(Undo):
    """A Degrade factor: remove it; the multiplier is the product of those still in force."""

    which: str
    actor: int
    token: int

    def revert(self, eng: Engine, r: int) -> None:
        left = eng.rows[r].factors[(self.which, self.actor)]
        del left[self.token]
        prod = 1.0
        for f in left.values():  # in the order applied, as the forward products were
            prod *= f
        getattr(eng, self.which)[r, self.actor] = prod


@dataclass(frozen=True, eq=False)
class CapCutUndo(Undo):
    """A capability cut: give it back (on revival, if the actor is dead now)."""

    actor: int
    lost: float

    def revert(self, eng: Engine, r: int) -> None:
        i = self.actor
        if eng.alive[r, i]:
            eng.cap[r, i] = float(np.clip(eng.cap[r, i] + self.lost, 0.0, 1.0))
        else:
            eng.cap_refund[r, i] += self.lost


# =========================================================================================
# the engine
# =========================================================================================
@dataclass
class _RowState:
    """A row's Python-level state: what vectorises badly and changes rarely."""

    shock_rng: np.random.Generator
    factors: dict = field(default_factory=dict)  # Degrade factors by (multiplier, actor)
    n_factors: int = 0
    dormant: dict = field(default_factory=dict)  # ties waiting for a dead partner
    kinds: dict = field(default_factory=dict)  # kind of each tie, by slot
    applied: dict = field(default_factory=dict)  # undo stacks by shock
    disturbed: bool = False

    def copy(self) -> _RowState:
        """An independent copy (its generator copied; dict values are immutable or copied)."""
        return _RowState(
            shock_rng=_copy_generator(self.shock_rng),
            factors={k: dict(v) for k, v in self.factors.items()},
            n_factors=self.n_factors,
            dormant={k: list(v) for k, v in self.dormant.items()},
            kinds=dict(self.kinds),
            applied={k: [list(u) for u in v] for k, v in self.applied.items()},
            disturbed=self.disturbed,
        )


class _Layer:
    """The partnership arrays of some rows, in the attribute names of
    :class:`sim.ties.PartnershipLayer` (the tie functions take either)."""

    def __init__(self, eng: Engine, sl, upto: int | None = None):
        self.a, self.b = eng.a, eng.b
        self.s, self.active, self.base = eng.s[sl], eng.active[sl], eng.base[sl]
        self.logit0, self.ell0, self.damp = eng.logit0[sl], eng.ell0[sl], eng.damp[sl]
        self.hostility = eng.hostility[sl]
        if upto is not None:  # the first `upto` slots only (views)
            self.a, self.b = self.a[:upto], self.b[:upto]
            for name in ("s", "active", "base", "logit0", "ell0", "damp", "hostility"):
                setattr(self, name, getattr(self, name)[:, :upto])

    def dissolve(self, mask: np.ndarray) -> None:
        self.active &= ~mask
        self.s[mask] = 0.0


def _structure(world: World) -> tuple:
    """What must be equal for worlds to share a batch."""
    return (
        world.ids,
        tuple(a.bloc for a in world.actors),
        tuple(world.blocs),
        tuple((t.a, t.b, t.kind) for t in world.ties_in("partnership")),
        tuple((t.a, t.b) for t in world.ties_in("rivalry")),
    )


_NET_SHARED = (
    "supplier",
    "recipient",
    "commodity",
    "commodities",
    "value",
    "need_actor",
    "need_commodity",
    "tie_need",
    "route_tie",
    "route_rank",
    "route_capacity",
    "route_corridor",
    "hop_route",
    "hop_actor",
    "route_hops",
    "max_rank",
)


def _rows_of(values: Sequence[np.ndarray]) -> np.ndarray:
    """Stack per-row arrays; one shared array as a read-only broadcast view (no copies)."""
    first = values[0]
    if all(v is first for v in values):
        return np.broadcast_to(first, (len(values), *np.shape(first)))
    return np.stack(values)


class Engine:
    """R replicates of the model as rows of the same arrays (see the module docstring).

    Parameters
    ----------
    worlds : World or sequence of World
        One world for every row, or one per row (same structure, see :func:`run_batch`).
    params : ModelParams or sequence of ModelParams
        One for every row, or one per row (numeric fields may differ).
    rngs : sequence of numpy.random.Generator or int
        Each row's random stream (a seed becomes ``numpy.random.default_rng(seed)``).
    formalize_pairs : iterable of (int, int)
        Pairs a scheduled ``Formalize`` may create: they get a tie slot.

    Raises
    ------
    SimError
        Worlds of different structure, or parameters of different structural choices.

    Notes
    -----
    State arrays carry the row axis first: ``cap``, ``stab``, ``alive``, ``bloc`` (R, N);
    partnership ``s``, ``active`` (R, E); supply ``deliveries`` (R, K). :meth:`step` runs one
    month for every row; :meth:`reports` gives the model reporters, shape (R, V). Building
    the engine runs the anchor months (``anchor_draws`` noisy first months per row), which
    :func:`run_arms` shares between the arms of a scenario.

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> eng = Engine(synthetic(20, rng=1), None, [1, 2, 3])
    >>> eng.R, eng.cap.shape
    (3, (3, 20))
    >>> eng.step()
    >>> eng.reports().shape, eng.model_variables()[:2]
    ((3, 16), ['alive:axis', 'fulfilment:axis'])
    """

    def __init__(
        self,
        worlds: World | Sequence[World],
        params: ModelParams | Sequence[ModelParams] | None,
        rngs: Sequence[np.random.Generator | int],
        *,
        formalize_pairs: Iterable[tuple[int, int]] = (),
    ):
        R = len(rngs)
        if R == 0:
            raise SimError("a batch needs at least one row (one seed per row)")
        worlds = _per_row(worlds, R, "worlds", World)
        params = _per_row(ModelParams() if params is None else params, R, "params", ModelParams)
        self.R = R
        self.P = P = BatchParams(params)
        world = self.world = worlds[0]
        shape = _structure(world)
        for r, w in enumerate(worlds):
            if w is not world and _structure(w) != shape:
                raise SimError(
                    f"row {r}: world {w.name!r} differs in structure from row 0's "
                    f"{world.name!r} (actors, blocs, partnership or rivalry ties); a batch "
                    "varies only numeric values"
                )
        actors = world.actors
        n = self.n = len(actors)
        self.ids = world.ids
        self.pos = {a.id: i for i, a in enumerate(actors)}
        self.world_blocs = world.blocs
        self.bloc_names = list(world.blocs) + ([NEUTRAL] if NEUTRAL not in world.blocs else [])
        if P.defect_bloc and P.defect_bloc not in self.bloc_names:
            raise ShockError(
                f"ModelParams.defect_bloc {P.defect_bloc!r} is not a bloc of world "
                f"{world.name!r}; allowed: {', '.join(self.bloc_names)}"
                + (f"; {h}" if (h := suggest(P.defect_bloc, self.bloc_names)) else "")
            )
        bloc_of = {b: k for k, b in enumerate(self.bloc_names)}
        self.bloc0 = np.array([bloc_of[a.bloc] for a in actors], dtype=np.intp)
        self.bloc_size0 = np.bincount(self.bloc0, minlength=len(self.bloc_names))
        self.bloc = np.tile(self.bloc0, (R, 1))

        # -- per-row world values -------------------------------------------------------------
        cache: dict[int, tuple] = {}
        for w in worlds:
            if id(w) not in cache:
                cache[id(w)] = (
                    np.array([a.capability for a in w.actors], dtype=float),
                    np.array([a.stability for a in w.actors], dtype=float),
                    np.array([t.intensity for t in w.ties_in("rivalry")], dtype=float),
                    np.array([t.strength for t in w.ties_in("partnership")], dtype=float),
                    SupplyNetwork.from_world(w),
                )
        vals = [cache[id(w)] for w in worlds]
        self.cap0 = _rows_of([v[0] for v in vals])
        self.stab0 = _rows_of([v[1] for v in vals])
        self.ri = _rows_of([v[2] for v in vals])
        net = self.supply = vals[0][4]
        for r, v in enumerate(vals):
            other = v[4]
            if other is net:
                continue
            bad = [
                k
                for k in _NET_SHARED
                if not np.array_equal(np.asarray(getattr(net, k)), np.asarray(getattr(other, k)))
            ]
            if bad or not np.array_equal(net.production > 0, other.production > 0):
                raise SimError(
                    f"row {r}: the supply layer of world {worlds[r].name!r} differs in "
                    f"structure from row 0's ({', '.join(bad) or 'which actors produce what'}); "
                    "a batch varies only volumes and amounts, not which exist"
                )
        self.volume = _rows_of([v[4].volume for v in vals])
        self.production = _rows_of([v[4].production for v in vals])
        self.domestic = _rows_of([v[4].domestic for v in vals])
        self.need_volume = _rows_of([v[4].need_volume for v in vals])
        self.need_weight = _rows_of([v[4].need_weight for v in vals])
        # own output for own use, at each need's (actor, commodity): fixed per row
        self.domestic_need = self.domestic[:, net.need_actor, net.need_commodity]

        # -- state ----------------------------------------------------------------------------
        self.cap = np.array(self.cap0, dtype=float)
        self.cap0_positive = bool((self.cap0 > 0).all())  # see _cap_ratio
        self.stab = np.array(self.stab0, dtype=float)
        self.alive = np.ones((R, n), dtype=bool)
        self.cap_mult = np.ones((R, n))
        self.prod_mult = np.ones((R, n))
        self.blocking = np.zeros((R, n), dtype=np.intp)
        self.cap_refund = np.zeros((R, n))
        self.tie_cut = np.zeros((R, net.n_ties), dtype=np.intp)
        self.route_closed = np.zeros((R, len(net.route_tie)), dtype=np.intp)
        self.prod_i, self.prod_c = np.nonzero(net.production > 0)
        # the cells the supply ties ship from (SupplyNetwork._cells) that produce, and the
        # position of each among the producing cells: the month's output there
        prod_cells = self.prod_i * net.production.shape[1] + self.prod_c
        prod_at = {c: p for p, c in enumerate(prod_cells.tolist())}
        cells = net._cells()[0].tolist()
        self.cells_producing = np.array([j for j, c in enumerate(cells) if c in prod_at], np.intp)
        self.cells_prod = np.array([prod_at[c] for c in cells if c in prod_at], dtype=np.intp)
        self._output: np.ndarray | None = None  # see the output property
        self.n_needs = np.bincount(net.need_actor, minlength=n)
        self.need_w = row_bincount(net.need_actor, self.need_weight, n)
        self.has_needs = (self.n_needs > 0) & (self.need_w > 0)
        # fixed per row, read every month by _received_share: the fulfilment's denominator,
        # and for each supply tie serving a need, that need's volume, weight and actor's
        # fulfilment denominator
        self.need_w_floor = np.maximum(self.need_w, 1e-300)
        self.need_ties = np.flatnonzero(net.tie_need >= 0)
        tie_need = net.tie_need[self.need_ties]
        self.need_ties_volume = _columns(self.need_volume, tie_need)
        self.need_ties_weight = _columns(self.need_weight, tie_need)
        self.need_ties_w_floor = self.need_w_floor[:, net.recipient[self.need_ties]]
        self.pair_ties: dict[tuple[int, int], list[int]] = {}
        for k, (i, j) in enumerate(zip(net.supplier, net.recipient, strict=True)):
            self.pair_ties.setdefault((int(i), int(j)), []).append(k)

        # -- rivalry and partnership: pre-allocated slots ----------------------------------------
        riv = world.ties_in("rivalry")
        self.ra = np.array([self.pos[t.a] for t in riv], dtype=np.intp)
        self.rb = np.array([self.pos[t.b] for t in riv], dtype=np.intp)
        par = world.ties_in("partnership")
        self.par_ties = par
        e0 = self.e0 = len(par)
        a = [self.pos[t.a] for t in par]
        b = [self.pos[t.b] for t in par]
        index = {}
        for e, (i, j) in enumerate(zip(a, b, strict=True)):
            index[_pair_key(i, j)] = e
        ci, cj = formation_candidates(n, self.ra, self.rb)
        extra = [*zip(ci.tolist(), cj.tolist(), strict=True), *formalize_pairs]
        for i, j in extra:
            key = _pair_key(i, j)
            if key not in index:  # the order given: a formed tie's ends are (i, j) as given
                index[key] = len(a)
                a.append(int(i))
                b.append(int(j))
        self.a = np.array(a, dtype=np.intp)
        self.b = np.array(b, dtype=np.intp)
        self.index = index
        E = self.E = len(a)
        self.cand_i, self.cand_j = ci, cj
        self._incident: list[np.ndarray] | None = None  # see _ties_of
        self.cand_slot = np.array(
            [index[_pair_key(i, j)] for i, j in zip(ci, cj, strict=True)], dtype=np.intp
        )
        s_world = np.minimum(_rows_of([v[3] for v in vals]), STEADY_MAX)
        self.s = np.zeros((R, E))
        self.s[:, :e0] = s_world
        self.active = np.zeros((R, E), dtype=bool)
        self.active[:, :e0] = True
        self.created = self.active.copy()
        self.base = np.zeros((R, E))
        self.logit0 = np.zeros((R, E))
        self.logit0[:, :e0] = _logit(self.s[:, :e0])
        self.logit0[:, e0:] = _logit(0.0)
        self.ell0 = np.zeros((R, E, 3))
        defence = np.array([t.kind in DEFENCE_KINDS for t in par], dtype=bool)
        self.damp = np.ones((R, E))
        self.damp[:, :e0] = np.where(defence, P.treaty_damping, 1.0)
        self.hostility = np.zeros((R, E))
        # slot -> supply ties between its two ends (either direction)
        self.slot_supply = [
            (*self.pair_ties.get((int(i), int(j)), ()), *self.pair_ties.get((int(j), int(i)), ()))
            for i, j in zip(self.a, self.b, strict=True)
        ]
        same = self.bloc0[self.a[:e0]] == self.bloc0[self.b[:e0]]
        self.coh_group0 = np.where(same, self.bloc0[self.a[:e0]], -1)
        self.coh_s0 = self.s[:, :e0].copy()
        # cohesion's denominator, fixed at t = 0: the world's ties inside a bloc, by bloc
        self.coh_inner = np.flatnonzero(self.coh_group0 >= 0)
        self.coh_den = row_bincount(
            self.coh_group0[self.coh_inner], self.coh_s0[:, self.coh_inner], len(self.bloc_names)
        )
        self._map_supply_slots()
        self.supply_tie_e = np.full((R, net.n_ties), -1, dtype=np.intp)
        for e in range(e0):
            for k in self.slot_supply[e]:
                self.supply_tie_e[:, k] = e
        self.trade_e = self.supply_tie_e[0].copy()
        te = self.trade_e
        self.trade_s0 = np.zeros((R, net.n_ties))
        self.trade_s0[:, te >= 0] = self.s[:, te[te >= 0]]
        # supply ties whose volume follows a partnership; when every row has the same ones
        # (the usual case), their columns, so the monthly scaling touches only those
        self.trade_has = (te >= 0) & (self.trade_s0 > 0)
        uniform = (self.trade_has == self.trade_has[0]).all()
        self.trade_cols = np.flatnonzero(self.trade_has[0]) if uniform else None
        if self.trade_cols is not None:  # what _volumes reads of those columns, fixed
            self.trade_slots = te[self.trade_cols]
            self.trade_s0_cols = self.trade_s0[:, self.trade_cols]
            self.volume_cols = _columns(self.volume, self.trade_cols)
        self.surge = np.zeros((R, net.n_ties))
        self.dispatched = np.zeros((R, net.n_ties))
        self._ranked: tuple[np.ndarray, np.ndarray] | None = None  # see _supply

        # -- random streams: the spawn structure of a single AllianceModel, per row -----------
        gens = [g if isinstance(g, np.random.Generator) else np.random.default_rng(g) for g in rngs]
        spawned = [g.spawn(4) for g in gens]  # supply, state, ties, shocks
        self.draws = _SharedDraws([[c[k] for c in spawned] for k in range(3)])
        self.draw_pos = [0, 0, 0]  # draws taken from each stream
        self.rows: list[_RowState] = [_RowState(shock_rng=c[3]) for c in spawned]
        for r in range(R):
            self.rows[r].kinds = {e: t.kind for e, t in enumerate(par)}

        # -- initial equilibrium: the observed world is taken as the steady state ---------------
        self.reanchor = np.zeros((R, n), dtype=bool)
        self.realigned = np.zeros(R, dtype=bool)  # rows with an actor out of its first bloc
        self.collapses = np.zeros(R, dtype=np.int64)  # regime collapses so far, per row
        self.failed = np.zeros(R, dtype=bool)  # rows marked failed (see :meth:`mark_failed`)
        self.failures: list[tuple[int, str]] = []  # (row, reason), in the order they failed
        # a batch marks a row whose collapse raises failed; the single model raises
        self.isolate_failures = False
        # a row's topology version (alive, blocs, partnerships in force) and the version its
        # giant components were computed at (see :meth:`_giant_rows`)
        self.topo = np.zeros(R, dtype=np.int64)
        self.giant_version = np.full(R, -1, dtype=np.int64)
        self.giant = np.zeros((R, len(self.bloc_names)))
        self.deliveries = self._supply(noise=False)
        self.support0 = allied_support(_Layer(self, slice(None)), self.cap)
        self.pressure0 = rival_pressure(self.ra, self.rb, self.ri, self.cap)
        rng_anchor = [g.spawn(1)[0] for g in gens]
        draws = _anchor_draws(P.row(0))
        # the anchors (`base`) are read only by the "anchor" tie model; the others leave them 0
        anchored = P.tie_model == "anchor"
        f_sum, d_draws = np.zeros((R, n)), np.empty((draws if anchored else 0, R, e0))
        ld_sum = np.zeros((R, e0, 3))
        delivered_sum = np.zeros((R, net.n_ties))
        for k in range(draws):
            delivered_sum += self._supply(noise=draws > 1, anchor=rng_anchor)
            f_sum += self.fulfil
            # only the world's ties exist yet; capability and strengths do not move
            drivers = self._drivers(upto=e0, support=self.support0, pressure=self.pressure0)
            if anchored:
                d_draws[k] = drive(P, *drivers)
            ld_sum += log_drivers(P, *drivers)
        self.fulfil0 = f_sum / draws
        if anchored:
            self.base[:, :e0] = _anchor_rows(P, self.s[:, :e0], d_draws)
        # slots not yet created keep the values a freshly created tie starts from
        self.ell0[:, :e0] = ld_sum / draws
        self.imports0 = self._planned_imports()
        self._supply(noise=False)
        self.deliveries = delivered_sum / draws
        self.fulfil: np.ndarray = self.fulfil0.copy()

    def _fork(self) -> Engine:
        """An independent copy of a freshly built engine (before any step or shock): state
        arrays, row states and random generators copied; structure, world and parameters
        shared. Used to run several arms from one construction (:func:`run_arms`)."""
        new = object.__new__(Engine)
        shared = {"world", "P", "supply", "par_ties", "world_blocs", "ids", "pos"}
        for k, v in self.__dict__.items():
            if k in shared:
                pass
            elif isinstance(v, np.ndarray):
                v = v.copy() if v.flags.writeable else v  # broadcast views are read-only
            elif k == "draws":
                v.join()  # the arms draw the same numbers: drawn once, shared
            elif k == "draw_pos":
                v = list(v)
            elif k == "rows":
                v = [row.copy() for row in v]
            else:
                v = copy.deepcopy(v)
            new.__dict__[k] = v
        return new

    # =====================================================================================
    # the phases of a step, for every row at once
    # =====================================================================================
    def step(self) -> None:
        """One month for every row: supply, substitution, state update, tie update."""
        self.deliveries = self._supply(noise=True)
        self._update_surges()
        self._update_states()
        self._update_ties()

    # -- phase 2: supply ----------------------------------------------------------------------
    def _supply(self, *, noise: bool, anchor: Sequence[np.random.Generator] | None = None):
        """The month's supply; with `anchor`, the noise of a construction month is drawn
        from those generators (one per row) instead of the supply stream."""
        P, net, R = self.P, self.supply, self.R
        alive = self.alive
        scale = self.prod_mult * alive * self._cap_ratio() ** P.production_elasticity
        vals = self.production[:, self.prod_i, self.prod_c] * scale[:, self.prod_i]
        if noise:
            sizes = (("normal", vals.shape[1]), ("uniform", net.n_ties))
            if anchor is None:
                z, uniform = self.draws.take(self.draw_pos, _SUPPLY, sizes)
            else:
                z, uniform = _draw_rows(anchor, sizes)
            sd = P.volume_noise
            vals = vals * np.exp(sd * z - 0.5 * sd * sd)  # mean-preserving lognormal
        else:
            uniform = None
        tie_open = alive[:, net.supplier] & alive[:, net.recipient] & (self.tie_cut == 0)
        passable = alive & (self.blocking == 0)
        tie_passable = None
        if self.realigned.any():
            # A transit actor that has changed sides closes its territory to traffic of
            # suppliers outside its new bloc.
            hop_sup = net.supplier[net.route_tie[net.hop_route]]
            h = net.hop_actor
            tie_passable = (self.bloc[:, h] == self.bloc0[h]) | (
                self.bloc[:, h] == self.bloc[:, hop_sup]
            )
        self._vol_nominal = self._volumes(surge=False)
        volume = self._vol_nominal + self.surge
        # The month's output in the cells the ties ship from (all that the deliveries and
        # the surges read); the whole (R, N, C) array is built on demand (`output`).
        cells, at = net._cells()
        out = np.zeros((R, len(cells)))
        out[:, self.cells_producing] = vals[:, self.cells_prod]
        # A surge draws on spare output beyond the supplier's nominal exports.
        surged = np.where(tie_open, self.surge, 0.0) if self.surge.any() else None
        if surged is not None:
            out += row_bincount(at, surged, len(cells))
        self.output_cells = out
        self._output_parts = (vals, surged)
        self._output = None
        delivered, dispatched, taken = _deliver_from(
            net,
            out[:, at],
            tie_open=tie_open,
            passable=passable,
            route_open=self.route_closed == 0,
            tie_passable=tie_passable,
            uniform=uniform,
            interdiction_rate=P.interdiction_rate if noise else 0.0,
            direct_rate=P.direct_interdiction_rate if noise else 0.0,
            volume=volume,
        )
        # the routes taken change only with shocks and collapses (the deliveries then give
        # the same array again): their ranks are kept with them
        if self._ranked is None or self._ranked[0] is not taken:
            self._ranked = (taken, np.where(taken >= 0, net.route_rank[np.maximum(taken, 0)], -1))
        self.route_rank = self._ranked[1]
        self.tie_open = tie_open
        self.dispatched = dispatched
        self._received_share(delivered)
        return delivered

    def _cap_ratio(self) -> np.ndarray:
        """Capability relative to t = 0, (R, N); 1 for an actor that had none."""
        if self.cap0_positive:  # a plain division: a masked one is several times slower
            return self.cap / self.cap0
        return np.divide(self.cap, self.cap0, out=np.ones((self.R, self.n)), where=self.cap0 > 0)

    @property
    def output(self) -> np.ndarray:
        """Last month's output for export per actor and commodity (R, N, C), surges
        included: the produced volumes in their cells, plus each cell's surges summed over
        its open ties (built on first use after each month)."""
        if self._output is None:
            vals, surged = self._output_parts
            R, n_c = self.R, self.supply.production.shape[1]
            output = np.zeros((R, self.n, n_c))
            output[:, self.prod_i, self.prod_c] = vals
            if surged is not None:
                net = self.supply
                cell = net.supplier * n_c + net.commodity
                output = output.reshape(R, -1)
                output += row_bincount(cell, surged, output.shape[1])
                output = output.reshape(R, self.n, n_c)
            self._output = output
        return self._output

    def _own_use(self) -> np.ndarray:
        """Multiplier of own output for own use (R, N): it follows the production multiplier
        (a strike on the industry) but not capability, which it feeds; noise-free
        (docs/model.md)."""
        return self.prod_mult * self.alive

    def _volumes(self, *, surge: bool = True) -> np.ndarray:
        """This month's volume of every supply tie: nominal, scaled by the partnership between
        its ends relative to t = 0 (bounded in [0, 2]), plus any substitution surge."""
        P = self.P
        vol = self.volume
        e = self.trade_e
        has, cols = self.trade_has, self.trade_cols
        if has.any() and np.any(P.trade_elasticity > 0) and P.tie_model != "inertia":
            if cols is not None:  # the same columns in every row: scale those only
                ratio = self.s[:, self.trade_slots] / self.trade_s0_cols
                scaled = self.volume_cols * np.minimum(ratio**P.trade_elasticity, 2.0)
                vol = np.array(vol, dtype=float)
                vol[:, cols] = scaled
            else:
                s = self.s[:, np.maximum(e, 0)]
                ratio = np.divide(s, self.trade_s0, out=np.ones_like(s), where=has)
                vol = np.where(has, vol * np.minimum(ratio**P.trade_elasticity, 2.0), vol)
        return vol + self.surge if surge else np.array(vol, dtype=float)

    def _update_surges(self) -> None:
        """Substitution (docs/model.md): recipients ask other partners that supply the same
        commodity on open main routes to make up the shortfall of the needs they lost."""
        P, net = self.P, self.supply
        rows = np.array([row.disturbed for row in self.rows]) & np.ravel(
            np.broadcast_to(np.asarray(P.substitution_rate) > 0, (self.R, 1))
        )
        if net.n_ties == 0 or not rows.any():
            return
        planned = self._planned_imports(self._vol_nominal)
        gap = np.maximum(self.imports0 - planned - SURGE_DEADBAND * self.need_volume, 0.0)
        e = self.supply_tie_e
        if self.E:
            ec = np.maximum(self.supply_slot, 0)  # e where e >= 0 (the slot is shared)
            partnered = (e >= 0) & self.active[:, ec]
            s_e = self.s[:, ec]
        else:
            partnered = s_e = np.zeros(e.shape, dtype=bool)
        eligible = self.tie_open & (self.route_rank == 0) & partnered
        pull = np.where(partnered, s_e * self.volume, 0.0)
        # the spare output, only in the (supplier, commodity) cells the ties ship from (all
        # that surge_targets_rows reads of it)
        R, n_c = self.R, net.production.shape[1]
        cells, at = net._cells()
        shipped = row_bincount(at, self.dispatched, len(cells))
        output = self.output_cells
        domestic_out = self.domestic.reshape(R, -1)[:, cells] * self._own_use()[:, cells // n_c]
        spare = np.maximum(output - shipped, 0.0) + P.surge_capacity * domestic_out
        target = _surge_targets_from(net, shortfall=gap, eligible=eligible, pull=pull, spare=spare)
        new = self.surge + P.substitution_rate * (target - self.surge)
        new[~eligible] = 0.0
        self.surge = np.where(rows[:, None], new, self.surge)

    def _planned_imports(self, volume: np.ndarray | None = None) -> np.ndarray:
        """Imports of each need this month without noise or surges (the planner's view);
        `volume` is this month's nominal volumes if already computed."""
        P = self.P
        scale = self.prod_mult * self.alive * self._cap_ratio() ** P.production_elasticity
        net = self.supply
        # each tie's supplier's output of its commodity: all the deliveries read of it
        avail = self.production[:, net.supplier, net.commodity] * scale[:, net.supplier]
        delivered, _, _ = _deliver_from(
            net,
            avail,
            tie_open=self.tie_open,
            passable=self.alive & (self.blocking == 0),
            route_open=self.route_closed == 0,
            volume=self._volumes(surge=False) if volume is None else volume,
        )
        return self._imports(delivered)

    def _imports(self, delivered: np.ndarray) -> np.ndarray:
        net, k = self.supply, self.need_ties
        return row_bincount(net.tie_need[k], delivered[:, k], len(net.need_actor))

    def _received_share(self, delivered: np.ndarray) -> None:
        """Fulfilment per actor (needs weighted by value times importance) and the per-tie
        share of the recipient's needs it covers."""
        net, k = self.supply, self.need_ties
        recv = self._imports(delivered)
        recv = recv + self.domestic_need * self._own_use()[:, net.need_actor]
        share = capped_share(recv, self.need_volume)
        f = row_bincount(net.need_actor, self.need_weight * share, self.n)
        self.fulfil = np.where(self.has_needs, f / self.need_w_floor, 1.0)
        contrib = (
            capped_share(delivered[:, k], self.need_ties_volume)
            * self.need_ties_weight
            / self.need_ties_w_floor
        )
        if len(k) < net.n_ties:  # ties serving no need of their recipient cover nothing
            contrib, cover = np.zeros((self.R, net.n_ties)), contrib
            contrib[:, k] = cover
        self.contrib = contrib

    # -- phase 3: state update ----------------------------------------------------------------
    def _update_states(self) -> None:
        P, n = self.P, self.n
        alive = self.alive
        lay = _Layer(self, slice(None))
        support = allied_support(lay, self.cap)
        pressure = rival_pressure(self.ra, self.rb, self.ri, self.cap)
        if self.reanchor.any():
            rows = self.reanchor
            self.fulfil0[rows], self.support0[rows], self.pressure0[rows] = (
                self.fulfil[rows],
                support[rows],
                pressure[rows],
            )
            self.reanchor[:] = False
        power0 = self.cap0 + self.support0 + 1e-9
        # Materiel: the share of needs met moves capability; allies and rivals move
        # security, and so stability, but not the actor's own forces.
        materiel = P.need_weight * (self.fulfil - self.fulfil0)
        x = (
            materiel
            + P.support_weight * (support - self.support0) / power0
            - P.pressure_weight * (pressure - self.pressure0) / power0
        )
        cap_target = np.clip(self.cap0 * self.cap_mult * (1.0 + materiel), 0.0, 1.0)
        stab_target = np.clip(self.stab0 * (1.0 + P.stability_sensitivity * x), 0.0, 1.0)
        z, u = self.draws.take(self.draw_pos, _STATE, (("normal", n), ("uniform", n)))
        self.cap += P.capability_rate * (cap_target - self.cap)
        self.stab += P.stability_rate * (stab_target - self.stab) + P.stability_noise * z
        np.clip(self.stab, 0.0, 1.0, out=self.stab)
        self.cap[~alive] = 0.0
        self.stab[~alive] = 0.0
        falling = alive & (self.stab < P.collapse_threshold) & (u < P.collapse_prob)
        falling &= ~self.failed[:, None]
        if falling.any():
            for r, i in zip(*np.nonzero(falling), strict=True):
                if self.failed[r]:
                    continue  # an earlier collapse of this row raised this month
                try:
                    self.collapse(int(r), int(i))
                except Exception:  # this row's failure, not the batch's
                    if not self.isolate_failures:
                        raise
                    self.mark_failed(
                        int(r), f"collapse of {self.ids[i]} raised:\n{traceback.format_exc()}"
                    )

    def collapse(self, r: int, i: int) -> None:
        """A regime collapse of actor `i` in row `r`; its fate is ``params.collapse_fate``."""
        row = self.rows[r]
        self.collapses[r] += 1
        row.disturbed = True
        fate = self.P.collapse_fate
        if fate == "removed":
            self.kill(r, i)
        else:
            to = NEUTRAL if fate == "neutral" else self.defect_target(r, i)
            self.realign(r, i, to)
            self.stab[r, i] = self.stab0[r, i]  # a new regime starts afresh

    def defect_target(self, r: int, i: int) -> str:
        """The bloc actor `i` of row `r` defects to: ``defect_bloc``, else its strongest
        rivals' bloc (neutral if it has none)."""
        if self.P.defect_bloc:
            return self.P.defect_bloc
        pull = np.zeros(len(self.bloc_names))
        bloc, cap, ri = self.bloc[r], self.cap[r], self.ri[r]
        for a, b in ((self.ra, self.rb), (self.rb, self.ra)):
            sel = a == i
            np.add.at(pull, bloc[b[sel]], ri[sel] * cap[b[sel]])
        pull[bloc[i]] = 0.0
        return self.bloc_names[int(np.argmax(pull))] if pull.max() > 0 else NEUTRAL

    # -- phase 4: tie update ------------------------------------------------------------------
    def _drivers(self, sl=None, *, upto: int | None = None, support=None, pressure=None):
        """The three drivers of every tie in rows `sl` (an index array; all rows if None),
        and, for all rows, support and pressure now.

        ``upto``: the first `upto` tie slots only, when no other slot is in force (at
        construction, the world's ties): the others would add only zeros to the sums.
        ``support``, ``pressure``: the rows' allied support and rival pressure when the
        caller has them (at construction they do not change between the anchor months)."""
        rows = slice(None) if sl is None else sl
        lay = _Layer(self, rows, upto)
        cap = self.cap[rows]
        if support is None:
            support = allied_support(lay, cap)
        if pressure is None:
            pressure = rival_pressure(self.ra, self.rb, self.ri[rows], cap)
        cover_a, cover_b = self._covers(rows)
        if upto is not None:
            cover_a, cover_b = cover_a[:, :upto], cover_b[:, :upto]
        if sl is None and upto is None:
            self.support_now, self.pressure_now = support, pressure
        return tie_drivers(
            lay,
            cap=cap,
            support=support,
            pressure=pressure,
            fulfilment=self.fulfil[rows],
            cover_a=cover_a,
            cover_b=cover_b,
        )

    def _map_supply_slots(self) -> None:
        """The partnership slot of each supply tie (-1 where its ends have none), the same
        in every row: a row's ``supply_tie_e`` is this slot once the row has created the
        partnership, else -1. Also the ties that have a slot, and whether each goes to the
        slot's end ``a``."""
        slot = np.full(self.supply.n_ties, -1, dtype=np.intp)
        for e, ks in enumerate(self.slot_supply):
            slot[list(ks)] = e
        self.supply_slot = slot
        self.slot_ties = np.flatnonzero(slot >= 0)
        self.slot_ties_to_a = self.supply.recipient[self.slot_ties] == self.a[slot[self.slot_ties]]

    def _covers(self, sl=slice(None)) -> tuple[np.ndarray, np.ndarray]:
        """Per tie slot, the share of end ``a``'s (``b``'s) needs the other end delivered."""
        k = self.slot_ties
        made = self.supply_tie_e[sl][:, k] >= 0
        if self.E == 0:
            return np.zeros((made.shape[0], 0)), np.zeros((made.shape[0], 0))
        # Summed over the supply ties that have a slot, with the slots shared by the rows
        # (ties without one, or not yet created in a row, would add only zeros).
        slot, to_a = self.supply_slot[k], self.slot_ties_to_a
        contrib = self.contrib[sl][:, k]
        cover_a = row_bincount(slot, np.where(made & to_a, contrib, 0.0), self.E)
        cover_b = row_bincount(slot, np.where(made & ~to_a, contrib, 0.0), self.E)
        return cover_a, cover_b

    def _update_ties(self) -> None:
        P = self.P
        if P.tie_model == "inertia":
            return  # the null model: strengths never change and no tie forms
        lay = _Layer(self, slice(None))
        drivers = self._drivers()
        if P.tie_model == "anchor":
            gone = update_strengths(lay, P, drive(P, *drivers))
        else:
            gone = relax_strengths(lay, P, logodds_targets(lay, P, log_drivers(P, *drivers)))
        if gone.any():
            self.topo += gone.any(axis=1)
        nc = len(self.cand_i)
        (u,) = self.draws.take(self.draw_pos, _TIES, (("uniform", nc),))
        if nc == 0 or not np.any(P.formation_rate > 0):
            return
        ci, cj, slot = self.cand_i, self.cand_j, self.cand_slot
        tied = self.active[:, slot]
        free = self.alive[:, ci] & self.alive[:, cj] & ~tied
        sup, prs, cap = self.support_now, self.pressure_now, self.cap
        x = (prs[:, ci] + prs[:, cj]) / (cap[:, ci] + cap[:, cj] + sup[:, ci] + sup[:, cj] + 1e-9)
        new = free & (u < P.formation_rate * x / (1.0 + x)) & ~self.failed[:, None]
        if not new.any():
            return
        r, c = np.nonzero(new)
        fs = P.formation_strength
        formed = self._add_ties(r, slot[c], fs[r, 0] if isinstance(fs, np.ndarray) else fs)
        self._baseline_ties(formed)

    def _add_tie(self, r: int, e: int, s: float) -> None:
        """Create (or reactivate) tie slot `e` in row `r` at strength `s`."""
        self.s[r, e], self.active[r, e], self.base[r, e] = s, True, 0.0
        self.logit0[r, e] = _logit(min(s, STEADY_MAX))
        self.created[r, e] = True
        for k in self.slot_supply[e]:
            self.supply_tie_e[r, k] = e
        self.topo[r] += 1

    def _add_ties(self, r: np.ndarray, e: np.ndarray, s: np.ndarray | float) -> np.ndarray:
        """:meth:`_add_tie` for many (row, slot) pairs at once (each pair once); returns
        them as an (R, E) mask."""
        self.s[r, e], self.active[r, e], self.base[r, e] = s, True, 0.0
        self.logit0[r, e] = _logit(np.minimum(s, STEADY_MAX))
        self.created[r, e] = True
        made = np.zeros((self.R, self.E), dtype=bool)
        made[r, e] = True
        k = self.slot_ties  # the supply ties between the new partners now follow them
        rk, kk = np.nonzero(made[:, self.supply_slot[k]])
        self.supply_tie_e[rk, k[kk]] = self.supply_slot[k[kk]]
        self.topo += np.bincount(r, minlength=self.R)
        return made

    def add_slots(self, pairs: Iterable[tuple[int, int]]) -> list[int]:
        """Tie slots for `pairs` (existing ones reused), e.g. for a Formalize scheduled on a
        live model; returns their indices. Copies the tie arrays: the engine pre-allocates the
        slots it knows of so that this is rare."""
        out = []
        for i, j in pairs:
            key = _pair_key(i, j)
            e = self.index.get(key)
            if e is None:
                e = self.E
                self.index[key] = e
                self.a = np.append(self.a, int(i))
                self.b = np.append(self.b, int(j))
                pad = {"s": 0.0, "base": 0.0, "logit0": _logit(0.0), "damp": 1.0, "hostility": 0.0}
                for name, v in pad.items():
                    arr = getattr(self, name)
                    setattr(self, name, np.concatenate([arr, np.full((self.R, 1), v)], axis=1))
                self.active = np.concatenate([self.active, np.zeros((self.R, 1), bool)], axis=1)
                self.created = np.concatenate([self.created, np.zeros((self.R, 1), bool)], axis=1)
                self.ell0 = np.concatenate([self.ell0, np.zeros((self.R, 1, 3))], axis=1)
                self.slot_supply.append(
                    (*self.pair_ties.get(key, ()), *self.pair_ties.get(key[::-1], ()))
                )
                self.E += 1
                self._map_supply_slots()
                self._incident = None
            out.append(e)
        return out

    def _baseline_ties(self, mask: np.ndarray) -> None:
        """Make the current strengths of the ties in `mask` (R, E) their steady state under
        today's drivers (a new tie, like an observed one, starts at a steady state).

        Only the rows with a tie in `mask` are computed (every operation is row-wise, so a
        row's numbers do not depend on which other rows are computed with it)."""
        rows = np.flatnonzero(mask.any(axis=1))
        if not len(rows):
            return
        P = self.P
        drivers = self._drivers(rows)
        Pr = _params_rows(P, rows)
        ld = log_drivers(Pr, *drivers)
        k, ties = np.nonzero(mask[rows])  # by row, then tie: the order of the one-row calls
        r = rows[k]
        if P.tie_model == "anchor":  # the anchors are read by that tie model only
            d = drive(Pr, *drivers)
            self.base[r, ties] = _anchor_ties(P, r, k, self.s[r, ties], d[k, ties])
        self.ell0[r, ties] = ld[k, ties]
        self.logit0[r, ties] = _logit(np.minimum(self.s[r, ties], STEADY_MAX))

    # =====================================================================================
    # reporters
    # =====================================================================================
    def model_variables(self) -> list[str]:
        """Names of the model variables, in column order (:func:`sim.outcomes.reporter_names`;
        :meth:`reports` computes them in this order)."""
        return reporter_names(self.world_blocs)

    def reports(self) -> np.ndarray:
        """The model reporters of every row, shape (R, V), in :meth:`model_variables` order."""
        R, nb, ng = self.R, len(self.world_blocs), len(self.bloc_names)
        alive = self.alive
        # While no row has realigned an actor, every row's blocs are the first ones: the
        # sums take bins shared by the rows, and only the ties inside a bloc (the others
        # would add only zeros).
        if self.realigned.any():
            bloc = self.bloc
            gu = bloc[:, self.a]
            inside = (gu == bloc[:, self.b]) & self.active
            s_inside = self.s
        else:
            bloc = self.bloc0
            cols = np.flatnonzero(bloc[self.a] == bloc[self.b])
            gu = bloc[self.a[cols]]
            inside = self.active[:, cols]
            s_inside = self.s[:, cols]
        n_alive = row_bincount(bloc, alive.astype(float), ng)
        mask = alive & self.has_needs
        count = row_bincount(bloc, mask.astype(float), ng)
        fulfil = row_bincount(bloc, np.where(mask, self.fulfil, 0.0), ng) / np.maximum(count, 1)
        fulfil[count == 0] = math.nan
        cnt_s = row_bincount(gu, inside.astype(float), ng)
        mean_s = row_bincount(gu, np.where(inside, s_inside, 0.0), ng) / np.maximum(cnt_s, 1)
        mean_s[cnt_s == 0] = 0.0
        inner = self.coh_inner
        now = np.where(self.active[:, inner], self.s[:, inner], 0.0)
        num = row_bincount(self.coh_group0[inner], now, ng)
        den = self.coh_den
        cohesion = np.divide(num, den, out=np.ones((R, ng)), where=den > 0)
        giant = self._giant_rows()
        out = np.empty((R, 5 * nb + 1))
        out[:, :-1] = np.stack(
            (n_alive[:, :nb], fulfil[:, :nb], cohesion[:, :nb], mean_s[:, :nb], giant[:, :nb]),
            axis=2,
        ).reshape(R, 5 * nb)
        out[:, -1] = self.collapses
        return out

    def _giant_rows(self) -> np.ndarray:
        """:func:`sim.metrics.group_giant_fractions` of every row's active partnerships by
        bloc, shape (R, G): over each bloc's size at t = 0.

        Rows whose topology has not changed since their last computation keep it; the others
        are computed together, as one graph of R x N nodes (rows are disconnected blocks of
        it), in one connected-components call.
        """
        n, ng = self.n, len(self.bloc_names)
        stale = np.flatnonzero(self.topo != self.giant_version)
        if len(stale):
            rows = stale
            alive, bloc = self.alive[rows], self.bloc[rows]
            a, b = self.a, self.b
            keep = self.active[rows] & alive[:, a] & alive[:, b] & (bloc[:, a] == bloc[:, b])
            rr, ee = np.nonzero(keep)
            u, v = rr * n + a[ee], rr * n + b[ee]
            m = len(rows) * n
            g = sp.coo_matrix((np.ones(len(u)), (u, v)), shape=(m, m))
            _, labels = connected_components(g, directed=False)
            size = np.bincount(labels, weights=alive.ravel().astype(float))
            label_cell = np.zeros(len(size), dtype=np.intp)
            # every node of a component is in the same row and bloc
            label_cell[labels] = np.repeat(np.arange(len(rows)), n) * ng + bloc.ravel()
            best = np.zeros(len(rows) * ng)
            np.maximum.at(best, label_cell, size)
            size0 = self.bloc_size0.astype(float)
            frac = np.divide(
                best.reshape(len(rows), ng),
                size0,
                out=np.zeros((len(rows), ng)),
                where=size0 > 0,
            )
            self.giant[stale] = frac
            self.giant_version[stale] = self.topo[stale]
        return self.giant

    def agent_state(self) -> tuple[np.ndarray, ...]:
        """Copies of ``bloc, alive, capability, stability, fulfilment``, each (R, N)."""
        return tuple(x.copy() for x in self.agent_arrays())

    def agent_arrays(self) -> tuple[np.ndarray, ...]:
        """``bloc, alive, capability, stability, fulfilment`` themselves (not copies)."""
        return (self.bloc, self.alive, self.cap, self.stab, self.fulfil)

    # =====================================================================================
    # inspection, vectorised over rows (the names of AllianceModel's methods)
    # =====================================================================================
    def index_of(self, actor: str) -> int:
        """Position of an actor; :class:`sim.errors.UnknownNameError` with a suggestion."""
        try:
            return self.pos[actor]
        except KeyError:
            self.world.actor(actor)  # raises UnknownNameError with a suggestion
            raise

    def strength(self, a: str, b: str) -> np.ndarray:
        """Current partnership strength between `a` and `b` per row (0 where none)."""
        e = self.index.get(_pair_key(self.index_of(a), self.index_of(b)))
        if e is None:
            return np.zeros(self.R)
        return np.where(self.active[:, e], self.s[:, e], 0.0)

    def delivered(self, src: str, dst: str, commodity: str | None = None) -> np.ndarray:
        """What `src` delivered to `dst` last step per row (see
        :meth:`sim.model.AllianceModel.delivered`)."""
        net = self.supply
        ks = self.pair_ties.get((self.index_of(src), self.index_of(dst)), ())
        tot = np.zeros(self.R)
        if commodity is not None:
            if commodity not in net.commodities:
                from sim.errors import UnknownNameError

                raise UnknownNameError(
                    f"unknown commodity {commodity!r}; this world ships: "
                    + ", ".join(net.commodities)
                    + (f"; {h}" if (h := suggest(commodity, net.commodities)) else "")
                )
            c = net.commodities.index(commodity)
            for k in ks:
                if net.commodity[k] == c:
                    tot = tot + self.deliveries[:, k]
            return tot
        for k in ks:
            tot = tot + self.deliveries[:, k] * net.value[net.commodity[k]]
        return tot

    def capability(self, actor: str) -> np.ndarray:
        """Current capability of the actor per row (0 once removed)."""
        return self.cap[:, self.index_of(actor)].copy()

    # =====================================================================================
    # the named operations shocks use (per row; each returns its undo records)
    # =====================================================================================
    def _dissolve(self, r: int, ties: np.ndarray) -> None:
        self.active[r, ties] = False
        self.s[r, ties] = 0.0

    def _reactivate(self, r: int, ties: np.ndarray, s: np.ndarray) -> None:
        """Bring dissolved partnerships back at strengths `s`; a tie whose partner is dead
        waits for it (``dormant``)."""
        alive = self.alive[r]
        for e, se in zip(ties.tolist(), s.tolist(), strict=True):
            a, b = int(self.a[e]), int(self.b[e])
            if alive[a] and alive[b]:
                self.s[r, e], self.active[r, e] = se, True
            else:
                self.rows[r].dormant.setdefault(b if alive[a] else a, []).append((e, se))

    def _ties_of(self, i: int) -> np.ndarray:
        """The tie slots with actor `i` at an end, in slot order (kept until slots are
        added: a shock such as RemoveState kills in every row)."""
        if self._incident is None:
            self._incident = [np.flatnonzero((self.a == j) | (self.b == j)) for j in range(self.n)]
        return self._incident[i]

    def kill(self, r: int, i: int) -> list[Undo]:
        """Remove actor `i`: it produces, transits and delivers nothing; its ties dissolve."""
        if not self.alive[r, i]:
            return []
        ends = self._ties_of(i)
        ties = ends[self.active[r, ends]]
        rec = KillUndo(i, float(self.cap[r, i]), float(self.stab[r, i]), ties, self.s[r, ties])
        self._dissolve(r, ties)
        self.alive[r, i] = False
        self.cap[r, i] = 0.0
        self.stab[r, i] = 0.0
        self.topo[r] += 1
        return [rec]

    def realign(self, r: int, i: int, to_bloc: str) -> list[Undo]:
        """Move actor `i` to `to_bloc`; its ties with its former bloc dissolve or are cut."""
        old = int(self.bloc[r, i])
        new = self.bloc_names.index(to_bloc)
        if old == new:
            return []
        net, bloc = self.supply, self.bloc[r]
        recs: list[Undo] = [
            AnchorsUndo(
                i,
                float(self.fulfil0[r, i]),
                float(self.support0[r, i]),
                float(self.pressure0[r, i]),
                bool(self.reanchor[r, i]),
            )
        ]
        if self.bloc_names[old] != NEUTRAL:
            other = np.where(self.a == i, self.b, self.a)
            mask = self.active[r] & ((self.a == i) | (self.b == i)) & (bloc[other] == old)
            ties = np.flatnonzero(mask)
            recs.append(TiesUndo(ties, self.s[r, ties]))
            self._dissolve(r, ties)
            far = np.where(net.supplier == i, net.recipient, net.supplier)
            cut = ((net.supplier == i) | (net.recipient == i)) & (bloc[far] == old)
            self.tie_cut[r, cut] += 1
            recs.append(CutUndo(np.flatnonzero(cut)))
        self.bloc[r, i] = new
        self.realigned[r] = True
        self.reanchor[r, i] = True
        self.topo[r] += 1
        recs.append(BlocUndo(i, old))
        return recs

    def degrade(self, r: int, i: int, what: str, factor: float) -> list[Undo]:
        """Multiply actor `i`'s production or capability multiplier by `factor`
        (``what="capability"`` also scales its current capability at once, capped at 1)."""
        which = "prod_mult" if what == "production" else "cap_mult"
        row = self.rows[r]
        token = row.n_factors
        row.n_factors += 1
        row.factors.setdefault((which, i), {})[token] = factor
        getattr(self, which)[r, i] *= factor
        recs: list[Undo] = [FactorUndo(which, i, token)]
        if what == "capability" and self.alive[r, i]:
            before = float(self.cap[r, i])
            self.cap[r, i] = min(1.0, before * factor)
            recs.append(CapCutUndo(i, before - float(self.cap[r, i])))
        return recs

    def mark_hostile(self, r: int, pairs: Iterable[tuple[int, int]]) -> list[Undo]:
        """Count a hostile act in force between each pair of partners (no-op for
        non-partners)."""
        created = self.created[r]
        es = sorted(
            {
                e
                for i, j in pairs
                if (e := self.index.get(_pair_key(i, j))) is not None and created[e]
            }
        )
        if not es:
            return []
        ties = np.array(es, dtype=np.intp)
        self.hostility[r, ties] += 1.0
        return [HostilityUndo(ties)]

    def formalize(self, r: int, i: int, j: int, kind: str, strength: float | None) -> list[Undo]:
        """Sign a treaty between `i` and `j` (the operation a ``Formalize`` shock uses)."""
        P = self.P.row(r)
        new_s = min(KIND_STRENGTH[kind] if strength is None else float(strength), STEADY_MAX)
        e = self.index.get(_pair_key(i, j))
        if e is None:  # a Formalize scheduled after the engine was built
            e = self.add_slots([(i, j)])[0]
        kinds = self.rows[r].kinds
        if not self.active[r, e]:
            created, old = True, None
            self._add_tie(r, e, new_s)
        else:
            created = False
            old = (
                float(self.logit0[r, e]),
                float(self.base[r, e]),
                self.ell0[r, e].copy(),
                float(self.damp[r, e]),
                kinds.get(e),
            )
            self.s[r, e] = new_s
        mask = np.zeros((self.R, self.E), dtype=bool)
        mask[r, e] = True
        self._baseline_ties(mask)
        self.damp[r, e] = P.treaty_damping if kind in DEFENCE_KINDS else 1.0
        kinds[e] = kind
        return [FormalizeUndo(e, created, old)]

    def cut_supply(self, r: int, ties: np.ndarray) -> list[Undo]:
        """Cut supply ties (sanction, interdiction) until restored."""
        ties = np.asarray(ties, dtype=np.intp)
        self.tie_cut[r, ties] += 1
        return [CutUndo(ties)]

    def dissolve_partnership(self, r: int, i: int, j: int) -> list[Undo]:
        """End the partnership `i`-`j` (no-op if none is in force)."""
        e = self.index.get(_pair_key(i, j))
        if e is None or not self.active[r, e]:
            return []
        ties = np.array([e], dtype=np.intp)
        rec = TiesUndo(ties, self.s[r, ties])
        self._dissolve(r, ties)
        self.topo[r] += 1
        return [rec]

    def block_transit(self, r: int, i: int) -> list[Undo]:
        """Actor `i` closes its territory to transit; a hostile act towards every partner
        whose supply passes through it."""
        self.blocking[r, i] += 1
        hostile = self.mark_hostile(r, ((i, j) for j in self.transit_victims(i)))
        return [BlockUndo(i), *hostile]

    def close_routes(self, r: int, routes: np.ndarray) -> list[Undo]:
        """Close routes (a corridor) until restored."""
        routes = np.asarray(routes, dtype=np.intp)
        self.route_closed[r, routes] += 1
        return [RouteUndo(routes)]

    def transit_victims(self, i: int) -> list[int]:
        """Actors whose supply (as supplier or recipient) has a route through actor `i`."""
        net = self.supply
        routes = net.hop_route[net.hop_actor == i]
        ties = np.unique(net.route_tie[routes])
        ends = set(net.supplier[ties].tolist()) | set(net.recipient[ties].tolist())
        ends.discard(i)
        return sorted(ends)

    def apply_shock(self, r: int, shock: Any, model: Any) -> None:
        """Apply `shock` to row `r` through `model` (a :class:`RowView` or an AllianceModel)
        and keep its undo records for a ``Restore``."""
        undo = list(shock.apply(model) or [])
        row = self.rows[r]
        row.disturbed = True
        row.applied.setdefault(shock, []).append(undo)

    def undo(self, r: int, shock: Any) -> None:
        """Revert the most recent application of `shock` in row `r` (used by ``Restore``)."""
        stack = self.rows[r].applied.get(shock)
        if not stack:
            raise ShockError(f"cannot restore {shock!r}: it has not been applied yet")
        for rec in reversed(stack.pop()):
            rec.revert(self, r)
        self.topo[r] += 1

    def mark_failed(self, r: int, reason: str) -> None:
        """Mark row `r` failed (once; the first reason is kept): it gets no more shocks,
        collapses or formations, and :func:`run_batch` gives no frames for it."""
        if not self.failed[r]:
            self.failed[r] = True
            self.failures.append((r, reason))

    def check_finite(self) -> np.ndarray:
        """Rows whose state went non-finite (NaN or inf) this step."""
        bad = ~(
            np.isfinite(self.cap).all(axis=1)
            & np.isfinite(self.stab).all(axis=1)
            & np.isfinite(self.s).all(axis=1)
            & np.isfinite(self.deliveries).all(axis=1)
            & np.isfinite(self.fulfil).all(axis=1)
        )
        return bad


def _params_rows(P: BatchParams, sl: slice | np.ndarray):
    """`P` restricted to rows `sl` (a slice or an index array; per-row arrays indexed,
    numbers as they are)."""
    out = object.__new__(BatchParams)
    out.__dict__.update(
        {
            k: (v[sl] if isinstance(v, np.ndarray) else v)
            for k, v in P.__dict__.items()
            if k != "rows"
        }
    )
    out.rows = P.rows[sl] if isinstance(sl, slice) else [P.rows[r] for r in sl]
    return out


_SUPPLY, _STATE, _TIES = 0, 1, 2  # the rows' streams drawn every month, in spawn order


def _draw_rows(gens: Sequence[np.random.Generator], sizes) -> tuple[np.ndarray, ...]:
    """Each row's next draws from its own generator, in order: per ``(kind, k)`` of `sizes`,
    ``standard_normal(k)`` (kind ``"normal"``) or ``random(k)`` (``"uniform"``); one
    (R, k) array each."""
    out = tuple(np.empty((len(gens), k)) for _, k in sizes)
    kinds = tuple(kind for kind, _ in sizes)
    if kinds == ("normal", "uniform"):  # the supply and state streams: one loop, no lookups
        for g, z, u in zip(gens, *out, strict=True):
            g.standard_normal(out=z)
            g.random(out=u)
    elif kinds == ("uniform",):
        for g, u in zip(gens, out[0], strict=True):
            g.random(out=u)
    else:
        for r, g in enumerate(gens):
            for kind, arr in zip(kinds, out, strict=True):
                (g.standard_normal if kind == "normal" else g.random)(out=arr[r])
    return out


class _SharedDraws:
    """The rows' monthly random streams, shared by the engines forked from one construction.

    What a stream draws in a month depends only on its generator and the sizes drawn, never
    on the state: the supply stream always draws one normal per producing cell and one
    uniform per supply tie, the state stream a normal and a uniform per actor, the ties
    stream a uniform per formation candidate. The arms of a scenario start from the same
    generators (one construction, forked), so every arm draws the same numbers, month by
    month. They are drawn once (one generator call per row) by the first engine to reach a
    month, and kept until every engine sharing them has taken them; the arrays are
    read-only. An engine alone (a model, one arm) keeps nothing.
    """

    def __init__(self, gens: Sequence[Sequence[np.random.Generator]]):
        self.gens = [list(g) for g in gens]
        self.kept: list[collections.deque] = [collections.deque() for _ in gens]
        self.first = [0] * len(gens)  # the draw number of each stream's first kept draw
        self.users = 1

    def join(self) -> None:
        """One more engine draws from these streams (a fork, before any draw)."""
        if any(self.kept) or any(self.first):
            raise SimError("an engine can be forked only before its first step")
        self.users += 1

    def take(self, pos: list[int], stream: int, sizes) -> tuple[np.ndarray, ...]:
        """The next draws of `stream` for the engine at positions `pos` (advanced)."""
        kept, i = self.kept[stream], pos[stream] - self.first[stream]
        pos[stream] += 1
        if self.users == 1:
            self.first[stream] += 1
            return _draw_rows(self.gens[stream], sizes)
        if i == len(kept):
            arrays = _draw_rows(self.gens[stream], sizes)
            for a in arrays:
                a.flags.writeable = False
            kept.append([arrays, self.users])
        entry = kept[i]
        entry[1] -= 1
        while kept and kept[0][1] == 0:
            kept.popleft()
            self.first[stream] += 1
        return entry[0]


def _copy_generator(g: np.random.Generator) -> np.random.Generator:
    """A generator in `g`'s state (sharing its SeedSequence, from which nothing is spawned
    after construction); cheaper than ``copy.deepcopy``."""
    bg = g.bit_generator
    new = type(bg)(bg.seed_seq)  # type: ignore[arg-type]  # a SeedSequence in practice
    new.state = bg.state
    return np.random.Generator(new)


def _anchor_ties(
    P: BatchParams, r: np.ndarray, group: np.ndarray, s0: np.ndarray, d0: np.ndarray
) -> np.ndarray:
    """:func:`sim.ties.anchor` with one drive per tie, for ties of several rows at once.

    Tie ``m`` is in row ``r[m]``; ``group`` numbers the rows 0, 1, ... (sorted). Each row's
    ties iterate until that row's ties all converge, as the one-row call does, so every
    anchor equals the one-row result bit for bit.
    """
    decay = P.tie_decay[r, 0] if isinstance(P.tie_decay, np.ndarray) else P.tie_decay
    gain = P.tie_gain[r, 0] if isinstance(P.tie_gain, np.ndarray) else P.tie_gain
    s0 = np.minimum(s0, STEADY_MAX)
    p0 = decay * s0 / (gain * (1.0 - s0))
    d = d0[None, :]
    b = p0 - d.min(axis=0)
    going = np.ones(int(group[-1]) + 1 if len(group) else 0, dtype=bool)
    for _ in range(2):  # one draw: at most two passes, as in the one-row call
        pos = d + b > 0.0
        excess = np.where(pos, d + b, 0.0).mean(axis=0) - p0
        off = ~(np.abs(excess) <= 1e-12 * (1.0 + p0))
        going &= np.bincount(group, weights=off, minlength=len(going)) > 0
        if not going.any():
            break
        upd = going[group]
        b[upd] -= (excess / np.maximum(pos.mean(axis=0), 1.0))[upd]
    return b


def _anchor_rows(P: BatchParams, s0: np.ndarray, d: np.ndarray) -> np.ndarray:
    """:func:`sim.ties.anchor` of every row at once: `s0` (R, E), drives `d` (draws, R, E).

    Each row runs Newton's iteration until its own ties converge, exactly as the one-row call
    does (a converged row is frozen, not iterated further), so a row's anchors equal the
    single model's bit for bit.
    """
    s0 = np.minimum(s0, STEADY_MAX)
    p0 = P.tie_decay * s0 / (P.tie_gain * (1.0 - s0))
    draws = d.shape[0]
    p0 = np.broadcast_to(p0, s0.shape)
    b = p0 - d.min(axis=0)
    rows = np.arange(s0.shape[0])  # the rows still iterating
    for _ in range(draws + 1):
        if len(rows) == len(b):
            dr, br, pr = d, b, p0
        else:
            dr, br, pr = d[:, rows], b[rows], p0[rows]
        pos = dr + br > 0.0
        excess = np.where(pos, dr + br, 0.0).mean(axis=0) - pr
        going = ~np.all(np.abs(excess) <= 1e-12 * (1.0 + pr), axis=1)
        if not going.any():
            break
        step = excess[going] / np.maximum(pos[:, going].mean(axis=0), 1.0 / draws)
        rows = rows[going]
        b[rows] = br[going] - step
    return b


def _columns(x: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``x[:, cols]``, still a read-only broadcast view when `x` is one (shared by the rows)."""
    if x.strides[0] == 0:
        return np.broadcast_to(x[0, cols], (x.shape[0], len(cols)))
    return x[:, cols]


def _per_row(value, R: int, what: str, kind: type) -> list:
    if isinstance(value, kind):
        return [value] * R
    out = list(value)
    if len(out) != R:
        raise SimError(f"{what}: give one for every row or one per row ({R}); got {len(out)}")
    return out


# =========================================================================================
# the row view: the model interface a shock sees in a batch
# =========================================================================================
class RowOps:
    """The named model operations and read interface shocks use, on one row of an engine.

    Mixed into :class:`RowView` (a row of a batch) and :class:`sim.model.AllianceModel` (its
    engine's only row), so a shock acts on either through the same calls: this is the model
    side of the :class:`sim.shocks.Shock` protocol, and what a new shock's ``apply`` calls.

    Notes
    -----
    A mixin: the engine row comes from the class it is mixed into.

    Reading: ``ids``, ``n``, ``bloc_names``, ``supply``, ``shock_rng``, :meth:`position`,
    :meth:`alive_mask`, :meth:`bloc_index`, :meth:`capabilities`, :meth:`supply_ties`,
    :meth:`active_partnerships`, :meth:`open_supply`, :meth:`defect_target`,
    :meth:`transit_victims`. Operations, each changing the row at once and returning the
    typed :class:`Undo` records that put it back: :meth:`kill`, :meth:`realign`,
    :meth:`degrade`, :meth:`mark_hostile`, :meth:`formalize`, :meth:`cut_supply`,
    :meth:`dissolve_partnership`, :meth:`block_transit`, :meth:`close_routes`;
    :meth:`undo` reverts a shock's records.

    Examples
    --------
    >>> from sim import AllianceModel
    >>> from sim.engine import RowOps
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(6, rng=1), rng=0)
    >>> isinstance(m, RowOps)
    True
    >>> records = m.kill(m.position("A00001"))
    >>> [type(u).__name__ for u in records], m.alive_mask().tolist()
    (['KillUndo'], [True, False, True, True, True, True])
    """

    _engine: Engine
    _row: int

    # -- reading -------------------------------------------------------------------------
    @property
    def ids(self) -> tuple[str, ...]:
        return self._engine.ids

    @property
    def n(self) -> int:
        return self._engine.n

    @property
    def bloc_names(self) -> list[str]:
        return self._engine.bloc_names

    @property
    def supply(self) -> SupplyNetwork:
        """The supply layer's structure (ties, routes, corridors)."""
        return self._engine.supply

    @property
    def shock_rng(self) -> np.random.Generator:
        """This row's shock stream (random failures draw from it)."""
        return self._engine.rows[self._row].shock_rng

    def position(self, actor: str) -> int:
        """Position of an actor id (:class:`sim.errors.UnknownNameError` if unknown)."""
        return self._engine.index_of(actor)

    def alive_mask(self) -> np.ndarray:
        """Which actors are alive now (a copy)."""
        return self._engine.alive[self._row].copy()

    def bloc_index(self) -> np.ndarray:
        """Each actor's current bloc, as an index into ``bloc_names`` (a copy)."""
        return self._engine.bloc[self._row].copy()

    def capabilities(self) -> np.ndarray:
        """Every actor's current capability (a copy)."""
        return self._engine.cap[self._row].copy()

    def supply_ties(self, i: int, j: int, commodity: str | None = None) -> np.ndarray:
        """The supply ties from `i` to `j` (of `commodity` only, if given)."""
        eng = self._engine
        ks = np.array(eng.pair_ties.get((i, j), []), dtype=np.intp)
        if commodity is not None and len(ks):
            net = eng.supply
            ks = ks[[net.commodities[net.commodity[k]] == commodity for k in ks]]
        return ks

    def active_partnerships(self) -> tuple[np.ndarray, np.ndarray]:
        """Ends ``(a, b)`` of the partnerships in force."""
        eng = self._engine
        act = eng.active[self._row]
        return eng.a[act], eng.b[act]

    def open_supply(self) -> np.ndarray:
        """Supply ties open now: both ends alive and not cut."""
        eng, r = self._engine, self._row
        net, alive = eng.supply, eng.alive[r]
        return alive[net.supplier] & alive[net.recipient] & (eng.tie_cut[r] == 0)

    def defect_target(self, i: int) -> str:
        """The bloc actor `i` would defect to (``defect_bloc``, else its rivals')."""
        return self._engine.defect_target(self._row, i)

    def transit_victims(self, i: int) -> list[int]:
        """Actors whose supply (as supplier or recipient) has a route through actor `i`."""
        return self._engine.transit_victims(i)

    # -- operations ------------------------------------------------------------------------
    def kill(self, i: int) -> list[Undo]:
        """Remove actor `i` (see :meth:`Engine.kill`)."""
        return self._engine.kill(self._row, i)

    def realign(self, i: int, to_bloc: str) -> list[Undo]:
        """Move actor `i` to `to_bloc` (see :meth:`Engine.realign`)."""
        return self._engine.realign(self._row, i, to_bloc)

    def degrade(self, i: int, what: str, factor: float) -> list[Undo]:
        """Multiply a production or capability multiplier (see :meth:`Engine.degrade`)."""
        return self._engine.degrade(self._row, i, what, factor)

    def mark_hostile(self, pairs: Iterable[tuple[int, int]]) -> list[Undo]:
        """Hostile acts between pairs of partners (see :meth:`Engine.mark_hostile`)."""
        return self._engine.mark_hostile(self._row, pairs)

    def formalize(self, i: int, j: int, kind: str, strength: float | None) -> list[Undo]:
        """Sign a treaty between `i` and `j` (see :meth:`Engine.formalize`)."""
        return self._engine.formalize(self._row, i, j, kind, strength)

    def cut_supply(self, ties: np.ndarray) -> list[Undo]:
        """Cut supply ties (see :meth:`Engine.cut_supply`)."""
        return self._engine.cut_supply(self._row, ties)

    def dissolve_partnership(self, i: int, j: int) -> list[Undo]:
        """End the partnership `i`-`j` (see :meth:`Engine.dissolve_partnership`)."""
        return self._engine.dissolve_partnership(self._row, i, j)

    def block_transit(self, i: int) -> list[Undo]:
        """Close actor `i` to transit (see :meth:`Engine.block_transit`)."""
        return self._engine.block_transit(self._row, i)

    def close_routes(self, routes: np.ndarray) -> list[Undo]:
        """Close routes (see :meth:`Engine.close_routes`)."""
        return self._engine.close_routes(self._row, routes)

    def undo(self, shock: Any) -> None:
        """Revert the most recent application of `shock` (used by ``Restore``)."""
        self._engine.undo(self._row, shock)


class RowView(RowOps):
    """Row `r` of a batch as the model a shock validates against and applies to.

    Offers the read interface and operations of :class:`RowOps`, and the few attributes a
    shock's validation reads (``world``, ``time``, ``shocks``, ``partners.index``).

    Parameters
    ----------
    engine : Engine
        The batch.
    r : int
        The row.
    time : float
        The model time the shock sees.
    shocks : sequence of shocks
        The row's scheduled shocks (a ``Restore`` validates against them).

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> from sim.shocks import RemoveState
    >>> eng = Engine(synthetic(20, rng=1), None, [1, 2])
    >>> view = RowView(eng, 0, time=0.0, shocks=())
    >>> shock = RemoveState("A00003", at=0)
    >>> shock.validate(view)
    >>> eng.apply_shock(0, shock, view)
    >>> eng.alive[:, 3].tolist()
    [False, True]
    """

    def __init__(self, engine: Engine, r: int, *, time: float, shocks: Sequence[Any]):
        self._engine = engine
        self._row = r
        self.world = engine.world
        self.time = time
        self.shocks = list(shocks)

    # attributes the shocks' validation helpers read (kept for them; shocks act through ops)
    @property
    def _pos(self) -> dict[str, int]:
        return self._engine.pos

    @property
    def _pair_ties(self) -> dict[tuple[int, int], list[int]]:
        return self._engine.pair_ties

    @property
    def _alive(self) -> np.ndarray:
        return self._engine.alive[self._row]

    @property
    def _bloc(self) -> np.ndarray:
        return self._engine.bloc[self._row]

    @property
    def _cap(self) -> np.ndarray:
        return self._engine.cap[self._row]

    @property
    def partners(self):
        return LayerRow(self._engine, self._row)


class LayerRow:
    """One row's partnership ties, in the attribute names of :class:`sim.ties.PartnershipLayer`.

    Only the ties that exist in the row (the world's, and those formed or signed since, in
    force or dissolved) are shown, as copies: the engine's other pre-allocated slots are not
    ties of this row. ``index`` maps a pair to its position in these arrays. ``base`` (the
    anchors) is fitted only under the ``"anchor"`` tie model, the one that reads it; under
    the others it is 0.
    """

    def __init__(self, engine: Engine, r: int):
        self._e, self._r = engine, r
        self._sel = np.flatnonzero(engine.created[r])

    def __len__(self) -> int:
        return len(self._sel)

    def _get(self, name: str) -> np.ndarray:
        return getattr(self._e, name)[self._r][self._sel]

    a = property(lambda self: self._e.a[self._sel])
    b = property(lambda self: self._e.b[self._sel])
    s = property(lambda self: self._get("s"))
    active = property(lambda self: self._get("active"))
    base = property(lambda self: self._get("base"))
    logit0 = property(lambda self: self._get("logit0"))
    ell0 = property(lambda self: self._get("ell0"))
    damp = property(lambda self: self._get("damp"))
    hostility = property(lambda self: self._get("hostility"))

    @property
    def index(self) -> dict[tuple[int, int], int]:
        at = {int(e): k for k, e in enumerate(self._sel)}
        return {key: at[e] for key, e in self._e.index.items() if e in at}

    def degree(self, n: int) -> np.ndarray:
        """Number of active ties per actor."""
        act = self.active
        return np.bincount(self.a[act], minlength=n) + np.bincount(self.b[act], minlength=n)


# =========================================================================================
# inspected outcomes and the batch runner
# =========================================================================================
def inspect(model: Any, outcomes: Sequence[str]) -> dict[str, Any]:
    """Read outcomes that are not model reporters through the inspection API.

    Parameters
    ----------
    model : AllianceModel or Engine
        A single model (values are floats) or a batch (values are arrays over its rows).
    outcomes : sequence of str
        ``strength:A-B``, ``delivered:A->B[:COMMODITY]``, ``capability:A``.

    Returns
    -------
    dict
        Outcome name to its value now.

    Raises
    ------
    UnknownNameError
        An actor or commodity the world does not have (with a suggestion).

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> eng = Engine(synthetic(20, rng=1), None, [1, 2])
    >>> got = inspect(eng, ["strength:A00000-A00002", "capability:A00000"])
    >>> {k: v.round(3).tolist() for k, v in got.items()}
    {'strength:A00000-A00002': [0.723, 0.723], 'capability:A00000': [0.116, 0.116]}
    """
    batch = isinstance(model, Engine)
    out = read_outcomes(model, outcomes)  # the registry: one parser, one method per kind
    if not batch:
        out = {k: float(v) for k, v in out.items()}
    return out


@dataclass
class BatchFrames:
    """What :func:`run_batch` returns: every row's frames in the runner's tidy layout.

    Attributes
    ----------
    seeds : list
        Each row's seed.
    model_vars : list of str
        Model-frame columns after ``step``: the reporters, then inspected outcomes.
    values : float array, shape (T, R, V)
        Every collect (T = steps + 1) of every row.
    agents : tuple of arrays, each (T, R, N), or None
        ``bloc, alive, capability, stability, fulfilment`` (when ``agent_frames``).
    ids : tuple of str
        The actors, in the engine's order.
    bloc_names : list of str
        The blocs (``bloc`` in ``agents`` indexes them).
    failed : list of (row, seed, reason)
        Rows that went non-finite or whose shock or collapse raised, in the order they
        failed; their frames are not given (see :attr:`ok`).

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> b = run_batch(synthetic(20, rng=1), None, (), [1, 2], steps=2)
    >>> b.ok, b.failed, b.final("alive:axis").tolist()
    ([0, 1], [], [8.0, 8.0])
    >>> b.model_frame(1).columns[:3].tolist(), b.agent_frame(1).shape
    (['step', 'alive:axis', 'fulfilment:axis'], (60, 7))
    """

    seeds: list
    model_vars: list[str]
    values: np.ndarray
    agents: tuple[np.ndarray, ...] | None
    ids: tuple[str, ...]
    bloc_names: list[str]
    failed: list[tuple[int, Any, str]] = field(default_factory=list)

    @property
    def ok(self) -> list[int]:
        """Rows that ran to the end."""
        bad = {f[0] for f in self.failed}
        return [r for r in range(len(self.seeds)) if r not in bad]

    def final(self, name: str) -> np.ndarray:
        """Each row's value of `name` at the last step, shape (R,)."""
        return self.values[-1, :, self.model_vars.index(name)]

    def model_frame(self, r: int) -> pd.DataFrame:
        """Row `r`'s model frame: ``step``, the reporters, the inspected outcomes."""
        t = self.values.shape[0]
        data: dict[str, Any] = {"step": np.arange(t)}
        for k, name in enumerate(self.model_vars):
            col = self.values[:, r, k]
            data[name] = col.astype(np.int64) if name.split(":")[0] in _INT_REPORTERS else col
        return pd.DataFrame(data)

    def agent_frame(self, r: int) -> pd.DataFrame:
        """Row `r`'s agent frame: ``step, actor, bloc, alive, capability, stability,
        fulfilment``, by step and then actor id."""
        if self.agents is None:
            raise SimError("this batch ran with agent_frames=False")
        t = self.values.shape[0]
        n = len(self.ids)
        order = np.argsort(np.array(self.ids, dtype=object), kind="stable")
        bloc, alive, cap, stab, ful = (x[:, r][:, order].ravel() for x in self.agents)
        return pd.DataFrame(
            {
                "step": np.repeat(np.arange(t), n),
                "actor": np.tile(np.array(self.ids, dtype=object)[order], t),
                "bloc": np.array(self.bloc_names, dtype=object)[bloc],
                "alive": alive,
                "capability": cap,
                "stability": stab,
                "fulfilment": ful,
            }
        )


def formalize_pairs(pos: Mapping[str, int], shocks: Iterable[Any]) -> list[tuple[int, int]]:
    """The actor pairs the ``Formalize`` shocks among `shocks` may create, in order."""
    pairs: dict[tuple[int, int], tuple[int, int]] = {}
    for s in shocks:
        if type(s).__name__ == "Formalize":
            a, b = s.target
            if a in pos and b in pos and a != b:
                pairs.setdefault(_pair_key(pos[a], pos[b]), (pos[a], pos[b]))
    return list(pairs.values())


def run_batch(
    worlds: World | Sequence[World],
    params: ModelParams | Sequence[ModelParams] | None,
    shocks: Sequence[Any] | Sequence[Sequence[Any]],
    seeds: Sequence[Any],
    *,
    steps: int,
    outcomes: Sequence[str] = (),
    agent_frames: bool = True,
) -> BatchFrames:
    """Run R rows of the model together; each row equals ``AllianceModel(world, params=...,
    shocks=..., rng=seed)`` stepped `steps` times.

    Parameters
    ----------
    worlds : World or sequence of World
        One world, or one per row. Per-row worlds must share their structure (actors, blocs,
        partnership and rivalry ties, supply ties and routes); only numeric values differ.
    params : ModelParams or sequence of ModelParams or None
        One set, or one per row; rows may differ in numeric fields only.
    shocks : sequence of shocks, or one sequence per row
        The scheduled shocks (a flat sequence of shocks is for every row).
    seeds : sequence of int or Generator
        One per row; the number of rows.
    steps : int
        Months to run.
    outcomes : sequence of str
        Outcomes that are not model reporters, read at every collect (``strength:A-B``,
        ``delivered:A->B[:COMMODITY]``, ``capability:A``); reporter names are ignored here.
    agent_frames : bool
        Keep the agents' state at every collect (for :meth:`BatchFrames.agent_frame`).

    Returns
    -------
    BatchFrames

    Raises
    ------
    SimError
        Worlds or parameters that cannot share a batch.
    ShockError
        A shock invalid for the world (unknown actor, bloc or corridor, a time in the past),
        checked on every row before anything runs.

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> from sim.shocks import RandomFailure
    >>> b = run_batch(synthetic(20, rng=1), None, (RandomFailure(k=2, at=1),), [1, 2, 3], steps=4)
    >>> b.values.shape[:2], len(b.model_frame(0))
    ((5, 3), 5)
    """
    arms = run_arms(
        worlds, params, [shocks], seeds, steps=steps, outcomes=outcomes, agent_frames=agent_frames
    )
    return arms[0]  # one arm: the engine is built and stepped, never forked


def run_arms(
    worlds: World | Sequence[World],
    params: ModelParams | Sequence[ModelParams] | None,
    arms: Sequence[Sequence[Any] | Sequence[Sequence[Any]]],
    seeds: Sequence[Any],
    *,
    steps: int,
    outcomes: Sequence[str] = (),
    agent_frames: bool = True,
) -> list[BatchFrames]:
    """Run the same R rows under several shock sets (the arms of a scenario), building the
    engine once.

    Each arm's frames equal :func:`run_batch` with that arm's shocks: the rows start from
    the same seeds, so the construction (the 32 noisy anchor months) is the same for every
    arm; it is done once and the built engine, generators included, is copied for each arm.
    The engine has a tie slot for every pair a ``Formalize`` of any arm may create; slots
    an arm never fills stay empty and change none of its numbers.

    Parameters
    ----------
    worlds, params, seeds, steps, outcomes, agent_frames
        As for :func:`run_batch`.
    arms : sequence of shock sets
        Each a flat sequence of shocks (every row) or one sequence per row.

    Returns
    -------
    list of BatchFrames
        One per arm, in the order of `arms`.

    Raises
    ------
    SimError, ShockError
        As :func:`run_batch`.

    Examples
    --------
    >>> from sim.worlds import synthetic
    >>> from sim.shocks import RandomFailure
    >>> w = synthetic(20, rng=1)
    >>> shocked, base = run_arms(w, None, [(RandomFailure(k=2, at=1),), ()], [1, 2], steps=3)
    >>> alone = run_batch(w, None, (RandomFailure(k=2, at=1),), [1, 2], steps=3)
    >>> np.array_equal(shocked.values, alone.values, equal_nan=True), base.values.shape
    (True, (4, 2, 16))
    """
    R = len(seeds)
    arm_shocks = [_row_shocks(shocks, R) for shocks in arms]
    if not arm_shocks:
        return []
    eng = Engine(
        worlds, params, list(seeds), formalize_pairs=_formalize_pairs_of(worlds, arm_shocks)
    )
    runs = [
        _ArmRun(
            eng if k == len(arm_shocks) - 1 else eng._fork(),
            row_shocks,
            seeds,
            steps=steps,
            outcomes=outcomes,
            agent_frames=agent_frames,
        )
        for k, row_shocks in enumerate(arm_shocks)
    ]
    for t in range(steps):  # the arms month by month: each month's draws are made once
        for run in runs:
            run.step(t)
    return [run.frames() for run in runs]


def _row_shocks(shocks: Sequence[Any] | Sequence[Sequence[Any]], R: int) -> list[tuple]:
    """One tuple of shocks per row (a flat sequence is for every row)."""
    flat = len(shocks) == 0 or not isinstance(shocks[0], list | tuple)
    row_shocks = [tuple(shocks)] * R if flat else [tuple(s) for s in shocks]
    if len(row_shocks) != R:
        raise SimError(f"shocks: give one tuple for every row or one per row ({R})")
    return row_shocks


def _formalize_pairs_of(worlds: World | Sequence[World], arms: Sequence[Sequence[tuple]]):
    w0 = worlds if isinstance(worlds, World) else worlds[0]
    pos = {a.id: i for i, a in enumerate(w0.actors)}
    return formalize_pairs(pos, (s for rows in arms for row in rows for s in row))


class _ArmRun:
    """One arm of a batch stepped month by month, its frames collected as it goes (so that
    the arms forked from one construction can be stepped together, see :func:`run_arms`)."""

    def __init__(
        self,
        eng: Engine,
        row_shocks: Sequence[tuple],
        seeds: Sequence[Any],
        *,
        steps: int,
        outcomes: Sequence[str],
        agent_frames: bool,
    ):
        R = eng.R
        eng.isolate_failures = True
        self.eng, self.seeds = eng, seeds
        self.inspected = [o for o in outcomes if o.split(":")[0] not in REPORTED]
        self.names = [*eng.model_variables(), *self.inspected]
        # validate every row's shocks up front (a bad shock is the user's mistake, not a failure)
        self.views = []
        for r in range(R):
            view = RowView(eng, r, time=0.0, shocks=())
            for s in row_shocks[r]:
                s.validate(view)
                view.shocks.append(s)
            self.views.append(view)
        self.values = np.empty((steps + 1, R, len(self.names)))
        self.agents: tuple[np.ndarray, ...] | None = None
        if agent_frames:  # filled in place at every collect (no per-step copies to stack)
            self.agents = tuple(
                np.empty((steps + 1, *x.shape), dtype=x.dtype) for x in eng.agent_state()
            )
        self.due: dict[int, list[tuple[int, Any]]] = {}
        for r in range(R):
            for s in row_shocks[r]:
                self.due.setdefault(int(s.at), []).append((r, s))
        self.collect(0)

    def collect(self, t: int) -> None:
        eng, inspected, names = self.eng, self.inspected, self.names
        self.values[t, :, : len(names) - len(inspected)] = eng.reports()
        got = inspect(eng, inspected)
        for k, name in enumerate(inspected):
            self.values[t, :, len(names) - len(inspected) + k] = got[name]
        if self.agents is not None:
            for out, x in zip(self.agents, eng.agent_arrays(), strict=True):
                out[t] = x

    def step(self, t: int) -> None:
        """Month `t`: its shocks, one step, the failure check, and the frames at ``t + 1``."""
        eng = self.eng
        for r, s in sorted(self.due.get(t, ()), key=lambda x: x[0]):
            if eng.failed[r]:
                continue
            self.views[r].time = float(t)
            try:
                eng.apply_shock(r, s, self.views[r])
            except Exception:  # this row's failure, not the batch's
                eng.mark_failed(r, f"shock {s!r} raised at t={t}:\n{traceback.format_exc()}")
        with np.errstate(all="ignore"):
            eng.step()
        for bad in np.flatnonzero(eng.check_finite()):
            eng.mark_failed(int(bad), f"non-finite state after step {t + 1}")
        self.collect(t + 1)

    def frames(self) -> BatchFrames:
        eng, seeds = self.eng, self.seeds
        return BatchFrames(
            seeds=list(seeds),
            model_vars=self.names,
            values=self.values,
            agents=self.agents,
            ids=eng.ids,
            bloc_names=eng.bloc_names,
            failed=[(r, seeds[r], why) for r, why in eng.failures],
        )
