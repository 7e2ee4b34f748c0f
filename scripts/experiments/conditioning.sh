#!/usr/bin/env bash
# Does spectral conditioning of attention train faster here? (issue 37; docs/science.md section 10)
# The same small GPT-2 (4 layers x 8 heads, 128 channels, context 128) on the same modern-English corpus, steps, batch and
# learning rate, trained plainly (softmax) and with W_Q, W_K, W_V used as W + lambda I, lambda = L times each block's
# largest singular value at initialisation, L = 0.25, 1 and 4; seeds 1, 2, 3 of each: 12 runs, two at a time on one
# thread each. Every 25 steps a run logs its validation loss (the first 32 validation windows) and the condition numbers
# (conditioning_log.jsonl); at the end its loss on 128 validation and 128 held-out windows.
# A run whose training_log.json shows the same command, finished, is reused (rm -rf build/experiments/conditioning redoes
# them all). About 25 minutes on this project's 2-core machine.
# Writes scripts/experiments/conditioning.json (what the page's "Does conditioning attention train faster here?" view
# draws) and prints the verdicts (web/conditioning_results.js computes them, for the page and for this script alike).
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1
bash scripts/corpus.sh
bash scripts/build.sh native >/dev/null
work=build/experiments/conditioning
corpus=build/corpus/modern
mkdir -p "$work"
common=(--corpus "$corpus/train.txt" --val-corpus "$corpus/validation.txt" --val-fraction 0 --heldout "$corpus/heldout.txt"
  --layers 4 --heads 8 --embd 128 --ctx 128 --steps 400 --batch 8 --lr 2e-3 --min-lr 2e-4 --warmup 40 --threads 1
  --eval-every 25 --eval-windows 32 --kappa-windows 4 --final-windows 128 --dtype F16)
configs=("softmax" "spectral 0.25" "spectral 1" "spectral 4")
seeds=(1 2 3)

# one run: skipped when its log holds the same command, finished
run() {
  local attention=$1 lambda=$2 seed=$3
  local name=$attention${lambda:+-$lambda}-seed$seed out=$work/$attention${lambda:+-$lambda}-seed$seed
  local flags=("${common[@]}" --out "$out" --seed "$seed" --attention "$attention")
  [ -n "$lambda" ] && flags+=(--spectral-lambda "$lambda")
  local command="attnlab train ${flags[*]}"
  if [ -s "$out/training_log.json" ] && node -e '
      const log = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      process.exit(log.command === process.argv[2] && log.final_val_loss !== undefined ? 0 : 1);' "$out/training_log.json" "$command"; then
    echo "conditioning: $name: reused"
    return
  fi
  rm -rf "$out"
  local start=$SECONDS
  build/native/attnlab train "${flags[@]}" > "$out.json" 2> "$out.log" || { echo "conditioning: $name failed (see $out.log)" >&2; return 1; }
  echo "conditioning: $name: $((SECONDS - start)) s"
}

for seed in "${seeds[@]}"; do
  for config in "${configs[@]}"; do
    read -r attention lambda <<< "$config"
    run "$attention" "${lambda:-}" "$seed" &
    # two runs at a time, one per core
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
  done
done
wait
node scripts/experiments/conditioning-results.mjs "$work" scripts/experiments/conditioning.json
echo "conditioning: done in $SECONDS s"
