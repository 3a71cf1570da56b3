"""`alliance-sim sensitivity` (sim.cli_sensitivity): a shipped uncertain scenario end to end, bad
options and names refused before anything runs, and its help."""

import pytest

from sim.cli import main
from tests.helpers import run_cli


def test_cli_runs_a_shipped_scenario(tmp_path, capsys):
    out = tmp_path / "sa"
    code = main(
        [
            "sensitivity", "syria_uncertainty", "--method", "morris", "--samples", "2",
            "--replicates", "1", "--steps", "3", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    # Morris: samples x (inputs + 1) = 2 x 12 points
    assert "morris sensitivity of 'fulfilment:axis': 24 sample points" in printed
    assert (out / "indices.csv").exists() and (out / "sensitivity.png").exists()
    assert main(["sensitivity", "syria_uncertainty", "--outcome", "cohesion:axiss"]) == 2
    # the resume policy of every store: the same --out again needs --resume ...
    again = ["sensitivity", "syria_uncertainty", "--method", "morris", "--samples", "2",
             "--replicates", "1", "--steps", "3", "--out", str(out),
             "--executor", "serial"]  # fmt: skip
    capsys.readouterr()
    assert main(again) == 2
    assert "already holds results" in capsys.readouterr().err
    # ... which computes nothing more and gives the same table
    assert main([*again, "--resume"]) == 0
    printed_again = capsys.readouterr().out
    assert "resumed" in printed_again and "were already stored" in printed_again
    table = printed.split("\n\n")[0]
    assert table in printed_again


@pytest.mark.parametrize(
    ("argv", "piece"),
    [
        (["--samples", "0"], "--samples"),
        (["--replicates", "-1"], "--replicates"),
        (["--seed", "-1"], "--seed"),
        (["--method", "sobel"], "--method"),
        (["--executor", "threads"], "--executor"),
    ],
)
def test_bad_options_exit_2_naming_the_option_before_anything_runs(tmp_path, argv, piece):
    out = tmp_path / "sa"
    code, stdout, err = run_cli("sensitivity", "syria_uncertainty", *argv, "--out", out)
    assert code == 2 and stdout == "" and piece in err and "Traceback" not in err
    assert not out.exists()


def test_an_unknown_scenario_is_named_with_a_suggestion(tmp_path):
    code, _, err = run_cli("sensitivity", "syria_uncertanty", "--out", tmp_path / "sa")
    assert code == 2 and "syria_uncertanty" in err and "did you mean" in err
    assert "Traceback" not in err and not (tmp_path / "sa").exists()


def test_help_describes_both_methods_with_examples():
    code, text, _ = run_cli("sensitivity", "--help")
    assert code == 0 and "examples:" in text and "alliance-sim sensitivity " in text
    assert "{sobol,morris}" in text and "--resume" in text and "--wait" in text
