"""Sphinx configuration of the alliance-sim documentation site (``make docs``).

The sources stay where they are read on GitHub: the source directory is the repository root,
restricted to ``README.md``, ``CHANGELOG.md``, ``docs/`` and ``notebooks/*.ipynb``; this file
is found with ``sphinx-build -c docs``. The build is offline (no intersphinx, no CDN) and
warnings are errors (``-W``).
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import sys
from pathlib import Path

import sphinx.ext.autosummary as autosummary

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
autodoc_default_options = {"show-inheritance": True}  # members: set in the module template
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Every cross-reference must resolve (a renamed function breaks the build, not a link): except
# other packages' names, which cannot link in an offline build (no intersphinx).
nitpicky = True
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(mesa|numpy|scipy|networkx|pyarrow|pyabc|distributed|os|difflib|pathlib)(\..*)?",
    ),
]
templates_path = ["docs/api/_templates"]


def _defined_privately() -> dict[str, list[str]]:
    """Per package, the public names it exports from a private module (``sim.io._common``).

    The package's page documents them (docs/api/_templates/autosummary/module.rst): the private
    module has no page of its own.
    """
    found: dict[str, list[str]] = {}
    packages = ["sim"] + [m.name for m in pkgutil.walk_packages(sim.__path__, "sim.") if m.ispkg]
    for name in packages:
        package = importlib.import_module(name)
        for member in getattr(package, "__all__", ()):
            home = getattr(getattr(package, member), "__module__", None)
            if home and home != name and any(p.startswith("_") for p in home.split(".")):
                found.setdefault(name, []).append(member)
    return found


autosummary_context = {"defined_privately": _defined_privately()}


# Docstrings name things the way users import them (``sim.AllianceModel``,
# ``sim.sensitivity.run_design``, or ``ModelParams`` imported into the module at hand), but the
# reference documents each name once, in the module that defines it (``sim.model.AllianceModel``).
# Without this, such a reference renders as plain text with no link (``sphinx-build -n`` lists
# them); with it, a reference that Sphinx cannot find is looked up as Python would, and linked to
# where the object it names is documented.
def _lookup(path: str) -> tuple[object, str] | None:
    """The object a dotted path names, and its documented (defining) name; None if none."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        name = obj.__name__
        for part in parts[i:]:
            try:
                obj = getattr(obj, part)
            except AttributeError:
                return None
            if inspect.isclass(obj) or inspect.isfunction(obj):
                name = f"{obj.__module__}.{obj.__qualname__}"
            elif inspect.ismodule(obj):
                name = obj.__name__
            else:
                name = f"{name}.{part}"
        return obj, name
    return None


def _documented_as(env, target: str, modname: str | None, clsname: str | None) -> str | None:
    objects = env.get_domain("py").objects
    scopes = [
        f"{modname}.{clsname}." if modname and clsname else "",
        f"{modname}." if modname else "",
    ]
    for candidate in dict.fromkeys(scope + target for scope in [*scopes, ""]):
        if candidate.split(".", 1)[0] != "sim":
            continue
        found = _lookup(candidate)
        if found is None:
            continue
        obj, name = found
        if name in objects:
            return name
        # a constant re-exported by another module: documented under the name it was defined at
        same = [
            key
            for key in objects
            if key.rsplit(".", 1)[-1] == target.rsplit(".", 1)[-1]
            and (got := _lookup(key)) is not None
            and got[0] is obj
        ]
        if len(same) == 1:
            return same[0]
    return None


def _link_reexports(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    name = _documented_as(env, node["reftarget"], node.get("py:module"), node.get("py:class"))
    if name is None or name == node["reftarget"]:
        return None
    return env.get_domain("py").resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], name, node, contnode
    )


def _public_bases(app, name, obj, options, bases):
    """Show a private base class (``sim.world._TieBase``) as its own bases: it has no page."""
    public = []
    for base in bases:
        while getattr(base, "__name__", "").startswith("_") and base.__module__.startswith("sim"):
            base = base.__base__
        if base not in public:
            public.append(base)
    bases[:] = [b for b in public if b is not object] or public


def setup(app):
    app.connect("missing-reference", _link_reexports)
    app.connect("autodoc-process-bases", _public_bases)


# sim.history.hindcast and sim.worlds.synthetic are each a module and the function its package
# re-exports under the module's name. autosummary resolves a dotted name as an attribute first,
# so it wrote a function page for each and the modules (Hindcast, FLOW_FLOOR, log_change...)
# were in no page. A name that is an imported module is taken as the module. (A private function
# of Sphinx 9; if it moves, the build still passes, with those two pages as before.)
_import_by_name = getattr(autosummary, "_import_by_name", None)


def _module_first(name: str, grouped_exception: bool = True):
    module = sys.modules.get(name)
    if inspect.ismodule(module):
        return module, None, name
    return _import_by_name(name, grouped_exception)


if _import_by_name is not None:
    autosummary._import_by_name = _module_first


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
