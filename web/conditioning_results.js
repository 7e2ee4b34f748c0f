// The conditioning experiment's verdicts (scripts/experiments/conditioning.sh, docs/science.md section 10), computed from its
// committed runs alike by the page's figure and by the script that writes the results. No DOM: plain data in, plain data out.
//   results.runs: { attention: 'softmax' | 'spectral', lambda, seed, step[], train_seconds[], val_loss[], attention_log10_kappa[],
//                   projection_log10_kappa: { q[], k[], v[] }, final_val_loss, final_heldout_loss }

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs) => ({ mean: mean(xs), min: Math.min(...xs), max: Math.max(...xs), values: xs });
const fixed = (v, d) => (Number.isFinite(v) ? v.toFixed(d) : String(v));

// How one configuration's values over seeds stand against the plain runs': 'lower' or 'higher' only when the ranges over seeds
// do not overlap, otherwise 'within the spread'.
export function compareRanges(a, b) {
  if (a.max < b.min) return 'lower';
  if (a.min > b.max) return 'higher';
  return 'within the spread';
}

// Where a run's validation curve first reaches `target`, linearly interpolated between logged points: { step, seconds } or null.
export function reachOf(run, target) {
  for (let i = 0; i < run.val_loss.length; ++i) {
    if (run.val_loss[i] > target) continue;
    if (i === 0) return { step: run.step[0], seconds: run.train_seconds[0] };
    const f = (run.val_loss[i - 1] - target) / (run.val_loss[i - 1] - run.val_loss[i]);
    const at = (xs) => xs[i - 1] + f * (xs[i] - xs[i - 1]);
    return { step: at(run.step), seconds: at(run.train_seconds) };
  }
  return null;
}

export const configLabel = (c) => (c.attention === 'softmax' ? 'plain softmax' : `spectral, L = ${c.lambda}`);

