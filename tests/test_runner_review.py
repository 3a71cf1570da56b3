"""Review fixes of the runner, store and analysis layers (each test failed before its fix)."""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import summarize
from sim.errors import ValidationError
from sim.runner import run_scenario
from sim.scenario import load_scenario
from sim.shocks import Restore
from sim.store import ResultsStore
from tests.helpers import run_cli

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


# -- 2. what only the model can check is found by `validate`, before any run -------------------

MODEL_ONLY = """\
# Which shocks can only the model reject?
[scenario]
name = "model_only"
world = "{world}"
steps = 6
replicates = 2

[params]
defect_bloc = "westt"

[[shocks]]
type = "cut_tie"
target = ["AAA", "CLI"]
at = 2

[[shocks]]
type = "remove_state"
target = "TRN"
at = 3

[[shocks]]
type = "restore"
shock = 1
at = 3

[[baseline_shocks]]
type = "sanction"
target = "RIV"
at = 1
suppliers = ["CLI"]
"""


def test_validate_reports_what_only_the_model_rejects_with_file_and_line(tmp_path):
    path = tmp_path / "model_only.toml"
    path.write_text(MODEL_ONLY.format(world=(DATA / "tiny.toml").as_posix()))
    code, out, err = run_cli("validate", path)
    assert code == 2 and "valid" not in out and "Traceback" not in err
    assert "has 4 problems" in err
    assert f"{path}:9 params.defect_bloc" in err and "did you mean 'west'?" in err
    assert f"{path}:11 shocks[0]: cut_tie" in err and "no supply tie from 'AAA' to 'CLI'" in err
    assert f"{path}:21 shocks[2]: restore" in err and "must come after" in err
    assert f"{path}:26 baseline_shocks[0]: sanction" in err
    # ... and `run` refuses before touching its output directory.
    out_dir = tmp_path / "r"
    code, _, err = run_cli("run", path, "--out", out_dir, "--executor", "serial", "--quiet")
    assert code == 2 and "has 4 problems" in err and not out_dir.exists()


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


# -- 3. --resume compares what a run uses, and reads only this run's replicates ----------------


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


def test_the_record_hashes_what_a_run_uses():
    spec = load_scenario(DATA / "shock_timing.toml")
    rec = spec.to_record()
    same = dataclasses.replace(spec, params={"tie_decay": spec.model_params().tie_decay})
    assert same.to_record()["params_sha256"] == rec["params_sha256"]  # resolved, not as written
    assert same.to_record()["params"] != rec["params"]
    other = dataclasses.replace(spec, params={"tie_decay": 0.07})
    assert other.to_record()["params_sha256"] != rec["params_sha256"]
    assert rec["model_params"]["tie_decay"] == spec.model_params().tie_decay
    assert len(rec["world_sha256"]) == 64 and rec["world_sha256"] != rec["sha256"]


# -- 4. every error survives a trip to a worker process and back ------------------------------


def _error_examples():
    import sim.errors as errors

    problems = [
        errors.Problem("s.toml:4 scenario.steps", "is out of range", -1, ">= 1", "use 36"),
        errors.Problem("s.toml:9 shocks[0].target", "unknown actor", "SYX"),
    ]
    examples = {
        errors.SimError: errors.SimError("a run failed"),
        errors.ValidationError: errors.ValidationError(problems, what="scenario 's.toml'"),
        errors.UnknownNameError: errors.UnknownNameError("'SYX' is unknown; did you mean 'SYR'?"),
        errors.ShockError: errors.ShockError("RemoveState('SYX', at=3): unknown actor"),
    }
    classes = {
        obj
        for name in errors.__all__
        if isinstance(obj := getattr(errors, name), type) and issubclass(obj, BaseException)
    }
    assert classes == set(examples), "add an example for every exception class of sim.errors"
    return list(examples.values())


@pytest.mark.parametrize("exc", _error_examples(), ids=lambda e: type(e).__name__)
def test_every_error_class_pickles_intact(exc):
    import pickle

    exc.add_note("raised in replicate 3")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc)
    assert str(back) == str(exc) and back.args == exc.args
    assert back.__notes__ == ["raised in replicate 3"]
    if isinstance(exc, ValidationError):
        assert back.problems == exc.problems and back.what == exc.what
        assert str(back).startswith("scenario 's.toml' has 2 problems:")


def test_a_validation_error_raised_in_a_worker_process_arrives_intact():
    from sim.executors import make_executor

    bad = DATA / "no_such_scenario.toml"
    with make_executor("processes", workers=1) as exe, pytest.raises(ValidationError) as info:
        list(exe.imap_unordered(load_scenario, [bad]))
    assert len(info.value.problems) == 1 and info.value.what == str(bad)
    assert str(info.value) == f"{bad} has 1 problem:\n  - {bad}: file not found"


# -- 5. run figures mark the shocks --------------------------------------------------------------


