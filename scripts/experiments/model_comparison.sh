#!/usr/bin/env bash
# The shipped model beside the one it replaced (issue 25), measured the same way on the same texts:
#   held-out modern English (build/corpus/modern/heldout.txt, sources never in training) against a unigram fitted on
#   the training split, with previous-token heads and induction (attnlab eval);
#   selectivity over the page's held-out sample in 12 log-spaced bins of N (attnlab analyze selectivity);
#   attnlab's progressive replacement after PAPA, attention averaged over the training sample, heads ranked on validation
#   windows 65-128 and the curve evaluated on windows 1-64 (attnlab analyze papa; texts from scripts/training-sample.sh).
# The replaced model comes from git history (commit e0f1c29, models/tiny-gpt2). About 5 minutes a model on 2 cores.
# Then the held-out figures along the shipped model's training run: the same eval of its checkpoints at steps 100,
# 400 and 1,000 (scripts/experiments/papa_checkpoints.sh makes them, or keeps them from an earlier run).
# Writes scripts/experiments/model_comparison.json (the model card's comparison table and training curve).
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=2
# the checkpoints, and with them the corpus, the native build and the training sample
bash scripts/experiments/papa_checkpoints.sh >/dev/null
work=build/experiments/model-comparison
old_commit=e0f1c29
corpus=build/corpus/modern
mkdir -p "$work/replaced-model"
# written once: a fixed commit's files never change, so the results measured on them stay current
for f in config.json model.safetensors vocab.json merges.txt; do
  [ -s "$work/replaced-model/$f" ] || git show "$old_commit:models/tiny-gpt2/$f" > "$work/replaced-model/$f"
done

# cached OUT MODEL COMMAND...: COMMAND's output into OUT, unless OUT is newer than MODEL's weights. The one rule for
# every result kept between runs (rm -rf build/experiments/model-comparison redoes them all).
cached() {
  local out=$1 model=$2
  shift 2
  [ "$out" -nt "$model/model.safetensors" ] && return
  "$@" > "$out.tmp"
  mv "$out.tmp" "$out"
}
# loss on held-out text against the training split's unigram, previous-token heads and induction (the slow part)
heldout_eval() {
  build/native/attnlab eval --model "$1" --corpus "$corpus/train.txt" --val-corpus "$corpus/heldout.txt" --val-fraction 0
}

for name in replaced shipped; do
  model=$([ "$name" = shipped ] && echo models/tiny-gpt2 || echo "$work/replaced-model")
  cached "$work/$name-eval.json" "$model" heldout_eval "$model"
  cached "$work/$name-selectivity.json" "$model" build/native/attnlab analyze selectivity --model "$model" \
    --text-file build/averages/page-sample.txt --bins 12 --loss false
  # the shipped model's averages ship beside it, made from the same sample the same way (scripts/shipped-averages.sh)
  averages=(--corpus build/averages/training-sample.txt --window 32 --max-windows 20000)
  [ "$name" = shipped ] && averages=(--averages models/tiny-gpt2/constant_attention.safetensors)
  cached "$work/$name-papa.json" "$model" build/native/attnlab analyze papa --model "$model" "${averages[@]}" \
    --eval build/averages/held-out.txt --eval-windows 64 --rank-windows 64
done
checkpoints=(100 400 1000)
for step in "${checkpoints[@]}"; do
  model=build/experiments/papa-checkpoints/step$step
  cached "$work/step$step-eval.json" "$model" heldout_eval "$model"
done
node -e '
  const fs = require("fs"), [work, ...steps] = process.argv.slice(1), read = (f) => JSON.parse(fs.readFileSync(`${work}/${f}`, "utf8"));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const heldout = (e) => ({ tokens: e.val_tokens, loss: e.val_loss, unigram_loss: e.unigram_val_loss, below_unigram: e.below_unigram,
    previous_token_heads: e.previous_token_heads.slice(0, 3), induction_gain: e.induction.gain,
    induction_gain_seen_tokens: e.induction_seen_tokens.gain });
  const models = ["replaced", "shipped"].map((name) => {
    const e = read(`${name}-eval.json`), s = read(`${name}-selectivity.json`), p = read(`${name}-papa.json`);
    const last = (a) => a[a.length - 1], half = (a) => a[a.length >> 1];
    return { name, heldout: heldout(e),
      selectivity: { tokens: s.tokens, bins: [s.bins[0], last(s.bins)],
        layers: s.layers.map((l) => ({ layer: l.layer, entropy_norm_median: [l.binned.entropy_norm.median[0], last(l.binned.entropy_norm.median)] })),
        heads_entropy_norm_median: median(s.heads.map((h) => h.entropy_norm)), heads_p_max_above_half: s.heads.filter((h) => h.p_max > 0.5).length },
      papa: { baseline_loss: p.baseline.loss, heads: p.heads, all_heads: last(p.by_cost.relative_perplexity_increase),
        all_heads_interval: [last(p.by_cost.relative_low), last(p.by_cost.relative_high)], evaluated: p.evaluated.text, ranked_on: p.ranked_on.text,
        half_by_cost: half(p.by_cost.relative_perplexity_increase), half_by_constancy: half(p.by_constancy.relative_perplexity_increase) } };
  });
  const curve = [...steps.map((s) => ({ step: Number(s), ...heldout(read(`step${s}-eval.json`)) })),
    { step: 2500, ...models[1].heldout }];
  fs.writeFileSync("scripts/experiments/model_comparison.json", JSON.stringify({ command: "bash scripts/experiments/model_comparison.sh",
    replaced: "models/tiny-gpt2 at commit e0f1c29 (King James Bible + Jargon File)", models, shipped_training_curve: curve }, null, 1) + "\n");
  for (const m of models) console.log(`${m.name}: held-out ${m.heldout.loss.toFixed(3)} (unigram ${m.heldout.unigram_loss.toFixed(3)}); ` +
    `every head constant ${(100 * m.papa.all_heads).toFixed(1)}% [${m.papa.all_heads_interval.map((v) => (100 * v).toFixed(1)).join(", ")}]; median head entropy ${m.selectivity.heads_entropy_norm_median.toFixed(3)}`);
' "$work" "${checkpoints[@]}"
