"""Pattern-oriented validation: a catalogue of patterns, each checked on paired seeds.

A :class:`Pattern` names a shock, a horizon, a metric computed from the shocked run and its
paired baseline run (same seed, no shocks: common random numbers) and a criterion on that metric.
:func:`evaluate` runs one pattern on many seeds; :func:`evaluate_catalogue` runs every pattern
of :data:`CATALOGUE` for each tie submodel. ``python -m sim.patterns`` prints the table and
writes it as Markdown (``docs/validation.md``).

Patterns follow Grimm et al. (2005) [1]_: several patterns at different levels (an actor, a
dyad, the network), each weak alone but jointly constraining, negative ones (what must *not*
happen) included, with alternative submodels judged by how many they reproduce.

References
----------
.. [1] Grimm, V. et al. (2005). Pattern-oriented modeling of agent-based complex systems:
   lessons from ecology. *Science* 310, 987-991. https://doi.org/10.1126/science.1116681

Examples
--------
>>> p = pattern("removed-delivers-nothing")
>>> r = evaluate(p, seeds=range(2))
>>> r.share, r.values.tolist()
(1.0, [-1.0, -1.0])
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Protocol

import numpy as np

from sim.analysis import mean_ci
from sim.params import ModelParams
from sim.shocks import BlockTransit, CutTie, Defect, Degrade, RemoveState, Sanction
from sim.world import World

__all__ = [
    "CATALOGUE",
    "HEDGERS",
    "HEDGER_TIES",
    "MAIN",
    "OUT_OF_SAMPLE_2026",
    "OUT_OF_SAMPLE_WORLD",
    "SHOCK_AT",
    "TIE_MODELS",
    "Bound",
    "Capability",
    "Column",
    "Delivered",
    "Effect",
    "Extreme",
    "Gap",
    "Outflow",
    "Pattern",
    "PatternResult",
    "Ratio",
    "Strength",
    "available_tie_models",
    "delivered_value",
    "evaluate",
    "evaluate_catalogue",
    "hedger_ties",
    "main",
    "markdown",
    "out_of_sample_section",
    "pattern",
    "splice_section",
    "table",
]

#: The month at which every pattern's shocks fire (after three unshocked months).
SHOCK_AT = 3

#: The tie submodels compared on every pattern (``ModelParams(tie_model=...)``).
TIE_MODELS = ("anchor", "inertia", "logodds")

Level = Literal["actor", "dyad", "network"]
Role = Literal["calibration", "validation"]


# =========================================================================================
# observables: what is recorded from a model every month
# =========================================================================================
class Inspectable(Protocol):
    """What an observable reads: a model (numbers) or an engine (one value per row, arrays)."""

    @property
    def world(self) -> World: ...
    def capability(self, actor: str) -> float | np.ndarray: ...
    def strength(self, a: str, b: str) -> float | np.ndarray: ...
    def delivered(self, src: str, dst: str, commodity: str | None = None) -> float | np.ndarray: ...


def delivered_value(
    model: Inspectable, src: str, dst: str, commodity: str | None = None
) -> float | np.ndarray:
    """Last month's deliveries from `src` to `dst`: one commodity in its units, or all in value.

    Parameters
    ----------
    model : AllianceModel
    src, dst : str
        Supplier and recipient.
    commodity : str, optional
        One commodity, in its native units; None: the value of every commodity in USD million
        per month (:data:`sim.commodities.USD_PER_UNIT`).

    Returns
    -------
    float
        0 when no supply tie links the pair (for a batch of seeds, one value per row).

    Notes
    -----
    The model's own :meth:`sim.AllianceModel.delivered`, so the patterns value deliveries as
    every other outcome does.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> m.run_for(2)
    >>> from sim.patterns import delivered_value
    >>> round(delivered_value(m, "A00001", "A00002", "shells"), 3)  # thousand rounds a month
    16.056
    >>> delivered_value(m, "A00002", "A00001")  # no supply tie that way
    0.0
    """
    return model.delivered(src, dst, commodity)


@dataclass(frozen=True)
class Capability:
    """Observable: an actor's capability.


    Parameters
    ----------
    actor : str

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> m.run_for(2)
    >>> from sim.patterns import Capability
    >>> c = Capability("A00004")
    >>> str(c), round(c(m), 3)
    ('capability A00004', 0.203)
    """

    actor: str

    def __call__(self, model: Inspectable) -> float | np.ndarray:
        return model.capability(self.actor)

    def __str__(self) -> str:
        return f"capability {self.actor}"


@dataclass(frozen=True)
class Strength:
    """Observable: the partnership strength of a pair (0 when there is none).


    Parameters
    ----------
    a, b : str
        The two partners, in either order.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> m.run_for(2)
    >>> from sim.patterns import Strength
    >>> s = Strength("A00000", "A00001")
    >>> str(s), round(s(m), 3)
    ('A00000–A00001', 0.555)
    """

    a: str
    b: str

    def __call__(self, model: Inspectable) -> float | np.ndarray:
        return model.strength(self.a, self.b)

    def __str__(self) -> str:
        return f"{self.a}–{self.b}"


@dataclass(frozen=True)
class Delivered:
    """Observable: deliveries from `src` to `dst` (see :func:`delivered_value`).


    Parameters
    ----------
    src, dst : str
        Supplier and recipient.
    commodity : str, optional
        One commodity in its units; None: every commodity, in value.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> m.run_for(2)
    >>> from sim.patterns import Delivered
    >>> d = Delivered("A00001", "A00002", "shells")
    >>> str(d), round(d(m), 3)
    ('A00001→A00002 shells', 16.056)
    """

    src: str
    dst: str
    commodity: str | None = None

    def __call__(self, model: Inspectable) -> float | np.ndarray:
        return delivered_value(model, self.src, self.dst, self.commodity)

    def __str__(self) -> str:
        return f"{self.src}→{self.dst} {self.commodity or 'value'}"


@dataclass(frozen=True)
class Outflow:
    """Observable: the value of everything `actor` delivered last month, to anyone.


    Parameters
    ----------
    actor : str
        The supplier.

    Examples
    --------
    >>> from sim.model import AllianceModel
    >>> from sim.worlds import synthetic
    >>> m = AllianceModel(synthetic(8, mean_degree=2, rng=1), rng=2)
    >>> m.run_for(2)
    >>> from sim.patterns import Outflow
    >>> o = Outflow("A00005")  # one supply tie, to A00003
    >>> str(o), round(o(m), 3)
    ('A00005→all value', 21.772)
    """

    actor: str

    def __call__(self, model: Inspectable) -> float | np.ndarray:
        ids = {t.recipient for t in model.world.ties_in("supply") if t.supplier == self.actor}
        return sum(delivered_value(model, self.actor, r) for r in sorted(ids))

    def __str__(self) -> str:
        return f"{self.actor}→all value"


@dataclass(frozen=True)
class Column:
    """Observable: a model variable of the data collector, e.g. ``cohesion:axis``.


    Parameters
    ----------
    name : str
        A model variable (:func:`sim.model.model_variables`).

    Examples
    --------
    >>> from sim.patterns import Column
    >>> str(Column("cohesion:axis"))
    'cohesion:axis'
    """

    name: str

    def __str__(self) -> str:
        return self.name


Observable = Capability | Strength | Delivered | Outflow | Column


# =========================================================================================
# metrics: one number per seed from the shocked and baseline trajectories
# =========================================================================================
Series = Mapping[Any, np.ndarray]
Stat = Literal["at", "min", "max", "absmax", "mean", "level", "drift"]


def _relative(s: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    s, b = np.asarray(s, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = s / b - 1.0
        return np.where(b == 0, np.where(s == 0, 0.0, np.copysign(np.inf, s)), r)


@dataclass(frozen=True)
class Effect:
    """The effect of the shocks on one observable over the months after them.

    Parameters
    ----------
    of : observable
        What is compared.
    months : int
        The last month after the shock considered (month 1 is the first row to show it).
    stat : {"at", "min", "max", "absmax", "mean", "level", "drift"}
        ``at``: the difference at `months`; ``min`` / ``max`` / ``absmax``: the most
        negative, most positive or largest absolute difference over months 1..`months`;
        ``mean``: the difference of the means over months 1..`months` (relative: the ratio of
        the sums minus 1); ``level``: the shocked run's value at `months`, not a difference;
        ``drift``: the baseline's change from time 0 to `months` after the shock time.
    relative : bool
        Differences relative to the baseline (a fraction; shown as %).


    Examples
    --------
    Shocked and baseline trajectories of one column, shocks at month :data:`SHOCK_AT` = 3:

    >>> import numpy as np
    >>> from sim.patterns import Column, Effect
    >>> x = Column("x")
    >>> shocked = {x: np.array([1, 1, 1, 1, 0.5, 0.4])}
    >>> baseline = {x: np.array([1, 1, 1, 1, 1, 0.8])}
    >>> Effect(x, 2)(shocked, baseline), Effect(x, 2, relative=True)(shocked, baseline)
    (-0.4, -0.5)
    >>> str(Effect(x, 2, "min"))
    'x: largest fall over months 1–2'
    """

    of: Observable
    months: int
    stat: Stat = "at"
    relative: bool = False

    def observables(self) -> tuple[Observable, ...]:
        return (self.of,)

    def __call__(self, shocked: Series, baseline: Series) -> float:
        s, b = shocked[self.of], baseline[self.of]
        t0, m = SHOCK_AT, self.months
        if self.stat == "level":
            return float(s[t0 + m])
        if self.stat == "drift":
            return float(b[t0 + m] - b[0])
        win = slice(t0 + 1, t0 + m + 1)
        if self.stat == "mean":
            sw, bw = s[win].sum(), b[win].sum()
            return float(_relative(sw, bw) if self.relative else (sw - bw) / m)
        if self.stat == "at":
            s, b = s[t0 + m], b[t0 + m]
        else:
            s, b = s[win], b[win]
        d = _relative(s, b) if self.relative else np.asarray(s, dtype=float) - b
        reducers: dict[str, Callable[[np.ndarray], Any]] = {
            "at": np.asarray,
            "min": np.min,
            "max": np.max,
            "absmax": _absmax,
        }
        reduce = reducers[self.stat]
        return float(reduce(d))

    def __str__(self) -> str:
        what = {
            "at": f"Δ at month {self.months}",
            "min": f"largest fall over months 1–{self.months}",
            "max": f"largest rise over months 1–{self.months}",
            "absmax": f"largest |Δ| over months 1–{self.months}",
            "mean": f"Δ of the mean over months 1–{self.months}",
            "level": f"level at month {self.months} (shocked run)",
            "drift": f"drift from month 0 to {SHOCK_AT + self.months} (baseline)",
        }[self.stat]
        return f"{self.of}: {what}" + (" (relative)" if self.relative else "")


def _absmax(d: np.ndarray) -> float:
    return float(np.max(np.abs(d)))


@dataclass(frozen=True)
class Gap:
    """Metric: ``first - second``, two metrics of the same runs.


    Parameters
    ----------
    first, second : metric
        Two metrics (:class:`Effect`...) of the same shocked and baseline runs.

    Examples
    --------
    Shocked and baseline trajectories of one column, shocks at month :data:`SHOCK_AT` = 3:

    >>> import numpy as np
    >>> from sim.patterns import Column, Effect
    >>> x = Column("x")
    >>> shocked = {x: np.array([1, 1, 1, 1, 0.5, 0.4])}
    >>> baseline = {x: np.array([1, 1, 1, 1, 1, 0.8])}
    >>> from sim.patterns import Gap
    >>> round(Gap(Effect(x, 1), Effect(x, 2))(shocked, baseline), 3)  # -0.5 - (-0.4)
    -0.1
    """

    first: Any
    second: Any

    @property
    def relative(self) -> bool:
        return bool(self.first.relative)

    def observables(self) -> tuple[Observable, ...]:
        return (*self.first.observables(), *self.second.observables())

    def __call__(self, shocked: Series, baseline: Series) -> float:
        return self.first(shocked, baseline) - self.second(shocked, baseline)

    def __str__(self) -> str:
        return f"({self.first}) − ({self.second})"


@dataclass(frozen=True)
class Ratio:
    """Metric: ``numerator / denominator`` (inf when only the denominator is 0, nan if both).


    Parameters
    ----------
    numerator, denominator : metric
        Two metrics (:class:`Effect`...) of the same shocked and baseline runs.

    Examples
    --------
    Shocked and baseline trajectories of one column, shocks at month :data:`SHOCK_AT` = 3:

    >>> import numpy as np
    >>> from sim.patterns import Column, Effect
    >>> x = Column("x")
    >>> shocked = {x: np.array([1, 1, 1, 1, 0.5, 0.4])}
    >>> baseline = {x: np.array([1, 1, 1, 1, 1, 0.8])}
    >>> from sim.patterns import Ratio
    >>> Ratio(Effect(x, 1), Effect(x, 2))(shocked, baseline)  # -0.5 / -0.4
    1.25
    """

    numerator: Any
    denominator: Any
    relative = False

    def observables(self) -> tuple[Observable, ...]:
        return (*self.numerator.observables(), *self.denominator.observables())

    def __call__(self, shocked: Series, baseline: Series) -> float:
        n, d = self.numerator(shocked, baseline), self.denominator(shocked, baseline)
        if d == 0:
            return math.nan if n == 0 else math.copysign(math.inf, n)
        return n / d

    def __str__(self) -> str:
        return f"({self.numerator}) / ({self.denominator})"


@dataclass(frozen=True)
class Extreme:
    """Metric: the largest (``how="max"``) or smallest of several metrics of the same runs.


    Parameters
    ----------
    metrics : tuple of metric
        Metrics of the same runs (:class:`Effect`...).
    how : {"max", "min"}
        Which extreme.

    Examples
    --------
    Shocked and baseline trajectories of one column, shocks at month :data:`SHOCK_AT` = 3:

    >>> import numpy as np
    >>> from sim.patterns import Column, Effect
    >>> x = Column("x")
    >>> shocked = {x: np.array([1, 1, 1, 1, 0.5, 0.4])}
    >>> baseline = {x: np.array([1, 1, 1, 1, 1, 0.8])}
    >>> from sim.patterns import Extreme
    >>> Extreme((Effect(x, 1), Effect(x, 2)), how="min")(shocked, baseline)
    -0.5
    """

    metrics: tuple[Any, ...]
    how: Literal["max", "min"] = "max"

    @property
    def relative(self) -> bool:
        return bool(self.metrics[0].relative)

    def observables(self) -> tuple[Observable, ...]:
        return tuple(o for m in self.metrics for o in m.observables())

    def __call__(self, shocked: Series, baseline: Series) -> float:
        vals = [m(shocked, baseline) for m in self.metrics]
        return float(max(vals) if self.how == "max" else min(vals))

    def __str__(self) -> str:
        return f"{self.how} of {len(self.metrics)}: {self.metrics[0]}, …"


# =========================================================================================
# criterion, pattern, result
# =========================================================================================
@dataclass(frozen=True)
class Bound:
    """A closed interval ``[lo, hi]`` a metric must fall in; either end may be infinite.

    Parameters
    ----------
    lo, hi : float
        The ends (default: unbounded); ``lo <= hi``.

    Examples
    --------
    >>> Bound(hi=0.01).holds(0.01), Bound(-0.95, -0.7).holds(-1.0), Bound(0).holds(float("nan"))
    (True, False, False)
    """

    lo: float = -math.inf
    hi: float = math.inf

    def __post_init__(self):
        if math.isnan(self.lo) or math.isnan(self.hi) or self.lo > self.hi:
            raise ValueError(f"Bound needs lo <= hi, got [{self.lo}, {self.hi}]")

    def holds(self, x: float) -> bool:
        """Whether `x` lies in the interval (never for nan)."""
        return bool(self.lo <= x <= self.hi)

    def format(self, percent: bool = False) -> str:
        """``"in [a, b]"``, ``"≤ b"`` or ``"≥ a"``, in % when `percent`."""

        def f(v: float) -> str:
            return f"{v * 100:+g}%" if percent else f"{v:+g}"

        if math.isinf(self.lo) and math.isinf(self.hi):
            return "any"
        if math.isinf(self.lo):
            return f"≤ {f(self.hi)}"
        if math.isinf(self.hi):
            return f"≥ {f(self.lo)}"
        return f"in [{f(self.lo)}, {f(self.hi)}]"


ShockSet = tuple[Any, ...]


@dataclass(frozen=True)
class Pattern:
    """A pattern the model should reproduce: a shock, a metric and a criterion.

    Parameters
    ----------
    id : str
        Short name, e.g. ``"syria-hez-deliveries"``.
    level : {"actor", "dyad", "network"}
        What the pattern is about.
    statement : str
        The pattern in words.
    source : str
        Its source or reasoning, in one or two sentences.
    variants : tuple of shock tuples, or callable
        The shocks, all at :data:`SHOCK_AT`: one tuple of shocks per variant (a pattern over
        several alternative shocks, e.g. removing each of three actors), or a function of the
        world that returns them. ``((),)``: no shock (the metric reads the baseline).
    metric : callable
        ``metric(shocked, baseline) -> float`` over trajectories (:class:`Effect`,
        :class:`Gap`, :class:`Ratio`, :class:`Extreme`); the row at time t is index t.
    criterion : Bound
        Where the metric must fall for the pattern to hold in a seed.
    horizon : int
        Months simulated after the shock.
    across : {"max", "min", "increase"}
        How the variants' metrics combine into one per seed: the largest, the smallest, or the
        largest rise from one variant to the next (variants ordered by severity: a dose
        response holds when that rise is at most 0).
    share : float
        The share of seeds in which the criterion must hold (0.8 unless the pattern says).
    role : {"calibration", "validation"}
        Whether a parameter was set from it (declared by the model engineer).
    negative : bool
        A negative pattern: something that must *not* happen.
    open_question : bool
        Reported with its confidence interval, not tested: the criterion is an expectation.


    Examples
    --------
    >>> from sim.patterns import pattern
    >>> p = pattern("removed-delivers-nothing")
    >>> p.level, p.horizon, p.share, p.criterion.format(p.percent)
    ('actor', 12, 1.0, 'in [-100%, -100%]')
    >>> str(p.metric)
    'IRN→all value: largest rise over months 1–12 (relative)'
    """

    id: str
    level: Level
    statement: str
    source: str
    variants: tuple[ShockSet, ...] | Callable[[World], tuple[ShockSet, ...]]
    metric: Any
    criterion: Bound
    horizon: int
    across: Literal["max", "min", "increase"] = "max"
    share: float = 0.8
    role: Role = "validation"
    negative: bool = False
    open_question: bool = False

    def __post_init__(self):
        if self.level not in ("actor", "dyad", "network"):
            raise ValueError(f"pattern {self.id!r}: unknown level {self.level!r}")
        if self.role not in ("calibration", "validation"):
            raise ValueError(f"pattern {self.id!r}: unknown role {self.role!r}")
        if self.across not in ("max", "min", "increase"):
            raise ValueError(f"pattern {self.id!r}: unknown 'across' {self.across!r}")
        if not 0 < self.share <= 1:
            raise ValueError(f"pattern {self.id!r}: share must be in (0, 1]")

    @property
    def percent(self) -> bool:
        """Whether the metric is relative to the baseline (shown in %)."""
        return bool(getattr(self.metric, "relative", False))

    def shock_sets(self, world: World) -> tuple[ShockSet, ...]:
        """The variants' shocks for `world`."""
        v = self.variants(world) if callable(self.variants) else self.variants
        return tuple(tuple(s) for s in v)

    def combine(self, values: Sequence[float]) -> float:
        """One metric per seed from the variants' metrics (see `across`)."""
        v = np.asarray(values, dtype=float)
        if self.across == "increase":
            return float(np.max(np.diff(v))) if len(v) > 1 else 0.0
        return float(v.max() if self.across == "max" else v.min())


