"""Sample points as one batch (sim.sensitivity.batch): the one seam a chunk goes through, equal
to the per-point evaluator."""

import numpy as np
import pytest

from sim.sensitivity.uncertain import (
    ScenarioEvaluator,
    check_addresses,
    evaluate_points,
    load_uncertain_scenario,
)

DATA = "tests/data"


def test_evaluate_points_is_the_one_seam_a_chunk_of_points_goes_through():
    from sim.designs import monte_carlo
    from sim.runner import replicate_seeds

    us = load_uncertain_scenario(f"{DATA}/unused_param.toml")
    spec = us.spec.with_overrides(replicates=2, steps=4)
    targets = check_addresses(us.space, spec.world)
    seeds = tuple(replicate_seeds(spec.seed, 2))
    design = monte_carlo(us.space, 3, rng=1)
    points = [dict(zip(design.names, row.tolist(), strict=True)) for row in design.values()]
    evaluator = ScenarioEvaluator(spec, targets, seeds)
    batch = evaluate_points(spec, targets, points, seeds)
    assert len(batch) == 3 and set(batch[0]) >= {*spec.outcomes}
    assert batch == evaluator.evaluate_many(points) == [evaluator(p) for p in points]
    o = spec.outcomes[0]
    for b in batch:  # each output is the paired difference of the two arms' levels
        assert b[o] == pytest.approx(b[f"shock:{o}"] - b[f"baseline:{o}"], abs=1e-12)


def test_evaluate_points_equals_the_per_point_evaluator():
    from sim.runner import replicate_seeds
    from sim.sensitivity.batch import evaluate_points
    from sim.sensitivity.uncertain import _evaluate_point, check_addresses, load_uncertain_scenario

    us = load_uncertain_scenario("syria_uncertainty")
    spec = us.spec.with_overrides(replicates=2, steps=8)
    targets = check_addresses(us.space, spec.world)
    seeds = tuple(replicate_seeds(spec.seed, 2))
    rng = np.random.default_rng(3)
    points = [{a: float(d.ppf(rng.random())) for a, d in us.space.items()} for _ in range(3)]
    got = evaluate_points(spec, targets, points, seeds)
    want = [_evaluate_point(spec, targets, p, seeds) for p in points]  # run_replicate each
    assert [sorted(g) for g in got] == [sorted(w) for w in want]
    for g, w in zip(got, want, strict=True):
        for k in w:
            assert g[k] == pytest.approx(w[k], abs=1e-12), k
    assert len({g[spec.outcomes[0]] for g in got}) == 3  # the points differ
