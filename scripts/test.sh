#!/usr/bin/env bash
# Builds Continuum and runs every test suite; prints "N passed, N failed" at the end.
# Usage: bash scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

bash scripts/test-dependencies.sh
dotnet build Continuum.slnx -c Release -warnaserror
dotnet format Continuum.slnx --verify-no-changes --no-restore --include src/ \
  || { echo "dotnet format found code style differences; run 'dotnet format Continuum.slnx --include src/'" >&2; exit 1; }

status=0
dotnet test Continuum.slnx -c Release --no-build \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 10m "$@" || status=$?

# The API tests again with every server on PostgreSQL (a throw-away cluster the tests start), so each store
# behaviour the API reaches is checked on both stores; the cluster tests ran on PostgreSQL above already, and the
# crash test kills a server process over its SQLite file.
CONTINUUM_TEST_STORE=postgres dotnet test tests/Continuum.Server.Tests -c Release --no-build \
  --logger "trx;LogFileName=server-on-postgres.trx" --results-directory "$results" \
  --filter "FullyQualifiedName!~.Cluster.&FullyQualifiedName!~CrashRecoveryTests" \
  --blame-hang-timeout 10m "$@" || status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

echo "$passed passed, $failed failed"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
