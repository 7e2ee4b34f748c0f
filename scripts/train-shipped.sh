#!/usr/bin/env bash
# The shipped model's training command (models/tiny-gpt2/README.md), in one place: with the avx2 build of commit 52ab4fb,
# 2 threads and the corpus of scripts/corpus.sh it writes the shipped weights byte for byte; today's build, whose GEMM
# kernels round differently, trains the same recipe to other last bits.
#   bash scripts/train-shipped.sh OUT [more `attnlab train` flags, e.g. --stop-after K, --resume]
# About 2 hours on this project's 2-core machine (1,431 training tokens/s), plus a few minutes of final validation.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/train-shipped.sh OUT [more attnlab train flags]}"
shift
bash scripts/corpus.sh
bash scripts/build.sh avx2 >/dev/null
corpus=build/corpus/modern
build/avx2/attnlab train --corpus "$corpus/train.txt" --val-corpus "$corpus/validation.txt" --val-fraction 0 --out "$out" \
  --layers 4 --heads 8 --embd 128 --ctx 256 --steps 2500 --batch 16 --lr 2e-3 --min-lr 1e-4 --warmup 100 --seed 1 \
  --threads 2 --dtype F16 --eval-every 100 --eval-windows 16 --sinusoidal-positions 0.1 --repeat-fraction 0.25 "$@"
