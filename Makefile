# Sen: two commands on a fresh machine: `make run` and `make test` (README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1
APT_RUN_PACKAGES := gettext libmagic1 ffmpeg poppler-utils tesseract-ocr tesseract-ocr-vie
APT_TEST_PACKAGES := $(APT_RUN_PACKAGES) chromium postgresql fonts-dejavu-core

.PHONY: install install-test system-packages run-packages run worker migrate demo test test-fast \
        lint format migrations-check messages compilemessages i18n-check ci clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-packages node_modules/.package-lock.json

# axe-core and Lighthouse for the public site's browser tests (package.json, pinned by
# package-lock.json). Node.js and npm come with the machine; Debian's are enough where missing.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error

# What `make run` needs from Debian: libmagic (type sniffing), gettext (catalogues),
# ffmpeg (video checks, posters, web copies), poppler (PDF covers and previews),
# tesseract with Vietnamese (state-secret markings in scans and photos).
run-packages:
	@$(MAKE) -s system-packages APT_TEST_PACKAGES="$(APT_RUN_PACKAGES)"

# Debian packages the tests use (browser, video and PDF tools, PostgreSQL, gettext),
# installed only when one is missing.
system-packages:
	@missing=""; for p in $(APT_TEST_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

compilemessages: install run-packages
	SEN_ENV=dev $(PY) manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules -v 0

migrate: install compilemessages
	SEN_ENV=dev $(PY) manage.py migrate --noinput -v 0
	SEN_ENV=dev $(PY) manage.py update_translation_fields -v 0 > /dev/null

demo: migrate
	SEN_ENV=dev $(PY) manage.py load_demo
	SEN_ENV=dev $(PY) manage.py feed_sync -v 0
	SEN_ENV=dev $(PY) manage.py search_rebuild -v 0

run: demo
	SEN_ENV=dev $(PY) manage.py collectstatic --noinput -v 0
	@echo "Sen: http://127.0.0.1:$(PORT)/ · admin: http://127.0.0.1:$(PORT)/admin/"
	SEN_ENV=dev $(PY) manage.py db_worker --no-startup-delay > var/worker.log 2>&1 & \
	  worker=$$!; \
	  ( while sleep 60; do SEN_ENV=dev $(PY) manage.py sen_tick; done ) > var/scheduler.log 2>&1 & \
	  scheduler=$$!; trap "kill $$worker $$scheduler 2>/dev/null" EXIT INT TERM; \
	  SEN_ENV=dev $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

worker: install
	SEN_ENV=dev $(PY) manage.py db_worker

# One pytest-xdist worker per core (`TEST_WORKERS=0 make test` for one process); each
# worker has its own test database and var folder (tests/sen_env.py).
TEST_WORKERS ?= auto
test: install-test compilemessages
	$(PY) -m pytest -n $(TEST_WORKERS)

test-fast: install-test compilemessages
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not e2e"

lint: install-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-test
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Per catalogue and language: translated / total; fails below Sen's thresholds
# (locales/GLOSSARY.md, cms/management/commands/i18n_check.py).
i18n-check: install-test compilemessages
	SEN_ENV=dev $(PY) manage.py i18n_check

migrations-check: install
	SEN_ENV=test $(PY) manage.py makemigrations --check --dry-run --noinput

messages: install
	SEN_ENV=dev $(PY) manage.py makemessages -l vi -l en -l zh_Hans -l ja -l ko -l fr --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=node_modules --no-obsolete

ci: lint migrations-check i18n-check test

clean:
	rm -rf var .pytest_cache
