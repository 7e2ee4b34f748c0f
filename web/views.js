// The page's views: each turns analysis results (the same JSON the CLI prints) into figures. A figure is
// {name, svg, caption, finding, csv, json}: the caption says what it shows and which finding it tests,
// the finding says what this model shows, and csv/json are its data for export.
import { barChart, heatmap, linePlot, PALETTE, rankedBars, scaleNorm, thumbnailGrid, tokenText } from './plot.js';
import { count, exponential, fixed } from './format.js';

const fmt = (v, d = 3) => fixed(v, d);
const range = (n, from = 1) => Array.from({ length: n }, (_, i) => i + from);

function displayToken(s) {
  return s.replace(/\n/g, '⏎').replace(/\t/g, '⇥').replace(/ /g, '·');
}

function headEntry(sel, layer, head) {
  return sel.heads.find((h) => h.layer === layer && h.head === head);
}

// The colour scales the attention views offer (state.scale): 'fixed' 0 to 1, 'log' 10⁻³ to 1, 'head' 0 to this head's
// largest weight (after the first rows, which hold few tokens and so large weights).
function attentionScale(probs, T, scale) {
  if (scale === 'log') return { vmin: 1e-3, vmax: 1, scale: 'log', words: 'a log scale from 10⁻³ (and below) to 1, the same for every head and temperature' };
  if (scale === 'head') {
    let vmax = 0;
    for (let i = Math.min(T - 1, 4) * T; i < T * T; i++) vmax = Math.max(vmax, probs[i]);
    return { vmin: 0, vmax: vmax > 0 ? vmax : 1, scale: 'linear',
      words: `0 to this head's largest weight after the first rows (${fixed(vmax, 3)}), so maps of different heads or temperatures do not compare` };
  }
  return { vmin: 0, vmax: 1, scale: 'linear', words: '0 to 1, the same for every head and temperature' };
}

// The query row of a window of T tokens: the one the link or a click chose, else the last.
export function queryRow(state, T) {
  return Number.isInteger(state.q) ? Math.min(state.q, T - 1) : T - 1;
}

