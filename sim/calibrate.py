"""Calibration: ABC-SMC fits of the declared parameters to the calibration patterns and episodes.

What is fitted, from what, and what is held out is declared once here (:data:`CALIBRATED`,
:data:`TRAINING_PATTERNS`, :data:`TRAINING_EPISODES`) and in ``docs/model.md`` section 7.4; a
test keeps the two equal. :func:`abc_smc` is approximate Bayesian computation by sequential
Monte Carlo (Beaumont et al. 2009 [1]_; Toni et al. 2009 [2]_) built from pyabc's components
[3]_ (the kernel of :class:`pyabc.transition.MultivariateNormalTransition`, its weighted
quantile and effective sample size), driven here so that one seed gives the same posterior on
every executor: candidates are proposed in fixed-size batches with per-candidate seeds from
:class:`numpy.random.SeedSequence`, simulated on a :mod:`sim.executors` executor in any order,
and accepted in index order. The simulator is one seam, ``simulate_batch(thetas, seeds)``
(:class:`PatternEpisodeSimulator`), so a batched engine can replace the per-replicate model runs
behind it.

References
----------
.. [1] Beaumont, M. A., Cornuet, J.-M., Marin, J.-M. and Robert, C. P. (2009). Adaptive
   approximate Bayesian computation. *Biometrika* 96, 983-990.
   https://doi.org/10.1093/biomet/asp052
.. [2] Toni, T. et al. (2009). Approximate Bayesian computation scheme for parameter inference
   and model selection in dynamical systems. *J. R. Soc. Interface* 6, 187-202.
   https://doi.org/10.1098/rsif.2008.0172
.. [3] Schälte, Y. et al. (2022). pyABC: Efficient and robust easy-to-use approximate Bayesian
   computation. *JOSS* 7(74), 4304. https://doi.org/10.21105/joss.04304
"""

from __future__ import annotations

import functools
import itertools
import math
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import Problem, ValidationError, suggest
from sim.params import ModelParams

__all__ = [
    "CALIBRATED",
    "HELD_OUT_EPISODES",
    "TRAINING_EPISODES",
    "TRAINING_PATTERNS",
    "ABCResult",
    "BoxPrior",
    "EpisodeTarget",
    "Failure",
    "PatternEpisodeSimulator",
    "abc_smc",
    "calibrate",
    "criterion_distance",
    "defaults_toml",
    "episode_paths",
    "held_out_patterns",
    "load_checkpoint",
    "plot_pairs",
    "posterior_frame",
    "posterior_predictive",
    "predictive_markdown",
    "predictive_table",
    "prior",
    "read_tables",
    "resolve_patterns",
    "write_checkpoint",
]

#: The calibrated parameters, each with the reason it is fitted (see docs/model.md §7.4).
#: The tie elasticities are not fitted: across their whole ranges they move the three
#: calibration patterns by less than 0.001 (measured on seed 1), so ABC would return the prior.
CALIBRATED: dict[str, str] = {
    "need_weight": "how much supply fulfilment drives capability (eq. 6, 7): the sizes of the "
    "capability losses of rus-removal-china and iran-removal-houthis scale with it",
    "capability_rate": "how fast capability moves toward its target (eq. 7): the same losses "
    "within 24 months depend on it as much as on need_weight",
}

#: The training patterns: exactly those declared ``role="calibration"`` in sim/patterns.py.
TRAINING_PATTERNS: tuple[str, ...] = (
    "rus-removal-china",
    "iran-removal-houthis",
    "strike-no-rescue",
)


#: The training episode: the one whose hindcast the model already ranks best above the direct
#: null (docs/validation.md), so a fit can only lower its score by being wrong.
TRAINING_EPISODES: tuple[str, ...] = ("egypt_realignment_1972",)

#: Episodes held out: scored by the posterior predictive only.
HELD_OUT_EPISODES: tuple[str, ...] = (
    "iraq_2003",
    "libya_2011",
    "soviet_collapse_1991",
    "syria_2024",
)


# =========================================================================================
# declarations
# =========================================================================================
@dataclass(frozen=True)
class BoxPrior:
    """Independent uniform priors on a box (the documented plausible ranges).

    Parameters
    ----------
    names : tuple of str
        The parameters, one per dimension.
    lows, highs : tuple of float
        The box's bounds per dimension.

    Examples
    --------
    >>> box = BoxPrior(("a", "b"), (0.0, 0.0), (1.0, 2.0))
    >>> box.dim, box.sample(3, np.random.default_rng(0)).shape
    (2, (3, 2))
    >>> box.inside(np.array([[0.5, 1.5], [0.5, 2.5]])).tolist(), box.pdf(np.array([0.5, 1.0]))
    ([True, False], array([0.5]))
    """

    names: tuple[str, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]

    @property
    def dim(self) -> int:
        return len(self.names)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """`n` draws, shape ``(n, dim)``."""
        lo, hi = np.asarray(self.lows), np.asarray(self.highs)
        return lo + (hi - lo) * rng.random((n, self.dim))

    def inside(self, x: np.ndarray) -> np.ndarray:
        """Whether each row of `x` lies in the box."""
        x = np.atleast_2d(x)
        return np.all((x >= self.lows) & (x <= self.highs), axis=1)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """The prior density of each row of `x`."""
        vol = float(np.prod(np.subtract(self.highs, self.lows)))
        return np.where(self.inside(x), 1.0 / vol, 0.0)


def prior(names: Iterable[str] = tuple(CALIBRATED)) -> BoxPrior:
    """Uniform priors from :meth:`ModelParams.ranges` for `names`.

    Parameters
    ----------
    names : iterable of str
        Numeric fields of :class:`~sim.params.ModelParams` (default :data:`CALIBRATED`).

    Returns
    -------
    BoxPrior

    Raises
    ------
    ValidationError
        For a name that is not a numeric model parameter (every one at once, with a
        suggestion).

    Examples
    --------
    >>> p = prior()
    >>> p.names, p.lows, p.highs
    (('need_weight', 'capability_rate'), (0.0, 0.02), (2.0, 0.5))
    """
    ranges = ModelParams.ranges()
    names = tuple(names)
    bad = [
        Problem(
            "parameters",
            "not a numeric model parameter",
            n,
            "a field of ModelParams",
            suggest(n, ranges),
        )
        for n in names
        if n not in ranges
    ]
    if bad:
        raise ValidationError(bad, what="calibrated parameters")
    return BoxPrior(names, tuple(ranges[n][0] for n in names), tuple(ranges[n][1] for n in names))


def resolve_patterns(ids: Iterable[str]) -> list[Any]:
    """Catalogue patterns by id; every unknown id at once, with a suggestion.

    Parameters
    ----------
    ids : iterable of str
        Ids of :data:`sim.patterns.CATALOGUE`.

    Returns
    -------
    list of Pattern
        In the order of `ids`.

    Raises
    ------
    ValidationError
        Listing every unknown id, with a "did you mean".

    Examples
    --------
    >>> [p.id for p in resolve_patterns(["strike-no-rescue"])]
    ['strike-no-rescue']
    >>> try:
    ...     resolve_patterns(["strike-no-rescu"])
    ... except ValidationError as exc:
    ...     print("did you mean 'strike-no-rescue'?" in str(exc))
    True
    """
    from sim.patterns import CATALOGUE

    known = {p.id: p for p in CATALOGUE}
    ids = list(ids)
    bad = [
        Problem(
            "--patterns", "unknown pattern", i, "ids of sim.patterns.CATALOGUE", suggest(i, known)
        )
        for i in ids
        if i not in known
    ]
    if bad:
        raise ValidationError(bad, what="patterns")
    return [known[i] for i in ids]


def held_out_patterns(training: Iterable[str] = TRAINING_PATTERNS) -> list[Any]:
    """Every catalogue pattern not trained on, then :data:`sim.patterns.OUT_OF_SAMPLE_2026`.

    Parameters
    ----------
    training : iterable of str
        The training pattern ids (default :data:`TRAINING_PATTERNS`).

    Returns
    -------
    list of Pattern

    Examples
    --------
    >>> held = [p.id for p in held_out_patterns()]
    >>> "syria-rus-irn" in held, "strike-no-rescue" in held
    (True, False)
    """
    from sim.patterns import CATALOGUE, OUT_OF_SAMPLE_2026

    train = set(training)
    return [p for p in CATALOGUE if p.id not in train] + list(OUT_OF_SAMPLE_2026)