def test_plot_of_a_real_run_draws_its_shock_lines():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.plotting import plot_timeseries

    spec = load_scenario(DATA / "shock_timing.toml")
    spec = dataclasses.replace(spec, shocks=(*spec.shocks, Restore(spec.shocks[0], at=5)))
    res = run_scenario(spec, replicates=1, executor="serial", quiet=True)
    assert res.shock_times == [3.0, 5.0]
    ax = plot_timeseries(res, "capability:BBB")
    lines = [a for a in ax.get_children() if a.get_gid() == "shock"]
    assert sorted(line.get_xdata()[0] for line in lines) == [3.0, 5.0]
    plt.close(ax.figure)


# -- 6. "never dropped" is not "recovered at once" ---------------------------------------------


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


def test_the_summary_footer_defines_p_and_the_recovery_columns():
    res = run_scenario(DATA / "shock_timing.toml", executor="serial", quiet=True)
    text = res.format_summary()
    assert "P(t) = each replicate's shocked arm / the ensemble-mean baseline at t" in text
    assert "dropped = share of replicates with P < 1 - 5%" in text
    row = next(line for line in text.splitlines() if line.startswith("capability:BBB"))
    assert row.split()[-2:] == ["100%", "never"]  # BBB is gone for good


# -- 7. every [params] field is checked on its own, at its own line ----------------------------

PARAMS = """\
# Every bad parameter at once
[scenario]
world = "{world}"

[params]
tie_gain = "high"
tie_decay = 5.0
stability_noise = 1{zeros}
anchor_draws = 2.5
collapse_fate = 3
collapse_threshold = 0.2
"""


def test_every_params_problem_is_reported_on_its_own_line():
    from sim.scenario import parse_scenario

    text = PARAMS.format(world=(DATA / "tiny.toml").as_posix(), zeros="0" * 400)
    with pytest.raises(ValidationError) as info:
        parse_scenario(text, origin="p.toml")
    got = {p.where: p.message for p in info.value.problems}
    assert got == {
        "p.toml:6 params.tie_gain": "has the wrong type (default 0.5)",
        "p.toml:7 params.tie_decay": "is outside its plausible range",
        "p.toml:8 params.stability_noise": "must be a finite number (default 0.01)",
        "p.toml:9 params.anchor_draws": "has the wrong type (default 32)",
        "p.toml:10 params.collapse_fate": "has the wrong type (default 'removed')",
    }
    fine = parse_scenario(text.split("tie_gain")[0] + "collapse_threshold = 0.2\n")
    assert fine.params == {"collapse_threshold": 0.2}


# -- 8. compare: statistics in sim.analysis, paired by seed when the runs share seeds ----------


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


def test_cli_compare_of_one_replicate_runs_exits_0_and_names_its_test(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    common = ("--replicates", "1", "--executor", "serial", "--quiet")
    assert run_cli("run", DATA / "shock_timing.toml", "--out", a, *common)[0] == 0
    assert run_cli("run", DATA / "shock_timing.toml", "--out", b, "--seed", "5", *common)[0] == 0
    code, out, err = run_cli("compare", a, b)
    assert code == 0 and "Traceback" not in err
    assert "CI: Welch t-interval" in out
    assert "note: 1 replicate in A, 1 replicate in B: no interval" in out
    code, out, _ = run_cli("compare", a, a)
    assert code == 0 and "paired t-interval over replicates matched by seed" in out


# -- 9. overrides name the table a late shock is in --------------------------------------------


def test_steps_override_names_baseline_shocks_by_their_own_table():
    spec = load_scenario(DATA / "shock_timing.toml")
    spec = dataclasses.replace(spec, baseline_shocks=(Restore(spec.shocks[0], at=5),))
    with pytest.raises(ValidationError) as info:
        spec.with_overrides(steps=3)
    assert [p.where for p in info.value.problems] == [
        "--steps (shocks[0].at)",
        "--steps (baseline_shocks[0].at)",
    ]


# -- 10. command help carries examples; attack --threshold is a fraction ------------------------


@pytest.mark.parametrize(
    "command", [("rank",), ("attack",), ("world", "import"), ("sensitivity",), ("run",)]
)
def test_command_help_shows_examples(command):
    code, text, _ = run_cli(*command, "--help")
    assert code == 0
    assert "examples:" in text and f"alliance-sim {' '.join(command)} " in text


def test_the_rank_and_attack_examples_on_shipped_data_run(tmp_path, monkeypatch):
    from sim.cli import _ATTACK_EPILOG, _RANK_EPILOG

    monkeypatch.chdir(tmp_path)  # --out curve.csv lands here
    examples = [
        line.split("#")[0].split()[1:]
        for line in (_RANK_EPILOG + _ATTACK_EPILOG).splitlines()
        if line.strip().startswith("alliance-sim") and "my_world.toml" not in line
    ]
    assert len(examples) == 9  # rank --bloc added two
    for argv in examples:
        code, _, err = run_cli(*argv)
        assert code == 0, (argv, err)
    assert (tmp_path / "curve.csv").is_file()


@pytest.mark.parametrize("bad", ["0", "-0.1", "1.5", "nan", "x"])
def test_attack_threshold_outside_0_1_exits_2(bad):
    code, out, err = run_cli("attack", "axis-2024", "--threshold", bad)
    assert code == 2 and out == "" and "--threshold" in err and "Traceback" not in err
