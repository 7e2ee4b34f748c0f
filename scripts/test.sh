#!/usr/bin/env bash
# Every test: the native build (core doctest, CLI, PyTorch references, the shipped model, a valgrind memcheck
# of one end-to-end run), the WebAssembly build against the native CLI and the page in Chromium (screenshots
# in build/test-artifacts/e2e), then the native suite again built by clang under AddressSanitizer +
# UndefinedBehaviorSanitizer (all but the shipped model's quality), with a bounded libFuzzer run of every
# fuzz target (scripts/fuzz.sh --quick: ATTNLAB_FUZZ_SECONDS, 12 s, per target).
# The test presets give every test process one OpenMP thread: ctest -j 2 runs two of them on a 2-core
# machine, and two threads each made their barriers spin against each other (core suite 290 s, now 10 s).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
for preset in native asan; do
  echo "== attnlab: $preset build and tests"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)"
  # the shipped_ tests, already run by the native build, are left out: the model's quality does not depend on the
  # build and under the sanitizers took 13.5 minutes (a full-vocabulary pass over 78k validation tokens); the
  # averages are the native build's bytes, which clang's build need not give; every code path both run is in the
  # other tests
  if [ "$preset" = asan ]; then ctest --preset asan -j 2 -E "^shipped_"; continue; fi
  ctest --preset native -j 2
  echo "== attnlab: WebAssembly build, the page, and their tests (node, then Chromium)"
  bash scripts/build-web.sh
  ATTNLAB_CLI=build/native/attnlab node --test --test-concurrency=1 tests/wasm/ tests/e2e/
done