def episode_paths(names: Iterable[str]) -> list[Path]:
    """Episode files by name (a shipped episode, ``scenarios/history/NAME.toml``) or path;
    every problem at once.

    Names and paths are told apart by :func:`sim.worlds.resolve`, the rule every reader follows.

    Parameters
    ----------
    names : iterable of str
        Shipped episode names (:func:`sim.history.episode.list_episodes`) or paths of episode
        ``.toml`` files.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    ValidationError
        Listing every unknown name or missing file, with a "did you mean".

    Examples
    --------
    >>> [p.name for p in episode_paths(TRAINING_EPISODES)]
    ['egypt_realignment_1972.toml']
    """
    from sim.history.episode import list_episodes
    from sim.worlds import resolve, resolve_problem

    out, bad = [], []
    for n in names:
        problem = resolve_problem(n, "episode", where="--episodes")
        if problem is None:
            path = Path(resolve(n, "episode"))
            if path.is_file():
                out.append(path)
                continue
            problem = Problem(
                "--episodes",
                "no such episode file",
                n,
                "a shipped episode or an episode .toml file",
                suggest(path.stem, list_episodes()),
            )
        bad.append(problem)
    if bad:
        raise ValidationError(bad, what="episodes")
    return out


def criterion_distance(value: float, lo: float, hi: float) -> float:
    """How far `value` lies outside ``[lo, hi]``, in units of the interval's scale.

    The scale is the interval's width when both ends are finite, else the absolute value of
    the finite end (at least 0.01). 0 inside the interval; inf for NaN.

    Parameters
    ----------
    value : float
        The statistic.
    lo, hi : float
        The criterion's interval (either end may be infinite).

    Returns
    -------
    float

    Examples
    --------
    >>> round(criterion_distance(-0.5, -0.4, -0.1), 4), criterion_distance(-0.2, -0.4, -0.1)
    (0.3333, 0.0)
    >>> criterion_distance(0.2, -math.inf, 0.1)
    1.0
    """
    if math.isnan(value):
        return math.inf
    if math.isfinite(lo) and math.isfinite(hi):
        scale = hi - lo
    else:
        scale = max(abs(lo if math.isfinite(lo) else hi), 0.01)
    return max(lo - value, value - hi, 0.0) / scale


# =========================================================================================
# the simulator seam
# =========================================================================================
@dataclass
class EpisodeTarget:
    """One episode prepared for repeated scoring: its world, shocks and observed changes.

    Built once per run by ``from_files`` (which calls :func:`sim.history.hindcast` with
    one replicate to choose the dyads exactly as the hindcast does); :meth:`rho` then runs
    the paired ensemble with given parameters and returns the model's Spearman ρ
    (:meth:`rho_batch`: of several parameter vectors as rows of one engine batch).

    Parameters
    ----------
    name : str
        The episode's name.
    world : World
        The world of the episode's start year.
    shocks : list of Shock
        The episode's shocks in that world.
    months : int
        The horizon: the after-window's end.
    supplier, recipient : tuple of str
        The scored dyads.
    before, observed : numpy.ndarray
        Per dyad: the volume before, and the observed log change.
    sha256 : str
        The episode file's hash (for the provenance).

    Examples
    --------
    >>> from sim.shocks import RemoveState
    >>> from sim.worlds import synthetic
    >>> w = synthetic(8, rng=0)
    >>> ties = w.ties_in("supply")
    >>> e = EpisodeTarget("toy", w, [RemoveState(ties[0].supplier, at=0)], 3,
    ...                   tuple(t.supplier for t in ties), tuple(t.recipient for t in ties),
    ...                   np.array([t.volume for t in ties]),
    ...                   np.array([-1.0 if t.supplier == ties[0].supplier else 0.0 for t in ties]))
    >>> bool(e.rho(ModelParams(), [1]) > 0)
    True
    """

    name: str
    world: Any
    shocks: list[Any]
    months: int
    supplier: tuple[str, ...]
    recipient: tuple[str, ...]
    before: np.ndarray
    observed: np.ndarray
    sha256: str = ""

    @classmethod
    def from_files(
        cls, path: Path, *, sipri, alliances=None, capabilities=None, alliance_kind=None
    ) -> EpisodeTarget:
        import dataclasses

        from sim.history import hindcast, load_episode

        ep = load_episode(path)
        h = hindcast(
            dataclasses.replace(ep, replicates=1),
            sipri=sipri,
            alliances=alliances,
            capabilities=capabilities,
            alliance_kind=alliance_kind,
        )
        from sim.history.episode import episode_shocks

        shocks, _ = episode_shocks(ep, h.world)
        a, b = h.after_years
        d = h.dyads
        return cls(
            name=ep.name,
            world=h.world,
            shocks=shocks,
            months=12 * (b - a + 1),
            supplier=tuple(d["supplier"]),
            recipient=tuple(d["recipient"]),
            before=d["before"].to_numpy(float),
            observed=d["observed"].to_numpy(float),
            sha256=ep.sha256,
        )

    def rho(self, params: ModelParams, seeds: Sequence[int]) -> float:
        """The model's Spearman ρ against the observed changes, from paired runs on `seeds`.

        Parameters
        ----------
        params : ModelParams
        seeds : sequence of int
            One paired (shocked, baseline) run per seed.

        Returns
        -------
        float
        """
        from sim.model import AllianceModel

        ties = self.world.ties_in("supply")
        shocked, base = np.zeros(len(ties)), np.zeros(len(ties))
        for seed in seeds:
            for shocks, acc in ((self.shocks, shocked), ((), base)):
                m = AllianceModel(self.world, params=params, shocks=shocks, rng=int(seed))
                for _ in range(self.months):
                    m.step()
                    acc += m.delivered_array
        return self._rho(shocked, base)

    def rho_batch(self, params: Sequence[ModelParams], seeds: Sequence[Sequence[int]]) -> list:
        """:meth:`rho` of several parameter vectors, every paired run as a row of one batch.

        Parameters
        ----------
        params : sequence of ModelParams
            One per candidate.
        seeds : sequence of sequence of int
            Each candidate's paired seeds.

        Returns
        -------
        list of float
            Equal to ``[rho(p, s) for p, s in zip(params, seeds)]`` (the engine's rows equal
            the one-row model's runs; the deliveries are summed in the same order).
        """
        rows_p = [p for p, s in zip(params, seeds, strict=True) for _ in s]
        rows_s = [int(x) for s in seeds for x in s]
        if not rows_s:
            return [self.rho(p, ()) for p in params]
        from sim.history.hindcast import _run_arms_rows

        arms = _run_arms_rows(self.world, (self.shocks, []), self.months, rows_s, rows_p)
        out, r = [], 0
        for s in seeds:
            shocked, base = (np.zeros(arms[0].shape[2]) for _ in range(2))
            for _ in s:
                for a, acc in ((arms[0], shocked), (arms[1], base)):
                    for t in range(self.months):
                        acc += a[r, t]
                r += 1
            out.append(self._rho(shocked, base))
        return out

    def _rho(self, shocked: np.ndarray, base: np.ndarray) -> float:
        from sim.history.hindcast import log_change, spearman

        ties = self.world.ties_in("supply")
        ratio = np.divide(shocked, base, out=np.ones_like(shocked), where=base > 0)
        volume = np.array([t.volume for t in ties])
        index = {(t.supplier, t.recipient): k for k, t in enumerate(ties)}
        after = np.array(
            [
                volume[index[d]] * ratio[index[d]] if d in index else b0
                for d, b0 in zip(
                    zip(self.supplier, self.recipient, strict=True), self.before, strict=True
                )
            ]
        )
        return spearman(log_change(self.before, after), self.observed)


