#!/usr/bin/env bash
# Every test: the native build (core doctest, CLI, PyTorch reference), then the whole suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
for preset in native asan; do
  echo "== attnlab: $preset build and tests"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)"
  ctest --preset "$preset" -j 2
done
