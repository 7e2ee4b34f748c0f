// Views of the other findings (docs/science.md sections 4 to 7): how each
// normaliser changes loss and selectivity, how ill-conditioned attention matrices are, and how often hard-max
// through the 2-D hull index finds the true argmax. Data: the CLI's JSON (analyze selectivity --normaliser,
// analyze conditioning, analyze hardmax).
import { heatmap, linePlot, PALETTE } from './plot.js';
import { count, exponential, fixed, pow10 } from './format.js';

export const NORMALISERS = ['softmax', 'topk:4', 'sparsemax', 'entmax15', 'hardmax'];
const fmt = (v, d = 2) => fixed(v, d);
const signed = (v, d = 3) => `${v >= 0 ? '+' : ''}${fmt(v, d)}`;
const range = (n, from = 1) => Array.from({ length: n }, (_, i) => i + from);

// The mean over layers of the layers' medians, at each N.
function layerMean(report, key) {
  const N = report.positions;
  return range(N).map((_, i) => {
    const v = report.layers.map((l) => l[key].median[i]).filter(Number.isFinite);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  });
}

export function normaliserFigures({ normalisers }) {
  const N = normalisers[0].positions;
  const xs = range(N);
  const curves = normalisers.map((r) => layerMean(r, 'entropy_norm'));
  const names = normalisers.map((r) => r.normaliser.name);
  return [{
    name: 'normalisers-selectivity',
    svg: linePlot({ title: 'Normalised entropy against N, every head under each normaliser', xLabel: 'N = tokens competing',
      yLabel: 'H / log N (mean of layer medians)', xLog: N > 16, yDomain: [0, 1],
      series: normalisers.map((r, i) => ({ name: names[i], x: xs, y: curves[i], color: PALETTE[i % PALETTE.length] })) }),
    caption: 'Swapping softmax for sparser normalisers in every head of the loaded model: top-k softmax, sparsemax and ' +
      'entmax-1.5 give exact zeros, hard-max keeps one token. Lower curves are more selective; the loss says what that costs ' +
      'a model trained with softmax.',
    finding: `Loss on this text: ${normalisers.map((r, i) => `${names[i]} ${fmt(r.loss, 3)}`).join(', ')}.`,
    csv: [['N', ...names], ...xs.map((n, j) => [n, ...curves.map((c) => c[j])])],
    json: normalisers.map((r, i) => ({ normaliser: r.normaliser, loss: r.loss, entropy_norm_mean_of_layer_medians: curves[i] })),
  }];
}

