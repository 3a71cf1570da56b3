"""Outcome labels and units, month dates and shock labels: one place for every figure."""

import datetime as dt

import pytest

from sim.labels import month_dates, outcome_label, shock_label
from sim.scenario import OUTCOME_KINDS

NAMES = {"IRN": "Iran", "HEZ": "Hezbollah", "RUS": "Russia"}


@pytest.mark.parametrize(
    ("outcome", "title", "unit_part"),
    [
        ("delivered:IRN->HEZ", "Iran → Hezbollah deliveries", "per month"),
        ("delivered:IRN->HEZ:funding", "Iran → Hezbollah deliveries of funding", "USD million"),
        ("strength:RUS-IRN", "Russia–Iran partnership strength", "0–1"),
        ("capability:HEZ", "Hezbollah: capability", "0–1"),
        ("fulfilment:axis", "axis bloc: need fulfilment", "share"),
        ("cohesion:axis", "axis bloc: cohesion", "initial partnership strength kept"),
        ("collapses", "Collapsed actors", "count"),
    ],
)
def test_outcomes_read_as_words_with_units(outcome, title, unit_part):
    label = outcome_label(outcome, names=NAMES)
    assert label.title == title
    assert unit_part in label.unit
    assert label.axis().startswith(title) and label.unit in label.axis()
    assert ":" not in label.title.replace(": ", "")  # no code ids left


def test_every_outcome_kind_has_a_label_with_a_unit():
    for kind in OUTCOME_KINDS:
        name = kind if kind == "collapses" else f"{kind}:X"
        label = outcome_label(name)
        assert label.unit, kind
        assert label.title != name, kind


def test_unknown_outcomes_keep_their_name_and_wrap():
    label = outcome_label("future_kind:whatever")
    assert (label.title, label.unit) == ("future_kind:whatever", "")
    wrapped = outcome_label("cohesion:axis").axis(wrap=20)
    assert all(len(line) <= 20 for line in wrapped.split("\n"))


def test_month_dates_count_from_as_of_and_clip_to_month_ends():
    days = month_dates(dt.date(2024, 1, 31), [0, 1, 12, 13])
    assert days == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2025, 1, 31),
        dt.date(2025, 2, 28),
    ]
    assert month_dates(None, [0]) is None


def test_shock_labels_name_the_shock_and_its_target():
    assert shock_label({"type": "remove_state", "target": "SYR", "at": 0}) == "remove state: SYR"
    assert shock_label({"type": "random_failure", "fraction": 0.1, "k": None}) == (
        "random failure: fraction = 0.1"
    )
    from sim.shocks import BlockTransit, Restore

    block = BlockTransit("Caspian", at=0)
    assert shock_label(block) == "block transit: Caspian"
    assert shock_label(Restore(block, at=3)) == "restore: block transit: Caspian"
