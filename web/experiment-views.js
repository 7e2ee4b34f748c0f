// Views of two experiments (docs/science.md sections 5 and 6): PAPA's progressive curve (heads replaced by their
// averaged attention in ranked order, k = 0 .. every head) and hard-max attention as exact memory lookup
// (parabolic keys through the hull index against the linear scan). Data: the CLI's JSON (analyze papa,
// analyze lookup).
import { linePlot, PALETTE } from './plot.js';
import { fixed } from './format.js';

const fmt = (v, d = 2) => fixed(v, d);
const pct = (v, d = 1) => `${v >= 0 ? '+' : ''}${fmt(100 * v, d)}%`;

// heldOut: true when the averages came from other text than the one evaluated (the shipped training averages)
export function papaFigures({ papa, heldOut, modelLabel }) {
  const ks = papa.k;
  const curves = [['ranked by cost', papa.by_cost], ['ranked by constancy', papa.by_constancy]];
  const low = (c) => c.relative_perplexity_increase.reduce((best, v, i) => (v < best.v ? { v, k: ks[i] } : best), { v: Infinity, k: 0 });
  const half = Math.floor(papa.heads / 2);
  const at = (c, k) => c.relative_perplexity_increase[ks.indexOf(k)];
  const source = heldOut
    ? `averaged over ${papa.averaged_windows} windows of ${papa.window} tokens of ${modelLabel}'s training text, and evaluated on your text, which they never saw (PAPA's protocol)`
    : `averaged over ${papa.averaged_windows} windows of ${papa.window} tokens of this very text and evaluated on it (in-sample, which flatters constant attention)`;
  const halfNote = ks.includes(half)
    ? ` With half the heads (${half}) constant: ${pct(at(papa.by_cost, half))} by cost, ${pct(at(papa.by_constancy, half))} by constancy.`
    : '';
  return [{
    name: 'papa-curve',
    svg: linePlot({ title: `PAPA on ${modelLabel}: heads made constant in ranked order`,
      xLabel: 'k = heads replaced by their averaged attention', yLabel: 'relative perplexity increase (%)',
      series: curves.map(([name, c], i) => ({ name, x: ks, y: c.relative_perplexity_increase.map((v) => 100 * v), color: PALETTE[i] })),
      refs: [{ name: 'no change', x: [ks[0], ks[ks.length - 1]], y: [0, 0] }] }),
    caption: 'PAPA (Hassid et al. 2022) replaces heads by their attention averaged over training text, in ranked order, ' +
      `and asks how much perplexity rises. Here the averages were ${source}. Each point: the k first heads of a ranking ` +
      'replaced at once. By cost: the head whose replacement alone costs least goes first; by constancy: the head whose ' +
      `attention is nearest its average goes first. Loss over ${papa.eval_tokens} evaluated tokens.`,
    finding: `Every head constant: ${pct(papa.by_cost.relative_perplexity_increase[ks.length - 1])} perplexity ` +
      `(${fmt(papa.baseline.perplexity, 1)} → ${fmt(Math.exp(papa.by_cost.loss[ks.length - 1]), 1)}).${halfNote} ` +
      `Lowest point of the cost ranking: ${pct(low(papa.by_cost).v)} at k = ${low(papa.by_cost).k}.`,
    csv: [['k', 'loss_by_cost', 'rel_ppl_by_cost', 'loss_by_constancy', 'rel_ppl_by_constancy'],
      ...ks.map((k, i) => [k, papa.by_cost.loss[i], papa.by_cost.relative_perplexity_increase[i],
        papa.by_constancy.loss[i], papa.by_constancy.relative_perplexity_increase[i]])],
    json: papa,
  }];
}

