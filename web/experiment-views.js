// Views of two experiments (docs/science.md sections 5 and 6): attnlab's progressive replacement after PAPA (heads
// replaced by their averaged attention in ranked order, k = 0 .. every head) and hard-max attention as exact memory lookup
// (parabolic keys through the hull index against the linear scan). Data: the CLI's JSON (analyze papa,
// analyze lookup).
import { linePlot, PALETTE } from './plot.js';
import { count, fixed } from './format.js';
import { VERSION } from './provenance.js';
import { summarise } from './conditioning_results.js';

const fmt = (v, d = 2) => fixed(v, d);
const pct = (v, d = 1) => `${v >= 0 ? '+' : ''}${fmt(100 * v, d)}%`;

const interval = (c, i) => `[${pct(c.relative_low[i])}, ${pct(c.relative_high[i])}]`;
const band = (c) => ({ lo: c.relative_low.map((v) => 100 * v), hi: c.relative_high.map((v) => 100 * v) });

// heldOut: true when the averages came from other text than the one evaluated (the shipped training averages)
export function papaFigures({ papa, heldOut, modelLabel }) {
  const ks = papa.k;
  const curves = [['ranked by cost', papa.by_cost], ['ranked by constancy', papa.by_constancy]];
  const low = (c) => c.relative_perplexity_increase.reduce((best, v, i) => (v < best.v ? { v, i } : best), { v: Infinity, i: 0 });
  const half = Math.floor(papa.heads / 2);
  const last = ks.length - 1;
  const source = heldOut
    ? `averaged over ${count(papa.averaged_windows)} windows of ${papa.window} tokens of ${modelLabel}'s training text, which never saw your text`
    : `averaged over ${count(papa.averaged_windows)} windows of ${papa.window} tokens of this very text (in-sample, which flatters constant attention)`;
  const halfNote = ks.includes(half)
    ? ` With half the heads (${half}) constant: ${pct(papa.by_cost.relative_perplexity_increase[ks.indexOf(half)])} ` +
      `${interval(papa.by_cost, ks.indexOf(half))} by cost, ${pct(papa.by_constancy.relative_perplexity_increase[ks.indexOf(half)])} ` +
      `${interval(papa.by_constancy, ks.indexOf(half))} by constancy.`
    : '';
  const cheapest = low(papa.by_cost);
  return [{
    name: 'papa-curve',
    svg: linePlot({ title: 'Heads made constant in ranked order',
      xLabel: 'k = heads replaced by their averaged attention', yLabel: 'relative perplexity increase (%)',
      series: curves.map(([name, c], i) => ({ name, x: ks, y: c.relative_perplexity_increase.map((v) => 100 * v), color: PALETTE[i], band: band(c),
        describe: (j) => `k = ${ks[j]}: ${pct(c.relative_perplexity_increase[j])}, 95% interval ${interval(c, j)}` })),
      refs: [{ name: 'no change', x: [ks[0], ks[last]], y: [0, 0] }] }),
    caption: `attnlab's progressive replacement on ${modelLabel}, after PAPA (Hassid et al. 2022): heads are replaced by their averaged ` +
      `attention in ranked order, and the perplexity rise is measured. Here the averages were ${source}. The heads are ranked ` +
      `on ${papa.ranked_on.text} (${count(papa.ranked_on.tokens)} tokens) and the curve is evaluated on ${papa.evaluated.text} ` +
      `(${count(papa.evaluated.tokens)} tokens). By cost: the head whose replacement alone costs least goes first; by constancy: the ` +
      'head whose attention is nearest its average goes first. Bands: 95% bootstrap intervals over the evaluated windows. ' +
      'Unlike PAPA, no head gate is trained and no probe re-fitted.',
    finding: `Every head constant: ${pct(papa.by_cost.relative_perplexity_increase[last])} ${interval(papa.by_cost, last)} perplexity ` +
      `(${fmt(papa.baseline.perplexity, 1)} → ${fmt(Math.exp(papa.by_cost.loss[last]), 1)}), over ${count(papa.evaluated.windows)} evaluated ` +
      `window${papa.evaluated.windows === 1 ? ' (one window: no interval)' : papa.evaluated.windows < 10
        ? 's (under 10: a rough interval; a longer text gives a firmer one)' : 's'}.${halfNote} ` +
      `Lowest point of the cost ranking: ${pct(cheapest.v)} ${interval(papa.by_cost, cheapest.i)} at k = ${ks[cheapest.i]}.`,
    csv: [['k', 'loss_by_cost', 'rel_ppl_by_cost', 'rel_ppl_by_cost_low', 'rel_ppl_by_cost_high',
      'loss_by_constancy', 'rel_ppl_by_constancy', 'rel_ppl_by_constancy_low', 'rel_ppl_by_constancy_high'],
    ...ks.map((k, i) => [k, ...[papa.by_cost, papa.by_constancy].flatMap((c) =>
      [c.loss[i], c.relative_perplexity_increase[i], c.relative_low[i], c.relative_high[i]])])],
    json: papa,
  }];
}

