#!/usr/bin/env bash
# PAPA's "better models lose more", on the shipped model's own training run: the progressive curve (analyze papa)
# of the run's checkpoints at steps 100, 400 and 1,000 and of the shipped model (step 2,500), each with its own
# attention averaged over the same sample of the training split and evaluated on the same held-out text
# (scripts/training-sample.sh). The checkpoints come from the shipped model's training command
# (scripts/train-shipped.sh) stopped early with --stop-after; about 50 minutes on 2 cores.
# Writes scripts/experiments/papa_checkpoints.json, which the page's PAPA view draws.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=2
bash scripts/corpus.sh
bash scripts/build.sh native >/dev/null
bash scripts/training-sample.sh
work=build/experiments/papa-checkpoints
mkdir -p "$work"
checkpoints=(100 400 1000)
steps_done() { node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).steps_done) } catch { console.log(0) }' "$1"; }
for step in "${checkpoints[@]}"; do
  if [ ! -f "$work/step$step/model.safetensors" ]; then
    # continue the run saved in $work/run when it stopped before this step, else start it afresh
    done_steps=$(steps_done "$work/run/training_log.json")
    if [ "$done_steps" -gt 0 ] && [ "$done_steps" -lt "$step" ]; then resume=(--resume); else rm -rf "$work/run"; resume=(); fi
    bash scripts/train-shipped.sh "$work/run" "${resume[@]}" --stop-after "$step"
    rm -rf "$work/step$step" && cp -r "$work/run" "$work/step$step"
  fi
  # a checkpoint's curve is kept while it is newer than the checkpoint and the texts (rm -rf the folder to redo all)
  [ "$work/step$step.json" -nt "$work/step$step/model.safetensors" ] && [ "$work/step$step.json" -nt build/averages/held-out.txt ] \
    && [ "$work/step$step.json" -nt build/averages/training-sample.txt ] ||
    build/native/attnlab analyze papa --model "$work/step$step" --corpus build/averages/training-sample.txt \
      --eval build/averages/held-out.txt --window 32 --max-windows 20000 --eval-windows 64 > "$work/step$step.json"
done
build/native/attnlab analyze papa --model models/tiny-gpt2 --averages models/tiny-gpt2/constant_attention.safetensors \
  --eval build/averages/held-out.txt --eval-windows 64 > "$work/step2500.json"
node -e '
  const fs = require("fs"), [work, ...steps] = process.argv.slice(1);
  const total = Number(steps[steps.length - 1]);
  const models = steps.map(Number).map((step) => {
    const r = JSON.parse(fs.readFileSync(`${work}/step${step}.json`, "utf8"));
    return { name: `tiny-gpt2 at step ${step.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`, step,
      held_out_loss: r.baseline.loss, papa: r };
  });
  const out = { experiment: `PAPA progressive curves of ${models.length} checkpoints of the shipped model training run`,
    command: "bash scripts/experiments/papa_checkpoints.sh", total_steps: total,
    averaged_over: "scripts/training-sample.sh: 256 chunks of 4,000 bytes of the training split, 32-token windows",
    evaluated_on: "the first 64,000 bytes of the validation documents, 64 windows of 32 tokens", models };
  fs.writeFileSync("scripts/experiments/papa_checkpoints.json", JSON.stringify(out) + "\n");
  for (const m of models) {
    const c = m.papa.by_cost.relative_perplexity_increase, k = m.papa.by_constancy.relative_perplexity_increase;
    console.log(`${m.name}: held-out loss ${m.held_out_loss.toFixed(3)}; every head constant ${(100 * c[c.length - 1]).toFixed(1)}%; half by cost ${(100 * c[16]).toFixed(1)}%, by constancy ${(100 * k[16]).toFixed(1)}%`);
  }
' "$work" "${checkpoints[@]}" 2500
