# make run        - install what is missing, then start every service (Procfile, honcho)
# make test       - install what is missing, then lint and run every test
# make test-quick - the same without the tests that start processes or a browser (README, "Tests")
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
NODE_STAMP := express_api/node_modules/.installed
CLIENT_STAMP := client/node_modules/.installed
CLIENT_BUILD := client/dist/index.html
# The client is rebuilt when its sources or the contract it is generated from (express_api's document) change.
CLIENT_SOURCES := $(shell find client/src client/scripts express_api/src express_api/openapi -type f -not -name '*.gen.*' 2>/dev/null) \
	client/index.html client/vite.config.ts client/tsconfig.json

.PHONY: run test test-quick install install-test system-deps clean openapi lint lint-layers client-test

# make run: only what the services need (runtime requirements, honcho, npm ci, the built React client)
install: $(RUN_STAMP) $(NODE_STAMP) $(CLIENT_BUILD)
# make test: the same plus the test tools
install-test: install $(TEST_STAMP)

$(NODE_STAMP): express_api/package.json express_api/package-lock.json
	cd express_api && npm ci --no-audit --no-fund
	touch $@

$(CLIENT_STAMP): client/package.json client/package-lock.json
	cd client && npm ci --no-audit --no-fund
	touch $@

# Types generated from express_api's OpenAPI document, type-checked, bundled by Vite into client/dist.
$(CLIENT_BUILD): $(CLIENT_STAMP) $(NODE_STAMP) $(CLIENT_SOURCES)
	cd client && npm run build

# Debian packages the tests start for real; apt-get works as root here.
SYSTEM_PACKAGES := redis-server microsocks tinyproxy chromium
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(RUN_STAMP): requirements.txt requirements-run.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-run.txt
	touch $@

$(TEST_STAMP): $(RUN_STAMP) requirements-dev.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# scripts/start.py fills the environment in from ENV_FILE (.env) beneath what is set, then starts the
# Procfile with honcho; honcho gives the first process (api) PORT (default 5000); the gateway uses GATEWAY_PORT.
run: install
	$(VENV)/bin/python scripts/start.py

# pytest exits 5 when it collected (or kept) no tests: that is a failure here, not a pass.
pytest = @set +e; $(VENV)/bin/pytest $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# Every test: both tiers in one pytest run.
test: install-test system-deps lint client-test
	cd express_api && npm test
	$(call pytest)

# The quick tier: the tests that start no process and no browser (marker `processes`, pytest.ini), in four
# pytest workers (pytest-xdist): they mostly wait on loopback sockets and timeouts, not on the CPU.
test-quick: install-test lint client-test
	cd express_api && npm test
	$(call pytest,-m "not processes" -n 4)

# The client's type check against the contract and its component tests (Vitest, Testing Library).
client-test: $(CLIENT_STAMP) $(NODE_STAMP)
	cd client && npm test

# The layer contract (.importlinter), ruff (ruff.toml) on all the Python, eslint in express_api and the client.
lint: install-test lint-layers $(NODE_STAMP) $(CLIENT_STAMP)
	$(VENV)/bin/ruff check python_service tests bench scripts
	cd express_api && npm run lint
	cd client && npm run lint

# The layer contract (.importlinter): a back-arrow between layers fails the build.
lint-layers: install-test
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache express_api/node_modules client/node_modules client/dist

# express_api forwards python_service's routes, so it serves a copy of its document.
openapi: install
	$(VENV)/bin/python -c "import json; from python_service.routes.openapi import document; \
	json.dump(document(), open('express_api/openapi/python_service.json', 'w'), indent=1, sort_keys=True)"
