"""Paired differences and their intervals, resilience figures, and the results store."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import mean_ci, paired_differences, resilience_figures, summarize


def _frame() -> pd.DataFrame:
    # Three replicates, two arms, steps 0..2; the outcome "y" is lower by 1, 2, 4 when shocked.
    rows = []
    for rep, drop in enumerate((1.0, 2.0, 4.0)):
        for step in range(3):
            base = 10.0 + rep
            rows.append({"replicate": rep, "arm": "baseline", "step": step, "y": base})
            shocked = base - (drop if step == 2 else 0.0)
            rows.append({"replicate": rep, "arm": "shock", "step": step, "y": shocked})
    return pd.DataFrame(rows)


def test_paired_difference_interval_matches_a_hand_computation():
    d = paired_differences(_frame(), "y")
    assert d["difference"].tolist() == [-1.0, -2.0, -4.0]
    m, lo, hi = mean_ci(d["difference"])
    s = np.std([-1.0, -2.0, -4.0], ddof=1)  # = 1.5275
    half = stats.t.ppf(0.975, 2) * s / np.sqrt(3)
    assert m == pytest.approx(-7 / 3)
    assert (lo, hi) == pytest.approx((-7 / 3 - half, -7 / 3 + half))
    summary = summarize(_frame(), ["y"])
    assert summary.loc["y", "difference"] == pytest.approx(-7 / 3)
    assert summary.loc["y", "ci_low"] == pytest.approx(lo)
    assert summary.loc["y", "baseline_mean"] == pytest.approx(11.0)


def test_resilience_of_linear_recovery_and_of_no_shock():
    t = np.arange(11.0)
    r = resilience_figures(t, 0.6 + 0.04 * t)  # the resilience triangle: loss 200 in percent
    assert r["loss"] == pytest.approx(2.0)
    assert r["robustness"] == pytest.approx(0.6)
    assert r["time_to_recovery"] == 9.0  # first point with P >= 0.95 from which it stays
    flat = resilience_figures(t, np.ones_like(t))
    assert flat == {"robustness": 1.0, "loss": 0.0, "time_to_recovery": 0.0}
    assert np.isnan(resilience_figures(t, np.full_like(t, 0.5))["time_to_recovery"])


def test_an_outcome_undefined_in_the_world_gets_no_resilience_figures():
    frame = pd.DataFrame(
        {
            "replicate": [0, 0, 0, 0],
            "arm": ["shock", "shock", "baseline", "baseline"],
            "step": [0, 1, 0, 1],
            "fulfilment:axis": [np.nan] * 4,  # a bloc with no needs
        }
    )
    row = summarize(frame, ["fulfilment:axis"]).loc["fulfilment:axis"]
    assert np.isnan(row["dropped"]) and np.isnan(row["robustness"])  # not "no drop"


def _recovery_frame() -> pd.DataFrame:
    # Baseline 10 throughout. Replicates 0-1 never drop; 2-3 drop to 6 from month 2 and are back
    # at month 6 (4 months after the shock); replicate 4 drops to 5 and stays there.
    rows = []
    for rep in range(5):
        for step in range(10):
            shocked = 10.0
            if rep in (2, 3) and 2 <= step < 6:
                shocked = 6.0
            if rep == 4 and step >= 2:
                shocked = 5.0
            rows.append({"replicate": rep, "arm": "baseline", "step": step, "y": 10.0})
            rows.append({"replicate": rep, "arm": "shock", "step": step, "y": shocked})
    return pd.DataFrame(rows)


def _effects_frame(effects: dict[int, float], *, base: float = 10.0) -> pd.DataFrame:
    """A model frame whose replicate with seed s has effect effects[s] at the horizon (step 1)."""
    rows = []
    for rep, (seed, effect) in enumerate(effects.items()):
        for step in (0, 1):
            b = base + seed % 7  # the level varies by seed; the effect is what is compared
            rows.append({"replicate": rep, "seed": seed, "arm": "baseline", "step": step, "y": b})
            s = b + (effect if step == 1 else 0.0)
            rows.append({"replicate": rep, "seed": seed, "arm": "shock", "step": step, "y": s})
    return pd.DataFrame(rows)


def test_recovery_is_averaged_over_the_replicates_that_dropped_and_recovered():
    s = summarize(_recovery_frame(), ["y"], shock_time=2.0).loc["y"]
    assert s["dropped"] == pytest.approx(3 / 5)
    assert s["recovered"] == pytest.approx(2 / 3)
    assert s["time_to_recovery"] == 4.0  # not (0 + 0 + 4 + 4) / 4 = 2
    # loss per replicate (trapezoid rule from month 2): 0, 0, 0.4 * 3 + 0.4 / 2 = 1.4, 1.4,
    # and 0.5 * 7 = 3.5 for the one that never recovers
    assert s["loss"] == pytest.approx((1.4 + 1.4 + 3.5) / 5)
    nobody = summarize(_recovery_frame().query("replicate < 2"), ["y"], shock_time=2.0).loc["y"]
    assert nobody["dropped"] == 0 and np.isnan(nobody["recovered"])
    assert np.isnan(nobody["time_to_recovery"])


def test_compare_pairs_by_seed_when_the_runs_share_their_seeds():
    from scipy import stats

    from sim.analysis import compare_effects, mean_ci

    a = _effects_frame({11: -1.0, 12: -2.0, 13: -3.0, 14: -2.5})
    # B lists the same seeds in another replicate order: pairing goes by seed, not by position.
    b = _effects_frame({13: -3.5, 11: -1.2, 14: -3.0, 12: -2.1})
    t = compare_effects(a, b, ["y"]).loc["y"]
    d = np.array([-1.2 - -1.0, -2.1 - -2.0, -3.5 - -3.0, -3.0 - -2.5])
    m, lo, hi = mean_ci(d)
    assert t["test"] == "paired t (by seed)" and t["note"] == ""
    assert t["difference"] == pytest.approx(m)
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((lo, hi))
    # Welch on the same numbers is far wider: the pairing removes the between-seed spread.
    other = _effects_frame({21: -1.2, 22: -2.1, 23: -3.5, 24: -3.0})
    w = compare_effects(a, other, ["y"]).loc["y"]
    ref = stats.ttest_ind([-1.2, -2.1, -3.5, -3.0], [-1.0, -2.0, -3.0, -2.5], equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert w["test"] == "Welch t"
    assert (w["ci_low"], w["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert w["ci_high"] - w["ci_low"] > 3 * (t["ci_high"] - t["ci_low"])


def test_compare_with_one_replicate_gives_nan_intervals_and_says_why():
    from sim.analysis import compare_effects

    one, two = _effects_frame({1: -1.0}), _effects_frame({5: -2.0, 6: -1.0})
    w = compare_effects(one, two, ["y"]).loc["y"]  # no RuntimeWarning (warnings are errors)
    assert np.isnan(w["ci_low"]) and np.isnan(w["ci_high"]) and w["difference"] == -0.5
    assert w["note"] == "1 replicate in A: no interval (needs 2 or more per run)"
    p = compare_effects(one, _effects_frame({1: -3.0}), ["y"]).loc["y"]
    assert p["test"] == "paired t (by seed)" and np.isnan(p["ci_low"])
    assert p["note"] == "1 seed pair: no interval (needs 2 or more)"


def test_performance_curve_is_shock_over_baseline_and_1_without_a_baseline():
    from sim.analysis import performance_curve

    p = performance_curve(np.array([0.5, 2.0, 3.0, 0.0]), np.array([1.0, 4.0, 0.0, 0.0]))
    assert p.dtype == float
    np.testing.assert_array_equal(p, [0.5, 0.5, 1.0, 1.0])  # nothing to lose: P = 1
    np.testing.assert_array_equal(performance_curve([1.2], [1.0]), [1.2])  # may exceed 1
