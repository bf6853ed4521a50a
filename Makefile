# Every target sets up .venv (once, or again when pyproject.toml changes) and then runs.
#   make help       this list
#   make lab        open the course in JupyterLab
#   make test       run every test: unit, property, doctests, notebooks (nbval), browser
#   make notebooks  re-execute every notebook top to bottom and save its outputs
#   make figures    regenerate every picture in fig/
#   make bench      time convlab against PyTorch and SciPy and print the ratios (needs torch in
#                   .venv): bench_core, bench_beyond --passes 3, bench_variants --passes 3,
#                   bench_widgets, bench_learn (bench_classroom and bench_guessing run by hand)
#   make site       build the course's static site into _site/ (open _site/index.html)
#   make answer-key the teacher's printable answer key, answer_key.md (docs/instructors.md)
#   make test-min   the unit tests (no notebooks, no browser) with every declared lower bound
#                   installed, in a venv of their own (.venv-min; needs Python 3.11+)
#   make mutate     mutation testing of arithmetic.py, padding.py, pooling.py (mutmut; a
#                   measure run by hand, not in CI), then the surviving mutants

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.convlab-installed

MIN_VENV ?= .venv-min

.PHONY: help lab test notebooks figures bench site venv clean test-min mutate answer-key

# The list above, printed from this file, so it cannot drift from the targets.
help:
	@awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print } /^$$/ { exit }' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "convlab needs Python 3.10 or newer; run: make PYTHON=python3.12 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,lab,docs]"
	touch $(STAMP)

# JupyterLab refuses to run as root unless told (containers, Binder-like setups).
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_convolutional_networks.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

figures: $(STAMP)
	$(BIN)/python -m convlab.figures

bench: $(STAMP)
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_beyond.py --passes 3
	$(BIN)/python bench/bench_variants.py --passes 3
	$(BIN)/python bench/bench_widgets.py
	$(BIN)/python bench/bench_learn.py

site: $(STAMP)
	$(BIN)/python tools/build_site.py

# The teacher's printable answer key (not committed, not in the package): docs/instructors.md.
answer-key: $(STAMP)
	$(BIN)/python tools/answer_key.py --out answer_key.md

# Each floor's release series (numpy>=1.24 -> numpy==1.24.*), from tools/floors.py, so the
# floors tested are the ones pyproject.toml declares. Fewer hypothesis examples: this run
# is about the old releases, the full search runs in make test.
test-min:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "make test-min needs Python 3.11 or newer (tomllib); run: make PYTHON=python3.11 test-min")'
	test -x $(MIN_VENV)/bin/python || $(PYTHON) -m venv $(MIN_VENV)
	$(PYTHON) tools/floors.py > $(MIN_VENV)/floors.txt
	$(MIN_VENV)/bin/python -m pip install --quiet -c $(MIN_VENV)/floors.txt -e ".[test]"
	HYPOTHESIS_PROFILE=$(if $(filter ci,$(HYPOTHESIS_PROFILE)),ci-quick,quick) $(MIN_VENV)/bin/python -m pytest -p no:cacheprovider tests convlab \
		--ignore=tests/browser --ignore=tests/test_notebooks.py

# Settings in pyproject.toml [tool.mutmut]; mutants/ holds the mutated copies. Each mutant
# runs only the tests that reach the function it mutates, stopping at the first failure;
# 25 examples per property, drawn from a seed fixed per test ('ci-quick'), so every mutant
# meets the same examples and a rerun gives the same verdicts.
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,lab,dev]"
	HYPOTHESIS_PROFILE=ci-quick $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) $(MIN_VENV) mutants .pytest_cache .hypothesis build _site *.egg-info
