"""Hindcasts (sim.history.hindcast): log changes, direction and Spearman, dyads and null models,
scores and reproducibility; ensembles stored with the same scores, resumable, one policy."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim.errors import ValidationError
from sim.history import (
    hindcast,
)
from sim.history.hindcast import FLOW_FLOOR, direction, log_change, spearman
from sim.store import Store
from tests.helpers import SHARED_DATA

DATA = Path(__file__).parent / "data" / "history"
SIPRI, COW, NMC = DATA / "sipri.csv", DATA / "cow_member.csv", DATA / "nmc.csv"
EPISODE = DATA / "sanction_2004.toml"
FILES = {"sipri": SIPRI, "alliances": COW, "capabilities": NMC}


def test_a_stored_hindcast_scores_as_one_in_memory_and_resumes_from_its_parts(tmp_path):
    plain = hindcast(EPISODE, **FILES)
    out = tmp_path / "h"
    stored = hindcast(EPISODE, **FILES, out=out)
    assert stored.to_dict() == plain.to_dict() and stored.dyads.equals(plain.dyads)
    store = Store(out)
    manifest = store.manifest()
    assert manifest["kind"] == "hindcast" and manifest["status"] == "complete"
    n = plain.episode.replicates
    assert sorted(store.keys()) == [f"r{i:06d}" for i in range(n)]
    assert manifest["scores"] == json.loads(json.dumps(plain.to_dict()))
    part = store.read_part("r000000")
    assert list(part.columns) == ["arm", "month", "tie", "delivered"]
    assert set(part["arm"]) == {"shock", "baseline"} and part["month"].max() == 35
    # lose half the replicates, as a killed run would; --resume reruns only those
    for key in sorted(store.keys())[n // 2 :]:
        (out / "parts" / f"{key}.deliveries.parquet").unlink()
    with pytest.raises(ValidationError, match="pass --resume"):
        hindcast(EPISODE, **FILES, out=out)
    again = hindcast(EPISODE, **FILES, out=out, resume=True)
    assert again.to_dict() == plain.to_dict() and again.dyads.equals(plain.dyads)
    assert len(store.keys()) == n


def test_resuming_another_episode_lists_what_changed(tmp_path):
    out = tmp_path / "h"
    hindcast(EPISODE, **FILES, out=out)
    other = tmp_path / "other.toml"
    other.write_text(EPISODE.read_text().replace("seed = ", "seed = 1", 1))
    with pytest.raises(ValidationError) as info:
        hindcast(other, **FILES, out=out, resume=True)
    fields = [p.where.rsplit(" ", 1)[1] for p in info.value.problems]
    assert "hindcast.seed" in fields and "hindcast.episode_sha256" in fields


HERE = Path(__file__).parent
REAL = SHARED_DATA
REAL_SIPRI = REAL / "sipri-trade-register-2025-03-13.csv"
REAL_COW = REAL / "alliance_v4.1_by_member.csv"
REAL_ATOP = REAL / "atop5_1m.csv"
REAL_NMC = REAL / "NMC-60-abridged.csv"
SHIPPED = sorted((HERE.parent / "scenarios" / "history").glob("*.toml"))
needs_real = pytest.mark.skipif(
    not all(p.exists() for p in (REAL_SIPRI, REAL_COW, REAL_ATOP, REAL_NMC)),
    reason=f"real data files absent from {REAL}",
)


@pytest.fixture(scope="module")
def fixture_hindcast():
    return hindcast(EPISODE, sipri=SIPRI, alliances=COW, capabilities=NMC)


def test_log_change_direction_spearman():
    assert log_change(np.array([0.0]), np.array([0.0]))[0] == 0.0
    assert log_change(np.array([1.0]), np.array([2.0]))[0] == pytest.approx(
        math.log((2 + FLOW_FLOOR) / (1 + FLOW_FLOOR))
    )
    assert list(direction(np.log(np.array([2.0, 1.2, 0.5])))) == [1, 0, -1]
    assert spearman(np.array([1, 2, 3]), np.array([3, 2, 1])) == pytest.approx(-1.0)
    assert math.isnan(spearman(np.zeros(4), np.arange(4)))


def test_hindcast_dyads_and_nulls(fixture_hindcast):
    h = fixture_hindcast
    df = h.dyads.set_index(["supplier", "recipient"])
    # RUS and SYR are shocked; their partners: IRN, LBY (RUS supplies), EGY, LBY (SYR's allies)
    assert set(df.index) == {("CHN", "IRN"), ("FRA", "EGY"), ("FRA", "LBY"), ("IRN", "HEZ"),
                             ("ITA", "LBY"), ("RUS", "IRN"), ("RUS", "LBY"), ("RUS", "SYR"),
                             ("USA", "EGY")}  # fmt: skip
    assert h.after_years == (2005, 2007)
    assert df.loc[("RUS", "SYR"), "observed_after"] == pytest.approx(200 / 36)
    assert (df["after_persistence"] == df["before"]).all()
    # direct: the cut tie delivers for 6 of 36 months, then nothing
    assert df.loc[("RUS", "SYR"), "after_direct"] == pytest.approx(60 / 36 * 6 / 36)
    # direct leaves flows that touch no shocked actor alone; new dyads stay at 0 for everyone
    for d in [("CHN", "IRN"), ("USA", "EGY"), ("FRA", "LBY")]:
        assert df.loc[d, "after_direct"] == df.loc[d, "before"]
    assert df.loc[("FRA", "EGY"), ["after_model", "after_direct"]].tolist() == [0.0, 0.0]
    assert df.loc[("RUS", "SYR"), "after_model"] < df.loc[("RUS", "SYR"), "before"] / 5


def test_hindcast_metrics_and_json(fixture_hindcast, tmp_path):
    h = fixture_hindcast
    d = h.to_dict()
    assert list(d) == ["episode", "dyads", "model", "persistence", "direct"]
    assert d["episode"] == "fixture_sanction" and d["dyads"] == 9
    for p in ("model", "persistence", "direct"):
        assert list(d[p]) == ["spearman", "direction_accuracy", "ci"]
        assert list(d[p]["ci"]) == ["spearman", "direction_accuracy"]
    assert d["persistence"]["spearman"] is None  # a constant predictor has no rank correlation
    assert d["persistence"]["direction_accuracy"] == 0.0  # it calls every moved flow flat
    assert d["direct"]["spearman"] == pytest.approx(
        spearman(h.dyads["direct"].to_numpy(), h.dyads["observed"].to_numpy())
    )
    lo, hi = d["direct"]["ci"]["spearman"]
    assert -1 <= lo <= d["direct"]["spearman"] <= hi <= 1
    json.dumps(d, allow_nan=False)


def test_hindcast_reproducible(fixture_hindcast):
    again = hindcast(EPISODE, sipri=SIPRI, alliances=COW, capabilities=NMC)
    assert again.to_dict() == fixture_hindcast.to_dict()
    assert again.dyads.equals(fixture_hindcast.dyads)


@needs_real
@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_episode_hindcast_real(path):
    from sim.io import ImportReport, read_sipri_records

    records = read_sipri_records(REAL_SIPRI, report=ImportReport())
    h = hindcast(path, sipri=records, alliances=REAL_ATOP, capabilities=REAL_NMC)
    assert h.seconds > 0  # wall time is a benchmark's business (benchmarks/bench_hindcast.py)
    assert len(h.dyads) >= 30
    for p in ("model", "direct"):
        assert -1 <= h.metrics[p]["spearman"] <= 1 or math.isnan(h.metrics[p]["spearman"])


def test_the_arms_of_a_hindcast_built_once_equal_one_model_per_seed_and_arm():
    # both arms come from one construction (forked); each row must still be the one-row model
    import sim.worlds
    from sim import AllianceModel
    from sim.history.hindcast import _run_arms_rows
    from sim.shocks import Formalize, RemoveState

    world = sim.worlds.load_world("axis-2024")
    arms = ([RemoveState("SYR", at=1), Formalize(("RUS", "IRN"), at=2)], [])
    seeds, months = [5, 6], 4
    got = _run_arms_rows(world, arms, months, seeds)
    for arm, rows in zip(arms, got, strict=True):
        assert rows.shape == (len(seeds), months, len(world.ties_in("supply")))
        for r, seed in enumerate(seeds):
            model = AllianceModel(world, shocks=arm, rng=seed)
            for t in range(months):
                model.step()
                np.testing.assert_array_equal(rows[r, t], model.delivered_array)
