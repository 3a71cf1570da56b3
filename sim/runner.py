"""Ensembles: replicates with paired baselines, run on one executor interface, streamed to a store.

Every replicate ``i`` gets a child seed from ``numpy.random.SeedSequence(seed).spawn(n)[i]``
(it depends only on the root seed and ``i``, not on ``n``). Its shocked arm and its baseline arm
(no shocks) both start from that seed, so their difference is paired: the same random draws up to
the first shock. Replicates run in chunks on an executor (``serial``, ``processes`` or ``dask``)
and each is written to the results store the moment it completes, so an interrupted run loses
nothing finished and ``resume=True`` picks up where it stopped.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import tempfile
import weakref
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimError
from sim.executors import Executor, chunk_size, progress, resolve_executor, split
from sim.outcomes import REPORTER_KINDS
from sim.scenario import ScenarioSpec, load_scenario
from sim.store import ResultsStore

__all__ = [
    "EnsembleResults",
    "load_results",
    "replicate_seeds",
    "run_replicate",
    "run_scenario",
    "trace_ties",
]

#: Outcome kinds the model's DataCollector reports itself (``kind:bloc`` or ``collapses``).
_REPORTED = REPORTER_KINDS
_ID_COLUMNS = ("scenario", "replicate", "seed", "arm", "step")


# -- seeds and one replicate --------------------------------------------------------------------


def replicate_seeds(seed: int, n: int) -> list[int]:
    """The seed of each of `n` replicates, from ``SeedSequence(seed).spawn(n)``.

    Each child yields one 63-bit integer (it fits the ``seed`` column as int64, and passing it as
    ``rng=`` to the model reproduces the replicate on its own). Child ``i`` does not depend on
    `n`, so adding replicates later keeps the earlier ones.
    """
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def run_replicate(
    spec: ScenarioSpec, replicate: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run both arms of one replicate from the same seed.

    The baseline arm runs the scenario's ``baseline_shocks`` (none, usually).

    Returns
    -------
    model, agent : DataFrame
        Tidy frames, shocked arm first, with columns ``scenario, replicate, seed, arm, step``,
        then the model variables and outcome columns (model frame) or ``actor`` and the agent
        variables (agent frame).
    """
    models, agents = [], []
    for arm, shocks in (("shock", spec.shocks), ("baseline", spec.baseline_shocks)):
        m, a = _run_arm(spec, shocks, seed)
        ids = {"scenario": spec.name, "replicate": replicate, "seed": seed, "arm": arm}
        models.append(pd.concat([pd.DataFrame(ids, index=m.index), m], axis=1))
        agents.append(pd.concat([pd.DataFrame(ids, index=a.index), a], axis=1))
    return pd.concat(models, ignore_index=True), pd.concat(agents, ignore_index=True)


def _run_arm(spec: ScenarioSpec, shocks: Sequence[Any], seed: int):
    from sim.model import AllianceModel

    model = AllianceModel(spec.world, params=spec.model_params(), shocks=tuple(shocks), rng=seed)
    inspected = [o for o in spec.outcomes if o.split(":")[0] not in _REPORTED]
    # The constructor collected row 0 and no shock has fired yet (shocks fire while time
    # advances), so row 0 is read now; every later row is read by the collector itself.
    rows = [_inspect(model, inspected)]
    model.datacollector = _InspectingCollector(model.datacollector, inspected, rows)
    for _ in range(spec.steps):
        model.step()

    mf = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    if len(mf) != spec.steps + 1 or len(rows) != spec.steps + 1:
        raise SimError(
            f"the model collected {len(mf)} rows ({len(rows)} inspections) for {spec.steps} "
            f"steps; expected {spec.steps + 1} (time 0 and after every step, see "
            "docs/architecture.md)"
        )
    mf.insert(0, "step", np.arange(len(mf)))
    for name in inspected:
        mf[name] = [r[name] for r in rows]

    af = model.datacollector.get_agent_vars_dataframe().reset_index()
    step_col = "Step" if "Step" in af.columns else af.columns[0]
    # Collection order, not the model's step counter, numbers the rows 0..steps.
    af["step"] = af[step_col].rank(method="dense").astype(int) - 1
    af = af.drop(columns=[c for c in (step_col, "AgentID") if c in af.columns])
    front = ["step", "actor"] if "actor" in af.columns else ["step"]
    af = af[front + [c for c in af.columns if c not in front]]
    af = af.sort_values(front, kind="stable").reset_index(drop=True)
    return mf, af