@dataclass
class PatternEpisodeSimulator:
    """Summary statistics of parameter vectors: pattern metrics and episode scores.

    Parameters
    ----------
    names : tuple of str
        The parameters a row of `thetas` sets (the rest keep their defaults).
    patterns : list of Pattern
        Each gives one statistic: its metric, averaged over `replicates` paired seeds.
    episodes : list of EpisodeTarget
        Each gives one statistic: the model's Spearman ρ.
    replicates : int
        Paired seeds per pattern statistic.
    episode_replicates : int
        Paired seeds per episode statistic.
    world : World, optional
        The patterns' world (default ``axis-2024``).

    Examples
    --------
    >>> sim = PatternEpisodeSimulator(("need_weight",),
    ...                               resolve_patterns(["strike-no-rescue"]), replicates=1)
    >>> sim.labels
    ['strike-no-rescue']
    >>> stats, errors = sim.simulate_batch(np.array([[0.5], [-1.0]]), [1, 2])
    >>> stats[0].tolist(), errors[0], "outside its plausible range" in errors[1]
    ([0.0], None, True)
    >>> sim.distance(stats).tolist()
    [0.0, inf]
    """

    names: tuple[str, ...]
    patterns: list[Any] = field(default_factory=list)
    episodes: list[EpisodeTarget] = field(default_factory=list)
    replicates: int = 2
    episode_replicates: int = 1
    world: Any = None

    def __post_init__(self):
        if self.world is None and self.patterns:
            from sim.worlds import load_world

            self.world = load_world()

    @property
    def labels(self) -> list[str]:
        """One label per statistic: pattern ids, then ``episode:NAME``."""
        return [p.id for p in self.patterns] + [f"episode:{e.name}" for e in self.episodes]

    def _params(self, theta: np.ndarray) -> ModelParams:
        return ModelParams().replace(
            **{n: float(v) for n, v in zip(self.names, theta, strict=True)}
        )

    def _seeds(self, seed: int) -> tuple[list[int], list[int]]:
        """A candidate's paired seeds: for the patterns, for the episodes."""
        children = np.random.SeedSequence(int(seed)).spawn(2)
        pseeds = [int(s) for s in children[0].generate_state(self.replicates)]
        eseeds = [int(s) for s in children[1].generate_state(self.episode_replicates)]
        return pseeds, eseeds

    def statistics(self, theta: np.ndarray, seed: int) -> np.ndarray:
        """The statistics of one parameter vector, run on its own (raises if the model fails).

        Parameters
        ----------
        theta : numpy.ndarray
            One value per name of ``names``.
        seed : int
            The candidate's seed: its paired pattern and episode seeds are spawned from it.

        Returns
        -------
        numpy.ndarray
            One value per label of :attr:`labels`; :meth:`simulate_batch` gives the same
            values for the same `theta` and `seed` with the candidates of a batch run together.

        Examples
        --------
        >>> sim = PatternEpisodeSimulator(("need_weight",),
        ...                               resolve_patterns(["strike-no-rescue"]), replicates=1)
        >>> sim.statistics(np.array([0.5]), seed=1).round(6).tolist()
        [0.0]
        """
        return self._batch_statistics([self._params(np.asarray(theta))], [int(seed)])[0]

    def _batch_statistics(self, params: Sequence[ModelParams], seeds: Sequence[int]):
        """Statistics of candidates run together: one batch per pattern shock set (and per
        episode arm) whose rows are every candidate's paired seeds."""
        from sim.patterns import SHOCK_AT, _metric_values, _simulate

        m = len(params)
        split = [self._seeds(s) for s in seeds]
        out = np.empty((m, len(self.labels)))
        if self.patterns:
            steps = SHOCK_AT + max(p.horizon for p in self.patterns)
            obs = [o for p in self.patterns for o in p.metric.observables()]
            rows_p = [p for p in params for _ in range(self.replicates)]
            rows_s = [x for pseeds, _ in split for x in pseeds]
            # the engine takes one parameter vector per row (sim.engine.Engine)
            base = _simulate(self.world, rows_p, rows_s, (), obs, steps)
            k = self.replicates
            for c, p in enumerate(self.patterns):
                vals = _metric_values(p, self.world, rows_p, rows_s, base)
                out[:, c] = [float(np.mean(vals[j * k : (j + 1) * k])) for j in range(m)]
        for c, e in enumerate(self.episodes, start=len(self.patterns)):
            out[:, c] = e.rho_batch(params, [eseeds for _, eseeds in split])
        return out

    def simulate_batch(self, thetas: np.ndarray, seeds: Sequence[int]):
        """Statistics per row of `thetas` (shape ``(n, len(labels))``) and the failures.

        The candidates run together: every pattern shock set, and each arm of every episode,
        is one batch of the engine whose rows are all candidates' paired seeds. A candidate
        whose parameters are invalid fails alone; if the batch itself raises, its candidates
        are rerun one by one (:meth:`statistics`) so that only the failing ones fail.

        Parameters
        ----------
        thetas : numpy.ndarray
            Shape ``(n, len(names))``.
        seeds : sequence of int
            One per row.

        Returns
        -------
        stats : numpy.ndarray
            Shape ``(n, len(labels))``; a row whose model raises is NaN.
        errors : list of str or None
            Per row: the traceback (or ``"nan statistic: LABELS"``) of a failed row, else None.

        Examples
        --------
        >>> sim = PatternEpisodeSimulator(("need_weight",),
        ...                               resolve_patterns(["iran-removal-houthis"]))
        >>> stats, errors = sim.simulate_batch(np.array([[0.2], [1.5]]), [1, 1])
        >>> errors, bool(stats[1, 0] < stats[0, 0] < 0)
        ([None, None], True)
        """
        thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
        stats = np.full((len(thetas), len(self.labels)), np.nan)
        errors: list[str | None] = [None] * len(thetas)
        params: dict[int, ModelParams] = {}
        for i, theta in enumerate(thetas):
            try:
                params[i] = self._params(theta)
            except Exception:  # a failing candidate never sinks the batch: recorded, rejected
                errors[i] = traceback.format_exc()
        ok = list(params)
        if ok:
            try:
                stats[ok] = self._batch_statistics(
                    [params[i] for i in ok], [int(seeds[i]) for i in ok]
                )
            except Exception:  # one row's failure: rerun alone, so only it fails
                for i in ok:
                    try:
                        stats[i] = self.statistics(thetas[i], int(seeds[i]))
                    except Exception:
                        errors[i] = traceback.format_exc()
        for i in ok:
            if errors[i] is None and np.isnan(stats[i]).any():
                errors[i] = "nan statistic: " + ", ".join(
                    lab for lab, v in zip(self.labels, stats[i], strict=True) if np.isnan(v)
                )
        return stats, errors

    def distance(self, stats: np.ndarray) -> np.ndarray:
        """Euclidean norm of the scaled distances of each row (inf for a NaN row).

        A pattern contributes :func:`criterion_distance` of its statistic to its criterion; an
        episode contributes ``(1 - rho) / 2`` (0 for perfect rank agreement, 1 for reversed).
        """
        stats = np.atleast_2d(stats)
        cols: list[list[float] | np.ndarray] = []
        for k, p in enumerate(self.patterns):
            lo, hi = p.criterion.lo, p.criterion.hi
            cols.append([criterion_distance(v, lo, hi) for v in stats[:, k]])
        for k in range(len(self.patterns), stats.shape[1]):
            cols.append(np.where(np.isnan(stats[:, k]), np.inf, (1 - stats[:, k]) / 2))
        if not cols:
            return np.zeros(len(stats))
        d = np.asarray(cols, dtype=float).T
        return np.sqrt((d**2).sum(axis=1))


# =========================================================================================
# ABC-SMC
# =========================================================================================
@dataclass(frozen=True)
class Failure:
    """A candidate whose simulation raised or returned NaN (recorded, counted as rejected).

    Parameters
    ----------
    generation, candidate : int
        Where it was proposed (candidate index counted over the generation's batches).
    seed : int
        Its simulation seed.
    theta : tuple of float
        Its parameter vector.
    error : str
        The traceback, or ``"nan statistic: LABELS"``.

    Examples
    --------
    >>> Failure(1, 7, 42, (0.5, 0.1), "nan statistic: strike-no-rescue").candidate
    7
    """

    generation: int
    candidate: int
    seed: int
    theta: tuple[float, ...]
    error: str


