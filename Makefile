# Two commands do all set-up on a fresh machine (see README):
#   make run    start the app on the shipped databank
#   make test   install everything (incl. Debian's chromium, postgresql, haproxy) and run the whole test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test check lint bench validate loadtest

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	UV_COMPILE_BYTECODE=1 $(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test: $(BIN)/.installed
	./scripts/ensure-chromium
	./scripts/ensure-services
	$(BIN)/ruff check .
	$(BIN)/python -m tree validate
	$(BIN)/python -m tree docs --check
	npm ci --silent --no-audit --no-fund
	BESLISBOOM_REQUIRE_BROWSER=1 BESLISBOOM_REQUIRE_SERVICES=1 $(BIN)/python -m pytest

# The fast lane while working (about a minute): lint, databank, unit tests and AppTests, a short
# kill test; no browser. `make test` stays the whole suite, and what CI runs.
check: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m tree validate
	$(BIN)/python -m tree docs --check
	BESLISBOOM_KILL_ROUNDS=5 $(BIN)/python -m pytest --ignore=tests/e2e -x -q

lint: $(BIN)/.installed
	$(BIN)/ruff check .

validate: $(BIN)/.installed
	$(BIN)/python -m tree validate

bench: $(BIN)/.installed
	$(BIN)/python -m bench.run

loadtest: $(BIN)/.installed
	$(BIN)/python -m bench.load_room

# The websocket load run (bench/load_ws.py): 200 simulated phones in one room across two app
# replicas behind HAProxy, rooms in PostgreSQL (tools/cluster.py); the run stops after 300 s at most.
# Other sizes or one app: .venv/bin/python -m bench.load_ws --help
.PHONY: loadtest-ws
loadtest-ws: $(BIN)/.installed
	./scripts/ensure-services
	$(BIN)/python -m bench.load_ws --phones 200 --cluster
