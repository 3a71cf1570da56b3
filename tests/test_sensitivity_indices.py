"""What `alliance-sim sensitivity` says of a design too small, or of inputs without effect."""

import pandas as pd
import pytest

from sim.sensitivity import STABLE_CONF, design_notes


def _sobol(s1, s1c, st, stc):
    return pd.DataFrame(
        {"parameter": list("ab"), "S1": s1, "S1_conf": s1c, "ST": st, "ST_conf": stc}
    )


def test_a_small_sobol_design_is_flagged_with_the_n_that_would_settle_it():
    # the example: S1 = 1.15 +- 0.97 with a small design
    (note,) = design_notes(
        _sobol([1.15, 0.1], [0.97, 0.2], [0.9, 0.2], [0.4, 0.1]), method="sobol", samples=16
    )
    assert "too small for stable Sobol' indices (N = 16" in note
    assert "±0.97" in note and "outside [0, 1]" in note
    n = int(note.split("--samples ")[1].split()[0])
    assert n & (n - 1) == 0  # a power of two, as Sobol' designs use
    assert 0.97 * (16 / n) ** 0.5 <= STABLE_CONF + 1e-12  # enough to reach the target width


def test_a_stable_sobol_design_says_nothing():
    table = _sobol([0.6, 0.3], [0.02, 0.01], [0.65, 0.35], [0.03, 0.02])
    assert design_notes(table, method="sobol", samples=1024) == []


def test_first_order_indices_summing_above_one_are_flagged():
    table = _sobol([0.7, 0.6], [0.01, 0.01], [0.7, 0.6], [0.01, 0.01])
    (note,) = design_notes(table, method="sobol", samples=512)
    assert "sum above 1" in note


def _morris(mu_star, conf, sigma):
    return pd.DataFrame(
        {"parameter": list("abc"), "mu_star": mu_star, "mu_star_conf": conf, "sigma": sigma,
         "mu": mu_star}
    )  # fmt: skip


def test_morris_zeros_are_explained_not_hidden():
    notes = design_notes(_morris([0.5, 0.0, 0.0], [0.05, 0, 0], [0.1, 0, 0.2]), method="morris",
                         samples=20)  # fmt: skip
    (note,) = notes
    assert note.startswith("note: mu* = 0 and sigma = 0 for b:")  # not c: its sigma is not 0
    assert "a result, not a failure" in note


@pytest.mark.parametrize(("samples", "expect"), [(4, "is few"), (20, None)])
def test_few_or_noisy_morris_trajectories_are_flagged(samples, expect):
    notes = design_notes(_morris([0.5, 0.4, 0.3], [0.05, 0.3, 0.02], [0.1, 0.1, 0.1]),
                         method="morris", samples=samples)  # fmt: skip
    text = " ".join(notes)
    assert "mu* of b is uncertain" in text and "--samples" in text
    if expect:
        assert expect in text
