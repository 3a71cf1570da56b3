"""ABC-SMC calibration (sim.calibrate): declarations, stops, failures, reproducibility, the CLI,
and the coverage of the posterior intervals on synthetic data."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibrate import (
    CALIBRATED,
    HELD_OUT_EPISODES,
    TRAINING_EPISODES,
    TRAINING_PATTERNS,
    BoxPrior,
    EpisodeTarget,
    PatternEpisodeSimulator,
    abc_smc,
    criterion_distance,
    episode_paths,
    held_out_patterns,
    prior,
    read_tables,
    resolve_patterns,
)
from sim.errors import ValidationError
from sim.executors import ProcessExecutor, SerialExecutor
from sim.params import ModelParams
from sim.patterns import CATALOGUE, OUT_OF_SAMPLE_2026
from sim.store import LOCK, Store
from tests.helpers import SHARED_DATA

ROOT = Path(__file__).resolve().parents[1]


# -- declarations ------------------------------------------------------------------------------
def test_training_patterns_are_the_declared_calibration_patterns():
    assert set(TRAINING_PATTERNS) == {p.id for p in CATALOGUE if p.role == "calibration"}
    held = {p.id for p in held_out_patterns()}
    assert not held & set(TRAINING_PATTERNS)
    # every other pattern is held out, the Russia–Iran open question and 2026 among them
    assert held == ({p.id for p in CATALOGUE} - set(TRAINING_PATTERNS)) | {
        p.id for p in OUT_OF_SAMPLE_2026
    }
    assert "syria-rus-irn" in held


def test_model_docs_declare_the_same_calibration():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text[text.index("**Calibrated parameters**") :]
    section = section[: section.index("\n\n**", 5)]
    rows = re.findall(r"^\| `params\.([a-z_]+)` \| ([a-z ]+) \|", section, flags=re.M)
    assert {n for n, role in rows if role == "calibrated"} == set(CALIBRATED)
    assert {n for n, role in rows if role == "not calibrated"} >= {"trade_elasticity"}
    declared = re.search(r"Training patterns: (.*)\.", section).group(1)
    assert re.findall(r"`([a-z0-9-]+)`", declared) == list(TRAINING_PATTERNS)
    eps = re.search(r"Training episodes: (.*)\.", section).group(1)
    assert re.findall(r"`([a-z0-9_]+)`", eps) == list(TRAINING_EPISODES)
    held = re.search(r"Held-out episodes: (.*)\.", section).group(1)
    assert re.findall(r"`([a-z0-9_]+)`", held) == list(HELD_OUT_EPISODES)


def test_prior_is_the_documented_ranges_and_names_are_checked():
    p = prior()
    assert p.names == tuple(CALIBRATED)
    r = ModelParams.ranges()
    assert p.lows == tuple(r[n][0] for n in p.names) and p.highs == tuple(r[n][1] for n in p.names)
    assert p.pdf(np.array([[1.0, 0.1], [3.0, 0.1]])).tolist() == [1 / (2 * 0.48), 0.0]
    with pytest.raises(ValidationError, match="did you mean 'need_weight'"):
        prior(["need_weigth"])
    with pytest.raises(ValidationError, match="did you mean 'strike-no-rescue'"):
        resolve_patterns(["strike-no-rescu"])


def test_criterion_distance():
    assert criterion_distance(-0.25, -0.40, -0.10) == 0.0
    assert criterion_distance(-0.55, -0.40, -0.10) == pytest.approx(0.5)
    assert criterion_distance(0.3, -math.inf, 0.10) == pytest.approx(2.0)
    assert criterion_distance(-0.06, -0.05, math.inf) == pytest.approx(0.2)
    assert criterion_distance(math.nan, 0, 1) == math.inf
    assert criterion_distance(-1.0, 0.0, math.inf) == pytest.approx(100.0)  # scale 0.01


def test_pattern_statistics_follow_need_weight():
    sim = PatternEpisodeSimulator(("need_weight",), resolve_patterns(["iran-removal-houthis"]))
    stats, errors = sim.simulate_batch(np.array([[0.2], [1.5]]), [1, 1])
    assert errors == [None, None]
    # the Houthis' loss grows with the weight of supply in capability
    assert stats[1, 0] < stats[0, 0] < 0
    d = sim.distance(stats)
    assert d[0] == pytest.approx(criterion_distance(stats[0, 0], -0.4, -0.1))


def test_a_model_that_raises_is_one_failed_row_of_the_batch():
    sim = PatternEpisodeSimulator(("need_weight",), resolve_patterns(["strike-no-rescue"]),
                                  replicates=1)  # fmt: skip
    stats, errors = sim.simulate_batch(np.array([[-1.0], [0.5]]), [0, 1])
    assert np.isnan(stats[0]).all() and errors[0].startswith("Traceback")
    assert "need_weight" in errors[0] and "outside its plausible range" in errors[0]
    assert errors[1] is None and stats[1, 0] == pytest.approx(0.0)
    assert sim.distance(stats)[0] == math.inf


# -- the engine on a toy simulator ---------------------------------------------------------------
class Gaussian:
    """y ~ N(theta, sigma) per coordinate; module level so worker processes can import it."""

    def __init__(self, observed, sigma=0.1, fail_above=None):
        self.observed, self.sigma, self.fail_above = np.asarray(observed), sigma, fail_above

    def simulate_batch(self, thetas, seeds):
        out, errors = [], []
        for theta, seed in zip(thetas, seeds, strict=True):
            rng = np.random.default_rng(seed)
            y = np.asarray(theta) + self.sigma * rng.standard_normal(len(theta))
            err = None
            if self.fail_above is not None and theta[0] > self.fail_above:
                try:
                    raise FloatingPointError(f"model diverged at {theta[0]:.3f}")
                except FloatingPointError:
                    import traceback

                    err = traceback.format_exc()
                y = np.full(len(theta), np.nan)
            out.append(y)
            errors.append(err)
        return np.asarray(out), errors

    def distance(self, stats):
        return np.sqrt(((np.atleast_2d(stats) - self.observed) ** 2).sum(axis=1))


BOX = BoxPrior(("a", "b"), (0.0, 0.0), (1.0, 1.0))


def test_abc_smc_concentrates_on_the_truth_and_weights_are_normalised():
    g = Gaussian([0.3, 0.7], sigma=0.05)
    res = abc_smc(g.simulate_batch, g.distance, BOX, population=100, generations=4, seed=3)
    assert res.stop == "generations" and len(res.particles) == 4
    med = res.median()
    assert abs(med["a"] - 0.3) < 0.08 and abs(med["b"] - 0.7) < 0.08
    eps = [h["epsilon"] for h in res.history]
    assert eps[0] == math.inf and eps[1] > eps[2] > eps[3]
    for w in res.weights:
        assert w.sum() == pytest.approx(1.0) and (w > 0).all()
    assert all(h["ess"] <= h["accepted"] for h in res.history)
    assert res.simulations == sum(h["simulations"] for h in res.history)


def test_budget_stops_part_way_through_a_generation():
    g = Gaussian([0.3, 0.7], sigma=0.01)
    res = abc_smc(
        g.simulate_batch, g.distance, BOX, population=50, generations=10, budget=200,
        batch_size=10, seed=1,
    )  # fmt: skip
    assert res.stop == "budget"
    assert res.simulations == 200  # checked after every batch of 10, not after a generation
    # the last generation was cut short: the result is the last complete one
    assert sum(h["simulations"] for h in res.history) < 200
    assert len(res.particles) == len(res.history) >= 1


def test_acceptance_stop_fires_during_the_generation():
    g = Gaussian([0.3, 0.7], sigma=0.3)  # noisy: the median epsilon shrinks slowly
    res = abc_smc(
        g.simulate_batch, g.distance, BOX, population=40, generations=30, min_acceptance=0.25,
        batch_size=8, seed=2, quantile=0.1,
    )  # fmt: skip
    assert res.stop == "acceptance"
    # the unfinished generation ran just past population / min_acceptance = 160 simulations
    unfinished = res.simulations - sum(h["simulations"] for h in res.history)
    assert 160 <= unfinished < 168
    assert all(h["acceptance_rate"] >= 0.25 for h in res.history[1:])


def test_target_ess_keeps_a_generation_accepting():
    g = Gaussian([0.3, 0.7], sigma=0.05)
    res = abc_smc(g.simulate_batch, g.distance, BOX, population=30, generations=3,
                  target_ess=45, batch_size=10, seed=4)  # fmt: skip
    for h in res.history:
        assert h["ess"] >= 45 and h["accepted"] >= 45


def test_a_failing_model_is_recorded_not_fatal():
    g = Gaussian([0.3, 0.7], sigma=0.05, fail_above=0.8)
    res = abc_smc(g.simulate_batch, g.distance, BOX, population=40, generations=2, seed=5)
    assert res.failures, "some prior draws have a > 0.8"
    f = res.failures[0]
    assert f.theta[0] > 0.8 and "FloatingPointError: model diverged" in f.error
    assert isinstance(f.seed, int)
    # counted as rejected: no accepted particle has a > 0.8, and the rate counts them
    assert all((x[:, 0] <= 0.8).all() for x in res.particles[1:])
    g0 = res.history[0]
    assert g0["examined"] == g0["accepted"] + sum(1 for f in res.failures if f.generation == 0)


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    from sim.calibrate import load_checkpoint, write_checkpoint

    g = Gaussian([0.3, 0.7], sigma=0.05, fail_above=0.9)
    kw = dict(population=30, batch_size=10, seed=8)
    full = abc_smc(g.simulate_batch, g.distance, BOX, generations=4, **kw)
    part = abc_smc(g.simulate_batch, g.distance, BOX, generations=2, **kw)
    write_checkpoint(tmp_path, part, ["a", "b"])
    back = load_checkpoint(tmp_path, ["a", "b"])
    assert len(back.particles) == 2 and back.failures == part.failures
    resumed = abc_smc(g.simulate_batch, g.distance, BOX, generations=4, resume=back, **kw)
    for x, y in zip(full.particles + full.weights, resumed.particles + resumed.weights,
                    strict=True):  # fmt: skip
        np.testing.assert_array_equal(x, y)
    assert [h["epsilon"] for h in resumed.history] == [h["epsilon"] for h in full.history]
    assert resumed.simulations == full.simulations and resumed.failures == full.failures
    assert load_checkpoint(tmp_path / "empty", ["a", "b"]) is None


def test_same_seed_same_posterior_on_serial_and_processes():
    sim = PatternEpisodeSimulator(tuple(CALIBRATED), resolve_patterns(["strike-no-rescue"]),
                                  replicates=1)  # fmt: skip
    kw = dict(population=6, generations=2, batch_size=6, seed=11)
    a = abc_smc(sim.simulate_batch, sim.distance, prior(), executor=SerialExecutor(), **kw)
    with ProcessExecutor(2) as ex:
        b = abc_smc(sim.simulate_batch, sim.distance, prior(), executor=ex, **kw)
    for x, y in zip(a.particles + a.weights, b.particles + b.weights, strict=True):
        np.testing.assert_array_equal(x, y)
    c = abc_smc(sim.simulate_batch, sim.distance, prior(), **{**kw, "seed": 12})
    assert not np.array_equal(a.particles[0], c.particles[0])


@pytest.mark.slow
def test_same_seed_same_posterior_on_dask():
    from sim.executors import DaskExecutor

    sim = PatternEpisodeSimulator(tuple(CALIBRATED), resolve_patterns(["strike-no-rescue"]),
                                  replicates=1)  # fmt: skip
    kw = dict(population=4, generations=2, seed=11)
    a = abc_smc(sim.simulate_batch, sim.distance, prior(), **kw)
    with DaskExecutor(workers=2) as ex:
        b = abc_smc(sim.simulate_batch, sim.distance, prior(), executor=ex, **kw)
    for x, y in zip(a.particles + a.weights, b.particles + b.weights, strict=True):
        np.testing.assert_array_equal(x, y)


def test_an_interrupted_calibration_resumes_through_the_store(tmp_path, monkeypatch):
    """Killed during generation 1: the store holds generation 0 and its failures; --resume
    reruns only generation 1 and gives the same posterior as an uninterrupted run."""
    import sim.calibrate as cal

    kw = dict(patterns=["strike-no-rescue"], episodes=(), held_out_episodes=(), population=3,
              generations=2, replicates=1, predictive_draws=1, seed=5,
              parameters=["need_weight"])  # fmt: skip
    full = cal.calibrate(tmp_path / "full", **kw)
    calls = []
    real = cal.PatternEpisodeSimulator.simulate_batch

    def dies_in_generation_1(self, thetas, seeds):
        calls.append(len(thetas))
        if len(calls) > 1:
            raise KeyboardInterrupt  # the process is killed mid-generation
        return real(self, thetas, seeds)

    monkeypatch.setattr(cal.PatternEpisodeSimulator, "simulate_batch", dies_in_generation_1)
    out = tmp_path / "cut"
    with pytest.raises(KeyboardInterrupt):
        cal.calibrate(out, **kw)
    monkeypatch.setattr(cal.PatternEpisodeSimulator, "simulate_batch", real)
    store = Store(out)
    assert store.manifest()["status"] == "running" and not (out / LOCK).exists()
    stored = store.keys()
    assert {k for k in stored if k.startswith("g")} == {"g0000-particles", "g0000-history"}
    with pytest.raises(ValidationError, match="already holds results"):
        cal.calibrate(out, **kw)
    lines = []
    rec = cal.calibrate(out, **kw, resume=True, progress=lines.append)
    assert any(line.startswith("resuming") for line in lines)
    assert not any(line.startswith("generation 0:") for line in lines)
    assert rec["simulations"] == full["simulations"]
    a, b = read_tables(tmp_path / "full"), read_tables(out)
    pd.testing.assert_frame_equal(a["posterior"], b["posterior"])
    pd.testing.assert_frame_equal(
        a["history"].drop(columns="seconds"), b["history"].drop(columns="seconds")
    )


# -- the batched simulator ---------------------------------------------------------------------
def test_a_batch_of_candidates_equals_each_candidate_run_alone():
    sim = PatternEpisodeSimulator(tuple(CALIBRATED), resolve_patterns(TRAINING_PATTERNS),
                                  replicates=2)  # fmt: skip
    thetas = np.array([[0.2, 0.05], [1.5, 0.4], [0.8, 0.1], [-1.0, 0.1]])
    seeds = [11, 12, 13, 14]
    stats, errors = sim.simulate_batch(thetas, seeds)
    assert errors[:3] == [None] * 3 and "outside its plausible range" in errors[3]
    assert np.isnan(stats[3]).all()
    alone = np.array([sim.statistics(t, s) for t, s in zip(thetas[:3], seeds[:3], strict=True)])
    np.testing.assert_allclose(stats[:3], alone, rtol=0, atol=1e-12)
    # the candidates differ, so the batch's rows really had their own parameters
    assert len({round(v, 9) for v in stats[:3, 1]}) == 3


DATA = SHARED_DATA


@pytest.mark.skipif(not DATA.is_dir(), reason="needs the real data in ../shared/data")
def test_episode_rho_of_a_batch_equals_one_model_per_run():
    from sim.io import ImportReport, read_sipri_records

    path = episode_paths(TRAINING_EPISODES)[0]
    first = lambda pat: sorted(DATA.glob(pat))[0]  # noqa: E731
    target = EpisodeTarget.from_files(
        path,
        sipri=read_sipri_records(first("sipri*.csv"), report=ImportReport()),
        alliances=first("atop*.csv") if list(DATA.glob("atop*.csv")) else first("alliance_v4*"),
        capabilities=first("NMC*.csv"),
        alliance_kind="ATOP" if list(DATA.glob("atop*.csv")) else "COW",
    )
    params = [ModelParams(need_weight=0.1, capability_rate=0.4),
              ModelParams(need_weight=1.8, capability_rate=0.03)]  # fmt: skip
    seeds = [[3], [4, 5]]
    batch = target.rho_batch(params, seeds)
    alone = [target.rho(p, s) for p, s in zip(params, seeds, strict=True)]
    np.testing.assert_allclose(batch, alone, rtol=0, atol=1e-12)
    assert all(-1 <= r <= 1 for r in batch)


# -- coverage on synthetic data ------------------------------------------------------------------
@pytest.fixture(scope="module")
def response():
    """A capability's response to need_weight in a small synthetic world, from model runs.

    Removing the main supplier of an 8-actor world lowers its client's capability after three
    months by an amount linear in need_weight over [0, 1] (measured on a grid of 11 model
    runs; the coverage test then reads this curve, since 100 fits of ~700 simulations each
    would take far longer than CI allows with the model itself: ~40 ms per run here).
    """
    from sim.model import AllianceModel
    from sim.shocks import RemoveState
    from sim.worlds import synthetic

    w = synthetic(8, rng=0)
    sup = [t.supplier for t in w.ties_in("supply")]
    src = max(sorted(set(sup)), key=sup.count)
    client = sorted(t.recipient for t in w.ties_in("supply") if t.supplier == src)[0]
    grid = np.linspace(0, 1, 11)
    vals = []
    for nw in grid:
        m = AllianceModel(w, params=ModelParams(need_weight=nw, anchor_draws=1),
                          shocks=(RemoveState(src, at=0),), rng=0)  # fmt: skip
        for _ in range(3):
            m.step()
        vals.append(m.capability(client))
    return grid, np.asarray(vals)


class Measured:
    """The model's response plus Gaussian measurement error (sd `sigma`)."""

    def __init__(self, grid, values, observed, sigma):
        self.grid, self.values, self.observed, self.sigma = grid, values, observed, sigma

    def simulate_batch(self, thetas, seeds):
        noise = [np.random.default_rng(s).standard_normal() for s in seeds]
        y = np.interp(np.asarray(thetas)[:, 0], self.grid, self.values) + self.sigma * np.array(
            noise
        )
        return y[:, None], [None] * len(seeds)

    def distance(self, stats):
        return np.abs(np.atleast_2d(stats)[:, 0] - self.observed)