@dataclass
class ABCResult:
    """What :func:`abc_smc` returns.

    Attributes
    ----------
    names : tuple of str
    particles : list of numpy.ndarray
        Per complete generation, the accepted parameter vectors ``(n, dim)``.
    weights : list of numpy.ndarray
        Their normalised importance weights.
    distances, statistics : list of numpy.ndarray
        Their distances and summary statistics.
    history : list of dict
        Per complete generation: ``generation, epsilon, accepted, simulations`` (run, whole
        batches), ``examined`` (candidates looked at before the generation completed; the
        rest of the last batch is discarded), ``acceptance_rate`` (accepted / examined),
        ``ess, seconds``.
    failures : list of Failure
    simulations : int
        All simulations run, including those of an unfinished last generation.
    stop : str
        Why it stopped: ``"generations"``, ``"epsilon"``, ``"budget"``, ``"acceptance"``.

    Examples
    --------
    >>> res = ABCResult(("a",), [np.array([[0.2], [0.4], [0.9]])], [np.array([0.5, 0.3, 0.2])])
    >>> res.median()
    {'a': 0.325}
    >>> res.quantiles([0.5, 0.95]).shape
    (2, 1)
    """

    names: tuple[str, ...]
    particles: list[np.ndarray] = field(default_factory=list)
    weights: list[np.ndarray] = field(default_factory=list)
    distances: list[np.ndarray] = field(default_factory=list)
    statistics: list[np.ndarray] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    simulations: int = 0
    stop: str = ""

    @property
    def final(self) -> tuple[np.ndarray, np.ndarray]:
        """The last complete generation's particles and weights."""
        return self.particles[-1], self.weights[-1]

    def quantiles(self, q: Sequence[float]) -> np.ndarray:
        """Weighted quantiles of each parameter in the last generation, shape ``(len(q), dim)``."""
        from pyabc.weighted_statistics import weighted_quantile

        x, w = self.final
        return np.array(
            [[weighted_quantile(x[:, j], w, alpha=a) for j in range(x.shape[1])] for a in q]
        )

    def median(self) -> dict[str, float]:
        """Weighted posterior median of each parameter (the chosen defaults)."""
        return dict(zip(self.names, (float(v) for v in self.quantiles([0.5])[0]), strict=True))


def _evaluate_chunk(simulate_batch, item):
    start, thetas, seeds = item
    stats, errors = simulate_batch(thetas, seeds)
    return start, stats, errors


def _ess(w: np.ndarray) -> float:
    from pyabc.weighted_statistics import effective_sample_size

    return float(effective_sample_size(w)) if len(w) else 0.0


def abc_smc(
    simulate_batch: Callable[[np.ndarray, Sequence[int]], tuple[np.ndarray, list]],
    distance: Callable[[np.ndarray], np.ndarray],
    prior: BoxPrior,
    *,
    population: int = 100,
    generations: int = 5,
    budget: int | None = None,
    min_acceptance: float = 0.01,
    target_ess: float | None = None,
    min_epsilon: float = 0.0,
    quantile: float = 0.5,
    batch_size: int | None = None,
    seed: int = 0,
    executor=None,
    progress: Callable[[str], None] | None = None,
    on_generation: Callable[[ABCResult], None] | None = None,
    resume: ABCResult | None = None,
) -> ABCResult:
    """Approximate Bayesian computation by sequential Monte Carlo, reproducible on any executor.

    Parameters
    ----------
    simulate_batch : callable
        ``simulate_batch(thetas, seeds) -> (stats, errors)``: picklable; one row of statistics
        per row of `thetas`, and per row None or the failure's text.
    distance : callable
        ``distance(stats) -> array``, one distance per row (inf for a failed row).
    prior : BoxPrior
    population : int
        Particles per generation.
    generations : int
        At most this many generations (the first samples the prior: its epsilon is inf).
    budget : int, optional
        Total simulations; checked after every batch, so a generation that would exceed it
        stops part-way and the last complete generation is the result.
    min_acceptance : float
        Stop as soon as the current generation has run ``population / min_acceptance``
        simulations without completing (its acceptance rate can then only be below this).
    target_ess : float, optional
        A generation also needs this effective sample size of its accepted particles (it keeps
        accepting beyond `population` until it reaches it).
    min_epsilon : float
        Stop after a generation whose epsilon is at most this.
    quantile : float
        Epsilon of a generation: this weighted quantile of the previous generation's distances.
    batch_size : int, optional
        Candidates proposed at once (default: `population`). Fixed for reproducibility: the
        result depends on it, not on the executor.
    seed : int
        Root of every random stream: proposal batch ``(t, b)`` draws from
        ``SeedSequence(seed, spawn_key=(t, b))``, which also gives each candidate its seed.
    executor : sim.executors.Executor, optional
        Default: serial. Each batch is split in ``executor.workers`` chunks.
    progress : callable, optional
        Called with one line per generation.
    on_generation : callable, optional
        Called with the result after each complete generation (e.g. to write checkpoints).
    resume : ABCResult, optional
        The complete generations of an interrupted run with the same arguments (see
        :func:`load_checkpoint`): the run continues after them, with the same random streams,
        so the result equals that of an uninterrupted run.

    Returns
    -------
    ABCResult

    Notes
    -----
    Proposals after the first generation draw a particle by weight and perturb it with the
    multivariate normal kernel pyabc fits (:class:`pyabc.transition.MultivariateNormalTransition`,
    Silverman's bandwidth), redrawing outside the prior's support; weights are
    ``prior(θ) / Σ_j w_j K(θ | θ_j)``, normalised. Candidates of a batch are accepted in index
    order; those after the one that completes a generation are simulated but discarded, so
    the result never depends on the order in which an executor returns chunks. A failed
    candidate (exception or NaN) has distance inf: it is recorded in ``failures`` and counts
    as a rejected simulation in the acceptance rate.

    Examples
    --------
    A toy model, ``y = theta + noise``, observed at 0.3:

    >>> def simulate(thetas, seeds):
    ...     noise = [np.random.default_rng(s).normal(0, 0.05) for s in seeds]
    ...     return np.asarray(thetas) + np.array(noise)[:, None], [None] * len(seeds)
    >>> res = abc_smc(simulate, lambda y: np.abs(y[:, 0] - 0.3),
    ...               BoxPrior(("a",), (0.0,), (1.0,)), population=50, generations=3, seed=1)
    >>> res.stop, len(res.particles), abs(res.median()["a"] - 0.3) < 0.1
    ('generations', 3, True)
    """
    import pandas as pd
    from pyabc.transition import MultivariateNormalTransition
    from pyabc.weighted_statistics import weighted_quantile

    from sim.executors import SerialExecutor

    if population < 1 or generations < 1:
        raise ValueError("population and generations must be >= 1")
    if not 0 < min_acceptance <= 1:
        raise ValueError("min_acceptance must be in (0, 1]")
    executor = executor or SerialExecutor()
    batch_size = batch_size or population
    chunks = max(1, min(executor.workers, batch_size))
    fn = functools.partial(_evaluate_chunk, simulate_batch)
    res = ABCResult(names=prior.names)
    epsilon = math.inf
    start = 0
    if resume is not None and resume.particles:
        if tuple(resume.names) != tuple(prior.names):
            raise ValueError(f"cannot resume a fit of {resume.names} as one of {prior.names}")
        res = resume
        res.simulations = sum(h["simulations"] for h in res.history)
        start = len(res.particles)
        last = res.history[-1]
        if last["epsilon"] <= min_epsilon:
            res.stop = "epsilon"
            return res
        if budget is not None and res.simulations >= budget:
            res.stop = "budget"
            return res
        if start >= generations:
            res.stop = "generations"
            return res
    for t in range(start, generations):
        t0 = time.perf_counter()
        kernel = None
        if t > 0:
            x_prev, w_prev = res.final
            kernel = MultivariateNormalTransition()
            kernel.fit(pd.DataFrame(x_prev, columns=list(prior.names)), w_prev)
            epsilon = float(weighted_quantile(res.distances[-1], w_prev, alpha=quantile))
        acc_x, acc_w, acc_d, acc_s = [], [], [], []
        sims = 0
        stop = ""
        b = 0
        while True:
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(t, b)))
            thetas = _propose(prior, batch_size, rng, res.final if t else None, kernel)
            seeds = rng.integers(0, 2**63 - 1, size=batch_size, dtype=np.int64).tolist()
            bounds = np.linspace(0, batch_size, chunks + 1).astype(int)
            items = [
                (int(lo), thetas[lo:hi], seeds[lo:hi])
                for lo, hi in itertools.pairwise(bounds)
                if hi > lo
            ]
            stats = None
            errors: list[str | None] = [None] * batch_size
            for start, s, e in executor.imap_unordered(fn, items):
                if stats is None:
                    stats = np.full((batch_size, s.shape[1]), np.nan)
                stats[start : start + len(s)] = s
                errors[start : start + len(e)] = e
            assert stats is not None
            dist = np.asarray(distance(stats), dtype=float)
            dist[[e is not None for e in errors]] = np.inf
            if kernel is not None:
                frame = pd.DataFrame(thetas, columns=list(prior.names))
                weights = prior.pdf(thetas) / np.atleast_1d(kernel.pdf(frame))
            else:
                weights = np.ones(batch_size)
            done = False
            for i in range(batch_size):  # index order: the same on every executor
                sims += 1
                error = errors[i]
                if error is not None:
                    res.failures.append(
                        Failure(
                            t,
                            b * batch_size + i,
                            int(seeds[i]),
                            tuple(map(float, thetas[i])),
                            error,
                        )
                    )
                elif dist[i] <= epsilon:
                    acc_x.append(thetas[i])
                    acc_w.append(weights[i])
                    acc_d.append(dist[i])
                    acc_s.append(stats[i])
                    w = np.asarray(acc_w) / np.sum(acc_w)
                    if len(acc_x) >= population and (target_ess is None or _ess(w) >= target_ess):
                        done = True
                        break
            res.simulations += batch_size  # every candidate of the batch ran
            b += 1
            if done:
                break
            if budget is not None and res.simulations >= budget:
                stop = "budget"
            elif t > 0 and sims >= population / min_acceptance:
                stop = "acceptance"
            if stop:
                break
        if stop:
            res.stop = stop
            if progress:
                progress(
                    f"generation {t}: stopped part-way ({stop}) after {b * batch_size} "
                    f"simulations, {len(acc_x)} accepted"
                )
            break
        w = np.asarray(acc_w) / np.sum(acc_w)
        res.particles.append(np.asarray(acc_x))
        res.weights.append(w)
        res.distances.append(np.asarray(acc_d))
        res.statistics.append(np.asarray(acc_s))
        res.history.append(
            {
                "generation": t,
                "epsilon": epsilon,
                "accepted": len(acc_x),
                "simulations": b * batch_size,
                "examined": sims,
                "acceptance_rate": len(acc_x) / sims,
                "ess": _ess(w),
                "seconds": time.perf_counter() - t0,
            }
        )
        if progress:
            h = res.history[-1]
            progress(
                f"generation {t}: epsilon {h['epsilon']:.4g}, {h['simulations']} simulations "
                f"({sims} examined), "
                f"acceptance {h['acceptance_rate']:.2f}, ESS {h['ess']:.1f}, "
                f"{h['seconds']:.1f} s (total {res.simulations})"
            )
        if on_generation:
            on_generation(res)
        if epsilon <= min_epsilon:
            res.stop = "epsilon"
            break
        if budget is not None and res.simulations >= budget:
            res.stop = "budget"
            break
    else:
        res.stop = "generations"
    if not res.particles:
        raise ValidationError(
            [
                Problem(
                    "calibration",
                    f"no generation completed (stopped: {res.stop})",
                    res.simulations,
                    "a larger --budget, or a smaller --population",
                )
            ],
            what="calibration",
        )
    return res


