#!/usr/bin/env bash
# "Do better models lose more?" (PAPA's finding across pretrained models), asked along one series: the shipped model's
# own training run. attnlab's progressive replacement (analyze papa) of the run's checkpoints at steps 100, 400 and
# 1,000 and of the shipped model (step 2,500), each with its own attention averaged over the same sample of the
# training split, its heads ranked on the same held-out windows (65-128) and its curve evaluated on others (1-64) of
# the same held-out text (scripts/training-sample.sh), with 95% bootstrap intervals over the evaluated windows. The checkpoints come from the shipped model's training command
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
      --eval build/averages/held-out.txt --window 32 --max-windows 20000 --eval-windows 64 --rank-windows 64 > "$work/step$step.json"
done
build/native/attnlab analyze papa --model models/tiny-gpt2 --averages models/tiny-gpt2/constant_attention.safetensors \
  --eval build/averages/held-out.txt --eval-windows 64 --rank-windows 64 > "$work/step2500.json"
node -e '
  const fs = require("fs"), [work, ...steps] = process.argv.slice(1);
  const total = Number(steps[steps.length - 1]);
  const models = steps.map(Number).map((step) => {
    const r = JSON.parse(fs.readFileSync(`${work}/step${step}.json`, "utf8"));
    return { name: `tiny-gpt2 at step ${step.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`, step,
      held_out_loss: r.baseline.loss, papa: r };
  });
  const out = { experiment: `attnlab’s progressive replacement (after PAPA) on ${models.length} checkpoints of the shipped model’s training run`,
    command: "bash scripts/experiments/papa_checkpoints.sh", total_steps: total,
    averaged_over: "scripts/training-sample.sh: 256 chunks of 4,000 bytes of the training split, 32-token windows",
    evaluated_on: "the first 64,000 bytes of the validation documents: heads ranked on windows 65-128 of 32 tokens, curves evaluated on windows 1-64", models };
  fs.writeFileSync("scripts/experiments/papa_checkpoints.json", JSON.stringify(out) + "\n");
  const iv = (c, i) => `${(100 * c.relative_perplexity_increase[i]).toFixed(1)}% [${(100 * c.relative_low[i]).toFixed(1)}, ${(100 * c.relative_high[i]).toFixed(1)}]`;
  for (const m of models) {
    const c = m.papa.by_cost, k = m.papa.by_constancy, end = c.loss.length - 1;
    console.log(`${m.name}: held-out loss ${m.held_out_loss.toFixed(3)}; every head constant ${iv(c, end)}; half by cost ${iv(c, 16)}, by constancy ${iv(k, 16)}`);
  }
' "$work" "${checkpoints[@]}" 2500
