"""The shock catalogue: small frozen dataclasses that apply themselves to a model.

Every shock's first field is its target (an actor id, a pair, a fraction or a count; for
:class:`RandomFailure` a fraction or a count, the first two fields, exactly one given), then
``at``, the step at which it takes effect: a shock with ``at=t`` applies before the supply phase
of the step that takes the model from time t to t + 1, so the data row at t + 1 is the first to
show it. Shocks are scheduled as Mesa events (:meth:`sim.AllianceModel.add_shock`) and are
validated against the model first: an unknown actor, bloc or corridor, or a time in the past,
raises :class:`sim.errors.ShockError` with a suggestion. Every shock can be undone by
:class:`Restore`, which puts back exactly what the shock changed and lets the model's own
dynamics undo its consequences (see :class:`Restore` for which is which).

Examples
--------
>>> RemoveState("SYR", at=6)
RemoveState(target='SYR', at=6, fate='removed', to_bloc=None)
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import numpy as np

from sim.checks import choice_problem, integer_problem, number_problem
from sim.errors import Problem, ShockError, suggest
from sim.params import COLLAPSE_FATES

if TYPE_CHECKING:
    from sim.engine import Undo
    from sim.model import AllianceModel
    from sim.supply import SupplyNetwork

__all__ = [
    "FIELD_KINDS",
    "SHOCKS",
    "BlockTransit",
    "CutTie",
    "Defect",
    "Degrade",
    "Formalize",
    "RandomFailure",
    "RemoveState",
    "Restore",
    "Sanction",
    "Shock",
    "ShockTarget",
    "TargetedAttack",
    "choices_of",
    "field_problem",
]

ATTACK_MEASURES = ("degree", "betweenness", "capability")


# -- the protocol -------------------------------------------------------------------------------


@runtime_checkable
class ShockTarget(Protocol):
    """What a shock's ``apply`` may use: the model's read interface and named operations.

    :class:`sim.model.AllianceModel` and a batch row (:class:`sim.engine.RowView`) both offer
    it (:class:`sim.engine.RowOps`). Each operation changes the model at once and returns
    typed undo records (:class:`sim.engine.Undo`), which ``Restore`` reverts in reverse
    order; a shock never touches the model's arrays itself.

    Parameters
    ----------
    *args, **kwargs
        None: a protocol is not instantiated; a model matches it by what it offers.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.shocks import ShockTarget
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> isinstance(m, ShockTarget), m.position("A00002"), m.bloc_names
    (True, 2, ['axis', 'west', 'neutral'])
    """

    ids: tuple[str, ...]
    bloc_names: list[str]

    @property
    def n(self) -> int: ...
    @property
    def supply(self) -> SupplyNetwork: ...
    @property
    def shock_rng(self) -> np.random.Generator: ...
    def position(self, actor: str) -> int: ...
    def alive_mask(self) -> np.ndarray: ...
    def bloc_index(self) -> np.ndarray: ...
    def capabilities(self) -> np.ndarray: ...
    def supply_ties(self, i: int, j: int, commodity: str | None = None) -> np.ndarray: ...
    def active_partnerships(self) -> tuple[np.ndarray, np.ndarray]: ...
    def open_supply(self) -> np.ndarray: ...
    def defect_target(self, i: int) -> str: ...
    def kill(self, i: int) -> list[Undo]: ...
    def realign(self, i: int, to_bloc: str) -> list[Undo]: ...
    def degrade(self, i: int, what: str, factor: float) -> list[Undo]: ...
    def mark_hostile(self, pairs: Any) -> list[Undo]: ...
    def formalize(self, i: int, j: int, kind: str, strength: float | None) -> list[Undo]: ...
    def cut_supply(self, ties: np.ndarray) -> list[Undo]: ...
    def dissolve_partnership(self, i: int, j: int) -> list[Undo]: ...
    def block_transit(self, i: int) -> list[Undo]: ...
    def close_routes(self, routes: np.ndarray) -> list[Undo]: ...
    def undo(self, shock: Any) -> None: ...


@runtime_checkable
class Shock(Protocol):
    """A scheduled change to the model (every class of :data:`SHOCKS` is one).

    Parameters
    ----------
    *args, **kwargs
        None: a protocol is not instantiated; each shock class has its own fields.

    Attributes
    ----------
    at : int
        The step (month) at which it takes effect: before the supply phase of the step from
        ``at`` to ``at + 1``.

    Methods
    -------
    validate(model)
        Raise :class:`sim.errors.ShockError` if the shock cannot apply to `model` (unknown
        actor, bloc or corridor, a time in the past), naming what is allowed.
    apply(model) -> list of Undo
        Act through the named operations of :class:`ShockTarget` only, and return their undo
        records, in the order made (a ``Restore`` reverts them in reverse).

    Examples
    --------
    >>> from sim.shocks import RemoveState, Shock
    >>> isinstance(RemoveState("SYR", at=6), Shock), isinstance("SYR", Shock)
    (True, False)
    """

    at: int

    def validate(self, model: Any) -> None: ...
    def apply(self, model: ShockTarget) -> list[Undo]: ...


def _alive_pool(model: ShockTarget, bloc: str | None) -> np.ndarray:
    """Positions of the alive actors (of `bloc` only, if given)."""
    pool = model.alive_mask()
    if bloc is not None:
        pool &= model.bloc_index() == model.bloc_names.index(bloc)
    return np.flatnonzero(pool)


# -- field metadata: what each field is, and the checks derived from it --------------------------
#
# Every field declares its kind in its metadata (``field(metadata={"kind": ...})``). The
# checks that need no world (type, range, choices) are :func:`field_problem`, run by each
# shock's ``__post_init__`` and by the scenario parser alike, so a rule and its message live
# once; the scenario parser adds the checks against a world by kind (actor ids, blocs,
# corridors, the horizon), and ``validate(model)`` what only a model knows.

#: The kinds of shock fields.
FIELD_KINDS = (
    "actor",  # an actor id
    "actor_pair",  # two actor ids
    "actors",  # a list of actor ids
    "corridor_or_actor",  # an actor id or a corridor name
    "bloc",  # a bloc name (or "neutral")
    "month",  # a step: an integer >= 0 (a date in a scenario file)
    "choice",  # one of metadata["choices"]
    "number",  # a number in metadata["range"] (bounds open per "lo_open", "hi_open")
    "count",  # a number of actors: an integer >= 1
    "flag",  # true or false
    "shock",  # another shock (in a scenario file: the index of an earlier one)
)

_MONTH = "an integer >= 0 (months from the start), or in a scenario file a date such as 2025-01-01"


def _field(
    kind: str, default: Any = dataclasses.MISSING, *, kw_only: bool = False, **meta: Any
) -> Any:
    """A dataclass field declaring its kind (and choices, range, message) in its metadata."""
    assert kind in FIELD_KINDS, kind
    kw: dict[str, Any] = {"metadata": {"kind": kind, **meta}}
    if default is not dataclasses.MISSING:
        kw["default"] = default
    if kw_only:
        kw["kw_only"] = True
    return field(**kw)


def _partnership_kinds() -> tuple[str, ...]:
    from sim.ties import KIND_STRENGTH  # SciPy behind it: loaded when a kind is checked

    return tuple(KIND_STRENGTH)


def _commodities() -> tuple[str, ...]:
    from sim.world import COMMODITIES

    return tuple(COMMODITIES)


def choices_of(meta: Mapping[str, Any]) -> tuple[Any, ...]:
    """A choice field's allowed values (its ``choices``, called first if a function).


    Parameters
    ----------
    meta : mapping
        A field's metadata (``dataclasses.fields(cls)[i].metadata``).

    Returns
    -------
    tuple
        The allowed values; empty for a field that is not a choice.

    Examples
    --------
    >>> import dataclasses
    >>> from sim.shocks import RemoveState, choices_of
    >>> fate = next(f for f in dataclasses.fields(RemoveState) if f.name == "fate")
    >>> choices_of(fate.metadata)
    ('removed', 'defected', 'neutral')
    """
    choices = meta.get("choices", ())
    return tuple(choices() if callable(choices) else choices)


def _is_ids(value: Any, n: int | None = None) -> bool:
    return (
        isinstance(value, tuple | list)
        and (n is None or len(value) == n)
        and all(isinstance(x, str) for x in value)
    )


def field_problem(cls: type, name: str, value: Any, where: str | None = None) -> Problem | None:
    """What is wrong with `value` for field `name` of shock class `cls`, needing no world.

    Type, range and choices, from the field's metadata. ``None`` when the value is fine, or
    when it is an optional field left at ``None``.

    Parameters
    ----------
    cls : type
        A shock class of :data:`SHOCKS`.
    name : str
        One of its fields.
    value : object
        The value to check.
    where : str, optional
        Where the value comes from, for the message (default: `name`).

    Returns
    -------
    Problem or None

    Examples
    --------
    >>> print(field_problem(RandomFailure, "fraction", 0))
    fraction: must be a share; got 0; allowed: a number in (0, 1]
    """
    f = next(x for x in dataclasses.fields(cls) if x.name == name)
    meta = f.metadata
    kind = meta.get("kind")
    where = name if where is None else where
    if value is None and meta.get("optional"):
        return None
    if kind in ("month", "count", "number") and not isinstance(value, bool):
        if isinstance(value, numbers.Integral):  # NumPy integers count as integers
            value = int(value)
        elif not isinstance(value, float) and isinstance(value, numbers.Real):
            value = float(value)
    if kind == "actor" and not isinstance(value, str):
        return Problem(where, "must be an actor id", value, "an actor id of the world")
    if kind == "actor_pair" and not _is_ids(value, 2):
        return Problem(where, "must be a pair of actor ids", value, '["A", "B"]')
    if kind == "actors" and not _is_ids(value):
        return Problem(where, "must be a list of actor ids", value, '["A", "B"]')
    if kind == "corridor_or_actor" and not isinstance(value, str):
        return Problem(where, "must be an actor id or a corridor name", value, "a string")
    if kind == "bloc" and not isinstance(value, str):
        return Problem(where, "must be a bloc name", value, 'a bloc of the world, or "neutral"')
    if kind == "month":
        return integer_problem(where, value, lo=0, allowed=_MONTH, message="must be a step")
    if kind == "choice":
        choices = choices_of(meta)
        return choice_problem(
            where,
            value,
            choices,
            message=meta.get("message", f"not a valid {name}"),
            allowed=" | ".join(repr(x) for x in choices),
        )
    if kind == "number":
        lo, hi = meta["range"]
        return number_problem(
            where,
            value,
            lo=lo,
            hi=hi,
            lo_open=meta.get("lo_open", False),
            hi_open=meta.get("hi_open", False),
            allowed=meta["allowed"],
            message=meta["message"],
            type_message=meta["message"],
        )
    if kind == "count":
        return integer_problem(
            where, value, lo=1, allowed="an integer >= 1", message="must be a number of actors"
        )
    if kind == "flag" and not isinstance(value, bool):
        return Problem(where, "must be true or false", value, "true | false")
    if kind == "shock" and (not hasattr(value, "apply") or isinstance(value, Restore)):
        return Problem(where, "must be a shock of the catalogue", value, "a shock to undo")
    return None


def _check_fields(shock: Any) -> None:
    """Raise :class:`ShockError` listing every field of `shock` that :func:`field_problem`
    rejects."""
    problems = [
        p
        for f in dataclasses.fields(shock)
        if "kind" in f.metadata
        and (p := field_problem(type(shock), f.name, getattr(shock, f.name))) is not None
    ]
    if problems:
        raise ShockError(f"{shock!r}: " + "; ".join(str(p) for p in problems))


def _check_time(model: AllianceModel, shock: Any) -> None:
    if shock.at < model.time:
        raise ShockError(
            f"{shock!r}: 'at'={shock.at} is in the past (the model is at time {model.time:g}); "
            f"use at >= {math.ceil(model.time)}"
        )


def _actor(model: AllianceModel, actor: Any, shock: Any, what: str = "target") -> int:
    if isinstance(actor, str) and actor in model._pos:
        return model._pos[actor]
    hint = suggest(actor, model.ids)
    raise ShockError(
        f"{shock!r}: unknown actor {actor!r} in '{what}' (world {model.world.name!r})"
        + (f"; {hint}" if hint else "")
    )


def _bloc(model: AllianceModel, bloc: Any, shock: Any, what: str) -> None:
    if bloc not in model.bloc_names:
        hint = suggest(bloc, model.bloc_names)
        raise ShockError(
            f"{shock!r}: unknown bloc {bloc!r} in '{what}'; allowed: "
            + ", ".join(model.bloc_names)
            + (f"; {hint}" if hint else "")
        )


# -- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoveState:
    """Regime collapse of `target`.

    ``fate="removed"``: the actor leaves play (no production, transit or deliveries, its
    partnerships dissolve); ``"defected"``: it joins `to_bloc` (default: the bloc of its
    strongest rival); ``"neutral"``: it leaves its bloc. A defector or a neutral closes its
    territory to transit of supplies from outside its new bloc and cuts its ties with its
    former bloc.

    Parameters
    ----------
    target : str
        The actor whose regime collapses.
    at : int
        The step (month) at which it takes effect.
    fate : {"removed", "defected", "neutral"}
        What becomes of the actor.
    to_bloc : str, optional
        The bloc a defector joins (only with ``fate="defected"``); default: the bloc of its
        strongest rival.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> from sim.shocks import RemoveState
    >>> m = AllianceModel(world, shocks=[RemoveState("A00001", at=1)], rng=2)
    >>> m.run_for(2)
    >>> m.alive("A00001"), m.strength("A00000", "A00001")
    (False, 0.0)
    """

    target: str = _field("actor")
    at: int = _field("month")
    fate: Literal["removed", "defected", "neutral"] = _field(
        "choice", "removed", choices=COLLAPSE_FATES
    )
    to_bloc: str | None = _field("bloc", None, optional=True)

    def __post_init__(self):
        _check_fields(self)

    def validate(self, model: AllianceModel) -> None:
        _actor(model, self.target, self)
        _check_time(model, self)
        if self.to_bloc is not None:
            _bloc(model, self.to_bloc, self, "to_bloc")

    def apply(self, model: ShockTarget) -> list[Undo]:
        i = model.position(self.target)
        if self.fate == "removed":
            return model.kill(i)
        if self.fate == "neutral":
            return model.realign(i, "neutral")
        return model.realign(i, self.to_bloc or model.defect_target(i))


@dataclass(frozen=True)
class Defect:
    """`target` switches to bloc `to_bloc` (its ties with its former bloc end).

    Parameters
    ----------
    target : str
        The actor that changes sides.
    at : int
        The step (month) at which it takes effect.
    to_bloc : str
        The bloc it joins, or ``"neutral"`` to leave every bloc.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> from sim.shocks import Defect
    >>> m = AllianceModel(world, shocks=[Defect("A00002", at=1, to_bloc="west")], rng=2)
    >>> m.bloc("A00002"), m.run_for(2), m.bloc("A00002")
    ('axis', None, 'west')
    """

    target: str = _field("actor")
    at: int = _field("month")
    to_bloc: str = _field("bloc", "neutral")

    def __post_init__(self):
        _check_fields(self)

    def validate(self, model: AllianceModel) -> None:
        _actor(model, self.target, self)
        _check_time(model, self)
        _bloc(model, self.to_bloc, self, "to_bloc")

    def apply(self, model: ShockTarget) -> list[Undo]:
        return model.realign(model.position(self.target), self.to_bloc)


@dataclass(frozen=True)
class CutTie:
    """Sanction or interdiction of one tie: ``target=(a, b)``.

    ``layer="supply"`` cuts the supply ties a → b (of `commodity` only, if given);
    ``layer="partnership"`` dissolves the partnership a–b.

    Parameters
    ----------
    target : (str, str)
        The tie's ends: supplier and recipient for a supply tie (directed), either order for
        a partnership.
    at : int
        The step (month) at which it takes effect.
    layer : {"supply", "partnership"}
        Which layer's tie is cut.
    commodity : str, optional
        Cut only the supply tie of this commodity (default: every commodity from a to b).

    Examples
    --------
    ``A00001`` ships shells to ``A00002``, about 16 a month without the shock:

    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> from sim.shocks import CutTie
    >>> for shocks in ([], [CutTie(("A00001", "A00002"), at=1)]):
    ...     m = AllianceModel(world, shocks=shocks, rng=2)
    ...     m.run_for(2)
    ...     print(round(m.delivered("A00001", "A00002"), 3))
    16.056
    0.0
    """

    target: tuple[str, str] = _field("actor_pair")
    at: int = _field("month")
    layer: Literal["supply", "partnership"] = _field(
        "choice", "supply", choices=("supply", "partnership"), message="unknown layer"
    )
    commodity: str | None = _field(
        "choice", None, choices=_commodities, optional=True, message="unknown commodity"
    )

    def __post_init__(self):
        _check_fields(self)
        object.__setattr__(self, "target", tuple(self.target))

    def _ties(self, model: AllianceModel) -> np.ndarray:
        i, j = (model._pos[x] for x in self.target)
        net = model.supply
        ks = np.array(model._pair_ties.get((i, j), []), dtype=np.intp)
        if self.commodity is not None and len(ks):
            ks = ks[[net.commodities[net.commodity[k]] == self.commodity for k in ks]]
        return ks

    def validate(self, model: AllianceModel) -> None:
        i = _actor(model, self.target[0], self, "target[0]")
        j = _actor(model, self.target[1], self, "target[1]")
        _check_time(model, self)
        a, b = self.target
        if self.layer == "supply" and len(self._ties(model)) == 0:
            raise ShockError(
                f"{self!r}: no supply tie from {a!r} to {b!r}"
                + (f" of {self.commodity!r}" if self.commodity else "")
                + "; supply ties are directed (from, to)"
            )
        if self.layer == "partnership" and (min(i, j), max(i, j)) not in model.partners.index:
            raise ShockError(f"{self!r}: no partnership between {a!r} and {b!r}")

    def apply(self, model: ShockTarget) -> list[Undo]:
        i, j = (model.position(x) for x in self.target)
        if self.layer == "supply":
            return model.cut_supply(model.supply_ties(i, j, self.commodity))
        return model.dissolve_partnership(i, j)


@dataclass(frozen=True)
class BlockTransit:
    """`target` closes to transit: an actor id (no route through it passes), or a corridor
    name (every route whose ``corridor`` equals it closes, e.g. ``"Caspian"``).

    Parameters
    ----------
    target : str
        An actor id (no route through it passes) or a corridor name (`alliance-sim world show
        WORLD --corridors` lists them).
    at : int
        The step (month) at which it takes effect.

    Examples
    --------
    ``A00005`` supplies ``A00003`` through ``A00004`` (the route ``corridor-2``); blocking
    either the transit actor or the corridor stops the deliveries:

    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> from sim.shocks import BlockTransit
    >>> for shocks in ([], [BlockTransit("A00004", at=1)], [BlockTransit("corridor-2", at=1)]):
    ...     m = AllianceModel(world, shocks=shocks, rng=2)
    ...     m.run_for(2)
    ...     print(round(m.delivered("A00005", "A00003"), 3))
    21.772
    0.0
    0.0
    """

    target: str = _field("corridor_or_actor")
    at: int = _field("month")

    def __post_init__(self):
        _check_fields(self)

    def validate(self, model: AllianceModel) -> None:
        corridors = {c for c in model.supply.route_corridor if c}
        if self.target not in model._pos and self.target not in corridors:
            hint = suggest(self.target, [*model.ids, *sorted(corridors)])
            raise ShockError(
                f"{self!r}: {self.target!r} is neither an actor nor a corridor of world "
                f"{model.world.name!r}; corridors: {', '.join(sorted(corridors)) or '(none)'}"
                + (f"; {hint}" if hint else "")
            )
        _check_time(model, self)

    def apply(self, model: ShockTarget) -> list[Undo]:
        if self.target in model.ids:
            # Closing one's territory to a partner's supplies is a hostile act towards it
            # (the operation marks it).
            return model.block_transit(model.position(self.target))
        rs = np.array(
            [r for r, c in enumerate(model.supply.route_corridor) if c == self.target],
            dtype=np.intp,
        )
        return model.close_routes(rs)


@dataclass(frozen=True)
class Degrade:
    """Multiply `target`'s production (``what="production"``) or capability by `factor`.

    Parameters
    ----------
    target : str
        The actor degraded.
    at : int
        The step (month) at which it takes effect.
    factor : float
        The multiplier, >= 0: 0.5 halves, 0 stops.
    what : {"production", "capability"}
        What is multiplied: what the actor produces for its supply ties, or its capability.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> from sim.shocks import Degrade
    >>> for shocks in ([], [Degrade("A00004", at=1, factor=0.5, what="capability")]):
    ...     m = AllianceModel(world, shocks=shocks, rng=2)
    ...     m.run_for(2)
    ...     print(round(m.capability("A00004"), 3))
    0.203
    0.102
    """

    target: str = _field("actor")
    at: int = _field("month")
    factor: float = _field(
        "number",
        0.5,
        range=(0.0, math.inf),
        message="must be a factor",
        allowed="a number >= 0 (0.5 halves, 0 stops)",
    )
    what: Literal["production", "capability"] = _field(
        "choice", "production", choices=("production", "capability")
    )

    def __post_init__(self):
        _check_fields(self)

    def validate(self, model: AllianceModel) -> None:
        _actor(model, self.target, self)
        _check_time(model, self)

    def apply(self, model: ShockTarget) -> list[Undo]:
        return model.degrade(model.position(self.target), self.what, self.factor)


@dataclass(frozen=True)
class Sanction:
    """`suppliers` stop supplying `target`, and `target` stops supplying `buyers`.

    With neither given, every supply tie into and out of `target` is cut (a full embargo).
    `by` names who imposes the sanction: each of them that is a partner of `target` commits
    a hostile act against it, which lowers that partnership (``hostility_weight``) until the
    sanction is restored. Suppliers or buyers that only comply (e.g. with another state's
    secondary sanctions) are not in `by`.

    Parameters
    ----------
    target : str
        The sanctioned actor.
    at : int
        The step (month) at which it takes effect.
    suppliers : tuple of str
        Actors that stop supplying `target`.
    buyers : tuple of str
        Actors that `target` stops supplying.
    by : tuple of str
        Actors that impose the sanction (a hostile act towards `target`).

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> from sim.shocks import Sanction
    >>> m = AllianceModel(world, shocks=[Sanction("A00001", at=1, buyers=("A00002",))], rng=2)
    >>> m.run_for(2)
    >>> m.delivered("A00001", "A00002")  # 16 a month without the sanction
    0.0
    """

    target: str = _field("actor")
    at: int = _field("month")
    suppliers: tuple[str, ...] = _field("actors", ())
    buyers: tuple[str, ...] = _field("actors", ())
    by: tuple[str, ...] = _field("actors", ())

    def __post_init__(self):
        _check_fields(self)
        object.__setattr__(self, "suppliers", tuple(self.suppliers))
        object.__setattr__(self, "buyers", tuple(self.buyers))
        object.__setattr__(self, "by", tuple(self.by))

    def _ties(self, model: AllianceModel) -> np.ndarray:
        net = model.supply
        t = model._pos[self.target]
        if not self.suppliers and not self.buyers:
            return np.flatnonzero((net.supplier == t) | (net.recipient == t))
        sup = np.isin(net.supplier, [model._pos[x] for x in self.suppliers])
        buy = np.isin(net.recipient, [model._pos[x] for x in self.buyers])
        return np.flatnonzero((sup & (net.recipient == t)) | (buy & (net.supplier == t)))

    def validate(self, model: AllianceModel) -> None:
        _actor(model, self.target, self)
        for x in self.suppliers:
            _actor(model, x, self, "suppliers")
        for x in self.buyers:
            _actor(model, x, self, "buyers")
        for x in self.by:
            _actor(model, x, self, "by")
        _check_time(model, self)
        if len(self._ties(model)) == 0:
            raise ShockError(f"{self!r}: no supply tie matches this sanction")

    def apply(self, model: ShockTarget) -> list[Undo]:
        net = model.supply
        t = model.position(self.target)
        if not self.suppliers and not self.buyers:
            ks = np.flatnonzero((net.supplier == t) | (net.recipient == t))
        else:
            sup = np.isin(net.supplier, [model.position(x) for x in self.suppliers])
            buy = np.isin(net.recipient, [model.position(x) for x in self.buyers])
            ks = np.flatnonzero((sup & (net.recipient == t)) | (buy & (net.supplier == t)))
        cut = model.cut_supply(ks)
        # Those who impose the sanction act against the target: a hostile act on each tie.
        hostile = model.mark_hostile((t, model.position(x)) for x in self.by)
        return [*cut, *hostile]


@dataclass(frozen=True)
class Formalize:
    """`target` (a pair) signs a treaty of `kind`: the tie takes that kind and `strength`.

    `strength` defaults to the kind's usual strength (:data:`sim.ties.KIND_STRENGTH`:
    ``defence_pact`` 1.0, ``strategic_partnership`` 0.5, ...). The new strength becomes the
    tie's steady state under its drivers of the day; a defence kind damps its later response
    like any tie with a defence clause; a pair with no tie in force gets one. Restore puts
    back the tie's former kind and steady state (or ends a tie the treaty created); the
    strength then relaxes back at the model's own rate.

    Parameters
    ----------
    target : (str, str)
        The two actors that sign, in either order.
    at : int
        The step (month) at which it takes effect.
    kind : str
        The treaty's partnership kind (a key of :data:`sim.ties.KIND_STRENGTH`, e.g.
        ``"defence_pact"``).
    strength : float, optional
        The tie's new strength in (0, 1]; default: the kind's usual strength.

    Examples
    --------
    >>> Formalize(("RUS", "IRN"), at=2, kind="defence_pact")
    Formalize(target=('RUS', 'IRN'), at=2, kind='defence_pact', strength=None)
    """

    target: tuple[str, str] = _field("actor_pair")
    at: int = _field("month")
    kind: str = _field(
        "choice",
        "strategic_partnership",
        choices=_partnership_kinds,
        message="unknown partnership kind",
    )
    strength: float | None = _field(
        "number",
        None,
        optional=True,
        range=(0.0, 1.0),
        lo_open=True,
        message="must be a strength",
        allowed="a number in (0, 1]",
    )

    def __post_init__(self):
        _check_fields(self)
        object.__setattr__(self, "target", tuple(self.target))

    def validate(self, model: AllianceModel) -> None:
        i = _actor(model, self.target[0], self, "target[0]")
        j = _actor(model, self.target[1], self, "target[1]")
        if i == j:
            raise ShockError(f"{self!r}: a treaty needs two different actors")
        _check_time(model, self)

    def apply(self, model: ShockTarget) -> list[Undo]:
        i, j = (model.position(x) for x in self.target)
        alive = model.alive_mask()
        if not (alive[i] and alive[j]):
            return []  # a treaty with a fallen regime is not signed
        return model.formalize(i, j, self.kind, self.strength)


@dataclass(frozen=True)
class RandomFailure:
    """Remove random alive actors (of `bloc` only, if given): a `fraction` of them, or `k`.

    Give exactly one of `fraction` (a share in (0, 1]: ``round(fraction * alive)`` actors)
    and `k` (a count >= 1, the same number a :class:`TargetedAttack` with that `k` removes;
    all of the pool if fewer are alive when it strikes). The draw comes from the model's
    shock stream (a child of its one rng), so it is reproducible and does not shift the
    other phases' random numbers.

    The target comes first as in every shock: `fraction` or `k` (both keyword-optional),
    then `at`, which must be given by keyword here (``RandomFailure(0.2, at=3)``,
    ``RandomFailure(k=3, at=3)``) because the target fields have defaults.

    Parameters
    ----------
    fraction : float, optional
        The share of the alive actors removed, in (0, 1] (give this or `k`).
    k : int, optional
        The number of actors removed, >= 1 (give this or `fraction`).
    at : int
        The step (month) at which it takes effect.
    bloc : str, optional
        Draw only from this bloc's alive actors (default: the whole world).

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> from sim.shocks import RandomFailure
    >>> m = AllianceModel(world, shocks=[RandomFailure(k=2, at=1)], rng=2)
    >>> m.run_for(2)
    >>> [a for a in world.ids if not m.alive(a)]  # drawn from the model's seed
    ['A00001', 'A00003']
    >>> RandomFailure(fraction=1.5, at=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ShockError: RandomFailure(...): fraction: must be a share; got 1.5; allowed: ...
    """

    fraction: float | None = _field(
        "number",
        None,
        optional=True,
        range=(0.0, 1.0),
        lo_open=True,
        message="must be a share",
        allowed="a number in (0, 1]",
    )
    k: int | None = _field("count", None, optional=True)
    at: int = _field("month", kw_only=True)
    bloc: str | None = _field("bloc", None, optional=True)

    def __post_init__(self):
        _check_fields(self)
        f, k = self.fraction, self.k
        if (f is None) == (k is None):
            raise ShockError(
                f"{self!r}: give exactly one of 'fraction' (a share of the alive actors) and "
                f"'k' (a number of actors); got "
                + ("neither" if f is None else f"both (fraction={f!r}, k={k!r})")
            )

    def _pool(self, model: AllianceModel) -> np.ndarray:
        pool = model._alive.copy()
        if self.bloc is not None:
            pool &= model._bloc == model.bloc_names.index(self.bloc)
        return np.flatnonzero(pool)

    def validate(self, model: AllianceModel) -> None:
        if self.bloc is not None:
            _bloc(model, self.bloc, self, "bloc")
        _check_time(model, self)
        if self.k is not None:
            n = len(self._pool(model))
            if self.k > n:
                where = f"bloc {self.bloc!r}" if self.bloc is not None else "the world"
                raise ShockError(
                    f"{self!r}: 'k'={self.k} is more than the {n} alive actors of {where}; "
                    f"use k <= {n}"
                )

    def apply(self, model: ShockTarget) -> list[Undo]:
        idx = _alive_pool(model, self.bloc)
        n = len(idx)
        if self.k is not None:
            k = min(int(self.k), n)
        else:
            assert self.fraction is not None  # __post_init__: exactly one of fraction, k
            k = round(self.fraction * n)
        recs: list[Undo] = []
        for i in model.shock_rng.choice(idx, size=k, replace=False):
            recs += model.kill(int(i))
        return recs


@dataclass(frozen=True)
class TargetedAttack:
    """Remove the top `k` alive actors by degree, betweenness or capability.

    Degree and betweenness are taken on the union of the active partnership and open supply
    ties (undirected). ``recompute=True`` removes them one at a time, recomputing the measure
    after each removal (the adaptive attack of Holme et al. 2002); ties broken by file order.

    Parameters
    ----------
    k : int
        The number of actors removed, >= 1.
    at : int
        The step (month) at which it takes effect.
    by : {"degree", "betweenness", "capability"}
        The measure the actors are ranked by, highest first.
    recompute : bool
        Recompute the measure after each removal (the adaptive attack).
    bloc : str, optional
        Attack only this bloc's actors (default: the whole world).

    Examples
    --------
    The most capable actor of the world is ``A00004`` (capability 0.203):

    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> from sim.shocks import TargetedAttack
    >>> m = AllianceModel(world, shocks=[TargetedAttack(k=1, at=1, by="capability")], rng=2)
    >>> m.run_for(2)
    >>> [a for a in world.ids if not m.alive(a)]
    ['A00004']
    """

    k: int = _field("count")
    at: int = _field("month")
    by: Literal["degree", "betweenness", "capability"] = _field(
        "choice", "degree", choices=ATTACK_MEASURES
    )
    recompute: bool = _field("flag", False)
    bloc: str | None = _field("bloc", None, optional=True)

    def __post_init__(self):
        _check_fields(self)

    def validate(self, model: AllianceModel) -> None:
        if self.bloc is not None:
            _bloc(model, self.bloc, self, "bloc")
        _check_time(model, self)

    def _scores(self, model: ShockTarget) -> np.ndarray:
        if self.by == "capability":
            return model.capabilities()
        import networkx as nx

        net, alive = model.supply, model.alive_mask()
        G: nx.Graph[int] = nx.Graph()
        G.add_nodes_from(np.flatnonzero(alive).tolist())
        a, b = model.active_partnerships()
        both = alive[a] & alive[b]
        G.add_edges_from(zip(a[both].tolist(), b[both].tolist(), strict=True))
        sup = model.open_supply()
        G.add_edges_from(zip(net.supplier[sup].tolist(), net.recipient[sup].tolist(), strict=True))
        score = np.zeros(model.n)
        if self.by == "degree":
            for v, d in G.degree():
                score[v] = d
        else:
            for v, c in nx.betweenness_centrality(G).items():
                score[v] = c
        return score

    def apply(self, model: ShockTarget) -> list[Undo]:
        recs: list[Undo] = []
        rounds = self.k if self.recompute else 1
        per_round = 1 if self.recompute else self.k
        for _ in range(rounds):
            idx = _alive_pool(model, self.bloc)
            if len(idx) == 0:
                break
            order = idx[np.argsort(-self._scores(model)[idx], kind="stable")]
            for i in order[:per_round]:
                recs += model.kill(int(i))
        return recs


@dataclass(frozen=True)
class Restore:
    """Undo `shock` at step `at` (after it took effect).

    What the shock itself changed is put back exactly:

    - removed actors (``RemoveState``, ``RandomFailure``, ``TargetedAttack``: the very actors
      it removed, no new draw) come back alive with the capability and stability they had
      when removed, and their partnerships at the strengths they had then; a tie whose
      partner is still dead returns when that partner does;
    - a realignment (``Defect``, ``RemoveState`` with fate ``"defected"``/``"neutral"``)
      resets the bloc, reopens the supply ties it cut, reactivates the partnerships it
      dissolved (at their strengths then) and rewinds the actor's anchors (its expected
      fulfilment, support and pressure) to what they were before it;
    - cut supply ties (``CutTie``, ``Sanction``), blocked transit and closed corridors
      (``BlockTransit``) reopen; a dissolved partnership (``CutTie`` on that layer) returns
      at its strength when cut;
    - ``Degrade`` removes its own factor from the multiplier (the product of the factors
      still in force, so stacked degradations undo in any order), and a capability
      degradation gives back the cut it made at once (to be paid on revival if the actor is
      dead when restored).

    Everything else is not rewound: undo stops the cause, and the model's dynamics do the
    rest at their own pace. Capability and stability that any actor (the target included)
    gained or lost in the meantime through fulfilment, support or pressure (e.g. a client
    starved while a route was blocked, the target's capability relaxing further towards its
    degraded level), strengths that moved or ties that decayed away, ties formed, and
    endogenous collapses are not refunded or reverted.

    Parameters
    ----------
    shock : shock
        The shock undone; in a scenario file, the index of an earlier entry of the same
        ``[[shocks]]`` (or ``[[baseline_shocks]]``) array, counting from 0.
    at : int
        The step (month) at which it is undone, after the shock's own.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> world = synthetic(8, mean_degree=2, rng=1)
    >>> from sim.shocks import RemoveState, Restore
    >>> loss = RemoveState("A00001", at=1)
    >>> m = AllianceModel(world, shocks=[loss, Restore(loss, at=3)], rng=2)
    >>> for _ in range(4):
    ...     print(m.time, m.alive("A00001"))
    ...     m.run_for(1)
    0.0 True
    1.0 False
    2.0 False
    3.0 True
    """

    shock: Any = _field("shock")  # noqa: RUF009 (a field declaration, not a default)
    at: int = _field("month")

    def __post_init__(self):
        _check_fields(self)

    def validate(self, model: AllianceModel) -> None:
        _check_time(model, self)
        if self.shock not in model.shocks:
            raise ShockError(f"{self!r}: restores a shock that is not scheduled on this model")
        if self.at <= self.shock.at:
            raise ShockError(
                f"{self!r}: 'at'={self.at} must come after the shock it restores "
                f"(at={self.shock.at})"
            )

    def apply(self, model: ShockTarget) -> list[Undo]:
        model.undo(self.shock)
        return []


#: Shock classes by the snake_case names scenario files use.
SHOCKS: dict[str, type] = {
    "remove_state": RemoveState,
    "defect": Defect,
    "cut_tie": CutTie,
    "block_transit": BlockTransit,
    "degrade": Degrade,
    "sanction": Sanction,
    "formalize": Formalize,
    "random_failure": RandomFailure,
    "targeted_attack": TargetedAttack,
    "restore": Restore,
}
