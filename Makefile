# Every target sets up .venv (once, or again when pyproject.toml changes) and then runs.
#   make lab        open the course in JupyterLab
#   make test       run every test: unit, property, doctests, notebooks (nbval), browser
#   make notebooks  re-execute every notebook top to bottom and save its outputs
#   make figures    regenerate every picture in fig/
#   make bench      time convlab against PyTorch and SciPy (needs torch installed in .venv)
#   make site       build the course's static site into _site/ (open _site/index.html)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.convlab-installed

.PHONY: lab test notebooks figures bench site venv clean

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

site: $(STAMP)
	$(BIN)/python tools/build_site.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build _site *.egg-info
