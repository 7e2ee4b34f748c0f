#!/usr/bin/env bash
# Benchmarks that print figures (no pass/fail on time): forward pass vs sgemm, memory, training, tokenizer speed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh native
cli=build/native/attnlab
echo "== forward pass, GPT-2 124M shape, 128 tokens, 1 thread (random weights in memory), by instruction set"
# the default build (this machine's level), and the CLI alone built for the x86-64 baseline, x86-64-v2 (SSE4.2,
# the vector width the page's WebAssembly has) and x86-64-v3 (AVX2 + FMA), each timed in this run
"$cli" bench --shape gpt2 --tokens 128 --threads 1 | tee build/bench-forward-default.json
for level in x86-64 x86-64-v2 x86-64-v3; do
  dir="build/bench-$level"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DATTNLAB_ARCH="$level" -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$dir" --target attnlab -j "$(nproc)" >/dev/null
  "$dir/attnlab" bench --shape gpt2 --tokens 128 --threads 1 | tee "build/bench-forward-$level.json"
done
node -e '
  const fs = require("fs");
  const rows = ["default", "x86-64", "x86-64-v2", "x86-64-v3"].map((n) => [n, JSON.parse(fs.readFileSync(`build/bench-forward-${n}.json`))]);
  const v3 = rows[3][1].tokens_per_second;
  for (const [n, j] of rows) console.log(`${n.padEnd(10)} ${j.built_for.split(" (")[0].padEnd(10)} ${j.tokens_per_second.toFixed(1).padStart(7)} tokens/s  ${(j.tokens_per_second / v3).toFixed(2)} of x86-64-v3`);'
echo "== forward pass FLOP rate per family, 128 tokens, 1 thread (random weights in memory): each against GPT-2 124M's"
for shape in gpt2 smollm2-135m pythia-160m; do
  "$cli" bench --shape "$shape" --tokens 128 --threads 1 --repeats 3 > "build/bench-family-$shape.json"
done
node -e '
  const fs = require("fs");
  const rows = ["gpt2", "smollm2-135m", "pythia-160m"].map((n) => [n, JSON.parse(fs.readFileSync(`build/bench-family-${n}.json`))]);
  const base = rows[0][1].forward_gflops;
  for (const [n, j] of rows) console.log(`${n.padEnd(13)} ${j.family.padEnd(9)} ${j.tokens_per_second.toFixed(1).padStart(7)} tokens/s  ${j.forward_gflops.toFixed(1).padStart(6)} GFLOP/s  ${(j.forward_gflops / base).toFixed(2)} of GPT-2 124M`);'
# Debian's python3-torch lives with the system Python, which a python3 earlier on PATH (pyenv, a venv) may hide
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if "$py" -c "import torch" 2>/dev/null; then
  echo "== the same forward pass in Debian's PyTorch (float32, 1 thread), for reference"
  "$py" scripts/bench_torch.py
fi
echo "== peak memory to load and run a 124M-shape F32 checkpoint from disk"
dir=build/bench-gpt2-f32
[ -f "$dir/model.safetensors" ] || "$cli" make-random --out "$dir" --layers 12 --heads 12 --embd 768 --ctx 1024 >/dev/null
echo "== the matrix-product kernels at GPT-2 124M's shapes, 128 tokens, 1 thread: Eigen against gemm_f32's (GFLOP/s)"
"$cli" bench --shape gpt2 --tokens 128 --repeats 5 --analysis gemm | node -e '
  const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(`kernel chosen on this CPU: ${j.gemm_kernel}`);
  for (const [shape, row] of Object.entries(j.gemm_gflops_1_thread))
    console.log(`${shape.padEnd(26)} ${Object.entries(row).map(([k, v]) => `${k} ${v.toFixed(1)}`).join("  ")}`);'
echo "== attnlab native against onnxruntime-node, same weights (GPT-2 124M shape, 128 tokens), 1 thread and all"
bash scripts/onnx/bench-ort.sh "$cli" "$dir"
size_mib=$(( $(stat -c %s "$dir/model.safetensors") / 1048576 ))
"$cli" bench --model "$dir" --tokens 128 --threads 1 --repeats 1 | tee build/bench-memory.json
echo "checkpoint file: ${size_mib} MiB (target: peak_rss_mib <= file + 64 MiB)"
echo "== selectivity over all 144 heads, 124M shape, 512 tokens, against the forward pass alone"
"$cli" bench --model "$dir" --tokens 512 --threads 1 --repeats 2 --analysis selectivity
echo "== the paper's quantities (d~, separability, the gradient lemma), 124M shape, 1024 tokens, against one forward pass (target: paper_over_forward < 1.5)"
"$cli" bench --model "$dir" --tokens 1024 --threads 1 --repeats 1 --analysis paper
echo "== hard-max in O(log n): hull index queries against a linear scan, n = 10^2 .. 10^6"
"$cli" bench --analysis hull
echo "== sensitivity sweeps with gradients, 124M shape, 128 tokens: 4 and 16 temperatures"
"$cli" bench --model "$dir" --tokens 128 --threads 1 --repeats 1 --analysis sensitivity --temperatures 4
"$cli" bench --model "$dir" --tokens 128 --threads 1 --repeats 1 --analysis sensitivity --temperatures 16
echo "== training tokens/s, the shipped model's shape (4 x 8 x 128, 16 windows of 256 tokens a step), 2 threads, 10 steps"
bash scripts/corpus.sh >/dev/null
# its progress line after step 10 (tokens/s of the training steps alone; --stop-after skips the final full validation pass)
"$cli" train --corpus build/corpus/modern/train.txt --out build/bench-train --layers 4 --heads 8 --embd 128 \
  --ctx 256 --steps 1000 --stop-after 10 --batch 16 --lr 2e-3 --warmup 2 --threads 2 --eval-every 1000 --eval-windows 1 \
  2>&1 >/dev/null | grep '^step 10/'
echo "== tokenizer encode throughput on 1 MB of English"
node tests/reference/english_corpus.mjs build/bench-english.txt 1000000
"$cli" bench --model "$dir" --tokens 8 --repeats 3 --text-file build/bench-english.txt
echo "== the page: wasm forward in headless Chromium (one thread, and every core) against native, time to first plot, transfer size"
bash scripts/build-web.sh >/dev/null
node scripts/bench-web.mjs