def _propose(prior: BoxPrior, n: int, rng: np.random.Generator, last, kernel) -> np.ndarray:
    """`n` candidates: prior draws, or weighted particles perturbed by the kernel's normal."""
    if last is None:
        return prior.sample(n, rng)
    x, w = last
    cov = np.atleast_2d(kernel.cov)
    out = np.empty((n, prior.dim))
    todo = np.arange(n)
    for _ in range(1000):
        j = rng.choice(len(x), size=len(todo), p=w)
        y = x[j] + rng.multivariate_normal(
            np.zeros(prior.dim), cov, size=len(todo), method="cholesky" if _pd(cov) else "svd"
        )
        ok = prior.inside(y)
        out[todo[ok]] = y[ok]
        todo = todo[~ok]
        if not len(todo):
            return out
    # a kernel so wide that 1000 rounds never land inside: fall back to the prior
    out[todo] = prior.sample(len(todo), rng)
    return out


def _pd(cov: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return False
    return True


# =========================================================================================
# outputs
# =========================================================================================
def _write(path: Path, write: Callable[[Path], object]) -> None:
    """The one place outputs reach the disk (atomically; to become the unified store's call)."""
    from sim._files import atomic_write

    atomic_write(path, write)


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _git_commit() -> str:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            timeout=10,
            check=False,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def posterior_frame(res: ABCResult):
    """Every complete generation's particles: ``generation, particle, <names>, weight, distance``.

    :func:`write_checkpoint` stores them with the statistics as ``stat:<label>`` columns.

    Parameters
    ----------
    res : ABCResult

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> res = ABCResult(("a",), [np.array([[0.5], [0.7]])], [np.array([0.5, 0.5])],
    ...                 [np.array([0.1, 0.2])])
    >>> posterior_frame(res).columns.tolist()
    ['generation', 'particle', 'a', 'weight', 'distance']
    """
    import pandas as pd

    frames = []
    for g, (x, w, d) in enumerate(zip(res.particles, res.weights, res.distances, strict=True)):
        f = pd.DataFrame(x, columns=list(res.names))
        f.insert(0, "particle", np.arange(len(x)))
        f.insert(0, "generation", g)
        f["weight"], f["distance"] = w, d
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _generation_key(g: int, table: str) -> str:
    return f"g{g:04d}-{table}"


def _open_standalone(out: str | Path, names: Sequence[str], labels: Sequence[str]):
    from sim.store import Store

    return Store.open(
        out,
        "calibration",
        {"parameters": list(names), "statistics": list(labels)},
        resume=True,
    )


def write_checkpoint(out: Any, res: ABCResult, labels: Sequence[str] = ()) -> None:
    """Store the generations of `res` not stored yet, and the failures, as store parts.

    Per generation ``g``: part ``gNNNN-particles`` (``generation, particle``, the parameters,
    ``weight``, ``distance`` and ``stat:<label>`` per statistic), ``gNNNN-failures`` (when a
    candidate failed) and ``gNNNN-history`` (its history row), written last: a generation
    counts as stored once its history part is. The failures of a generation cut short are
    stored too (a resume reruns that generation and replaces them).

    Parameters
    ----------
    out : sim.store.Store or path
        An open calibration store; a path is opened as one (``resume=True``) for this call.
    res : ABCResult
    labels : sequence of str
        The statistics' labels (columns ``stat:<label>``).

    Examples
    --------
    >>> import tempfile
    >>> res = ABCResult(("a",), [np.array([[0.5]])], [np.array([1.0])], [np.array([0.1])],
    ...                 [np.array([[2.0]])], [{"generation": 0, "epsilon": math.inf}])
    >>> root = tempfile.mkdtemp()
    >>> write_checkpoint(root, res, ["y"])
    >>> load_checkpoint(root, ["a"]).particles
    [array([[0.5]])]
    """
    from sim.store import Store

    if not isinstance(out, Store):
        with _open_standalone(out, res.names, labels) as store:
            write_checkpoint(store, res, labels)
        return
    import pandas as pd

    stored = out.keys()
    by_gen: dict[int, list[Failure]] = {}
    for f in res.failures:
        by_gen.setdefault(f.generation, []).append(f)
    for g in range(len(res.particles) + 1):
        if _generation_key(g, "history") in stored:
            continue
        if by_gen.get(g):
            fail = pd.DataFrame(
                [
                    {
                        "generation": f.generation,
                        "candidate": f.candidate,
                        "seed": f.seed,
                        **dict(zip(res.names, f.theta, strict=True)),
                        "error": f.error,
                    }
                    for f in by_gen[g]
                ]
            )
            out.write_part(_generation_key(g, "failures"), fail)
        if g == len(res.particles):
            break
        x, w, d = res.particles[g], res.weights[g], res.distances[g]
        post = pd.DataFrame(x, columns=list(res.names))
        post.insert(0, "particle", np.arange(len(x)))
        post.insert(0, "generation", g)
        post["weight"], post["distance"] = w, d
        if labels:
            for k, lab in enumerate(labels):
                post[f"stat:{lab}"] = np.asarray(res.statistics[g])[:, k]
        out.write_part(_generation_key(g, "particles"), post)
        out.write_part(_generation_key(g, "history"), pd.DataFrame([res.history[g]]))


def _complete_generations(store) -> int:
    keys = store.keys()
    g = 0
    while _generation_key(g, "history") in keys and _generation_key(g, "particles") in keys:
        g += 1
    return g


def read_tables(out: Any) -> dict[str, Any]:
    """The tables of a calibration store: posterior, history, failures, predictive draws.

    Parameters
    ----------
    out : sim.store.Store or path
        A directory written by :func:`calibrate` (or :func:`write_checkpoint`).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``posterior`` (every complete generation: ``generation, particle``, the parameters,
        ``weight``, ``distance``, ``stat:<label>``), ``history`` (one row per complete
        generation), ``failures`` (every failed candidate stored, possibly empty) and, once
        the predictive ran, ``predictive_draws`` (``draw, target, value, error``).

    Examples
    --------
    >>> import tempfile
    >>> res = ABCResult(("a",), [np.array([[0.5]])], [np.array([1.0])], [np.array([0.1])],
    ...                 [np.array([[2.0]])], [{"generation": 0, "epsilon": math.inf}])
    >>> root = tempfile.mkdtemp()
    >>> write_checkpoint(root, res, ["y"])
    >>> t = read_tables(root)
    >>> t["posterior"].columns.tolist(), len(t["history"]), len(t["failures"])
    (['generation', 'particle', 'a', 'weight', 'distance', 'stat:y'], 1, 0)
    """
    import pandas as pd

    from sim.store import Store

    store = out if isinstance(out, Store) else Store(out, "calibration")
    n = _complete_generations(store)
    keys = store.keys()
    tables: dict[str, Any] = {}
    if n:
        tables["posterior"] = store.read([_generation_key(g, "particles") for g in range(n)])
        tables["history"] = store.read([_generation_key(g, "history") for g in range(n)])
    else:
        tables["posterior"], tables["history"] = pd.DataFrame(), pd.DataFrame()
    fail_keys = sorted(k for k in keys if k.endswith("-failures"))
    tables["failures"] = (
        store.read(fail_keys)
        if fail_keys
        else pd.DataFrame(columns=["generation", "candidate", "seed", "error"])
    )
    if "predictive-draws" in keys:
        tables["predictive_draws"] = store.read(["predictive-draws"])
    return tables


def load_checkpoint(out: Any, names: Sequence[str]) -> ABCResult | None:
    """The complete generations stored by :func:`write_checkpoint`, or None if there are none.

    Failures of a generation that did not complete are dropped: resuming reruns it.

    Parameters
    ----------
    out : sim.store.Store or path
    names : sequence of str
        The parameters' names (the posterior's columns).

    Returns
    -------
    ABCResult or None

    Examples
    --------
    >>> import tempfile
    >>> load_checkpoint(tempfile.mkdtemp(), ["a"]) is None
    True
    """
    from sim.store import Store

    store = out if isinstance(out, Store) else Store(out, "calibration")
    if not _complete_generations(store):
        return None
    t = read_tables(store)
    post, hist, fail = t["posterior"], t["history"], t["failures"]
    res = ABCResult(names=tuple(names))
    stat_cols = [c for c in post.columns if c.startswith("stat:")]
    for g in range(len(hist)):
        f = post[post["generation"] == g].sort_values("particle")
        res.particles.append(f[list(names)].to_numpy(float))
        res.weights.append(f["weight"].to_numpy(float))
        res.distances.append(f["distance"].to_numpy(float))
        res.statistics.append(f[stat_cols].to_numpy(float))
    res.history = [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in hist.to_dict("records")
    ]
    for r in fail[fail["generation"] < len(hist)].itertuples(index=False):
        d = r._asdict()
        res.failures.append(
            Failure(
                int(d["generation"]),
                int(d["candidate"]),
                int(d["seed"]),
                tuple(float(d[n]) for n in names),
                str(d["error"]),
            )
        )
    return res


def plot_pairs(res: ABCResult, prior: BoxPrior, *, ax=None, **kwargs):
    """Pairs plot of the last generation: weighted histograms over the flat prior on the
    diagonal, weighted particles below it; axes span the prior ranges.

    Parameters
    ----------
    res : ABCResult
    prior : BoxPrior
        The priors (axis ranges and the flat densities drawn dashed).
    ax : array of matplotlib.axes.Axes, optional
        ``dim × dim`` axes to draw into (default: a new figure).
    **kwargs
        Passed to the scatter plots.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        Shape ``(dim, dim)``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> res = ABCResult(("need_weight", "capability_rate"),
    ...                 [np.array([[0.4, 0.1], [0.6, 0.2]])], [np.array([0.5, 0.5])])
    >>> plot_pairs(res, prior()).shape
    (2, 2)
    """
    import matplotlib.pyplot as plt

    x, w = res.final
    d = prior.dim
    if ax is None:
        _, ax = plt.subplots(d, d, figsize=(2.8 * d + 0.6, 2.8 * d + 0.3), squeeze=False)
    ax = np.asarray(ax).reshape(d, d)
    med = res.quantiles([0.5])[0]
    for i in range(d):
        for j in range(d):
            a = ax[i, j]
            lo_j, hi_j = prior.lows[j], prior.highs[j]
            if i == j:
                a.hist(
                    x[:, i],
                    bins=20,
                    range=(lo_j, hi_j),
                    weights=w,
                    density=True,
                    color="C0",
                    alpha=0.7,
                    label="posterior",
                )
                a.axhline(1 / (hi_j - lo_j), color="0.4", ls="--", label="prior")
                a.axvline(med[i], color="C3", lw=1, label="median")
                a.set_yticks([])
            elif i > j:
                a.scatter(x[:, j], x[:, i], s=8 + 400 * w, alpha=0.5, color="C0", **kwargs)
                a.set_ylim(prior.lows[i], prior.highs[i])
            else:
                a.axis("off")
                continue
            a.set_xlim(lo_j, hi_j)
            if i == d - 1:
                a.set_xlabel(prior.names[j])
            if j == 0 and i > 0:
                a.set_ylabel(prior.names[i])
    ax[0, 0].legend(fontsize=7, loc="upper right")
    return ax


def _save_figure(out: Path, res: ABCResult, prior: BoxPrior) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = plot_pairs(res, prior)
    fig = ax[0, 0].figure
    fig.suptitle(
        f"ABC-SMC posterior, generation {len(res.particles) - 1} (flat priors dashed)", fontsize=9
    )
    fig.tight_layout()
    _write(out / "pairs.png", lambda p: fig.savefig(p, format="png", dpi=110))
    plt.close(fig)


def _predict_item(item):
    """One posterior draw on the held-out targets (module level: picklable)."""
    k, theta, seed, names, pattern_ids, oos_ids, episodes = item
    from sim.patterns import OUT_OF_SAMPLE_2026, OUT_OF_SAMPLE_WORLD, evaluate_catalogue
    from sim.worlds import load_world

    params = ModelParams().replace(**{n: float(v) for n, v in zip(names, theta, strict=True)})
    oos = {p.id: p for p in OUT_OF_SAMPLE_2026}
    rows: list[tuple[str, float, str | None]] = []  # id, statistic, traceback of a failure
    groups = (
        (resolve_patterns(pattern_ids), None),
        ([oos[i] for i in oos_ids], load_world(OUT_OF_SAMPLE_WORLD) if oos_ids else None),
    )
    for patterns, world in groups:
        if not patterns:
            continue
        try:  # one shared baseline per seed for all the patterns of a world
            got = evaluate_catalogue(
                patterns, params=params, seeds=[seed], world=world, tie_models=()
            )
            rows += [(r.pattern.id, float(r.values[0]), None) for r in got]
        except Exception:  # recorded; the policy: a failed draw counts as not meeting it
            rows += [(p.id, math.nan, traceback.format_exc()) for p in patterns]
    for e in episodes:
        try:
            rows.append((f"episode:{e.name}", e.rho(params, [seed]), None))
        except Exception:
            rows.append((f"episode:{e.name}", math.nan, traceback.format_exc()))
    return k, rows


def posterior_predictive(
    res: ABCResult, patterns, episodes, *, draws: int, seed: int, executor=None, progress=None
):
    """Held-out targets at `draws` posterior draws (one paired seed each).

    Parameters
    ----------
    res : ABCResult
        Draws are taken from its last generation, by weight.
    patterns : list of Pattern
        Held-out patterns (catalogue ones on ``axis-2024``, 2026 ones on their world).
    episodes : list of EpisodeTarget
        Held-out episodes.
    draws : int
        Posterior draws.
    seed : int
        Root of the draws and their simulation seeds.
    executor : sim.executors.Executor, optional
        Default: serial.
    progress : callable, optional
        Called with one line per draw.

    Returns
    -------
    values : pandas.DataFrame
        ``draw, target, value, error``: one row per draw and target; a failed model gives
        NaN and its traceback.

    Examples
    --------
    >>> res = ABCResult(("need_weight",), [np.array([[0.5]])], [np.array([1.0])])
    >>> v = posterior_predictive(res, resolve_patterns(["strike-no-rescue"]), [], draws=1,
    ...                          seed=0)
    >>> v[["draw", "target"]].values.tolist(), bool(v["error"].isna().all())
    ([[0, 'strike-no-rescue']], True)
    """
    import pandas as pd

    from sim.executors import SerialExecutor
    from sim.patterns import OUT_OF_SAMPLE_2026

    executor = executor or SerialExecutor()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(10_000,)))
    x, w = res.final
    pick = rng.choice(len(x), size=draws, p=w)
    seeds = rng.integers(0, 2**31 - 1, size=draws).tolist()
    oos = {p.id for p in OUT_OF_SAMPLE_2026}
    cat = tuple(p.id for p in patterns if p.id not in oos)
    oos_ids = tuple(p.id for p in patterns if p.id in oos)
    items = [
        (k, x[pick[k]], int(seeds[k]), res.names, cat, oos_ids, episodes) for k in range(draws)
    ]
    rows = []
    for n, (k, got) in enumerate(executor.imap_unordered(_predict_item, items), 1):
        rows += [{"draw": k, "target": t, "value": v, "error": e} for t, v, e in got]
        if progress:
            progress(f"posterior predictive: {n}/{draws} draws")
    return pd.DataFrame(rows).sort_values(["draw", "target"], kind="stable", ignore_index=True)


