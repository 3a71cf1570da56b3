"""Scenario files: parsing, every problem at once with locations and suggestions, patches."""

import dataclasses
import datetime as dt
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from sim import shocks
from sim.errors import ValidationError
from sim.scenario import (
    ScenarioSpec,
    list_scenarios,
    load_scenario,
    month_of_date,
    parse_param_settings,
    parse_scenario,
    read_question,
)

DATA = Path(__file__).parent / "data"
SCENARIOS = Path(__file__).parent.parent / "scenarios"


# Shock and parameter dataclasses with the signatures docs/architecture.md fixes, each field
# declaring its kind in its metadata as sim.shocks' fields do, so the parser's checks (derived
# from that metadata) are tested on their own; the shipped scenarios are checked against
# sim.shocks itself.
def kind(kind, default=dataclasses.MISSING, **meta):
    if default is dataclasses.MISSING:
        return field(metadata={"kind": kind, **meta})
    return field(default=default, metadata={"kind": kind, **meta})


@dataclass(frozen=True)
class RemoveState:
    target: str = kind("actor")
    at: int = kind("month")
    fate: Literal["removed", "defected", "neutral"] = kind(
        "choice", "removed", choices=("removed", "defected", "neutral")
    )
    to_bloc: str | None = kind("bloc", None, optional=True)


@dataclass(frozen=True)
class CutTie:
    target: tuple = kind("actor_pair")
    at: int = kind("month")
    layer: str = kind(
        "choice", "supply", choices=("supply", "partnership"), message="unknown layer"
    )
    commodity: str | None = kind(
        "choice", None, choices=("arms", "energy"), optional=True, message="unknown commodity"
    )


@dataclass(frozen=True)
class Restore:
    shock: object = kind("shock")
    at: int = kind("month")


@dataclass(frozen=True)
class Params:
    tie_decay: float = 0.01
    horizon_bonus: int = 2


CATALOGUE = {"remove_state": RemoveState, "cut_tie": CutTie, "restore": Restore}


def parse(text: str, **kw) -> ScenarioSpec:
    return parse_scenario(
        text, origin="s.toml", base=DATA, catalogue=CATALOGUE, params_class=Params, **kw
    )


GOOD = """\
# What if Beta falls?
[scenario]
name = "beta_falls"
world = "tiny.toml"
steps = 12
replicates = 3
seed = 7
outcomes = ["fulfilment:axis", "strength:AAA-BBB", "delivered:BBB->CLI", "capability:CLI"]

[params]
tie_decay = 0.05

[[shocks]]
type = "remove_state"
target = "BBB"
at = 2

[[shocks]]
type = "restore"
shock = 0
at = 8
"""


def test_a_good_scenario_parses_into_a_frozen_picklable_spec():
    spec = parse(GOOD)
    assert spec.name == "beta_falls" and spec.question == "What if Beta falls?"
    assert (spec.steps, spec.replicates, spec.seed) == (12, 3, 7)
    assert spec.shocks[0] == RemoveState("BBB", 2)
    assert spec.shocks[1] == Restore(RemoveState("BBB", 2), 8)  # restore names a shock by index
    assert spec.params == {"tie_decay": 0.05}
    assert spec.world.name == "tiny" and len(spec.sha256) == 64
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.steps = 3
    assert pickle.loads(pickle.dumps(spec)) == spec


BAD = """\
# Everything wrong at once.
[scenario]
name = "bad"
world = "tiny.toml"
steps = 10
seed = 1.0
stesp = 3
outcomes = ["fulfilment:axsi", "strength:AAA-BBX", "cohesoin:axis"]

[params]
tie_decai = 0.1
horizon_bonus = "two"

[[shocks]]
type = "remove_stat"
target = "BBB"
at = 2

[[shocks]]
type = "remove_state"
target = "BBBB"
at = 10
fate = "gone"

[[shocks]]
type = "cut_tie"
target = ["BBB", "CLI"]
at = 1
comodity = "arms"
"""


def test_every_problem_is_reported_at_once_with_line_key_value_and_suggestion():
    with pytest.raises(ValidationError) as info:
        parse(BAD)
    text = str(info.value)
    by_where = {p.where: p for p in info.value.problems}
    expected = {
        "s.toml:6 scenario.seed": "write 1 without a decimal point",
        "s.toml:7 scenario.stesp": "did you mean 'steps'?",
        "s.toml:11 params.tie_decai": "did you mean 'tie_decay'?",
        "s.toml:12 params.horizon_bonus": "",
        "s.toml:15 shocks[0].type": "did you mean 'remove_state'?",
        "s.toml:21 shocks[1].target": "did you mean 'BBB'?",
        "s.toml:22 shocks[1].at": "raise scenario.steps to at least 11",
        "s.toml:23 shocks[1].fate": "",
        "s.toml:29 shocks[2].comodity": "did you mean 'commodity'?",
    }
    for where, hint in expected.items():
        assert where in by_where, f"{where} missing from:\n{text}"
        assert by_where[where].suggestion == hint
    assert by_where["s.toml:22 shocks[1].at"].message == "shock after the horizon"
    assert by_where["s.toml:23 shocks[1].fate"].value == "gone"
    assert "'removed' | 'defected' | 'neutral'" in by_where["s.toml:23 shocks[1].fate"].allowed
    outcome_hints = sorted(p.suggestion for p in info.value.problems if "outcomes" in p.where)
    assert outcome_hints == [
        "did you mean 'BBB'?",
        "did you mean 'axis'?",
        "did you mean 'cohesion'?",
    ]
    assert len(info.value.problems) == len(expected) + 3