// "Do better models lose more?" along the shipped model's training run (scripts/experiments/papa_checkpoints.sh,
// committed results): the same curve at several steps, each checkpoint with its own averages over the same training
// sample, ranked and evaluated on the same held-out windows. One run, one seed, one size: a series, not PAPA's
// comparison of different pretrained models.
export function papaCheckpointFigure(results) {
  const models = results.models;
  const end = (m) => m.papa.k.length - 1;
  const series = models.flatMap((m, i) => [
    { name: `step ${m.step}, by cost`, x: m.papa.k, y: m.papa.by_cost.relative_perplexity_increase.map((v) => 100 * v), color: PALETTE[i],
      band: band(m.papa.by_cost) },
    { name: `step ${m.step}, by constancy`, x: m.papa.k, y: m.papa.by_constancy.relative_perplexity_increase.map((v) => 100 * v),
      color: PALETTE[i], dash: '5 3' },
  ]);
  const byQuality = [...models].sort((a, b) => b.held_out_loss - a.held_out_loss);  // worst first
  const drops = byQuality.map((m) => m.papa.by_cost.relative_perplexity_increase[end(m)]);
  const rising = drops.every((d, i) => i === 0 || d > drops[i - 1]);
  const [worst, best] = [byQuality[0], byQuality[byQuality.length - 1]];
  const apart = best.papa.by_cost.relative_low[end(best)] > worst.papa.by_cost.relative_high[end(worst)];
  const verdict = rising && apart
    ? `Along this run, the better the checkpoint, the more it loses with every head constant, and the best and worst checkpoints' intervals do not overlap.`
    : rising
      ? `Along this run the loss with every head constant rises with quality, but the best and worst checkpoints' intervals overlap: no ordering can be claimed.`
      : `Along this run the loss with every head constant does not rise steadily with quality.`;
  return {
    name: 'papa-checkpoints',
    svg: linePlot({ title: 'Along training: do better checkpoints lose more?', xLabel: 'k = heads made constant',
      yLabel: 'relative perplexity increase (%)', series, refs: [{ name: 'no change', x: [0, models[0].papa.heads], y: [0, 0] }] }),
    caption: `The curve above for ${models.length} checkpoints of the shipped model's own training run, steps ` +
      `${models.map((m) => m.step.toLocaleString('en-US')).join(', ')} of ${results.total_steps.toLocaleString('en-US')} ` +
      '(the last is the shipped model): one run, one seed, one model size, so a series of one model\'s quality, not PAPA\'s ' +
      'comparison of different pretrained models. Each checkpoint\'s attention is averaged over the same sample of the training ' +
      `split; all are ranked and evaluated on the same held-out text (${results.evaluated_on}). Bands: 95% bootstrap intervals ` +
      `of the cost ranking over the evaluated windows. Committed results of \`${results.command}\`; they do not depend on the text in the box.`,
    finding: `Held-out loss, and perplexity with every head constant: ${models.map((m) => `step ${m.step}: ${fmt(m.held_out_loss, 3)} nats, ` +
      `${pct(m.papa.by_cost.relative_perplexity_increase[end(m)])} ${interval(m.papa.by_cost, end(m))}`).join('; ')}. ${verdict}`,
    csv: [['step', 'k', 'rel_ppl_by_cost', 'rel_ppl_by_cost_low', 'rel_ppl_by_cost_high', 'rel_ppl_by_constancy',
      'rel_ppl_by_constancy_low', 'rel_ppl_by_constancy_high'], ...models.flatMap((m) => m.papa.k.map((k, i) =>
      [m.step, k, ...[m.papa.by_cost, m.papa.by_constancy].flatMap((c) => [c.relative_perplexity_increase[i], c.relative_low[i], c.relative_high[i]])]))],
    json: results,
    // committed results, not the text in the box
    provenance: { attnlab: VERSION, view: 'papa', source: `committed results of ${results.command}`, model: 'tiny-gpt2 checkpoints',
      averaged_over: results.averaged_over, evaluated_on: results.evaluated_on, temperature: 'not used: computed at T = 1' },
  };
}