// The attention view of one head on one window of the text: the map (rows = query tokens, columns = the keys they
// read), the text shaded by where the chosen tokens look and by what looks at them, the model's next-token
// predictions at the query, and the query's row as bars. view: the worker's token view of the head's attention;
// predictions: the worker's token view of the same window with the predictions at the query row (queryRow), or null;
// tokens: the whole text's token strings; chosen: window rows picked in the text view (several are summed);
// onQuery(i) picks the query row, onPick(i, add) picks (or adds) a token in the text view.
export function attentionFigures({ attention: view, predictions = null, tokens, selectivity, state, onQuery = null, onPick = null, chosen = null }) {
  const T = view.tokens, start = view.start;
  const probs = view.probs;
  const labels = tokens.slice(start, start + T).map(displayToken);
  const named = labels.map((s, i) => `'${s}' (${start + i})`);
  const h = headEntry(selectivity, state.layer, state.head);
  const q = queryRow(state, T);
  const picked = chosen && chosen.length ? chosen.filter((i) => i < T) : [q];
  const sc = attentionScale(probs, T, state.scale);
  const where = `layer ${state.layer} head ${state.head}`;
  const span = view.total > T || start > 0 ? `, tokens ${start}-${start + T - 1} of ${view.total}` : '';
  const masked = Float32Array.from(probs, (v, k) => (k % T > Math.floor(k / T) ? NaN : v));
  const svg = heatmap({
    title: `Attention of ${where}${span}`,
    rows: T, cols: T, values: masked, rowLabels: labels, colLabels: labels,
    rowTitle: 'query token i', colTitle: 'key token j (j ≤ i)', vmin: sc.vmin, vmax: sc.vmax, scale: sc.scale, valueLabel: 'weight',
    cellName: (i, j) => `${named[i]} → ${named[j]}`, selected: [q, 0], blank: 'masked (a token attends only to itself and earlier tokens)',
    keys: [{ label: 'the query row shown in the figures below', cls: 'key-query' }],
    onCell: onQuery, onRow: onQuery,
  });
  let diag = 0, prev = 0;
  for (let i = 0; i < T; i++) { diag += probs[i * T + i]; if (i > 0) prev += probs[i * T + i - 1]; }
  const csv = [['query', 'key', 'query_token', 'key_token', 'weight']];
  for (let i = 0; i < T; i++) for (let j = 0; j <= i; j++) csv.push([start + i, start + j, tokens[start + i], tokens[start + j], probs[i * T + j]]);
  const row = Array.from(probs.subarray(q * T, q * T + q + 1));
  const top = row.reduce((best, v, j) => (v > row[best] ? j : best), 0);
  const order = row.map((v, j) => j).sort((a, b) => row[b] - row[a]).slice(0, 3);
  const figures = [{
    name: `attention-L${state.layer}H${state.head}`,
    svg,
    caption: 'Each row is one token\'s attention over the tokens before it (causal; the blank triangle is masked: no token ' +
      'reads later ones). A selective head puts one bright cell per row; a head drifting towards uniform spreads its weight ' +
      'thin as rows get longer. Hover a cell (or focus the map and use the arrow keys) to read it; click a cell or a query ' +
      `token to open its row in the figures below. Colours: ${sc.words}.`,
    finding: `Layer ${state.layer} head ${state.head}: mean normalised entropy ${fmt(h && h.entropy_norm)} (1 = uniform), ` +
      `mean max weight ${fmt(h && h.p_max)}, mean weight on the token itself ${fmt(diag / T)}, on the previous token ${fmt(prev / Math.max(1, T - 1))}.`,
    csv,
    json: { layer: state.layer, head: state.head, temperature: state.t, window: { start, tokens: T, of: view.total },
      tokens: tokens.slice(start, start + T), probs: Array.from(probs) },
  }];

  // the text itself, shaded: where the chosen tokens look (their rows, averaged) and what looks at them (the weight each
  // row puts on them, summed)
  const looks = (S) => (j) => S.reduce((a, i) => a + (j <= i ? probs[i * T + j] : 0), 0) / S.length;
  const lookedAt = (S) => (i) => S.reduce((a, c) => a + (c <= i ? probs[i * T + c] : 0), 0);
  const pickedNames = picked.map((i) => named[i]).join(' + ');
  // the text as written (spaces kept), newlines and tabs shown
  const written = tokens.slice(start, start + T).map((s) => s.replace(/\n/g, '⏎').replace(/\t/g, '⇥'));
  const onScale = scaleNorm(sc);  // a weight as a shade in [0, 1], on the map's colour scale
  const shade = (f) => (i) => onScale(f(i));
  const texts = [];
  const repaintBoth = (i) => {
    const S = i === null ? picked : [i];
    texts[0].repaint(shade(looks(S)), S);
    texts[1].repaint(shade(lookedAt(S)), S);
  };
  // the readout while hovering token i, whose own pattern the shading then shows: its strongest link
  const strongest = (f) => labels.reduce((best, _, j) => (f(j) > f(best) ? j : best), 0);
  const describeLook = (i) => { const j = strongest(looks([i])); return `${named[i]} looks most at ${named[j]} (${fmt(looks([i])(j), 3)})`; };
  const describeFrom = (i) => { const j = strongest(lookedAt([i])); return `${named[i]} is looked at most by ${named[j]} (${fmt(lookedAt([i])(j), 3)})`; };
  for (const [key, title, f, tone, describe, caption] of [
    ['looks', `Where ${pickedNames} look${picked.length > 1 ? '' : 's'} in ${where}`, looks, 'shade-look', describeLook,
      'The text shaded by the chosen query\'s attention (its row of the map): the darker a token, the more weight it gets. '],
    ['looked-at', `What looks at ${pickedNames} in ${where}`, lookedAt, 'shade-from', describeFrom,
      'The text shaded by how much of each token\'s attention falls on the chosen tokens (their columns of the map). '],
  ]) {
    const textSvg = tokenText({ title, tokens: written, shade: shade(f(picked)), tone, chosen: picked, describe,
      onHover: (i) => repaintBoth(i), onPick });
    texts.push(textSvg);
    figures.push({
      name: `attention-${key}-L${state.layer}H${state.head}`,
      svg: textSvg,
      caption: `${caption}Outlined: the chosen tokens. Hover a token to see its own, click to choose it, Shift+click (or ` +
        `Shift+Enter) to add it and sum several. Shading: ${sc.words}.`,
      finding: '',
      csv: [['position', 'token', key === 'looks' ? 'weight_from_chosen' : 'weight_on_chosen'], ...labels.map((_, i) => [start + i, tokens[start + i], f(picked)(i)])],
      json: { layer: state.layer, head: state.head, temperature: state.t, chosen: picked.map((i) => start + i), values: labels.map((_, i) => f(picked)(i)) },
    });
  }
  figures[1].finding = `Largest weights of ${named[q]}: ${order.map((j) => `${named[j]} ${fmt(row[j])}`).join(', ')}; ` +
    `uniform would give each ${fmt(1 / (q + 1))}.`;
  const heaviest = labels.map((_, i) => i).sort((a, b) => lookedAt(picked)(b) - lookedAt(picked)(a)).filter((i) => !picked.includes(i)).slice(0, 3);
  figures[2].finding = heaviest.length ? `Most attention on ${pickedNames} comes from ${heaviest.map((i) => `${named[i]} (${fmt(lookedAt(picked)(i), 3)})`).join(', ')}.` : '';

  // the model's next-token predictions at the query
  if (predictions && predictions.top_k > 0) {
    const pv = predictions;
    const k = pv.top_k;
    const ids = Array.from(pv.top_ids.subarray(q * k, q * k + k));
    const p = Array.from(pv.top_probs.subarray(q * k, q * k + k));
    const words = ids.map((id) => displayToken(pv.strings[id] ?? `#${id}`));
    const actual = q + 1 < T ? labels[q + 1] : null;
    const marked = actual !== null && pv.next_rank[q] <= k ? pv.next_rank[q] - 1 : -1;
    const tempWords = state.t === 1 ? 'every head\'s softmax at T = 1' : `every head's softmax at T = ${state.t} (the output softmax at 1)`;
    figures.push({
      name: `predictions-L${state.layer}H${state.head}-q${start + q}`,
      svg: rankedBars({ title: `What the model predicts after ${named[q]}`, labels: words, values: p, xLabel: 'probability of the next token',
        marked, markLabel: marked >= 0 ? `the token that does come next, '${actual}'` : '' }),
      caption: `The ${k} likeliest next tokens at ${named[q]} with their probabilities, from a forward pass over the map's window ` +
        `(${tempWords}): change the temperature to see the predictions move with it. The head choice does not change them.`,
      finding: actual === null ? (start + q + 1 < tokens.length
        ? `${named[q]} is the window's last token: the token after it (${start + q + 1}) starts the next window, which this pass did not read.`
        : `${named[q]} is the text's last token: nothing comes after it to compare with.`)
        : `The token that does come next, '${actual}', has probability ${fmt(pv.next_prob[q], 3)} (rank ${count(pv.next_rank[q])} of the ` +
          `vocabulary); the likeliest is '${words[0]}' at ${fmt(p[0], 3)}.`,
      csv: [['rank', 'token_id', 'token', 'probability'], ...ids.map((id, i) => [i + 1, id, pv.strings[id] ?? '', p[i]])],
      json: { position: start + q, temperature: state.t, top: ids.map((id, i) => ({ id, token: pv.strings[id] ?? null, probability: p[i] })),
        next: actual === null ? null : { token: tokens[start + q + 1], probability: pv.next_prob[q], rank: pv.next_rank[q] } },
    });
  }

  figures.push({
    name: `attention-row-L${state.layer}H${state.head}-q${start + q}`,
    svg: barChart({ title: `Where ${named[q]} looks: its attention row in ${where}`, labels: labels.slice(0, q + 1),
      values: row, yLabel: 'weight', highlight: top, highlightLabel: 'its largest weight' }),
    caption: `The attention weights of query token ${named[q]} over the ${q + 1} tokens up to it in this window (they sum to 1). ` +
      'Hover or focus a bar to read it.',
    finding: `Largest weights: ${order.map((j) => `${named[j]} ${fmt(row[j])}`).join(', ')}; ` +
      `uniform would give each ${fmt(1 / (q + 1))}.`,
    csv: [['key', 'key_token', 'weight'], ...row.map((v, j) => [start + j, tokens[start + j], v])],
    json: { layer: state.layer, head: state.head, temperature: state.t, query: start + q, tokens: tokens.slice(start, start + q + 1), weights: row },
  });
  return figures;
}

