# Two commands on a fresh machine with Python, git and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: run test install install-dev migrate demo lint ci browser-deps benchmarks screenshots clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

## make run: migrate, load the demo, and start web + worker + scheduler (Ctrl-C stops all).
run: migrate
	$(PY) manage.py runstack --load-demo

## make test: the whole suite (integration tests too when DATABASE_URL/REDIS_URL are set).
test: install-dev
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .

## Debian's chromium and libreoffice plus Playwright and axe, for the browser and office-suite tests.
browser-deps: install-dev
	$(PIP) install --quiet -e ".[dev,browser]"
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@command -v libreoffice >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc)

## The README's pictures of the staff pages, taken in Chromium from the demo.
screenshots: browser-deps
	SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest -q tests/test_browser_staff.py -k screenshots

benchmarks: install-dev
	$(PY) -m benchmarks

clean:
	rm -rf var .pytest_cache