def predictive_table(values, patterns, episodes):
    """Per held-out target: 5%, 50%, 95% of the posterior predictive, the criterion, the share
    of draws meeting it and whether the pattern holds (its share threshold; ``open`` for an open
    question; episodes: the share of draws with ρ > 0).

    NaN draws (failed models) are left out of the quantiles and count as not meeting the
    criterion; ``failed`` says how many there were.

    Parameters
    ----------
    values : pandas.DataFrame
        From :func:`posterior_predictive`.
    patterns : list of Pattern
    episodes : list of EpisodeTarget

    Returns
    -------
    pandas.DataFrame
        ``target, q05, median, q95, percent, criterion, need, share, holds, draws, failed``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = resolve_patterns(["iran-removal-houthis"])
    >>> values = pd.DataFrame({"draw": [0, 1], "target": [p[0].id] * 2,
    ...                        "value": [-0.2, math.nan], "error": [None, "Traceback..."]})
    >>> t = predictive_table(values, p, [])
    >>> t[["median", "share", "draws", "failed"]].values.tolist()
    [[-0.2, 0.5, 2.0, 1.0]]
    """
    import pandas as pd

    rows = []
    for p in patterns:
        v = values.loc[values["target"] == p.id, "value"].to_numpy(float)
        ok = np.array([p.criterion.holds(x) for x in v])
        share = float(ok.mean()) if len(v) else math.nan
        holds = "open" if p.open_question else ("yes" if share >= p.share else "no")
        rows.append(
            _row(
                p.id,
                v,
                p.criterion.format(p.percent),
                f"≥ {p.share:.0%} of draws",
                share,
                holds,
                p.percent,
            )
        )
    for e in episodes:
        v = values.loc[values["target"] == f"episode:{e.name}", "value"].to_numpy(float)
        share = float(np.mean(v > 0)) if len(v) else math.nan
        rows.append(
            _row(
                f"episode:{e.name}",
                v,
                "Spearman ρ > 0",
                "reported",
                share,
                "yes" if share >= 0.8 else "no",
                False,
            )
        )
    return pd.DataFrame(rows)


