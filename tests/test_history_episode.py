"""Historical episodes (sim.history.episode): every problem of an episode file at once, and the
shipped episodes with their sources."""

from pathlib import Path

import pytest

from sim.errors import ValidationError
from sim.history import (
    load_episode,
    parse_episode,
)

HERE = Path(__file__).parent
DATA = HERE / "data" / "history"
SIPRI, COW, NMC = DATA / "sipri.csv", DATA / "cow_member.csv", DATA / "nmc.csv"
SHIPPED = sorted((HERE.parent / "scenarios" / "history").glob("*.toml"))


def test_episode_file_problems_all_listed():
    text = """\
# test
[episode]
name = "bad"
year = 2004
window = 2
seed = 1
colour = "red"

[[shocks]]
type = "cut_tie"
target = ["RUS", "SYR"]
at = -3

[[shocks]]
type = "defect"
target = "EGY"
at = 30
"""
    with pytest.raises(ValidationError) as err:
        parse_episode(text, origin="bad.toml")
    msgs = [str(p) for p in err.value.problems]
    assert len(msgs) == 3
    assert msgs[0].startswith("bad.toml:7 episode.colour: unknown key")
    assert msgs[1].startswith("bad.toml:12 shocks[0].at: a shock before month 0; got -3")
    assert msgs[2].startswith("bad.toml:17 shocks[1].at: shock after the window; got 30")


def test_shipped_episodes_parse_with_sources():
    assert len(SHIPPED) >= 5
    for path in SHIPPED:
        ep = load_episode(path)
        assert "Sources:" in ep.question and "SIPRI" in ep.question
        assert ep.shocks and ep.replicates >= 1


def test_a_shipped_episode_loads_by_name_and_a_bad_name_gets_a_suggestion():
    from sim.history.episode import episode_files, list_episodes, load_episode

    assert "syria_2024" in list_episodes()
    assert load_episode("syria_2024") == load_episode(episode_files()["syria_2024"])
    with pytest.raises(ValidationError) as err:
        load_episode("syria-2024")
    (problem,) = err.value.problems
    assert problem.suggestion == "did you mean 'syria_2024'?"
    assert "egypt_realignment_1972" in problem.allowed
