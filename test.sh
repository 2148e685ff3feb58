#!/usr/bin/env bash
# Builds the whole solution with warnings as errors, runs every test, and ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build DashFlow.sln -c Release -warnaserror
status=0
dotnet test DashFlow.sln -c Release --no-build --logger "console;verbosity=minimal" 2>&1 | tee "$log" || status=$?
# vstest prints one "Passed!/Failed!  - Failed: N, Passed: N, Skipped: N, Total: N" line per test assembly.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
