"""Ensembles: replicates with paired baselines, run on one executor interface, streamed to a store.

Every replicate ``i`` gets a child seed from ``numpy.random.SeedSequence(seed).spawn(n)[i]``
(it depends only on the root seed and ``i``, not on ``n``). Its shocked arm and its baseline arm
(no shocks) both start from that seed, so their difference is paired: the same random draws up to
the first shock. Replicates run in chunks on an executor (``serial``, ``processes`` or ``dask``),
a chunk's replicates as rows of one batched engine (up to 64), and each chunk's replicates are
written to the results store the moment the chunk completes, so an interrupted run loses at most
the chunks in flight and ``resume=True`` picks up where it stopped. A replicate that fails is
recorded, not stored (:func:`run_replicates`).
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import tempfile
import traceback
import warnings
import weakref
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimError
from sim.executors import (
    ENSEMBLE_CHUNK,
    Executor,
    chunk_size,
    progress,
    resolve_executor,
    split,
)
from sim.outcomes import outcome_name
from sim.scenario import ScenarioSpec, load_scenario
from sim.store import ResultsStore

__all__ = [
    "EnsembleResults",
    "load_results",
    "replicate_seeds",
    "run_replicate",
    "run_replicates",
    "run_scenario",
    "trace_ties",
]

_ID_COLUMNS = ("scenario", "replicate", "seed", "arm", "step")


# -- seeds and one replicate --------------------------------------------------------------------


def replicate_seeds(seed: int, n: int) -> list[int]:
    """The seed of each of `n` replicates, from ``SeedSequence(seed).spawn(n)``.

    Each child yields one 63-bit integer (it fits the ``seed`` column as int64, and passing it as
    ``rng=`` to the model reproduces the replicate on its own). Child ``i`` does not depend on
    `n`, so adding replicates later keeps the earlier ones.

    Parameters
    ----------
    seed : int
        The scenario's root seed.
    n : int
        How many replicates.

    Returns
    -------
    list of int
        One seed per replicate, in replicate order.

    Examples
    --------
    >>> from sim.runner import replicate_seeds
    >>> replicate_seeds(7, 2)
    [1693125408465869867, 2021251017632032385]
    >>> replicate_seeds(7, 3)[:2] == replicate_seeds(7, 2)
    True
    """
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def run_replicate(
    spec: ScenarioSpec, replicate: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run both arms of one replicate from the same seed.

    The baseline arm runs the scenario's ``baseline_shocks`` (none, usually).

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario (its world, shocks, parameters, horizon and outcomes).
    replicate : int
        The replicate's number, written in the ``replicate`` column.
    seed : int
        The seed of both arms (see :func:`replicate_seeds`).

    Returns
    -------
    model, agent : DataFrame
        Tidy frames, shocked arm first, with columns ``scenario, replicate, seed, arm, step``,
        then the model variables and outcome columns (model frame) or ``actor`` and the agent
        variables (agent frame).

    Examples
    --------
    Losing actor ``A00001`` at step 1 of a tiny world: its bloc's fulfilment collapses in the
    shocked arm, not in the baseline run from the same seed.

    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2,
    ...                     seed=7, outcomes=("fulfilment:axis", "cohesion:axis"))
    >>> from sim.runner import run_replicate
    >>> model, agent = run_replicate(spec, 0, 42)
    >>> model.pivot(index="step", columns="arm", values="fulfilment:axis").round(3).to_dict("list")
    {'baseline': [0.958, 0.999, 1.0, 0.998], 'shock': [0.958, 0.999, 0.0, 0.0]}
    >>> agent.shape  # 8 actors x 4 steps x 2 arms
    (64, 11)
    """
    ((_, mf, af),) = run_replicates(spec, [(replicate, seed)])  # a failure raises
    assert af is not None  # agent frames are on by default
    return mf, af


