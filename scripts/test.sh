#!/usr/bin/env bash
# Builds everything (the CLI tests run the built grantledger binary) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="/opt/swift/usr/bin:$PATH"
swift build --build-tests 2>&1 | tail -n 1
swift test --skip-build