def _row(target, v, criterion, need, share, holds, percent):
    f = v[np.isfinite(v)] if len(v) else v
    q = np.quantile(f, [0.05, 0.5, 0.95]) if len(f) else [math.nan] * 3
    return {
        "target": target,
        "q05": q[0],
        "median": q[1],
        "q95": q[2],
        "percent": percent,
        "criterion": criterion,
        "need": need,
        "share": share,
        "holds": holds,
        "draws": len(v),
        "failed": int(len(v) - len(f)),
    }


def predictive_markdown(table) -> str:
    """The predictive table as Markdown (relative metrics in %).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`predictive_table`.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> p = resolve_patterns(["iran-removal-houthis"])
    >>> values = pd.DataFrame({"draw": [0], "target": [p[0].id], "value": [-0.2],
    ...                        "error": [None]})
    >>> print(predictive_markdown(predictive_table(values, p, [])).splitlines()[2])
    ... # doctest: +ELLIPSIS
    | `iran-removal-houthis` | -20% | -20% | -20% | ... | 1.00 | ... |
    """
    lines = [
        "| held-out target | 5% | median | 95% | criterion | share meeting it | holds |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        k, u = (100.0, "%") if r.percent else (1.0, "")
        q = " | ".join(
            "nan" if not math.isfinite(x) else f"{x * k:+.3g}{u}" for x in (r.q05, r.median, r.q95)
        )
        lines.append(f"| `{r.target}` | {q} | {r.criterion} | {r.share:.2f} | {r.holds} |")
    return "\n".join(lines) + "\n"


def defaults_toml(res: ABCResult, provenance: Mapping[str, Any]) -> str:
    """The chosen defaults (weighted posterior median of the last generation) with provenance.

    Parameters
    ----------
    res : ABCResult
    provenance : mapping
        Written under ``[provenance]``; a nested mapping becomes its own table.

    Returns
    -------
    str
        TOML: ``[params]`` (each median with its 90 % interval and the current default), then
        ``[provenance]``.

    Examples
    --------
    >>> res = ABCResult(("need_weight",), [np.array([[0.4], [0.6]])], [np.array([0.5, 0.5])])
    >>> print(defaults_toml(res, {"seed": 0}).split("[params]")[1].strip())
    need_weight = 0.5  # 90% interval [0.4, 0.6]; current default 0.5
    <BLANKLINE>
    [provenance]
    statistic = "weighted posterior median"
    seed = 0
    """
    q = res.quantiles([0.05, 0.5, 0.95])
    defaults = ModelParams()
    lines = [
        "# Defaults suggested by `alliance-sim calibrate`: the weighted posterior median of the",
        "# last ABC-SMC generation. Not adopted in ModelParams: adopting them is a team decision.",
        "[params]",
    ]
    for j, n in enumerate(res.names):
        lines.append(
            f"{n} = {q[1, j]:.6g}  # 90% interval [{q[0, j]:.4g}, {q[2, j]:.4g}]; "
            f"current default {getattr(defaults, n)}"
        )
    lines += ["", "[provenance]", 'statistic = "weighted posterior median"']
    for k, v in provenance.items():
        if isinstance(v, Mapping):
            continue
        lines.append(f"{k} = {_toml_value(v)}")
    for k, v in provenance.items():
        if isinstance(v, Mapping):
            lines += ["", f"[provenance.{k}]"]
            lines += [f'"{kk}" = {_toml_value(vv)}' for kk, vv in v.items()]
    return "\n".join(lines) + "\n"


def _toml_value(v) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v))


