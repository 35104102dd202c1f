#!/usr/bin/env bash
# One row of the growth table in BENCHMARKS.md: what a store costs as it grows.
#
#   scripts/growth.sh [--runs N] [--binary PATH] STORE PROJECT_NO
#
# Prints the store's events and `data.mdb` bytes; the first `query project PROJECT_NO` after the page
# cache was dropped (needs root; skipped otherwise); p50 and p99 of 60 more, each a whole process;
# then N (default 1) timed runs of `replay verify` and of `replay rebuild`, each with its wall time,
# CPU, peak RSS (`/usr/bin/time`, which counts the store's mapped pages) and peak anonymous memory
# (RssAnon, sampled every 20 ms). The rebuild rewrites the store's read models: use a copy when that
# matters. BINARY defaults to `grantledger` on the PATH.
set -euo pipefail
runs=1
binary="$(command -v grantledger || true)"
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --binary) binary="$2"; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || { echo "usage: $0 [--runs N] [--binary PATH] STORE PROJECT_NO" >&2; exit 2; }
store="$1"
project="$2"
[ -x "$binary" ] || { echo "no grantledger executable (give --binary PATH)" >&2; exit 2; }
[ -f "$store/data.mdb" ] || { echo "not a store: $store" >&2; exit 2; }

# Runs a command; prints its wall time, CPU, peak RSS and peak RssAnon after LABEL.
timed() {
    local label="$1"; shift
    local report
    report="$(mktemp)"
    /usr/bin/time -o "$report" -f "%e s wall, %U s user + %S s system, peak RSS %M KB" "$@" >/dev/null &
    local pid=$! peak=0 anon child
    while kill -0 "$pid" 2>/dev/null; do
        child="$(pgrep -P "$pid" | head -1 || true)"
        if [ -n "$child" ]; then
            anon="$(awk '/^RssAnon/ {print $2}' "/proc/$child/status" 2>/dev/null || true)"
            if [ -n "$anon" ] && [ "$anon" -gt "$peak" ]; then peak="$anon"; fi
        fi
        sleep 0.02
    done
    wait "$pid"
    echo "$label: $(cat "$report"), peak RssAnon $((peak / 1024)) MB"
    rm -f "$report"
}

echo "store $store ($(date -u +%FT%TZ))"
"$binary" replay verify --store "$store" | grep -E '^(events|result):'
echo "data.mdb: $(stat -c %s "$store/data.mdb") bytes"
if sync && echo 3 2>/dev/null >/proc/sys/vm/drop_caches; then
    timed "cold open + first query" "$binary" query project "$project" --store "$store"
else
    echo "cold open + first query: skipped (dropping the page cache needs root)"
fi
python3 - "$binary" "$store" "$project" <<'PY'
import subprocess, sys, time
binary, store, project = sys.argv[1:]
times = []
for _ in range(60):
    started = time.perf_counter()
    subprocess.run([binary, "query", "project", project, "--store", store], stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - started) * 1000)
times.sort()
print("query project, whole process, 60 runs: p50 %.1f ms, p99 %.1f ms" % (times[29], times[59]))
PY
for _ in $(seq "$runs"); do timed "replay verify" "$binary" replay verify --store "$store"; done
for _ in $(seq "$runs"); do timed "replay rebuild" "$binary" replay rebuild --store "$store"; done