export function lookupFigures({ lookup }) {
  const runs = lookup.runs;
  const n = runs.map((r) => r.length);
  const exact = runs.every((r) => r.exact === r.length && r.scan_agrees === r.scan_checked);
  const last = runs[runs.length - 1];
  const trace = lookup.trace.slice(0, 8).map((s) => `step ${s.step}: read ${s.asked} → key ${s.found}, token id ${s.value}`).join('; ');
  return [{
    name: 'lookup-time',
    svg: linePlot({ title: 'Memory lookup: time per read, hull vs linear scan', xLabel: 'n = values stored',
      yLabel: 'nanoseconds per read', xLog: true, yLog: true,
      series: [
        { name: 'hull index (write + read)', x: n, y: runs.map((r) => r.hull_ns_per_step), color: PALETTE[0] },
        { name: 'linear scan (read)', x: n, y: runs.map((r) => r.scan_ns_per_read), color: PALETTE[1] },
      ] }),
    caption: 'A 2-D hard-max head writes value vⱼ under the key (2j, −j²) and reads position i with the query (i, 1): ' +
      'q·kⱼ = i² − (i − j)², largest at j = i alone, so attention returns vᵢ exactly. The keys\' convex hull answers each ' +
      'read in O(log n); the linear scan looks at every key. Values: this text\'s token ids, repeated to each length; ' +
      `after each write one position drawn at random is read. Ties (none here): ${lookup.tie_rule}, in the hull index ` +
      'and the hard-max normaliser alike.',
    finding: `${exact ? 'Every read was exact' : 'NOT every read was exact'}: ${runs.map((r) => `n = ${r.length.toLocaleString('en')}: ` +
      `${r.exact.toLocaleString('en')} of ${r.length.toLocaleString('en')} reads, scan agrees on ${r.scan_agrees} of ${r.scan_checked}`).join('; ')}. ` +
      `At n = ${last.length.toLocaleString('en')}: ${count(last.hull_ns_per_step)} ns per step through the hull, ` +
      `${count(last.scan_ns_per_read)} ns per read by scan (timed in this browser). First reads: ${trace}.`,
    csv: [['length', 'exact', 'scan_checked', 'scan_agrees', 'hull_ns_per_step', 'scan_ns_per_read'],
      ...runs.map((r) => [r.length, r.exact, r.scan_checked, r.scan_agrees, r.hull_ns_per_step, r.scan_ns_per_read])],
    json: lookup,
  }];
}

