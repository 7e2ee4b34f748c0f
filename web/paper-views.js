// The "Paper figures" view: Mudarisov et al., "Limitations of Normalization in Attention Mechanism" (arXiv
// 2508.17821), measured on the loaded model. Each figure plots one quantity; its finding is the core's verdict
// sentence (the JSON of `attnlab analyze paper`), which sets the paper's claim beside the same quantity and
// names the model, so the page and the CLI say the same thing. docs/science.md defines every quantity.
import { linePlot, PALETTE } from './plot.js';
import { count, fixed, typeset } from './format.js';

const fmt = (v, d = 2) => fixed(v, d);
const colour = (i) => PALETTE[i % PALETTE.length];

// One column of a quartile grid [length][column] as {median, q1, q3} arrays over the lengths; one row likewise.
const column = (g, c) => ({ median: g.median.map((r) => r[c]), q1: g.q1.map((r) => r[c]), q3: g.q3.map((r) => r[c]) });
const row = (g, r) => ({ median: g.median[r], q1: g.q1[r], q3: g.q3[r] });

function bandSeries(layers, pick, x) {
  return layers.map((l, i) => {
    const q = pick(l);
    return { name: `layer ${l.layer}`, x, y: q.median, color: colour(i), band: { lo: q.q1, hi: q.q3 } };
  });
}

function quartileCsv(xName, xs, layers, pick) {
  return [[xName, ...layers.flatMap((l) => [`layer${l.layer}_q1`, `layer${l.layer}_median`, `layer${l.layer}_q3`])],
    ...xs.map((x, i) => [x, ...layers.flatMap((l) => { const q = pick(l); return [q.q1[i], q.median[i], q.q3[i]]; })])];
}

