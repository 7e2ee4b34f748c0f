// The "Paper figures" view: the measurements of Mudarisov et al., "Limitations of Normalization in Attention
// Mechanism" (arXiv 2508.17821), laid out like its figures, each with what the paper claims and whether the
// loaded model agrees. Data: the JSON of `attnlab analyze paper`.
import { linePlot, PALETTE } from './plot.js';

const fmt = (v, d = 2) => (Number.isFinite(v) ? Number(v).toFixed(d) : 'n/a');
const finite = (xs) => xs.filter(Number.isFinite);

// The median grid [length][top-n] of one measure, per layer.
function column(grid, ni) { return grid.median.map((row) => row[ni]); }
function row(grid, li) { return grid.median[li]; }

export function paperFigures({ paper }) {
  const { lengths, top_n: topN, delta, temperatures: T } = paper;
  const layers = paper.distance;
  const lastL = lengths.length - 1;
  const fixedN = topN.findIndex((n) => n >= 4) >= 0 ? topN.findIndex((n) => n >= 4) : 0;
  const figs = [];

  // 1. distance collapse: ratio against L at fixed N
  const ratioVsL = layers.map((l) => column(l.ratio, fixedN));
  const firstL = ratioVsL.map((r) => finite(r)[0]), endL = ratioVsL.map((r) => finite(r).slice(-1)[0]);
  const falls = ratioVsL.filter((r, i) => endL[i] < firstL[i]).length;
  figs.push({
    name: 'paper-distance-vs-length',
    svg: linePlot({ title: `Distance ratio (rest / top-${topN[fixedN]}) against sequence length`, xLabel: 'sequence length L',
      yLabel: 'mean ‖v_j − s‖ rest / top set', xLog: true,
      series: layers.map((l, i) => ({ name: `layer ${l.layer}`, x: lengths, y: ratioVsL[i], color: PALETTE[i % PALETTE.length] })),
      refs: [{ name: `1 + δ (δ = ${delta})`, x: lengths, y: lengths.map(() => 1 + delta) }] }),
    caption: `The paper's distance analysis at fixed top-N: in each head's value space, how much farther the unselected ` +
      `tokens are from the head's output than the ${topN[fixedN]} selected ones (median over heads and windows). ` +
      'The paper claims this ratio collapses towards 1 as L grows: selected and unselected tokens stop being told apart.',
    finding: `${falls} of ${layers.length} layers fall from L = ${lengths[0]} to L = ${lengths[lastL]} ` +
      `(${layers.map((l, i) => `L${l.layer}: ${fmt(firstL[i])} → ${fmt(endL[i])}`).join(', ')}): ` +
      (falls > layers.length / 2 ? 'this model agrees with the paper.' : 'this model does not show the collapse on this text.'),
    csv: [['L', ...layers.map((l) => `layer${l.layer}_ratio_median`)], ...lengths.map((L, li) => [L, ...ratioVsL.map((r) => r[li])])],
    json: { lengths, top_n: topN[fixedN], layers: layers.map((l, i) => ({ layer: l.layer, ratio_median: ratioVsL[i] })) },
  });

  // 2. ratio against N at the longest L, with the critical N
  const ratioVsN = layers.map((l) => row(l.ratio, lastL));
  const crit = layers.map((l) => l.critical_n.median[lastL]);
  figs.push({
    name: 'paper-distance-vs-top-n',
    svg: linePlot({ title: `Distance ratio against top-N at L = ${lengths[lastL]}`, xLabel: 'top-N (selected set size)',
      yLabel: 'mean ‖v_j − s‖ rest / top set', xLog: true,
      series: layers.map((l, i) => ({ name: `layer ${l.layer}`, x: topN, y: ratioVsN[i], color: PALETTE[i % PALETTE.length] })),
      refs: [{ name: `1 + δ (δ = ${delta})`, x: topN, y: topN.map(() => 1 + delta) }] }),
    caption: 'The paper\'s analysis at fixed length for a growing top-N set, and its critical top-N: the first N whose ratio ' +
      'falls below 1 + δ. The paper claims such a critical N exists: beyond it, selection is no better than picking at random.',
    finding: `Median critical N at L = ${lengths[lastL]}: ${layers.map((l, i) => `layer ${l.layer}: ${Number.isFinite(crit[i]) ? crit[i] : `none up to ${topN[topN.length - 1]}`} ` +
      `(${fmt(100 * l.critical_n.never_fraction[lastL], 0)}% of heads never cross)`).join('; ')}.`,
    csv: [['top_n', ...layers.map((l) => `layer${l.layer}_ratio_median`)], ...topN.map((n, ni) => [n, ...ratioVsN.map((r) => r[ni])])],
    json: { top_n: topN, length: lengths[lastL], delta, layers: layers.map((l, i) => ({ layer: l.layer, ratio_median: ratioVsN[i], critical_n: l.critical_n })) },
  });

  // 3. separability: share of unselected tokens outside the top set's ball
  const sep = paper.separability;
  const outside = sep.map((l) => row(l.unselected_outside, lastL));
  const all = finite(outside.flat());
  const mean = all.reduce((a, b) => a + b, 0) / Math.max(1, all.length);
  figs.push({
    name: 'paper-separability',
    svg: linePlot({ title: `Separability at L = ${lengths[lastL]}: unselected tokens outside the top set's ball`,
      xLabel: 'top-N', yLabel: 'fraction of the rest outside the ball', xLog: true, yDomain: [0, 1],
      series: sep.map((l, i) => ({ name: `layer ${l.layer}`, x: topN, y: outside[i], color: PALETTE[i % PALETTE.length],
        band: { lo: l.unselected_outside.q1[lastL], hi: l.unselected_outside.q3[lastL] } })),
      refs: [{ name: 'paper: 70%', x: topN, y: topN.map(() => 0.7) }, { name: 'paper: 85%', x: topN, y: topN.map(() => 0.85), dash: '2 3' }] }),
    caption: 'Geometric separability (ball rule): the ball around the head\'s output that just holds the selected tokens; ' +
      'the share of unselected tokens left outside it (median and quartiles over heads). The paper measures about 70-85% ' +
      'on GPT-2. (This project\'s rule: radius = the farthest selected token, so recall is 1 and precision = |S| / |ball|.)',
    finding: `Mean over layers and N: ${fmt(100 * mean, 0)}%, ` +
      (mean >= 0.7 && mean <= 0.85 ? 'inside the paper\'s range.' : mean > 0.85 ? 'above the paper\'s range.' : 'below the paper\'s range.'),
    csv: [['top_n', ...sep.map((l) => `layer${l.layer}_outside_median`), ...sep.map((l) => `layer${l.layer}_f_score_median`)],
      ...topN.map((n, ni) => [n, ...outside.map((r) => r[ni]), ...sep.map((l) => l.f_score.median[lastL][ni])])],
    json: { top_n: topN, length: lengths[lastL], layers: sep },
  });

  // 4. the gradient bound
  const gl = paper.gradient.layers;
  const overLow = gl.map((l) => l.above_paper_bound[0]);
  figs.push({
    name: 'paper-gradient-bound',
    svg: linePlot({ title: 'Gradient of the top weight against temperature, with the paper\'s bound', xLabel: 'temperature T',
      yLabel: '‖∇ p_max‖', xLog: true, yLog: true,
      series: [
        ...gl.map((l, i) => ({ name: `max L${l.layer}`, x: T, y: l.top_weight_grad.max, color: PALETTE[i % PALETTE.length] })),
        ...gl.map((l, i) => ({ name: `median L${l.layer}`, x: T, y: l.top_weight_grad.median, color: PALETTE[i % PALETTE.length], dash: '1 3' })),
        { name: '‖J‖₂ max, all layers', x: T, y: T.map((_, ti) => Math.max(...gl.map((l) => l.jacobian_spectral.max[ti]))), color: 'var(--fg)', width: 1 },
      ],
      refs: [{ name: 'paper min(1/(4T), √2)', x: T, y: paper.gradient.bounds.paper },
        { name: '‖J‖₂ ceiling 1/(2T)', x: T, y: paper.gradient.bounds.jacobian_spectral_exact, dash: '2 3' }] }),
    caption: 'The paper bounds one weight\'s gradient by min(1/(4T), √2) and expects 1/T-scaled sensitivity at low T. ' +
      'Measured: ‖∇ p_max‖ = p (√((1 − p)² + Σ_{j≠max} p_j²)) / T for each row\'s top weight (rows at the chosen lengths, their ' +
      'scores renormalised at each T), and the whole Jacobian\'s largest ‖J‖₂ beside its exact ceiling 1/(2T).',
    finding: `At T = ${fmt(T[0])}: ${gl.map((l, i) => `layer ${l.layer}: max ${fmt(l.top_weight_grad.max[0])}, ${fmt(100 * overLow[i], 1)}% of rows above the bound`).join('; ')}. ` +
      (overLow.some((v) => v > 0) ? 'Some rows exceed the stated bound, so this model does not agree with it as stated (two tied tokens give exactly 1/(2√2·T) ≈ 0.354/T, above 1/(4T)); the 1/T scaling does hold.'
        : 'Every row stays within the stated bound on this text.'),
    csv: [['T', ...gl.flatMap((l) => [`L${l.layer}_grad_median`, `L${l.layer}_grad_max`, `L${l.layer}_above_bound`]), 'paper_bound', 'jacobian_ceiling'],
      ...T.map((t, ti) => [t, ...gl.flatMap((l) => [l.top_weight_grad.median[ti], l.top_weight_grad.max[ti], l.above_paper_bound[ti]]),
        paper.gradient.bounds.paper[ti], paper.gradient.bounds.jacobian_spectral_exact[ti]])],
    json: paper.gradient,
  });
  return figs;
}