// PAPA's "better models lose more" along the shipped model's training run (scripts/experiments/papa_checkpoints.sh,
// committed results): the same curve at several steps, each model with its own averages over the same training sample.
export function papaCheckpointFigure(results) {
  const models = results.models;
  const last = (a) => a[a.length - 1];
  const lossOf = (m) => m.held_out_loss;
  const series = models.flatMap((m, i) => [
    { name: `step ${m.step}, by cost`, x: m.papa.k, y: m.papa.by_cost.relative_perplexity_increase.map((v) => 100 * v), color: PALETTE[i] },
    { name: `step ${m.step}, by constancy`, x: m.papa.k, y: m.papa.by_constancy.relative_perplexity_increase.map((v) => 100 * v),
      color: PALETTE[i], dash: '5 3' },
  ]);
  const byQuality = [...models].sort((a, b) => lossOf(b) - lossOf(a));  // worst first
  const drops = byQuality.map((m) => last(m.papa.by_cost.relative_perplexity_increase));
  const rising = drops.every((d, i) => i === 0 || d > drops[i - 1]);
  return {
    name: 'papa-checkpoints',
    svg: linePlot({ title: 'PAPA along tiny-gpt2\'s training: do better models lose more?', xLabel: 'k = heads made constant',
      yLabel: 'relative perplexity increase (%)', series, refs: [{ name: 'no change', x: [0, models[0].papa.heads], y: [0, 0] }] }),
    caption: `The PAPA curve (as above) for ${models.length} checkpoints of the shipped model's own training run, steps ` +
      `${models.map((m) => m.step.toLocaleString('en-US')).join(', ')} of ${results.total_steps.toLocaleString('en-US')} ` +
      '(the last is the shipped model), each with its attention averaged over the same sample of the training split and ' +
      `evaluated on the same held-out text (${results.evaluated_on}). Committed results of \`${results.command}\`; they ` +
      'do not depend on the text in the box.',
    finding: `Held-out loss, and perplexity with every head constant: ${models.map((m) => `step ${m.step}: ${fmt(lossOf(m), 3)} nats, ` +
      `${pct(last(m.papa.by_cost.relative_perplexity_increase))}`).join('; ')}. ` +
      (rising ? 'Here the better the model, the more it loses, as PAPA found.'
        : 'Here the loss from constant attention does not grow steadily with model quality, unlike PAPA\'s finding.'),
    csv: [['step', 'k', 'rel_ppl_by_cost', 'rel_ppl_by_constancy'], ...models.flatMap((m) => m.papa.k.map((k, i) =>
      [m.step, k, m.papa.by_cost.relative_perplexity_increase[i], m.papa.by_constancy.relative_perplexity_increase[i]]))],
    json: results,
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
    svg: linePlot({ title: 'Hard-max memory lookup: time per read, hull index against linear scan', xLabel: 'n = values stored',
      yLabel: 'nanoseconds per read', xLog: true, yLog: true,
      series: [
        { name: 'hull index (write + read)', x: n, y: runs.map((r) => r.hull_ns_per_step), color: PALETTE[0] },
        { name: 'linear scan (read)', x: n, y: runs.map((r) => r.scan_ns_per_read), color: PALETTE[1] },
      ] }),
    caption: 'A 2-D hard-max head writes value v_j under the key (2j, −j²) and reads position i with the query (i, 1): ' +
      'q·k_j = i² − (i − j)², largest at j = i alone, so attention returns v_i exactly. The keys\' convex hull answers each ' +
      'read in O(log n); the linear scan looks at every key. Values: this text\'s token ids, repeated to each length; ' +
      `after each write one position drawn at random is read. Ties (none here): ${lookup.tie_rule}, in the hull index ` +
      'and the hard-max normaliser alike.',
    finding: `${exact ? 'Every read was exact' : 'NOT every read was exact'}: ${runs.map((r) => `n = ${r.length.toLocaleString('en')}: ` +
      `${r.exact.toLocaleString('en')} of ${r.length.toLocaleString('en')} reads, scan agrees on ${r.scan_agrees} of ${r.scan_checked}`).join('; ')}. ` +
      `At n = ${last.length.toLocaleString('en')}: ${fmt(last.hull_ns_per_step / 1000, 2)} µs per step through the hull, ` +
      `${fmt(last.scan_ns_per_read / 1000, 1)} µs per read by scan (timed in this browser). First reads: ${trace}.`,
    csv: [['length', 'exact', 'scan_checked', 'scan_agrees', 'hull_ns_per_step', 'scan_ns_per_read'],
      ...runs.map((r) => [r.length, r.exact, r.scan_checked, r.scan_agrees, r.hull_ns_per_step, r.scan_ns_per_read])],
    json: lookup,
  }];
}
