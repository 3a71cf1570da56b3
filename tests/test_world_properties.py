"""Properties of worlds over generated inputs: lossless TOML and JSON round trips, views."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from sim.world import LAYERS, World
from tests.strategies import CI, world_bytes, worlds


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """One directory for the whole module (hypothesis forbids function-scoped fixtures)."""
    return tmp_path_factory.mktemp("props")


@settings(CI, max_examples=100)
@given(world=worlds())
def test_toml_round_trip_is_equal(world, scratch):
    path = scratch / "w.toml"
    world.to_toml(path)
    back = World.from_toml(path)
    assert back == world
    # Writing the copy again gives the same bytes: the format is a fixed point.
    assert world_bytes(back) == path.read_bytes()


@settings(CI, max_examples=100)
@given(world=worlds())
def test_json_round_trip_is_equal(world, scratch):
    path = scratch / "w.json"
    world.to_json(path)
    assert World.from_json(path) == world


@settings(CI, max_examples=60)
@given(world=worlds())
def test_dict_round_trip_and_views_keep_every_actor_and_tie(world):
    assert World.from_dict(world.to_dict()) == world
    G = world.to_networkx()
    assert set(G.nodes) == set(world.ids)
    # undirected ties appear in both directions, supply ties once
    n_undirected = sum(t.layer != "supply" for t in world.ties)
    assert G.number_of_edges() == 2 * n_undirected + len(world.ties_in("supply"))
    for layer in LAYERS:
        H = world.layer(layer)
        assert set(H.nodes) == set(world.ids)
        assert H.number_of_edges() <= len(world.ties_in(layer))
    for a in world.actors:
        assert all(v >= 0 for v in world.production(a.id).values())
        assert all(v >= 0 for v in world.needs(a.id).values())
