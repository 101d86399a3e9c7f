# Hotline — the two commands a newcomer needs:
#   make run    install what is needed, build, create demo data, run the reference demo
#   make test   install what is needed, build once, run every test
SWIFT      ?= swift
DATA_DIR   ?= hotline-data
HOTLINE     = .build/debug/hotline --data-dir $(DATA_DIR)

.PHONY: deps build run test bench clean-data

deps:
	./scripts/install-deps.sh

build: deps
	$(SWIFT) build --product hotline

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

run: build
	./scripts/demo.sh $(DATA_DIR)

clean-data:
	rm -rf $(DATA_DIR)