@dataclass(frozen=True)
class PatternResult:
    """A pattern evaluated on paired seeds.

    Attributes
    ----------
    pattern : Pattern
    tie_model : str
        The tie submodel (``"default"`` when the model has no choice of one).
    seeds : tuple of int
    values : numpy.ndarray
        The metric per seed.
    share : float
        Share of seeds whose metric meets the criterion.
    mean, low, high : float
        Mean metric and its 95% Student-t confidence interval (non-finite values dropped).


    Examples
    --------
    >>> from sim.patterns import evaluate, pattern
    >>> result = evaluate(pattern("removed-delivers-nothing"), seeds=range(2))
    >>> result.share, result.status, result.summary()
    (1.0, 'pass', '-100% [-100%, -100%]')
    """

    pattern: Pattern
    tie_model: str
    seeds: tuple[int, ...]
    values: np.ndarray = field(repr=False)
    share: float
    mean: float
    low: float
    high: float

    @property
    def passed(self) -> bool | None:
        """Whether the share reaches the pattern's threshold (None for an open question)."""
        if self.pattern.open_question:
            return None
        return self.share >= self.pattern.share

    @property
    def status(self) -> str:
        """``"pass"``, ``"FAIL"`` or ``"open"``."""
        return {None: "open", True: "pass", False: "FAIL"}[self.passed]

    def summary(self) -> str:
        """Mean and 95% CI, in % for a relative metric."""
        k, unit = (100.0, "%") if self.pattern.percent else (1.0, "")

        def f(v: float) -> str:
            return "nan" if math.isnan(v) else f"{v * k:+.3g}{unit}"

        return f"{f(self.mean)} [{f(self.low)}, {f(self.high)}]"


