"""No code is ever executed from an input file: the package never evaluates or unpickles.

Inputs are TOML, JSON, CSV and Parquet only. This test walks the syntax tree of every module in
``sim/`` and fails on the constructs that can run code hidden in data: ``eval``, ``exec``,
``compile``, ``__import__``, importing ``pickle``/``marshal``/``shelve``/``dill``/``yaml``,
``pandas.read_pickle`` and ``numpy.load(..., allow_pickle=True)``. See docs/inputs.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "read_pickle", "import_module"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "yaml"}


def _fixed_package(call: ast.Call) -> bool:
    """``import_module("SALib.sample")`` or ``import_module(f"SALib.{part}")``: the package is
    fixed in the code (an optional dependency), so no input can name what gets imported."""
    if not call.args:
        return False
    arg = call.args[0]
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, str)
    if isinstance(arg, ast.JoinedStr) and arg.values:
        head = arg.values[0]
        return isinstance(head, ast.Constant) and "." in str(head.value)
    return False


def _offences(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            # compile is only the builtin; re.compile is harmless
            if name in FORBIDDEN_CALLS and not (
                (name == "compile" and isinstance(f, ast.Attribute))
                or (name == "import_module" and _fixed_package(node))
            ):
                found.append(f"line {node.lineno}: call to {name}()")
            for kw in node.keywords:
                if kw.arg == "allow_pickle" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    found.append(f"line {node.lineno}: allow_pickle")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for m in mods:
                if m and m.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"line {node.lineno}: import {m}")
    return found


@pytest.mark.parametrize("path", sorted(SIM.rglob("*.py")), ids=lambda p: str(p.relative_to(SIM)))
def test_module_never_executes_code_from_data(path):
    assert _offences(path.read_text(encoding="utf-8")) == []


def test_the_checker_catches_what_it_should():
    bad = "import pickle\nfrom yaml import load\neval(x)\nnp.load(f, allow_pickle=True)\n"
    assert len(_offences(bad)) == 4
    assert _offences("np.load(f, allow_pickle=False)\nx = 'eval(1)'\nre.compile('a')\n") == []
    assert len(_offences("compile(src, 'f', 'exec')\ndf.eval(expr)\nimport_module(name)\n")) == 3
    assert _offences("importlib.import_module(f'SALib.{m}')\n") == []
