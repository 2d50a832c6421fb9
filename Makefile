# Two commands: `make run` serves the chat UI, `make test` runs the tests.
# Both create .venv and install the pinned dependencies on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test test-fast stress install chromium index eval bench lint clean bytecode

run: $(STAMP) bytecode
	$(PY) -m bot serve

test: $(STAMP) chromium
	$(PY) -m pytest

# The fast tier (about a minute): everything but the tests that load the real model, start a server or drive the browser.
test-fast: $(STAMP)
	$(PY) -m pytest -m "not model and not server and not browser"

# The integrity tests at full size (about 20 minutes): 50 + 200 killed rebuilds, 10,000 + 500 generated
# questions, 50 chat sessions. Each count is an environment variable; `make test` runs small ones.
stress: $(STAMP)
	BOT_KILLS=50 BOT_FAST_KILLS=200 BOT_HYPOTHESIS_EXAMPLES=10000 BOT_HYPOTHESIS_REAL_EXAMPLES=500 BOT_LOAD_SESSIONS=50 \
	$(PY) -m pytest -p no:cacheprovider --hypothesis-show-statistics tests/test_kill.py tests/test_questions.py tests/test_load.py

install: $(STAMP) bytecode

# The bot's own bytecode, compiled ahead (pip does it for installed packages, not for an editable one): a cold start
# then reads it instead of compiling every module, also where PYTHONDONTWRITEBYTECODE keeps Python from caching it.
bytecode: $(STAMP)
	$(PY) -m compileall -q bot app.py

# torch first, pinned: its CPU build is the one served here; an unpinned torch pulls GBs of CUDA.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -c requirements.lock -e ".[dev]"
	touch $@

# The browser tests drive Debian's chromium through Playwright (Playwright's own browser download needs the internet).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } \
	  || { echo "error: the browser tests need Debian's chromium: run 'apt-get install chromium' as root" >&2; exit 1; }

index: $(STAMP)
	$(PY) -m bot index

eval: $(STAMP)
	$(PY) -m bot eval eval/dev.jsonl

# The figures of docs/performance.md: the serving ratios (a minute), then the scale benchmark
# (10k to 1M vectors, 1k and 10k text passages: about 50 minutes on 2 cores), which rewrites docs/scale.png.
bench: $(STAMP) bytecode
	$(PY) -m bot bench
	$(PY) -m bot bench --scale 10k,100k,1M --text 1k,10k

lint: $(STAMP)
	$(PY) -m ruff check bot app.py tests
	$(PY) -m ruff format --check bot app.py tests

clean:
	rm -rf index .pytest_cache
