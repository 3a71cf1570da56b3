"""`alliance-sim demo`: the main job, its report, and that it never deletes other results."""

import json

from sim.cli import main


def test_demo_reports_the_syria_shock_and_writes_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    argv = ["demo", "--out", str(out), "--replicates", "3", "--executor", "serial", "--quiet"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "What losing Syria did" in text
    for outcome in ("fulfilment:axis", "cohesion:axis", "strength:RUS-IRN"):
        assert outcome in text
    assert (out / "figure.png").stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["name"] == "syria_loss" and manifest["replicates"] == 3
    # a second demo replaces the first (it is the demo's own directory)
    assert main([*argv[:4], "2", *argv[5:]]) == 0
    assert json.loads((out / "manifest.json").read_text())["replicates"] == 2


def test_demo_never_deletes_a_run_it_did_not_write(tmp_path, capsys):
    out = tmp_path / "mine"
    run = ["run", "syria_loss", "--out", str(out), "--replicates", "2", "--executor", "serial"]
    assert main([*run, "--quiet"]) == 0
    before = sorted(p.name for p in (out / "parts").iterdir())
    assert main(["demo", "--out", str(out), "--executor", "serial", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--resume" in err
    assert sorted(p.name for p in (out / "parts").iterdir()) == before
