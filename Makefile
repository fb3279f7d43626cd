# Two entry points: `make demo` (the main job) and `make test` (what CI runs).
# Both create .venv with the machine's python3 (3.11+) if it is missing and install the
# project into it; nothing else needs to be installed beforehand.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AFSIM  := $(BIN)/afsim
RUNS   ?= runs

.PHONY: demo later-wars test install calibrate bench clean

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
# screening; the report; then the later wars (below) and the figures the issues set as targets.
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
	$(MAKE) --no-print-directory later-wars
	$(BIN)/python tools/targets.py --runs $(RUNS)

# The later wars on the 1992-96 posterior, unrefitted (a test out of period): each scenario's
# free run and forecast with a report, and the 1992-96 run continued to 2001-08 scored against
# the 1996-2001 record.
later-wars: $(STAMP)
	$(AFSIM) ensemble scenarios/united_front_1996_2001 --replicates 100 --seed 1 --out $(RUNS)/united_front --force --quiet
	$(AFSIM) score $(RUNS)/united_front > /dev/null
	$(AFSIM) forecast scenarios/united_front_1996_2001 --particles 100 --seed 1 --out $(RUNS)/united_front-forecast --force --quiet
	$(AFSIM) score $(RUNS)/united_front-forecast > /dev/null
	$(AFSIM) report $(RUNS)/united_front --forecast $(RUNS)/united_front-forecast
	$(AFSIM) ensemble scenarios/resistance_2021_2022 --replicates 100 --seed 1 --out $(RUNS)/resistance --force --quiet
	$(AFSIM) score $(RUNS)/resistance > /dev/null
	$(AFSIM) forecast scenarios/resistance_2021_2022 --particles 100 --seed 1 --out $(RUNS)/resistance-forecast --force --quiet
	$(AFSIM) score $(RUNS)/resistance-forecast > /dev/null
	$(AFSIM) report $(RUNS)/resistance --forecast $(RUNS)/resistance-forecast
	$(AFSIM) ensemble --replicates 100 --seed 1 --end 2001-08 --out $(RUNS)/demo-to-2001 --force --quiet
	$(AFSIM) score $(RUNS)/demo-to-2001 --against scenarios/united_front_1996_2001 > /dev/null

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Refit the posterior from scratch (ABC-SMC on the calibration window, both cores; resumable:
# run it again after an interruption) and save it where the scenario reads it.
# The later wars run on the same posterior, unrefitted: copies, checked identical by the tests.
calibrate: $(STAMP)
	$(AFSIM) calibrate calibration/spec.yaml --out $(RUNS)/calibration --workers 2 --save scenarios/afghanistan_1992_1996/posterior.yaml
	for s in united_front_1996_2001 resistance_2021_2022; do cp scenarios/afghanistan_1992_1996/posterior.yaml scenarios/$$s/; done

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_run.py
	$(BIN)/python benchmarks/bench_sweep.py

clean:
	rm -rf $(VENV) build *.egg-info
