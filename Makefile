# The two set-up commands: `make lab` and `make test`. Everything goes into .venv; nothing else is assumed but
# Python 3.11, Node 20 and the package registries (and root, or chromium already installed, for the UI tests).
SHELL := /bin/bash
# As root, a Python 3.11 every account can run, if there is one: the team hub (`make hub`) runs each member under an
# OS account of their own, and a Python under root's home (pyenv's, say) is closed to them. Else the PATH's.
PYTHON ?= $(shell if [ "$$(id -u)" = 0 ]; then for p in $$(command -v python3.11) /usr/bin/python3.11; do \
            runuser -u nobody -- "$$p" -c "import ensurepip" >/dev/null 2>&1 && { echo "$$p"; exit; }; done; fi; \
            command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.maestro-installed
LABEXT := maestro_jupyter/labextension/package.json
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/maestro-jupyter
TS_SOURCES := $(shell find labextension/src labextension/style labextension/schema -type f 2>/dev/null) \
              labextension/package.json labextension/tsconfig.json
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_PORT ?= 8888
# The team hub's proxy, from npm, kept inside .venv (no global install, no lock file with a registry in it).
HUB_PROXY := $(VENV)/hub-proxy/node_modules/.bin/configurable-http-proxy

.PHONY: lab test install build seed lint system-deps jstest pytest bench clean hub hub-deps api-types

lab: install seed
	$(BIN)/jupyter lab $(ROOT_FLAG) --port=$(LAB_PORT) --ServerApp.root_dir=$(CURDIR)

test: install hub-deps system-deps lint jstest pytest

install: $(STAMP) $(LABEXT)

# pip install builds the lab extension (hatch-jupyter-builder runs jlpm) and installs the config that enables the
# server extension. The installed copy of the lab extension is then replaced by a link to the build output, as
# `jupyter labextension develop` would, so that `make build` is live after a browser reload.
$(STAMP): pyproject.toml labextension/package.json labextension/yarn.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# A reinstall would write install.json through the link into the build output, which the wheel then holds twice.
	rm -rf $(LABEXT_LINK) maestro_jupyter/labextension/install.json
	$(BIN)/python -m pip install --quiet -e ".[hub,test,dev,postgres]"
	rm -rf $(LABEXT_LINK) && ln -s $(CURDIR)/maestro_jupyter/labextension $(LABEXT_LINK)
	touch $@

# Rebuild the sidebar when its sources change after the first install.
$(LABEXT): $(TS_SOURCES) | $(STAMP)
	cd labextension && PATH=$(BIN):$$PATH jlpm install && PATH=$(BIN):$$PATH jlpm build:prod
	touch $@

build: $(STAMP)
	cd labextension && PATH=$(BIN):$$PATH jlpm install && PATH=$(BIN):$$PATH jlpm build:prod

# The sidebar's contract: the OpenAPI document the server serves (built from the handlers, no server started) and the
# TypeScript types openapi-typescript generates from it. tests/integration/test_api_types.py fails when they drift.
api-types: | $(STAMP)
	$(BIN)/python -m maestro_jupyter.server.openapi > labextension/openapi.json.tmp || { rm -f labextension/openapi.json.tmp; exit 1; }
	mv labextension/openapi.json.tmp labextension/openapi.json
	cd labextension && PATH=$(BIN):$$PATH jlpm install && PATH=$(BIN):$$PATH jlpm gen:api

# A JupyterHub for a team on this machine (see jupyterhub/jupyterhub_config.py for its MAESTRO_HUB_* settings).
hub: install hub-deps
	$(BIN)/jupyterhub -f jupyterhub/jupyterhub_config.py

hub-deps: $(HUB_PROXY)

$(HUB_PROXY):
	mkdir -p $(VENV)/hub-proxy
	cd $(VENV)/hub-proxy && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
	  configurable-http-proxy@5

seed: install
	$(BIN)/python -m maestro_jupyter.demo

# Debian's Chromium for the browser tests (Playwright may not download its own browser here), Debian's Prometheus
# (with promtool) for the cost queries and the dashboard's PromQL, and Debian's PostgreSQL server for the team path
# (the tests start a private cluster of it; its initdb and postgres live off PATH, in /usr/lib/postgresql/<major>/bin).
SYSTEM_TOOLS := chromium prometheus promtool
POSTGRES_BIN := /usr/lib/postgresql/*/bin
# Noto Sans CJK: the PDF model card typesets Chinese, Japanese and Korean with it (DejaVu has none of them).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
system-deps:
	@missing() { for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null || echo -n " $$tool"; done; \
	  compgen -G '$(POSTGRES_BIN)/initdb' >/dev/null && compgen -G '$(POSTGRES_BIN)/postgres' >/dev/null \
	    || echo -n " postgresql"; test -f $(CJK_FONT) || echo -n " fonts-noto-cjk"; }; \
	absent="$$(missing)"; \
	if [ -z "$$absent" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium prometheus postgresql fonts-noto-cjk >/dev/null; \
	  absent="$$(missing)"; \
	  if [ -n "$$absent" ]; then echo "still missing after apt-get install:$$absent: the tests that need them will be skipped" >&2; fi; \
	else echo "not root and missing:$$absent: the tests that need them will be skipped"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd labextension && PATH=$(BIN):$$PATH jlpm lint:check

# The sidebar's unit tests (jest, jsdom, no network).
jstest: install
	cd labextension && PATH=$(BIN):$$PATH jlpm test

pytest: install
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=25

bench: install hub-deps system-deps
	$(BIN)/python benchmarks/bench_registry_api.py
	$(BIN)/python benchmarks/bench_sidebar.py
	$(BIN)/python benchmarks/bench_cards.py
	$(BIN)/python benchmarks/bench_model_tests.py
	$(BIN)/python benchmarks/bench_compute.py
	$(BIN)/python benchmarks/bench_costs.py
	$(BIN)/python benchmarks/bench_hub.py
	$(BIN)/python benchmarks/bench_transport.py
	$(BIN)/python benchmarks/bench_team.py
	$(BIN)/python benchmarks/bench_runs_ui.py
	$(BIN)/python benchmarks/bench_run_history.py
	$(BIN)/python benchmarks/bench_registry_calls.py
	$(BIN)/python benchmarks/bench_features_store.py

clean:
	rm -rf $(VENV) maestro_jupyter/labextension labextension/node_modules labextension/lib