def test_response_is_informative(response):
    _, vals = response
    assert np.all(np.diff(vals) < 0), "capability falls more as need_weight grows"


@pytest.mark.slow
def test_coverage_of_90_percent_intervals_on_synthetic_data(response):
    grid, vals = response
    sigma = 0.15 * (vals[0] - vals[-1])  # the measurement error: 15% of the response's span
    box = BoxPrior(("need_weight",), (0.0,), (1.0,))
    rng = np.random.default_rng(20261201)
    n, hits = 100, 0
    for k in range(n):
        truth = rng.uniform(0, 1)
        observed = np.interp(truth, grid, vals) + sigma * rng.standard_normal()
        m = Measured(grid, vals, observed, sigma)
        res = abc_smc(m.simulate_batch, m.distance, box, population=200, generations=5, seed=k)
        lo, hi = res.quantiles([0.05, 0.95])[:, 0]
        hits += lo <= truth <= hi
    assert 0.85 <= hits / n <= 0.95, f"coverage {hits / n:.2f}"


def test_episodes_resolve_by_the_one_rule_in_a_checkout_and_in_a_wheel(tmp_path, monkeypatch):
    import sim.scenario
    from sim.history.episode import episode_files
    from sim.worlds import resolve, resolve_problem

    assert resolve("syria_2024", "episode") == episode_files()["syria_2024"]
    assert resolve_problem("syria-2024", "episode", where="--episodes").suggestion == (
        "did you mean 'syria_2024'?"
    )
    with pytest.raises(ValidationError) as err:
        episode_paths(["egypt_realignment_1972", str(tmp_path / "gone.toml"), "iraq_2030"])
    assert [(p.message, p.value) for p in err.value.problems] == [
        ("no such episode file", str(tmp_path / "gone.toml")),
        ("neither an episode file nor a shipped episode", "iraq_2030"),
    ]
    # an installed wheel keeps the shipped scenarios in sim/_scenarios (pyproject force-include)
    shipped = tmp_path / "_scenarios"
    (shipped / "history").mkdir(parents=True)
    (shipped / "history" / "only_here.toml").write_text("# an episode\n", encoding="utf-8")
    monkeypatch.setattr(sim.scenario, "_scenario_dirs", lambda: [shipped])
    assert episode_paths(["only_here"]) == [shipped / "history" / "only_here.toml"]
