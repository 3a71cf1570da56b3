"""Ensembles: seeds, shipped scenarios, executor equality, interrupted-and-resumed runs, CLI."""

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

from sim.errors import SimError, ValidationError
from sim.runner import load_results, replicate_seeds, run_scenario
from sim.scenario import list_scenarios, load_scenario
from sim.shocks import Restore
from sim.store import ResultsStore

ROOT = Path(__file__).parent.parent


def test_replicate_seeds_are_spawned_and_stable_under_more_replicates():
    assert replicate_seeds(7, 3) == replicate_seeds(7, 10)[:3]
    assert len(set(replicate_seeds(7, 100))) == 100
    assert replicate_seeds(7, 3) != replicate_seeds(8, 3)
    child = np.random.SeedSequence(7).spawn(2)[1]
    assert replicate_seeds(7, 2)[1] == int(child.generate_state(1, dtype=np.uint64)[0] >> 1)


@pytest.mark.parametrize("name", list_scenarios())
def test_every_shipped_scenario_validates_and_runs(name):
    spec = load_scenario(name)
    assert spec.shocks and spec.outcomes and spec.question
    steps = max(s.at for s in (*spec.shocks, *spec.baseline_shocks)) + 2
    res = run_scenario(spec, replicates=2, steps=steps, executor="serial", quiet=True)
    mf = res.model_frame
    assert list(mf.columns[:5]) == ["scenario", "replicate", "seed", "arm", "step"]
    assert len(mf) == 2 * 2 * (steps + 1)
    assert set(spec.outcomes) <= set(mf.columns)
    summary = res.summary()
    assert list(summary.index) == list(spec.outcomes)
    assert summary["n"].eq(2).all()
    # The arms share their seed, so they agree until the first shock takes effect.
    first = min(s.at for s in spec.shocks)
    early = mf[mf["step"] <= first].pivot_table(
        index=["replicate", "step"], columns="arm", values=list(spec.outcomes)
    )
    if not spec.baseline_shocks:
        for outcome in spec.outcomes:
            assert np.allclose(early[(outcome, "shock")], early[(outcome, "baseline")])


def test_shocked_and_baseline_arms_differ_after_the_shock():
    res = run_scenario("syria_loss", replicates=3, steps=4, executor="serial", quiet=True)
    s = res.summary()
    assert s.loc["delivered:IRN->HEZ", "ci_high"] < 0  # the land bridge through Syria is gone
    assert s.loc["giant:axis", "difference"] < 0


def test_serial_processes_and_dask_give_identical_frames(tmp_path):
    kw = {"replicates": 4, "steps": 14, "quiet": True}
    serial = run_scenario("syria_and_instc", executor="serial", **kw)
    procs = run_scenario("syria_and_instc", executor="processes", workers=2, **kw)
    dask = run_scenario("syria_and_instc", executor="dask", workers=2, **kw)
    for other in (procs, dask):
        assert_frame_equal(serial.model_frame, other.model_frame)
        assert_frame_equal(serial.agent_frame, other.agent_frame)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "sim.cli", *args]


def test_a_killed_run_resumes_to_exactly_the_uninterrupted_results(tmp_path):
    args = ["run", "syria_loss", "--replicates", "12", "--steps", "24", "--executor", "serial"]
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(_cli(*args, "--out", str(cut), "--quiet"), cwd=ROOT, env=env)
    parts = cut / "parts"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if parts.is_dir() and len(list(parts.glob("*.model.parquet"))) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list(parts.glob("*.model.parquet")))
    assert 3 <= done < 12, "the kill should land part-way through the run"
    resumed = subprocess.run(
        _cli(*args, "--out", str(cut), "--resume", "--quiet"), cwd=ROOT, env=env, check=False
    )
    assert resumed.returncode == 0
    subprocess.run(_cli(*args, "--out", str(whole), "--quiet"), cwd=ROOT, env=env, check=True)
    a, b = load_results(whole), load_results(cut)
    assert a.replicates == b.replicates == list(range(12))
    assert_frame_equal(a.model_frame, b.model_frame)
    assert_frame_equal(a.agent_frame, b.agent_frame)


DATA = Path(__file__).parent / "data"


