"""Uncertain scenarios: addresses, validation against the world, sensitivity on the model."""

import dataclasses
import json

import numpy as np
import pytest

from sim.cli import main
from sim.errors import ValidationError
from sim.params import ModelParams
from sim.sensitivity.uncertain import (
    apply_values,
    check_addresses,
    load_uncertain_scenario,
    scenario_sensitivity,
)
from sim.uncertainty import Normal, Uniform
from sim.worlds import load_world

DATA = "tests/data"


@pytest.fixture(scope="module")
def world():
    return load_world("axis-2024")


def test_every_kind_of_address_is_applied_to_world_and_params(world):
    space = {
        "params.threat_weight": Uniform(0.5, 1.5),
        "actors.SYR.stability": Uniform(0.1, 0.5),
        "ties.IRN-RUS.strength": Uniform(0.2, 0.9),  # either order names the tie
        "supply.IRN->HEZ.funding.volume": Uniform(10, 100),
        "rivalries.IRN-ISR.intensity": Uniform(0, 1),
    }
    targets = check_addresses(space, world)
    values = {
        "params.threat_weight": 1.25,
        "actors.SYR.stability": 0.2,
        "ties.IRN-RUS.strength": 0.66,
        "supply.IRN->HEZ.funding.volume": 12.5,
        "rivalries.IRN-ISR.intensity": 0.33,
    }
    w2, params = apply_values(world, {"tie_gain": 0.2}, targets, values)
    assert params == {"tie_gain": 0.2, "threat_weight": 1.25}
    assert w2.actor("SYR").stability == 0.2
    assert w2.actor("IRN") == world.actor("IRN")
    strength = {t.ends: t.strength for t in w2.ties_in("partnership")}
    assert strength[("RUS", "IRN")] == 0.66
    vol = {(t.supplier, t.recipient, t.commodity): t.volume for t in w2.ties_in("supply")}
    assert vol[("IRN", "HEZ", "funding")] == 12.5
    assert vol[("IRN", "HEZ", "arms")] == 0.017  # the other commodity is untouched
    riv = {frozenset(t.ends): t.intensity for t in w2.ties_in("rivalry")}
    assert riv[frozenset(("IRN", "ISR"))] == 0.33
    changed = sum(a != b for a, b in zip(world.ties, w2.ties, strict=True))
    assert changed == 3


def test_bad_addresses_and_ranges_are_all_reported_with_suggestions(world):
    space = {
        "params.threat_wieght": Uniform(0, 1),
        "params.tie_gain": Uniform(0.0, 0.9),  # below its lowest plausible value
        "actors.SYRR.stability": Uniform(0, 1),
        "actors.SYR.stabilty": Uniform(0, 1),
        "ties.RUS-HEZ.strength": Uniform(0, 1),
        "supply.IRN->HEZ.oil.volume": Uniform(0, 1),
        "ties.RUS-IRN.strength": Normal(0.5, 0.2),  # unbounded normal leaves [0, 1]
        "tie.RUS-IRN.strength": Uniform(0, 1),
    }
    with pytest.raises(ValidationError) as info:
        check_addresses(space, world)
    text = str(info.value)
    assert "has 8 problems" in text
    assert "did you mean 'threat_weight'?" in text
    lo, hi = ModelParams.ranges()["tie_gain"]
    assert lo > 0.0  # so the distribution above leaves the range
    assert "outside the range of tie_gain" in text and f"[{lo:g}, {hi:g}]" in text
    assert "unknown actor 'SYRR'" in text and "did you mean 'SYR'?" in text
    assert "did you mean 'stability'?" in text
    assert "no partnership tie between RUS and HEZ" in text
    assert "supply.IRN->HEZ.funding.volume" in text  # lists the ties that do exist
    assert "did you mean 'ties'?" in text


def test_scenario_file_problems_come_with_lines(tmp_path):
    text = (
        "[scenario]\nname='x'\nworld='axis-2024'\nsteps=3\nreplicates=1\n"
        "outcomes=['fulfilment:axis']\n"
        "[uncertainty]\n"
        '"params.threat_weight" = { dist = "unifrom", lo = 0, hi = 1 }\n'
        '"actors.XXX.stability" = { dist = "uniform", lo = 0, hi = 1 }\n'
    )
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ValidationError) as info:
        load_uncertain_scenario(p)
    lines = [pr.where for pr in info.value.problems]
    assert any(":8 " in w for w in lines) and any(":9 " in w for w in lines)
    assert main(["sensitivity", str(p)]) == 2


