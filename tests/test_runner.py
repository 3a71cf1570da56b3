"""Ensembles: seeds, shipped scenarios, executor equality, interrupted-and-resumed runs, CLI."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

from sim.cli import main
from sim.runner import load_results, replicate_seeds, run_scenario
from sim.scenario import list_scenarios, load_scenario

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


def test_cli_validate_reports_every_problem_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[scenario]\nworld = "axis-2024"\nsteps = 10\n'
        '[[shocks]]\ntype = "remove_stat"\ntarget = "SYR"\nat = 2\n'
        '[[shocks]]\ntype = "remove_state"\ntarget = "SYRR"\nat = 12\n'
    )
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'remove_state'?" in err and "did you mean 'SYR'?" in err
    assert "shock after the horizon" in err and "Traceback" not in err
    assert f"{bad}:5 shocks[0].type" in err
    assert main(["validate", "syria_loss", "instc_blocked"]) == 0
    assert main(["run", "syria_los"]) == 2
    assert "did you mean 'syria_loss'?" in capsys.readouterr().err


def test_cli_run_prints_a_summary_and_writes_a_figure(tmp_path, capsys):
    out = tmp_path / "r"
    code = main(
        [
            *("run", "dprk_stops", "--replicates", "2", "--steps", "5"),
            *("--executor", "serial", "--out", str(out), "--quiet"),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "95% CI" in text and "delivered:PRK->RUS" in text
    assert (out / "figure.png").stat().st_size > 1000
    assert main(["compare", str(out), str(out)]) == 0
    assert "+0.0000" in capsys.readouterr().out
    assert main(["list"]) == 0
    assert "syria_loss" in capsys.readouterr().out


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
    for r, g in enumerate(engine.rng_state):
        if g.bit_generator.seed_seq.entropy == seed:
            return r
    return None


def test_a_replicate_whose_shock_raises_is_recorded_and_the_others_stored_unchanged(
    tmp_path, monkeypatch
):
    from sim.shocks import RemoveState

    # 16 replicates on one worker run in batches of 2: replicate 5 shares its batch with 4
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
