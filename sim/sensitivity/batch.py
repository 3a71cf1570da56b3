"""Many sample points of an uncertain scenario as one batch: the chunk evaluator of a design.

A design (Sobol', Morris, LHS) asks for the same scenario at thousands of sample points, each
run for the scenario's replicates with paired baselines. :func:`evaluate_points` runs a chunk of
points x replicates as rows of one engine, built once and run for each arm
(:func:`sim.engine.run_arms`; each row its point's world values and parameters from
:func:`sim.sensitivity.uncertain.apply_values`), and returns per
point exactly what :class:`sim.sensitivity.uncertain.ScenarioEvaluator` returns for it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.engine import run_arms

__all__ = ["evaluate_points"]


def evaluate_points(
    spec: Any,
    targets: Mapping[str, Any],
    values: Sequence[Mapping[str, float]],
    seeds: Sequence[int],
    *,
    failed: list | None = None,
) -> list[dict[str, float]]:
    """Evaluate many sample points of `spec` as one batch (rows = points x replicates).

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario (its nominal world and parameters; its shocks and baseline shocks).
    targets : mapping
        Resolved ``[uncertainty]`` addresses (:func:`sim.sensitivity.uncertain.check_addresses`).
    values : sequence of mapping
        One sample point per entry: address -> value.
    seeds : sequence of int
        The replicates' seeds, the same at every point.
    failed : list, optional
        If given, receives ``(point, replicate, seed, reason)`` for every row that failed
        (non-finite numbers or a shock that raised); that point's outputs are NaN.

    Returns
    -------
    list of dict
        Per point, per outcome ``o``: ``o`` (mean over replicates of shock - baseline at the
        final step), ``shock:o`` and ``baseline:o`` (mean final levels); the numbers
        :class:`sim.sensitivity.uncertain.ScenarioEvaluator` gives for that point.

    Raises
    ------
    SimError
        Points whose values change structural parameters (e.g. ``tie_model``) or the world's
        structure, which cannot share a batch.

    Examples
    --------
    An 8-actor world loses ``A00001`` at step 1, leaving the axis one partnership
    (``A00000-A00002``); two sample points of its strength, two replicates each:

    >>> import sim.worlds
    >>> from sim.runner import replicate_seeds
    >>> from sim.scenario import ScenarioSpec
    >>> from sim.sensitivity.batch import evaluate_points
    >>> from sim.sensitivity.uncertain import check_addresses
    >>> from sim.shocks import RemoveState
    >>> from sim.uncertainty import Uniform
    >>> spec = ScenarioSpec(name="tiny", world=sim.worlds.synthetic(8, mean_degree=2, rng=1),
    ...                     shocks=(RemoveState("A00001", at=1),), steps=3,
    ...                     outcomes=("mean_strength:axis",))
    >>> targets = check_addresses({"ties.A00000-A00002.strength": Uniform(0.3, 0.9)}, spec.world)
    >>> points = [{"ties.A00000-A00002.strength": s} for s in (0.3, 0.9)]
    >>> failed = []
    >>> outs = evaluate_points(spec, targets, points, replicate_seeds(5, 2), failed=failed)
    >>> [round(o["shock:mean_strength:axis"], 3) for o in outs], failed
    ([0.314, 0.905], [])
    """
    from sim.sensitivity.uncertain import apply_values

    n_rep = len(seeds)
    worlds, params = [], []
    for point in values:
        world, prm = apply_values(spec.world, spec.params, targets, point)
        p = dataclasses.replace(spec, world=world, params=prm).model_params()
        worlds += [world] * n_rep
        params += [p] * n_rep
    row_seeds = [s for _ in values for s in seeds]
    outcomes = list(spec.outcomes)
    finals = {}
    bad: set[int] = set()
    arm_names = ("shock", "baseline")
    batches = run_arms(
        worlds,
        params,
        [tuple(spec.shocks), tuple(spec.baseline_shocks)],
        row_seeds,
        steps=spec.steps,
        outcomes=outcomes,
        agent_frames=False,
    )
    for arm, frames in zip(arm_names, batches, strict=True):
        finals[arm] = {o: frames.final(o) for o in outcomes}
        for r, seed, why in frames.failed:
            bad.add(r // n_rep)
            if failed is not None:
                failed.append((r // n_rep, r % n_rep, seed, f"{arm} arm: {why}"))
    out = []
    for k in range(len(values)):
        rows = slice(k * n_rep, (k + 1) * n_rep)
        if k in bad:
            res = {o: math.nan for o in outcomes}
            res.update({f"{a}:{o}": math.nan for a in ("shock", "baseline") for o in outcomes})
            out.append(res)
            continue
        res = {}
        for o in outcomes:
            s, b = finals["shock"][o][rows], finals["baseline"][o][rows]
            res[o] = float(np.mean([float(x) - float(y) for x, y in zip(s, b, strict=True)]))
        for a in ("shock", "baseline"):
            for o in outcomes:
                res[f"{a}:{o}"] = float(np.mean([float(x) for x in finals[a][o][rows]]))
        out.append(res)
    return out
