"""The README's Python examples run as written (docs stay true)."""

import re
from pathlib import Path

import matplotlib
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


@pytest.mark.slow
def test_readme_python_examples_run(tmp_path, monkeypatch):
    blocks = _python_blocks()
    assert blocks, "the README lost its Python example"
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # nothing the example writes lands in the checkout
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # our own README, not user input
    import matplotlib.pyplot as plt

    plt.close("all")
    model, res = namespace["model"], namespace["res"]
    assert not model.alive("SYR") and model.time == 24
    assert res.summary().loc["strength:RUS-IRN", "difference"] > 0


@pytest.mark.slow
def test_readme_demo_table_is_what_the_demo_prints():
    from sim.runner import run_scenario

    shown = re.search(r"```\n(syria_loss: 20 replicates.*?)```", README.read_text(), re.S)
    assert shown, "the README lost the demo's output"
    printed = run_scenario("syria_loss", executor="serial", quiet=True).format_summary()
    rows = [line for line in printed.splitlines() if not line.startswith("-")]
    for line in shown.group(1).strip().splitlines():
        assert line in rows, f"README row no longer printed by the demo: {line!r}"


def test_readme_scenario_examples_are_valid():
    from sim.scenario import parse_scenario

    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    scenario, patch = blocks[0], blocks[1]
    spec = parse_scenario(scenario + "\n" + patch, origin="README.md", base=README.parent)
    assert spec.name == "syria_loss" and "NIC" not in spec.world
    assert {frozenset(t.ends) for t in spec.world.ties_in("partnership")} >= {
        frozenset(("IRN", "PRK"))
    }
    assert spec.world.actor("SYR").stability == 0.3


# -- the shell commands: pasted in order into a fresh terminal after `make demo` ------------------


def _bash_lines() -> list[str]:
    lines = []
    for block in re.findall(r"```(?:bash|sh)\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        block = re.sub(r"\\\n\s*", " ", block)  # a continued command is one line
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def test_the_venv_is_activated_before_the_first_alliance_sim_command():
    lines = _bash_lines()
    first = next(i for i, line in enumerate(lines) if line.startswith("alliance-sim"))
    assert lines.index("make demo") < first
    assert any(
        line.startswith((". .venv/bin/activate", "source .venv/bin/activate"))
        for line in lines[:first]
    ), "every `alliance-sim` line fails with 'command not found' unless the venv is activated"


def test_every_alliance_sim_line_of_the_readme_parses():
    import shlex

    from sim.cli import _build_parser

    parser = _build_parser()
    commands = [line for line in _bash_lines() if line.startswith("alliance-sim ")]
    assert len(commands) > 15
    for line in commands:
        argv = shlex.split(line)[1:]
        try:
            parser.parse_args(argv)
        except SystemExit as exc:  # argparse's way of refusing a command line (or --version)
            if exc.code not in (0, None):
                raise AssertionError(f"README command does not parse: {line!r}") from exc


def test_results_the_readme_reads_are_written_by_an_earlier_line():
    import shlex

    written: set[str] = set()
    for line in _bash_lines():
        if not line.startswith("alliance-sim "):
            continue
        argv = shlex.split(line)[1:]
        if argv[0] in ("compare", "report"):
            dirs = [a for a in argv[1:] if not a.startswith("-") and not a.endswith(".html")]
            missing = [d for d in dirs if d not in written]
            assert not missing, f"{line!r} reads {missing}, which no earlier README line writes"
        if argv[:2] == ["world", "validate"]:
            assert argv[2] in written, f"{line!r}: no earlier line writes {argv[2]}"
        if "--out" in argv:
            written.add(argv[argv.index("--out") + 1])


def test_readme_prose_numbers_match_its_demo_table():
    """The prose quotes the demo's table (itself checked against the demo by the slow test)."""
    text = README.read_text(encoding="utf-8")
    table = re.search(r"```\n(syria_loss: 20 replicates.*?)```", text, re.S).group(1)
    rows = {line.split()[0]: line.split() for line in table.splitlines()[2:]}

    def ratio(outcome: str) -> float:
        shocked, baseline = float(rows[outcome][1]), float(rows[outcome][2])
        return shocked / baseline

    prose = " ".join(text.split())
    fall = int(re.search(r"deliveries to Hezbollah fall by (\d+)%", prose).group(1))
    assert fall == round(100 * (1 - ratio("delivered:IRN->HEZ")))
    below = int(re.search(r"capability ends (\d+)% below its baseline", prose).group(1))
    assert below == round(100 * (1 - ratio("capability:HEZ")))
    assert "halves" not in prose


def test_the_notebooks_open_with_make_notebooks():
    import tomllib

    root = README.parent
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(d.startswith("jupyterlab") for d in extras["jupyter"])
    makefile = (root / "Makefile").read_text()
    target = makefile.split("\nnotebooks:", 1)[1].split("\n\n", 1)[0]
    assert '".[jupyter]"' in target and "jupyter lab notebooks/" in target
    assert "make notebooks" in README.read_text(encoding="utf-8")
