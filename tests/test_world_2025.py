"""The axis-2025 world: valid, dated, sourced, and its documented changes derived from the files."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.model import AllianceModel
from sim.world import SupplyTie, World
from sim.worlds import DEFAULT_WORLD, list_worlds, load_world, world_path
from sim.worlds.docgen import changes, removed_ties


@pytest.fixture(scope="module")
def w2024() -> World:
    return load_world("axis-2024")


@pytest.fixture(scope="module")
def w2025() -> World:
    return load_world("axis-2025")


def _partnership(world, a, b):
    (tie,) = [t for t in world.ties_in("partnership") if {t.a, t.b} == {a, b}]
    return tie


def test_both_worlds_are_listed_and_2024_stays_default():
    assert {"axis-2024", "axis-2025"} <= set(list_worlds())
    assert DEFAULT_WORLD == "axis-2024"


def test_every_tie_is_sourced_and_dated_by_the_end_of_2025(w2025):
    assert w2025.as_of == dt.date(2025, 12, 31)
    assert len(w2025) >= 38
    for t in w2025.ties:
        assert t.source.strip(), t
        assert t.since <= dt.date(2025, 12, 31), t
    for a in w2025.actors:
        assert a.domestic and a.domestic_source, a.id


def test_the_2025_events_are_in_the_world(w2025):
    rus_irn = _partnership(w2025, "RUS", "IRN")
    assert rus_irn.kind == "strategic_partnership" and rus_irn.strength == 0.5
    assert rus_irn.since == dt.date(2025, 10, 2)  # in force, no defence clause
    assert _partnership(w2025, "RUS", "VEN").since == dt.date(2025, 5, 7)
    assert w2025.actor("SYR").bloc == "hedging"
    assert not [t for t in w2025.ties_in("partnership") if {t.a, t.b} == {"IRN", "SYR"}]
    assert _partnership(w2025, "RUS", "SYR").strength < 0.5  # bases kept, alliance gone
    # Iran's supply to Hezbollah no longer crosses Syria.
    for t in w2025.ties_in("supply"):
        if isinstance(t, SupplyTie) and (t.supplier, t.recipient) == ("IRN", "HEZ"):
            assert "SYR" not in t.route.via


def test_judgement_is_marked(w2025):
    judged = [t for t in w2025.ties if "general knowledge" in t.source]
    assert judged and all(not t.verified for t in judged)


def test_removed_list_matches_the_two_files(w2024, w2025):
    reasons = removed_ties(world_path("axis-2025").read_text(encoding="utf-8"))
    lost = {k for k in reasons}
    assert ("partnership", "IRN", "SYR") in lost and ("supply", "IRN", "SYR", "funding") in lost
    section = changes(w2024, w2025, reasons=reasons)
    assert section.startswith("## What changed from axis-2024 to axis-2025")
    assert f"### Ties lost ({len(lost)})" in section
    assert "IRN – RUS partnership | 0.45 | 0.5" in section


def test_changes_refuse_a_lost_tie_without_a_reason(w2024, w2025):
    reasons = removed_ties(world_path("axis-2025").read_text(encoding="utf-8"))
    reasons.pop(("partnership", "IRN", "SYR"))
    with pytest.raises(ValueError, match="lost without a reason: IRN – SYR partnership"):
        changes(w2024, w2025, reasons=reasons)
    with pytest.raises(ValueError, match="not lost"):
        changes(w2024, w2024, reasons={("rivalry", "ARM", "AZE"): "made up"})


def test_axis_2025_runs(w2025):
    m = AllianceModel(w2025, rng=7)
    for _ in range(3):
        m.step()
    assert 0.45 <= m.strength("RUS", "IRN") <= 0.55


@pytest.mark.parametrize("name", ["venezuela_2026", "iran_war_2026"])
def test_2026_scenarios_run_on_axis_2025_and_bite(name):
    from sim.runner import run_scenario
    from sim.scenario import load_scenario

    spec = load_scenario(name)
    assert spec.world.name == "axis-2025"
    at = max(s.at for s in spec.shocks)
    assert at == {"venezuela_2026": 0, "iran_war_2026": 1}[name]  # dates counted from 31 Dec 2025
    res = run_scenario(spec, replicates=2, steps=at + 3, executor="serial", quiet=True)
    mf = res.model_frame
    end = mf[mf["step"] == at + 3].set_index(["replicate", "arm"])
    out = "delivered:VEN->CUB" if name == "venezuela_2026" else "capability:IRN"
    assert (end.xs("shock", level="arm")[out] < end.xs("baseline", level="arm")[out]).all()


def test_venezuela_defection_stops_its_oil_to_cuba(w2025):
    from sim.shocks import Defect

    m = AllianceModel(w2025, shocks=(Defect("VEN", at=1, to_bloc="hedging"),), rng=3)
    m.step()
    before = m.delivered("VEN", "CUB", "energy")
    for _ in range(3):
        m.step()
    assert before > 0 and m.delivered("VEN", "CUB", "energy") == 0


def test_every_domestic_commodity_is_named_in_its_source(w2025):
    for a in w2025.actors:
        for c in a.domestic:
            assert c in a.domestic_source, (a.id, c)


# -- found by mypy (issue 14, item 9) ------------------------------------------------------------


def test_changes_lists_a_new_actor_in_the_three_columns_with_its_note():
    # A new actor's row had four cells under three headers, so its note fell off the table.
    import dataclasses as _dc

    from sim.worlds import synthetic

    old = synthetic(5, rng=1)
    extra = _dc.replace(old.actors[0], id="ZZZ", name="Newland", note="joined in 2025")
    new = old.replace(name="later", actors=[*old.actors, extra])
    rows = [line for line in changes(old, new).splitlines() if line.startswith("| `ZZZ`")]
    assert rows == ["| `ZZZ` | new actor | joined in 2025 |"]
