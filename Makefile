# Two commands for a fresh machine: `make run` and `make test`. Both set up .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test fuzz calibrate lint setup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml hatch_build.py defenses/_socfast.c
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# On a terminal: the TUI on the default scenario. In a pipe (CI, scripts): the comparison table, so it never hangs.
run: $(STAMP)
	@if [ -t 0 ] && [ -t 1 ]; then \
		$(BIN)/tabletop tui espionage-tech; \
	else \
		$(BIN)/tabletop compare espionage-tech --posture baseline --runs 200; \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/ruff check .

# The full calibration: every preset figure against its published source, on every bundled scenario and generated
# organisations of 50, 200 and 1,000 hosts (exit 1 if a figure is out of range on any of them).
calibrate: $(STAMP)
	$(BIN)/tabletop calibrate --all --runs 500

# Longer property-based fuzzing of the engine (FUZZ_EXAMPLES generated scenarios, default 1000).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