// "Does conditioning attention train faster here?" (scripts/experiments/conditioning.sh, committed results; docs/science.md
// section 10): the same small GPT-2 trained plainly and with spectral conditioning (W_Q, W_K, W_V used as W + lambda I) at
// three lambdas, 3 seeds each. Lines: the mean over seeds; bands: the lowest and highest seed. The verdicts come from
// conditioning_results.js, which the script that wrote the results prints too.
export function conditioningTrainingFigures(results) {
  const s = summarise(results);
  const color = (i) => PALETTE[i % PALETTE.length];
  const seeds = s.plain.runs.length;
  const curve = (c, key, pick = (x) => x) => ({ y: c[key].map((v) => pick(v.mean)), band: { lo: c[key].map((v) => pick(v.min)), hi: c[key].map((v) => pick(v.max)) } });
  const lambdas = s.configs.filter((c) => c.attention === 'spectral').map((c) => c.lambda).join(', ');
  const source = `Committed results of \`${results.script}\` (${results.measured_on}; ${results.options.steps} steps of ` +
    `${results.options.batch} windows of ${results.options.seq_len} tokens, learning rate ${results.options.lr}, ${seeds} seeds per setting). ` +
    'They do not depend on the loaded model or the text in the box.';
  const method = 'Spectral conditioning is attnlab\'s reading of Saratchandran and Lucey (arXiv 2603.07162): every layer\'s W_Q, W_K and ' +
    `W_V are used as W + λI, λ fixed before training at L times each block's largest singular value at initialisation (L = ${lambdas}); ` +
    'the preconditioner C(Q, K, V) of arXiv 2603.27153 is not implemented, because no public source gives it.';
  const provenance = { attnlab: VERSION, view: 'conditioning', source: `committed results of ${results.script}`,
    model: results.measured_on, evaluated_on: results.eval, temperature: 'not used: training at T = 1' };
  const csvRuns = [['attention', 'lambda', 'seed', 'step', 'train_seconds', 'val_loss', 'attention_log10_kappa_median',
    'log10_kappa_q', 'log10_kappa_k', 'log10_kappa_v'], ...results.runs.flatMap((r) => r.step.map((st, i) => [r.attention, r.lambda, r.seed, st,
    r.train_seconds[i], r.val_loss[i], r.attention_log10_kappa[i], r.projection_log10_kappa.q[i], r.projection_log10_kappa.k[i],
    r.projection_log10_kappa.v[i]]))];
  const targetRef = (xs) => ({ name: `target: the plain runs' worst final loss (${fixed(s.target, 3)})`, x: [Math.min(...xs), Math.max(...xs)],
    y: [s.target, s.target], dash: '2 3' });
  // the loss from the first logged step after the warm-up on: the first steps' 8 to 10.8 nats would flatten every difference
  // that matters (the CSV and JSON hold every point)
  const warmup = results.options.warmup ?? 0;
  const trimmed = s.configs.map((c) => {
    const from = Math.max(0, c.step.findIndex((st) => st > warmup));
    return { ...c, step: c.step.slice(from), val_loss: c.val_loss.slice(from), train_seconds: c.train_seconds.slice(from) };
  });
  const lossSeries = (x) => trimmed.map((c, i) => ({ name: c.label, x: x(c), ...curve(c, 'val_loss'), color: color(i),
    describe: (j) => `${c.label}, step ${c.step[j]}: validation loss ${fixed(c.val_loss[j].mean, 3)} ` +
      `(seeds ${fixed(c.val_loss[j].min, 3)}–${fixed(c.val_loss[j].max, 3)})` }));
  const steps = trimmed[0].step;
  const limit = Math.log10(1 / (results.options.seq_len * Number.EPSILON));  // log10_kappa's cap for a T x T matrix
  const byStep = {
    name: 'conditioning-training-loss',
    svg: linePlot({ title: 'Does conditioning attention train faster here? Validation loss against step', xLabel: 'optimizer step',
      yLabel: 'validation loss (nats)', series: lossSeries((c) => c.step), refs: [targetRef(steps)] }),
    caption: `${method} Measured: ${results.eval}; drawn from the first logged step after the ${warmup} warm-up steps. Line: the mean ` +
      `over ${seeds} seeds, band: the lowest to the highest seed. ${source}`,
    finding: s.answer,
    csv: csvRuns,
    json: results,
    provenance,
  };
  const seconds = trimmed.flatMap((c) => c.train_seconds.map((v) => v.mean));
  const byTime = {
    name: 'conditioning-training-time',
    svg: linePlot({ title: 'Validation loss against training time', xLabel: 'seconds in training steps (1 thread; mean over seeds)',
      yLabel: 'validation loss (nats)', series: lossSeries((c) => c.train_seconds.map((v) => v.mean)), refs: [targetRef(seconds)] }),
    caption: 'The same curves against the time spent in training steps, evaluations left out: conditioning adds one copy of the ' +
      'weights per step. Two runs trained at a time on this project\'s 2-core machine, so times vary by several per cent between runs. ' +
      source,
    finding: s.verdicts.slice(1).join(' '),
    csv: csvRuns,
    json: results,
    provenance,
  };
  const kappa = {
    name: 'conditioning-training-kappa',
    svg: linePlot({ title: 'Condition numbers during training', xLabel: 'optimizer step', yLabel: 'log10 κ₂',
      series: s.configs.flatMap((c, i) => [
        { name: `${c.label}: attention matrices`, x: c.step, ...curve(c, 'attention_log10_kappa'), color: color(i) },
        { name: `${c.label}: W_Q`, x: c.step, ...curve(c.projection_log10_kappa, 'q'), color: color(i), dash: '5 3' },
      ]),
      refs: [{ name: 'double precision limit (numerically singular)', x: [0, results.options.steps], y: [limit, limit], dash: '2 3' }] }),
    caption: 'Solid: the median log10 κ₂ of the attention matrices (each head\'s full causal 128 × 128 softmax, recomputed in double) ' +
      'over the heads of every layer and 4 fixed validation windows. Dashed: log10 κ₂ of W_Q as the model uses it (W + λI when ' +
      'conditioned), the median over layers; W_K and W_V are in the CSV. Line: the mean over seeds, band: lowest to highest. ' +
      `A matrix whose σ_min is lost in double rounding counts at the limit, log10(1 / (${results.options.seq_len} ε)) = ${fixed(limit, 2)}: ` +
      'a median there means at least half the matrices are numerically singular. ' + source,
    finding: s.configs.map((c) => `${c.label}: attention ${fixed(c.attention_log10_kappa.at(-1).mean, 2)}, W_Q ` +
      `${fixed(c.projection_log10_kappa.q.at(-1).mean, 2)}, W_K ${fixed(c.projection_log10_kappa.k.at(-1).mean, 2)}, W_V ` +
      `${fixed(c.projection_log10_kappa.v.at(-1).mean, 2)} (log10 κ₂ at step ${c.step.at(-1)})`).join('; ') + '.',
    csv: csvRuns,
    json: results,
    provenance,
  };
  return [byStep, byTime, kappa];
}
