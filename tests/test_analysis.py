"""Paired differences and their intervals, resilience figures, and the results store."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from scipy import stats

from sim.analysis import mean_ci, paired_differences, resilience_figures, summarize
from sim.errors import ValidationError
from sim.store import ResultsStore


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


def _parts(rep: int):
    model = pd.DataFrame(
        {"replicate": rep, "arm": ["shock", "baseline"], "step": 0, "y": [1.0, 2.0]}
    )
    agent = model.assign(actor="AAA")
    return model, agent


def test_store_round_trip_and_only_complete_replicates_count(tmp_path):
    store = ResultsStore.open_for_run(tmp_path / "r", {"scenario": {"name": "x", "seed": 1}})
    for rep in (1, 0):
        store.write_replicate(rep, *_parts(rep))
    # A half-written replicate (agent part only) and a stray temporary file do not count.
    store.write_replicate(2, *_parts(2))
    (store.parts / "r000002.model.parquet").unlink()
    (store.parts / ".r000003.model.parquet.xyz.tmp").write_bytes(b"partial")
    assert store.stored() == {0, 1}
    back = store.read("model")
    assert_frame_equal(back, pd.concat([_parts(0)[0], _parts(1)[0]], ignore_index=True))
    store.finish()
    assert store.manifest()["status"] == "complete"


def test_store_refuses_to_mix_runs(tmp_path):
    root = tmp_path / "r"
    store = ResultsStore.open_for_run(root, {"scenario": {"name": "x", "seed": 1}})
    store.write_replicate(0, *_parts(0))  # a directory holds results once a replicate is stored
    store.close()  # a run that stopped releases its lock (tests/test_store.py tests the lock)
    with pytest.raises(ValidationError, match="--resume"):
        ResultsStore.open_for_run(root, {"scenario": {"name": "x", "seed": 1}})
    with pytest.raises(ValidationError, match=r"scenario\.seed"):
        ResultsStore.open_for_run(root, {"scenario": {"name": "x", "seed": 2}}, resume=True)
    with pytest.raises(ValidationError, match="not a results directory"):
        ResultsStore(tmp_path / "none").manifest()


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
