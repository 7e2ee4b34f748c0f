#!/usr/bin/env bash
# Builds the static page into build/web: the wasm module (Debian's Emscripten, preset wasm), the page's
# files and the shipped model. Any static host can serve the folder as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
export NODE_PATH=/usr/share/nodejs  # Emscripten's own JS tools need Debian's node modules
# Two builds of the core: one thread (any page), and pthreads (attnlab-mt) for a cross-origin isolated page
for preset in wasm wasm-mt; do
  emcmake cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$(nproc)"
done
out=build/web
rm -rf "$out"
mkdir -p "$out/models/tiny-gpt2"
cp web/index.html web/*.js web/style.css "$out/"
cp build/wasm/attnlab.mjs build/wasm/attnlab.wasm "$out/"
cp build/wasm-mt/attnlab-mt.mjs build/wasm-mt/attnlab-mt.wasm build/wasm-mt/attnlab-mt.worker.js "$out/"
cp models/tiny-gpt2/config.json models/tiny-gpt2/model.safetensors models/tiny-gpt2/vocab.json \
   models/tiny-gpt2/merges.txt models/tiny-gpt2/README.md models/tiny-gpt2/constant_attention.safetensors \
   models/tiny-gpt2/held-out-sample.txt \
   "$out/models/tiny-gpt2/"
mkdir -p "$out/results"
cp scripts/experiments/papa_checkpoints.json scripts/experiments/conditioning.json "$out/results/"
echo "attnlab: the page is in $out ($(du -sh "$out" | cut -f1))"
