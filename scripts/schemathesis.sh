#!/usr/bin/env bash
# Fuzz the HTTP API with schemathesis (PyPI) against /openapi.json of a live instance.
#
# The Swift test SchemathesisTests starts the API on a free port of 127.0.0.1 with a fresh SQLite
# database in a temporary directory, issues an administrator API key, runs
#   schemathesis run http://127.0.0.1:PORT/openapi.json --checks all …
# and fails if schemathesis reports a failure. Usage:
#   scripts/schemathesis.sh              # 30 examples per operation
#   EXAMPLES=200 scripts/schemathesis.sh # more
#   SCHEMATHESIS_ARGS="--include-path /api/v1/workorders" scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"
if ! command -v schemathesis >/dev/null 2>&1; then
    python3 -m pip install --user --quiet "schemathesis>=4,<5"
fi
export HOTLINE_SCHEMATHESIS=1
export HOTLINE_SCHEMATHESIS_EXAMPLES="${EXAMPLES:-30}"
export HOTLINE_SCHEMATHESIS_ARGS="${SCHEMATHESIS_ARGS:-}"
exec swift test --filter 'HotlineServerTests.SchemathesisTests'