// loadGpt2: a callback that loads openai-community/gpt2 (offered when the model is not GPT-2 124M's shape).
// source: words for where the rows came from (the held-out sample or the text in the box).
export function paperFigures({ paper, loadGpt2 = null, source = 'this text' }) {
  const { lengths, top_n: topN, rho, proportional_n: propN, delta, temperatures: T, verdicts } = paper;
  const say = (figure) => typeset(verdicts.find((v) => v.figure === figure).sentence);
  const last = lengths.length - 1;
  const mid = Math.floor(rho.length / 2);
  const fixedAt = (n) => { const i = topN.findIndex((x) => x >= n); return i >= 0 ? i : topN.length - 1; };
  const fixed = fixedAt(4);
  const dist = paper.distance, sep = paper.separability, grad = paper.gradient;
  const on = paper.measured_on;
  const figs = [];
  const rows = dist[0].rows;  // per length: heads x sequences that reach it, the same in every layer
  const windowsNote = `${count(paper.windows)} windows of up to ${paper.max_tokens} tokens, one every ${paper.stride}`;
  const perLength = ` Rows from ${source}, ${windowsNote}: ${lengths.map((L, i) => `${rows[i].toLocaleString('en')} at L = ${L}`).join(', ')} per layer ` +
    `(${rows.reduce((a, b) => a + b, 0).toLocaleString('en')} in all).`;
  const atLast = ` Rows from ${source}: ${rows[last].toLocaleString('en')} per layer at L = ${lengths[last]}.`;

  figs.push({
    name: 'paper-distance-proportional',
    svg: linePlot({ title: `d̃ against L with the top-N set growing with it: N = ⌈${rho[mid]} L⌉`, xLabel: 'sequence length L',
      yLabel: 'd̃ = ‖Σ_rest αx − Σ_top αx‖', xLog: true, yLog: true,
      series: bandSeries(dist, (l) => column(l.proportional.d, mid), lengths) }),
    caption: 'Theorem 1\'s distance: in each head\'s value space, d̃ = ‖Σ_{j∉S} αⱼ xⱼ − s‖ with s = Σ_{j∈S} αⱼ xⱼ the ' +
      `top-N tokens' weighted sum, here with N = ⌈${rho[mid]} L⌉ (N = ${propN.map((r) => r[mid]).join(', ')} at L = ` +
      `${lengths.join(', ')}); median and quartiles over heads and sequences. The paper reports "distance collapse" on GPT-2 as ` +
      'the top-N set grows with L.' + perLength,
    finding: say('distance-proportional'),
    action: !on.gpt2_124m && loadGpt2 ? { label: 'Measure on GPT-2 124M: load openai-community/gpt2 (about 550 MB)', run: loadGpt2 } : null,
    csv: quartileCsv('L', lengths, dist, (l) => column(l.proportional.d, mid)),
    json: { lengths, rho: rho[mid], n: propN.map((r) => r[mid]), measured_on: on,
      layers: dist.map((l) => ({ layer: l.layer, d: column(l.proportional.d, mid), d_over_w: column(l.proportional.d_over_w, mid) })) },
  });

  figs.push({
    name: 'paper-distance-fixed-n',
    svg: linePlot({ title: `d̃ against L at a fixed top-${topN[fixed]} set`, xLabel: 'sequence length L',
      yLabel: 'd̃', xLog: true, yLog: true, series: bandSeries(dist, (l) => column(l.fixed_n.d, fixed), lengths) }),
    caption: `The same distance for a fixed top-${topN[fixed]} set as L grows (the paper's first distance analysis, for which ` +
      'Theorem 1 gives an upper bound); median and quartiles over heads and sequences.' + perLength,
    finding: say('distance-fixed-n'),
    csv: quartileCsv('L', lengths, dist, (l) => column(l.fixed_n.d, fixed)),
    json: { lengths, top_n: topN[fixed], layers: dist.map((l) => ({ layer: l.layer, d: column(l.fixed_n.d, fixed) })) },
  });

  figs.push({
    name: 'paper-distance-vs-top-n',
    svg: linePlot({ title: `d̃ / W against top-N at L = ${lengths[last]} (attnlab's scale)`, xLabel: 'top-N (selected set size)',
      yLabel: 'd̃ / Σ αⱼ ‖xⱼ‖', xLog: true, yDomain: [0, 1],
      series: bandSeries(dist, (l) => row(l.fixed_n.d_over_w, last), topN),
      refs: [{ name: `δ = ${delta}`, x: topN, y: topN.map(() => delta) }] }),
    caption: 'The paper\'s second analysis: d̃ for a growing top-N set at a fixed length, divided by W = Σ αⱼ ‖xⱼ‖ ' +
      '(attnlab\'s scale: d̃ ≤ W, so heads and layers compare). attnlab\'s critical N is the first N whose d̃ falls to δ W; ' +
      'the paper\'s own detection rule (its Algorithm 3) could not be checked.' + atLast,
    finding: say('critical-n'),
    csv: quartileCsv('top_n', topN, dist, (l) => row(l.fixed_n.d_over_w, last)),
    json: { top_n: topN, length: lengths[last], delta, layers: dist.map((l) => ({ layer: l.layer, d_over_w: row(l.fixed_n.d_over_w, last), critical_n: l.critical_n })) },
  });

  figs.push({
    name: 'paper-separability',
    svg: linePlot({ title: `Share of the top-N set distinguishable at L = ${lengths[last]}`, xLabel: 'top-N',
      yLabel: 'share of the selected tokens', xLog: true, yDomain: [0, 1],
      series: bandSeries(sep, (l) => row(l.fixed_n, last), topN),
      refs: [{ name: 'paper, its own rule: 70%', x: topN, y: topN.map(() => 0.7) },
        { name: 'paper, its own rule: 85%', x: topN, y: topN.map(() => 0.85), dash: '2 3' },
        // attnlab's rule on uniform spherical embeddings (its own calibration, docs/science.md): falls with N
        { name: 'sphere, attnlab rule', x: [8, 16, 32], y: [0.90, 0.73, 0.57], dash: '1 3' }] }),
    caption: 'Separability of the selected tokens (Theorem 2), by attnlab\'s reading of the rule: a selected token counts as ' +
      'distinguishable when its weighted point αᵢ xᵢ lies nearer to s than every unselected token\'s αⱼ xⱼ. The paper\'s ' +
      '70-85% on GPT-2 is drawn for orientation only: its exact rule is not known, so there is no verdict. The dotted line ' +
      'is attnlab\'s rule at T = 1 on 128 unit vectors drawn uniformly in 64 dimensions (attnlab\'s own calibration, not the paper\'s ' +
      'setting): 0.90, 0.73 and 0.57 at N = 8, 16 and 32, so it meets the paper\'s "about 80%" only near N = 8-16.' + atLast,
    finding: say('separability'),
    csv: quartileCsv('top_n', topN, sep, (l) => row(l.fixed_n, last)),
    json: { top_n: topN, length: lengths[last], layers: sep.map((l) => ({ layer: l.layer, distinguishable: row(l.fixed_n, last) })) },
  });

  const gl = grad.layers;
  figs.push({
    name: 'paper-gradient-lemma',
    svg: linePlot({ title: 'The lemma\'s quantity against T: the largest ∂αᵢ/∂lᵢ of each row', xLabel: 'temperature T',
      yLabel: 'maxᵢ αᵢ (1 − αᵢ) / T', xLog: true, yLog: true,
      series: [
        ...gl.map((l, i) => ({ name: `max L${l.layer}`, x: T, y: l.lemma_diagonal.max, color: colour(i) })),
        ...gl.map((l, i) => ({ name: `median L${l.layer}`, x: T, y: l.lemma_diagonal.median, color: colour(i), dash: '1 3' })),
      ],
      refs: [{ name: 'paper: 1/(4T)', x: T, y: grad.bounds.lemma_diagonal }] }),
    caption: 'The paper\'s gradient lemma, ‖∇_l α‖ ≤ min{1/(4T), √2}: 1/(4T) is the largest value of a diagonal entry ' +
      '∂αᵢ/∂lᵢ = αᵢ (1 − αᵢ) / T of the softmax Jacobian (reached at αᵢ = 1/2), and the temperature-free gradient ' +
      'αᵢ ‖eᵢ − α‖ never exceeds √2/4 (reached when αᵢ = 1/2 and the rest of the weight is on one token). Both hold for ' +
      'every row by algebra, so the figure makes no verdict: it shows how close rows come to the bound. Plotted: each ' +
      'row\'s largest diagonal entry (max and median over rows at the chosen lengths) against 1/(4T); the export adds the ' +
      'shares of rows within a factor 2 of it (near-ties) and below 10⁻³ of it (saturated). Temperature as in the ' +
      `Sensitivity view: ${paper.temperature_protocol}. Rows from ${source}: ${grad.rows.toLocaleString('en')} at each T, over all ` +
      `layers (the ${count(paper.lemma_windows)} windows that do not overlap).`,
    finding: say('gradient-lemma'),
    csv: [['T', ...gl.flatMap((l) => [`L${l.layer}_diagonal_median`, `L${l.layer}_diagonal_max`, `L${l.layer}_near_bound_share`,
      `L${l.layer}_saturated_share`]), 'lemma_bound'],
    ...T.map((t, ti) => [t, ...gl.flatMap((l) => [l.lemma_diagonal.median[ti], l.lemma_diagonal.max[ti],
      l.near_bound.lemma_diagonal[ti], l.saturated.lemma_diagonal[ti]]), grad.bounds.lemma_diagonal[ti]])],
    json: { temperatures: T, bounds: grad.bounds, layers: gl.map((l) => ({ layer: l.layer, lemma_diagonal: l.lemma_diagonal,
      scaled_weight_grad_max: l.scaled_weight_grad_max, near_bound: l.near_bound, saturated: l.saturated })) },
  });

  const worst = (key, ti) => Math.max(...gl.map((l) => l[key].max[ti]));
  figs.push({
    name: 'paper-gradient-own',
    svg: linePlot({ title: 'attnlab\'s own measures: the top weight\'s full gradient and ‖J‖₂', xLabel: 'temperature T',
      yLabel: 'norm', xLog: true, yLog: true,
      series: [
        ...gl.map((l, i) => ({ name: `‖∇α_top‖ max L${l.layer}`, x: T, y: l.top_weight_grad.max, color: colour(i) })),
        { name: '‖J‖₂ max, all layers', x: T, y: T.map((_, ti) => worst('jacobian_spectral', ti)), color: 'var(--fg)', width: 1 },
      ],
      refs: [{ name: '√2/(4T): two tied weights', x: T, y: grad.bounds.top_weight_grad_ceiling },
        { name: '1/(2T): ‖J‖₂ ceiling', x: T, y: grad.bounds.jacobian_spectral_ceiling, dash: '2 3' }] }),
    caption: 'Not the paper\'s quantities, so no verdict: the full gradient of each row\'s top weight, ‖∇_l α_top‖ = ' +
      'α (√((1 − α)² + Σ_{j≠top} αⱼ²)) / T, whose ceiling √2/(4T) (two tied weights) lies above 1/(4T), and the whole ' +
      'Jacobian\'s ‖J‖₂ with its ceiling 1/(2T). Both scale as 1/T at low temperature when rows are near a tie.',
    finding: `attnlab's own measures, measured on ${on.description}: at T = ${fmt(T[0])}, the largest ‖∇α_top‖ is ` +
      `${fmt(Math.max(...gl.map((l) => l.top_weight_grad.max[0])))} (ceiling ${fmt(grad.bounds.top_weight_grad_ceiling[0])}) and the ` +
      `largest ‖J‖₂ ${fmt(worst('jacobian_spectral', 0))} (ceiling ${fmt(grad.bounds.jacobian_spectral_ceiling[0])}).`,
    csv: [['T', ...gl.flatMap((l) => [`L${l.layer}_top_grad_median`, `L${l.layer}_top_grad_max`, `L${l.layer}_spectral_max`]), 'top_grad_ceiling', 'spectral_ceiling'],
      ...T.map((t, ti) => [t, ...gl.flatMap((l) => [l.top_weight_grad.median[ti], l.top_weight_grad.max[ti], l.jacobian_spectral.max[ti]]),
        grad.bounds.top_weight_grad_ceiling[ti], grad.bounds.jacobian_spectral_ceiling[ti]])],
    json: { temperatures: T, layers: gl.map((l) => ({ layer: l.layer, top_weight_grad: l.top_weight_grad, jacobian_spectral: l.jacobian_spectral })) },
  });
  return figs;
}
