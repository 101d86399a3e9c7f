#!/usr/bin/env bash
# Fuzz the HTTP API with schemathesis (PyPI) against /openapi.json of a live instance.
#
# `make test` runs it too. The Swift test SchemathesisTests starts the reference server in-process with
# a fresh demo data directory, serves its API on a free port of 127.0.0.1, issues an administrator API key, runs
#   schemathesis run http://127.0.0.1:PORT/openapi.json --checks all …
# and fails if schemathesis reports a failure. Usage:
#   scripts/schemathesis.sh              # 30 examples per operation
#   EXAMPLES=200 scripts/schemathesis.sh # more
#   SCHEMATHESIS_ARGS="--include-path /api/v1/workorders" scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --test-tools
export SCHEMATHESIS="$PWD/.build/tools/bin/schemathesis"
export HOTLINE_SCHEMATHESIS=1
export HOTLINE_SCHEMATHESIS_EXAMPLES="${EXAMPLES:-30}"
export HOTLINE_SCHEMATHESIS_ARGS="${SCHEMATHESIS_ARGS:-}"
exec swift test --filter 'HotlineServerTests.SchemathesisTests'
