"""`alliance-sim world build` and `alliance-sim hindcast` (sim.cli_history): outputs, resume and
bad input."""

import json
from pathlib import Path

from sim.cli import main
from sim.history import (
    build_world,
)
from sim.world import World

HERE = Path(__file__).parent
DATA = HERE / "data" / "history"
SIPRI, COW, NMC = DATA / "sipri.csv", DATA / "cow_member.csv", DATA / "nmc.csv"
EPISODE = DATA / "sanction_2004.toml"


def test_world_build_cli(tmp_path, capsys):
    out = tmp_path / "w.toml"
    argv = ["world", "build", "--year", "2004", "--sipri", str(SIPRI), "--cow", str(COW),
            "--nmc", str(NMC), "--window", "3", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    assert World.from_toml(out) == build_world(
        2004, sipri=SIPRI, alliances=COW, capabilities=NMC, window=3
    )
    assert main([*argv[:-2], "--atop", str(COW), "--out", str(out)]) == 2  # both given: usage
    capsys.readouterr()
    argv[argv.index("--cow")] = "--atop"
    assert main(argv) == 2
    assert "is a COW file, not ATOP" in capsys.readouterr().err


def test_hindcast_cli_json_and_bad_input(tmp_path, capsys):
    out = tmp_path / "h.json"
    argv = ["hindcast", str(EPISODE), "--sipri", str(SIPRI), "--cow", str(COW), "--nmc", str(NMC)]
    assert main([*argv, "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "fixture_sanction" in printed and "persistence" in printed and "direct" in printed
    assert list(json.loads(out.read_text())) == ["episode", "dyads", "model", "persistence",
                                                 "direct"]  # fmt: skip
    bad = tmp_path / "bad.toml"
    bad.write_text(
        EPISODE.read_text()
        .replace('["RUS", "SYR"]', '["RUS", "UKR"]')
        .replace("year = 2004", "year = 2009")
    )
    assert (
        main(["hindcast", str(bad), "--sipri", str(SIPRI), "--atop", str(COW), "--nmc", str(SIPRI)])
        == 2
    )
    err = capsys.readouterr().err
    assert "2009 is outside the SIPRI deliveries" in err
    assert "no SIPRI deliveries after 2009" in err
    assert "is a COW file, not ATOP" in err
    assert "not a COW National Material Capabilities file" in err
    assert "Traceback" not in err
    bad.write_text(
        EPISODE.read_text().replace("at = 6", "at = -1").replace("year = 2004", "year = 2010")
    )
    assert main(["hindcast", str(bad), "--sipri", str(SIPRI), "--nmc", str(COW)]) == 2
    err = capsys.readouterr().err  # the episode's and the data files' problems together
    assert "a shock before month 0" in err and "2010 is outside the SIPRI deliveries" in err
    assert "not a COW National Material Capabilities file" in err
    bad.write_text(EPISODE.read_text().replace('["RUS", "SYR"]', '["RUS", "UKR"]'))
    assert main(["hindcast", str(bad), "--sipri", str(SIPRI)]) == 2
    err = capsys.readouterr().err
    assert "unknown actor in the world of 2004" in err and "'UKR'" in err


def test_hindcast_cli_out_and_resume(tmp_path, capsys):
    argv = ["hindcast", str(EPISODE), "--sipri", str(SIPRI), "--cow", str(COW), "--nmc", str(NMC),
            "--out", str(tmp_path), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert f"replicates and scores in {tmp_path / EPISODE.stem}" in first
    assert main(argv) == 2
    assert "already holds results" in capsys.readouterr().err
    assert main([*argv, "--resume"]) == 0
    table = first.split("  (")[0]
    assert table in capsys.readouterr().out
