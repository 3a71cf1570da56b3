"""Experiment designs: sizes, stratification, reproducibility, mapping to values."""

import numpy as np
import pytest

from sim.designs import full_factorial, latin_hypercube, make_design, monte_carlo, morris, saltelli
from sim.errors import ValidationError
from sim.uncertainty import Discrete, Normal, Triangular, Uniform

SPACE = {
    "a": Uniform(0.0, 2.0),
    "b": Normal(0.5, 0.1, lo=0.0, hi=1.0),
    "c": Discrete((1.0, 2.0, 3.0)),
    "d": Triangular(0.0, 0.1, 1.0),
}


@pytest.mark.parametrize("method", ["monte_carlo", "latin_hypercube", "sobol", "morris"])
def test_designs_are_reproducible_from_the_seed(method):
    a = make_design(method, SPACE, 8, rng=11)
    b = make_design(method, SPACE, 8, rng=11)
    c = make_design(method, SPACE, 8, rng=12)
    np.testing.assert_array_equal(a.unit, b.unit)
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert not np.array_equal(a.unit, c.unit)


def test_frame_is_tidy_and_values_lie_in_each_support():
    d = monte_carlo(SPACE, 500, rng=1)
    f = d.frame
    assert list(f.columns) == ["sample", "a", "b", "c", "d"]
    assert f["sample"].tolist() == list(range(500))
    for name, dist in SPACE.items():
        lo, hi = dist.support
        assert f[name].between(lo, hi).all()
    assert set(f["c"]) == {1.0, 2.0, 3.0}


def test_latin_hypercube_puts_one_point_in_every_stratum():
    n = 50
    d = latin_hypercube(SPACE, n, rng=5)
    strata = np.floor(d.unit * n).astype(int)
    for j in range(len(SPACE)):
        assert sorted(strata[:, j]) == list(range(n))


def test_full_factorial_crosses_levels_and_discrete_values():
    d = full_factorial(SPACE, {"a": 2, "b": 3, "d": 2})
    assert len(d) == 2 * 3 * 3 * 2
    f = d.frame
    assert sorted(f["a"].unique()) == [0.5, 1.5]  # quantile mid-points of U(0, 2)
    assert sorted(f["c"].unique()) == [1.0, 2.0, 3.0]
    assert len(f.drop(columns="sample").drop_duplicates()) == len(d)


def test_saltelli_size_and_power_of_two_rounding():
    d = saltelli(SPACE, 100, rng=1)
    assert d.options["n"] == 128
    assert len(d) == 128 * (4 + 2)
    d2 = saltelli(SPACE, 64, rng=1, calc_second_order=True)
    assert len(d2) == 64 * (2 * 4 + 2)


def test_morris_trajectories_move_one_input_per_step():
    d = morris(SPACE, 10, num_levels=4, rng=3)
    k = len(SPACE)
    assert len(d) == 10 * (k + 1)
    traj = d.unit.reshape(10, k + 1, k)
    moved = (np.diff(traj, axis=1) != 0).sum(axis=2)
    assert np.all(moved == 1)
    np.testing.assert_allclose(np.unique(d.unit.round(12)), [0.0, 1 / 3, 2 / 3, 1.0])


def test_bad_requests_are_reported():
    with pytest.raises(ValidationError, match="did you mean 'sobol'"):
        make_design("soboll", SPACE, 8)
    with pytest.raises(ValidationError, match="samples: must be an integer >= 1"):
        monte_carlo(SPACE, 0)
    with pytest.raises(ValidationError, match="no uncertain inputs"):
        monte_carlo({}, 4)
