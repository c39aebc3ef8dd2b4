# newsetl front door. `make run` and `make test` bootstrap .venv from the lock file.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP  := $(VENV)/.installed
# pytest-xdist workers for `make test`: most long tests wait on processes and servers, so
# more workers than the machine's 2 cores still shorten the suite
TEST_WORKERS ?= 3

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_HOME ?= $(CURDIR)/.prefect
export DO_NOT_TRACK := 1

.PHONY: run test test-fast test-model model model-check lint format lock clean install

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m flows.prefect_api init-db   # Prefect's database, so no run pays for it
	touch $(STAMP)

## run: the nightly flow on the bundled sample into the default warehouse
run: $(STAMP)
	$(BIN)/newsetl run

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

## test-fast: the fast loop (under 30 s): pure and blank-Language tests; no packaged model, flow,
## Prefect, processes, servers or ../shared
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not integration and not model" $(PYTEST_ARGS)

## test-model: the extraction tables on the packaged spaCy model (no flow, no Prefect)
test-model: $(STAMP)
	$(BIN)/python -m pytest -q -m "model and not integration" $(PYTEST_ARGS)

## model: the learned components, from ../shared's CoNLL-2003 and newsetl's annotated news
## (training/data): the recogniser into transforms/model/ner, the entity-kind classifier into
## transforms/model/entity_kinds (training/build.py; fixed seeds, ~35 min on 2 cores)
model: $(STAMP)
	$(BIN)/python -u training/build.py

## model-check: build them again in a temporary folder and compare their hashes with the shipped ones
model-check: $(STAMP)
	$(BIN)/python -u training/build.py --check

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

## lock: re-resolve requirements.lock from pyproject.toml
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --extra train -o requirements.lock --python-version 3.11

clean:
	rm -rf $(VENV) .prefect .pytest_cache
