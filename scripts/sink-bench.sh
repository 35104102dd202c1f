#!/usr/bin/env bash
# Paired runs of `grantledger sink postgres` (an initial sync into a fresh database each time), for
# BENCHMARKS.md: the machine's speed drifts a lot within minutes, so builds are compared run by run.
#
#   scripts/sink-bench.sh [--rounds N] [--store PATH] BINARY [BINARY ...]
#
# Each round runs every BINARY once, in the order given, on the same store; then the script prints
# each binary's rates (events/s, from its `rate:` line) with their median, and for each binary after
# the first the median of its per-round ratios to the first. The store (default: a demo store made
# by the first BINARY in a temporary folder, removed at the end) must be one the binaries can read.
# The PostgreSQL server is scripts/postgres-test-cluster.sh's (started when it is not running).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds=5
store=""
binaries=()
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --store) store="$2"; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) binaries+=("$1"); shift ;;
    esac
done
[ ${#binaries[@]} -gt 0 ] || { echo "usage: $0 [--rounds N] [--store PATH] BINARY [BINARY ...]" >&2; exit 2; }
for binary in "${binaries[@]}"; do [ -x "$binary" ] || { echo "not an executable: $binary" >&2; exit 2; }; done

"$here/postgres-test-cluster.sh" status || "$here/postgres-test-cluster.sh" start >/dev/null
base="$("$here/postgres-test-cluster.sh" url)"
server="${base%/*}"
psql_bin="$(ls -d /usr/lib/postgresql/*/bin | tail -1)/psql"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
if [ -z "$store" ]; then
    store="$scratch/demo.store"
    echo "making a demo store with ${binaries[0]}" >&2
    "${binaries[0]}" demo --store "$store" >/dev/null
fi

results="$scratch/results"
for round in $(seq "$rounds"); do
    for index in "${!binaries[@]}"; do
        database="sink_bench_${round}_${index}_$$"
        "$psql_bin" "$base" -qc "CREATE DATABASE $database"
        rate="$("${binaries[$index]}" sink postgres --url "$server/$database" --store "$store" | sed -n 's/^rate: \([0-9]*\).*/\1/p')"
        "$psql_bin" "$base" -qc "DROP DATABASE $database"
        echo "round $round  ${binaries[$index]}  $rate events/s" >&2
        echo "$index $rate" >>"$results"
    done
done

python3 - "$results" "${binaries[@]}" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
names = sys.argv[2:]
rates = {i: [int(r) for k, r in rows if int(k) == i] for i in range(len(names))}
for i, name in enumerate(names):
    print(f"{name}: median {statistics.median(rates[i]):.0f} events/s, runs {sorted(rates[i])}")
for i in range(1, len(names)):
    ratios = [b / a for a, b in zip(rates[0], rates[i])]
    print(f"{names[i]} / {names[0]}: median of {len(ratios)} paired ratios {statistics.median(ratios):.3f}")
EOF
