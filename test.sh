#!/usr/bin/env bash
# Builds the whole solution with warnings as errors and runs every test.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build DashFlow.sln -c Release -warnaserror
dotnet test DashFlow.sln -c Release --no-build --logger "console;verbosity=normal"
