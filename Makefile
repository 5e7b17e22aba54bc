# zik: `make dev` serves the whole platform locally; `make test` runs every check.
SHELL := bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHECKOV_VENV := .tools/checkov
STAMP := $(VENV)/.installed
UV := $(BIN)/uv
PORT ?= 3000

.PHONY: dev test unit integration e2e lint build bench clean install test-dates dates openapi eval load cost

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Both virtualenvs are filled by uv (pinned in requirements/uv.txt): on a fresh clone it fetches and installs in
# parallel, the main one in about 16 s where pip took 57 s, checkov's in 12 s where pip took 37 s. Sources are
# compiled when first imported, not all of them at install (20 s more). uv trusts the machine's certificate store,
# as pip does here: its own roots fail behind a proxy that re-signs TLS (this machine's, unless SSL_CERT_FILE
# names the store).
export UV_SYSTEM_CERTS := 1
$(UV): requirements/uv.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/uv.txt
	touch $@

$(STAMP): $(UV) requirements/dev.txt layers/shared/requirements.txt layers/vendors/requirements.txt layers/documents/requirements.txt layers/image/requirements.txt layers/vision/requirements.txt pyproject.toml
	$(UV) pip install --quiet --python $(BIN)/python -r requirements/dev.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

$(CHECKOV_VENV)/bin/checkov: requirements/checkov.txt $(UV)
	$(PYTHON) -m venv --without-pip $(CHECKOV_VENV)
	$(UV) pip install --quiet --python $(CHECKOV_VENV)/bin/python -r requirements/checkov.txt
	touch $@

dev: $(STAMP)
	$(BIN)/zik dev --port $(PORT)

# make test: on a fresh clone, the two virtualenvs at once (checkov's, made by lint, was once its longest part);
# lint, unit, dates and integration one after another (each keeps both cores busy); then e2e beside build: e2e
# mostly waits on its `zik dev` servers (a rate limit's window, a queue's consumer), and sam build, about one
# core's work, takes what it leaves. Each one's output is printed whole once it is done; make test fails when any
# target failed. dates stays out of that pair: its two cores' worth would be taken from the servers (niced, it
# waited on whatever else the machine ran, and make test took longer).
test:
	@$(MAKE) --no-print-directory -j2 --output-sync=target $(STAMP) $(CHECKOV_VENV)/bin/checkov
	@$(MAKE) --no-print-directory lint unit dates integration
	@$(MAKE) --no-print-directory -j2 --output-sync=target e2e build

# Each test process (xdist's workers, each moved clock's run, every execution environment of zik dev) imports
# the project's sources: where the environment sets PYTHONDONTWRITEBYTECODE, each of them would compile them
# again, and pytest rewrite the test modules again. The tests keep the compiled files (__pycache__, ignored
# by git), as they do wherever it is not set.
test lint unit dates test-dates integration e2e build: export PYTHONDONTWRITEBYTECODE :=

# The instants that have broken date code somewhere, named relative to today so that they never age
# (tests/conftest.py reads them): a year ahead; New Year's Eve 30 s before midnight at both ends of the
# day (UTC+14, and UTC-11 where UTC is already in the new year) and in UTC (the AI budget's UTC day);
# 30 s before the next spring and autumn DST changes in Paris and in New York; 30 s before the next leap
# day ends. Wall times are in the zone after '@' (UTC without one), which is also where the tests' users
# live. In a moved run every test marked clock starts at the instant, and its body 0.05 s before the edge
# (midnight or the DST change), so each of them meets it, whatever ran before.
DATE_CLOCKS := now+1y \
	next:12-31T23:59:30@Pacific/Kiritimati next:12-31T23:59:30@Pacific/Pago_Pago next:12-31T23:59:30 \
	next-dst-spring@Europe/Paris next-dst-autumn@Europe/Paris \
	next-dst-spring@America/New_York next-dst-autumn@America/New_York \
	next:02-29T23:59:30

# make test: at all nine instants, the tests that read a day from the clock, marked clock in their files: some
# unit modules and tests, and twenty integration tests (see tests/unit/conftest.py and pyproject.toml). Only the
# files that hold one are collected, in one session on two workers, each test once at each instant (--clocks,
# tests/conftest.py): about 280 tests nine times in about 65 s, where nine sessions, three at a time, took 90 s.
CLOCK_TEST_FILES = $(shell grep -l "pytest.mark.clock" tests/unit/test_*.py tests/integration/test_*.py)
dates: $(STAMP)
	$(BIN)/python -m pytest $(CLOCK_TEST_FILES) -q -m clock -n 2 --clocks "$(strip $(DATE_CLOCKS))"

# At all nine instants: every unit and integration test (everything but the e2e suite, a zik dev server in
# other processes), two at a time: about 25 minutes.
test-dates: $(STAMP)
	$(BIN)/python tests/at_clocks.py $(DATE_CLOCKS) -- tests/unit tests/integration -q

