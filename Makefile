# zik: `make dev` serves the whole platform locally; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHECKOV_VENV := .tools/checkov
STAMP := $(VENV)/.installed
PORT ?= 3000

.PHONY: dev test unit integration e2e lint build bench clean install test-dates dates

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

# The instants that have broken date code somewhere: a year ahead; 30 s before midnight at both ends of
# the day (UTC+14 and UTC-11); 30 s before each DST change in Paris and New York; a leap day; New Year's
# Eve. Wall times are in the zone after '@' (UTC without one), which is also where the tests' users live.
DATE_CLOCKS := now+1y \
	2027-07-14T23:59:30@Pacific/Kiritimati 2027-07-14T23:59:30@Pacific/Pago_Pago \
	2027-03-28T01:59:30@Europe/Paris 2027-10-31T02:59:30@Europe/Paris \
	2027-03-14T01:59:30@America/New_York 2027-11-07T01:59:30@America/New_York \
	2028-02-29T23:59:30 2027-12-31T23:59:30

# make test sweeps three instants, which between them cross a year's end and midnight at both ends of the
# day (New Year's Eve in UTC+14 and in UTC-11, where UTC is already in the new year) and a DST change, all
# three at once (about 4 minutes on 2 cores); make test-dates sweeps all nine.
QUICK_DATE_CLOCKS := 2027-12-31T23:59:30@Pacific/Kiritimati 2027-12-31T23:59:30@Pacific/Pago_Pago \
	2027-03-28T01:59:30@Europe/Paris

# make test: at each quick instant, every unit test and the integration tests that read a day (marked clock).
dates: $(STAMP)
	ZIK_DATES_WORKERS=3 $(BIN)/python tests/at_clocks.py $(QUICK_DATE_CLOCKS) -- tests/unit tests/integration -q -m clock

# At all nine instants: every unit test and the integration tests that read a day (about 8 minutes), then
# everything but the e2e suite (a zik dev server in other processes): about 25 minutes.
test-dates: $(STAMP)
	$(BIN)/python tests/at_clocks.py $(DATE_CLOCKS) -- tests/unit tests/integration -q

# Two workers (the CI machine's cores): each test builds its own stack in moto, so they share nothing.
unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q -n 2

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration -q -n 2


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
