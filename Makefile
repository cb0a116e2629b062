# Thin wrappers; the real work is in tools/ and the project88 package.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test unit lint bench clean

$(VENV)/.installed: pyproject.toml tools/bootstrap.sh
	VENV=$(VENV) tools/bootstrap.sh

## Run the whole system locally: throwaway PostgreSQL, the daemons, a simulated race.
demo: $(VENV)/.installed
	$(PY) -m project88.devstack

# The tests also need Debian's chromium, apache2, debootstrap and systemd-nspawn (bootstrap --test).
$(VENV)/.test-deps: pyproject.toml tools/bootstrap.sh
	VENV=$(VENV) tools/bootstrap.sh --test

## Run every test (lint included).
test: $(VENV)/.test-deps lint
	$(VENV)/bin/pytest

unit: $(VENV)/.installed
	$(VENV)/bin/pytest tests/unit

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	cd ansible && PATH=$(abspath $(VENV))/bin:$$PATH yamllint --strict . \
		&& PATH=$(abspath $(VENV))/bin:$$PATH ansible-lint --profile production

## Benchmarks print their figures next to an in-run baseline.
bench: $(VENV)/.installed
	$(PY) bench/ingest.py
	$(PY) bench/display.py
	$(PY) bench/archive.py
	$(PY) bench/nlq.py

clean:
	rm -rf $(VENV) var build *.egg-info
