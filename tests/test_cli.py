"""The command line (sim.cli): `demo`, `run --csv/--set/--resume`, `world show/plot/import`,
`rank` and `attack`, help and the edges (closed pipes, directories given as files)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.io import (
    ImportReport,
    world_from_cow,
    world_from_sipri,
)
from sim.robustness import criticality
from sim.runner import load_results
from sim.worlds import load_world, world_path
from tests.helpers import BROKEN_WORLD, NATO_1990, SHARED_DATA, run_cli, write_cow

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


ROOT = Path(__file__).resolve().parents[1]


def test_a_closed_pipe_ends_quietly():
    # `alliance-sim world show axis-2024 | head -1`: the reader leaves early
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "world", "show", "axis-2024"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) in (0, 141)
    assert err == ""  # no "Broken pipe" reported as the user's mistake, no traceback


def test_world_plot_refuses_a_directory_as_the_output_file(tmp_path, capsys):
    assert (
        main(["world", "plot", str(ROOT / "tests" / "data" / "tiny.toml"), "--out", str(tmp_path)])
        == 2
    )
    assert "is a directory" in capsys.readouterr().err
    assert not list(tmp_path.parent.glob(f"{tmp_path.name}.*"))  # nothing written beside it


@pytest.mark.parametrize("command", ["run", "validate", "compare"])
def test_help_has_a_description_and_its_own_examples(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "%%" not in out
    assert f"alliance-sim {command} " in out.split("examples:")[1]


def test_world_commands_point_a_scenario_file_to_the_right_command(capsys):
    scenario = str(ROOT / "scenarios" / "syria_loss.toml")
    assert main(["world", "validate", scenario]) == 2
    assert "a scenario file, not a world" in capsys.readouterr().err
    assert main(["world", "show", scenario]) == 2
    assert "is a scenario file" in capsys.readouterr().err
    assert main(["attack", scenario, "--strategy", "degree"]) == 0  # its world, patched
    assert "R = " in capsys.readouterr().out


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


def test_world_show_ties_lists_every_tie_by_layer(capsys):
    world = load_world()
    assert main(["world", "show", "axis-2024", "--ties"]) == 0
    out = capsys.readouterr().out
    for layer in ("partnership", "supply", "rivalry"):
        assert f"{layer} ({len(world.ties_in(layer))})" in out
    assert "IRN->HEZ" in out and "USD million per month" in out  # units of volumes
    assert "RUS-IRN" in out and "strategic_partnership" in out
    assert "Caspian" in out  # routes name their corridors
    assert " capab. " not in out  # ties, not the actor table


def test_world_show_corridors_lists_what_each_carries(capsys):
    assert main(["world", "show", "axis-2024", "--corridors"]) == 0
    out = capsys.readouterr().out
    caspian = out.split("\n  Caspian:")[1].split("\n\n")[0]
    assert "IRN->RUS" in caspian and "main route" in caspian
    assert "block_transit" in out  # how to use a corridor in a scenario


def test_world_show_corridors_on_a_world_without_any(tmp_path, capsys):
    world = tmp_path / "w.toml"
    world.write_text(
        '[world]\nname = "w"\n[[states]]\nid = "AAA"\nname = "A"\nkind = "state"\n'
        'bloc = "x"\nlat = 0\nlon = 0\ncapability = 0.5\nstability = 0.5\n'
    )
    assert main(["world", "show", str(world), "--corridors"]) == 0
    assert "names no corridor" in capsys.readouterr().out


def test_rank_defaults_to_the_first_bloc_and_says_so(capsys):
    assert main(["rank", "axis-2024", "--items", "actors", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "bloc 'axis' (the world's first bloc" in out
    ranked = [line.split()[0] for line in out.splitlines()[2:]]
    assert "SYR" in ranked  # who is this network's Syria? Syria is among the top five
    assert main(["rank", "axis-2024", "--items", "actors", "--bloc", "all"]) == 0
    assert "the whole world" in capsys.readouterr().out


def test_bloc_fulfilment_counts_only_the_blocs_recipients():
    world = load_world()
    axis = criticality(world, items="actors", bloc="axis").set_index("item")
    west = criticality(world, items="actors", bloc="west").set_index("item")
    everyone = criticality(world, items="actors").set_index("item")
    # Syria matters to the axis far more than to the whole world, and not at all to the west
    assert axis.loc["SYR", "damage"] > 2 * everyone.loc["SYR", "damage"]
    assert west.loc["SYR", "damage"] == pytest.approx(0.0)
    assert axis["baseline"].eq(1.0).all()


def test_rank_rejects_an_unknown_bloc_with_a_suggestion(capsys):
    assert main(["rank", "axis-2024", "--bloc", "axs"]) == 2
    err = capsys.readouterr().err
    assert "allowed: axis, west, hedging, or all" in err and "did you mean 'axis'" in err


def test_attack_explains_R_and_the_critical_fraction(capsys):
    assert main(["attack", "axis-2024"]) == 0
    out = capsys.readouterr().out
    assert "R (Schneider et al., PNAS 2011)" in out and "at most 0.5" in out
    assert "critical fraction: the share removed" in out


DATA = Path(__file__).parent / "data"
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


def test_cli_world_plot_writes_png_and_svg(tmp_path, capsys):
    from sim.cli import main

    assert (
        main(["world", "plot", str(DATA / "tiny.toml"), "--out", str(tmp_path / "w"), "--svg"]) == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.png", "w.svg"]
    assert "wrote" in capsys.readouterr().out
    assert (
        main(["world", "plot", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "x")]) == 2
    )


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


def test_cli_list_show_validate(capsys):
    assert main(["world", "list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("axis-2024") and "38 actors" in out
    assert main(["world", "show", "axis-2024"]) == 0
    out = capsys.readouterr().out
    assert "axis 14, west 10, hedging 14" in out and "Hezbollah" in out
    assert main(["world", "validate", str(world_path())]) == 0
    assert "valid (38 actors" in capsys.readouterr().out


def test_cli_validate_lists_every_problem(tmp_path, capsys):
    bad = tmp_path / "broken.toml"
    bad.write_text(BROKEN_WORLD, encoding="utf-8")
    assert main(["world", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for needle in (
        "duplicate actor id",
        "unknown actor",
        "'SYX'",
        "strength",
        "1.5",
        "unknown commodity",
        "did you mean 'drones'",
        "cannot join an actor to itself",
        "source",
    ):
        assert needle in err, needle
    assert "has 6 problems" in err  # every mistake at once, each located
    assert "broken.toml:12 states[1].id" in err and "broken.toml:19 ties[0].strength" in err


REAL = SHARED_DATA
SIPRI = REAL / "sipri-trade-register-2025-03-13.csv"
FIXTURES = Path(__file__).parent / "data" / "io"
needs_sipri = pytest.mark.skipif(not SIPRI.exists(), reason=f"real SIPRI export absent: {SIPRI}")


def test_cli_defaults_follow_layers_fixture(tmp_path, capsys):
    alliances = tmp_path / "a.toml"
    world_from_cow(write_cow(tmp_path, NATO_1990), year=1990).to_toml(alliances)
    assert main(["rank", str(alliances), "--items", "actors"]) == 0
    out = capsys.readouterr().out
    assert "damage to the giant" in out and "no supply ties" in out
    assert "0.0000" not in out.splitlines()[3]  # the most critical actor scores above zero
    arms = tmp_path / "s.toml"
    world_from_sipri(
        FIXTURES / "sipri_register.csv", years=(2020, 2024), report=ImportReport()
    ).to_toml(arms)
    assert main(["attack", str(arms)]) == 0
    out = capsys.readouterr().out
    assert "supply layer" in out and "no partnership ties" in out


@needs_sipri
def test_cli_attack_default_real(tmp_path, capsys):
    arms = tmp_path / "s.toml"
    world_from_sipri(SIPRI, years=(2020, 2024)).to_toml(arms)
    assert main(["attack", str(arms)]) == 0
    out = capsys.readouterr().out
    assert "supply layer" in out
    r = float(out.split("R = ")[1].split(",")[0])
    assert r > 0.05  # the partnership layer of this world is empty (R = 0.006 before)
