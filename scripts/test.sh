#!/usr/bin/env bash
# The test command (README): installs what is missing, starts a throwaway PostgreSQL + PostGIS
# cluster on a free loopback port, runs every test in the solution, and stops the cluster.
#   scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Stops]
# Tests that need PostGIS fail (not skip) here, because this script sets TARGETING_REQUIRE_PG=1.
# Tests that need the full ../shared/data run when it is there and are skipped with a message
# when it is not (CI sets TARGETING_REQUIRE_SHARED_DATA=1 to turn that skip into a failure).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

scripts/install-deps.sh

pg_dir=$(mktemp -d /tmp/targeting-test-pg.XXXXXX)
cleanup() { scripts/pg.sh stop "$pg_dir" || true; rm -rf "$pg_dir"; }
trap cleanup EXIT
TARGETING_TEST_PG=$(scripts/pg.sh start "$pg_dir")
export TARGETING_TEST_PG TARGETING_REQUIRE_PG=1
echo "test: PostgreSQL + PostGIS at ${TARGETING_TEST_PG}" >&2
if [[ -d ../shared/data/police-uk ]]; then
  echo "test: full shared data found at ../shared/data: real-data tests will run" >&2
else
  echo "test: no ../shared/data: tests that need it will be skipped (the shipped data/ sample is used)" >&2
fi

dotnet test Targeting.sln --nologo --blame-hang-timeout 10m "$@"
