#!/usr/bin/env bash
# Every test: the native build (core doctest, CLI, PyTorch references, the shipped model), then the suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer (all but the shipped model's quality check).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
for preset in native asan; do
  echo "== attnlab: $preset build and tests"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)"
  # the shipped model's quality does not depend on the build; under the sanitizers it only costs time
  if [ "$preset" = asan ]; then ctest --preset asan -j 2 -E shipped_model; else ctest --preset native -j 2; fi
done