export function conditioningFigures({ conditioning, info }) {
  const { lengths, layers } = conditioning;
  const limit = conditioning.log10_kappa_limit;
  const fig1 = {
    name: 'conditioning-kappa',
    svg: linePlot({ title: 'Condition number of attention matrices against length', xLabel: 'length L (prefix block)',
      yLabel: 'log10 κ₂', xLog: true,
      series: [
        ...layers.map((l, i) => ({ name: `layer ${l.layer}`, x: lengths, y: l.log10_kappa.median, color: PALETTE[i % PALETTE.length],
          band: { lo: l.log10_kappa.q1, hi: l.log10_kappa.q3 } })),
        ...layers.map((l, i) => ({ name: `L${l.layer} row-equilibrated`, x: lengths, y: l.log10_kappa_preconditioned.median,
          color: PALETTE[i % PALETTE.length], dash: '4 3' })),
        ...layers.map((l, i) => ({ name: `L${l.layer} bound 1/min Aᵢᵢ`, x: lengths, y: l.log10_causal_bound.median,
          color: PALETTE[i % PALETTE.length], dash: '1 3' })),
      ],
      refs: [{ name: 'double precision limit', x: lengths, y: limit },
        { name: 'float32 limit', x: lengths, y: lengths.map(() => conditioning.log10_float_resolution), dash: '2 3' }] }),
    caption: 'Tests the claim that attention matrices are ill-conditioned: κ₂ = σ_max / σ_min of each head\'s attention matrix ' +
      '(its L × L prefix block), median and quartiles over heads and windows, and after the preconditioner this page uses: ' +
      'row equilibration, C = diag(1 / ‖Aᵢ‖₂), the classic cheap diagonal scaling (attnlab\'s choice of preconditioner). The ' +
      'weights are recomputed in double from the model\'s scores at T = 1. Dotted: the causal lower bound 1/minᵢ Aᵢᵢ, which ' +
      'every causal attention matrix meets (its eigenvalues are its diagonal, and rows sum to 1), so a large κ₂ is partly the ' +
      'causal structure itself. Above the dotted "float32 limit" line (2²⁴, for scores with |s|/T ≤ 1) κ₂ is beyond what ' +
      'float32 scores resolve; blocks whose σ_min is lost in ' +
      'double rounding count at the double precision limit. These are attnlab\'s measures of the claim, not a paper\'s figure.',
    finding: layers.map((l) => `layer ${l.layer}: κ₂ ≈ ${pow10(l.log10_kappa.median[0])} at L = ${lengths[0]}, ` +
      `${pow10(l.log10_kappa.median[lengths.length - 1])} at L = ${lengths[lengths.length - 1]} ` +
      `(${fmt(100 * l.numerically_singular[lengths.length - 1], 0)}% numerically singular, ` +
      `${fmt(100 * l.beyond_float_resolution[lengths.length - 1], 0)}% beyond float resolution; causal bound ` +
      `${pow10(l.log10_causal_bound.median[lengths.length - 1])}); equilibrated ` +
      `${pow10(l.log10_kappa_preconditioned.median[lengths.length - 1])}`).join('; ') + '.',
    csv: [['L', ...layers.flatMap((l) => [`L${l.layer}_log10_kappa_median`, `L${l.layer}_log10_kappa_preconditioned_median`,
      `L${l.layer}_log10_causal_bound_median`, `L${l.layer}_min_diagonal_median`, `L${l.layer}_numerically_singular`,
      `L${l.layer}_beyond_float_resolution`])],
    ...lengths.map((L, j) => [L, ...layers.flatMap((l) => [l.log10_kappa.median[j], l.log10_kappa_preconditioned.median[j],
      l.log10_causal_bound.median[j], l.min_diagonal.median[j], l.numerically_singular[j], l.beyond_float_resolution[j]])])],
    json: conditioning,
  };
  const fig2 = {
    name: 'conditioning-min-diagonal',
    svg: linePlot({ title: 'Smallest diagonal weight against length', xLabel: 'length L',
      yLabel: 'minᵢ Aᵢᵢ', xLog: true, yLog: true,
      series: layers.map((l, i) => ({ name: `layer ${l.layer}`, x: lengths, y: l.min_diagonal.median, color: PALETTE[i % PALETTE.length],
        band: { lo: l.min_diagonal.q1, hi: l.min_diagonal.q3 } })),
      refs: [{ name: 'uniform 1/L', x: lengths, y: lengths.map((L) => 1 / L) }] }),
    caption: 'For a causal (lower-triangular) A the eigenvalues are its diagonal, so a token that hardly attends to itself ' +
      'already makes A nearly singular: σ_min ≤ minᵢ Aᵢᵢ.',
    finding: layers.map((l) => `layer ${l.layer}: ${exponential(l.min_diagonal.median[lengths.length - 1], 1)} at L = ${lengths[lengths.length - 1]}`).join('; ') + '.',
    csv: [['L', ...layers.map((l) => `L${l.layer}_min_diagonal_median`)], ...lengths.map((L, j) => [L, ...layers.map((l) => l.min_diagonal.median[j])])],
    json: layers.map((l) => ({ layer: l.layer, min_diagonal: l.min_diagonal })),
  };
  const values = new Float64Array(info.n_layer * info.n_head);
  conditioning.heads.forEach((h) => { values[h.layer * info.n_head + h.head] = h.log10_kappa ?? NaN; });
  const top = Math.max(...limit);
  const fig3 = {
    name: 'conditioning-heads',
    svg: heatmap({ title: `log10 κ₂ per head at L = ${lengths[lengths.length - 1]}`, rows: info.n_layer, cols: info.n_head, values,
      rowLabels: range(info.n_layer, 0).map((l) => `layer ${l}`), colLabels: range(info.n_head, 0).map((h) => `head ${h}`),
      rowTitle: 'layer', colTitle: 'head', vmin: 0, vmax: top, valueLabel: 'log10 κ₂', size: 480 }),
    caption: 'Each head\'s condition number at the longest length (mean of log10 κ₂ over windows).',
    finding: `Best conditioned: ${(() => { const h = [...conditioning.heads].sort((a, b) => a.log10_kappa - b.log10_kappa)[0]; return `layer ${h.layer} head ${h.head} (${pow10(h.log10_kappa)})`; })()}.`,
    csv: [['layer', 'head', 'log10_kappa', 'log10_kappa_preconditioned', 'min_diagonal'],
      ...conditioning.heads.map((h) => [h.layer, h.head, h.log10_kappa, h.log10_kappa_preconditioned, h.min_diagonal])],
    json: conditioning.heads,
  };
  return [fig1, fig2, fig3];
}