def test_actor_typo_suggests_the_world_id():
    text = GOOD.replace('target = "BBB"', 'target = "BBBB"')
    with pytest.raises(ValidationError) as info:
        parse(text)
    (problem,) = info.value.problems
    assert problem.where == "s.toml:15 shocks[0].target"
    assert problem.value == "BBBB" and problem.suggestion == "did you mean 'BBB'?"


def test_toml_syntax_errors_give_line_and_column():
    with pytest.raises(ValidationError) as info:
        parse(GOOD.replace("steps = 12", "steps = = 12"))
    assert info.value.problems[0].where.startswith("s.toml:5:")
    assert "TOML syntax error" in str(info.value)


def test_unknown_world_and_missing_world_file():
    with pytest.raises(ValidationError) as info:
        parse(GOOD.replace('world = "tiny.toml"', 'world = "axis-224"'))
    assert info.value.problems[0].suggestion == "did you mean 'axis-2024'?"
    with pytest.raises(ValidationError, match="world file not found"):
        parse(GOOD.replace("tiny.toml", "nowhere.toml"))


def test_patch_removes_actors_reroutes_and_locates_its_own_problems():
    text = (
        GOOD
        + """
[patch]
remove_actors = ["TRN"]
[[patch.set]]
actor = "CLI"
stability = 0.2
"""
    )
    spec = parse(text)
    assert "TRN" not in spec.world
    arms = next(t for t in spec.world.ties_in("supply") if t.commodity == "arms")
    # The land route through TRN is gone; the air alternative (capacity 0.1) carries 10 %.
    assert arms.route.via == () and arms.volume == pytest.approx(2.0)
    assert spec.world.actor("CLI").stability == 0.2

    bad = (
        text
        + """
[[patch.add_actors]]
id = "NEW"
name = "New"
bloc = "axis"
lat = 1.0
lon = 500.0
"""
    )
    with pytest.raises(ValidationError) as info:
        parse(bad)
    (problem,) = info.value.problems
    assert problem.where.endswith("patch.add_actors[0].lon")
    assert problem.where.startswith("s.toml:")


def test_overrides_are_validated():
    spec = parse(GOOD)
    assert spec.with_overrides(replicates=5, seed=3).replicates == 5
    with pytest.raises(ValidationError, match="shock after the horizon"):
        spec.with_overrides(steps=5)


def test_shipped_scenarios_each_state_their_question():
    names = list_scenarios()
    for required in (
        "syria_loss",
        "instc_blocked",
        "dprk_stops",
        "iran_sanctions",
        "china_dual_use_halt",
        "random_vs_targeted",
        "syria_and_instc",
    ):
        assert required in names
    for name in names:
        assert read_question(SCENARIOS / f"{name}.toml").endswith("?"), name


def test_block_transit_takes_an_actor_or_a_corridor_name():
    text = """\
[scenario]
name = "corridor"
world = "tiny.toml"
steps = 6
replicates = 1
seed = 1
outcomes = ["fulfilment:axis"]

[[shocks]]
type = "block_transit"
target = "land bridge"
at = 1

[[shocks]]
type = "block_transit"
target = "TRN"
at = 2
"""
    spec = parse_scenario(text, origin="s.toml", base=DATA)
    assert [s.target for s in spec.shocks] == ["land bridge", "TRN"]
    with pytest.raises(ValidationError) as info:
        parse_scenario(text.replace('"land bridge"', '"land bridg"'), origin="s.toml", base=DATA)
    (problem,) = info.value.problems
    assert problem.where == "s.toml:11 shocks[0].target"
    assert problem.message == "unknown actor or corridor"
    assert "land bridge" in problem.allowed and problem.suggestion == "did you mean 'land bridge'?"


PARAMS = """\
# Every bad parameter at once
[scenario]
world = "{world}"

[params]
tie_gain = "high"
tie_decay = 5.0
stability_noise = 1{zeros}
anchor_draws = 2.5
collapse_fate = 3
collapse_threshold = 0.2
"""


def test_the_record_hashes_what_a_run_uses():
    spec = load_scenario(DATA / "shock_timing.toml")
    rec = spec.to_record()
    same = dataclasses.replace(spec, params={"tie_decay": spec.model_params().tie_decay})
    assert same.to_record()["params_sha256"] == rec["params_sha256"]  # resolved, not as written
    assert same.to_record()["params"] != rec["params"]
    other = dataclasses.replace(spec, params={"tie_decay": 0.07})
    assert other.to_record()["params_sha256"] != rec["params_sha256"]
    assert rec["model_params"]["tie_decay"] == spec.model_params().tie_decay
    assert len(rec["world_sha256"]) == 64 and rec["world_sha256"] != rec["sha256"]


