#!/usr/bin/env bash
# Smoke run of the benchmark suite (what CI runs): checks that every variant of every scenario produces the same
# result, runs S7's memory probe, then one short iteration of every benchmark. Exits non-zero if anything fails.
# Usage: benchmarks/smoke.sh [extra BenchmarkDotNet arguments, e.g. --filter '*S1*']
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="${DASHFLOW_BENCH_ARTIFACTS:-/tmp/df-bench}"
dotnet build "$root/benchmarks/DashFlow.Benchmarks/DashFlow.Benchmarks.csproj" -c Release --artifacts-path "$artifacts" -nologo -v quiet
dotnet run --project "$root/benchmarks/DashFlow.Benchmarks/DashFlow.Benchmarks.csproj" -c Release --artifacts-path "$artifacts" --no-build -- --smoke "$@"
