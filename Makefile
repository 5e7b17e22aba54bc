# zik: `make dev` serves the whole platform locally; `make test` runs every check.
SHELL := bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHECKOV_VENV := .tools/checkov
STAMP := $(VENV)/.installed
PORT ?= 3000

.PHONY: dev test unit integration e2e lint build bench clean install test-dates dates openapi eval load cost

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements/dev.txt layers/shared/requirements.txt layers/vendors/requirements.txt layers/documents/requirements.txt layers/image/requirements.txt layers/vision/requirements.txt pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

$(CHECKOV_VENV)/bin/checkov: requirements/checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/checkov.txt
	touch $@

dev: $(STAMP)
	$(BIN)/zik dev --port $(PORT)

test: lint unit dates integration build e2e

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

# make test: at all nine instants, three at a time (three rounds on 2 cores), the tests that read a day from
# the clock, marked clock in their files: some unit modules and tests, and twenty integration tests (see
# tests/unit/conftest.py and pyproject.toml). Only the files that hold one are collected.
CLOCK_TEST_FILES = $(shell grep -l "pytest.mark.clock" tests/unit/test_*.py tests/integration/test_*.py)
dates: $(STAMP)
	ZIK_DATES_WORKERS=3 $(BIN)/python tests/at_clocks.py $(DATE_CLOCKS) -- $(CLOCK_TEST_FILES) -q -m clock

# At all nine instants: every unit and integration test (everything but the e2e suite, a zik dev server in
# other processes), two at a time: about 25 minutes.
test-dates: $(STAMP)
	$(BIN)/python tests/at_clocks.py $(DATE_CLOCKS) -- tests/unit tests/integration -q

# Two workers (the CI machine's cores): each test builds its own stack in moto, so they share nothing.
unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q -n 2

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration -q -n 2


# Each e2e module starts a `zik dev` of its own and mostly waits on it: two modules at a time (a module
# stays on one worker, with its server).
e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e -q -n 2 --dist loadfile

# The template: sam validate, cfn-lint with the serverless rules and ours (lint/cfn_rules: every async source
# ends in an alarmed DLQ, every table has PITR and its access patterns, every function one log group...),
# checkov (skips of every resource of a kind in .checkov.yaml, of one resource in its Metadata, each with
# its reason; --skip-download keeps it offline); the same for the pipeline's bootstrap template. Then the
# workflows (actionlint, with shellcheck on their scripts), the Python (ruff lint and format, mypy).
lint: $(STAMP) $(CHECKOV_VENV)/bin/checkov
	$(BIN)/sam validate --lint --region us-east-1
	$(BIN)/cfn-lint --append-rules cfn_lint_serverless.rules --append-rules lint/cfn_rules -- template.yaml
	$(BIN)/cfn-lint -- pipeline/template.yaml
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --quiet --compact --skip-download --framework cloudformation -f template.yaml -f pipeline/template.yaml
	$(BIN)/actionlint -shellcheck $(BIN)/shellcheck -pyflakes=
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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
# LOAD_ARGS="--clients 1,10 --seconds 20 --json load.json" for a quicker look.
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
