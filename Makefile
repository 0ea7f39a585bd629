# Glasslab: `make serve` builds the site and serves it; `make test` runs every test.
# Works on a fresh Debian/Ubuntu machine with Python 3.11+ and Node 20+.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
# Pinned third-party files are taken from a mirror folder when one is given
# (MIRROR=DIR or $GLASSLAB_MIRROR; ../shared/mirror if it exists), else downloaded.
# Every file is checked against its pinned sha256 either way.
MIRROR ?= $(or $(GLASSLAB_MIRROR),$(wildcard ../shared/mirror))
MIRROR_ARG := $(if $(MIRROR),--mirror $(MIRROR))

.PHONY: serve test build install chromium lint clean

serve: build
	$(PY) -m glasslab serve dist --port $(PORT)

test: build chromium
	$(PY) -m ruff check py export tests bench
	$(PY) -m pytest

build: install
	$(PY) -m glasslab build --out dist $(MIRROR_ARG)

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "installing Debian's python3-venv"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq python3-venv && \
	  $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Browser tests drive Debian's Chromium; never a downloaded browser.
chromium:
	@if [ -n "$$GLASSLAB_CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then :; \
	else echo "installing Debian's chromium"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; fi

lint: install
	$(PY) -m ruff check py export tests bench
	$(PY) -m ruff format --check py export tests bench

clean:
	rm -rf dist dist.partial .cache
