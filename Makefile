# The two set-up commands: `make lab` and `make test`. Everything goes into .venv; nothing else is assumed but
# Python 3.11, Node 20 and the package registries (and root, or chromium already installed, for the UI tests).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.maestro-installed
LABEXT := maestro_jupyter/labextension/package.json
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/maestro-jupyter
TS_SOURCES := $(shell find labextension/src labextension/style labextension/schema -type f 2>/dev/null) \
              labextension/package.json labextension/tsconfig.json
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_PORT ?= 8888

.PHONY: lab test install build seed lint system-deps jstest pytest bench clean

lab: install seed
	$(BIN)/jupyter lab $(ROOT_FLAG) --port=$(LAB_PORT) --ServerApp.root_dir=$(CURDIR)

test: install system-deps lint jstest pytest

install: $(STAMP) $(LABEXT)

# pip install builds the lab extension (hatch-jupyter-builder runs jlpm) and installs the config that enables the
# server extension. The installed copy of the lab extension is then replaced by a link to the build output, as
# `jupyter labextension develop` would, so that `make build` is live after a browser reload.
$(STAMP): pyproject.toml labextension/package.json labextension/yarn.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	rm -rf $(LABEXT_LINK) && ln -s $(CURDIR)/maestro_jupyter/labextension $(LABEXT_LINK)
	touch $@

# Rebuild the sidebar when its sources change after the first install.
$(LABEXT): $(TS_SOURCES) | $(STAMP)
	cd labextension && PATH=$(BIN):$$PATH jlpm install && PATH=$(BIN):$$PATH jlpm build:prod
	touch $@

build: $(STAMP)
	cd labextension && PATH=$(BIN):$$PATH jlpm install && PATH=$(BIN):$$PATH jlpm build:prod

seed: install
	$(BIN)/python -m maestro_jupyter.demo

# Debian's Chromium for the browser tests (Playwright may not download its own browser here) and Debian's Prometheus
# (with promtool) for the cost queries and the dashboard's PromQL.
SYSTEM_TOOLS := chromium prometheus promtool
system-deps:
	@missing=""; for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium prometheus >/dev/null; \
	else echo "not root and missing:$$missing: the tests that need them will be skipped"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd labextension && PATH=$(BIN):$$PATH jlpm lint:check

# The sidebar's unit tests (jest, jsdom, no network).
jstest: install
	cd labextension && PATH=$(BIN):$$PATH jlpm test

pytest: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install system-deps
	$(BIN)/python benchmarks/bench_registry_api.py
	$(BIN)/python benchmarks/bench_sidebar.py
	$(BIN)/python benchmarks/bench_cards.py
	$(BIN)/python benchmarks/bench_model_tests.py
	$(BIN)/python benchmarks/bench_compute.py
	$(BIN)/python benchmarks/bench_costs.py

clean:
	rm -rf $(VENV) maestro_jupyter/labextension labextension/node_modules labextension/lib
