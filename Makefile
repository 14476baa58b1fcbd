# ML from Scratch: the one entry point for people, .ci/run and GitHub Actions.
#
#   make book    create .venv, install the pinned dependencies, execute every page, build _build/html
#   make test    unit tests + workflow lint + strict book build + browser tests
#   make serve   preview the built site on http://localhost:$(PORT)
#   make lock    re-derive requirements/constraints.txt and binder/requirements.txt from pyproject.toml
#   make clean   remove build outputs (keeps .venv)

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
BUILD  := _build
PORT   ?= 8000
MATHJAX_VERSION := 3.2.2
# Extra pip arguments, e.g. where torch's CPU wheel lives (GitHub Actions sets this).
PIP_EXTRA_ARGS ?=
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check -q -c requirements/constraints.txt $(PIP_EXTRA_ARGS)
# The build is strict: any warning is an error, broken references are errors, and
# every problem is reported before failing (nb_execution_raise_on_error is in _config.yml).
JB_FLAGS := -W -n --keep-going
# One BLAS thread for pages and tests: small numpy workloads run faster without
# thread hand-offs, and printed numbers do not depend on the machine's core count.
BLAS_ENV := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: book test unit serve lock clean install install-test mathjax browser linkcheck help
.DEFAULT_GOAL := help

help: ## list the targets
	@echo "ML from Scratch: make <target>"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)$$/  \1\t\2/' | expand -t 16

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --upgrade "pip>=24"

# Re-install when the declared or locked dependencies change.
$(VENV)/.book-installed: pyproject.toml requirements/constraints.txt | $(BIN)/python
	$(PIP_INSTALL) -e ".[book]"
	touch $@

$(VENV)/.test-installed: pyproject.toml requirements/constraints.txt $(VENV)/.book-installed
	$(PIP_INSTALL) -e ".[test]"
	touch $@

install: $(VENV)/.book-installed ## create .venv and install the [book] extra (site + everything pages import)
install-test: $(VENV)/.test-installed ## also install the [test] extra (pytest, reference libraries, browser suite)

# MathJax is served by the site itself (no CDN), installed from the npm registry.
mathjax: _static/mathjax/tex-chtml-full.js ## fetch MathJax from the npm registry (once), served by the site itself
_static/mathjax/tex-chtml-full.js:
	@command -v npm >/dev/null || { echo "npm is needed once to fetch MathJax $(MATHJAX_VERSION) from the npm registry; install Node.js (e.g. apt-get install nodejs npm)"; exit 1; }
	rm -rf $(BUILD)/mathjax-pkg && mkdir -p $(BUILD)/mathjax-pkg _static
	cd $(BUILD)/mathjax-pkg && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null && tar xzf mathjax-$(MATHJAX_VERSION).tgz
	rm -rf _static/mathjax && cp -r $(BUILD)/mathjax-pkg/package/es5 _static/mathjax
	rm -rf $(BUILD)/mathjax-pkg

# Pages execute in parallel (one per core, one BLAS thread each) into the execution
# cache; the Sphinx build then reads every page's outputs from the cache. JOBS=1 runs
# them one at a time.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
book: install mathjax ## execute every page (in parallel, JOBS=N) and build the HTML site in _build/html
	$(BIN)/python tools/cache_key.py $(BUILD)
	@start=$$(date +%s); \
	$(BLAS_ENV) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python tools/execute_pages.py --jobs $(JOBS) --build $(BUILD); \
	$(BLAS_ENV) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter-book build . --builder html $(JB_FLAGS); \
	echo "book: built in $$(( $$(date +%s) - start )) s; open $(abspath $(BUILD))/html/index.html or run 'make serve'"

# pytest exits with 5 when it collects no tests; that is not a failure here.
unit: install-test ## unit and platform tests (pytest, no browser)
	$(BLAS_ENV) $(BIN)/python -m pytest -m "not browser" || [ $$? -eq 5 ]

browser: install-test ## browser tests of the built site (headless Chromium)
	$(BIN)/python -m pytest -m browser tests/site || [ $$? -eq 5 ]

test: unit book browser ## everything CI runs: unit tests, strict book build, browser tests

# External links (weekly in GitHub Actions; needs the internet).
linkcheck: install mathjax ## check external links (needs the internet; weekly in GitHub Actions)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter-book build . --builder linkcheck

serve: ## preview the built site on localhost (PORT=8000 by default)
	@test -f $(BUILD)/html/index.html || { echo "No site yet: run 'make book' first."; exit 1; }
	@echo "Serving $(BUILD)/html on http://localhost:$(PORT) (Ctrl-C to stop)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILD)/html

lock: | $(BIN)/python ## re-derive requirements/constraints.txt and binder/requirements.txt from pyproject.toml
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[test]"
	$(BIN)/python tools/lock.py

clean: ## remove build outputs (keeps .venv)
	rm -rf $(BUILD) _static/mathjax
