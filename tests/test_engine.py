"""The batched engine: rows equal single models, per-row values, failure isolation, protocol."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import AllianceModel, ModelParams
from sim.engine import BatchParams, Engine, RowView, Undo, inspect, run_batch
from sim.errors import ShockError, SimError
from sim.shocks import (
    SHOCKS,
    BlockTransit,
    CutTie,
    Defect,
    Degrade,
    Formalize,
    RandomFailure,
    RemoveState,
    Restore,
    Sanction,
    Shock,
    ShockTarget,
    TargetedAttack,
)
from sim.world import World
from sim.worlds import load_world, synthetic

STEPS = 8
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_WORLDS: dict[str, World] = {}


def world_named(name: str) -> World:
    if name not in _WORLDS:
        if name.startswith("synthetic"):
            n, seed = (int(x) for x in name.split("-")[1:])
            _WORLDS[name] = synthetic(n, mean_degree=3, rng=seed)
        else:
            _WORLDS[name] = load_world(name)
    return _WORLDS[name]


WORLD_NAMES = ("axis-2024", "axis-2025", "synthetic-20-1", "synthetic-14-2", "synthetic-30-3")


@st.composite
def shock_sets(draw, world: World) -> tuple[Any, ...]:
    """One to three shocks of any type on `world`, perhaps with a Restore of one of them."""
    ids = list(world.ids)
    blocs = list(world.blocs)
    supply = [(t.supplier, t.recipient) for t in world.ties_in("supply")]
    partners = [(t.a, t.b) for t in world.ties_in("partnership")]
    corridors = sorted({c for t in world.ties_in("supply") for c in [t.route.corridor] if c})
    actor = st.sampled_from(ids)
    at = st.integers(0, 4)
    options = [
        st.builds(RemoveState, actor, at, st.sampled_from(["removed", "defected", "neutral"])),
        st.builds(Defect, actor, at, st.sampled_from([*blocs, "neutral"])),
        st.builds(BlockTransit, st.sampled_from(ids + corridors), at),
        st.builds(
            Degrade,
            actor,
            at,
            st.sampled_from([0.0, 0.3, 0.7]),
            st.sampled_from(["production", "capability"]),
        ),
        st.builds(
            lambda p, t: Formalize(p, at=t, kind="defence_pact"),
            st.sampled_from([(a, b) for a in ids[:6] for b in ids[6:12]]),
            at,
        ),
        st.builds(lambda f, t: RandomFailure(f, at=t), st.sampled_from([0.1, 0.3]), at),
        st.builds(lambda k, t: RandomFailure(k=k, at=t), st.integers(1, 3), at),
        st.builds(
            TargetedAttack,
            st.integers(1, 3),
            at,
            st.sampled_from(["degree", "betweenness", "capability"]),
            st.booleans(),
        ),
    ]
    if supply:
        options.append(st.builds(CutTie, st.sampled_from(supply), at))
        options.append(
            st.builds(
                lambda p, t: Sanction(p[1], at=t, suppliers=(p[0],), by=(p[0],)),
                st.sampled_from(supply),
                at,
            )
        )
    if partners:
        options.append(
            st.builds(
                lambda p, t: CutTie(p, at=t, layer="partnership"), st.sampled_from(partners), at
            )
        )
    shocks = draw(st.lists(st.one_of(options), min_size=1, max_size=3))
    if draw(st.booleans()):
        target = draw(st.sampled_from(shocks))
        shocks.append(Restore(target, at=target.at + draw(st.integers(1, 3))))
    return tuple(shocks)


def single_run(world, params, shocks, seed, steps=STEPS, outcomes=()):
    m = AllianceModel(world, params=params, shocks=shocks, rng=seed)
    inspected = [inspect(m, outcomes)]
    for _ in range(steps):
        m.step()
        inspected.append(inspect(m, outcomes))
    mf = m.datacollector.get_model_vars_dataframe()
    af = m.datacollector.get_agent_vars_dataframe()
    return mf, af, inspected


def assert_row_equals_single(batch, r, world, params, shocks, seed, outcomes=()):
    mf, af, inspected = single_run(world, params, shocks, seed, outcomes=outcomes)
    n_rep = len(mf.columns)
    assert batch.model_vars[:n_rep] == list(mf.columns)
    got = batch.values[:, r, :n_rep]
    np.testing.assert_allclose(got, mf.to_numpy(float), rtol=0, atol=1e-12, equal_nan=True)
    for k, name in enumerate(batch.model_vars[n_rep:]):
        want = [row[name] for row in inspected]
        np.testing.assert_allclose(batch.values[:, r, n_rep + k], want, rtol=0, atol=1e-12)
    n = len(world.actors)
    bloc, alive, cap, stab, ful = (x[:, r] for x in batch.agents)
    np.testing.assert_allclose(cap.ravel(), af["capability"].to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(stab.ravel(), af["stability"].to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ful.ravel(), af["fulfilment"].to_numpy(), rtol=0, atol=1e-12)
    assert alive.ravel().tolist() == af["alive"].tolist()
    assert [batch.bloc_names[b] for b in bloc.ravel()] == af["bloc"].tolist()
    assert cap.shape == (STEPS + 1, n)


# -- rows equal single models -----------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_batched_rows_equal_single_models_for_any_world_shocks_and_seeds(data):
    name = data.draw(st.sampled_from(WORLD_NAMES), label="world")
    world = world_named(name)
    shocks = data.draw(shock_sets(world), label="shocks")
    seeds = data.draw(st.lists(st.integers(0, 2**40), min_size=3, max_size=3, unique=True))
    batch = run_batch(world, None, shocks, seeds, steps=STEPS)
    assert batch.failed == []
    for r, seed in enumerate(seeds):
        assert_row_equals_single(batch, r, world, None, shocks, seed)


def test_every_shock_type_appears_in_the_equality_strategy():
    """The hypothesis strategy above draws every shock class of the catalogue."""
    from pathlib import Path

    text = Path(__file__).read_text()
    src = text[text.index("def shock_sets(") : text.index("def single_run(")]
    missing = [c.__name__ for c in SHOCKS.values() if not re.search(rf"\b{c.__name__}\b", src)]
    assert not missing


def test_inspected_outcomes_are_read_over_rows_like_the_model_reads_them():
    world = world_named("axis-2024")
    outcomes = (
        "strength:RUS-IRN",
        "delivered:IRN->HEZ",
        "delivered:RUS->IRN:arms",
        "capability:HEZ",
    )
    shocks = (RemoveState("SYR", at=2), Degrade("IRN", at=3, factor=0.5))
    seeds = [3, 17, 4242]
    batch = run_batch(world, None, shocks, seeds, steps=STEPS, outcomes=outcomes)
    assert batch.model_vars[-4:] == list(outcomes)
    for r, seed in enumerate(seeds):
        assert_row_equals_single(batch, r, world, None, shocks, seed, outcomes=outcomes)
    # the shock at t = 2 shows first in row 3, with the reporters
    hez = batch.values[:, 0, batch.model_vars.index("delivered:IRN->HEZ")]
    assert hez[3] < hez[2]


def test_each_row_may_have_its_own_shocks():
    world = world_named("synthetic-20-1")
    per_row = [(), (RemoveState("A00003", at=1),), (RandomFailure(k=3, at=2),)]
    seeds = [5, 6, 7]
    batch = run_batch(world, None, per_row, seeds, steps=STEPS)
    for r in range(3):
        assert_row_equals_single(batch, r, world, None, per_row[r], seeds[r])


# -- per-row parameters and world values ----------------------------------------------------------


def _vary(world: World, k: int) -> World:
    """The same structure with other numbers: capability, stability, strengths, intensities,
    volumes and production."""
    f = 1.0 - 0.07 * k
    actors = tuple(
        dataclasses.replace(
            a,
            capability=a.capability * f,
            stability=min(1.0, a.stability * (1.0 + 0.02 * k)),
            produces={c: v * f for c, v in a.produces.items()},
        )
        for a in world.actors
    )
    ties = []
    for t in world.ties:
        if t.layer == "partnership":
            t = dataclasses.replace(t, strength=t.strength * f)
        elif t.layer == "rivalry":
            t = dataclasses.replace(t, intensity=t.intensity * f)
        elif t.layer == "supply":
            t = dataclasses.replace(t, volume=t.volume * (2 - f))
        ties.append(t)
    return dataclasses.replace(world, actors=actors, ties=tuple(ties))


@pytest.mark.parametrize("name", ["axis-2024", "synthetic-20-1"])
def test_per_row_params_and_world_values_equal_separate_single_runs(name):
    world = world_named(name)
    worlds = [world, _vary(world, 1), _vary(world, 2), _vary(world, 3)]
    params = [
        ModelParams(),
        ModelParams(threat_weight=2.0, volume_noise=0.2),
        ModelParams(need_weight=0.9, interdiction_rate=0.05, formation_rate=0.02),
        ModelParams(treaty_damping=0.3, tie_rate=0.4, substitution_rate=0.0),
    ]
    target = world.actors[3].id
    shocks = (RemoveState(target, at=1), Degrade(world.actors[0].id, at=2, factor=0.5))
    seeds = [11, 12, 13, 14]
    batch = run_batch(worlds, params, shocks, seeds, steps=STEPS)
    assert batch.failed == []
    for r in range(4):
        assert_row_equals_single(batch, r, worlds[r], params[r], shocks, seeds[r])
    # the rows really differ
    assert not np.allclose(batch.values[-1, 0], batch.values[-1, 1], equal_nan=True)


def test_rows_that_differ_in_structure_are_refused_with_every_difference():
    world = world_named("synthetic-20-1")
    with pytest.raises(SimError, match=r"tie_model.*collapse_fate|collapse_fate.*tie_model"):
        BatchParams([ModelParams(), ModelParams(tie_model="anchor", collapse_fate="neutral")])
    other = synthetic(20, mean_degree=3, rng=99)
    with pytest.raises(SimError, match="differs in structure"):
        run_batch([world, other], None, (), [1, 2], steps=1)
    with pytest.raises(SimError, match="one for every row or one per row"):
        run_batch([world, world, world], None, (), [1, 2], steps=1)


def test_a_bad_shock_is_the_users_mistake_not_a_failed_row():
    world = world_named("synthetic-20-1")
    with pytest.raises(ShockError, match=r"unknown actor 'A0003'.*did you mean"):
        run_batch(world, None, (RemoveState("A0003", at=1),), [1, 2], steps=2)


# -- failure isolation --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Boom:
    """A shock that raises when applied."""

    at: int

    def validate(self, model) -> None:
        pass

    def apply(self, model) -> list[Undo]:
        raise RuntimeError("boom")


@dataclasses.dataclass(frozen=True)
class _Poison:
    """A shock that makes one actor's multipliers NaN (its row's numbers go NaN)."""

    at: int

    def validate(self, model) -> None:
        pass

    def apply(self, model) -> list[Undo]:
        return model.degrade(0, "capability", math.nan) + model.degrade(0, "production", math.nan)


def test_a_failing_row_is_isolated_and_the_others_equal_single_runs():
    world = world_named("synthetic-20-1")
    good = (RemoveState("A00002", at=1),)
    per_row = [good, (*good, _Boom(at=2)), good, (_Poison(at=1),)]
    seeds = [21, 22, 23, 24]
    batch = run_batch(world, None, per_row, seeds, steps=STEPS)
    failed = {r: (seed, why) for r, seed, why in batch.failed}
    assert sorted(failed) == [1, 3]
    assert failed[1][0] == 22 and "RuntimeError: boom" in failed[1][1]
    assert failed[3][0] == 24 and "non-finite" in failed[3][1]
    assert batch.ok == [0, 2]
    for r in (0, 2):
        assert_row_equals_single(batch, r, world, None, good, seeds[r])


# -- the Shock protocol -------------------------------------------------------------------------


class _PublicOnly:
    """The model as a shock may see it: its public names only."""

    def __init__(self, model):
        object.__setattr__(self, "_m", model)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AssertionError(f"a shock read the model's private {name!r}")
        return getattr(object.__getattribute__(self, "_m"), name)


@pytest.mark.parametrize(
    "shock",
    [
        RemoveState("SYR", at=0),
        RemoveState("SYR", at=0, fate="defected"),
        Defect("TUR", at=0, to_bloc="axis"),
        CutTie(("IRN", "HEZ"), at=0),
        CutTie(("RUS", "IRN"), at=0, layer="partnership"),
        BlockTransit("AZE", at=0),
        BlockTransit("Caspian", at=0),
        Degrade("IRN", at=0, factor=0.5, what="capability"),
        Sanction("RUS", at=0, buyers=("IND",), by=("IND",)),
        Formalize(("RUS", "PRK"), at=0, kind="defence_pact"),
        RandomFailure(k=2, at=0),
        TargetedAttack(2, at=0, by="betweenness", recompute=True),
    ],
    ids=repr,
)
def test_shocks_act_only_through_public_operations_and_return_typed_undo_records(shock):
    world = world_named("axis-2024")
    m = AllianceModel(world, rng=1)
    assert isinstance(shock, Shock) and isinstance(m, ShockTarget)
    recs = shock.apply(_PublicOnly(m))
    assert recs and all(isinstance(r, Undo) for r in recs)
    # a batch row offers the same operations
    eng = Engine(world, None, [1], formalize_pairs=[(m.index("RUS"), m.index("PRK"))])
    view = RowView(eng, 0, time=0.0, shocks=())
    assert isinstance(view, ShockTarget)
    assert [type(r) for r in shock.apply(_PublicOnly(view))] == [type(r) for r in recs]


def test_restore_reverts_the_typed_records_in_a_batch_row_like_in_the_model():
    world = world_named("axis-2024")
    shocks = (
        Formalize(("RUS", "PRK"), at=1, kind="defence_pact"),
        Degrade("IRN", at=1, factor=0.4, what="capability"),
        BlockTransit("AZE", at=1),
    )
    restores = tuple(Restore(s, at=3) for s in shocks)
    batch = run_batch(world, None, shocks + restores, [1, 2, 3], steps=STEPS)
    for r, seed in enumerate([1, 2, 3]):
        assert_row_equals_single(batch, r, world, None, shocks + restores, seed)


def test_a_formalize_added_to_a_live_model_gets_a_tie_slot():
    world = world_named("axis-2024")
    m = AllianceModel(world, rng=1)
    m.run_for(2)
    e = len(m.partners)
    m.add_shock(Formalize(("VEN", "PRK"), at=2, kind="entente"))
    m.run_for(2)
    assert m.strength("VEN", "PRK") > 0
    assert len(m.partners) == e + 1
    # and equals a model that had it from the start
    ref = AllianceModel(world, shocks=[Formalize(("VEN", "PRK"), at=2, kind="entente")], rng=1)
    ref.run_for(4)
    assert m.strength("VEN", "PRK") == pytest.approx(ref.strength("VEN", "PRK"), abs=1e-12)


def test_runner_chunks_equal_replicates_run_one_by_one():
    from sim.runner import replicate_seeds, run_replicate, run_replicates
    from sim.scenario import load_scenario

    spec = load_scenario("random_vs_targeted").with_overrides(steps=6)
    seeds = replicate_seeds(spec.seed, 3)
    chunk = run_replicates(spec, list(enumerate(seeds)))
    for rep, mf, af in chunk:
        m1, a1 = run_replicate(spec, rep, seeds[rep])
        assert list(mf.columns) == list(m1.columns)
        assert mf.drop(columns="seed").equals(m1.drop(columns="seed"))
        assert af.equals(a1)


def test_batch_reporters_are_the_metrics_definitions_row_by_row():
    from sim import metrics

    world = world_named("synthetic-30-3")
    eng = Engine(world, None, [1, 2, 3])
    for r in range(3):
        view = RowView(eng, r, time=0.0, shocks=())
        RandomFailure(k=2 + r, at=0).apply(view)
    for _ in range(3):
        eng.step()
    got = eng.reports()
    names = eng.model_variables()
    ng = len(eng.bloc_names)
    for r in range(3):
        act = eng.active[r]
        giant = metrics.group_giant_fractions(
            eng.n, eng.a[act], eng.b[act], eng.bloc[r], eng.alive[r], eng.bloc_size0
        )
        mean_s = metrics.group_mean_strength(
            eng.a, eng.b, eng.s[r], eng.bloc[r], ng, active=eng.active[r]
        )
        e0 = eng.e0
        cohesion = metrics.retained_strength(
            np.where(eng.active[r, :e0], eng.s[r, :e0], 0.0), eng.coh_s0[r], eng.coh_group0, ng
        )
        for k, b in enumerate(world.blocs):
            assert got[r, names.index(f"giant:{b}")] == giant[k]
            assert got[r, names.index(f"mean_strength:{b}")] == pytest.approx(mean_s[k], abs=1e-15)
            assert got[r, names.index(f"cohesion:{b}")] == pytest.approx(cohesion[k], abs=1e-15)
        assert got[r, names.index("alive:" + world.blocs[0])] == int(
            (eng.alive[r] & (eng.bloc[r] == 0)).sum()
        )
    assert len({tuple(got[r]) for r in range(3)}) == 3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_engines_batched_anchor_fits_equal_the_one_row_anchor_bit_for_bit(seed):
    # the engine fits the anchors of many rows (construction) and of new ties in several rows
    # (formation) in one call each; both must give sim.ties.anchor's numbers, row by row
    from sim.engine import BatchParams, _anchor_rows, _anchor_ties
    from sim.params import ModelParams
    from sim.ties import anchor

    rng = np.random.default_rng(seed)
    R, E, draws = 7, 30, 32
    ps = [
        ModelParams(tie_decay=float(rng.uniform(0.02, 0.1)), tie_gain=float(rng.uniform(0.3, 0.8)))
        for _ in range(R)
    ]
    P = BatchParams(ps)
    s0 = rng.uniform(0.01, 0.999, (R, E))
    d = rng.normal(0.0, 0.3, (draws, R, E))
    want = np.array([anchor(ps[r], s0[r], d[:, r]) for r in range(R)])
    np.testing.assert_array_equal(_anchor_rows(P, s0, d), want)

    rows = np.array([1, 3, 4])
    k, ties = np.nonzero(rng.random((3, E)) < 0.4)
    r = rows[k]
    got = _anchor_ties(P, r, k, s0[r, ties], d[0][r, ties])
    want = np.concatenate(
        [anchor(ps[rr], s0[rr, ties[k == g]], d[0][rr, ties[k == g]]) for g, rr in enumerate(rows)]
    )
    np.testing.assert_array_equal(got, want)


# -- the arms' shared random draws -----------------------------------------------------------


def _arm_frames(eng: Engine, steps: int) -> list[np.ndarray]:
    out = []
    for _ in range(steps):
        eng.step()
        out.append(np.concatenate([eng.cap, eng.stab, eng.s, eng.deliveries], axis=1))
    return out


def test_forked_arms_draw_once_keep_one_month_and_equal_engines_built_apart():
    from sim.engine import run_arms

    world = synthetic(20, rng=3)
    arms = [(RandomFailure(k=2, at=1),), (Degrade(world.actors[0].id, at=2, factor=0.5),), ()]
    seeds = [5, 6, 7, 8]
    eng = Engine(world, None, seeds)
    forks = [eng._fork(), eng._fork(), eng]
    assert eng.draws.users == 3 and all(f.draws is eng.draws for f in forks)
    forks[0].step()
    with pytest.raises(SimError, match="forked only before"):
        eng._fork()
    # the first arm's month is kept for the others, and dropped once all have taken it
    assert [len(k) for k in eng.draws.kept] == [1, 1, 1]
    for f in forks[1:]:
        f.step()
    assert [len(k) for k in eng.draws.kept] == [0, 0, 0]
    batches = run_arms(world, None, arms, seeds, steps=5)
    for arm, got in zip(arms, batches, strict=True):
        alone = run_batch(world, None, arm, seeds, steps=5)
        np.testing.assert_array_equal(got.values, alone.values)
        for x, y in zip(got.agents, alone.agents, strict=True):
            np.testing.assert_array_equal(x, y)


def test_arms_stepped_one_after_the_other_still_draw_the_same_numbers():
    # run_arms steps the arms together (one month kept); stepped apart, the second arm
    # reads every month the first kept, and the numbers are the same
    world = synthetic(15, rng=4)
    eng = Engine(world, None, [1, 2, 3])
    fork = eng._fork()
    first = _arm_frames(fork, 6)
    assert [len(k) for k in eng.draws.kept] == [6, 6, 6]
    second = _arm_frames(eng, 6)
    assert [len(k) for k in eng.draws.kept] == [0, 0, 0]
    apart = _arm_frames(Engine(world, None, [1, 2, 3]), 6)
    for a, b, c in zip(first, second, apart, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, c)


def test_shared_draws_are_each_rows_own_generator_and_read_only():
    from sim.engine import _SharedDraws

    sizes = (("normal", 4), ("uniform", 3))
    shared = _SharedDraws([[np.random.default_rng(s) for s in (1, 2)]])
    shared.join()
    pos_a, pos_b = [0], [0]
    z, u = shared.take(pos_a, 0, sizes)
    z2, u2 = shared.take(pos_b, 0, sizes)
    assert u is u2
    assert z is z2 and not z.flags.writeable and not u.flags.writeable
    for r, seed in enumerate((1, 2)):
        g = np.random.default_rng(seed)
        np.testing.assert_array_equal(z[r], g.standard_normal(4))
        np.testing.assert_array_equal(u[r], g.random(3))
    assert not shared.kept[0] and pos_a == pos_b == [1]