export function constantFigures({ constant, info, heldOut = false, modelLabel = 'the model' }) {
  const values = new Float64Array(info.n_layer * info.n_head);
  constant.heads.forEach((h) => { values[h.layer * info.n_head + h.head] = h.cost; });
  const costs = constant.heads.map((h) => h.cost);
  const costly = [...constant.heads].sort((a, b) => a.rank_by_cost - b.rank_by_cost)[0];
  const constantest = [...constant.heads].sort((a, b) => a.rank_by_constancy - b.rank_by_constancy)[0];
  const base = constant.baseline.perplexity, all = constant.all_heads.perplexity, rise = constant.all_heads.relative_perplexity_increase;
  return [{
    name: 'constant-attention-cost',
    svg: heatmap({ title: 'Loss cost of each head made constant (nats)', rows: info.n_layer, cols: info.n_head,
      values, rowLabels: range(info.n_layer, 0).map((l) => `layer ${l}`), colLabels: range(info.n_head, 0).map((h) => `head ${h}`),
      rowTitle: 'layer', colTitle: 'head', vmin: Math.min(0, ...costs), vmax: Math.max(1e-9, ...costs), valueLabel: 'Δ loss', size: 480,
      scale: 'diverging' }),  // a signed cost: red costs loss, blue (below 0) helps
    caption: 'Tests the PAPA finding that constant attention costs surprisingly little: each head\'s attention averaged over ' +
      `${count(constant.averaged_windows)} windows of ${constant.window} tokens of ` +
      (heldOut ? `${modelLabel}'s training text, evaluated on your text, which the averages never saw (held out, as PAPA evaluates)`
        : 'this very text and evaluated on it (in-sample, which flatters constant attention)') +
      ', then swapped in for the head\'s own attention, one head at a time. Red: the loss rises; blue: it falls (the average ' +
      'does better than the head on this text); white: no change.',
    finding: `All heads constant: perplexity ${fmt(base, 1)} → ${fmt(all, 1)} (${fmt(100 * rise.value, 0)}% higher; 95% bootstrap ` +
      `interval over ${count(constant.eval_windows)} evaluated windows ${fmt(100 * rise.low, 0)}% to ${fmt(100 * rise.high, 0)}%). ` +
      `Layers: ${constant.layers.map((l) => `${l.layer}: ${signed(l.cost)}`).join(', ')} nats. Costliest head: layer ${costly.layer} head ` +
      `${costly.head} (${signed(costly.cost)}); nearest to constant: layer ${constantest.layer} head ${constantest.head} ` +
      `(mean TV ${fmt(constantest.distance, 3)} from its average).`,
    csv: [['layer', 'head', 'loss', 'cost', 'distance', 'rank_by_cost', 'rank_by_constancy'],
      ...constant.heads.map((h) => [h.layer, h.head, h.loss, h.cost, h.distance, h.rank_by_cost, h.rank_by_constancy])],
    json: constant,
  }];
}

export function hardmaxFigures({ hardmax, info }) {
  const values = new Float64Array(info.n_layer * info.n_head);
  hardmax.heads.forEach((h) => { values[h.layer * info.n_head + h.head] = h.agreement; });
  const best = [...hardmax.heads].sort((a, b) => b.agreement - a.agreement)[0];
  return [{
    name: 'hardmax-agreement',
    svg: heatmap({ title: 'Hard-max via the 2-D hull: rows finding the argmax', rows: info.n_layer, cols: info.n_head,
      values, rowLabels: range(info.n_layer, 0).map((l) => `layer ${l}`), colLabels: range(info.n_head, 0).map((h) => `head ${h}`),
      rowTitle: 'layer', colTitle: 'head', vmin: 0, vmax: 1, valueLabel: 'agreement', size: 480 }),
    caption: 'Hard-max attention with 2-D keys can be answered in O(log n) by binary search on the keys\' convex hull. ' +
      'Here each head\'s keys and queries are projected onto the top-2 principal directions of the keys each query may see ' +
      '(refitted as the text goes on, never on later keys), keys enter a hull index as ' +
      'tokens arrive, and each query asks it for its argmax: the share of rows where that is the full-dimension argmax of q·k.',
    finding: `Layers: ${hardmax.layers.map((l) => `${l.layer}: ${fmt(100 * l.agreement, 0)}%`).join(', ')}; best head: layer ${best.layer} ` +
      `head ${best.head}, ${fmt(100 * best.agreement, 0)}% (its keys keep ${fmt(100 * best.energy_2d, 0)}% of their energy in 2-D).`,
    csv: [['layer', 'head', 'rows', 'agreement', 'energy_2d'], ...hardmax.heads.map((h) => [h.layer, h.head, h.rows, h.agreement, h.energy_2d])],
    json: hardmax,
  }];
}
