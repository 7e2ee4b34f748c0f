#!/usr/bin/env bash
# libFuzzer over the inputs a user controls (tests/fuzz/fuzz_inputs.hpp): safetensors, config.json, BPE
# vocab/merges + text, GPT-2 text, tokenizer.json, and the selectivity and
# constant-attention reports over any model.safetensors bits (NaN included). Each target starts from its seeds (tests/fuzz/seeds) and
# the inputs earlier runs kept (build/.../fuzz-corpus); a crash leaves its input in build/.../fuzz-artifacts
# and fails the run: copy it into tests/fuzz/regressions/TARGET/ so the core tests replay it from then on.
#
#   bash scripts/fuzz.sh                  every target for 300 s (npm run fuzz); --seconds N to change
#   bash scripts/fuzz.sh --target bpe     one target
#   bash scripts/fuzz.sh --build DIR --quick   what npm test runs: ATTNLAB_FUZZ_SECONDS (12) per target
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
targets=(safetensors config bpe bpe_text tokenizer_json analyses)  # as in tests/fuzz/fuzz_inputs.hpp
build="" seconds=300 only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --quick) seconds="${ATTNLAB_FUZZ_SECONDS:-12}"; shift ;;
    --target) only="$2"; shift 2 ;;
    *) echo "fuzz.sh: unknown argument $1 (see the comment at the top of scripts/fuzz.sh)" >&2; exit 2 ;;
  esac
done
if [ -z "$build" ]; then
  cd "$root"
  bash scripts/ensure-deps.sh
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$(nproc)" --target "${targets[@]/#/fuzz_}"
  build="$root/build/asan-clang"
fi

summary="$build/fuzz-summary.md"
echo "| target | seconds | executions | coverage (edges) | corpus | crashes |" > "$summary"
echo "|---|---|---|---|---|---|" >> "$summary"
failed=0
for t in "${targets[@]}"; do
  [ -n "$only" ] && [ "$only" != "$t" ] && continue
  corpus="$build/fuzz-corpus/$t" artifacts="$build/fuzz-artifacts"
  mkdir -p "$corpus" "$artifacts"
  log="$build/fuzz-$t.log"
  status=0
  # -timeout: one input may take at most 10 s (a hang is a finding too); -rss_limit_mb: 2 GiB like libFuzzer's default
  "$build/tests/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" "$corpus" "$root/tests/fuzz/seeds/$t" > "$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  files=$(find "$corpus" -type f | wc -l)
  crashes=0
  if [ "$status" != 0 ]; then
    crashes=1 failed=1
    echo "fuzz.sh: $t FAILED (exit $status); the input is in $artifacts, the report in $log:" >&2
    grep -m 20 -E 'ERROR|SUMMARY|invariant|Test unit written|==[0-9]+==' "$log" >&2 || tail -20 "$log" >&2
  fi
  echo "| $t | $seconds | ${execs:-?} | ${cov:-?} | $files | $crashes |" >> "$summary"
  echo "fuzz.sh: $t: $seconds s, ${execs:-?} executions, ${cov:-?} edges, $files corpus files, exit $status"
done
cat "$summary"
exit "$failed"