# =========================================================================================
# simulation
# =========================================================================================
def _params_for(params: ModelParams | None, tie_model: str | None) -> ModelParams:
    p = params if params is not None else ModelParams()
    return p if tie_model is None else p.replace(tie_model=tie_model)


def available_tie_models(tie_models: Iterable[str] = TIE_MODELS) -> tuple[str, ...]:
    """The tie submodels this model offers among `tie_models`; ``()`` if it has no choice.

    ``ModelParams`` gains a ``tie_model`` field with the new tie dynamics; before that only
    the default model can be evaluated.


    Parameters
    ----------
    tie_models : iterable of str
        The submodels asked for (default :data:`TIE_MODELS`).

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> from sim.patterns import available_tie_models
    >>> available_tie_models(), available_tie_models(["inertia"])
    (('anchor', 'inertia', 'logodds'), ('inertia',))
    """
    if "tie_model" not in {f.name for f in fields(ModelParams)}:
        return ()
    return tuple(tie_models)


def _simulate(
    world: World,
    params: ModelParams | Sequence[ModelParams],  # one for all seeds, or one per seed
    seeds: Sequence[int],
    shocks: ShockSet,
    observables: Iterable[Observable],
    steps: int,
) -> list[dict[Observable, np.ndarray]]:
    """Run `steps` months for every seed as one batch; per seed, every observable per time
    0..steps.

    Each seed's values are those of ``AllianceModel(world, params=params, shocks=shocks,
    rng=seed)`` read after each ``step()`` (so after the shocks due at the new time fired),
    and its data collector's columns.
    """
    from sim.engine import Engine, RowView, formalize_pairs

    obs = list(dict.fromkeys(observables))
    live = [o for o in obs if not isinstance(o, Column)]
    cols = [o for o in obs if isinstance(o, Column)]
    pos = {a.id: i for i, a in enumerate(world.actors)}
    eng = Engine(world, params, list(seeds), formalize_pairs=formalize_pairs(pos, shocks))
    n_rows = len(seeds)
    views = []
    for r in range(n_rows):
        view = RowView(eng, r, time=0.0, shocks=())
        for shock in shocks:
            shock.validate(view)
            view.shocks.append(shock)
        views.append(view)
    due: dict[int, list] = {}
    for shock in shocks:
        due.setdefault(int(shock.at), []).append(shock)
    reader = eng  # the engine's inspection methods read every row at once
    names = eng.model_variables()
    col_idx = [names.index(o.name) for o in cols]
    rows = np.empty((steps + 1, len(live), n_rows))
    col_vals = np.empty((steps + 1, len(cols), n_rows))

    def read(t: int) -> None:
        for k, o in enumerate(live):
            rows[t, k] = o(reader)

    def fire(t: int) -> None:
        for shock in due.get(t, ()):
            for r in range(n_rows):
                views[r].time = float(t)
                eng.apply_shock(r, shock, views[r])

    read(0)
    if cols:
        col_vals[0] = eng.reports()[:, col_idx].T
    fire(0)
    for t in range(1, steps + 1):
        eng.step()
        if cols:
            col_vals[t] = eng.reports()[:, col_idx].T
        fire(t)
        read(t)
    out = []
    for r in range(n_rows):
        got: dict[Observable, np.ndarray] = {o: rows[:, k, r].copy() for k, o in enumerate(live)}
        got.update({o: col_vals[:, k, r].copy() for k, o in enumerate(cols)})
        out.append(got)
    return out


def _metric_values(
    p: Pattern,
    world: World,
    params: ModelParams | Sequence[ModelParams],  # one for all seeds, or one per seed
    seeds: Sequence[int],
    baseline: Sequence[Mapping[Observable, np.ndarray]] | None = None,
) -> list[float]:
    """The pattern's metric for every seed (each seed's shocked runs against its baseline)."""
    steps = SHOCK_AT + p.horizon
    obs = p.metric.observables()
    if baseline is None:
        baseline = _simulate(world, params, seeds, (), obs, steps)
    per_set = [
        _simulate(world, params, seeds, shocks, obs, steps) if shocks else baseline
        for shocks in p.shock_sets(world)
    ]
    return [
        p.combine([p.metric(runs[k], baseline[k]) for runs in per_set]) for k in range(len(seeds))
    ]


def _result(p: Pattern, label: str, seeds: Sequence[int], values: Sequence[float]):
    v = np.asarray(values, dtype=float)
    held = [p.criterion.holds(x) for x in v]
    finite = v[np.isfinite(v)]
    mean, lo, hi = mean_ci(finite) if finite.size else (math.nan,) * 3
    return PatternResult(
        pattern=p,
        tie_model=label,
        seeds=tuple(int(s) for s in seeds),
        values=v,
        share=float(np.mean(held)) if held else math.nan,
        mean=mean,
        low=lo,
        high=hi,
    )