// Every head's attention on the window as a thumbnail grid (block means when the window is longer than a thumbnail);
// a click opens the head. view: the worker's token view with thumbnails.
export function allHeadsFigures({ attention: view, info, selectivity, state, onHead }) {
  const L = info.n_layer, H = info.n_head, B = view.thumbnail, T = view.tokens;
  const span = view.total > T || view.start > 0 ? ` (tokens ${view.start}-${view.start + T - 1} of ${view.total})` : '';
  const entropy = (l, hd) => headEntry(selectivity, l, hd)?.entropy_norm;
  const block = Math.ceil(T / B);
  return [{
    name: 'all-heads',
    svg: thumbnailGrid({ title: `Every head's attention on this text${span}`, layers: L, heads: H, size: B, thumbs: view.thumbnails,
      scale: state.scale === 'log' ? 'log' : 'head', selected: state.layer === null ? null : [state.layer, state.head], onHead,
      describe: (l, hd) => `layer ${l} head ${hd}: mean normalised entropy ${fmt(entropy(l, hd))}; click or Enter opens it` }),
    caption: `Each thumbnail is one head's attention map (query rows down, keys across; the masked triangle blank)` +
      (block > 1 ? `, each pixel the mean weight of a block of about ${block} × ${block} cells` : '') +
      `. Colours: ${state.scale === 'log' ? 'a log scale from 10⁻³ to 1 for every head' : 'each thumbnail from 0 to its own largest value below its first rows (which hold few tokens, so large weights), to show its shape'}. ` +
      'A diagonal line is a head reading the token itself, a line just below it the previous token, a bright first column the ' +
      'first token (a resting place for weight), a smooth fill a diffuse head. Click a head (or use the arrow keys and Enter) to open it.',
    finding: (() => {
      const sorted = [...selectivity.heads].filter((x) => Number.isFinite(x.entropy_norm)).sort((a, b) => a.entropy_norm - b.entropy_norm);
      return sorted.length ? `Most selective on this text: layer ${sorted[0].layer} head ${sorted[0].head} (${fmt(sorted[0].entropy_norm)}); ` +
        `most diffuse: layer ${sorted.at(-1).layer} head ${sorted.at(-1).head} (${fmt(sorted.at(-1).entropy_norm)}).` : '';
    })(),
    csv: [['layer', 'head', 'block_row', 'block_col', 'mean_weight'],
      ...Array.from({ length: L * H * B * B }, (_, k) => [Math.floor(k / (H * B * B)), Math.floor(k / (B * B)) % H, Math.floor(k / B) % B, k % B, view.thumbnails[k]])
        .filter((r) => Number.isFinite(r[4]))],
    json: { window: { start: view.start, tokens: T, of: view.total }, thumbnail: B, layers: L, heads: H, temperature: state.t,
      thumbnails: Array.from(view.thumbnails, (v) => (Number.isFinite(v) ? v : null)) },
  }];
}