def test_every_params_problem_is_reported_on_its_own_line():
    from sim.scenario import parse_scenario

    text = PARAMS.format(world=(DATA / "tiny.toml").as_posix(), zeros="0" * 400)
    with pytest.raises(ValidationError) as info:
        parse_scenario(text, origin="p.toml")
    got = {p.where: p.message for p in info.value.problems}
    assert got == {
        "p.toml:6 params.tie_gain": "has the wrong type (default 0.5)",
        "p.toml:7 params.tie_decay": "is outside its plausible range",
        "p.toml:8 params.stability_noise": "must be a finite number (default 0.01)",
        "p.toml:9 params.anchor_draws": "has the wrong type (default 32)",
        "p.toml:10 params.collapse_fate": "has the wrong type (default 'removed')",
    }
    fine = parse_scenario(text.split("tie_gain")[0] + "collapse_threshold = 0.2\n")
    assert fine.params == {"collapse_threshold": 0.2}


def test_steps_override_names_baseline_shocks_by_their_own_table():
    spec = load_scenario(DATA / "shock_timing.toml")
    spec = dataclasses.replace(spec, baseline_shocks=(shocks.Restore(spec.shocks[0], at=5),))
    with pytest.raises(ValidationError) as info:
        spec.with_overrides(steps=3)
    assert [p.where for p in info.value.problems] == [
        "--steps (shocks[0].at)",
        "--steps (baseline_shocks[0].at)",
    ]


SCENARIO = """[scenario]
name = "dated"
world = "axis-2024"
steps = 12
[[shocks]]
type = "remove_state"
target = "SYR"
at = {at}
"""


@pytest.mark.parametrize(
    ("at", "month"),
    [
        ("2024-11-26", 0),
        ("2024-12-08", 0),
        ("2024-12-26", 1),
        ("2025-01-01", 1),
        ("2025-11-25", 11),
    ],
)
def test_a_date_is_the_month_of_the_run_it_falls_in(at, month):
    spec = parse_scenario(SCENARIO.format(at=at))
    assert spec.shocks[0].at == month
    assert spec.to_record()["shocks"][0]["at"] == month  # results keep the month
    assert spec.to_record()["world_as_of"] == "2024-11-26"


def test_month_of_date_inverts_the_calendar_months():
    as_of = dt.date(2024, 1, 31)
    assert [month_of_date(dt.date(2024, m, 28), as_of) for m in (2, 3)] == [0, 1]


@pytest.mark.parametrize(
    ("at", "pieces"),
    [
        (
            "2024-01-01",
            ["date before the world's as_of", "got '2024-01-01'", "on or after 2024-11-26"],
        ),
        ("2027-01-01", ["shock after the horizon", "got '2027-01-01 (month 25)'", "at least 26"]),
        ("10:30:00", ["must be a step or a date", "without a time"]),
    ],
)
def test_bad_dates_say_what_is_wrong_without_python_reprs(at, pieces):
    with pytest.raises(ValidationError) as err:
        parse_scenario(SCENARIO.format(at=at))
    text = str(err.value)
    assert "datetime" not in text
    for piece in pieces:
        assert piece in text


def test_a_date_on_a_world_without_as_of_asks_for_a_month(tmp_path):
    world = tmp_path / "w.toml"
    world.write_text(
        '[world]\nname = "w"\n[[states]]\nid = "AAA"\nname = "A"\nkind = "state"\n'
        'bloc = "x"\nlat = 0\nlon = 0\ncapability = 0.5\nstability = 0.5\n'
    )
    text = SCENARIO.format(at="2025-01-01").replace('"axis-2024"', '"w.toml"')
    text = text.replace('"SYR"', '"AAA"')
    with pytest.raises(ValidationError, match="lacks") as err:
        parse_scenario(text, base=tmp_path)
    assert "give at as a month" in str(err.value)


def test_settings_are_read_as_toml_values_and_checked_like_params():
    assert parse_param_settings(["tie_decay=0.05", "collapse_fate=neutral"]) == {
        "tie_decay": 0.05,
        "collapse_fate": "neutral",
    }
    with pytest.raises(ValidationError) as err:
        parse_param_settings(["tie_deca=0.05", "tie_decay=5", "oops"])
    text = str(err.value)
    assert "has 3 problems" in text
    assert "--set tie_deca: unknown model parameter" in text and "did you mean 'tie_decay'" in text
    assert "--set tie_decay: is outside its plausible range" in text
    assert "expected NAME=VALUE" in text


def test_overridden_params_reach_the_spec_and_its_record():
    spec = load_scenario("syria_loss")
    changed = spec.with_overrides(params={"tie_decay": 0.05})
    assert changed.params["tie_decay"] == 0.05 and changed.model_params().tie_decay == 0.05
    assert changed.to_record()["params_sha256"] != spec.to_record()["params_sha256"]
    with pytest.raises(ValidationError, match="plausible range"):
        spec.with_overrides(params={"tie_decay": 5.0})