def _load(world: World | None) -> World:
    if world is not None:
        return world
    from sim.worlds import load_world

    return load_world()


def evaluate(
    pattern: Pattern,
    *,
    params: ModelParams | None = None,
    seeds: Iterable[int] = range(20),
    world: World | None = None,
    tie_model: str | None = None,
) -> PatternResult:
    """Evaluate one pattern on paired seeds.

    Parameters
    ----------
    pattern : Pattern
    params : ModelParams, optional
        Model parameters (default ``ModelParams()``).
    seeds : iterable of int
        One shocked run per variant and one baseline run per seed, from the same seed.
    world : World, optional
        Default: the embedded ``axis-2024``.
    tie_model : str, optional
        Set ``params.tie_model`` (only when the model has that field).

    Returns
    -------
    PatternResult
        Per-seed metric, share of seeds meeting the criterion, mean with a 95% CI.


    Examples
    --------
    Removing Iran (at month 3) ends every delivery it makes, in both seeds:

    >>> from sim.patterns import evaluate, pattern
    >>> result = evaluate(pattern("removed-delivers-nothing"), seeds=range(2))
    >>> result.values.tolist(), result.share, result.passed
    ([-1.0, -1.0], 1.0, True)
    """
    w = _load(world)
    p = _params_for(params, tie_model)
    seeds = list(seeds)
    vals = _metric_values(pattern, w, p, seeds)
    return _result(pattern, tie_model or "default", seeds, vals)


def evaluate_catalogue(
    patterns: Sequence[Pattern] | None = None,
    *,
    params: ModelParams | None = None,
    seeds: Iterable[int] = range(20),
    world: World | None = None,
    tie_models: Iterable[str] = TIE_MODELS,
    progress: Callable[[str], None] | None = None,
) -> list[PatternResult]:
    """Evaluate every pattern for each tie submodel the model offers.

    Parameters
    ----------
    patterns : sequence of Pattern, optional
        Default :data:`CATALOGUE`.
    params, seeds, world
        As for :func:`evaluate`.
    tie_models : iterable of str
        Submodels to compare; those the model does not offer yet are skipped, and with no
        ``ModelParams.tie_model`` field at all only the default model is evaluated.
    progress : callable, optional
        Called with a line of text after each pattern (e.g. to print to stderr).

    Returns
    -------
    list of PatternResult
        One per pattern and submodel, submodel-major.

    Notes
    -----
    Each seed's baseline run is shared by all patterns (it records the union of their
    observables over the longest horizon); a shorter run is a prefix of a longer one with the
    same seed, so the values equal those of :func:`evaluate`.


    Examples
    --------
    >>> from sim.patterns import evaluate_catalogue, pattern
    >>> results = evaluate_catalogue([pattern("removed-delivers-nothing")], seeds=range(2),
    ...                              tie_models=["anchor", "inertia"])
    >>> [(r.tie_model, r.share, r.status) for r in results]
    [('anchor', 1.0, 'pass'), ('inertia', 1.0, 'pass')]
    """
    patterns = list(CATALOGUE if patterns is None else patterns)
    w = _load(world)
    seeds = list(seeds)
    labels: tuple[str | None, ...] = available_tie_models(tie_models) or (None,)
    steps = SHOCK_AT + max(p.horizon for p in patterns)
    obs = [o for p in patterns for o in p.metric.observables()]
    out = []
    for tm in labels:
        prm = _params_for(params, tm)
        t0 = time.perf_counter()
        base = _simulate(w, prm, seeds, (), obs, steps)
        for k, p in enumerate(patterns, 1):
            vals = _metric_values(p, w, prm, seeds, base)
            r = _result(p, tm or "default", seeds, vals)
            out.append(r)
            if progress is not None:
                progress(
                    f"[{tm or 'default'} {k}/{len(patterns)} {time.perf_counter() - t0:5.1f}s] "
                    f"{p.id}: {r.share:.2f} {r.status}"
                )
    return out


# =========================================================================================
# tables
# =========================================================================================
def table(results: Sequence[PatternResult]) -> list[dict[str, Any]]:
    """One row per pattern: id, level, criterion, and share, mean [CI], status per submodel.


    Parameters
    ----------
    results : sequence of PatternResult
        From :func:`evaluate` or :func:`evaluate_catalogue`.

    Returns
    -------
    list of dict
        Per pattern: ``pattern``, ``level``, ``criterion``, ``need`` (the share required),
        and per tie submodel ``(share, "mean [CI]", status)``.

    Examples
    --------
    >>> from sim.patterns import evaluate, pattern
    >>> result = evaluate(pattern("removed-delivers-nothing"), seeds=range(2))
    >>> from sim.patterns import table
    >>> for key, value in table([result])[0].items():
    ...     print(key, value)
    pattern removed-delivers-nothing
    level actor
    criterion in [-100%, -100%]
    need 1.0
    default (1.0, '-100% [-100%, -100%]', 'pass')
    """
    rows: dict[str, dict[str, Any]] = {}
    for r in results:
        p = r.pattern
        row = rows.setdefault(
            p.id,
            {
                "pattern": p.id,
                "level": p.level,
                "criterion": p.criterion.format(p.percent),
                "need": p.share,
            },
        )
        row[r.tie_model] = (r.share, r.summary(), r.status)
    return list(rows.values())


def _plain(results: Sequence[PatternResult]) -> str:
    models = list(dict.fromkeys(r.tie_model for r in results))
    lines = []
    head = f"{'pattern':28} {'level':7} {'criterion':22} " + " ".join(f"{m:>40}" for m in models)
    lines.append(head)
    for row in table(results):
        cells = " ".join(f"{row[m][0]:5.2f} {row[m][1]:>28} {row[m][2]:>4}" for m in models)
        lines.append(f"{row['pattern']:28} {row['level']:7} {row['criterion']:22} {cells}")
    return "\n".join(lines)


def markdown(results: Sequence[PatternResult], *, seeds: int | None = None) -> str:
    """The results as the "Patterns" section of ``docs/validation.md``.

    First every pattern with its level, statement, source or reasoning, criterion, share of
    seeds and mean [95% CI] (first submodel), then the submodel comparison table.


    Parameters
    ----------
    results : sequence of PatternResult
        From :func:`evaluate_catalogue`.
    seeds : int, optional
        The number of seeds to state (default: that of the first result).

    Returns
    -------
    str
        Markdown, starting with the heading ``## Patterns``.

    Examples
    --------
    >>> from sim.patterns import evaluate, pattern
    >>> result = evaluate(pattern("removed-delivers-nothing"), seeds=range(2))
    >>> from sim.patterns import markdown
    >>> for line in markdown([result]).splitlines():
    ...     if line.startswith("#"):
    ...         print(line)
    ## Patterns
    ### `removed-delivers-nothing` (actor, validation, negative)
    ### Tie submodels compared
    """
    models = list(dict.fromkeys(r.tie_model for r in results))
    first = [r for r in results if r.tie_model == models[0]]
    n = seeds if seeds is not None else (len(first[0].seeds) if first else 0)
    out = [
        "## Patterns",
        "",
        f"Generated by `python -m sim.patterns --markdown` ({n} paired seeds; shocks at month "
        f"{SHOCK_AT}; metric = shocked run minus its baseline run with the same seed, or "
        "relative to the baseline where the criterion is in %). *Share*: the share of seeds "
        "meeting the criterion; a pattern holds when it reaches the pattern's threshold "
        "(80% unless stated). Negative patterns say what must not happen; open questions are "
        "reported, not tested.",
        "",
    ]
    for r in first:
        p = r.pattern
        tags: list[str] = [p.level, p.role]
        if p.negative:
            tags.append("negative")
        if p.open_question:
            tags.append("open question")
        many = callable(p.variants) or len(p.variants) > 1
        combined = {
            "max": "the largest over the variants",
            "min": "the smallest over the variants",
            "increase": "the largest rise from one dose to the next",
        }[p.across]
        out += [
            f"### `{p.id}` ({', '.join(tags)})",
            "",
            f"{p.statement}",
            "",
            f"- Source or reasoning: {p.source}",
            f"- Metric: {p.metric}" + (f"; per seed {combined}" if many else ""),
            f"- Criterion: {p.criterion.format(p.percent)} in ≥ {p.share:.0%} of seeds",
            f"- Result ({r.tie_model}): share {r.share:.2f}, mean {r.summary()} — **{r.status}**",
            "",
        ]
    out += [
        "### Tie submodels compared",
        "",
        "Share of seeds, mean [95% CI] and status per pattern and submodel.",
        "",
        *(
            [
                "Only the default tie model (today's residual anchor) could be evaluated: "
                "`ModelParams` has no `tie_model` field yet.",
                "",
            ]
            if models == ["default"]
            else []
        ),
        "| pattern | level | criterion | " + " | ".join(models) + " |",
        "|---|---|---|" + "---|" * len(models),
    ]
    for row in table(results):
        cells = " | ".join(f"{row[m][0]:.2f} {row[m][1]} {row[m][2]}" for m in models)
        out.append(f"| `{row['pattern']}` | {row['level']} | {row['criterion']} | {cells} |")
    out.append("")
    return "\n".join(out)