def test_inspected_outcomes_show_a_shock_in_the_same_row_as_the_reporters():
    # docs/architecture.md: a shock with at=t takes effect before the supply phase of the step
    # from t to t + 1, so row t + 1 is the first to show it -- for every column.
    spec = load_scenario(DATA / "shock_timing.toml")
    at = spec.shocks[0].at
    res = run_scenario(spec, executor="serial", quiet=True)
    mf = res.model_frame
    shock = mf[mf["arm"] == "shock"].set_index(["replicate", "step"])
    for rep in range(spec.replicates):
        before, after = shock.loc[(rep, at)], shock.loc[(rep, at + 1)]
        assert before["alive:axis"] == 4 and after["alive:axis"] == 3
        assert before["capability:BBB"] > 0.3 and after["capability:BBB"] == 0.0
        assert before["strength:AAA-BBB"] > 0.3 and after["strength:AAA-BBB"] == 0.0
        assert before["delivered:BBB->CLI"] > 5 and after["delivered:BBB->CLI"] == 0.0
    # Up to and including row t the arms are identical (same seed, shock not yet visible).
    base = mf[mf["arm"] == "baseline"].set_index(["replicate", "step"])
    early = [s for s in range(at + 1)]
    for col in spec.outcomes:
        a = shock.loc[(slice(None), early), col].to_numpy()
        b = base.loc[(slice(None), early), col].to_numpy()
        np.testing.assert_allclose(a, b)


def test_a_spec_changed_in_code_is_checked_before_the_store_opens(tmp_path):
    spec = load_scenario(DATA / "shock_timing.toml")
    bad = dataclasses.replace(spec, shocks=(*spec.shocks, Restore(spec.shocks[0], at=2)))
    with pytest.raises(ValidationError, match=r"shocks\[1\]: restore") as info:
        run_scenario(bad, executor="serial", quiet=True, out=tmp_path / "r")
    assert len(info.value.problems) == 1
    assert not (tmp_path / "r").exists()


def test_a_directory_whose_run_stored_nothing_is_reused_without_resume(tmp_path):
    out = tmp_path / "r"
    ResultsStore.open_for_run(out, {"scenario": {"name": "x"}}).close()  # failed before rep 0
    assert ResultsStore(out).manifest()["status"] == "running"
    res = run_scenario(DATA / "shock_timing.toml", executor="serial", quiet=True, out=out)
    assert res.replicates == [0, 1] and res.manifest["status"] == "complete"
    assert res.scenario == "shock_timing"


def test_resuming_with_fewer_replicates_leaves_the_extra_ones_out(tmp_path):
    spec = load_scenario(DATA / "shock_timing.toml")
    out = tmp_path / "r"
    run_scenario(spec, replicates=3, executor="serial", quiet=True, out=out)
    res = run_scenario(spec, replicates=2, executor="serial", quiet=True, out=out, resume=True)
    assert res.replicates == [0, 1]
    assert sorted(res.model_frame["replicate"].unique()) == [0, 1]
    assert sorted(res.agent_frame["replicate"].unique()) == [0, 1]
    assert res.summary()["n"].eq(2).all()
    assert res.manifest["replicates_stored"] == [0, 1]
    # The third part stays on disk and a later resume with more replicates reuses it.
    assert ResultsStore(out).stored() == {0, 1, 2}


def test_resume_refuses_another_world_with_the_same_name(tmp_path):
    spec = load_scenario(DATA / "shock_timing.toml")
    out = tmp_path / "r"
    run_scenario(spec, replicates=1, executor="serial", quiet=True, out=out)
    w = spec.world
    weaker = [dataclasses.replace(a, capability=0.1) if a.id == "AAA" else a for a in w.actors]
    other = dataclasses.replace(spec, world=w.replace(actors=weaker))
    assert other.world.name == spec.world.name and other.sha256 == spec.sha256
    with pytest.raises(ValidationError, match="world's content") as info:
        run_scenario(other, replicates=2, executor="serial", quiet=True, out=out, resume=True)
    assert [p.where.rsplit(" ", 1)[-1] for p in info.value.problems] == ["scenario.world_sha256"]
    assert ResultsStore(out).stored() == {0}


