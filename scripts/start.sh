#!/usr/bin/env bash
# The demo: builds attnlab and runs it on the shipped model (models/tiny-gpt2). Until the web page lands
# this is the CLI demo; without the shipped model it falls back to a small random checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh native
cli=build/native/attnlab
model=models/tiny-gpt2
if [ ! -f "$model/model.safetensors" ]; then
  model=build/demo-random-model
  [ -f "$model/model.safetensors" ] || "$cli" make-random --out "$model" --layers 4 --heads 4 --embd 128 --ctx 256 --seed 1 >/dev/null
fi
text="The attention of a transformer decides which earlier tokens each token reads from."
echo "== tokenize"
"$cli" tokenize --model "$model" --text "$text"
echo "== run (loss, top logits, attention of layer 0 head 0)"
"$cli" run --model "$model" --text "$text" --attention 0:0