class _InspectingCollector:
    """The model's collector, which also reads the inspected outcomes whenever it collects.

    Mesa runs a step's event (which ends with the model's collect) before the shock events
    due at the same time, so ``model.step()`` returns *after* the shocks at the new time have
    fired. Reading ``model.capability(...)`` there would show a shock with ``at=t`` in row t,
    one row before the reporters do. Reading at collect time puts inspected outcomes and
    reporters in the same state: row t + 1 is the first to show a shock at t
    (docs/architecture.md, *Model*). Everything else is delegated to the wrapped collector.
    """

    def __init__(self, inner: Any, outcomes: Sequence[str], rows: list[dict[str, float]]):
        self._inner = inner
        self._outcomes = outcomes
        self._rows = rows

    def collect(self, model: Any) -> None:
        self._inner.collect(model)
        self._rows.append(_inspect(model, self._outcomes))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _inspect(model, outcomes: Sequence[str]) -> dict[str, float]:
    out = {}
    for name in outcomes:
        kind, _, arg = name.partition(":")
        if kind == "strength":
            a, b = arg.split("-")
            out[name] = float(model.strength(a, b))
        elif kind == "delivered":
            a, _, rest = arg.partition("->")
            b, _, commodity = rest.partition(":")
            out[name] = float(model.delivered(a, b, commodity or None))
        elif kind == "capability":
            out[name] = float(model.capability(arg))
        else:  # validated by the scenario parser, so this is a bug
            raise SimError(f"no inspection for outcome {name!r}")
    return out


def trace_ties(spec: ScenarioSpec, *, replicate: int = 0, bloc: str | None = None) -> pd.DataFrame:
    """Every partnership's strength over time in one replicate, both arms.

    The stored results hold only the scenario's outcomes; this reruns one replicate (the
    same seed, so the same trajectories as the stored one) reading every partnership tie,
    for figures of how the network's ties move.

    Parameters
    ----------
    spec : ScenarioSpec
    replicate : int
        Which replicate's seed to use.
    bloc : str, optional
        Only ties with both ends in this bloc (default: every partnership).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, replicate, seed, arm, step`` and ``strength:A-B`` per tie.
    """
    import dataclasses

    actors = {a.id: a.bloc for a in spec.world.actors}
    ties = [
        t.ends
        for t in spec.world.ties_in("partnership")
        if bloc is None or all(actors.get(x) == bloc for x in t.ends)
    ]
    outcomes = tuple(dict.fromkeys(f"strength:{a}-{b}" for a, b in ties))
    seed = replicate_seeds(spec.seed, replicate + 1)[replicate]
    traced = dataclasses.replace(spec, outcomes=outcomes)
    frames = []
    for arm, shocks in (("shock", spec.shocks), ("baseline", spec.baseline_shocks)):
        mf, _ = _run_arm(traced, shocks, seed)
        ids = {"scenario": spec.name, "replicate": replicate, "seed": seed, "arm": arm}
        frames.append(
            pd.concat([pd.DataFrame(ids, index=mf.index), mf[["step", *outcomes]]], axis=1)
        )
    return pd.concat(frames, ignore_index=True)


def _run_chunk(spec: ScenarioSpec, tasks: Sequence[tuple[int, int]]):
    return [(rep, *run_replicate(spec, rep, seed)) for rep, seed in tasks]


# -- results ------------------------------------------------------------------------------------


