#!/usr/bin/env bash
# Builds grantledger (release, with the Swift runtime and Foundation linked in and no symbols
# exported for dynamic lookup: docs/cli.md) and fills a fresh embedded store with the demo: a
# deterministic national year of 20,000 projects (docs/demo.md).
# Usage: scripts/demo.sh [STORE] [--projects N] [--seed S]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="/opt/swift/usr/bin:$PATH"
store="${1:-demo.store}"
shift || true
swift build -c release --static-swift-stdlib -Xlinker --no-export-dynamic --product grantledger 2>&1 | tail -n 1
rm -rf "$store"
.build/release/grantledger demo --store "$store" "$@"
echo
echo "grantledger is at $(pwd)/.build/release/grantledger; to run the queries above:"
echo "  export PATH=\"$(pwd)/.build/release:\$PATH\""