def splice_section(document: str, section: str) -> str:
    r"""Replace the section of `document` that has `section`'s first line as its heading.

    The old section runs to the next heading of the same or a higher level (or the end);
    without one, `section` is appended. Text before and after it is kept as it is.

    Parameters
    ----------
    document : str
        A Markdown document.
    section : str
        The new section, its heading on its first line.

    Returns
    -------
    str
        The document with the section replaced (or appended).

    Examples
    --------
    >>> splice_section("# V\n\nintro\n\n## Patterns\n\nold\n\n## Next\n", "## Patterns\n\nnew\n")
    '# V\n\nintro\n\n## Patterns\n\nnew\n\n## Next\n'
    """
    heading = section.splitlines()[0]
    level = len(heading) - len(heading.lstrip("#"))
    lines = document.splitlines(keepends=True)
    start = next((k for k, x in enumerate(lines) if x.rstrip("\n") == heading), None)
    if start is None:
        sep = "" if not document or document.endswith("\n\n") else "\n"
        return document + sep + section
    end = len(lines)
    for k in range(start + 1, len(lines)):
        h = lines[k]
        if h.startswith("#") and len(h) - len(h.lstrip("#")) <= level and h.lstrip("#")[:1] == " ":
            end = k
            break
    tail = "".join(lines[end:])
    body = section if section.endswith("\n") else section + "\n"
    return "".join(lines[:start]) + body + ("\n" + tail if tail else "")


# =========================================================================================
# the catalogue
# =========================================================================================
#: The hedging states of the sanctions pattern.
HEDGERS = ("IND", "TUR", "ARE", "SAU", "QAT")

#: Their partnerships with the axis or the West in ``axis-2024`` (tested against the world).
HEDGER_TIES = (
    ("RUS", "IND"), ("IND", "IRN"), ("USA", "TUR"), ("GBR", "TUR"), ("FRA", "TUR"),
    ("DEU", "TUR"), ("POL", "TUR"), ("USA", "SAU"), ("USA", "QAT"), ("USA", "ARE"),
    ("ISR", "ARE"),
)  # fmt: skip


def _each_actor_removed(world: World) -> tuple[ShockSet, ...]:
    return tuple((RemoveState(a, at=SHOCK_AT),) for a in world.ids)


def _members_removed(bloc: str):
    def shocks(world: World) -> tuple[ShockSet, ...]:
        return tuple((RemoveState(a.id, at=SHOCK_AT),) for a in world.actors if a.bloc == bloc)

    shocks.__name__ = f"each member of {bloc} removed"
    return shocks


def hedger_ties(world: World) -> tuple[tuple[str, str], ...]:
    """The partnerships of :data:`HEDGERS` with the axis or the West in `world`.


    Parameters
    ----------
    world : World

    Returns
    -------
    tuple of (str, str)
        The pairs, in the world's order.

    Examples
    --------
    >>> from sim.patterns import HEDGER_TIES, hedger_ties
    >>> from sim.worlds import load_world
    >>> hedger_ties(load_world("axis-2024")) == HEDGER_TIES
    True
    """
    bloc = {a.id: a.bloc for a in world.actors}
    return tuple(
        (t.a, t.b)
        for t in world.ties_in("partnership")
        if any(h in HEDGERS and bloc[o] in ("axis", "west") for h, o in ((t.a, t.b), (t.b, t.a)))
    )


def _cohesion_rise(blocs: Sequence[str], months: int) -> Extreme:
    return Extreme(tuple(Effect(Column(f"cohesion:{b}"), months, "max") for b in blocs))


_AT = SHOCK_AT
_SYRIA = ((RemoveState("SYR", at=_AT),),)
_PERIPHERY = tuple((RemoveState(a, at=_AT),) for a in ("VEN", "NIC", "CUB"))
_INSTC = ((BlockTransit("Caspian", at=_AT), BlockTransit("AZE", at=_AT)),)
_PRK = (
    (
        CutTie(("PRK", "RUS"), at=_AT, commodity="shells"),
        CutTie(("PRK", "RUS"), at=_AT, commodity="troops"),
    ),
)
_NO_RUS = ((RemoveState("RUS", at=_AT),),)
_NO_IRN = ((RemoveState("IRN", at=_AT),),)
_STRIKE = ((Degrade("IRN", at=_AT, factor=0.6),),)
_SANCTIONS = ((Sanction("RUS", at=_AT, buyers=("IND", "TUR", "EGY")),),)
_DOSES = tuple((Degrade("IRN", at=_AT, factor=f),) for f in (1.0, 0.75, 0.5, 0.25, 0.0))

