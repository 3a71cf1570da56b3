"""Sphinx configuration of the alliance-sim documentation site (``make docs``).

The sources stay where they are read on GitHub: the source directory is the repository root,
restricted to ``README.md``, ``CHANGELOG.md``, ``docs/`` and ``notebooks/*.ipynb``; this file
is found with ``sphinx-build -c docs``. The build is offline (no intersphinx, no CDN) and
warnings are errors (``-W``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The notebooks' kernels inherit this environment: without MPLBACKEND they show figures inline.
os.environ.pop("MPLBACKEND", None)

import sim  # noqa: E402

project = "alliance-sim"
author = "alliance-sim developers"
copyright = "alliance-sim developers, MIT licence"
release = version = sim.__version__

root_doc = "docs/index"
include_patterns = ["README.md", "CHANGELOG.md", "docs/**", "notebooks/*.ipynb"]
exclude_patterns = ["docs/_build", "docs/conf.py", "**/.ipynb_checkpoints"]

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
]

# -- API reference: autosummary pages from the docstrings, parsed by numpydoc -------------------
autosummary_generate = True
autosummary_imported_members = False
autosummary_ignore_module_all = True  # list every submodule; automodule keeps to __all__
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autodoc_default_options = {"members": True, "show-inheritance": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
templates_path = ["docs/api/_templates"]

# -- markdown and notebooks (MyST-NB) -----------------------------------------------------------
# Notebooks are committed without outputs; they are executed afresh on every build.
nb_execution_mode = os.environ.get("DOCS_NB_EXECUTION", "force")
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath", "colon_fence"]

# -- output -------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "alliance-sim"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path: list[str] = []