def run_replicates(
    spec: ScenarioSpec,
    tasks: Sequence[tuple[int, int]],
    *,
    agent_frames: bool = True,
    failures: list[dict[str, Any]] | None = None,
) -> list[tuple[int, pd.DataFrame, pd.DataFrame | None]]:
    """Run many replicates as one batch, both arms from one construction
    (:func:`sim.engine.run_arms`).

    A replicate whose model fails never sinks the others. The policy:

    - a replicate fails when either arm's row goes non-finite (NaN or inf), or a shock or a
      collapse applied to it raises; the other rows run on, untouched (rows never mix);
    - if the batch as a whole raises (an error no row can be blamed for), its replicates are
      run again one by one, so that only those that fail alone are lost;
    - a failed replicate gives no frames (a paired difference needs both arms); it is
      recorded in `failures` with its seed, arm and the reason (with the traceback when an
      exception was raised). Every other replicate's frames are exactly those of a run
      without the failure.

    Parameters
    ----------
    spec : ScenarioSpec
    tasks : sequence of (replicate, seed)
    agent_frames : bool
        Build the agent frames (None in their place otherwise).
    failures : list, optional
        Receives one dict per failed arm of a replicate: ``replicate, seed, arm, reason``,
        and the replicates that ran are returned. Without it, a failed replicate raises
        :class:`~sim.errors.SimError` naming it, its seed and the reason (nothing is dropped
        silently).

    Returns
    -------
    list of (replicate, model frame, agent frame)
        The replicates that ran to the end, in the order of `tasks`; each equal to
        :func:`run_replicate` for that replicate.

    Raises
    ------
    SimError, ShockError
        A scenario that cannot run at all (a shock invalid for the world, parameters that
        cannot share a batch): the user's mistake, not a failed replicate. Also a failed
        replicate when `failures` is not given.

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2,
    ...                     seed=7, outcomes=("fulfilment:axis", "cohesion:axis"))
    >>> from sim.runner import run_replicate, run_replicates
    >>> batch = run_replicates(spec, [(0, 42), (1, 43)], agent_frames=False)
    >>> [(rep, model.shape, agent) for rep, model, agent in batch]
    [(0, (8, 21), None), (1, (8, 21), None)]
    >>> batch[0][1].equals(run_replicate(spec, 0, 42)[0])
    True
    """
    got: list[dict[str, Any]] = [] if failures is None else failures
    out = _run_replicates(spec, tasks, agent_frames, got)
    if failures is None and got:
        raise SimError(f"scenario {spec.name!r}: " + "; ".join(map(_failure_text, got)))
    return out


def _failure_text(failure: Mapping[str, Any]) -> str:
    f = failure
    return f"replicate {f['replicate']} (seed {f['seed']}, arm {f['arm']}) failed: {f['reason']}"


def _run_replicates(
    spec: ScenarioSpec,
    tasks: Sequence[tuple[int, int]],
    agent_frames: bool,
    failures: list[dict[str, Any]],
) -> list[tuple[int, pd.DataFrame, pd.DataFrame | None]]:
    """:func:`run_replicates`, failures recorded in `failures`."""
    seeds = [s for _, s in tasks]
    names = ("shock", "baseline")
    try:
        batches = _run_arm_batches(
            spec, (spec.shocks, spec.baseline_shocks), seeds, agent_frames=agent_frames
        )
    except SimError:  # ShockError included: the scenario cannot run, whatever the seed
        raise
    except Exception:
        if len(tasks) == 1:
            failures.append(
                {
                    "replicate": int(tasks[0][0]),
                    "seed": tasks[0][1],
                    "arm": "shock, baseline",
                    "reason": f"the model raised:\n{traceback.format_exc()}",
                }
            )
            return []
        # no row can be blamed: run the replicates one by one, keeping those that succeed
        out = []
        for task in tasks:
            out += _run_replicates(spec, [task], agent_frames, failures)
        return out
    arms = list(zip(names, batches, strict=True))
    bad = set()
    for arm, b in arms:
        for r, seed, why in b.failed:
            bad.add(r)
            failures.append(
                {"replicate": int(tasks[r][0]), "seed": seed, "arm": arm, "reason": why}
            )
    out = []
    for k, (rep, seed) in enumerate(tasks):
        if k in bad:
            continue
        models, agents = [], []
        ids = {"scenario": spec.name, "replicate": rep, "seed": seed}
        for arm, b in arms:
            m = b.model_frame(k)
            models.append(pd.concat([pd.DataFrame({**ids, "arm": arm}, index=m.index), m], axis=1))
            if agent_frames:
                a = b.agent_frame(k)
                agents.append(
                    pd.concat([pd.DataFrame({**ids, "arm": arm}, index=a.index), a], axis=1)
                )
        mf = pd.concat(models, ignore_index=True)
        af = pd.concat(agents, ignore_index=True) if agent_frames else None
        out.append((rep, mf, af))
    return out


