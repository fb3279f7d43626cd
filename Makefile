# Two entry points: `make demo` (the main job) and `make test` (what CI runs).
# Both create .venv with the machine's python3 (3.11+) if it is missing and install the
# project into it; nothing else needs to be installed beforehand.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AFSIM  := $(BIN)/afsim
RUNS   ?= runs

.PHONY: demo test install calibrate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The main job (about 3 minutes on 2 cores): the free run (200 replicates, the scenario's
# calibrated set) and the forecast from the hold-out's first month (200 particles conditioned
# on the record before it), each scored against baselines with the same information; skill by
# horizon over rolling origins; the registry defaults for comparison; a quick Morris
# screening; the report.
demo: $(STAMP)
	$(AFSIM) validate scenarios/afghanistan_1992_1996
	$(AFSIM) ensemble --replicates 200 --seed 1 --out $(RUNS)/demo --force --quiet
	$(AFSIM) ensemble --replicates 100 --seed 1 --out $(RUNS)/demo-defaults --defaults --force --quiet
	$(AFSIM) score $(RUNS)/demo-defaults > /dev/null
	$(AFSIM) score $(RUNS)/demo
	$(AFSIM) forecast --particles 200 --seed 1 --out $(RUNS)/forecast --force --quiet
	$(AFSIM) score $(RUNS)/forecast
	$(AFSIM) forecast --rolling --particles 50 --seed 1 --out $(RUNS)/horizons --force --quiet
	$(AFSIM) sweep sweeps/morris_demo.yaml --out $(RUNS)/morris --force --quiet
	$(AFSIM) sensitivity $(RUNS)/morris > /dev/null
	$(AFSIM) report $(RUNS)/demo --compare $(RUNS)/demo-defaults --forecast $(RUNS)/forecast \
		--horizons $(RUNS)/horizons --sensitivity $(RUNS)/morris

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Refit the posterior from scratch (ABC-SMC on the calibration window; resumable: run it again
# after an interruption) and save it where the scenario reads it.
calibrate: $(STAMP)
	$(AFSIM) calibrate calibration/spec.yaml --out $(RUNS)/calibration --save scenarios/afghanistan_1992_1996/posterior.yaml

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_run.py
	$(BIN)/python benchmarks/bench_sweep.py

clean:
	rm -rf $(VENV) build *.egg-info