// The layer x head map of mean normalised entropy; a cell opens its head.
export function headFigures({ selectivity, info, state, onHead }) {
  const L = info.n_layer, H = info.n_head;
  const values = new Float64Array(L * H);
  selectivity.head_map.forEach((row, l) => row.forEach((v, h) => { values[l * H + h] = v === null ? NaN : v; }));
  const svg = heatmap({
    title: 'Mean normalised entropy per head (click a cell to open the head)',
    rows: L, cols: H, values, rowLabels: range(L, 0).map((l) => `layer ${l}`), colLabels: range(H, 0).map((h) => `head ${h}`),
    rowTitle: 'layer', colTitle: 'head', vmin: 0, vmax: 1, valueLabel: 'H / log N', onCell: onHead,
    selected: state.layer === null ? null : [state.layer, state.head], cellName: (l, h) => `layer ${l} head ${h}`, size: 480,
  });
  const sorted = [...selectivity.heads].filter((h) => h.entropy_norm !== null).sort((a, b) => a.entropy_norm - b.entropy_norm);
  const lo = sorted[0], hi = sorted[sorted.length - 1];
  const csv = [['layer', 'head', 'entropy_norm', 'n_eff_frac', 'p_max', 'k90', 'tv_uniform']];
  for (const h of selectivity.heads) csv.push([h.layer, h.head, h.entropy_norm, h.n_eff_frac, h.p_max, h.k90, h.tv_uniform]);
  return [{
    name: 'head-map',
    svg,
    caption: 'How close each head is to uniform attention on this text, averaged over its rows: 0 means every row ' +
      'picks one token, 1 means rows are uniform. Dark cells are the selective heads.',
    finding: lo ? `Most selective: layer ${lo.layer} head ${lo.head} (${fmt(lo.entropy_norm)}); least: layer ${hi.layer} head ${hi.head} (${fmt(hi.entropy_norm)}).` : '',
    csv,
    json: { head_map: selectivity.head_map, heads: selectivity.heads },
  }];
}

// Normalised entropy and N_eff / N against N, one curve per layer (median, quartile band): over log-spaced bins of
// N when the report has them (the held-out sample), else per N. source: words for where the rows came from.
// A selectivity report's bins of N: its log bins when it has them, else one bin per N; points at each bin's
// geometric middle.
function binsOf(selectivity) {
  const binned = Array.isArray(selectivity.bins);
  const bins = binned ? selectivity.bins : range(selectivity.positions).map((n) => ({ lo: n, hi: n }));
  return { binned, bins, xs: bins.map((b) => Math.sqrt(b.lo * b.hi)) };
}
const binText = (b) => (b.lo === b.hi ? `N = ${b.lo}` : `N = ${b.lo}-${b.hi}`);