def _run_arm_batches(
    spec: ScenarioSpec,
    arms: Sequence[Sequence[Any]],
    seeds: Sequence[int],
    *,
    agent_frames: bool = True,
):
    """Every arm of `spec` for `seeds`, one engine built for all (:func:`sim.engine.run_arms`)."""
    from sim.engine import run_arms

    batches = run_arms(
        spec.world,
        spec.model_params(),
        [tuple(shocks) for shocks in arms],
        list(seeds),
        steps=spec.steps,
        outcomes=spec.outcomes,
        agent_frames=agent_frames,
    )
    for batch in batches:
        if batch.values.shape[0] != spec.steps + 1:
            raise SimError(
                f"the model collected {batch.values.shape[0]} rows for {spec.steps} steps; "
                f"expected {spec.steps + 1} (time 0 and after every step, see "
                "docs/architecture.md)"
            )
    return batches


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

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2,
    ...                     seed=7, outcomes=("fulfilment:axis", "cohesion:axis"))
    >>> from sim.runner import trace_ties
    >>> traced = trace_ties(spec, bloc="axis")
    >>> [c for c in traced.columns if c.startswith("strength:")]
    ['strength:A00000-A00001', 'strength:A00000-A00002', 'strength:A00001-A00002']
    >>> len(traced)  # 4 steps x 2 arms
    8
    """
    import dataclasses

    actors = {a.id: a.bloc for a in spec.world.actors}
    ties = [
        t.ends
        for t in spec.world.ties_in("partnership")
        if bloc is None or all(actors.get(x) == bloc for x in t.ends)
    ]
    outcomes = tuple(dict.fromkeys(outcome_name("strength", a, b) for a, b in ties))
    seed = replicate_seeds(spec.seed, replicate + 1)[replicate]
    traced = dataclasses.replace(spec, outcomes=outcomes)
    # both arms from one construction, as the stored run; a failed replicate raises
    ((_, mf, _),) = run_replicates(traced, [(replicate, seed)], agent_frames=False)
    return mf[["scenario", "replicate", "seed", "arm", "step", *outcomes]]


def _run_chunk(spec: ScenarioSpec, tasks: Sequence[tuple[int, int]]):
    """A chunk's replicates and its failures (both picklable, for any executor)."""
    failures: list[dict[str, Any]] = []
    return run_replicates(spec, tasks, failures=failures), failures


# -- results ------------------------------------------------------------------------------------