#: The pattern catalogue (ids unique). Thresholds of the first nine groups come from issue 11
#: (an expert reading of 2022-2025 events); the others are the harness's own.
CATALOGUE: tuple[Pattern, ...] = (
    Pattern(
        "syria-hez-deliveries", "dyad",
        "When Syria falls, Iran's deliveries to Hezbollah fall by 70–95% within a month.",
        "The land bridge through Iraq and Syria closed in December 2024, but cash couriers, "
        "flights to Beirut and smuggling went on, so the flow fell steeply, not to zero.",
        _SYRIA, Effect(Delivered("IRN", "HEZ"), 1, "at", relative=True),
        Bound(-0.95, -0.70), horizon=1,
    ),
    Pattern(
        "syria-hez-capability", "actor",
        "When Syria falls, Hezbollah's capability is 15–50% lower 12 months later.",
        "Resupply of missiles and funds was cut while Hezbollah kept its own stocks, fighters "
        "and Lebanese revenue: a serious but partial loss.",
        _SYRIA, Effect(Capability("HEZ"), 12, "at", relative=True),
        Bound(-0.50, -0.15), horizon=12,
    ),
    Pattern(
        "syria-rus-irn", "dyad",
        "Open question: how much does Syria's fall move the Russia–Iran partnership at 12 "
        "months? An expert would expect little (within ±0.05), of either sign.",
        "The 2025 treaty was drafted and agreed before Assad fell and has no defence clause, "
        "so it is no evidence of an effect; no parameter may be set from it (issue 11, §5).",
        _SYRIA, Effect(Strength("RUS", "IRN"), 12, "at"),
        Bound(-0.05, 0.05), horizon=12, open_question=True,
    ),
    Pattern(
        "periphery-rus-irn", "dyad",
        "Removing Venezuela, Nicaragua or Cuba moves Russia–Iran by less than 0.01.",
        "These partners supply neither Russia nor Iran with anything that matters to the "
        "other; a shock to the periphery should not reach the core dyad.",
        _PERIPHERY, Effect(Strength("RUS", "IRN"), 36, "absmax"),
        Bound(hi=0.01), horizon=36, negative=True,
    ),
    Pattern(
        "periphery-fulfilment", "network",
        "Removing Venezuela, Nicaragua or Cuba moves the axis's mean supply fulfilment by "
        "less than 0.02.",
        "They are small recipients and no supplier of the axis; their loss removes their own "
        "needs, not others' supply.",
        _PERIPHERY, Effect(Column("fulfilment:axis"), 36, "absmax"),
        Bound(hi=0.02), horizon=36, negative=True,
    ),
    Pattern(
        "instc-deliveries", "dyad",
        "Closing the INSTC (the Caspian route and Azerbaijan) for 36 months cuts Iran's "
        "deliveries to Russia by 40–90%.",
        "In 2022–23 air cargo and the eastern branch carried part of the drones and missiles, "
        "so a closure would cut the flow deeply but not to zero.",
        _INSTC, Effect(Delivered("IRN", "RUS"), 36, "mean", relative=True),
        Bound(-0.90, -0.40), horizon=36,
    ),
    Pattern(
        "instc-rus-irn", "dyad",
        "After 36 months of a closed INSTC the Russia–Iran partnership is still at least 0.35.",
        "The partnership rests on shared adversaries and sanctions, not on one corridor; a "
        "transport problem does not undo a strategic partnership.",
        _INSTC, Effect(Strength("RUS", "IRN"), 36, "level"),
        Bound(lo=0.35), horizon=36,
    ),
    Pattern(
        "prk-rus-capability", "actor",
        "North Korea stopping shells and troops lowers Russia's capability by 3–15% within "
        "24 months.",
        "North Korean shells were up to half of Russia's artillery supply in 2024, but Russia's "
        "own output grew; the loss matters at the front without crippling Russia.",
        _PRK, Effect(Capability("RUS"), 24, "min", relative=True),
        Bound(-0.15, -0.03), horizon=24,
    ),
    Pattern(
        "prk-irn-deliveries", "dyad",
        "North Korea stopping shells and troops does not lower Iran's deliveries to Russia "
        "(mean over 24 months, ≥ −1% allowed for noise).",
        "A buyer that loses one supplier turns to others; nothing in Iran's supply depends on "
        "North Korea's. The −1% tolerance is below the monthly volume noise.",
        _PRK, Effect(Delivered("IRN", "RUS"), 24, "mean", relative=True),
        Bound(lo=-0.01), horizon=24, negative=True,
    ),
    Pattern(
        "prk-rus-irn", "dyad",
        "North Korea stopping shells and troops moves Russia–Iran by at most 0.02.",
        "The Russia–North Korea and Russia–Iran relationships are run separately; the 2022–25 "
        "record shows no link between them.",
        _PRK, Effect(Strength("RUS", "IRN"), 24, "absmax"),
        Bound(hi=0.02), horizon=24, negative=True,
    ),
    Pattern(
        "rus-removal-china", "actor",
        "Removing Russia lowers China's capability by less than 5% within 24 months.",
        "China's military-economic power rests on its own economy; Russian energy and arms are "
        "a small share of it and can be replaced on world markets.",
        _NO_RUS, Effect(Capability("CHN"), 24, "min", relative=True),
        Bound(lo=-0.05), horizon=24, role="calibration",
    ),
    Pattern(
        "rus-removal-iran", "actor",
        "Removing Russia lowers Iran's capability by less than 15% within 24 months.",
        "Iran builds its drones and missiles itself; Russian arms and technology are a "
        "modest input.",
        _NO_RUS, Effect(Capability("IRN"), 24, "min", relative=True),
        Bound(lo=-0.15), horizon=24,
    ),
    Pattern(
        "rus-removal-order", "actor",
        "Removing Russia costs Iran relatively more capability than China (at 24 months).",
        "Iran depends more on Russia (technology, arms, diplomatic cover) than China does.",
        _NO_RUS,
        Gap(
            Effect(Capability("CHN"), 24, "at", relative=True),
            Effect(Capability("IRN"), 24, "at", relative=True),
        ),
        Bound(lo=0.0), horizon=24,
    ),
    Pattern(
        "iran-removal-houthis", "actor",
        "Removing Iran lowers the Houthis' capability by 10–40% within 24 months.",
        "The Houthis have their own revenue, stocks and assembly lines; Iranian missiles and "
        "parts are an important but not the only input.",
        _NO_IRN, Effect(Capability("HOU"), 24, "min", relative=True),
        Bound(-0.40, -0.10), horizon=24, role="calibration",
    ),
    Pattern(
        "iran-removal-ratio", "actor",
        "Removing Iran hurts Hezbollah at least 1.5 times as much (relative loss at 24 "
        "months) as the Houthis.",
        "Hezbollah's arsenal and budget came from Iran far more than the Houthis' did.",
        _NO_IRN,
        Ratio(
            Effect(Capability("HEZ"), 24, "at", relative=True),
            Effect(Capability("HOU"), 24, "at", relative=True),
        ),
        Bound(lo=1.5), horizon=24,
    ),
    Pattern(
        "strike-no-rescue", "dyad",
        "A strike cutting Iran's production by 40% does not bring Russian arms to Iran: "
        "Russia's arms deliveries rise by less than 10% within 6 months.",
        "In the Israel–Iran war of June 2025 Russia offered Iran nothing concrete; the 2025 "
        "treaty has no defence clause.",
        _STRIKE, Effect(Delivered("RUS", "IRN", "arms"), 6, "max", relative=True),
        Bound(hi=0.10), horizon=6, negative=True, role="calibration",
    ),
    Pattern(
        "strike-rus-irn", "dyad",
        "A strike cutting Iran's production by 40% moves Russia–Iran by at most 0.05 "
        "(12 months).",
        "A partnership without a defence clause is not a defence commitment: it neither "
        "rallies nor breaks when one partner is hit.",
        _STRIKE, Effect(Strength("RUS", "IRN"), 12, "absmax"),
        Bound(hi=0.05), horizon=12, negative=True,
    ),
    Pattern(
        "sanctions-hedgers", "network",
        "When sanctions stop Russia's sales to India, Turkey and Egypt, the hedging states "
        "(India, Turkey, the UAE, Saudi Arabia, Qatar) move none of their partnerships with "
        "either bloc by 0.05 or more (24 months).",
        "Since 2022 the hedging states have kept working ties with Russia and the West alike "
        "under sanctions; hedging is their policy, not a by-product of trade flows.",
        _SANCTIONS,
        Extreme(tuple(Effect(Strength(a, b), 24, "absmax") for a, b in HEDGER_TIES)),
        Bound(hi=0.05), horizon=24, negative=True,
    ),
    Pattern(
        "sanctions-rus-chn", "dyad",
        "The same sanctions move Russia–China by less than 0.05 (24 months).",
        "Russia–China rests on a shared rivalry with the West; sanctions on Russia's other "
        "buyers do not touch it.",
        _SANCTIONS, Effect(Strength("RUS", "CHN"), 24, "absmax"),
        Bound(hi=0.05), horizon=24, negative=True,
    ),
    Pattern(
        "removal-cohesion", "network",
        "Removing any actor never raises any bloc's cohesion (largest rise over 24 months, "
        "+0.005 allowed for noise), in ≥ 95% of seeds.",
        "A resilience measure must not reward losses: a bloc that loses a member and its ties "
        "has not become more cohesive (issue 11, §3).",
        _each_actor_removed, _cohesion_rise(("axis", "west", "hedging"), 24),
        Bound(hi=0.005), horizon=24, share=0.95, negative=True,
    ),
    *(
        Pattern(
            f"member-removal-cohesion-{b}", "network",
            f"Removing a member of the {b} bloc never raises that bloc's cohesion (largest rise "
            "over 24 months, +0.005 allowed for noise), in ≥ 95% of seeds.",
            "The measurement half of the pattern above: a bloc's retained strength counts the "
            "lost member's ties as 0, so only the remaining pairs drawing closer by more than "
            "the loss could raise it.",
            _members_removed(b), _cohesion_rise((b,), 24),
            Bound(hi=0.005), horizon=24, share=0.95, negative=True,
        )
        for b in ("axis", "west", "hedging")
    ),
    Pattern(
        "removed-delivers-nothing", "actor",
        "A removed actor delivers nothing: Iran's outflow after its removal is 100% below "
        "the baseline every month (12 months), in every seed.",
        "An invariant of the model's meaning: a state that is gone neither produces nor ships.",
        _NO_IRN, Effect(Outflow("IRN"), 12, "max", relative=True),
        Bound(-1.0, -1.0), horizon=12, share=1.0, negative=True,
    ),
    Pattern(
        "baseline-stationary", "network",
        "Without shocks the world stays near its start: axis cohesion drifts by at most 0.05 "
        "in 60 months.",
        "The observed world is taken as a steady state; noise may move it, but a run without "
        "shocks that wanders far would report changes no event caused.",
        ((),), Effect(Column("cohesion:axis"), 57, "drift"),
        Bound(-0.05, 0.05), horizon=57,
    ),
    Pattern(
        "baseline-rus-irn", "dyad",
        "Without shocks Russia–Iran stays within 0.05 of its observed 0.45 for 60 months.",
        "The same steady-state requirement for the dyad the model is most often asked about.",
        ((),), Effect(Strength("RUS", "IRN"), 57, "drift"),
        Bound(-0.05, 0.05), horizon=57,
    ),
    Pattern(
        "dose-hez-capability", "actor",
        "Dose–response: cutting Iran's production by 0, 25, 50, 75 and 100% lowers "
        "Hezbollah's capability at 12 months monotonically (no rise from one dose to the next "
        "beyond 0.1%).",
        "A larger cut of a supplier's output cannot leave its client better off (issue 11, §1).",
        _DOSES, Effect(Capability("HEZ"), 12, "at", relative=True),
        Bound(hi=0.001), horizon=12, across="increase",
    ),
    Pattern(
        "dose-hez-tie", "dyad",
        "Dose–response: the same cuts lower (or leave) the Iran–Hezbollah partnership at 36 "
        "months monotonically (no rise from one dose to the next beyond 0.001).",
        "A partnership cannot gain from a deeper cut of what holds it together (issue 11, §1).",
        _DOSES, Effect(Strength("IRN", "HEZ"), 36, "at"),
        Bound(hi=0.001), horizon=36, across="increase",
    ),
    Pattern(
        "proportionate-irn-hez", "dyad",
        "A 25% cut of Iran's production moves the Iran–Hezbollah partnership by less than "
        "0.1 at 36 months.",
        "A partnership responds in proportion to what changed; the knife-edge anchor makes "
        "any fall of a driver dissolve a tie at the same rate (issue 11, §1).",
        ((Degrade("IRN", at=_AT, factor=0.75),),), Effect(Strength("IRN", "HEZ"), 36, "absmax"),
        Bound(hi=0.1), horizon=36,
    ),
    Pattern(
        "proportionate-rus-irn", "dyad",
        "A 10% cut of Iran's production moves Russia–Iran by less than 0.1 at 36 months.",
        "Proportionality (issue 11, §1): a 10% fall of one driver must not dissolve a "
        "strategic partnership.",
        ((Degrade("IRN", at=_AT, factor=0.9),),), Effect(Strength("RUS", "IRN"), 36, "absmax"),
        Bound(hi=0.1), horizon=36,
    ),
    Pattern(
        "blocking-transit-hostile", "dyad",
        "Azerbaijan closing its territory to transit does not draw it closer to Russia "
        "(RUS–AZE rises by at most 0.005 within 24 months).",
        "Blocking a partner's traffic is a hostile act; a model in which it strengthens the "
        "tie (0.28 → 0.57 today, issue 11) gets the sign of behaviour wrong.",
        ((BlockTransit("AZE", at=_AT),),), Effect(Strength("RUS", "AZE"), 24, "max"),
        Bound(hi=0.005), horizon=24, negative=True,
    ),
    # Two positive dyad patterns, added after the first submodel comparison showed that no
    # pattern above asks a tie to move at all (so the inertia null passed every one of them).
    Pattern(
        "blockade-weakens-tie", "dyad",
        "Azerbaijan closing its territory to transit weakens the Russia–Azerbaijan partnership "
        "by at least 0.02 within 24 months.",
        "Issue 11: blocking transit for, or sanctioning, a partner is a hostile act and lowers "
        "that tie; Russia–Azerbaijan relations soured in 2025 over far smaller frictions.",
        ((BlockTransit("AZE", at=_AT),),), Effect(Strength("RUS", "AZE"), 24, "min"),
        Bound(hi=-0.02), horizon=24,
    ),
    Pattern(
        "undelivered-arms-weaken-tie", "dyad",
        "When Russia stops its arms deliveries to Armenia, the Russia–Armenia partnership "
        "weakens by at least 0.02 within 24 months.",
        "Russia left paid-for arms to Armenia undelivered in 2022–23; Armenia froze its part in "
        "the CSTO in February 2024 and turned to India and France for arms.",
        ((CutTie(("RUS", "ARM"), at=_AT, commodity="arms"),),),
        Effect(Strength("RUS", "ARM"), 24, "min"),
        Bound(hi=-0.02), horizon=24,
    ),
)  # fmt: skip


