# The README's two commands are `make run` and `make test`; both set up the environment first.
PY ?= $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' 2>/dev/null && echo python3.12 || (command -v python3.13 >/dev/null 2>&1 && python3.13 -c 'import sys' 2>/dev/null && echo python3.13))
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= scenarios/baseline.yaml
ARGS ?=

.PHONY: run test browser viz bench lint format golden docs clean validation

$(BIN)/cogov: pyproject.toml
	@if [ -z "$(PY)" ]; then echo "error: Python 3.12 or newer is needed (python3.12 not found). Install it, e.g. 'pyenv install 3.12' or your system's python3.12 package." >&2; exit 2; fi
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(BIN)/cogov

run: $(BIN)/cogov  ## run the default scenario, write results/baseline/
	$(BIN)/cogov run $(SCENARIO) $(ARGS)

test: $(BIN)/cogov browser  ## lint, format check and the whole test suite (installs Chromium when missing)
	$(BIN)/ruff check cogov_sim tests benchmarks
	$(BIN)/ruff format --check cogov_sim tests benchmarks
	$(BIN)/python -m pytest $(ARGS)

browser:  ## Chromium for the browser test: installed from Debian when missing (as root), else one line saying what to do
	@tools/need-chromium

viz: $(BIN)/cogov  ## serve the browser app on 127.0.0.1:8765
	$(BIN)/cogov viz $(ARGS)

bench: $(BIN)/cogov  ## speed and scaling measurements
	$(BIN)/python benchmarks/bench_model.py $(ARGS)
bench-sweep: $(BIN)/cogov ; $(BIN)/python benchmarks/bench_sweep.py $(ARGS)

lint: $(BIN)/cogov
	$(BIN)/ruff check cogov_sim tests benchmarks

format: $(BIN)/cogov
	$(BIN)/ruff format cogov_sim tests benchmarks
	$(BIN)/ruff check --fix cogov_sim tests benchmarks

golden: $(BIN)/cogov  ## regenerate tests/golden/baseline_summary.json after an intended model change
	$(BIN)/python -m tests.golden regenerate

clean:
	rm -rf $(VENV) results build *.egg-info

docs: $(BIN)/cogov  ## refresh the generated parameter table in docs/MODEL.md
	$(BIN)/python -c "import re, pathlib; from cogov_sim.scenario import parameter_table; p = pathlib.Path('docs/MODEL.md'); s = p.read_text(); a, b = '<!-- parameter-table:start -->\n', '<!-- parameter-table:end -->'; p.write_text(s.split(a)[0] + a + parameter_table() + b + s.split(b)[1])"

validation: $(BIN)/cogov  ## regenerate docs/validation.md: the default parameters' scorecard against targets/evidence.yaml (5 seeds)
	$(BIN)/cogov check targets/evidence.yaml --seeds 5 --out results/validation --doc docs/validation.md --quiet $(ARGS)
