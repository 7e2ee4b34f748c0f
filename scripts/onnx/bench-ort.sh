#!/usr/bin/env bash
# attnlab's native forward pass against onnxruntime-node's on the same weights: the checkpoint folder DIR exported to
# ONNX by export_gpt2.py (Debian's PyTorch), onnxruntime-node installed from npm into build/ort (scripts skipped: the
# CPU library ships in the package; never a dependency of attnlab), both on 1 thread and on every core, each the best
# of 10 timed runs, in 3 rounds that alternate the two engines so that both see the same machine (a shared VM's speed
# drifts by 10-20% within minutes): the ratio of each engine's best round, and each round's ratio. onnxruntime-web is
# installed beside it for scripts/bench-web.mjs. Skipped, with the reason, when torch or the npm package cannot be had.
#   bench-ort.sh ATTNLAB_CLI DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
cli="$1" dir="$2"
tokens=128 cores=$(nproc) version=1.30.0
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if ! "$py" -c "import torch" 2>/dev/null; then echo "skipped: no PyTorch to export the ONNX model (apt-get install python3-torch)"; exit 0; fi
if [ ! -d build/ort/node_modules/onnxruntime-node ] || [ ! -d build/ort/node_modules/onnxruntime-web ]; then
  mkdir -p build/ort
  # a package of its own, so that npm installs here and not into the project's node_modules; onnxruntime-web (the engine
  # of transformers.js) is timed in Chromium by scripts/bench-web.mjs on the same ONNX file
  [ -f build/ort/package.json ] || echo '{"name": "attnlab-bench-ort", "private": true}' > build/ort/package.json
  (cd build/ort && npm install --no-audit --no-fund --ignore-scripts "onnxruntime-node@$version" "onnxruntime-web@$version" >/dev/null 2>&1) ||
    { echo "skipped: npm could not install onnxruntime-node and onnxruntime-web @$version"; exit 0; }
fi
onnx="build/ort/$(basename "$dir")-$tokens.onnx"
[ -f "$onnx" ] || "$py" scripts/onnx/export_gpt2.py "$dir" "$onnx" "$tokens" 2>/dev/null > "$onnx.json"
threads="1"
[ "$cores" -gt 1 ] && threads="1,$cores"
rounds=3
for t in ${threads//,/ }; do
  for r in $(seq "$rounds"); do
    node scripts/onnx/bench-ort.mjs "$PWD/build/ort/node_modules" "$onnx" "$tokens" "$t" 10 > "build/ort/ort-$t-$r.json"
    OMP_NUM_THREADS="$t" "$cli" bench --model "$dir" --tokens "$tokens" --threads "$t" --repeats 10 > "build/ort/attnlab-$t-$r.json"
  done
done
node -e '
  const fs = require("fs");
  const [threads, rounds, check] = process.argv.slice(1);
  const torch = JSON.parse(fs.readFileSync(check)).torch_loss;  // the same ids through the exported model in torch
  const read = (file) => JSON.parse(fs.readFileSync(file));
  for (const t of threads.split(",")) {
    const ort = [], own = [];
    for (let r = 1; r <= Number(rounds); r++) { ort.push(read(`build/ort/ort-${t}-${r}.json`)); own.push(read(`build/ort/attnlab-${t}-${r}.json`)); }
    const best = (runs) => Math.max(...runs.map((j) => j.tokens_per_second));
    const ratios = own.map((j, r) => (j.tokens_per_second / ort[r].tokens_per_second).toFixed(2));
    console.log(`${t} thread${t === "1" ? " " : "s"}: attnlab ${best(own).toFixed(0).padStart(5)} tokens/s (${own[0].gemm_kernel})  ` +
      `onnxruntime-node ${best(ort).toFixed(0).padStart(5)} tokens/s  attnlab/onnxruntime ${(best(own) / best(ort)).toFixed(2)}` +
      ` (best rounds; round by round ${ratios.join(", ")})  (loss on the check ids: onnxruntime ${ort[0].loss.toFixed(5)}, torch ${torch.toFixed(5)})`);
  }' "$threads" "$rounds" "$onnx.json"