class EnsembleResults:
    """A stored ensemble: tidy frames read lazily from disk, and its summary.

    Attributes
    ----------
    root : Path
        The results directory.
    manifest : dict
        Scenario record, seeds, versions, status.

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2,
    ...                     seed=7, outcomes=("fulfilment:axis", "cohesion:axis"))
    >>> import tempfile
    >>> from sim.runner import EnsembleResults, run_scenario
    >>> out = tempfile.mkdtemp()
    >>> _ = run_scenario(spec, executor="serial", out=out, quiet=True)
    >>> res = EnsembleResults(out)
    >>> res.scenario, res.replicates, res.shock_time, res.manifest["status"]
    ('tiny', [0, 1], 1.0, 'complete')
    >>> row = res.summary().loc["fulfilment:axis"]  # at the horizon, paired by replicate
    >>> row[["shock_mean", "baseline_mean", "difference"]].round(3).tolist()
    [0.0, 0.893, -0.893]
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
        """The stored replicates of this run: those of ``0 .. manifest["replicates"] - 1``
        that completed (a failed one is in :attr:`failed` instead).

        A run resumed with fewer replicates than an earlier one leaves the extra parts on disk
        (a later resume with more reuses them); they are not part of this run.
        """
        stored = self._store.stored()
        n = self.manifest.get("replicates")
        if isinstance(n, int):
            stored &= set(range(n))
        return sorted(stored)

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Replicates that failed (``replicate, seed, arm, reason``): not stored, left out of
        every analysis (see :func:`run_scenario`)."""
        return list(self.manifest.get("failed", []))

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
        return self._store.read_frame("model", self.replicates)

    @cached_property
    def agent_frame(self) -> pd.DataFrame:
        """Agent variables: ``scenario, replicate, seed, arm, step, actor`` and the variables."""
        return self._store.read_frame("agent", self.replicates)

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
        n_failed = len({f["replicate"] for f in self.failed})
        lines = [
            f"{self.scenario}: {len(self.replicates)} replicates x 2 arms, "
            f"{int(self.model_frame['step'].max())} steps (values at the horizon)"
            + (
                f"; {n_failed} failed replicates left out (see the manifest's 'failed')"
                if n_failed
                else ""
            ),
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
    """Read a stored run back (see :func:`run_scenario`).

    Parameters
    ----------
    root : str or Path
        The results directory of an ensemble.

    Returns
    -------
    EnsembleResults

    Raises
    ------
    ValidationError
        `root` holds no ensemble (no manifest, or another kind of run).

    Examples
    --------
    >>> import sim.worlds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.shocks import RemoveState
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3, replicates=2,
    ...                     seed=7, outcomes=("fulfilment:axis", "cohesion:axis"))
    >>> import tempfile
    >>> from sim.runner import load_results, run_scenario
    >>> out = tempfile.mkdtemp()
    >>> _ = run_scenario(spec, replicates=1, executor="serial", out=out, quiet=True)
    >>> load_results(out).model_frame.shape  # 1 replicate x 2 arms x 4 steps
    (8, 21)
    """
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

    Warns
    -----
    RuntimeWarning
        Some replicates failed (see Notes).

    Notes
    -----
    A replicate whose model fails (a NaN or inf, or an exception in a shock or a collapse)
    never sinks the run (:func:`run_replicates` gives the policy): every other replicate is
    stored as usual, and the failed one is recorded in the manifest's ``failed`` list
    (:attr:`EnsembleResults.failed`) with its seed, arm and reason, traceback included. It has
    no part on disk, so the summary and every analysis are over the replicates that ran (the
    summary's heading says how many failed), and ``resume=True`` tries it again.

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
            # replicates run as rows of one batch per chunk (up to 64 of them), each stored
            # when its chunk completes
            chunks = split(todo, chunk_size(len(todo), exe.workers, max_size=ENSEMBLE_CHUNK))
            bar = stack.enter_context(
                progress(
                    len(seeds),
                    initial=len(seeds) - len(todo),
                    quiet=quiet,
                    desc=spec.name,
                    unit="rep",
                )
            )
            for results, failures in exe.imap_unordered(
                functools.partial(_run_chunk, spec), chunks
            ):
                for rep, mf, af in results:
                    store.write_replicate(rep, mf, af)
                    bar.update(1)
                if failures:
                    store.record_failures(failures)
                    bar.update(len({f["replicate"] for f in failures}))
        failed = store.manifest().get("failed", [])
        if failed and not store.stored():
            # nothing to analyse: an error, not an empty "complete" run (the store stays
            # "running" with its failures recorded, so a resume tries them again)
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            raise SimError(
                f"every replicate of scenario {spec.name!r} failed ({len(seeds)}); the first: "
                + _failure_text(failed[0])
            )
        store.finish()
    res = EnsembleResults(out)
    if res.failed:
        reps = sorted({f["replicate"] for f in res.failed})
        warnings.warn(
            f"scenario {spec.name!r}: {len(reps)} of {len(seeds)} replicates failed "
            f"({', '.join(map(str, reps[:10]))}{' ...' if len(reps) > 10 else ''}) and are "
            "left out of the results; their seeds and reasons are in EnsembleResults.failed "
            "(the manifest's 'failed')",
            RuntimeWarning,
            stacklevel=2,
        )
    if tmp is not None:
        weakref.finalize(res, shutil.rmtree, tmp, ignore_errors=True)
    return res