# =========================================================================================
# out of sample: the shocks of 2026
# =========================================================================================
#: The world the out-of-sample patterns start from (the network on 31 Dec 2025).
OUT_OF_SAMPLE_WORLD = "axis-2025"

# The shocks exactly as in scenarios/venezuela_2026.toml and scenarios/iran_war_2026.toml,
# moved to SHOCK_AT like every pattern's (the world is taken as a steady state, so the three
# quiet months before them change nothing but the calendar).
_VEN26 = ((Defect("VEN", at=_AT, to_bloc="hedging"),),)
_IRN26 = (
    (
        Degrade("IRN", at=_AT, factor=0.6, what="capability"),
        Degrade("IRN", at=_AT, factor=0.5, what="production"),
    ),
)

#: What happened in the months after the two shocks of 2026, written down from the sources
#: before the model was run on them (issue 16). World: :data:`OUT_OF_SAMPLE_WORLD`. Sources
#: reach into March 2026; the horizons are kept to the months they cover.
OUT_OF_SAMPLE_2026: tuple[Pattern, ...] = (
    Pattern(
        "ven26-cuba-oil", "dyad",
        "After Maduro's capture Venezuela's oil to Cuba stops: deliveries 80% or more below "
        "the baseline two months later.",
        "The US blockade of sanctioned tankers and seizures in early Jan 2026 cut the flow "
        "(Reuters via Devdiscourse, 8 Jan 2026); Trump said all oil shipments to Cuba would "
        "stop (Latin Times, Jan 2026).",
        _VEN26, Effect(Delivered("VEN", "CUB", "energy"), 2, "at", relative=True),
        Bound(hi=-0.80), horizon=2,
    ),
    Pattern(
        "ven26-cuba-hurt", "actor",
        "Cuba is worse off: its capability is at least 1% below the baseline three months "
        "after the shock.",
        "Venezuelan oil covered about half of Cuba's deficit; fuel lines, longer blackouts and a "
        "state broadcaster off the air for want of diesel followed (Reuters via Devdiscourse, "
        "8 Jan 2026; New York Times via Latin Times, Jan 2026).",
        _VEN26, Effect(Capability("CUB"), 3, "at", relative=True),
        Bound(hi=-0.01), horizon=3,
    ),
    Pattern(
        "ven26-rus-ven", "dyad",
        "The Russia–Venezuela partnership is hollowed out: at least 0.1 below the baseline "
        "three months after the shock.",
        "The interim government sold oil to the US, called itself ready to cooperate with "
        "Washington and received the US energy secretary, while Trump said he wanted Russia "
        "out (CiberCuba, 10 Jan 2026; RT via Qatar News App, 13 Feb 2026). The 2025 treaty was "
        "not revoked, so a fall, not an end, is claimed.",
        _VEN26, Effect(Strength("RUS", "VEN"), 3, "at"),
        Bound(hi=-0.10), horizon=3,
    ),
    Pattern(
        "ven26-rus-irn", "dyad",
        "Losing Venezuela leaves the Russia–Iran partnership where it was (|Δ| ≤ 0.02 over "
        "three months).",
        "Russia and Iran both condemned the raid (Europe Says, 3 Jan 2026) and nothing in their "
        "own dealings changed in response; Venezuela supplied neither.",
        _VEN26, Effect(Strength("RUS", "IRN"), 3, "absmax"),
        Bound(hi=0.02), horizon=3, negative=True,
    ),
    Pattern(
        "ven26-rus-capability", "actor",
        "Russia's capability falls by less than 1% in the three months after Maduro's capture.",
        "Venezuela supplied Russia nothing it fights with; Moscow answered in words, not arms "
        "(Kurdistan24, 3 Jan 2026).",
        _VEN26, Effect(Capability("RUS"), 3, "min", relative=True),
        Bound(lo=-0.01), horizon=3, negative=True,
    ),
    Pattern(
        "iran26-no-rescue", "dyad",
        "Russia does not rush arms to Iran: its arms deliveries to Iran rise by less than 10% "
        "over the three months after the strikes.",
        "Russia condemned the strikes and, per reports, passed intelligence on US forces "
        "(Kurdistan24, 8 Mar 2026), but limited itself to words on the record (Bloomberg via "
        "RBC-Ukraine, 5 Mar 2026); Peskov said Iran had asked for no military help "
        "(Deutschlandfunk, 6 Mar 2026). Intelligence is not a delivery the model has.",
        _IRN26, Effect(Delivered("RUS", "IRN", "arms"), 3, "max", relative=True),
        Bound(hi=0.10), horizon=3, negative=True,
    ),
    Pattern(
        "iran26-rus-irn", "dyad",
        "The Russia–Iran partnership neither breaks nor turns into an alliance: |Δ| ≤ 0.05 "
        "over the three months after the strikes.",
        "Putin called the killing a 'cynical murder' and praised Khamenei's part in the "
        "comprehensive strategic partnership (Reuters via Ada Derana, 1 Mar 2026); Russia's "
        "ambassador in London said Moscow was 'not neutral' (Kurdistan24, 8 Mar 2026); no "
        "defence commitment followed.",
        _IRN26, Effect(Strength("RUS", "IRN"), 3, "absmax"),
        Bound(hi=0.05), horizon=3, negative=True,
    ),
    Pattern(
        "iran26-rus-capability", "actor",
        "Russia's war effort does not hinge on Iran any more: Russia's capability falls by "
        "less than 2% within three months of the strikes.",
        "Russia builds its own Geran drones at Alabuga (8,000–10,000 planned for 2025, "
        "Ukrinform via MENAFN, 23 Apr 2025); Iran's foreign minister said military cooperation "
        "continued (RBC-Ukraine, 5 Mar 2026). That the front did not suffer is this project's "
        "reading, not a sourced fact.",
        _IRN26, Effect(Capability("RUS"), 3, "min", relative=True),
        Bound(lo=-0.02), horizon=3, negative=True,
    ),
    Pattern(
        "iran26-hez-capability", "actor",
        "Hezbollah ends the first months of the war weaker: capability at least 5% below the "
        "baseline three months after the strikes.",
        "Hezbollah fired at Israel on 1–2 Mar 2026 for the first time since the 2024 ceasefire; "
        "Israel answered with its heaviest strikes on Beirut since 2024 and killed senior "
        "commanders (MercoPress, 2 Mar 2026; Breitbart, 2 Mar 2026). The Israeli campaign is "
        "not in the shock: only what reaches Hezbollah through Iran can show here.",
        _IRN26, Effect(Capability("HEZ"), 3, "at", relative=True),
        Bound(hi=-0.05), horizon=3,
    ),
    Pattern(
        "iran26-hez-supplies", "dyad",
        "Open question: how much do Iran's deliveries to Hezbollah fall in the three months "
        "after the strikes? Expected: a fall of at least 20% (mean over the months).",
        "Israel struck the Quds Force in Beirut (AFP via Kurdistan24, 8 Mar 2026) and Iran's "
        "leadership was hit, but no source located gives the flow after 28 Feb 2026: reported, "
        "not tested.",
        _IRN26, Effect(Delivered("IRN", "HEZ"), 3, "mean", relative=True),
        Bound(hi=-0.20), horizon=3, open_question=True,
    ),
    Pattern(
        "iran26-hou-capability", "actor",
        "The Houthis, who held back and were not struck in the first weeks, lose less than "
        "10% of their capability within three months.",
        "They limited themselves to statements and rallies in the first week of the war, "
        "after heavy losses in 2025 (Zee News, 7 Mar 2026); they have their own assembly lines "
        "and stocks.",
        _IRN26, Effect(Capability("HOU"), 3, "min", relative=True),
        Bound(lo=-0.10), horizon=3,
    ),
    Pattern(
        "iran26-hou-supplies", "dyad",
        "Open question: how much do Iran's deliveries to the Houthis fall in the three months "
        "after the strikes? Expected: a fall of at least 20% (mean over the months).",
        "No source located gives the flow after 28 Feb 2026: reported, not tested.",
        _IRN26, Effect(Delivered("IRN", "HOU"), 3, "mean", relative=True),
        Bound(hi=-0.20), horizon=3, open_question=True,
    ),
)  # fmt: skip