export function summarise(results) {
  const byKey = new Map();
  for (const r of results.runs) {
    const key = r.attention === 'softmax' ? 'softmax' : `spectral ${r.lambda}`;
    if (!byKey.has(key)) byKey.set(key, { key, attention: r.attention, lambda: r.attention === 'softmax' ? 0 : r.lambda, runs: [] });
    byKey.get(key).runs.push(r);
  }
  const configs = [...byKey.values()].sort((a, b) => (a.attention === b.attention ? a.lambda - b.lambda : a.attention === 'softmax' ? -1 : 1));
  const plain = configs.find((c) => c.attention === 'softmax');
  if (!plain) throw new Error('conditioning results: no plain softmax runs to compare with');
  for (const c of configs) {
    c.runs.sort((a, b) => a.seed - b.seed);
    c.label = configLabel(c);
    const steps = c.runs[0].step;
    if (c.runs.some((r) => r.step.join() !== steps.join()))
      throw new Error(`conditioning results: the ${c.label} runs logged different steps`);
    const curve = (pick) => steps.map((_, i) => spread(c.runs.map((r) => pick(r)[i])));
    c.step = steps;
    c.val_loss = curve((r) => r.val_loss);
    c.train_seconds = curve((r) => r.train_seconds);
    c.attention_log10_kappa = curve((r) => r.attention_log10_kappa);
    c.projection_log10_kappa = Object.fromEntries(['q', 'k', 'v'].map((b) => [b, curve((r) => r.projection_log10_kappa[b])]));
    c.final_val_loss = spread(c.runs.map((r) => r.final_val_loss));
    c.final_heldout_loss = spread(c.runs.map((r) => r.final_heldout_loss));
    c.seeds = c.runs.map((r) => r.seed);
    c.tokens_per_second = spread(c.runs.map((r) => r.tokens_per_second));
  }
  // the target: the worst final point of the plain runs' validation curves, which every plain seed reaches
  const target = Math.max(...plain.runs.map((r) => r.val_loss[r.val_loss.length - 1]));
  for (const c of configs) {
    const reached = c.runs.map((r) => reachOf(r, target));
    c.reached = reached.filter(Boolean).length;
    c.steps_to_target = c.reached === c.runs.length ? spread(reached.map((r) => r.step)) : null;
    c.seconds_to_target = c.reached === c.runs.length ? spread(reached.map((r) => r.seconds)) : null;
  }
  const last = (curve) => curve[curve.length - 1];
  const verdicts = [];
  const faster = [];
  for (const c of configs) {
    if (c === plain) continue;
    const loss = compareRanges(c.final_val_loss, plain.final_val_loss);
    const heldout = compareRanges(c.final_heldout_loss, plain.final_heldout_loss);
    const kappa = compareRanges(last(c.projection_log10_kappa.q), last(plain.projection_log10_kappa.q));
    const attention = compareRanges(last(c.attention_log10_kappa), last(plain.attention_log10_kappa));
    let speed;
    if (!c.steps_to_target) speed = `${c.reached} of ${c.runs.length} seeds reached it within ${last(c.step)} steps`;
    else {
      const steps = compareRanges(c.steps_to_target, plain.steps_to_target);
      const seconds = compareRanges(c.seconds_to_target, plain.seconds_to_target);
      speed = `it took ${fixed(c.steps_to_target.min, 0)}–${fixed(c.steps_to_target.max, 0)} steps ` +
        `(${fixed(c.seconds_to_target.min, 0)}–${fixed(c.seconds_to_target.max, 0)} s) against ${fixed(plain.steps_to_target.min, 0)}–` +
        `${fixed(plain.steps_to_target.max, 0)} (${fixed(plain.seconds_to_target.min, 0)}–${fixed(plain.seconds_to_target.max, 0)} s): ` +
        (steps === 'lower' ? 'fewer steps' : steps === 'higher' ? 'more steps' : 'steps within the spread') + ', ' +
        (seconds === 'lower' ? 'less time' : seconds === 'higher' ? 'more time' : 'time within the spread');
      if (steps === 'lower' && seconds === 'lower') faster.push(c);
    }
    const word = (cmp, lower, higher) => (cmp === 'lower' ? lower : cmp === 'higher' ? higher : 'within the spread over seeds');
    verdicts.push(`${c.label}: to reach the plain runs' worst final validation loss (${fixed(target, 3)}), ${speed}. ` +
      `Final validation loss ${fixed(c.final_val_loss.mean, 3)} (seeds ${fixed(c.final_val_loss.min, 3)}–${fixed(c.final_val_loss.max, 3)}) ` +
      `against ${fixed(plain.final_val_loss.mean, 3)} (${fixed(plain.final_val_loss.min, 3)}–${fixed(plain.final_val_loss.max, 3)}): ` +
      `${word(loss, 'lower', 'higher')}; held-out ${fixed(c.final_heldout_loss.mean, 3)} against ${fixed(plain.final_heldout_loss.mean, 3)}: ` +
      `${word(heldout, 'lower', 'higher')}. log10 κ(W_Q) at the end ${fixed(last(c.projection_log10_kappa.q).mean, 2)} against ` +
      `${fixed(last(plain.projection_log10_kappa.q).mean, 2)} (${word(kappa, 'lower', 'higher')}); median log10 κ of the attention ` +
      `matrices ${fixed(last(c.attention_log10_kappa).mean, 2)} against ${fixed(last(plain.attention_log10_kappa).mean, 2)} ` +
      `(${word(attention, 'lower', 'higher')}). Training throughput ${fixed(c.tokens_per_second.mean, 0)} tokens/s against ` +
      `${fixed(plain.tokens_per_second.mean, 0)} (conditioning adds one copy of the weights per step; the rest of a difference is the ` +
      'machine\'s, which ran two runs at a time).');
  }
  const seeds = plain.runs.length;
  // how each conditioned setting's final validation loss stands: ranges over seeds that do not overlap, or within the spread
  const byFinal = { lower: [], higher: [], 'within the spread': [] };
  for (const c of configs) if (c !== plain) byFinal[compareRanges(c.final_val_loss, plain.final_val_loss)].push(c.label);
  const finals = Object.entries(byFinal).filter(([, labels]) => labels.length)
    .map(([cmp, labels]) => `${labels.join(' and ')} ended with ${cmp === 'within the spread' ? 'a validation loss within the spread of the plain seeds'
      : `a ${cmp} validation loss than every plain seed`}`).join('; ');
  const answer = faster.length
    ? `Yes, here: ${faster.map((c) => c.label).join(' and ')} reached the plain runs' worst final validation loss in fewer steps ` +
      `and less training time than every plain seed (ranges over ${seeds} seeds that do not overlap). ${finals[0].toUpperCase()}${finals.slice(1)}.`
    : `No, not here: no conditioned setting reached the plain runs' worst final validation loss in fewer steps and less time ` +
      `than every plain seed (ranges over ${seeds} seeds). ${finals[0].toUpperCase()}${finals.slice(1)}.`;
  const named = `${answer} Measured on ${results.measured_on}.`;  // every verdict names its model
  return { configs, plain, target, verdicts: [named, ...verdicts], answer: named };
}
