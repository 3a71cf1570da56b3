"""`run --csv`, `run --set`, and `--resume` that keeps the stored run's size."""

import json

import pandas as pd
import pytest

from sim.cli import main
from sim.runner import load_results

QUICK = ["--executor", "serial", "--steps", "6", "--quiet"]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "syria"
    assert main(["run", "syria_loss", "--replicates", "3", "--out", str(out), "--csv", *QUICK]) == 0
    return out


def test_csv_holds_the_tidy_model_frame_and_the_summary(small_run):
    res = load_results(small_run)
    frame = pd.read_csv(small_run / "model_frame.csv")
    assert list(frame.columns[:5]) == ["scenario", "replicate", "seed", "arm", "step"]
    pd.testing.assert_frame_equal(frame, res.model_frame, check_dtype=False)
    summary = pd.read_csv(small_run / "summary.csv").set_index("outcome")
    assert list(summary.index) == res.outcomes
    assert summary.loc["fulfilment:axis", "difference"] == pytest.approx(
        res.summary().loc["fulfilment:axis", "difference"]
    )
    assert not list(small_run.glob(".*.tmp"))  # written atomically


def test_figures_show_several_ties(small_run):
    assert (small_run / "figure.png").is_file() and (small_run / "tie_strengths.png").is_file()


def test_resume_keeps_the_stored_number_of_replicates(small_run, capsys):
    assert main(["run", "syria_loss", "--out", str(small_run), "--resume", *QUICK]) == 0
    captured = capsys.readouterr()
    assert "3 replicates, as stored" in captured.err
    assert json.loads((small_run / "manifest.json").read_text())["replicates"] == 3
    assert "syria_loss: 3 replicates" in captured.out


def test_resume_says_when_it_grows_a_run(tmp_path, capsys):
    out = tmp_path / "grow"
    assert main(["run", "syria_loss", "--replicates", "2", "--out", str(out), *QUICK]) == 0
    capsys.readouterr()
    args = ["run", "syria_loss", "--replicates", "3", "--out", str(out), "--resume", *QUICK]
    assert main(args) == 0
    assert "growing the run from 2 to 3 replicates" in capsys.readouterr().err
    assert len(load_results(out).replicates) == 3


def test_set_overrides_a_parameter_and_is_recorded(tmp_path):
    out = tmp_path / "set"
    args = ["run", "syria_loss", "--replicates", "1", "--out", str(out), "--set", "tie_decay=0.05"]
    assert main([*args, *QUICK]) == 0
    scenario = json.loads((out / "manifest.json").read_text())["scenario"]
    assert scenario["params"]["tie_decay"] == 0.05
    assert scenario["model_params"]["tie_decay"] == 0.05


@pytest.mark.parametrize(
    ("setting", "pieces"),
    [
        ("tie_decy=0.05", ["unknown model parameter", "did you mean 'tie_decay'"]),
        ("tie_decay=9", ["plausible range", "[0.005, 0.1]"]),
        ("tie_decay", ["expected NAME=VALUE"]),
    ],
)
def test_a_bad_setting_is_a_clear_error_before_anything_runs(tmp_path, capsys, setting, pieces):
    out = tmp_path / "bad"
    assert main(["run", "syria_loss", "--out", str(out), "--set", setting, *QUICK]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for piece in pieces:
        assert piece in err
    assert not out.exists()


def test_trace_ties_reproduces_the_stored_replicate(small_run):
    from sim.report import run_spec
    from sim.runner import trace_ties

    res = load_results(small_run)
    spec = run_spec(res)  # the scenario file is unchanged, so the run's spec is rebuilt
    assert spec is not None and spec.steps == 6
    traced = trace_ties(spec, replicate=1)
    stored = res.model_frame.query("replicate == 1")
    for arm in ("shock", "baseline"):
        a = traced.query("arm == @arm")["strength:RUS-IRN"].to_numpy()
        b = stored.query("arm == @arm")["strength:RUS-IRN"].to_numpy()
        assert (a == b).all(), arm  # same seed, same trajectory, bit for bit
    assert sum(c.startswith("strength:") for c in traced.columns) == len(
        spec.world.ties_in("partnership")
    )
