#!/usr/bin/env bash
# Every test: the native build (core doctest, CLI, PyTorch references, the shipped model, a valgrind memcheck
# of one end-to-end run), the WebAssembly build against the native CLI and the page in Chromium (screenshots
# in build/test-artifacts/e2e), then the native suite again built by clang (beside the browser tests) under AddressSanitizer +
# UndefinedBehaviorSanitizer (all but the shipped model's quality), with a bounded libFuzzer run of every
# fuzz target (scripts/fuzz.sh --quick: ATTNLAB_FUZZ_SECONDS, 12 s, per target).
# The test presets give every test process one OpenMP thread: ctest -j 2 runs two of them on a 2-core
# machine, and two threads each made their barriers spin against each other (core suite 290 s, now 10 s).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "== attnlab: native build and tests"
cmake --preset native >/dev/null
cmake --build --preset native -j "$(nproc)"
ctest --preset native -j 2
echo "== attnlab: WebAssembly build, the page, and their tests (node, then Chromium)"
bash scripts/build-web.sh
# The sanitizer build runs beside the browser tests, at the lowest priority: those tests wait on the page most of the
# time and left the 2 cores about 80% idle (9.5 minutes of wall time, 3.6 of CPU), and the build needs about 6 minutes
# of CPU. Its output goes to build/asan-build.log, shown if it fails.
mkdir -p build
cmake --preset asan >/dev/null
nice -n 19 cmake --build --preset asan -j "$(nproc)" > build/asan-build.log 2>&1 &
asan_build=$!
trap 'kill "$asan_build" 2>/dev/null || true' EXIT
ATTNLAB_CLI=build/native/attnlab node --test --test-concurrency=1 tests/wasm/ tests/e2e/
echo "== attnlab: asan build (clang, AddressSanitizer + UndefinedBehaviorSanitizer, libFuzzer) and its tests"
if ! wait "$asan_build"; then tail -n 60 build/asan-build.log; echo "attnlab: the asan build failed (build/asan-build.log)"; exit 1; fi
trap - EXIT
tail -n 1 build/asan-build.log
# the shipped_ tests, already run by the native build, are left out: the model's quality does not depend on the
# build and under the sanitizers took 13.5 minutes (a full-vocabulary pass over 78k validation tokens); the
# averages are the native build's bytes, which clang's build need not give; every code path both run is in the
# other tests
ctest --preset asan -j 2 -E "^shipped_"
