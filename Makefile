# EIE: make help lists the targets. Every target sets up .venv itself.
PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
SIM    ?= verilator
SEED   ?=
SEEDS  ?= 200
JOBS   ?= 1
ARGS   ?=
N      ?= 200
# make test's pytest workers (pytest-xdist): one per core; TEST_JOBS=0 runs in one process.
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help setup sim demo test regress lint formal coverage mutate bench simspeed synth area cacti asic energy docs clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo "  variables: SIM=icarus|verilator (default verilator), WAVES=1 (FST), ARGS=... (extra pytest args)"

$(VENV)/.installed: requirements.txt pyproject.toml
	@command -v iverilog >/dev/null || { echo "error: iverilog (Icarus Verilog 11) not found; install it with: apt-get install iverilog"; exit 1; }
	@command -v perl >/dev/null || { echo "error: perl not found (Verilator needs it); install it with: apt-get install perl"; exit 1; }
	@command -v c++ >/dev/null || command -v g++ >/dev/null || { echo "error: no C++ compiler (c++ or g++) found (Verilator builds its models with it); install it with: apt-get install g++"; exit 1; }
	@command -v make >/dev/null || { echo "error: make not found on PATH (Verilator builds its models with it); install it with: apt-get install make"; exit 1; }
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { echo "error: $(PYTHON) -m venv does not work (no ensurepip); install it with: apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r requirements.txt
	$(VPY) -m pip install -q --no-deps --no-build-isolation -e .
	@touch $@

setup: $(VENV)/.installed ## create .venv with the pinned tools and the eie package

sim: setup ## pack the default network, run it on the RTL, check against eie ref, print the report
	$(VPY) -m eie demo-sim --sim $(SIM)

demo: setup ## the digits MLP on the RTL, whole test set: accuracy float/eie ref/RTL, cycles, PE use; PNGs in results/demo/
	$(VPY) scripts/digits_demo.py --sim $(SIM) --out results/demo

test: setup ## the whole regression: lint (Icarus, Verilator, Yosys), Python tests, cocotb testbenches (a pytest worker per core; TEST_JOBS=n)
	$(VPY) scripts/lint.py
	$(VPY) -m pytest -n $(TEST_JOBS) --dist worksteal $(ARGS)

regress: setup ## constrained-random scenarios on both simulators: SEEDS=n per simulator (default 200), checked against eie ref
	$(VPY) scripts/regress.py --seeds $(SEEDS) --jobs $(JOBS)

lint: setup ## the RTL and the formal/ wrappers through Icarus -g2012, Verilator --lint-only -Wall and Yosys read_verilog -sv
	$(VPY) scripts/lint.py

formal: setup ## k-induction proofs of eie_fifo, eie_lzc, eie_lnzd_node/tree, eie_axil_slave, eie_bcast_history, eie_arith, eie_spmat_read (SymbiYosys + Boolector, ~5 min): results/formal/summary.md
	$(VPY) scripts/formal.py

coverage: setup ## Verilator line, branch and toggle coverage of tb/ per rtl/ module (ARGS: extra pytest args): results/coverage/
	$(VPY) scripts/code_coverage.py $(if $(ARGS),-- $(ARGS))

mutate: setup ## mutation score: N (default 200, SEED= optional) Yosys mutants of the RTL, each on its unit testbench and whole-core tests (Icarus, all cores, ~N/2 min): results/mutate/summary.md
	$(VPY) scripts/mutate.py -n $(N) $(if $(SEED),--seed $(SEED))

bench: setup ## packer speed; the paper's nine layers on the RTL (N=64) and the cycle model; sweeps, plots in results/bench/
	$(VPY) scripts/bench_packer.py
	$(VPY) -m eie bench --sim $(SIM)

simspeed: setup ## simulator speed: an Alex-7-sized layer on Verilator and Icarus (Icarus takes ~15 min)
	$(VPY) scripts/bench_sim.py --sims verilator,icarus

synth: setup ## eie_core on an ECP5-85k at N = 1,2,4,8 (Yosys + nextpnr, about 40 min): area and Fmax table in results/synth/
	$(VPY) scripts/synth.py

area: setup ## eie_core's ECP5 cells per module at N = 1, 2 and HistoryDepth 16-128 (Yosys only, ~15 min): results/area/
	$(VPY) scripts/area_breakdown.py

cacti: setup ## 45 nm memory energy/area table from CACTI 7 (PyPI source, built with g++), under a minute: python/eie/data/energy_45nm.json
	$(VPY) scripts/cacti_table.py

asic: setup ## one PE, the CCU and an LNZD node on OSU 0.18 um cells (Yosys + OpenSTA, ~2 min): area, NAND2 eq., critical path in results/asic/
	$(VPY) scripts/asic_area.py

energy: setup ## the energy model against the paper on Alex-7 at 64 PEs, 800 MHz (cycle model, a few seconds): results/energy/
	@mkdir -p results/energy
	$(VPY) scripts/energy_validate.py --json results/energy/validate.json

docs: setup ## re-render the timing diagrams of doc/integration.md: doc/wavedrom/*.json to SVG (yowasp-wavedrom)
	$(VPY) scripts/render_wavedrom.py

clean: ## remove build products (keeps .venv)
	rm -rf sim_build tb/sim_build build .pytest_cache results.xml
	find . -name __pycache__ -not -path './$(VENV)/*' -exec rm -rf {} +