def test_resume_refuses_other_baseline_shocks_and_other_resolved_params(tmp_path):
    spec = load_scenario(DATA / "shock_timing.toml")
    out = tmp_path / "r"
    run_scenario(spec, replicates=1, executor="serial", quiet=True, out=out)
    other = dataclasses.replace(spec, baseline_shocks=spec.shocks)
    with pytest.raises(ValidationError, match="baseline arm's shocks differ"):
        run_scenario(other, executor="serial", quiet=True, out=out, resume=True)
    # Same overrides, other resolved parameters (a default changed between versions, say).
    stored = ResultsStore(out).manifest()
    record = dict(stored["scenario"])
    record["model_params"] = {**record["model_params"], "tie_decay": 0.5}
    record["params_sha256"] = "0" * 64
    with pytest.raises(ValidationError, match=r"model parameters differ.*tie_decay: 0\.06 -> 0\.5"):
        ResultsStore.open_for_run(out, {**stored, "scenario": record}, resume=True)


def test_the_summary_footer_defines_p_and_the_recovery_columns():
    res = run_scenario(DATA / "shock_timing.toml", executor="serial", quiet=True)
    text = res.format_summary()
    assert "P(t) = each replicate's shocked arm / the ensemble-mean baseline at t" in text
    assert "dropped = share of replicates with P < 1 - 5%" in text
    row = next(line for line in text.splitlines() if line.startswith("capability:BBB"))
    assert row.split()[-2:] == ["100%", "never"]  # BBB is gone for good


# -- failure isolation: a failed replicate never sinks the run ----------------------------------


def _stored_frames_equal(res, ref, replicates):
    for kind in ("model_frame", "agent_frame"):
        got, want = getattr(res, kind), getattr(ref, kind)
        assert_frame_equal(
            got[got["replicate"].isin(replicates)].reset_index(drop=True),
            want[want["replicate"].isin(replicates)].reset_index(drop=True),
        )


def _row_of_seed(engine, seed):
    """The row of `engine` whose streams were spawned from `seed` (or None)."""
    for r, g in enumerate(engine.draws.gens[1]):
        if g.bit_generator.seed_seq.entropy == seed:
            return r
    return None


def test_a_replicate_whose_shock_raises_is_recorded_and_the_others_stored_unchanged(
    tmp_path, monkeypatch
):
    from sim.executors import ENSEMBLE_CHUNK, chunk_size
    from sim.shocks import RemoveState

    # 16 replicates on one worker run in batches: replicate 5 shares its batch with another
    size = chunk_size(16, 1, max_size=ENSEMBLE_CHUNK)
    assert size >= 2 and 5 // size == (5 - 1) // size
    kw = {"replicates": 16, "steps": 4, "executor": "serial", "quiet": True}
    clean = run_scenario("syria_loss", out=tmp_path / "clean", **kw)
    seeds = replicate_seeds(load_scenario("syria_loss").seed, 16)
    apply = RemoveState.apply

    def failing_apply(self, model):
        if model.shock_rng.bit_generator.seed_seq.entropy == seeds[5]:
            raise RuntimeError("injected for replicate 5")
        return apply(self, model)

    monkeypatch.setattr(RemoveState, "apply", failing_apply)
    with pytest.warns(RuntimeWarning, match="1 of 16 replicates failed"):
        res = run_scenario("syria_loss", out=tmp_path / "failing", **kw)
    others = [r for r in range(16) if r != 5]
    assert res.replicates == others
    _stored_frames_equal(res, clean, others)
    (failure,) = load_results(tmp_path / "failing").failed
    assert failure["replicate"] == 5 and failure["seed"] == seeds[5]
    assert failure["arm"] == "shock"
    assert "Traceback" in failure["reason"]
    assert "RuntimeError: injected for replicate 5" in failure["reason"]
    assert "1 failed replicates left out" in res.format_summary()
    assert res.summary()["n"].eq(15).all()  # the analysis is over the replicates that ran


