#!/usr/bin/env bash
# Builds everything (the CLI tests run the built grantledger binary) and runs every test.
#
# The PostgreSQL replica tests need a server: when GRANTLEDGER_TEST_POSTGRES_URL is unset and
# PostgreSQL's server is installed, a throw-away cluster is started for the run and stopped after it
# (scripts/postgres-test-cluster.sh). Without PostgreSQL those tests are skipped, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="/opt/swift/usr/bin:$PATH"
if [ -z "${GRANTLEDGER_TEST_POSTGRES_URL:-}" ]; then
    if bash scripts/postgres-test-cluster.sh status; then
        # A developer's cluster, already running: use it and leave it running.
        GRANTLEDGER_TEST_POSTGRES_URL="$(bash scripts/postgres-test-cluster.sh url)"
        export GRANTLEDGER_TEST_POSTGRES_URL
    elif url="$(bash scripts/postgres-test-cluster.sh start 2>/dev/null)"; then
        trap 'bash scripts/postgres-test-cluster.sh stop' EXIT
        export GRANTLEDGER_TEST_POSTGRES_URL="$url"
        echo "PostgreSQL test cluster: $url" >&2
    else
        echo "PostgreSQL's server is not installed: the replica tests will be skipped" >&2
    fi
fi
swift build --build-tests 2>&1 | tail -n 1
swift test --skip-build
