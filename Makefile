# The README's two commands. Both set up this checkout first (scripts/setup): a project .venv,
# nothing to activate, nothing installed outside the checkout but Debian packages for the tests.
#   make run                                  serve SPEC (the 2011 chat) on http://127.0.0.1:8000/
#   make run SPEC=apps/monitor/monitor.yaml ARGS='--port 8001'
#   make test                                 every test (ARGS='-x -k socket' passes options to pytest)
PYTHON ?= python3
SPEC ?= apps/chat/chat.yaml
ARGS ?=
# Tests find the console scripts (rbconfig, rbr-check) and ruff on PATH.
IN_VENV := PATH="$(CURDIR)/.venv/bin:$$PATH"

.PHONY: run test setup setup-test lint bench

run: setup
	.venv/bin/rbconfig run $(SPEC) $(ARGS)

test: setup-test
	$(IN_VENV) .venv/bin/python -m pytest $(ARGS)

setup:
	PYTHON=$(PYTHON) scripts/setup

setup-test:
	PYTHON=$(PYTHON) scripts/setup --test

lint: setup-test
	$(IN_VENV) ruff check . && $(IN_VENV) ruff format --check .

bench: setup-test
	$(IN_VENV) sh -c 'python bench/validate.py && python bench/rbr.py && python bench/http.py && python bench/sockets.py && python bench/cluster.py && python bench/soak.py && python bench/fuzz.py'
