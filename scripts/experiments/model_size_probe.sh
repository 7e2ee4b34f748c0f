#!/usr/bin/env bash
# Issue 25's first step: loss against tokens for two model sizes on a short budget, on the modern-English corpus
# (scripts/corpus.sh), before choosing the size of the long run. Same data, seed, batch, schedule and
# tokens for both sizes; validation on whole documents (--val-corpus); then each model scored on held-out modern
# English from sources outside the training corpus, against a unigram fitted on the training split.
#   bash scripts/experiments/model_size_probe.sh [STEPS]     (default 200 steps of 16 x 256 tokens: 0.82 M tokens)
# Writes scripts/experiments/model_size_probe.json. About 25 minutes on 2 cores at the default.
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-200}"
export OMP_NUM_THREADS=2
bash scripts/corpus.sh >/dev/null
bash scripts/build.sh native >/dev/null
corpus=build/corpus/modern
work=build/experiments/model-size-probe
mkdir -p "$work"
sizes=("4 8 128" "6 8 256")  # layers heads channels
for size in "${sizes[@]}"; do
  read -r layers heads embd <<< "$size"
  out="$work/L${layers}-C${embd}"
  rm -rf "$out"
  build/native/attnlab train --corpus "$corpus/train.txt" --val-corpus "$corpus/validation.txt" --val-fraction 0 \
    --out "$out" --layers "$layers" --heads "$heads" --embd "$embd" --ctx 256 --steps "$steps" --batch 16 \
    --lr 2e-3 --min-lr 1e-4 --warmup 20 --seed 1 --threads 2 --eval-every 25 --eval-windows 32 > /dev/null
  build/native/attnlab eval --model "$out" --corpus "$corpus/train.txt" --val-corpus "$corpus/heldout.txt" --val-fraction 0 \
    > "$out/heldout_eval.json"
done
node -e '
  const fs = require("fs"), [work, out] = process.argv.slice(1);
  const runs = fs.readdirSync(work).filter((d) => /^L\d+-C\d+$/.test(d)).sort().map((d) => {
    const log = JSON.parse(fs.readFileSync(`${work}/${d}/training_log.json`, "utf8"));
    const held = JSON.parse(fs.readFileSync(`${work}/${d}/heldout_eval.json`, "utf8"));
    const perStep = log.options.batch * log.options.seq_len;
    return {
      config: log.config, steps: log.steps_done, tokens: log.steps_done * perStep, seconds: log.seconds,
      training_tokens_per_second: log.tokens_per_second,
      validation: { tokens: log.val_tokens, unigram_loss: log.unigram_val_loss,
        curve: log.evals.map((e) => ({ step: e[0], tokens: e[0] * perStep, loss: e[1] })) },
      heldout: { loss: held.val_loss, unigram_loss: held.unigram_val_loss, below_unigram: held.below_unigram,
        previous_token_heads: held.previous_token_heads.slice(0, 3), induction_gain: held.induction.gain },
    };
  });
  const corpus = fs.readFileSync("build/corpus/modern/sources.tsv", "utf8").trim().split("\n").map((l) => l.split("\t"));
  fs.writeFileSync(out, JSON.stringify({ command: "bash scripts/experiments/model_size_probe.sh " + process.argv[3],
    corpus: corpus.slice(1).map((r) => Object.fromEntries(corpus[0].map((k, i) => [k, i >= 4 ? Number(r[i]) : r[i]]))),
    runs }, null, 1) + "\n");
' "$work" scripts/experiments/model_size_probe.json "$steps"
node -e '
  const j = JSON.parse(require("fs").readFileSync("scripts/experiments/model_size_probe.json", "utf8"));
  for (const r of j.runs) {
    const last = r.validation.curve[r.validation.curve.length - 1];
    console.log(`${r.config.n_layer} layers x ${r.config.n_embd}: ${r.config.parameters} parameters, ${r.tokens} tokens in ${r.seconds.toFixed(0)} s; ` +
      `validation ${last.loss.toFixed(3)} (unigram ${r.validation.unigram_loss.toFixed(3)}); held-out ${r.heldout.loss.toFixed(3)} ` +
      `(unigram ${r.heldout.unigram_loss.toFixed(3)}, ${r.heldout.below_unigram.toFixed(3)} below)`);
  }'
