"""The example notebooks: committed without outputs, in sync with their generator, and each runs
top to bottom (its own asserts check what its prose claims)."""

from __future__ import annotations

import gc
import importlib.util
import os
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = [
    "01_syria_loss",
    "02_failure_vs_attack",
    "03_which_ally_matters",
    "04_history_from_cow",
    "05_hindcasts",
    "06_the_world_now",
]


def _builder():
    path = NOTEBOOKS / "build_notebooks.py"
    spec = importlib.util.spec_from_file_location("build_notebooks", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_notebook_is_built_from_the_generator(tmp_path):
    mod = _builder()
    assert sorted(mod.NOTEBOOKS) == NAMES
    for path in mod.build(tmp_path):
        committed = NOTEBOOKS / path.name
        assert committed.read_text() == path.read_text(), (
            f"{committed.name} differs from notebooks/build_notebooks.py: rebuild it"
        )


@pytest.mark.parametrize("name", NAMES)
def test_notebook_has_no_outputs_and_explains_itself(name):
    import nbformat

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert prose[0].source.startswith(f"# {name[:2]}")
    assert sum(len(c.source.split()) for c in prose) > 150  # it explains, not just computes


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """A kernelspec for this interpreter, so the notebooks run on the venv on a fresh clone."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("kernel")
    install(kernel_name="python3", prefix=str(prefix))
    return {
        "JUPYTER_PATH": str(prefix / "share" / "jupyter"),
        # this checkout's sim, not an installed one
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name, kernel_env, tmp_path, monkeypatch):
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    for k, v in kernel_env.items():
        monkeypatch.setenv(k, v)
    ksm = KernelSpecManager()
    spec = ksm.get_kernel_spec("python3")
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(
        nb,
        timeout=180,
        km=KernelManager(kernel_name="python3", kernel_spec_manager=ksm),
        resources={"metadata": {"path": str(tmp_path)}},
    )
    try:
        client.execute()  # raises CellExecutionError with the cell and traceback on failure
    finally:
        # nbclient leaves its kernel client's zmq sockets to the garbage collector, which
        # warns (ResourceWarning) in whichever test runs next; collect them here, silently.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            del client
            gc.collect()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    images = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert images >= 1, "each notebook shows at least one figure"
