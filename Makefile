# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON_VERSION := $(shell cat .python-version)
PYENV_PY := $(shell pyenv root 2>/dev/null)/versions/$(shell pyenv latest $(PYTHON_VERSION) 2>/dev/null)/bin/python
BASE_PY := $(firstword $(wildcard $(PYENV_PY)) $(shell command -v python$(PYTHON_VERSION) 2>/dev/null) python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench docs docs-data docs-shocks notebooks browsers clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(BASE_PY) -m venv $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 12), f"Python >= 3.12 needed, got {sys.version}"'
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/alliance-sim demo --out results/demo

test: $(STAMP) browsers
	$(PY) -m pytest -n 2 --dist loadgroup

test-fast: $(STAMP)
	$(PY) -m pytest -n 2 -m "not slow and not browser"

# ruff (rules and formatting), then mypy on sim/ (its settings: [tool.mypy] in pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# The browser tests drive Debian's chromium through Playwright (never `playwright install`);
# sim.app_assets puts the dashboard's browser assets (from npm) where Solara serves them offline.
browsers: $(STAMP)
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else echo "chromium is missing and installing it needs root (sudo apt-get install chromium):"; \
	       echo "the browser tests will be skipped"; fi; }
	$(PY) -m sim.app_assets

# The documentation site, in docs/_build/html: the markdown docs, the notebooks (executed afresh)
# and the API reference from the docstrings, with warnings as errors. Installs the `docs` extra.
# `DOCS_NB_EXECUTION=off make docs` skips running the notebooks (pages without outputs; faster).
DOCS_STAMP := $(VENV)/.docs-installed

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e ".[docs]"
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	rm -rf docs/_build docs/api/generated
	$(PY) -m sphinx -b html -c docs -W --keep-going . docs/_build/html

docs-data: $(STAMP)
	$(PY) -m sim.worlds.docgen > docs/data.md

# The shock-key table in docs/inputs.md is generated from the classes in sim/shocks.py.
docs-shocks: $(STAMP)
	$(PY) -m sim.shockdoc --write docs/inputs.md

# JupyterLab on the example notebooks (installs the `jupyter` extra into .venv first).
notebooks: $(STAMP)
	$(PY) -m pip install --quiet -e ".[jupyter]"
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf $(VENV) results .pytest_cache .mypy_cache docs/_build docs/api/generated
