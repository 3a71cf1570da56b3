"""The test suite mirrors the package: each public module of ``sim`` has its test file, and no test
file or test is named after the history that produced it (see tests/README.md).

The rule: ``sim/<module>.py`` is tested in ``tests/test_<module>.py``; ``sim/<package>/<module>.py``
in ``tests/test_<package>_<module>.py``; ``sim/<package>/__init__.py`` in
``tests/test_<package>.py``. A module's Hypothesis suites may sit beside its file as
``test_<module>_properties.py`` or ``test_<module>_fuzz.py``. Suites about the whole package
rather than one module are the exceptions listed in CROSS_CUTTING, each with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

#: Test files that are about the package as a whole, not one module: why each is one file.
CROSS_CUTTING = {
    "test_bad_inputs": "the catalogue of bad world files, each run through the CLI end to end",
    "test_bad_scenarios": "the catalogue of bad scenario files and run options, end to end",
    "test_crash_safety": "kills and resumes a running ensemble: runner, store and files together",
    "test_docstrings": "walks every module's __all__ for numpydoc sections and examples",
    "test_layout": "this file: the layout of the suite itself",
    "test_no_code_from_inputs": "walks the syntax tree of every module for eval, exec and pickle",
    "test_notebooks": "the example notebooks, run top to bottom",
    "test_readme": "the README's examples, run as written",
}

#: Suffixes of a module's own Hypothesis suites (generated inputs), beside its main file.
SUITE_SUFFIXES = ("_properties", "_fuzz")

#: Words that name where a test came from (a review, an issue, a fix) rather than what it checks.
HISTORY_FILE = re.compile(r"(^|_)(review|fix|fixes|notes|issue|issues|bug|regression)(_|$)|_\d{4}")
HISTORY_TEST = re.compile(r"(^|_)(review|fixes|issue|bug|regression)(_|$)|_(fix|fact|issue)_?\d")


def module_test_stems() -> dict[str, str]:
    """``test_<name>`` -> the module it tests, for every module of ``sim`` (private ones too)."""
    stems = {}
    for path in sorted((ROOT / "sim").rglob("*.py")):
        parts = list(path.relative_to(ROOT / "sim").with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts:  # sim/__init__.py: the package API, tested by every file
            continue
        stem = "test_" + "_".join(p.lstrip("_") for p in parts)
        stems[stem] = "sim/" + "/".join(path.relative_to(ROOT / "sim").parts)
    return stems


def public(module_path: str) -> bool:
    return not any(p.startswith("_") and p != "__init__.py" for p in module_path.split("/"))


def test_every_public_module_has_its_test_file():
    missing = [
        f"{module} -> tests/{stem}.py"
        for stem, module in module_test_stems().items()
        if public(module) and not (TESTS / f"{stem}.py").is_file()
    ]
    assert not missing, "modules without their test file:\n" + "\n".join(missing)


def test_every_test_file_names_a_module_or_is_a_listed_exception():
    stems = module_test_stems()
    stray = []
    for path in sorted(TESTS.glob("test_*.py")):
        stem = path.stem
        base = next((stem[: -len(s)] for s in SUITE_SUFFIXES if stem.endswith(s)), stem)
        if stem not in stems and base not in stems and stem not in CROSS_CUTTING:
            stray.append(path.name)
    assert not stray, (
        f"test files that name no module of sim and are not in CROSS_CUTTING: {stray}; "
        "name the file after the module whose behaviour it checks (tests/README.md)"
    )


def test_the_exceptions_are_real_files_with_their_reasons():
    for stem, reason in CROSS_CUTTING.items():
        assert (TESTS / f"{stem}.py").is_file(), f"{stem} is listed but absent"
        assert stem not in module_test_stems(), f"{stem} names a module: it is not an exception"
        assert len(reason.split()) >= 4, stem


def test_no_test_file_is_named_by_history():
    bad = [p.name for p in TESTS.glob("test_*.py") if HISTORY_FILE.search(p.stem)]
    assert not bad, f"name these after the behaviour or module they check: {bad}"


def test_no_test_is_named_by_history():
    bad = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_test = isinstance(node, ast.FunctionDef) and node.name.startswith("test")
            if is_test and HISTORY_TEST.search(node.name[len("test") :]):
                bad.append(f"{path.name}::{node.name}")
    assert not bad, f"name these test_<what happens>_when_<condition>: {bad}"


def test_the_history_patterns_catch_history_and_spare_behaviour():
    for name in ("test_runner_review", "test_io_fixes", "test_sensitivity_notes",
                 "test_world_2025", "test_issue_14", "test_bug_3"):  # fmt: skip
        assert HISTORY_FILE.search(name), name
    for name in ("test_runner", "test_io_cow", "test_sensitivity_indices", "test_worlds",
                 "test_world_properties", "test_store"):  # fmt: skip
        assert not HISTORY_FILE.search(name), name
    for name in ("_review_fix_3", "_issue_12_exit_day", "_fact4_hubs", "_fix2_resume"):
        assert HISTORY_TEST.search(name), name
    for name in ("_exit_day_counts_fixture", "_dyad_year_file_2018", "_years_past_the_end"):
        assert not HISTORY_TEST.search(name), name
