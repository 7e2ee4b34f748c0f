#!/usr/bin/env bash
# The shipped model's averaged attention (PAPA's constant matrices) over its training text, shipped beside it as
# models/tiny-gpt2/constant_attention.safetensors so that the page, and `attnlab analyze constant|papa
# --averages`, evaluate a user's text held out, as PAPA does. Reproducible: bash scripts/shipped-averages.sh
#   text:    scripts/training-sample.sh's sample of the training split
#   windows: of 32 tokens (the page's averaging window), every window of that text (at most 20,000)
# Beside them: held-out-sample.txt, the page's held-out text for its per-N curves (scripts/training-sample.sh).
# scripts/shipped-averages.sh OUT writes them elsewhere (the model test rebuilds them and compares bytes).
# Two threads, always: the order of the sums, and so the last bits, follow the thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-models/tiny-gpt2/constant_attention.safetensors}"
export OMP_NUM_THREADS=2
bash scripts/corpus.sh
bash scripts/build.sh native >/dev/null
bash scripts/training-sample.sh
build/native/attnlab analyze constant --model models/tiny-gpt2 --corpus build/averages/training-sample.txt \
  --eval build/averages/held-out.txt --window 32 --max-windows 20000 --eval-windows 64 \
  --out "$out" > build/averages/report.json
node -e '
  const r = JSON.parse(require("fs").readFileSync("build/averages/report.json", "utf8"));
  console.log(`averages over ${r.averaged_windows} windows of ${r.window} tokens; held-out perplexity ${r.baseline.perplexity.toFixed(1)} -> ${r.all_heads.perplexity.toFixed(1)} with every head constant`);
'
# the page's held-out sample goes beside the averages
cp build/averages/page-sample.txt "$(dirname "$out")/held-out-sample.txt"
ls -l "$out" "$(dirname "$out")/held-out-sample.txt"
