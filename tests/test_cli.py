"""Tests of the ``rank`` and ``attack`` commands."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

TINY = str(Path(__file__).parent / "data" / "tiny.toml")


def test_rank_prints_the_ranking(capsys):
    assert main(["rank", TINY, "--top", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "damage" in out[1] and len(out) == 5
    assert out[2].split()[0] == "BBB"  # the supplier of everything


def test_rank_takes_a_scenario_and_ranks_its_patched_world(tmp_path, capsys):
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f"""\
[scenario]
name = "no_transit"
world = "{Path(TINY).resolve()}"
steps = 3
replicates = 1
seed = 1
outcomes = ["fulfilment:axis"]

[patch]
remove_actors = ["TRN"]
"""
    )
    assert main(["rank", str(scenario), "--items", "actors"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "scenario 'no_transit'" in out[0]
    ranked = [line.split()[0] for line in out[2:]]
    assert "TRN" not in ranked and ranked[0] == "BBB"  # the patch removed the transit state
    assert main(["rank", "syria_loss", "--top", "1"]) == 0
    assert "scenario 'syria_loss'" in capsys.readouterr().out


def test_rank_giant_metric(capsys):
    assert main(["rank", TINY, "--metric", "giant", "--items", "actors", "--bloc", "all"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert {rows[0][0], rows[1][0]} == {"AAA", "BBB"} and rows[0][-1] == "0.2000"


def test_attack_prints_R_and_writes_the_curve(tmp_path, capsys):
    out = tmp_path / "curve.csv"
    assert main(["attack", TINY, "--strategy", "degree", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "R = 0.1600" in text and "critical fraction = 0.2000" in text
    df = pd.read_csv(out)
    assert len(df) == 6 and df["giant_fraction"].iloc[0] == pytest.approx(0.4)
    assert df["giant_fraction"].iloc[1:].mean() == pytest.approx(0.16)
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["attack", TINY, "--strategy", "degre"], "did you mean 'degree'"),
        (["rank", "missing.toml"], "file not found"),
        (["rank", TINY, "--top", "0"], "--top"),
        (["rank", "syria_los"], "did you mean 'syria_loss'"),
        (["attack", TINY, "--edges", "--strategy", "nope"], "edge attack strategy"),
    ],
)
def test_errors_exit_2_without_traceback(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
