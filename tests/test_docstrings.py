"""Every public name has a numpydoc docstring with a runnable example.

Each module's ``__all__`` is walked. A function or class defined in the module needs a summary
line, a ``Parameters`` section naming each of its parameters (a class documents its
constructor's), a ``Returns`` (or ``Yields``) section unless it returns ``None`` (or is a
class), and an ``Examples`` section with at least one ``>>>`` line; ``--doctest-modules`` runs
those examples. A constant (a dict, tuple, number...) has no docstring of its own: it needs a
``#:`` comment right above its assignment, which Sphinx's autodoc shows as its description,
and the module's docstring or its own comment shows it in use.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import sim

# Modules other engineers are rewriting now: their docstrings are written by whoever merges.
PENDING: set[str] = set()

# Modules whose examples need an ensemble or a model run: seconds each, not the half second an
# example may take, and the runner, store and model they call are being rewritten.
NEEDS_RUNS: set[str] = set()

_SECTION = re.compile(r"^(?P<title>[A-Z][A-Za-z ]+)\n-{3,}\n", re.MULTILINE)


def _pending(modname: str) -> bool:
    return any(modname == p or modname.startswith(p + ".") for p in PENDING)


def public_modules() -> list[str]:
    """Every module of the package that declares ``__all__``, by dotted name."""
    names = ["sim"]
    for info in pkgutil.walk_packages(sim.__path__, prefix="sim."):
        if info.name.rsplit(".", 1)[-1].startswith("_") or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


def sections(doc: str) -> dict[str, str]:
    """The numpydoc sections of a (dedented) docstring: title -> body."""
    doc = inspect.cleandoc(doc)
    found = list(_SECTION.finditer(doc))
    return {
        m["title"]: doc[m.end() : found[i + 1].start() if i + 1 < len(found) else len(doc)]
        for i, m in enumerate(found)
    }


def _documented_params(body: str) -> set[str]:
    names: set[str] = set()
    for line in body.splitlines():
        if line and not line[0].isspace():
            head = line.split(" : ", 1)[0].rstrip(" :")
            names.update(n.strip().lstrip("*") for n in head.split(","))
    return names


def _signature_params(obj) -> list[str]:
    target = obj.__init__ if inspect.isclass(obj) else obj
    if not inspect.isfunction(target):
        return []  # a constructor inherited from a builtin (an exception's *args): none to name
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in sig.parameters.values()
        if p.name not in ("self", "cls") and not p.name.startswith("_")
    ]


def _returns_something(obj) -> bool:
    try:
        ann = inspect.signature(obj).return_annotation
    except (TypeError, ValueError):
        return True
    return ann not in (None, "None")


def _comment_above(module, name: str) -> bool | None:
    """Whether a ``#:`` comment documents the assignment of `name`; None if it is not assigned."""
    source = Path(module.__file__).read_text().splitlines()
    tree = ast.parse("\n".join(source))
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return node.lineno >= 2 and source[node.lineno - 2].lstrip().startswith("#:")
    return None


def problems_of(modname: str) -> tuple[list[str], dict[str, tuple[bool, bool]]]:
    """What is missing in a module's public docstrings, and per name (sections ok, example ok)."""
    module = importlib.import_module(modname)
    out: list[str] = []
    per_name: dict[str, tuple[bool, bool]] = {}
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)
        if inspect.ismodule(obj):
            continue
        if inspect.isclass(obj) or callable(obj):
            if obj.__module__ != modname:
                continue  # a re-export: checked in the module that defines it
            doc = obj.__doc__ or ""
            secs = sections(doc)
            missing = []
            if not doc.strip():
                missing.append("a docstring")
            titles = [m["title"] for m in _SECTION.finditer(inspect.cleandoc(doc))]
            twice = sorted({t for t in titles if titles.count(t) > 1})
            if twice:
                missing.append(f"each section once, not {twice} twice")
            params = _signature_params(obj)
            if params:
                documented = _documented_params(secs.get("Parameters", "")) | _documented_params(
                    secs.get("Attributes", "")
                )
                if "Parameters" not in secs and not (inspect.isclass(obj) and "Attributes" in secs):
                    missing.append("a Parameters section")
                else:
                    undocumented = [p for p in params if p not in documented]
                    if undocumented:
                        missing.append(f"parameters {undocumented} in Parameters")
            if (
                inspect.isfunction(obj)
                and _returns_something(obj)
                and not ({"Returns", "Yields"} & set(secs))
            ):
                missing.append("a Returns section")
            has_example = ">>>" in secs.get("Examples", "")
            if not has_example:
                missing.append("an Examples section with a >>> line")
            per_name[name] = (not any("Examples" not in m for m in missing), has_example)
            if missing:
                out.append(f"{modname}.{name}: needs {', '.join(missing)}")
        else:
            if name.startswith("__"):
                continue
            ok = _comment_above(module, name)
            if ok is None:
                continue  # a re-export: checked in the module that defines it
            per_name[name] = (ok, ok)
            if not ok:
                out.append(f"{modname}.{name}: needs a #: comment above its assignment")
    return out, per_name


@pytest.mark.parametrize(
    "modname",
    [
        pytest.param(
            m,
            marks=pytest.mark.xfail(
                strict=True, reason="docstrings pending: module under concurrent rewrite"
            ),
        )
        if _pending(m)
        else pytest.param(
            m,
            marks=pytest.mark.xfail(
                strict=True, reason="examples pending: they need a run of code under rewrite"
            ),
        )
        if m in NEEDS_RUNS
        else m
        for m in public_modules()
    ],
)
def test_every_public_name_has_numpydoc_sections_and_an_example(modname):
    problems, _ = problems_of(modname)
    assert not problems, "\n".join(problems)


def test_the_section_parser_reads_numpydoc():
    doc = """Summary.

    Parameters
    ----------
    a, b : int
        Two.
    *args : float

    Returns
    -------
    int

    Examples
    --------
    >>> 1 + 1
    2
    """
    secs = sections(doc)
    assert list(secs) == ["Parameters", "Returns", "Examples"]
    assert problems_of("sim.metrics")[0] == []
    assert _documented_params(secs["Parameters"]) == {"a", "b", "args"}
    assert ">>>" in secs["Examples"]
