# Two commands a newcomer runs on a fresh machine: `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
LAB     ?= labs/macvlan-modes.yaml

.PHONY: demo test lint venv clean bench bench-sim bench-kernel fuzz fuzz-change fuzz-change6 fuzz-nft oracle test-fullkernel sysdeps

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	@bash tools/demo.sh $(LAB)

# System packages the suite runs for real (apt-get, as root, only what is missing).
sysdeps:
	@bash tools/setup-system.sh

# Every test once: the pure tier (no root) with coverage and its gate (plan/, export/,
# verify/ at 85% or more, tools/coverage_gate.py), then the kernel tier. `coverage run`
# (not --cov): the pytest11 plugin imports vnetlab before pytest-cov would start.
test: sysdeps $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	@mkdir -p out
	$(BIN)/coverage run -m pytest -q -m "not kernel"
	$(BIN)/coverage json -q -o out/coverage.json
	$(BIN)/python tools/coverage_gate.py out/coverage.json
	$(BIN)/pytest -q -m kernel

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

# Every figure of issue #19 as a ratio against its alternative, one table (the
# kernel rows need root: each runs in its own sandbox). bench-sim: cost per cell, 10-5,000 nodes.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_all.py

bench-sim: $(STAMP)
	$(BIN)/python benchmarks/bench_sim.py

bench-kernel: $(STAMP)
	$(BIN)/python benchmarks/bench_kernel.py

# Differential fuzzing against the kernel (root): N random labs, new ones each run.
# CLUSTER=tcp://host:8786 runs them on that Dask cluster instead (see README: workers as root).
N ?= 500
CLUSTER ?=
fuzz: $(STAMP)
ifeq ($(CLUSTER),)
	FUZZ_N=$(N) FUZZ_RANDOM=1 $(BIN)/pytest -q tests/differential/test_fuzz.py -x
else
	FUZZ_N=$(N) FUZZ_RANDOM=1 FUZZ_CLUSTER=$(CLUSTER) $(BIN)/pytest -q tests/differential/test_fuzz_cluster.py -x
endif

# The same with a random change applied in place after the first matrix (N random labs).
fuzz-change: $(STAMP)
	FUZZ_CHANGE_N=$(N) FUZZ_RANDOM=1 $(BIN)/pytest -q tests/differential/test_fuzz_change.py -x

# IPv6 in labs with steps: random dual-stack labs with random IPv6 steps, sim vs kernel per state.
fuzz-change6: $(STAMP)
	FUZZ_CHANGE6_N=$(N) FUZZ_RANDOM=1 $(BIN)/pytest -q tests/differential/test_fuzz_change6.py -x

# Random nftables filter rulesets (the simulated subset) on a two-router lab (N random labs).
fuzz-nft: $(STAMP)
	FUZZ_N=$(N) FUZZ_RANDOM=1 $(BIN)/pytest -q tests/differential/test_fuzz_nft.py -x

# The simulator against itself (no root): every matrix cell equals `trace` of
# that pair, on N random labs from the fuzzer's generator (the suite runs 200).
ORACLE_N ?= 2000
oracle: $(STAMP)
	ORACLE_N=$(ORACLE_N) FUZZ_RANDOM=1 $(BIN)/pytest -q tests/sim/test_oracle_fuzz.py -x

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache out

# The kernel tests this machine's kernel must skip (ipvlan, 802.1Q, …), in a VM
# booting Debian's full kernel (root; QEMU software emulation, several minutes).
test-fullkernel: $(STAMP)
	bash tools/fullkernel.sh