# Two workers (the CI machine's cores): each test builds its own stack in moto, so they share nothing.
unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q -n 2

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration -q -n 2


# The e2e tests call a real `zik dev` and mostly wait on it (a rate limit's minute, a queue's consumer): three
# modules at a time on two cores (a module stays on one worker, with its server; beside sam build, three took
# 105 s where two took 154 s). The modules that take it as it starts share one per worker, the others (their own
# parameters, or an admin's changes every user would see) start their own (tests/e2e/conftest.py).
e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e -q -n 3 --dist loadfile

# The template: sam validate, cfn-lint with the serverless rules and ours (lint/cfn_rules: every async source
# ends in an alarmed DLQ, every table has PITR and its access patterns, every function one log group...),
# checkov (skips of every resource of a kind in .checkov.yaml, of one resource in its Metadata, each with
# its reason; --skip-download keeps it offline); the same for the pipeline's bootstrap template. Then the
# workflows (actionlint, with shellcheck on their scripts), the Python (ruff lint and format, mypy).
# They share nothing: two at a time (-j2, the slowest first; checkov's own virtualenv, made on a fresh clone,
# beside the others), each one's output printed whole once it is done (--output-sync), every one run even
# when another failed (-k), and lint fails when any did.
LINTERS := lint-checkov lint-mypy lint-sam lint-cfn lint-pipeline lint-ruff lint-format lint-workflows
.PHONY: $(LINTERS)
lint: $(STAMP)
	@$(MAKE) --no-print-directory -k -j2 --output-sync=target $(LINTERS)

lint-checkov: $(CHECKOV_VENV)/bin/checkov
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --quiet --compact --skip-download --framework cloudformation -f template.yaml -f pipeline/template.yaml

lint-mypy: $(STAMP)
	$(BIN)/mypy

lint-sam: $(STAMP)
	$(BIN)/sam validate --lint --region us-east-1

lint-cfn: $(STAMP)
	$(BIN)/cfn-lint --append-rules cfn_lint_serverless.rules --append-rules lint/cfn_rules -- template.yaml

lint-pipeline: $(STAMP)
	$(BIN)/cfn-lint -- pipeline/template.yaml

lint-ruff: $(STAMP)
	$(BIN)/ruff check .

lint-format: $(STAMP)
	$(BIN)/ruff format --check .

lint-workflows: $(STAMP)
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck -pyflakes=

# sam build says "requirements.txt file not found" for each function: they have none on purpose (what they
# import is in the layers), and an empty one makes sam build run pip for each (3x the CPU, 1.3x the time).
build: $(STAMP)
	set -o pipefail; $(BIN)/sam build --parallel 2>&1 | grep -v 'requirements.txt file not found'
	$(BIN)/python -m pytest tests/build -q

# The API's document, committed: the unit tests fail on a change to the API that is not in it, and list the
# changes that would break a client (tests/unit/test_api_contract.py). Run this to accept them.
openapi: $(STAMP)
	$(BIN)/zik openapi -o docs/openapi.json

bench: $(STAMP)
	$(BIN)/python -m zik_local.bench

# The local cloud under load (issue 18, zik_local/bench_load.py): a fresh zik dev with every function, 1, 10 and 50
# clients for 30 s each, throughput, p50 / p99 per route, errors by status and the memory of its whole process tree
# at idle, at each level's peak and a minute after, next to the targets. About 5 minutes; a missed target exits 0.
# LOAD_ARGS="--clients 1,10 --seconds 20 --json load.json" for a quicker look; --log dev.log keeps zik dev's output.
load: $(STAMP)
	$(BIN)/python -m zik_local.bench_load $(LOAD_ARGS)

# What the platform costs (issue 18, zik_local/cost.py): a stated month of use (zik_local/cost_workload.toml) for a
# handful of users through an embedded cloud, each request's real work counted (Lambda REPORT lines, item sizes for
# DynamoDB units, events, messages, transitions, S3, AI tokens) and priced (zik_local/prices/aws.json) per 1,000
# monthly active users, by service and by feature. About 3 minutes on 2 cores.
cost: $(STAMP)
	$(BIN)/python -m zik_local.cost

# The AI evaluation suite (zik_local/eval): each task's cases through each provider of AI_PROVIDERS alone (local
# when unset), graded by the task's rubric, next to the targets. Not in make test: a vendor costs money (the
# offline rules' targets are held in make unit by tests/unit/test_eval_suite.py).
# EVAL_ARGS="--verbose --json eval.json", then "--baseline eval.json", measure a prompt change before it ships.
eval: $(STAMP)
	PYTHONPATH=layers/shared $(BIN)/python -m zik_local.eval $(EVAL_ARGS)

clean:
	rm -rf .aws-sam .zik
