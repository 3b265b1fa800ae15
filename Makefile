# The course's two commands (see README.md):
#   make lab    set up the environment and open the course in JupyterLab
#   make test   set up the environment and run every test
# The set-up is idempotent: .venv is rebuilt only when pyproject.toml or constraints.txt change.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The course's small models run fastest, and reproducibly, on one thread.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: lab test test-kernels setup

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[course,test]"
	touch $(STAMP)

# Jupyter refuses to run as root unless told to (containers, CI); LAB_ARGS adds options.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest

# Maintainers: the notebook tests again under other maths kernels (OpenBLAS, PyTorch, MKL),
# against the same stored outputs (README, "Outputs that compare equal on every CPU").
test-kernels: $(STAMP)
	$(BIN)/python tests/kernels.py $(KERNEL_ARGS)
