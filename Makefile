# One entry point per job; the README's two set-up commands use these.
.PHONY: install demo test-setup test lint bench

install:
	python3 -m pip install --quiet --disable-pip-version-check -e .

demo: install
	rbconfig run apps/demos/demos.yaml

test-setup:
	scripts/setup-test

test: test-setup
	python3 -m pytest

lint:
	ruff check . && ruff format --check .

bench:
	python3 bench/validate.py && python3 bench/rbr.py && python3 bench/http.py && python3 bench/sockets.py
