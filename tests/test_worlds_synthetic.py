"""sim.worlds.synthetic: random worlds of any size with all layers."""

import numpy as np
import pytest

from sim import AllianceModel
from sim.errors import SimError, ValidationError
from sim.world import LAYERS
from sim.worlds import synthetic


def test_size_blocs_and_layers():
    w = synthetic(200, mean_degree=4, rng=1)
    assert len(w) == 200
    assert w.blocs == ("axis", "west", "neutral")
    assert all(len(w.ties_in(layer)) > 0 for layer in LAYERS)
    assert any(t.route.via for t in w.ties_in("supply"))
    assert any(t.alternatives for t in w.ties_in("supply"))


def test_mean_partnership_degree_matches_the_request_in_the_rival_blocs():
    w = synthetic(1000, mean_degree=6, rng=2)
    members = [a.id for a in w.actors if a.bloc in ("axis", "west")]
    ties = w.ties_in("partnership")
    assert 2 * len(ties) / len(members) == pytest.approx(6, rel=0.02)


def test_same_rng_same_world_and_different_rng_different_world():
    assert synthetic(50, mean_degree=3, rng=5) == synthetic(50, mean_degree=3, rng=5)
    assert synthetic(50, mean_degree=3, rng=5) != synthetic(50, mean_degree=3, rng=6)
    g = np.random.default_rng(9)
    assert synthetic(30, rng=g) != synthetic(30, rng=g)  # one stream, consumed


def test_rivalries_only_between_the_rival_blocs():
    w = synthetic(100, mean_degree=4, rng=3)
    for t in w.ties_in("rivalry"):
        assert {w.actor(t.a).bloc, w.actor(t.b).bloc} == {"axis", "west"}


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="n_actors"):
        synthetic(3, mean_degree=2, rng=1)
    with pytest.raises(ValueError, match="mean_degree"):
        synthetic(10, mean_degree=0, rng=1)


def test_bad_arguments_are_one_validation_error_listing_each():
    with pytest.raises(ValidationError) as info:
        synthetic(3, mean_degree=0, supply_share=1.5, n_corridors=0, rng=1)
    assert isinstance(info.value, SimError)  # the CLI maps it to exit 2, no traceback
    assert [p.where for p in info.value.problems] == [
        "synthetic(n_actors)",
        "synthetic(mean_degree)",
        "synthetic(supply_share)",
        "synthetic(n_corridors)",
    ]
    assert info.value.problems[0].value == 3
    with pytest.raises(ValidationError, match="mean_degree"):
        synthetic(10, mean_degree=float("nan"), rng=1)
    with pytest.raises(ValidationError, match="n_actors"):
        synthetic(True, rng=1)


def test_large_world_runs_in_the_model():
    w = synthetic(2000, mean_degree=4, rng=4)
    m = AllianceModel(w, rng=4)
    m.run_for(3)
    assert m.datacollector.get_model_vars_dataframe()["alive:axis"].iloc[-1] > 0
