"""A shock's ``at`` as a date (months from the world's as_of) and ``--set NAME=VALUE``."""

import datetime as dt

import pytest

from sim.errors import ValidationError
from sim.scenario import load_scenario, month_of_date, parse_param_settings, parse_scenario

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
