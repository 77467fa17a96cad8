#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, when it is missing: PostgreSQL's server binaries (the
# storage tests start a throw-away cluster of their own; nothing is configured system-wide) and Debian's
# chromium (the browser tests drive /usr/bin/chromium through Playwright, which never downloads a browser).
# Usage: bash scripts/test-dependencies.sh   (as root, or with sudo available, on Debian or Ubuntu)
set -euo pipefail

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Needed: PostgreSQL's server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin (PostgreSQL 15 or newer)" >&2
  echo "and Chromium at /usr/bin/chromium; missing: ${missing[*]}." >&2
  exit 2
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "Installing ${missing[*]} for the tests..."
export DEBIAN_FRONTEND=noninteractive
# Another apt run on the machine holds the lock for a while; wait for it instead of failing.
$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
ls /usr/lib/postgresql/*/bin/initdb >/dev/null
test -x /usr/bin/chromium
