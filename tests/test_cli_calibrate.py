"""`alliance-sim calibrate` (sim.cli_calibrate): bad names, help, data, a small end-to-end
run and the lock between two processes."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.calibrate import (
    read_tables,
)
from sim.store import LOCK, Store, StoreLock
from tests.helpers import run_cli, snapshot


# -- the command line ------------------------------------------------------------------------------
def test_cli_reports_every_bad_name_at_once(tmp_path):
    code, _, err = run_cli(
        "calibrate", "--patterns", "rus-removal-chna,strike-no-rescue", "--episodes",
        "egypt_1972", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == 2 and "Traceback" not in err
    assert "did you mean 'rus-removal-china'?" in err
    assert "did you mean 'egypt_realignment_1972'?" in err
    assert "--data: not a folder" in err
    assert not (tmp_path / "o").exists()


def test_cli_help_has_its_own_examples_and_options_are_checked(capsys, tmp_path):
    from sim.cli import main

    assert main(["calibrate", "--help"]) == 0
    out = capsys.readouterr().out
    assert "%%" not in out and "alliance-sim calibrate " in out.split("examples:")[1]
    code, _, err = run_cli("calibrate", "--out", str(tmp_path), "--min-acceptance", "1.5")
    assert code == 2 and "must be in (0, 1]" in err
    code, _, err = run_cli("calibrate", "--out", str(tmp_path), "--target-ess", "-3")
    assert code == 2 and "must be > 0" in err


def test_cli_episodes_need_data(tmp_path):
    code, _, err = run_cli("calibrate", "--out", str(tmp_path / "o"), "--executor", "serial")
    assert code == 2 and "episodes need the SIPRI" in err and "--episodes none" in err


def test_cli_end_to_end_small(tmp_path):
    out = tmp_path / "calib"
    argv = [
        "calibrate", "--patterns", "strike-no-rescue,iran-removal-houthis", "--episodes", "none",
        "--held-out-episodes", "none", "--population", "4", "--generations", "1", "--draws", "1",
        "--replicates", "1", "--executor", "serial", "--seed", "3", "--out", str(out),
    ]  # fmt: skip
    code, stdout, err = run_cli(*argv)
    assert code == 0, err
    assert "need_weight: median" in stdout and "generation 0" in err
    tables = read_tables(out)
    post = tables["posterior"]
    assert set(post["generation"]) == {0}
    assert {"need_weight", "capability_rate", "weight", "stat:strike-no-rescue"} <= set(post)
    hist = tables["history"]
    assert list(hist["generation"]) == [0]
    assert {"epsilon", "acceptance_rate", "ess", "simulations"} <= set(hist)
    pred = pd.read_csv(out / "predictive.csv")
    assert "syria-rus-irn" in set(pred["target"]) and "ven26-rus-irn" in set(pred["target"])
    assert "rus-removal-china" in set(pred["target"])  # not trained on here: held out
    assert "strike-no-rescue" not in set(pred["target"])
    assert set(tables["predictive_draws"]["target"]) == set(pred["target"])
    import tomllib

    manifest = Store(out).manifest()
    assert manifest["kind"] == "calibration" and manifest["status"] == "complete"
    rec = manifest["calibration"]
    assert rec["seed"] == 3 and rec["training"]["patterns"] == [
        "strike-no-rescue",
        "iran-removal-houthis",
    ]
    assert manifest["record"]["seed"] == 3 and manifest["record"]["population"] == 4
    d = tomllib.loads((out / "defaults.toml").read_text())
    assert 0 <= d["params"]["need_weight"] <= 2
    assert d["params"]["need_weight"] == pytest.approx(rec["parameters"]["need_weight"]["median"],
                                                       rel=1e-5)  # fmt: skip
    assert d["provenance"]["seed"] == 3 and d["provenance"]["statistic"]
    assert (out / "pairs.png").stat().st_size > 1000
    assert tables["failures"].empty
    assert not (out / LOCK).exists()  # released once complete
    # the same folder without --resume: the store's policy refuses it, nothing is touched
    before = snapshot(out)
    code, _, err = run_cli(*argv, "--generations", "2")
    assert code == 2 and "already holds results" in err and "--resume" in err
    assert snapshot(out) == before
    # the same settings, --resume and one more generation: resumed after the one stored
    code, _, err = run_cli(*argv, "--generations", "2", "--resume")
    assert code == 0, err
    assert "resuming" in err and "generation 0:" not in err and "generation 1:" in err
    again = read_tables(out)["posterior"]
    assert set(again["generation"]) == {0, 1}
    pd.testing.assert_frame_equal(again[again["generation"] == 0], post)
    assert Store(out).manifest()["calibration"]["generations_completed"] == 2
    # other settings in the same folder: an error naming each changed field, nothing written
    before = snapshot(out)
    code, _, err = run_cli(*argv, "--generations", "3", "--seed", "4", "--resume")
    assert code == 2 and "record.seed" in err and "differs from the run stored there" in err
    assert "Traceback" not in err
    assert snapshot(out) == before


def test_cli_a_second_process_on_the_same_out_exits_2_naming_the_holder(tmp_path):
    import os
    import threading

    out = tmp_path / "calib"
    argv = [
        "calibrate", "--patterns", "strike-no-rescue", "--episodes", "none",
        "--held-out-episodes", "none", "--population", "2", "--generations", "1", "--draws", "1",
        "--replicates", "1", "--executor", "serial", "--out", str(out),
    ]  # fmt: skip
    holder = StoreLock(out).acquire()  # another run writing to --out (a live process: us)
    try:
        code, _, err = run_cli(*argv)
        assert code == 2 and "Traceback" not in err
        assert f"is in use by process {os.getpid()}" in err and "--wait" in err
        assert not (out / "manifest.json").exists()  # refused before anything was written
        # --wait: runs once the holder lets go
        threading.Timer(1.0, holder.release).start()
        code, _, err = run_cli(*argv, "--wait")
        assert code == 0, err
    finally:
        holder.release()
    assert Store(out).manifest()["status"] == "complete"
