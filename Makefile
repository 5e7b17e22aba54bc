# zik: `make dev` serves the whole platform locally; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHECKOV_VENV := .tools/checkov
STAMP := $(VENV)/.installed
PORT ?= 3000

.PHONY: dev test unit integration e2e lint build bench clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements/dev.txt layers/shared/requirements.txt pyproject.toml
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

test: lint unit integration build e2e

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration -q

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e -q

# checkov exits non-zero on any failed check (its skips live in template.yaml, each with a reason);
# --skip-download keeps it offline. It would pass a template it cannot parse, but sam validate and
# cfn-lint have failed on that first.
lint: $(STAMP) $(CHECKOV_VENV)/bin/checkov
	$(BIN)/sam validate --lint --region us-east-1
	$(BIN)/cfn-lint --append-rules cfn_lint_serverless.rules -- template.yaml
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation -f template.yaml

build: $(STAMP)
	$(BIN)/sam build --parallel
	$(BIN)/python -m pytest tests/build -q

bench: $(STAMP)
	$(BIN)/python -m zik_local.bench

clean:
	rm -rf .aws-sam .zik
