"""The Ishigami test function (sim.sensitivity.ishigami): its values, its input space, and its
closed-form indices, checked against the literature and against a Monte Carlo estimate."""

import math

import numpy as np
import pytest

from sim.sensitivity import Ishigami, ishigami_indices
from sim.uncertainty import Uniform


def test_ishigami_closed_form_matches_the_literature():
    exact = ishigami_indices(7.0, 0.1).set_index("parameter")
    np.testing.assert_allclose(exact["S1"], [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(exact["ST"], [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_values_are_sin_x1_plus_a_sin2_x2_plus_b_x3_to_the_4_sin_x1():
    f = Ishigami()
    half = math.pi / 2
    assert f({"x1": half, "x2": half, "x3": 1.0}) == pytest.approx(1 + 7 + 0.1)
    assert f({"x1": 0.0, "x2": half, "x3": 3.0}) == pytest.approx(7.0)  # x3 acts through sin x1
    assert Ishigami(a=2.0, b=0.5)({"x1": half, "x2": 0.0, "x3": 2.0}) == pytest.approx(1 + 8)
    # the x1 terms are odd in x1: the two mirror images sum to twice the x2 term
    for x in [(0.3, 1.1, -2.0), (2.5, -0.4, 1.7)]:
        plus = f(dict(zip(("x1", "x2", "x3"), x, strict=True)))
        minus = f({"x1": -x[0], "x2": x[1], "x3": x[2]})
        assert plus + minus == pytest.approx(2 * 7 * math.sin(x[1]) ** 2)


def test_the_space_is_three_uniforms_on_minus_pi_to_pi():
    space = Ishigami().space
    assert list(space) == ["x1", "x2", "x3"]
    for d in space.values():
        assert isinstance(d, Uniform)
        assert (d.ppf(0.0), d.ppf(0.5), d.ppf(1.0)) == pytest.approx((-math.pi, 0.0, math.pi))


@pytest.mark.parametrize(("a", "b"), [(7.0, 0.1), (5.0, 0.0), (0.0, 0.3)])
def test_indices_add_up_with_the_one_interaction_between_x1_and_x3(a, b):
    t = ishigami_indices(a, b).set_index("parameter")
    assert t.loc["x3", "S1"] == 0.0  # x3 acts only with x1
    assert t["S1"].sum() + t.loc["x3", "ST"] == pytest.approx(1.0)  # S1 + S2 + S13 = 1
    assert t.loc["x1", "ST"] - t.loc["x1", "S1"] == pytest.approx(t.loc["x3", "ST"])
    assert t.loc["x2", "ST"] == pytest.approx(t.loc["x2", "S1"])  # x2 has no interactions
    if b == 0.0:
        assert t.loc["x3", "ST"] == 0.0


def test_the_closed_form_variance_matches_a_monte_carlo_estimate():
    a, b = 7.0, 0.1
    rng = np.random.default_rng(7)
    x1, x2, x3 = rng.uniform(-math.pi, math.pi, size=(3, 400_000))
    y = np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)
    f = Ishigami(a, b)
    assert f({"x1": x1[0], "x2": x2[0], "x3": x3[0]}) == pytest.approx(y[0])
    pi4 = math.pi**4
    variance = a**2 / 8 + b * pi4 / 5 + b**2 * pi4**2 / 18 + 0.5
    assert y.mean() == pytest.approx(a / 2, abs=0.02)
    assert y.var() == pytest.approx(variance, rel=0.01)
    # S2 from the conditional variance of E[y | x2] = a sin^2 x2 + its mean
    assert np.var(a * np.sin(x2) ** 2) / y.var() == pytest.approx(
        ishigami_indices(a, b).set_index("parameter").loc["x2", "S1"], rel=0.02
    )
