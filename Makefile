# Two commands: `make run` serves the chat UI, `make test` runs the tests.
# Both create .venv and install the pinned dependencies on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test install index eval lint clean

run: $(STAMP)
	$(PY) -m bot serve

test: $(STAMP)
	$(PY) -m pytest

install: $(STAMP)

# torch first, pinned: its CPU build is the one served here; an unpinned torch pulls GBs of CUDA.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -c requirements.lock -e ".[dev]"
	touch $@

index: $(STAMP)
	$(PY) -m bot index

eval: $(STAMP)
	$(PY) -m bot eval eval/dev.jsonl

lint: $(STAMP)
	$(PY) -m ruff check bot app.py tests

clean:
	rm -rf index .pytest_cache
