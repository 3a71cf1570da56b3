"""docs/model.md stays true to the code: its parameter table is ModelParams, field by field."""

import dataclasses
import re
from pathlib import Path

from sim import ModelParams

MODEL_MD = Path(__file__).parents[1] / "docs" / "model.md"


def _table_rows() -> dict[str, list[str]]:
    text = MODEL_MD.read_text(encoding="utf-8")
    section = text[text.index("### 7.4 Parameters") : text.index("### 7.5")]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `(\w+)` \|(.*)\|\s*$", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def test_the_parameter_table_lists_every_field_with_its_default_units_and_range():
    rows = _table_rows()
    fields = dataclasses.fields(ModelParams)
    assert list(rows) == [f.name for f in fields]
    for f in fields:
        units, default, rng = rows[f.name][:3]
        assert units == f.metadata["units"], f.name
        want = f'"{f.default}"' if isinstance(f.default, str) else f"{f.default:g}"
        assert default == want, f.name
        r = f.metadata.get("range")
        assert rng == (f"{r[0]:g}–{r[1]:g}" if r else "–"), f.name


def test_the_docs_name_no_parameter_the_code_does_not_have():
    text = MODEL_MD.read_text(encoding="utf-8")
    names = {f.name for f in dataclasses.fields(ModelParams)}
    quoted = set(re.findall(r"`([a-z]+(?:_[a-z]+)+)`", text))
    params_like = {q for q in quoted if q.endswith(("_rate", "_weight", "_elasticity"))}
    assert params_like <= names, params_like - names
