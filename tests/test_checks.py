"""The validation kit (sim.checks), shock field metadata, and the one name-or-path resolver."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from sim.checks import (
    Collector,
    choice_problem,
    integer_problem,
    key_lines,
    number_problem,
    string_problem,
)
from sim.errors import ShockError, UnknownNameError, ValidationError
from sim.scenario import parse_scenario
from sim.shocks import FIELD_KINDS, SHOCKS, RandomFailure, field_problem
from sim.world import Actor, PartnershipTie, Route, SupplyTie, World

DATA = Path(__file__).parent / "data"


# -- the kit ----------------------------------------------------------------------------------


def test_key_lines_number_arrays_of_tables_and_keep_quoted_keys():
    text = (
        "[scenario]\n"
        'name = "x"  # a comment\n'
        "\n"
        "[[shocks]]\n"
        "at = 1\n"
        "[[shocks]]\n"
        "  target = 'A'\n"
        "[uncertainty]\n"
        '"params.tie_decay" = { dist = "uniform" }\n'
    )
    assert key_lines(text) == {
        "scenario": 1,
        "scenario.name": 2,
        "shocks[0]": 4,
        "shocks[0].at": 5,
        "shocks[1]": 6,
        "shocks[1].target": 7,
        "uncertainty": 8,
        'uncertainty."params.tie_decay"': 9,
    }


def test_collector_locates_keys_or_their_table_entry():
    text = "[[ties]]\nlayer = 'supply'\nvolume = -1\n[[ties]]\nvolume = 2\n"
    by_key = Collector("w.toml", text)
    by_table = Collector("w.toml", text, by_table=True)
    assert by_key.at("ties[0].volume") == "w.toml:3 ties[0].volume"
    assert by_table.at("ties[0].volume") == "w.toml:1 ties[0].volume"
    assert by_key.at("ties[1].via") == "w.toml:4 ties[1].via"  # no line of its own: the table's
    assert by_key.at("params.x") == "w.toml params.x"  # nowhere in the file
    assert Collector("<text>").at("scenario.world") == "<text> scenario.world"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0.5", "must be a number"),
        (True, "must be a number"),
        (math.nan, "is out of range"),
        (math.inf, "is out of range"),
        (10**400, "is out of range"),
        (0.0, "is out of range"),  # the open lower bound
        (1.5, "is out of range"),
    ],
)
def test_number_problem_rejects_each_kind_of_bad_number(value, message):
    p = number_problem("f", value, lo=0, hi=1, lo_open=True, allowed="a share in (0, 1]")
    assert p is not None and (p.where, p.message, p.allowed) == ("f", message, "a share in (0, 1]")


def test_value_checks_accept_good_values_and_suggest_near_misses():
    assert number_problem("f", 1, lo=0, hi=1, allowed="") is None
    assert integer_problem("n", 3, lo=1, allowed="") is None
    assert integer_problem("n", 3.0, lo=1, allowed=">= 1").message == "must be an integer"
    p = choice_problem("c", "drone", ("drones", "arms"), message="unknown commodity")
    assert (p.allowed, p.suggestion) == ("drones, arms", "did you mean 'drones'?")
    assert choice_problem("c", ["arms"], ("arms",), message="x").value == ["arms"]  # unhashable
    assert choice_problem("c", None, ("arms",), message="x", optional=True) is None
    assert string_problem("s", " ").message == "must be a non-empty string"
    assert string_problem("s", "", nonempty=False) is None


# -- the world: one pass over objects, one message per rule -----------------------------------


def test_a_world_built_in_code_gets_the_messages_a_file_gets(tmp_path):
    import datetime as dt

    a = Actor("AAA", "Alpha", bloc="axis", capability=1.5)
    b = Actor("BBB", "Beta", bloc="axis")
    tie = SupplyTie(
        since=dt.date(2020, 1, 1),
        source="test",
        supplier="AAA",
        recipient="BBC",
        commodity="drone",
        volume=-1.0,
        alternatives=(Route(via=("BBB",), capacity=0.0),),
    )
    with pytest.raises(ValidationError) as info:
        World(actors=(a, b), ties=(tie,))
    got = [str(p) for p in info.value.problems]
    assert got == [
        "states[0].capability: is out of range; got 1.5; allowed: a number in [0, 1]",
        "ties[0].commodity: unknown commodity; got 'drone'; allowed: arms, drones, missiles, "
        "shells, troops, energy, dual_use, funding, technology (did you mean 'drones'?)",
        "ties[0].volume: is out of range; got -1.0; "
        "allowed: a volume per month >= 0 in the commodity's unit",
        "ties[0].alternatives[0].capacity: is out of range; got 0.0; allowed: a share in (0, 1]",
        "ties[0].to: unknown actor; got 'BBC'; allowed: an id defined in [[states]] "
        "(did you mean 'BBB'?)",
    ]
    # The same mistakes in a file: the same messages, located at the table's line.
    path = tmp_path / "w.toml"
    path.write_text(
        '[[states]]\nid = "AAA"\nname = "Alpha"\nbloc = "axis"\nlat = 0\nlon = 0\n'
        "capability = 1.5\n\n"
        '[[states]]\nid = "BBB"\nname = "Beta"\nbloc = "axis"\nlat = 0\nlon = 0\n\n'
        '[[ties]]\nlayer = "supply"\nfrom = "AAA"\nto = "BBC"\ncommodity = "drone"\n'
        'volume = -1.0\nsince = 2020-01-01\nsource = "test"\n'
        'alternatives = [{ via = ["BBB"], capacity = 0.0 }]\n'
    )
    with pytest.raises(ValidationError) as info:
        World.from_toml(path)
    lines = {"states[0]": 1, "ties[0]": 16}
    assert [str(p) for p in info.value.problems] == [
        f"{path}:{lines[g.split('.')[0]]} {g}" for g in got
    ]


def test_ties_in_returns_each_layers_own_tie_type(tiny):
    assert all(isinstance(t, SupplyTie) for t in tiny.ties_in("supply"))
    assert all(isinstance(t, PartnershipTie) for t in tiny.ties_in("partnership"))
    assert tiny.ties_in("supply") and tiny.ties_in("partnership")


# -- shock field metadata ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SHOCKS))
def test_every_field_of_every_shock_declares_its_kind(name):
    for f in dataclasses.fields(SHOCKS[name]):
        assert f.metadata.get("kind") in FIELD_KINDS, (name, f.name)
        if f.metadata["kind"] == "number":
            assert {"range", "message", "allowed"} <= set(f.metadata), (name, f.name)


def test_fraction_zero_gets_one_message_wherever_it_is_caught():
    expected = "must be a share; got 0; allowed: a number in (0, 1]"
    assert str(field_problem(RandomFailure, "fraction", 0)) == f"fraction: {expected}"
    with pytest.raises(ShockError) as info:
        RandomFailure(0, at=1)
    assert str(info.value).endswith(f"fraction: {expected}")
    text = (
        '[scenario]\nworld = "tiny.toml"\nsteps = 4\n\n'
        '[[shocks]]\ntype = "random_failure"\nfraction = 0\nat = 1\n'
    )
    with pytest.raises(ValidationError) as info:
        parse_scenario(text, origin="s.toml", base=DATA)
    assert [str(p) for p in info.value.problems] == [f"s.toml:7 shocks[0].fraction: {expected}"]


def test_shock_checks_accept_numpy_numbers_and_reject_bools():
    shock = RandomFailure(k=np.int64(2), at=np.int64(1))
    assert shock.k == 2
    with pytest.raises(ShockError, match="k: must be a number of actors; got True"):
        RandomFailure(k=True, at=1)
    with pytest.raises(ShockError, match=r"at: must be a step; got 1\.0"):
        RandomFailure(k=1, at=1.0)


def test_every_wrong_field_of_a_shock_is_reported_at_once():
    from sim.shocks import Degrade

    with pytest.raises(ShockError) as info:
        Degrade("AAA", at=-1, factor=-2, what="producton")
    text = str(info.value)
    assert "at: must be a step; got -1" in text
    assert "factor: must be a factor; got -2" in text
    assert "what: not a valid what; got 'producton'" in text and "did you mean 'production'" in text


# -- one resolver for "embedded name or file path" ----------------------------------------------


def test_resolve_tells_names_from_paths(tmp_path, monkeypatch):
    from sim.worlds import resolve

    assert resolve("axis-2024") == "axis-2024"
    assert resolve("w.toml", base=tmp_path) == tmp_path / "w.toml"  # need not exist yet
    assert resolve(Path("axis-2024")) == Path("axis-2024")  # a Path is always a path
    assert resolve("sub/world") == Path("sub/world")  # a separator makes a path
    shipped = resolve("syria_loss", "scenario")
    assert isinstance(shipped, Path) and shipped.name == "syria_loss.toml" and shipped.is_file()
    assert resolve("syria_loss", "any") == shipped
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plainfile").write_text("")
    assert resolve("plainfile") == Path("plainfile")  # an existing file without a suffix


@pytest.mark.parametrize(
    ("kind", "typo", "message", "hint"),
    [
        ("world", "axis_2024", "is neither a world file nor an embedded world", "axis-2024"),
        (
            "scenario",
            "syria_los",
            "is neither a scenario file nor a shipped scenario",
            "syria_loss",
        ),
        (
            "any",
            "syria_los",
            "is neither a world or scenario file nor an embedded world or shipped scenario",
            "syria_loss",
        ),
    ],
)
def test_resolve_lists_the_names_and_suggests_one(kind, typo, message, hint):
    from sim.worlds import list_worlds, resolve

    with pytest.raises(UnknownNameError) as info:
        resolve(typo, kind)
    text = str(info.value)
    assert text.startswith(f"{typo!r} {message} (")
    assert text.endswith(f"; did you mean {hint!r}?")
    if kind != "scenario":
        assert all(name in text for name in list_worlds())


def test_every_reader_follows_the_resolver(tmp_path):
    """load_world, scenario_path, a scenario's world and the CLI give the resolver's answer."""
    from sim.scenario import scenario_path
    from sim.worlds import load_world
    from tests.helpers import run_cli

    with pytest.raises(UnknownNameError, match="did you mean 'axis-2024'"):
        load_world("axis_2024")
    with pytest.raises(UnknownNameError, match="did you mean 'syria_loss'"):
        scenario_path("syria_los")
    with pytest.raises(ValidationError) as info:
        parse_scenario('[scenario]\nworld = "axis_2024"\n', origin="s.toml", base=tmp_path)
    (p,) = info.value.problems
    assert (p.where, p.message, p.suggestion) == (
        "s.toml:2 scenario.world",
        "neither a world file nor an embedded world",
        "did you mean 'axis-2024'?",
    )
    code, _, err = run_cli("world", "show", "axis_2024")
    assert code == 2 and "did you mean 'axis-2024'" in err and "Traceback" not in err
