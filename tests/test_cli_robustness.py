"""Tests of the ``rank`` and ``attack`` commands."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.cli import main

TINY = "tests/data/tiny.toml"


def test_rank_prints_the_ranking(capsys):
    assert main(["rank", TINY, "--top", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "damage" in out[1] and len(out) == 5
    assert out[2].split()[0] == "BBB"  # the supplier of everything


def test_rank_giant_metric(capsys):
    assert main(["rank", TINY, "--metric", "giant", "--items", "actors"]) == 0
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
        (["attack", TINY, "--edges", "--strategy", "nope"], "edge attack strategy"),
    ],
)
def test_errors_exit_2_without_traceback(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
