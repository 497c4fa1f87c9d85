# The two commands: `make run` starts the whole platform locally; `make test` runs every test.
# Both create .venv and install what they need, and start PostgreSQL and RabbitMQ if stopped.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed
SOURCES := $(wildcard contracts/pyproject.toml libs/*/pyproject.toml services/*/pyproject.toml tools/pyproject.toml) requirements-dev.txt

.PHONY: run test bench lint venv infra contracts i18n clean

$(STAMP): $(SOURCES)
	./scripts/bootstrap.sh
	@touch $(STAMP)

venv: $(STAMP)

infra:
	@./scripts/infra.sh

run: venv infra
	$(VENV)/bin/python -m aww_devtools.run

test: venv infra
	@./scripts/debian-deps.sh chromium "the browser tests" chromium chromium-driver
	./scripts/test.sh $(ARGS)

bench: venv infra
	@./scripts/debian-deps.sh wrk "the benchmarks" wrk
	$(VENV)/bin/python bench/run_all.py

lint: venv
	$(VENV)/bin/ruff check .

# regenerate contracts/asyncapi.yaml from the event schemas
contracts: venv
	$(VENV)/bin/python -m aww_contracts.catalogue > contracts/asyncapi.yaml

# refresh the gateway's translation catalogues and list missing translations
i18n: venv
	cd services/gateway && ../../$(VENV)/bin/python -m aww_gateway.catalogues update

clean:
	rm -rf $(VENV) var .pytest_cache
