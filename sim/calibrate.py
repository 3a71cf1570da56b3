"""Calibration: ABC-SMC fits of the declared parameters to the calibration patterns and episodes.

What is fitted, from what, and what is held out is declared once here (:data:`CALIBRATED`,
:data:`TRAINING_PATTERNS`, :data:`TRAINING_EPISODES`) and in ``docs/model.md`` section 7.4; a
test keeps the two equal. :func:`abc_smc` is approximate Bayesian computation by sequential
Monte Carlo (Beaumont et al. 2009; Toni et al. 2009) built from pyabc's components (the
kernel of :class:`pyabc.transition.MultivariateNormalTransition`, its weighted quantile and
effective sample size), driven here so that one seed gives the same posterior on every
executor: candidates are proposed in fixed-size batches with per-candidate seeds from
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
    "EPISODE_DIR",
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

#: Where the shipped episodes live (``scenarios/history/NAME.toml``).
EPISODE_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "history"

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
    lows, highs : tuple of float
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

    Raises
    ------
    ValidationError
        For a name that is not a numeric model parameter (every one at once, with a
        suggestion).
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
    """Catalogue patterns by id; every unknown id at once, with a suggestion."""
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
    """Every catalogue pattern not trained on, then :data:`sim.patterns.OUT_OF_SAMPLE_2026`."""
    from sim.patterns import CATALOGUE, OUT_OF_SAMPLE_2026

    train = set(training)
    return [p for p in CATALOGUE if p.id not in train] + list(OUT_OF_SAMPLE_2026)


def episode_paths(names: Iterable[str], directory: Path = EPISODE_DIR) -> list[Path]:
    """Episode files by name (``scenarios/history/NAME.toml``) or path; all problems at once."""
    known = sorted(p.stem for p in directory.glob("*.toml"))
    out, bad = [], []
    for n in names:
        p = Path(n)
        if p.suffix == ".toml" and p.is_file():
            out.append(p)
        elif (directory / f"{n}.toml").is_file():
            out.append(directory / f"{n}.toml")
        else:
            bad.append(
                Problem(
                    "--episodes",
                    "unknown episode",
                    n,
                    "a name in scenarios/history or an episode .toml file",
                    suggest(n, known),
                )
            )
    if bad:
        raise ValidationError(bad, what="episodes")
    return out


def criterion_distance(value: float, lo: float, hi: float) -> float:
    """How far `value` lies outside ``[lo, hi]``, in units of the interval's scale.

    The scale is the interval's width when both ends are finite, else the absolute value of
    the finite end (at least 0.01). 0 inside the interval; inf for NaN.

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

    Built once per run by :meth:`from_files` (which calls :func:`sim.history.hindcast` with
    one replicate to choose the dyads exactly as the hindcast does); :meth:`rho` then runs
    the paired ensemble with given parameters and returns the model's Spearman ρ.
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
        """The model's Spearman ρ against the observed changes, from paired runs on `seeds`."""
        from sim.history.hindcast import log_change, spearman
        from sim.model import AllianceModel

        ties = self.world.ties_in("supply")
        shocked, base = np.zeros(len(ties)), np.zeros(len(ties))
        for seed in seeds:
            for shocks, acc in ((self.shocks, shocked), ((), base)):
                m = AllianceModel(self.world, params=params, shocks=shocks, rng=int(seed))
                for _ in range(self.months):
                    m.step()
                    acc += m.delivered_array
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

    def statistics(self, theta: np.ndarray, seed: int) -> np.ndarray:
        """The statistics of one parameter vector (raises if the model fails)."""
        from sim.patterns import SHOCK_AT, _metric_values, _simulate

        params = ModelParams().replace(
            **{n: float(v) for n, v in zip(self.names, theta, strict=True)}
        )
        children = np.random.SeedSequence(int(seed)).spawn(2)
        pseeds = [int(s) for s in children[0].generate_state(self.replicates)]
        eseeds = [int(s) for s in children[1].generate_state(self.episode_replicates)]
        out = []
        if self.patterns:
            steps = SHOCK_AT + max(p.horizon for p in self.patterns)
            obs = [o for p in self.patterns for o in p.metric.observables()]
            base = {s: _simulate(self.world, params, s, (), obs, steps) for s in pseeds}
            for p in self.patterns:
                vals = [_metric_values(p, self.world, params, s, base[s]) for s in pseeds]
                out.append(float(np.mean(vals)))
        out += [e.rho(params, eseeds) for e in self.episodes]
        return np.asarray(out, dtype=float)

    def simulate_batch(self, thetas: np.ndarray, seeds: Sequence[int]):
        """Statistics per row of `thetas` (shape ``(n, len(labels))``) and the failures.

        A row whose model raises, or whose statistics hold a NaN, is NaN and its entry in the
        second return value holds the traceback (or ``"nan statistic: LABELS"``); others None.
        """
        stats = np.full((len(thetas), len(self.labels)), np.nan)
        errors: list[str | None] = [None] * len(thetas)
        for i, (theta, seed) in enumerate(zip(thetas, seeds, strict=True)):
            try:
                s = self.statistics(np.asarray(theta), int(seed))
            except Exception:  # a failing model never sinks the batch: recorded, rejected
                errors[i] = traceback.format_exc()
                continue
            if np.isnan(s).any():
                errors[i] = "nan statistic: " + ", ".join(
                    lab for lab, v in zip(self.labels, s, strict=True) if np.isnan(v)
                )
            stats[i] = s
        return stats, errors

    def distance(self, stats: np.ndarray) -> np.ndarray:
        """Euclidean norm of the scaled distances of each row (inf for a NaN row).

        A pattern contributes :func:`criterion_distance` of its statistic to its criterion; an
        episode contributes ``(1 - rho) / 2`` (0 for perfect rank agreement, 1 for reversed).
        """
        stats = np.atleast_2d(stats)
        cols = []
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
    """A candidate whose simulation raised or returned NaN (recorded, counted as rejected)."""

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
                if errors[i] is not None:
                    res.failures.append(
                        Failure(
                            t,
                            b * batch_size + i,
                            int(seeds[i]),
                            tuple(map(float, thetas[i])),
                            errors[i],
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

    :func:`write_checkpoint` adds the statistics as ``stat:<label>`` columns.
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


def write_checkpoint(out: Path, res: ABCResult, labels: Sequence[str] = ()) -> None:
    """``posterior.parquet``, ``history.parquet`` and ``failures.parquet`` as they stand."""
    import pandas as pd

    post = posterior_frame(res)
    if labels:
        stats = np.concatenate(res.statistics)
        for k, lab in enumerate(labels):
            post[f"stat:{lab}"] = stats[:, k]
    _write(out / "posterior.parquet", lambda p: post.to_parquet(p, index=False))
    hist = pd.DataFrame(res.history)
    _write(out / "history.parquet", lambda p: hist.to_parquet(p, index=False))
    fail = pd.DataFrame(
        [
            {
                "generation": f.generation,
                "candidate": f.candidate,
                "seed": f.seed,
                **dict(zip(res.names, f.theta, strict=True)),
                "error": f.error,
            }
            for f in res.failures
        ],
        columns=["generation", "candidate", "seed", *res.names, "error"],
    )
    _write(out / "failures.parquet", lambda p: fail.to_parquet(p, index=False))


def load_checkpoint(out: str | Path, names: Sequence[str]) -> ABCResult | None:
    """The complete generations written by :func:`write_checkpoint`, or None if there are none.

    Failures of a generation that did not complete are dropped: resuming reruns it.
    """
    import pandas as pd

    out = Path(out)
    if not (out / "posterior.parquet").is_file() or not (out / "history.parquet").is_file():
        return None
    post = pd.read_parquet(out / "posterior.parquet")
    hist = pd.read_parquet(out / "history.parquet")
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
    if (out / "failures.parquet").is_file():
        fail = pd.read_parquet(out / "failures.parquet")
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
    return res if res.particles else None


def plot_pairs(res: ABCResult, prior: BoxPrior, *, ax=None, **kwargs):
    """Pairs plot of the last generation: weighted histograms over the flat prior on the
    diagonal, weighted particles below it; axes span the prior ranges.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        Shape ``(dim, dim)``.
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
    rows = []
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

    Returns
    -------
    values : pandas.DataFrame
        ``draw, target, value, error``.
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
    """The predictive table as Markdown (relative metrics in %)."""
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
    """The chosen defaults (weighted posterior median of the last generation) with provenance."""
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
) -> dict[str, Any]:
    """Fit `parameters` by ABC-SMC and write every output to `out` (see docs/calibration.md).

    Parameters
    ----------
    out : path
        Output folder: ``posterior.parquet``, ``history.parquet``, ``failures.parquet`` (after
        every generation), ``pairs.png``, ``predictive.csv``, ``predictive.md``,
        ``defaults.toml``, then ``calibration.json`` (last: its presence means complete).
        ``run.json`` holds the settings the particles depend on: rerunning with the same
        settings resumes after the last complete generation (with the same result as an
        uninterrupted run); with other settings it is an error.
    patterns, episodes : sequence of str
        Training pattern ids and episode names (or files).
    held_out_episodes : sequence of str
        Episodes scored by the posterior predictive (training ones are left out).
    data : mapping, optional
        ``sipri``, ``alliances``, ``capabilities``, ``alliance_kind`` for the episodes.
    population, generations, budget, min_acceptance, target_ess, seed, executor
        As for :func:`abc_smc`.
    replicates, episode_replicates : int
        Paired seeds per pattern and per episode statistic.
    predictive_draws : int
        Posterior draws for the held-out targets.
    command : str
        The command line, for the provenance.

    Returns
    -------
    dict
        The record written to ``calibration.json``.
    """
    import json
    from datetime import UTC, datetime

    from sim.io import ImportReport, read_sipri_records

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
    if ep_train or ep_held:
        if not data.get("sipri"):
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
    out.mkdir(parents=True, exist_ok=True)
    resume = None
    if (out / "run.json").is_file():
        stored = json.loads((out / "run.json").read_text(encoding="utf-8"))
        if stored != json.loads(json.dumps(fingerprint)):
            diff = sorted(
                k for k in fingerprint if stored.get(k) != json.loads(json.dumps(fingerprint[k]))
            )
            raise ValidationError(
                [
                    Problem(
                        str(out / "run.json"),
                        "the folder holds a different calibration",
                        ", ".join(diff),
                        "the same settings (to resume), or a new --out",
                    )
                ],
                what="--out",
            )
        resume = load_checkpoint(out, pr.names)
    else:
        text = json.dumps(fingerprint, indent=2) + "\n"
        _write(out / "run.json", lambda p: p.write_text(text, encoding="utf-8"))
    (out / "calibration.json").unlink(missing_ok=True)  # present only once complete
    if resume is not None:
        say(f"resuming {out}: {len(resume.particles)} complete generations stored")
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
        on_generation=lambda r: write_checkpoint(out, r, simulator.labels),
        resume=resume,
    )
    write_checkpoint(out, res, simulator.labels)
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
    _write(out / "predictive_draws.parquet", lambda p: values.to_parquet(p, index=False))
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
    text = json.dumps(record, indent=2, default=float) + "\n"
    _write(out / "calibration.json", lambda p: p.write_text(text, encoding="utf-8"))
    return record
