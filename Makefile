# Thin wrappers; the real work is in tools/ and the project88 package.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test test-openwebui unit lint bench clean

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

## A real Open WebUI (the role's pinned release) in front of the NL service, in chromium.
## Its own target: the venv (var/open-webui/venv) is ~3 GB and takes ~2 minutes to install;
## once it exists, `make test` runs this test too.
OPEN_WEBUI_VENV ?= var/open-webui/venv
test-openwebui: $(VENV)/.test-deps
	P88_OPEN_WEBUI_VENV=$(OPEN_WEBUI_VENV) tools/open_webui_venv.sh
	P88_OPEN_WEBUI=1 P88_OPEN_WEBUI_VENV=$(abspath $(OPEN_WEBUI_VENV)) \
		$(VENV)/bin/pytest tests/e2e/test_open_webui.py

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
	$(PY) bench/provider_sync.py

## Score the NL service on the independent question set (tests/nlq_eval/README.md).
.PHONY: nlq-eval
nlq-eval: $(VENV)/.installed
	$(PY) bench/nlq_eval.py $(NLQ_EVAL_ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info
