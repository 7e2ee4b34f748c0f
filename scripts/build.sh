#!/usr/bin/env bash
# Builds one CMake preset (native by default): scripts/build.sh [native|portable|avx2|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-native}"
bash scripts/ensure-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
