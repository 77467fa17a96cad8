#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, when it is missing: PostgreSQL's server binaries (the
# storage tests start a throw-away cluster of their own; nothing is configured system-wide).
# Usage: bash scripts/test-dependencies.sh   (as root, or with sudo available, on Debian or Ubuntu)
set -euo pipefail

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL's server binaries (initdb, pg_ctl) are needed under /usr/lib/postgresql/*/bin; install PostgreSQL 15 or newer." >&2
  exit 2
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "Installing PostgreSQL for the storage tests..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/initdb >/dev/null