def calibrate(
    out: str | Path,
    *,
    patterns: Sequence[str] = TRAINING_PATTERNS,
    episodes: Sequence[str] = TRAINING_EPISODES,
    held_out_episodes: Sequence[str] = HELD_OUT_EPISODES,
    data: Mapping[str, Any] | None = None,
    parameters: Sequence[str] = tuple(CALIBRATED),
    population: int = 40,
    generations: int = 3,
    budget: int | None = 400,
    min_acceptance: float = 0.02,
    target_ess: float | None = None,
    replicates: int = 2,
    episode_replicates: int = 1,
    predictive_draws: int = 10,
    seed: int = 0,
    executor=None,
    command: str = "",
    progress: Callable[[str], None] | None = None,
    resume: bool = False,
    wait: bool | float = False,
) -> dict[str, Any]:
    """Fit `parameters` by ABC-SMC and write every output to `out` (see docs/calibration.md).

    Parameters
    ----------
    out : path
        A results store of kind ``calibration`` (:class:`sim.store.Store`): ``manifest.json``
        (the record the particles depend on; ``status`` ``complete`` and the ``calibration``
        record once done), ``parts/`` (per complete generation its particles, history row and
        failures, see :func:`write_checkpoint`; the predictive draws; read them with
        :func:`read_tables`), and the files for people: ``pairs.png``, ``predictive.csv``,
        ``predictive.md``, ``defaults.toml``. A second process on the same `out` gets
        :class:`sim.store.StoreLockedError` naming the holder.
    patterns, episodes : sequence of str
        Training pattern ids and episode names (or files).
    held_out_episodes : sequence of str
        Episodes scored by the posterior predictive (training ones are left out).
    data : mapping, optional
        ``sipri``, ``alliances``, ``capabilities``, ``alliance_kind`` for the episodes.
    parameters : sequence of str
        The fitted parameters (default :data:`CALIBRATED`).
    population, generations, budget, min_acceptance, target_ess, seed, executor
        As for :func:`abc_smc`.
    replicates, episode_replicates : int
        Paired seeds per pattern and per episode statistic.
    predictive_draws : int
        Posterior draws for the held-out targets.
    command : str
        The command line, for the provenance.
    progress : callable, optional
        Called with one line per step (episodes prepared, generations, predictive draws).
    resume : bool
        Continue the run stored in `out` after its last complete generation (with the same
        random streams, so the result equals an uninterrupted run's); the stored record must
        match (every differing field is reported). `generations` and `budget` may grow. Without
        it, a folder holding generations is an error.
    wait : bool or float
        When another process writes to `out`, wait for it (seconds, or forever with True).

    Returns
    -------
    dict
        The record, also stored as the manifest's ``calibration`` entry.

    Examples
    --------
    A full fit takes minutes (``alliance-sim calibrate``, docs/calibration.md); bad names are
    reported all at once before anything runs:

    >>> import tempfile
    >>> try:
    ...     calibrate(tempfile.mkdtemp(), patterns=["strike-no-rescu"])
    ... except ValidationError as exc:
    ...     print("did you mean 'strike-no-rescue'?" in str(exc))
    True
    """
    from sim.io import ImportReport, read_sipri_records
    from sim.store import Store, StoreLock

    out = Path(out)
    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    pr = prior(parameters)
    train = resolve_patterns(patterns)
    ep_train = episode_paths(episodes)
    train_names = {p.stem for p in ep_train}
    ep_held = [p for p in episode_paths(held_out_episodes) if p.stem not in train_names]
    data = dict(data or {})
    files: dict[str, str] = {}
    targets: dict[str, list[EpisodeTarget]] = {"train": [], "held": []}
    if (ep_train or ep_held) and not data.get("sipri"):
        raise ValidationError(
            [
                Problem(
                    "--data",
                    "episodes need the SIPRI, ATOP or COW, and NMC files",
                    None,
                    "--data DIR (or --sipri/--atop/--nmc), or --episodes none",
                )
            ],
            what="episodes",
        )
    # fail fast (or wait) when another process writes to `out`, before preparing episodes;
    # Store.open below takes the lock for the run
    StoreLock(out).acquire(wait=wait).release()
    if ep_train or ep_held:
        records = read_sipri_records(data["sipri"], report=ImportReport())
        for key in ("sipri", "alliances", "capabilities"):
            if data.get(key):
                files[str(data[key])] = _sha256(Path(data[key]))
        for group, paths in (("train", ep_train), ("held", ep_held)):
            for p in paths:
                say(f"preparing episode {p.stem}")
                targets[group].append(
                    EpisodeTarget.from_files(
                        p,
                        sipri=records,
                        alliances=data.get("alliances"),
                        capabilities=data.get("capabilities"),
                        alliance_kind=data.get("alliance_kind"),
                    )
                )
                files[str(p)] = _sha256(p)
    simulator = PatternEpisodeSimulator(
        pr.names,
        train,
        targets["train"],
        replicates=replicates,
        episode_replicates=episode_replicates,
    )
    # what the particles depend on: a run in `out` with the same fingerprint is resumed
    # (generations and budget may grow: they only say where to stop)
    fingerprint = {
        "parameters": list(pr.names),
        "statistics": simulator.labels,
        "episodes_sha256": {e.name: e.sha256 for e in targets["train"]},
        "data_sha256": {Path(k).name: v for k, v in files.items() if not k.endswith(".toml")}
        if targets["train"]
        else {},
        "population": population,
        "min_acceptance": min_acceptance,
        "target_ess": target_ess,
        "replicates": replicates,
        "episode_replicates": episode_replicates,
        "seed": seed,
    }
    opts = {
        "population": population,
        "generations": generations,
        "budget": budget,
        "min_acceptance": min_acceptance,
        "target_ess": target_ess,
        "seed": seed,
        "executor": executor,
        "command": command,
        "replicates": replicates,
        "episode_replicates": episode_replicates,
        "predictive_draws": predictive_draws,
    }
    with Store.open(out, "calibration", fingerprint, resume=resume, wait=wait) as store:
        return _fit_and_write(store, pr, simulator, targets, train, files, patterns, t0, say, opts)


def _fit_and_write(store, pr, simulator, targets, train, files, patterns, t0, say, opts):
    """The fit, the predictive and the outputs of :func:`calibrate`, into an open store."""
    import json
    from datetime import UTC, datetime

    out = store.root
    population, generations, budget = opts["population"], opts["generations"], opts["budget"]
    min_acceptance, target_ess = opts["min_acceptance"], opts["target_ess"]
    seed, executor, command = opts["seed"], opts["executor"], opts["command"]
    replicates, episode_replicates = opts["replicates"], opts["episode_replicates"]
    predictive_draws = opts["predictive_draws"]
    previous = load_checkpoint(store, pr.names)
    if previous is not None:
        say(f"resuming {out}: {len(previous.particles)} complete generations stored")
    say(f"ABC-SMC: {', '.join(pr.names)} on {', '.join(simulator.labels)}")
    res = abc_smc(
        simulator.simulate_batch,
        simulator.distance,
        pr,
        population=population,
        generations=generations,
        budget=budget,
        min_acceptance=min_acceptance,
        target_ess=target_ess,
        seed=seed,
        executor=executor,
        progress=say,
        on_generation=lambda r: write_checkpoint(store, r, simulator.labels),
        resume=previous,
    )
    write_checkpoint(store, res, simulator.labels)
    _save_figure(out, res, pr)
    held = held_out_patterns(patterns)
    values = posterior_predictive(
        res,
        held,
        targets["held"],
        draws=predictive_draws,
        seed=seed,
        executor=executor,
        progress=say,
    )
    table = predictive_table(values, held, targets["held"])
    _write(out / "predictive.csv", lambda p: table.to_csv(p, index=False))
    store.write_part("predictive-draws", values)
    md = (
        f"Posterior-predictive intervals of the held-out targets ({predictive_draws} "
        "posterior draws, one paired seed each; NaN draws count as not meeting the "
        "criterion).\n\n" + predictive_markdown(table)
    )
    _write(out / "predictive.md", lambda p: p.write_text(md, encoding="utf-8"))
    q = res.quantiles([0.05, 0.5, 0.95])
    record: dict[str, Any] = {
        "command": command,
        "seed": seed,
        "git_commit": _git_commit(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "method": "abc-smc (pyabc kernel, index-order acceptance)",
        "parameters": {
            n: {
                "prior": [pr.lows[j], pr.highs[j]],
                "q05": q[0, j],
                "median": q[1, j],
                "q95": q[2, j],
                "why": CALIBRATED.get(n, ""),
            }
            for j, n in enumerate(pr.names)
        },
        "training": {
            "patterns": [p.id for p in train],
            "episodes": [e.name for e in targets["train"]],
        },
        "held_out": {
            "patterns": [p.id for p in held],
            "episodes": [e.name for e in targets["held"]],
        },
        "settings": {
            "population": population,
            "generations": generations,
            "budget": budget,
            "min_acceptance": min_acceptance,
            "target_ess": target_ess,
            "replicates": replicates,
            "episode_replicates": episode_replicates,
            "predictive_draws": predictive_draws,
            "executor": getattr(executor, "name", "serial"),
        },
        "stop": res.stop,
        "simulations": res.simulations,
        "generations_completed": len(res.particles),
        "failures": len(res.failures),
        "failure_policy": "a candidate whose model raises or returns NaN is recorded in "
        "failures.parquet (seed, parameters, traceback) and counted as a rejected simulation; "
        "in the predictive, a failed draw is left out of the quantiles and counts as not "
        "meeting the criterion",
        "data_files_sha256": files,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    prov = {
        k: record[k]
        for k in ("command", "seed", "git_commit", "date", "method", "stop", "simulations")
    }
    prov["training_patterns"] = record["training"]["patterns"]
    prov["training_episodes"] = record["training"]["episodes"]
    prov["data_files_sha256"] = files
    _write(out / "defaults.toml", lambda p: p.write_text(defaults_toml(res, prov), "utf-8"))
    store.finish(calibration=json.loads(json.dumps(record, default=float)))
    return record
