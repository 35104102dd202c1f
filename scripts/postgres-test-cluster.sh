#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the replica tests (GrantLedgerPostgres), on a free loopback port.
#
#   scripts/postgres-test-cluster.sh start   # prints the URL to put in GRANTLEDGER_TEST_POSTGRES_URL
#   scripts/postgres-test-cluster.sh stop    # stops it and removes its folder
#   scripts/postgres-test-cluster.sh url     # prints the URL of the running cluster
#   scripts/postgres-test-cluster.sh status  # exits 0 when it is running
#
# Needs Debian's PostgreSQL server (package `postgresql`, version 15 on bookworm); with --install,
# `start` installs it when missing (root, or sudo). PostgreSQL refuses to run as root: as root, the
# cluster runs as the unprivileged user `grantledger-ci` (created when missing). Trust authentication
# on 127.0.0.1 only; fsync is off (the data is thrown away). The folder is $GRANTLEDGER_PG_DIR, by
# default /tmp/grantledger-test-postgres-$(id -u).
set -euo pipefail
dir="${GRANTLEDGER_PG_DIR:-/tmp/grantledger-test-postgres-$(id -u)}"

find_bin() {
    local candidate
    for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$candidate/initdb" ]; then echo "$candidate"; return 0; fi
    done
    return 1
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u grantledger-ci -- "$@"; else "$@"; fi
}

url() {
    [ -f "$dir/port" ] || { echo "no test cluster in $dir" >&2; return 1; }
    echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

running() {
    local bin
    [ -f "$dir/port" ] && bin="$(find_bin)" && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

start() {
    local install="${1:-}"
    if running; then
        url
        return 0
    fi
    local bin
    if ! bin="$(find_bin)"; then
        if [ "$install" != "--install" ]; then
            echo "PostgreSQL's server is not installed (apt-get install postgresql)" >&2
            exit 3
        fi
        echo "installing postgresql …" >&2
        local sudo=""
        if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
        bin="$(find_bin)"
    fi
    if [ "$(id -u)" = 0 ] && ! id grantledger-ci >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin grantledger-ci
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown grantledger-ci "$dir"; fi
    chmod 700 "$dir"
    local port
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $port -h 127.0.0.1 -F -c max_connections=200" start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    echo "$port" >"$dir/port"
    url
}

stop() {
    [ -d "$dir" ] || return 0
    local bin
    if bin="$(find_bin)" && [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop ;;
    url) url ;;
    status) running ;;
    *)
        echo "usage: $0 start [--install] | stop | url | status" >&2
        exit 64
        ;;
esac
