"""The outcome registry: parsing, checks against a world, reporters, inspection, labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.errors import ValidationError
from sim.outcomes import (
    OUTCOME_KINDS,
    REPORTER_KINDS,
    default_outcomes,
    inspected,
    is_reporter,
    outcome_label,
    outcome_problems,
    parse_outcome,
    read_outcomes,
    reporter_names,
    worse_when_higher,
)

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "kind", "args", "actors"),
    [
        ("fulfilment:axis", "fulfilment", ("axis",), ()),
        ("collapses", "collapses", (), ()),
        ("strength:AAA-BBB", "strength", ("AAA", "BBB"), ("AAA", "BBB")),
        ("delivered:BBB->CLI", "delivered", ("BBB", "CLI"), ("BBB", "CLI")),
        ("delivered:BBB->CLI:arms", "delivered", ("BBB", "CLI", "arms"), ("BBB", "CLI")),
        ("capability:CLI", "capability", ("CLI",), ("CLI",)),
    ],
)
def test_names_parse_into_kind_and_arguments(tiny, name, kind, args, actors):
    o = parse_outcome(name, tiny)
    assert (o.kind.name, o.args, o.actors) == (kind, args, actors)
    assert o.kind.reporter == (kind in REPORTER_KINDS) == is_reporter(name)


@pytest.mark.parametrize(
    ("name", "message", "suggestion"),
    [
        ("cohesoin:axis", "unknown outcome", "did you mean 'cohesion'?"),
        ("fulfilment:axsi", "unknown bloc", "did you mean 'axis'?"),
        ("strength:AAA-BBX", "unknown actor", "did you mean 'BBB'?"),
        ("delivered:BBB->CLI:arm", "unknown commodity", "did you mean 'arms'?"),
        ("strength:AAA", "malformed outcome", ""),
        ("delivered:BBB-CLI", "malformed outcome", ""),
        ("collapses:axis", "takes no argument", ""),
        ("capability:", "malformed outcome", ""),
    ],
)
def test_bad_names_get_one_problem_each_with_a_suggestion(tiny, name, message, suggestion):
    (p,) = outcome_problems(name, "o", tiny)
    assert (p.where, p.message, p.suggestion) == ("o", message, suggestion)
    with pytest.raises(ValidationError, match=message):
        parse_outcome(name, tiny)


def test_reporters_are_the_model_collector_columns(tiny):
    from sim.model import AllianceModel

    model = AllianceModel(tiny, rng=0)
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == reporter_names(tiny.blocs)
    assert all(is_reporter(c) for c in frame.columns)
    assert default_outcomes(tiny.blocs) == [
        "fulfilment:axis",
        "cohesion:axis",
        "fulfilment:west",
        "cohesion:west",
    ]


def test_inspected_outcomes_read_the_models_methods_by_name(tiny):
    from sim.model import AllianceModel

    names = ["fulfilment:axis", "strength:AAA-BBB", "delivered:BBB->CLI", "capability:CLI"]
    assert inspected(names) == names[1:]
    model = AllianceModel(tiny, rng=0)
    model.step()
    got = read_outcomes(model, inspected(names))
    assert got == {
        "strength:AAA-BBB": model.strength("AAA", "BBB"),
        "delivered:BBB->CLI": model.delivered("BBB", "CLI", None),
        "capability:CLI": model.capability("CLI"),
    }
    assert got["delivered:BBB->CLI"] > 0 and 0 < got["strength:AAA-BBB"] <= 1


def test_a_batched_engine_with_the_same_methods_is_read_the_same_way():
    class Batched:  # one value per run, as an array
        def strength(self, a, b):
            return np.array([0.25, 0.5])

        def delivered(self, a, b, commodity=None):
            return np.array([1.0, 2.0]) * (10 if commodity else 1)

        def capability(self, a):
            return np.array([0.1, 0.2])

    got = read_outcomes(Batched(), ["strength:A-B", "delivered:A->B:arms", "capability:A"])
    np.testing.assert_array_equal(got["strength:A-B"], [0.25, 0.5])
    np.testing.assert_array_equal(got["delivered:A->B:arms"], [10.0, 20.0])
    np.testing.assert_array_equal(got["capability:A"], [0.1, 0.2])
    with pytest.raises(ValueError, match="model reporter"):
        parse_outcome("fulfilment:axis").read(Batched())


def test_every_kind_has_a_label_and_the_public_function_delegates():
    from sim.labels import outcome_label as public

    for kind in OUTCOME_KINDS.values():
        name = "collapses" if kind.argument == "none" else f"{kind.name}:X"
        assert public(name) == outcome_label(name)
        assert public(name).unit == kind.unit
    assert worse_when_higher("collapses") and not worse_when_higher("cohesion:axis")


def test_bloc_reporters_name_supply_fulfilment_apart_from_the_model_reporter(tiny):
    from sim.metrics import bloc_reporters

    names = set(bloc_reporters(tiny.to_networkx()))
    assert names == {f"{k}:{b}" for b in tiny.blocs for k in ("giant", "mean_strength")} | {
        f"supply_fulfilment:{b}" for b in tiny.blocs
    }
    assert not any(n.startswith("fulfilment:") for n in names)


def test_every_outcome_kind_has_a_short_name_and_the_dashboard_takes_its_words_from_them():
    from sim.app import DashboardModel, metrics
    from sim.app_figures import SERIES
    from sim.outcomes import OUTCOME_KINDS

    assert all(k.short for k in OUTCOME_KINDS.values())
    assert {k: OUTCOME_KINDS[k].short for k in SERIES} == SERIES
    m = DashboardModel(rng=7, baseline=False)
    labels = {key: label for key, label, *_ in metrics(m)}
    assert labels["fulfilment-axis"] == "Axis " + OUTCOME_KINDS["fulfilment"].short_label()
    assert labels["fulfilment-axis"] == "Axis needs met (share)"  # the words users know
    assert labels["alive-west"] == "West actors alive"