export function selectivityFigures({ selectivity, source = 'this text' }) {
  const { binned, bins, xs } = binsOf(selectivity);
  const figs = [];
  for (const [key, label, what] of [['entropy_norm', 'H / log N', 'normalised entropy'], ['n_eff_frac', 'N_eff / N', 'effective support fraction']]) {
    const bandOf = (l) => (binned ? l.binned[key] : l[key]);
    const series = selectivity.layers.map((l, i) => ({
      name: `layer ${l.layer}`, x: xs, y: bandOf(l).median, color: PALETTE[i % PALETTE.length],
      band: { lo: bandOf(l).q1, hi: bandOf(l).q3 },
      // the readout: the bin's range, median, quartiles and rows
      describe: (j) => `${binText(bins[j])}: median ${fmt(bandOf(l).median[j], 3)}, quartiles ${fmt(bandOf(l).q1[j], 3)} to ` +
        `${fmt(bandOf(l).q3[j], 3)}${binned ? `, ${count(l.binned.rows[j])} rows` : ''}`,
    }));
    const csv = [['N_from', 'N_to', ...selectivity.layers.flatMap((l) => [`layer${l.layer}_rows`, `layer${l.layer}_q1`, `layer${l.layer}_median`, `layer${l.layer}_q3`])]];
    bins.forEach((b, i) => csv.push([b.lo, b.hi, ...selectivity.layers.flatMap((l) =>
      [binned ? l.binned.rows[i] : '', bandOf(l).q1[i], bandOf(l).median[i], bandOf(l).q3[i]])]));
    // the first bin with a value (N = 1 has none) and the last
    const firstIndex = bandOf(selectivity.layers[0]).median.findIndex(Number.isFinite);
    const lastIndex = bins.length - 1;
    const ends = (l) => `${fmt(bandOf(l).median[firstIndex], 2)} at ${binText(bins[firstIndex])} → ${fmt(bandOf(l).median[lastIndex], 2)} at ${binText(bins[lastIndex])}`;
    // the verdict: Spearman rho of the bin medians against N and its interval (analysis/trend.hpp), or too few rows
    const verdictOf = (l) => {
      const t = l.binned?.trend?.[key];
      if (!t) return ends(l);
      if (t.verdict === 'too few rows') return `too few rows for a verdict (${t.bins_used} bins with enough); ${ends(l)}`;
      return `${t.verdict} (ρ = ${fmt(t.rho, 2)}, 95% interval ${fmt(t.low, 2)} to ${fmt(t.high, 2)}; ${ends(l)})`;
    };
    const rows = binned ? selectivity.layers[0].binned.rows : null;
    const rowsNote = binned
      ? ` Rows per layer and bin: ${count(rows[0])} (${binText(bins[0])}) to ${count(rows[rows.length - 1])} ` +
        `(${binText(bins[bins.length - 1])}), ${count(rows.reduce((a, b) => a + b, 0))} in all.`
      : '';
    const method = selectivity.trend_method ? ` Verdict: ${selectivity.trend_method}; rises or falls only when the interval excludes 0.` : '';
    figs.push({
      name: `selectivity-${key}`,
      svg: linePlot({ title: `${what[0].toUpperCase()}${what.slice(1)} against N (median and quartiles over heads)`,
        xLabel: 'N = tokens competing (row length)', yLabel: label, series, xLog: binned || selectivity.positions > 16, yDomain: [0, 1] }),
      caption: (key === 'entropy_norm'
        ? 'Tests the claim that softmax attention drifts towards uniform as more tokens compete: a rising curve ' +
          'means rows get closer to uniform (1) as N grows.'
        : 'The fraction of the N tokens a row effectively uses, exp(H) / N; selective rows stay near 1/N, uniform rows at 1.') +
        ` Rows from ${source}${binned ? `, pooled over ${bins.length} log-spaced bins of N (each point at the bin's geometric middle)` : ', one point per N'}.`,
      finding: `As N grows, ${what}: ` + selectivity.layers.map((l) => `layer ${l.layer} ${verdictOf(l)}`).join('; ') + '.' + rowsNote + method,
      csv,
      json: { bins, layers: selectivity.layers.map((l) => ({ layer: l.layer, ...(binned ? l.binned[key] : l[key]), rows: binned ? l.binned.rows : undefined,
        trend: l.binned?.trend?.[key] })) },
    });
  }
  return figs;
}

// Mean over rows with N > k of k / N: the top-k mass a uniform row would have. N is the keys a row may attend to:
// its length, or at most `keyWindow` in a local layer (GPT-Neo; 0: no window).
function uniformMass(windows, k, keyWindow = 0) {
  let s = 0, n = 0;
  for (const w of windows) {
    for (let i = 1; i <= w.length; i++) {
      const N = keyWindow > 0 ? Math.min(i, keyWindow) : i;
      if (N > k) { s += k / N; n++; }
    }
  }
  return n ? s / n : NaN;
}

// Top-k mass against k for one head, with the uniform line and the bound of the achieved margin, and
// the top-k mass against N for each k.
export function topkFigures({ detail, state, info = {}, source = 'this text' }) {
  const h = headEntry(detail, state.layer, state.head);
  const d = detail.details.find((x) => x.layer === state.layer && x.head === state.head);
  const ks = detail.k;
  const keyWindow = info.local_layers?.includes(state.layer) ? info.window : 0;
  const uniform = ks.map((k) => uniformMass(detail.windows, k, keyWindow));
  const target = ks.map(() => 1 - detail.eps);
  const fig1 = {
    name: `topk-mass-L${state.layer}H${state.head}`,
    svg: linePlot({ title: `Top-k mass of layer ${state.layer} head ${state.head} (mean over rows with N > k)`,
      xLabel: 'k', yLabel: 'mass on the k largest weights', xLog: true, yDomain: [0, 1],
      series: [
        { name: 'measured mₖ', x: ks, y: h.mass },
        { name: 'margin bound', x: ks, y: h.bound_mass, color: PALETTE[2] },
        { name: 'ceiling bound', x: ks, y: h.ceiling_mass, color: PALETTE[3], dash: '5 2' },
      ],
      refs: [
        { name: 'uniform k/N', x: ks, y: uniform },
        { name: `target 1 − ε`, x: ks, y: target, color: PALETTE[1], dash: '2 3' },
      ] }),
    caption: 'Tests whether a head can single out k tokens: the mass its k largest weights hold, against what a ' +
      'uniform row would give (k/N), the least mass its achieved score margin Δ guarantees, k / (k + (N − k) e^(−Δ/T)), ' +
      'and the same bound at the geometric ceiling 2|q| max|kⱼ| / √d, the most any margin this head can produce could promise.' +
      ` Rows from ${source}.`,
    finding: `Mass (uniform): ${ks.map((k, i) => `k = ${k}: ${fmt(h.mass[i], 2)} (${fmt(uniform[i], 2)})`).join(', ')}. ` +
      `Rows that cannot reach ${1 - detail.eps} because Δ_needed exceeds the geometric ceiling: ` +
      `${ks.map((k, i) => `k = ${k}: ${fmt(100 * h.impossible_fraction[i], 0)}%`).join(', ')}.`,
    csv: [['k', 'mass', 'uniform', 'bound_mass', 'ceiling_mass', 'margin', 'needed', 'impossible_fraction'],
      ...ks.map((k, i) => [k, h.mass[i], uniform[i], h.bound_mass[i], h.ceiling_mass[i], h.margin[i], h.needed[i], h.impossible_fraction[i]])],
    json: { layer: state.layer, head: state.head, k: ks, eps: detail.eps, uniform, ...h },
  };
  // against N: per N (means over windows) for the text in the box; over log bins (median and quartiles, with the
  // rows behind each) for the held-out sample
  const { binned, bins, xs } = binsOf(detail);
  const massOf = (i) => (binned ? d.binned.mass[i].median : d.mass_by_n[i]);
  const firstLast = (v) => {
    const at = v.map((x, j) => [x, j]).filter(([x]) => Number.isFinite(x));
    return at.length ? [at[0], at[at.length - 1]] : null;
  };
  const rowsNote = binned
    ? ` Rows in all: ${ks.map((k, i) => `k = ${k}: ${count(d.binned.rows[i].reduce((a, b) => a + b, 0))}`).join(', ')}.`
    : '';
  const fig2 = {
    name: `topk-by-n-L${state.layer}H${state.head}`,
    svg: linePlot({ title: `Top-k mass against N, layer ${state.layer} head ${state.head}${binned ? ' (median and quartiles)' : ''}`,
      xLabel: 'N = tokens competing (row length)', yLabel: 'mass on the k largest weights', xLog: binned || xs.length > 16, yDomain: [0, 1],
      series: ks.map((k, i) => ({ name: `k = ${k}`, x: xs, y: massOf(i), color: PALETTE[i % PALETTE.length],
        band: binned ? { lo: d.binned.mass[i].q1, hi: d.binned.mass[i].q3 } : undefined })) }),
    caption: 'The same mass position by position: if selectivity fades with N, each curve falls as rows get longer. ' +
      `Rows from ${source}${binned ? `, pooled over ${bins.length} log-spaced bins of N (rows with N > k; each point at the bin's geometric middle)` : ', mean over windows at each N'}.`,
    finding: ks.map((k, i) => {
      const ends = firstLast(massOf(i));
      return ends ? `k = ${k}: ${fmt(ends[0][0], 2)} at ${binText(bins[ends[0][1]])} → ${fmt(ends[1][0], 2)} at ${binText(bins[ends[1][1]])}` : '';
    }).filter(Boolean).join('; ') + '.' + rowsNote,
    csv: binned
      ? [['N_from', 'N_to', ...ks.flatMap((k) => [`rows_k${k}`, `q1_k${k}`, `median_k${k}`, `q3_k${k}`])],
        ...bins.map((b, j) => [b.lo, b.hi, ...ks.flatMap((_, i) => [d.binned.rows[i][j], d.binned.mass[i].q1[j], d.binned.mass[i].median[j], d.binned.mass[i].q3[j]])])]
      : [['N', ...ks.map((k) => `mass_k${k}`), ...ks.map((k) => `needed_k${k}`), 'ceiling'],
        ...xs.map((n, j) => [n, ...ks.map((_, i) => d.mass_by_n[i][j]), ...ks.map((_, i) => d.needed_by_n[i][j]), d.ceiling_by_n[j]])],
    json: binned ? { bins, k: ks, ...d.binned } : d,
  };
  return [fig1, fig2];
}

// Sensitivity against temperature: Jacobian norms with the reference bounds, saturation, loss and gradients.
export function sensitivityFigures({ sensitivity }) {
  const T = sensitivity.temperatures;
  const layers = sensitivity.layers;
  const lastT = T.length - 1;
  const fig1 = {
    name: 'sensitivity-jacobian',
    svg: linePlot({ title: 'Softmax Jacobian norms against temperature', xLabel: 'temperature T', yLabel: 'norm',
      xLog: true, yLog: true,
      series: [
        ...layers.map((l, i) => ({ name: `‖J‖₂ median L${l.layer}`, x: T, y: l.jacobian_spectral.median, color: PALETTE[i % PALETTE.length],
          band: { lo: l.jacobian_spectral.q1, hi: l.jacobian_spectral.q3 } })),
        ...layers.map((l, i) => ({ name: `‖J‖₂ max L${l.layer}`, x: T, y: l.jacobian_spectral.max, color: PALETTE[i % PALETTE.length],
          dash: '6 3', width: 1.2, legend: false })),
        ...layers.map((l, i) => ({ name: `max ∂p_i/∂s_i L${l.layer}`, x: T, y: l.lemma_diagonal_max, color: PALETTE[i % PALETTE.length],
          dash: '1 3', width: 1.5, legend: false })),
      ],
      keys: [{ name: 'dashed: ‖J‖₂ max over rows', dash: '6 3' }, { name: 'dotted: max ∂pᵢ/∂sᵢ over rows', dash: '1 3' }],
      refs: [
        { name: '‖J‖₂ ceiling 1/(2T)', x: T, y: sensitivity.bounds.jacobian_spectral_exact },
        { name: 'paper\'s lemma: ∂pᵢ/∂sᵢ ≤ 1/(4T)', x: T, y: sensitivity.bounds.paper_lemma_diagonal, dash: '2 3' },
      ] }),
    caption: 'Tests the claim that softmax gradients blow up at low temperature: ‖J‖₂ of each row (median and quartiles, ' +
      'and the maximum dashed; attnlab\'s measure) against its exact ceiling 1/(2T), reached only by tied rows; and the ' +
      'largest diagonal entry ∂pᵢ/∂sᵢ = pᵢ (1 − pᵢ) / T over the rows (dotted), the quantity the paper\'s lemma bounds ' +
      'by 1/(4T). Reference lines are drawn under the data, so a maximum at its bound shows on top of it. Temperature ' +
      `as in the Paper view: ${sensitivity.temperature_protocol}.`,
    finding: layers.map((l) => `layer ${l.layer}: max ‖J‖₂ ${fmt(l.jacobian_spectral.max[0], 2)} at T = ${fmt(T[0], 2)} ` +
      `(ceiling ${fmt(1 / (2 * T[0]), 2)}), ${fmt(l.jacobian_spectral.max[lastT], 3)} at T = ${fmt(T[lastT], 2)}`).join('; ') + '.',
    csv: [['T', ...layers.flatMap((l) => [`L${l.layer}_spectral_q1`, `L${l.layer}_spectral_median`, `L${l.layer}_spectral_q3`, `L${l.layer}_spectral_max`, `L${l.layer}_frobenius_median`, `L${l.layer}_top_weight_grad`, `L${l.layer}_lemma_diagonal_max`])],
      ...T.map((t, i) => [t, ...layers.flatMap((l) => [l.jacobian_spectral.q1[i], l.jacobian_spectral.median[i], l.jacobian_spectral.q3[i], l.jacobian_spectral.max[i], l.jacobian_frobenius.median[i], l.top_weight_grad[i], l.lemma_diagonal_max[i]])])],
    json: { temperatures: T, bounds: sensitivity.bounds, layers },
  };
  const figF = {
    name: 'sensitivity-frobenius',
    svg: linePlot({ title: 'Frobenius norm of the softmax Jacobian against temperature', xLabel: 'temperature T', yLabel: '‖J‖_F',
      xLog: true, yLog: true,
      series: layers.map((l, i) => ({ name: `median L${l.layer}`, x: T, y: l.jacobian_frobenius.median, color: PALETTE[i % PALETTE.length],
        band: { lo: l.jacobian_frobenius.q1, hi: l.jacobian_frobenius.q3 } })),
      refs: [{ name: '1/(2T): two tied', x: T, y: sensitivity.bounds.jacobian_spectral_exact }] }),
    caption: 'The whole Jacobian\'s size, ‖J‖_F² = (Σp² − 2Σp³ + (Σp²)²) / T², per row (median and quartiles); a row of ' +
      'two tied tokens gives 1/(2T), as for ‖J‖₂, and a saturated row gives almost 0.',
    finding: layers.map((l) => `layer ${l.layer}: ${fmt(l.jacobian_frobenius.median[0], 2)} at T = ${fmt(T[0], 2)} → ` +
      `${fmt(l.jacobian_frobenius.median[lastT], 3)} at T = ${fmt(T[lastT], 2)}`).join('; ') + '.',
    csv: [['T', ...layers.flatMap((l) => [`L${l.layer}_frobenius_q1`, `L${l.layer}_frobenius_median`, `L${l.layer}_frobenius_q3`])],
      ...T.map((t, i) => [t, ...layers.flatMap((l) => [l.jacobian_frobenius.q1[i], l.jacobian_frobenius.median[i], l.jacobian_frobenius.q3[i]])])],
    json: { temperatures: T, layers: layers.map((l) => ({ layer: l.layer, jacobian_frobenius: l.jacobian_frobenius })) },
  };
  const fig2 = {
    name: 'sensitivity-saturation',
    svg: linePlot({ title: 'Saturated and near-tied rows against temperature', xLabel: 'temperature T', yLabel: 'fraction of rows',
      xLog: true, yDomain: [0, 1],
      series: [{ name: 'saturated', x: T, y: sensitivity.saturated_fraction },
        { name: 'near-tied', x: T, y: sensitivity.tied_fraction }] }),
    caption: 'Rows with p_max > 0.99 (saturated) and rows whose two largest weights differ by less than 0.01 (near-tied). Why low temperature is fragile: rows either saturate (gradient → 0) or sit near a tie (gradient near 1/(2T)).',
    finding: `At T = ${fmt(T[0], 2)}: ${fmt(100 * sensitivity.saturated_fraction[0], 0)}% saturated, ${fmt(100 * sensitivity.tied_fraction[0], 1)}% near-tied; ` +
      `at T = ${fmt(T[lastT], 2)}: ${fmt(100 * sensitivity.saturated_fraction[lastT], 0)}% saturated.`,
    csv: [['T', 'saturated_fraction', 'tied_fraction'], ...T.map((t, i) => [t, sensitivity.saturated_fraction[i], sensitivity.tied_fraction[i]])],
    json: { temperatures: T, saturated_fraction: sensitivity.saturated_fraction, tied_fraction: sensitivity.tied_fraction },
  };
  const figLoss = {
    name: 'sensitivity-loss',
    svg: linePlot({ title: 'Next-token loss against temperature', xLabel: 'temperature T', yLabel: 'loss (nats)', xLog: true,
      series: [{ name: 'loss', x: T, y: sensitivity.loss, color: 'var(--fg)', width: 2.5 }] }),
    caption: 'The whole model at temperature T: the mean next-token loss over the analysed tokens, in nats.',
    finding: `Loss ${fmt(sensitivity.loss[0], 2)} at T = ${fmt(T[0], 2)}, ${fmt(Math.min(...sensitivity.loss.filter(Number.isFinite)), 2)} at best, ` +
      `${fmt(sensitivity.loss[lastT], 2)} at T = ${fmt(T[lastT], 2)}.`,
    csv: [['T', 'loss'], ...T.map((t, i) => [t, sensitivity.loss[i]])],
    json: { temperatures: T, loss: sensitivity.loss },
  };
  const fig3 = {
    name: 'sensitivity-gradients',
    svg: linePlot({ title: 'Gradient norms against temperature', xLabel: 'temperature T', yLabel: 'gradient norm', xLog: true, yLog: true,
      series: [
        ...layers.map((l, i) => ({ name: `‖dL/ds‖ L${l.layer}`, x: T, y: l.score_grad_norm, color: PALETTE[i % PALETTE.length] })),
        ...layers.map((l, i) => ({ name: `‖dL/dθ‖ L${l.layer}`, x: T, y: l.param_grad_norm, color: PALETTE[i % PALETTE.length], dash: '4 3' }))] }),
    caption: 'The whole model at temperature T: the backward pass\'s gradient norms with respect to each layer\'s attention ' +
      'scores (solid) and parameters (dashed).',
    finding: `Finite-difference check at T = ${fmt(T[lastT], 2)}: measured ${exponential(sensitivity.fd_check.measured[lastT])}, ` +
      `predicted ${exponential(sensitivity.fd_check.predicted[lastT])}.`,
    csv: [['T', ...layers.flatMap((l) => [`L${l.layer}_score_grad_norm`, `L${l.layer}_param_grad_norm`, `L${l.layer}_saturated`, `L${l.layer}_tied`])],
      ...T.map((t, i) => [t, ...layers.flatMap((l) => [l.score_grad_norm[i], l.param_grad_norm[i], l.saturated_fraction[i], l.tied_fraction[i]])])],
    json: sensitivity,
  };
  return [fig1, figF, fig2, figLoss, fig3];
}