def test_shipped_scenario_parses_and_records_its_inputs():
    us = load_uncertain_scenario("syria_uncertainty")
    assert len(us.space) == 11 and us.spec.name == "syria_uncertainty"
    assert us.spec.outcomes[0] == "fulfilment:axis"
    kinds = {a.split(".")[0] for a in us.space}
    assert kinds == {"params", "ties", "actors", "supply"}


def test_an_unused_parameter_gets_indices_indistinguishable_from_zero(tmp_path):
    res = scenario_sensitivity(
        f"{DATA}/unused_param.toml",
        method="sobol",
        samples=16,
        out=tmp_path,
        outcome="cohesion:axis",
    )
    t = res.table.set_index("parameter")
    unused = t.loc["params.formation_strength"]
    assert abs(unused["S1"]) <= unused["S1_conf"] + 1e-12
    assert abs(unused["ST"]) <= unused["ST_conf"] + 1e-12
    assert unused["ST"] == pytest.approx(0.0, abs=1e-12)
    used = t.drop("params.formation_strength")
    assert (used["ST"] > used["ST_conf"]).any()  # the analysis can see an effect at all
    stored = json.loads((tmp_path / "manifest.json").read_text())
    assert stored["kind"] == "design" and stored["status"] == "complete"
    manifest = stored["design"]  # the record a resume must match
    assert manifest["outcome"] == "cohesion:axis"
    assert manifest["scenario"]["params"] == {"formation_rate": 0.0}
    assert set(manifest["parameters"]) == set(t.index)


def test_sample_points_reuse_the_replicate_seeds_and_a_morris_run_is_reproducible():
    us = load_uncertain_scenario(f"{DATA}/unused_param.toml")
    a = scenario_sensitivity(us, method="morris", samples=2, rng=5)
    b = scenario_sensitivity(us, method="morris", samples=2, rng=5)
    for k in a.outputs:
        np.testing.assert_array_equal(a.outputs[k], b.outputs[k])
    # the shocked and baseline levels are stored beside the paired difference
    np.testing.assert_allclose(
        a.outputs["fulfilment:axis"],
        a.outputs["shock:fulfilment:axis"] - a.outputs["baseline:fulfilment:axis"],
        atol=1e-12,
    )


def test_unknown_outcome_is_reported():
    us = load_uncertain_scenario(f"{DATA}/unused_param.toml")
    with pytest.raises(ValidationError, match="did you mean 'cohesion:axis'"):
        scenario_sensitivity(us, outcome="cohesion:axiss")
    assert dataclasses.is_dataclass(us)


def test_validate_checks_the_uncertainty_table_too(tmp_path, capsys):
    from sim.cli import main
    from sim.scenario import scenario_path

    good = scenario_path("syria_uncertainty")
    assert main(["validate", str(good)]) == 0
    assert "uncertain inputs" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    text = good.read_text().replace("params.threat_elasticity", "params.threat_elastcity")
    bad.write_text(text.replace('target = "SYR"', 'target = "SYRR"'))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    # the scenario's problem and the table's problem, in one report
    assert "has 2 problems" in err and "did you mean 'SYR'?" in err
    assert "did you mean 'threat_elasticity'?" in err and "Traceback" not in err


def test_the_old_module_name_is_the_moved_module_with_a_deprecation_warning():
    import subprocess
    import sys
    from pathlib import Path

    code = """
import warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import sim.uncertain_world as old
    from sim.uncertain_world import load_uncertain_scenario
import sim.sensitivity.uncertain as new
assert old is new and load_uncertain_scenario is new.load_uncertain_scenario
assert new.__spec__.name == "sim.sensitivity.uncertain"
assert [w.category for w in caught] == [DeprecationWarning], caught
print(caught[0].message)
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    assert "sim.uncertain_world moved to sim.sensitivity.uncertain" in done.stdout