def test_a_replicate_that_goes_nan_is_recorded_for_both_arms(tmp_path, monkeypatch):
    from sim.engine import Engine

    kw = {"replicates": 16, "steps": 4, "executor": "serial", "quiet": True}
    clean = run_scenario("syria_loss", out=tmp_path / "clean", **kw)
    seeds = replicate_seeds(load_scenario("syria_loss").seed, 16)
    update = Engine._update_states

    def poisoned(self):
        update(self)
        r = _row_of_seed(self, seeds[8])
        if r is not None:
            self.stab[r, 3] = np.nan

    monkeypatch.setattr(Engine, "_update_states", poisoned)
    with pytest.warns(RuntimeWarning, match="1 of 16 replicates failed"):
        res = run_scenario("syria_loss", out=tmp_path / "nan", **kw)
    others = [r for r in range(16) if r != 8]
    assert res.replicates == others
    _stored_frames_equal(res, clean, others)
    failed = res.failed
    assert [(f["replicate"], f["seed"], f["arm"]) for f in failed] == [
        (8, seeds[8], "baseline"),
        (8, seeds[8], "shock"),
    ]
    assert all("non-finite state after step 1" in f["reason"] for f in failed)


def test_a_batch_that_raises_as_a_whole_is_rerun_one_replicate_at_a_time(monkeypatch):
    from sim.engine import Engine
    from sim.runner import run_replicate, run_replicates

    spec = load_scenario("syria_loss").with_overrides(steps=4)
    tasks = list(enumerate(replicate_seeds(spec.seed, 4)))
    clean = {rep: run_replicate(spec, rep, seed) for rep, seed in tasks}
    step = Engine.step

    def fragile(self):
        # a batch with replicate 3 in it raises; so does replicate 3 alone
        if _row_of_seed(self, tasks[3][1]) is not None:
            raise FloatingPointError("no row to blame")
        step(self)

    monkeypatch.setattr(Engine, "step", fragile)
    failures = []
    done = run_replicates(spec, tasks, failures=failures)
    assert [rep for rep, _, _ in done] == [0, 1, 2]
    for rep, mf, af in done:
        assert_frame_equal(mf, clean[rep][0])
        assert_frame_equal(af, clean[rep][1])
    (failure,) = failures
    assert (failure["replicate"], failure["seed"]) == tasks[3]
    assert "FloatingPointError: no row to blame" in failure["reason"]


def test_run_replicates_without_a_failures_list_raises_rather_than_drop_a_replicate(monkeypatch):
    from sim.engine import Engine
    from sim.runner import run_replicate, run_replicates

    spec = load_scenario("syria_loss").with_overrides(steps=3)
    tasks = list(enumerate(replicate_seeds(spec.seed, 3)))
    update = Engine._update_states

    def poisoned(self):
        update(self)
        r = _row_of_seed(self, tasks[1][1])
        if r is not None:
            self.stab[r, 0] = np.nan

    monkeypatch.setattr(Engine, "_update_states", poisoned)
    with pytest.raises(SimError, match=rf"replicate 1 \(seed {tasks[1][1]}, arm baseline\)"):
        run_replicates(spec, tasks)  # nothing dropped silently
    with pytest.raises(SimError, match="non-finite state"):
        run_replicate(spec, *tasks[1])
    failures = []
    assert [rep for rep, _, _ in run_replicates(spec, tasks, failures=failures)] == [0, 2]
    assert {f["replicate"] for f in failures} == {1}


def test_a_run_whose_every_replicate_fails_raises_and_a_resume_retries_them(tmp_path, monkeypatch):
    from sim.shocks import RemoveState

    apply = RemoveState.apply

    def broken(self, model):
        raise RuntimeError("every shock breaks")

    kw = {"replicates": 3, "steps": 3, "executor": "serial", "quiet": True, "out": tmp_path / "r"}
    monkeypatch.setattr(RemoveState, "apply", broken)
    with pytest.raises(SimError, match=r"every replicate of scenario 'syria_loss' failed \(3\)"):
        run_scenario("syria_loss", **kw)
    manifest = ResultsStore(tmp_path / "r").manifest()
    assert manifest["status"] == "running"  # not an empty "complete" run
    assert sorted({f["replicate"] for f in manifest["failed"]}) == [0, 1, 2]
    monkeypatch.setattr(RemoveState, "apply", apply)  # the cause fixed, a resume runs them all
    res = run_scenario("syria_loss", resume=True, **kw)
    assert res.replicates == [0, 1, 2] and res.failed == []
    assert res.manifest["status"] == "complete"
