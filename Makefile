# The course's two commands (see README.md):
#   make lab    set up the environment and open the course in JupyterLab
#   make test   set up the environment and run every test
# and for its website:
#   make site   build the lectures as a static website in _build/site/ (open index.html)
# The set-up is idempotent: .venv is rebuilt only when pyproject.toml or constraints.txt change;
# the website's tools (the `site` extra) are added by the first `make site` or `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SITE_STAMP := $(VENV)/.installed-site
# The course's small models run fastest, and reproducibly, on one thread.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: lab test test-kernels setup site

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[course,test]"
	touch $(STAMP)

# Sphinx and MyST-NB, on top of the course's environment (re-added whenever that is rebuilt).
$(SITE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[course,test,site]"
	touch $(SITE_STAMP)

# Jupyter refuses to run as root unless told to (containers, CI); LAB_ARGS adds options.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(ROOT_FLAG) $(LAB_ARGS)

# The tests build the website too (tests/test_site.py), hence its tools.
test: $(SITE_STAMP)
	$(BIN)/python -m pytest

# The lectures as stored (nothing is executed), rendered by Sphinx; see site/.
site: $(SITE_STAMP)
	$(BIN)/python site/build.py

# Maintainers: the notebook tests again under other maths kernels (OpenBLAS, PyTorch, MKL),
# against the same stored outputs (README, "Outputs that compare equal on every CPU").
test-kernels: $(STAMP)
	$(BIN)/python tests/kernels.py $(KERNEL_ARGS)
