"""`alliance-sim sensitivity` (sim.cli_sensitivity): a shipped uncertain scenario end to end."""

from sim.cli import main


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