class EnsembleResults:
    """A stored ensemble: tidy frames read lazily from disk, and its summary.

    Attributes
    ----------
    root : Path
        The results directory.
    manifest : dict
        Scenario record, seeds, versions, status.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._store = ResultsStore(self.root)
        self.manifest = self._store.require_kind("ensemble", reader="load_results")

    def __repr__(self) -> str:
        return (
            f"EnsembleResults({str(self.root)!r}, scenario={self.scenario!r}, "
            f"replicates={len(self.replicates)})"
        )

    @property
    def scenario(self) -> str:
        return self.manifest["scenario"]["name"]

    @property
    def outcomes(self) -> list[str]:
        return list(self.manifest["scenario"]["outcomes"])

    @property
    def replicates(self) -> list[int]:
        """The stored replicates of this run: ``0 .. manifest["replicates"] - 1``.

        A run resumed with fewer replicates than an earlier one leaves the extra parts on disk
        (a later resume with more reuses them); they are not part of this run.
        """
        stored = self._store.stored()
        n = self.manifest.get("replicates")
        if isinstance(n, int):
            stored &= set(range(n))
        return sorted(stored)

    @property
    def shock_time(self) -> float:
        """When the first shock strikes (0 when the scenario has none)."""
        times = [s.get("at", 0) for s in self.manifest["scenario"]["shocks"]]
        return float(min(times)) if times else 0.0

    @property
    def shock_times(self) -> list[float]:
        """Every time a shock of the shocked arm strikes (restores included), sorted, distinct.

        Read from the manifest; :func:`sim.plotting.plot_timeseries` draws a line at each.
        """
        return sorted({float(s["at"]) for s in self.manifest["scenario"]["shocks"] if "at" in s})

    @cached_property
    def model_frame(self) -> pd.DataFrame:
        """Model variables: ``scenario, replicate, seed, arm, step`` and one column per variable."""
        return self._store.read("model", self.replicates)

    @cached_property
    def agent_frame(self) -> pd.DataFrame:
        """Agent variables: ``scenario, replicate, seed, arm, step, actor`` and the variables."""
        return self._store.read("agent", self.replicates)

    def summary(
        self, outcomes: Sequence[str] | None = None, *, level: float = 0.95, eps: float = 0.05
    ) -> pd.DataFrame:
        """Per outcome: shocked and baseline means, paired difference and CI, resilience.

        See :func:`sim.analysis.summarize`.
        """
        from sim.analysis import summarize

        return summarize(
            self.model_frame,
            list(outcomes or self.outcomes),
            shock_time=self.shock_time,
            level=level,
            eps=eps,
        )

    def format_summary(self, *, level: float = 0.95, eps: float = 0.05) -> str:
        """The summary as a readable table, with a footer defining its columns."""
        s = self.summary(level=level, eps=eps)
        pct = round(level * 100)
        head = (
            f"{'outcome':<24} {'shocked':>9} {'baseline':>9} {'difference':>11} "
            f"{f'{pct}% CI':>21} {'robust.':>8} {'loss':>8} {'dropped':>8} {'recovery':>11}"
        )
        lines = [
            f"{self.scenario}: {len(self.replicates)} replicates x 2 arms, "
            f"{int(self.model_frame['step'].max())} steps (values at the horizon)",
            head,
            "-" * len(head),
        ]
        for name, r in s.iterrows():
            ci = f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}]" if np.isfinite(r.ci_low) else "n/a"
            dropped = f"{r.dropped:.0%}" if np.isfinite(r.dropped) else "-"
            if not np.isfinite(r.dropped):
                rec = "-"  # no resilience figures for this outcome (collapses)
            elif r.dropped == 0:
                rec = "no drop"
            elif r.recovered == 0:
                rec = "never"
            else:
                rec = f"{r.time_to_recovery:.0f} mo"
                if r.recovered < 1:  # the mean is over the replicates that recovered
                    rec += f" ({r.recovered:.0%})"
            lines.append(
                f"{name:<24} {r.shock_mean:>9.4f} {r.baseline_mean:>9.4f} {r.difference:>+11.4f} "
                f"{ci:>21} {_fmt(r.robustness):>8} {_fmt(r.loss):>8} {dropped:>8} {rec:>11}"
            )
        tol = f"{eps:.0%}"
        lines += [
            "difference = shocked - baseline at the horizon, paired by replicate (same seed)",
            "P(t) = each replicate's shocked arm / the ensemble-mean baseline at t, from the "
            "first shock",
            "robustness = min P; loss = integral of max(1 - P, 0) over months; "
            f"dropped = share of replicates with P < 1 - {tol}",
            f"recovery = mean months until P stays within {tol} of 1, over the replicates that "
            "dropped and recovered",
            "  (in brackets: their share of those that dropped, when not all recovered)",
        ]
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:.3f}" if np.isfinite(x) else "-"


def load_results(root: str | Path) -> EnsembleResults:
    """Read a stored run back (see :func:`run_scenario`)."""
    return EnsembleResults(root)


# -- the driver ---------------------------------------------------------------------------------


def run_scenario(
    path_or_spec: str | Path | ScenarioSpec,
    *,
    replicates: int | None = None,
    seed: int | None = None,
    executor: str | Executor = "processes",
    out: str | Path | None = None,
    resume: bool = False,
    steps: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    quiet: bool = False,
    wait: bool | float = False,
) -> EnsembleResults:
    """Run a scenario's ensemble: each replicate's shocked arm and its paired baseline.

    Parameters
    ----------
    path_or_spec : str, Path or ScenarioSpec
        A scenario file, a shipped scenario's name, or a parsed spec.
    replicates, seed, steps : int, optional
        Override the scenario's values.
    executor : {"serial", "processes", "dask"} or Executor
        Where replicates run (default: a process per core). Results do not depend on it.
    out : path, optional
        The results directory. Without one, results go to a temporary directory removed when
        the returned object is garbage-collected.
    resume : bool
        Keep replicates already stored in `out` (same scenario, seed and parameters) and run
        only the missing ones.
    workers : int, optional
        Processes for ``processes``, or workers of a local Dask cluster.
    scheduler : str, optional
        A Dask scheduler address for ``dask``.
    quiet : bool
        No progress bar (there is none anyway when stderr is not a terminal).
    wait : bool or float
        When another process writes to `out`: wait for it (seconds, or forever with True)
        instead of raising :class:`sim.store.StoreLockedError` (see :mod:`sim.store`).

    Returns
    -------
    EnsembleResults

    Raises
    ------
    ValidationError
        `out` holds results and `resume` is false, or holds another run (every changed field).
    StoreLockedError
        Another process is writing to `out`.

    Examples
    --------
    >>> res = run_scenario("syria_loss", replicates=4, executor="serial")  # doctest: +SKIP
    >>> res.summary().loc["fulfilment:axis", ["difference", "ci_low", "ci_high"]]  # doctest: +SKIP
    """
    spec = path_or_spec if isinstance(path_or_spec, ScenarioSpec) else load_scenario(path_or_spec)
    spec = spec.with_overrides(replicates=replicates, seed=seed, steps=steps)
    # Before the results directory is touched: a shock the model rejects must not leave a
    # half-opened run behind.
    spec.check_runnable()

    tmp = None
    if out is None:
        tmp = tempfile.mkdtemp(prefix="alliance-sim-")
        out = tmp
    seeds = replicate_seeds(spec.seed, spec.replicates)
    exe, owned = resolve_executor(executor, workers=workers, scheduler=scheduler)
    manifest = {
        "scenario": spec.to_record(),
        "replicates": spec.replicates,
        "seeds": {str(i): s for i, s in enumerate(seeds)},
        "seed_derivation": "numpy.random.SeedSequence(seed).spawn(replicates)[i]"
        ".generate_state(1, uint64)[0] >> 1",
        "executor": exe.name,
    }
    with contextlib.ExitStack() as stack:
        if owned:  # ours to close; a caller's stays open
            stack.enter_context(exe)
        store = stack.enter_context(
            ResultsStore.open_for_run(out, manifest, resume=resume, wait=wait)
        )
        todo = [(i, s) for i, s in enumerate(seeds) if i not in store.stored()]
        if todo:
            # a replicate takes seconds: each is a task of its own, stored as it completes
            chunks = split(todo, chunk_size(len(todo), exe.workers, max_size=1))
            bar = stack.enter_context(
                progress(
                    len(seeds),
                    initial=len(seeds) - len(todo),
                    quiet=quiet,
                    desc=spec.name,
                    unit="rep",
                )
            )
            for results in exe.imap_unordered(functools.partial(_run_chunk, spec), chunks):
                for rep, mf, af in results:
                    store.write_replicate(rep, mf, af)
                    bar.update(1)
        store.finish()
    res = EnsembleResults(out)
    if tmp is not None:
        weakref.finalize(res, shutil.rmtree, tmp, ignore_errors=True)
    return res
