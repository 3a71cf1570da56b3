"""Command-line behaviour around the edges: closed pipes, directories given as files, help."""

import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main

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
