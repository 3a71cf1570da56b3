"""docs/inputs.md lists every shock's keys, generated from sim/shocks.py and kept fresh."""

import dataclasses
from pathlib import Path

import pytest

from sim.scenario import parse_scenario
from sim.shockdoc import BEGIN, END, EXAMPLES, field_docs, render, shock_examples_toml, splice
from sim.shocks import SHOCKS

PAGE = Path(__file__).resolve().parents[1] / "docs" / "inputs.md"


def test_the_shock_table_in_docs_inputs_is_current():
    page = PAGE.read_text(encoding="utf-8")
    assert BEGIN in page and END in page, "docs/inputs.md lost its shock-keys markers"
    assert splice(page, render()) == page, "docs/inputs.md is stale: run `make docs-shocks`"


@pytest.mark.parametrize("name", list(SHOCKS))
def test_every_field_of_every_shock_is_documented_and_listed(name):
    cls = SHOCKS[name]
    docs = field_docs(cls)
    fields = [f.name for f in dataclasses.fields(cls) if f.init]
    assert set(docs) == set(fields), f"{cls.__name__}'s Parameters section and fields differ"
    assert all(docs[f] for f in fields)
    table = render({name: cls})
    for f in fields:
        assert f"| `{f}` |" in table


@pytest.mark.parametrize("name", list(SHOCKS))
def test_every_example_is_a_valid_shock_on_the_default_world(name):
    assert set(EXAMPLES) == set(SHOCKS)
    text = '[scenario]\nname = "example"\nworld = "axis-2024"\nsteps = 24\n\n'
    spec = parse_scenario(text + shock_examples_toml(name))
    assert type(spec.shocks[-1]) is SHOCKS[name]
    spec.check_runnable()  # the model accepts it too


def test_defaults_and_types_read_as_a_scenario_file_spells_them():
    table = render({"remove_state": SHOCKS["remove_state"]})
    assert '| `fate` | `"removed"` \\| `"defected"` \\| `"neutral"` | `"removed"` |' in table
    assert "| `target` | string | required |" in table
    assert "or a date" in table
    cut = render({"cut_tie": SHOCKS["cut_tie"]})
    assert "| `target` | array of 2 strings | required |" in cut
