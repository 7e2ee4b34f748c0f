// Collects the conditioning experiment's runs (scripts/experiments/conditioning.sh) into one JSON file, and prints the
// verdicts web/conditioning_results.js draws from it (the page's "Does conditioning attention train faster here?").
//   node scripts/experiments/conditioning-results.mjs WORK_DIR OUT.json
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { summarise } from '../../web/conditioning_results.js';

const [work, outPath] = process.argv.slice(2);
if (!work || !outPath) throw new Error('usage: node scripts/experiments/conditioning-results.mjs WORK_DIR OUT.json');
const runs = [];
let model = null, options = null;
for (const name of readdirSync(work).sort()) {
  const dir = join(work, name), logPath = join(dir, 'training_log.json');
  if (!existsSync(logPath)) continue;
  const log = JSON.parse(readFileSync(logPath, 'utf8'));
  if (log.final_val_loss === undefined) throw new Error(`${logPath}: the run did not finish`);
  const lines = readFileSync(join(dir, 'conditioning_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const { seed, attention, spectral_lambda: lambda, ...rest } = log.options;
  const { steps: _s, ...shared } = rest;
  if (!options) { model = log.config; options = { ...shared, steps: log.options.steps }; }
  runs.push({
    attention, lambda, seed,
    spectral_lambdas: log.spectral_lambdas ?? null,
    step: lines.map((l) => l.step),
    train_seconds: lines.map((l) => +l.train_seconds.toFixed(3)),
    val_loss: lines.map((l) => +l.val_loss.toFixed(5)),
    attention_log10_kappa: lines.map((l) => +l.attention_log10_kappa_median.toFixed(4)),
    // the median over layers of log10 kappa_2 of W_Q, W_K, W_V as the model uses them
    projection_log10_kappa: Object.fromEntries(['q', 'k', 'v'].map((b) => [b, lines.map((l) => +median(l[`log10_kappa_${b}`]).toFixed(4))])),
    final_val_loss: log.final_val_loss, final_heldout_loss: log.final_heldout_loss, heldout_tokens: log.heldout_tokens,
    tokens_per_second: log.steps_done * log.options.batch * log.options.seq_len / log.train_seconds,
    command: log.command,
  });
}
if (runs.length === 0) throw new Error(`${work}: no finished runs`);
const results = {
  experiment: 'Spectral conditioning of attention (W_Q, W_K, W_V used as W + lambda I) against plain softmax attention, ' +
    'the same model, data, steps and learning rate, 3 seeds each',
  measured_on: `attnlab train: GPT-2 of ${model.n_layer} layers x ${model.n_head} heads, ${model.n_embd} channels, context ` +
    `${model.n_positions}, ${model.parameters.toLocaleString('en')} parameters, trained from scratch on the modern-English corpus`,
  script: 'scripts/experiments/conditioning.sh',
  model, options,
  eval: 'validation loss on the first 32 validation windows every 25 steps; condition numbers of the attention matrices on the ' +
    'first 4; final losses on 128 validation and 128 held-out windows (sources never in training)',
  runs,
};
writeFileSync(outPath, JSON.stringify(results, null, 1) + '\n');
const s = summarise(results);
for (const line of s.verdicts) console.log(line);
console.log(`conditioning: ${runs.length} runs -> ${outPath}`);
