#!/usr/bin/env bash
# PAPA's "better models lose more", on the shipped model's own training run: the progressive curve (analyze papa)
# of the run's checkpoints at steps 100 and 400 and of the shipped model (step 1,500), each with its own attention
# averaged over the same sample of the training split and evaluated on the same held-out text
# (scripts/training-sample.sh). The checkpoints come from the shipped model's training command
# (models/tiny-gpt2/README.md) stopped early with --stop-after; about 20 minutes on 2 cores.
# Writes scripts/experiments/papa_checkpoints.json, which the page's PAPA view draws.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=2
bash scripts/corpus.sh
bash scripts/build.sh native >/dev/null
bash scripts/training-sample.sh
work=build/experiments/papa-checkpoints
mkdir -p "$work"
train() {
  build/native/attnlab train --corpus build/corpus/kjv.txt build/corpus/jargon.txt --out "$work/run" \
    --layers 4 --heads 8 --embd 128 --ctx 256 --steps 1500 --batch 16 --lr 2e-3 --min-lr 1e-4 --warmup 100 \
    --seed 1 --threads 2 --dtype F16 --eval-every 50 --eval-windows 16 --sinusoidal-positions 0.1 \
    --offset-heads 2 --repeat-fraction 0.25 "$@"
}
if [ ! -f "$work/step100/model.safetensors" ]; then
  rm -rf "$work/run"
  train --stop-after 100
  rm -rf "$work/step100" && cp -r "$work/run" "$work/step100"
fi
if [ ! -f "$work/step400/model.safetensors" ]; then
  train --resume --stop-after 400
  rm -rf "$work/step400" && cp -r "$work/run" "$work/step400"
fi
for m in step100 step400; do
  build/native/attnlab analyze papa --model "$work/$m" --corpus build/averages/training-sample.txt \
    --eval build/averages/held-out.txt --window 32 --max-windows 20000 --eval-windows 64 > "$work/$m.json"
done
build/native/attnlab analyze papa --model models/tiny-gpt2 --averages models/tiny-gpt2/constant_attention.safetensors \
  --eval build/averages/held-out.txt --eval-windows 64 > "$work/step1500.json"
node -e '
  const fs = require("fs"), work = process.argv[1];
  const models = [["step100", 100], ["step400", 400], ["step1500", 1500]].map(([name, step]) => {
    const r = JSON.parse(fs.readFileSync(`${work}/${name}.json`, "utf8"));
    return { name: `tiny-gpt2 at step ${step} of 1,500`, step, held_out_loss: r.baseline.loss, papa: r };
  });
  const out = { experiment: "PAPA progressive curves of three checkpoints of the shipped model training run",
    command: "bash scripts/experiments/papa_checkpoints.sh", averaged_over: "scripts/training-sample.sh: 128 chunks of 4,000 bytes of each corpus file, training split, 32-token windows",
    evaluated_on: "the last 4% of the Jargon File (validation split), 64 windows of 32 tokens", models };
  fs.writeFileSync("scripts/experiments/papa_checkpoints.json", JSON.stringify(out) + "\n");
  for (const m of models) {
    const c = m.papa.by_cost.relative_perplexity_increase, k = m.papa.by_constancy.relative_perplexity_increase;
    console.log(`${m.name}: held-out loss ${m.held_out_loss.toFixed(3)}; every head constant ${(100 * c[c.length - 1]).toFixed(1)}%; half by cost ${(100 * c[16]).toFixed(1)}%, by constancy ${(100 * k[16]).toFixed(1)}%`);
  }
' "$work"
