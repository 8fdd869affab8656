#!/usr/bin/env bash
# Installs what the tests need, then builds and runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Replication.Admin.sln -c Release -nologo -v quiet
results="$(mktemp -d)"
status=0
dotnet test Replication.Admin.sln -c Release --no-build -nologo --filter "Storage!=PostgreSql" \
  --logger "trx" --results-directory "$results" "$@" || status=$?
# The host and job tests again on PostgreSQL (a throwaway server the tests start), except those about SQLite itself.
REPLICATION_TEST_STORAGE=PostgreSql dotnet test tests/Replication.Admin.Tests -c Release --no-build -nologo \
  --filter "(FullyQualifiedName~.Host.|FullyQualifiedName~.Jobs.)&Storage!=Sqlite" \
  --logger "trx;LogFilePrefix=postgresql" --results-directory "$results" "$@" || status=$?
# One plain closing line over every test project.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    if c is None: continue
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
rm -rf "$results"
exit $status
