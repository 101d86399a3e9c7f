# Hotline — the two commands a newcomer needs:
#   make run    install what is needed, build, run the reference server on its demo data
#   make test   install what is needed, build once, run every test
SWIFT      ?= swift
DATA_DIR   ?= hotline-data
HOTLINE     = .build/debug/hotline --data-dir $(DATA_DIR)

.PHONY: deps build run test clean-data

deps:
	./scripts/install-deps.sh

build: deps
	$(SWIFT) build --product hotline

# Every test, the schemathesis run against the API's OpenAPI document included.
test:
	./scripts/install-deps.sh --test-tools
	$(SWIFT) build --build-tests
	HOTLINE_SCHEMATHESIS=1 SCHEMATHESIS=$(CURDIR)/.build/tools/bin/schemathesis $(SWIFT) test --skip-build

# The reference server on 127.0.0.1 (SIP 5060 UDP+TCP). The first start creates the demo in
# $(DATA_DIR): taxpayers, the 12366 flow, prompts, queues and agents 1001–1010. Ctrl-C stops it.
run: build
	$(HOTLINE) serve

clean-data:
	rm -rf $(DATA_DIR)
