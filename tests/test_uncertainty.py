"""Distributions for uncertain inputs: ppf maps, moments, validation and round trips."""

import numpy as np
import pytest
from scipy import stats

from sim.errors import ValidationError
from sim.uncertainty import (
    Discrete,
    Normal,
    Triangular,
    Uniform,
    parse_distribution,
    parse_space,
)

U = np.linspace(0.0, 1.0, 1001)


def test_uniform_ppf_is_linear_and_spans_the_bounds():
    d = Uniform(0.1, 0.5)
    assert d.support == (0.1, 0.5)
    np.testing.assert_allclose(d.ppf(U), 0.1 + 0.4 * U)


def test_triangular_matches_scipy():
    d = Triangular(0.0, 0.2, 1.0)
    ref = stats.triang(c=0.2, loc=0.0, scale=1.0).ppf(U)
    np.testing.assert_allclose(d.ppf(U), ref, atol=1e-12)
    draws = d.sample(200_000, rng=1)
    assert draws.mean() == pytest.approx((0.0 + 0.2 + 1.0) / 3, abs=3e-3)


def test_truncated_normal_stays_in_bounds_and_matches_scipy():
    d = Normal(0.5, 0.3, lo=0.0, hi=1.0)
    x = d.ppf(U)
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.all(np.diff(x) >= 0)
    ref = stats.truncnorm((0 - 0.5) / 0.3, (1 - 0.5) / 0.3, loc=0.5, scale=0.3)
    np.testing.assert_allclose(d.ppf(U[1:-1]), ref.ppf(U[1:-1]), rtol=1e-10)
    assert d.sample(200_000, rng=2).mean() == pytest.approx(ref.mean(), abs=3e-3)


def test_one_sided_truncation_and_untruncated_tails_are_finite():
    d = Normal(0.0, 1.0, lo=0.0)  # half-normal
    x = d.ppf(U)
    assert np.all(np.isfinite(x)) and x.min() == 0.0
    assert d.sample(100_000, rng=3).mean() == pytest.approx(np.sqrt(2 / np.pi), abs=0.01)
    free = Normal(2.0, 0.5)
    lo, hi = free.support
    assert lo == pytest.approx(2.0 - 0.5 * 3.0902, abs=1e-3)
    assert hi == pytest.approx(2.0 + 0.5 * 3.0902, abs=1e-3)


def test_discrete_frequencies_follow_weights():
    d = Discrete((0.2, 0.5, 0.9), weights=(1, 2, 1))
    draws = d.sample(100_000, rng=4)
    freq = [(draws == v).mean() for v in (0.2, 0.5, 0.9)]
    np.testing.assert_allclose(freq, [0.25, 0.5, 0.25], atol=0.01)
    assert set(np.unique(d.ppf(U))) == {0.2, 0.5, 0.9}
    assert d.support == (0.2, 0.9)


@pytest.mark.parametrize(
    "dist",
    [
        Uniform(0, 1),
        Triangular(-1, 0, 2),
        Normal(1, 2),
        Normal(0.5, 0.1, lo=0, hi=1),
        Discrete((1, 2, 3)),
        Discrete((1, 2), (3, 1)),
    ],
)
def test_round_trip_through_scenario_data(dist):
    back, problems = parse_distribution(dist.to_dict())
    assert problems == []
    assert back == dist


def test_every_problem_is_reported_at_once_with_suggestions():
    with pytest.raises(ValidationError) as info:
        parse_space(
            {
                "params.a": {"dist": "unifrom", "lo": 0, "hi": 1},
                "b": {"dist": "normal", "mean": 0, "sd": -1, "hii": 2},
                "c": {"dist": "uniform", "lo": 2, "hi": 1},
                "d": {"dist": "triangular", "lo": 0, "mode": 3, "hi": 1},
                "e": {"dist": "discrete", "values": [1, 2], "weights": [1]},
                "f": 0.5,
            },
            origin="s.toml",
        )
    probs = info.value.problems
    where = [p.where for p in probs]
    assert where == [
        'uncertainty."params.a".dist',
        "uncertainty.b.hii",
        "uncertainty.b.sd",
        "uncertainty.c.hi",
        "uncertainty.d.mode",
        "uncertainty.e.weights",
        "uncertainty.f",
    ]
    assert "did you mean 'uniform'?" in probs[0].suggestion
    assert "did you mean 'hi'?" in probs[1].suggestion
    assert "s.toml has 7 problems" in str(info.value)


def test_direct_construction_validates():
    with pytest.raises(ValidationError, match="sd: must be positive"):
        Normal(0.0, 0.0)
    with pytest.raises(ValidationError, match="values"):
        Discrete(())