def out_of_sample_section(
    patterns: Sequence[Pattern] = OUT_OF_SAMPLE_2026,
    results: Sequence[PatternResult] = (),
    *,
    intro: str = "",
) -> str:
    """The section "Out of sample: the shocks of 2026" of ``docs/validation.md``.

    Each pattern with its statement, source, metric and criterion; with `results`, a table of
    share of seeds, mean [95% CI] and status per tie submodel (e.g. the default model beside
    the ``inertia`` null).


    Parameters
    ----------
    patterns : sequence of Pattern
        Default :data:`OUT_OF_SAMPLE_2026`.
    results : sequence of PatternResult
        Their results on :data:`OUT_OF_SAMPLE_WORLD`; none: no results table.
    intro : str
        A paragraph under the heading.

    Returns
    -------
    str
        Markdown, starting with the heading.

    Examples
    --------
    >>> from sim.patterns import out_of_sample_section
    >>> print(out_of_sample_section().splitlines()[0])
    ## Out of sample: the shocks of 2026
    """
    out = ["## Out of sample: the shocks of 2026", ""]
    if intro:
        out += [intro, ""]
    for p in patterns:
        tags = [p.level] + (["negative"] if p.negative else [])
        tags += ["open question"] if p.open_question else []
        out += [
            f"### `{p.id}` ({', '.join(tags)})",
            "",
            p.statement,
            "",
            f"- Source: {p.source}",
            f"- Metric: {p.metric}",
            f"- Criterion: {p.criterion.format(p.percent)} in ≥ {p.share:.0%} of seeds",
            "",
        ]
    if results:
        models = list(dict.fromkeys(r.tie_model for r in results))
        n = len(results[0].seeds)
        out += [
            "### Results",
            "",
            f"World `{OUT_OF_SAMPLE_WORLD}`, {n} paired seeds, shocks at month {SHOCK_AT}, "
            "parameters as they are (no retuning). Share of seeds meeting the criterion, mean "
            "[95% CI] and status per tie submodel.",
            "",
            "| pattern | criterion | " + " | ".join(models) + " |",
            "|---|---|" + "---|" * len(models),
        ]
        for row in table(results):
            cells = " | ".join(f"{row[m][0]:.2f} {row[m][1]} {row[m][2]}" for m in models)
            out.append(f"| `{row['pattern']}` | {row['criterion']} | {cells} |")
        out.append("")
    return "\n".join(out)


#: The patterns of issue 11 section 4, the ones the Latin-hypercube benchmark checks over the
#: full parameter ranges (``benchmarks/bench_patterns_lhs.py``).
MAIN = (
    "syria-hez-deliveries", "syria-hez-capability", "periphery-rus-irn", "periphery-fulfilment",
    "instc-deliveries", "instc-rus-irn", "prk-rus-capability", "prk-irn-deliveries",
    "prk-rus-irn", "rus-removal-china", "rus-removal-iran", "rus-removal-order",
    "iran-removal-houthis", "iran-removal-ratio", "strike-no-rescue", "strike-rus-irn",
    "sanctions-hedgers", "sanctions-rus-chn", "removal-cohesion",
)  # fmt: skip


def pattern(pattern_id: str) -> Pattern:
    """The catalogue pattern with this id (KeyError listing the ids otherwise).


    Parameters
    ----------
    pattern_id : str
        A pattern id of :data:`CATALOGUE`.

    Returns
    -------
    Pattern

    Examples
    --------
    >>> from sim.patterns import pattern
    >>> pattern("syria-hez-deliveries").level
    'dyad'
    """
    for p in CATALOGUE:
        if p.id == pattern_id:
            return p
    raise KeyError(f"no pattern {pattern_id!r}; ids: {', '.join(p.id for p in CATALOGUE)}")


# =========================================================================================
# command line
# =========================================================================================
def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.patterns``: print the pattern table; optionally write it as Markdown.


    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: 0 (bad arguments exit with code 2 through argparse).

    Examples
    --------
    >>> from sim.patterns import main
    >>> main(["--only", "removed-delivers-nothing", "--seeds", "2", "--tie-models", "anchor"])
    ... # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    pattern level criterion anchor
    removed-delivers-nothing actor in [-100%, -100%] 1.00 -100% [-100%, -100%] pass
    <BLANKLINE>
    1 patterns, 2 seeds: ... s
    0
    """
    summary = (main.__doc__ or "").split("\n\n")[0]  # not the numpydoc sections
    ap = argparse.ArgumentParser(prog="python -m sim.patterns", description=summary)
    ap.add_argument("--seeds", type=int, default=20, help="paired seeds per pattern (20)")
    ap.add_argument(
        "--tie-models",
        nargs="+",
        default=list(TIE_MODELS),
        metavar="NAME",
        help="tie submodels to compare (those the model offers; default: all three)",
    )
    ap.add_argument("--only", nargs="+", metavar="ID", help="evaluate only these patterns")
    ap.add_argument(
        "--out-of-sample",
        action="store_true",
        help="evaluate OUT_OF_SAMPLE_2026 on axis-2025 (the model's default tie submodel and "
        "the inertia null unless --tie-models is given); print the table only",
    )
    ap.add_argument(
        "--markdown", metavar="FILE", help="also write the Markdown 'Patterns' section to FILE"
    )
    args = ap.parse_args(argv)
    if args.seeds < 2:
        ap.error("--seeds must be at least 2 (a confidence interval needs two)")
    try:
        chosen = [pattern(i) for i in args.only] if args.only else list(CATALOGUE)
    except KeyError as e:
        ap.error(str(e.args[0]))
    t0 = time.perf_counter()
    if args.out_of_sample:
        from sim.worlds import load_world

        raw = sys.argv[1:] if argv is None else list(argv)
        models = args.tie_models if "--tie-models" in raw else [ModelParams().tie_model, "inertia"]
        results = evaluate_catalogue(
            OUT_OF_SAMPLE_2026,
            seeds=range(args.seeds),
            world=load_world(OUT_OF_SAMPLE_WORLD),
            tie_models=models,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
        print(_plain(results))
        print(f"\n{len(results)} results, {args.seeds} seeds: {time.perf_counter() - t0:.1f} s")
        return 0
    results = evaluate_catalogue(
        chosen,
        seeds=range(args.seeds),
        tie_models=args.tie_models,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(_plain(results))
    print(f"\n{len(chosen)} patterns, {args.seeds} seeds: {time.perf_counter() - t0:.1f} s")
    if args.markdown:
        from pathlib import Path

        from sim._files import atomic_write_text

        path = Path(args.markdown)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        atomic_write_text(path, splice_section(old, markdown(results, seeds=args.seeds)))
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
