#!/usr/bin/env bash
# Installs what GrantLedger needs from Debian when it is missing: LMDB's headers and pkg-config file
# (liblmdb-dev) and its command-line tools (lmdb-utils). Swift 6.3 is expected at /opt/swift or on PATH.
set -euo pipefail
export PATH="/opt/swift/usr/bin:$PATH"
if ! pkg-config --exists lmdb 2>/dev/null || ! command -v mdb_stat >/dev/null 2>&1; then
    echo "installing liblmdb-dev and lmdb-utils …" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq liblmdb-dev lmdb-utils >/dev/null
fi
command -v swift >/dev/null || { echo "swift not found: install Swift 6.3 (https://swift.org)" >&2; exit 1; }
