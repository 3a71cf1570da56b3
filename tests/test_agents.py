"""StateAgent (sim.agents): one agent per actor, a view that always agrees with the model's
arrays, kept registered (not alive) after a removal, and in the agent frame once per step."""

import pytest

from sim.agents import StateAgent
from sim.model import AllianceModel, agent_reporters
from sim.shocks import Defect, RemoveState
from sim.worlds import synthetic

PROPERTIES = ("bloc", "alive", "capability", "stability", "fulfilment")


@pytest.fixture(scope="module")
def world():
    return synthetic(8, mean_degree=2, rng=1)


def _shocked(world, steps):
    ids = world.ids
    shocks = [RemoveState(ids[1], at=1), Defect(ids[2], at=1, to_bloc="west")]
    model = AllianceModel(world, shocks=shocks, rng=2)
    model.run_for(steps)
    return model


def test_one_agent_per_actor_in_the_worlds_order(world):
    model = AllianceModel(world, rng=0)
    agents = list(model.agents)
    assert all(isinstance(a, StateAgent) for a in agents)
    assert [a.actor for a in agents] == list(world.ids)
    assert [a.index for a in agents] == list(range(len(world.actors)))


def test_every_property_is_the_models_value_at_every_step(world):
    ids = world.ids
    model = AllianceModel(world, shocks=[RemoveState(ids[1], at=1)], rng=2)
    for _ in range(4):
        for a in model.agents:
            for name in PROPERTIES:
                assert getattr(a, name) == getattr(model, name)(a.actor), (a.actor, name)
        model.step()


def test_a_removed_actor_stays_registered_and_a_defector_changes_bloc(world):
    model = _shocked(world, 3)
    assert len(model.agents) == len(world.actors)
    gone, defector = model.agents[1], model.agents[2]
    assert (gone.alive, gone.capability, gone.stability) == (False, 0.0, 0.0)
    assert world.actor(defector.actor).bloc == "axis" and defector.bloc == "west"
    assert sum(a.alive for a in model.agents) == len(world.actors) - 1


def test_the_agent_frame_has_one_row_per_actor_and_collect(world):
    model = _shocked(world, 3)
    frame = model.datacollector.get_agent_vars_dataframe()
    assert list(frame.columns) == list(agent_reporters())
    assert frame.shape == (4 * len(world.actors), len(agent_reporters()))  # steps 0..3
    last = frame.xs(3.0, level="Step")
    assert list(last["actor"]) == list(world.ids)
    for a, (_, row) in zip(model.agents, last.iterrows(), strict=True):
        assert [row[name] for name in PROPERTIES] == [getattr(a, name) for name in PROPERTIES]


def test_repr_names_the_actor_its_bloc_and_whether_it_is_alive(world):
    model = _shocked(world, 2)
    assert repr(model.agents[0]) == f"StateAgent('{world.ids[0]}', bloc='axis', alive=True)"
    assert repr(model.agents[1]) == f"StateAgent('{world.ids[1]}', bloc='axis', alive=False)"
