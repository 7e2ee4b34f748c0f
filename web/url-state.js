// The view lives in the URL hash (#model=...&text=...&layer=..&head=..&view=..&t=..&averages=text&q=..&sample=text&from=..&scale=..)
// so it can be shared, bookmarked and embedded; ?embed=1 in the query selects the compact embed mode, and
// &figure=NAME one figure of the view alone.

export const VIEWS = ['attention', 'allheads', 'heads', 'selectivity', 'topk', 'sensitivity', 'paper', 'normalisers', 'conditioning', 'constant', 'papa', 'hardmax', 'lookup'];
export const SHIPPED_MODEL = 'tiny-gpt2';
export const SCALES = ['fixed', 'log', 'head'];

// Modern English like the shipped model's training documentation, but written for the page (the model never saw it).
export const DEFAULT_TEXT =
  'The attention in a language model lets each word look back at the words before it. A selective head puts ' +
  'almost all of its weight on one earlier word; a diffuse head spreads its weight over many. As a text grows ' +
  'longer, more words compete for the same weight, and a head has to work harder to single one out. To install a ' +
  'package on Debian, run apt install followed by the name of the package; to remove it again, run apt remove ' +
  'followed by the name of the package. Each command has a manual page: read it with man.';

// The temperature control's default is selectivity's, read from the core's table (setCoreDefaults).
let defaultTemperature = null;

export function setCoreDefaults(table) {
  const field = table.find((a) => a.name === 'selectivity').fields.find((f) => f.name === 'temperature');
  defaultTemperature = field.default;
}

export function defaults() {
  if (defaultTemperature === null) throw new Error('url-state: the core\'s defaults are not known yet (setCoreDefaults)');
  // averages: 'training' (the shipped averages over the model's training text; the text held out) or 'text' (in-sample)
  // layer, head: null until the page picks the model's most selective head on the text
  return { model: SHIPPED_MODEL, text: DEFAULT_TEXT, layer: null, head: null, view: 'attention', t: defaultTemperature, averages: 'training',
    q: null, sample: 'held-out', from: 0, scale: 'fixed' };  // q: the attention view's query row in the window (null: the
  // window's last token); sample: per-N curves' rows from the page's held-out sample ('held-out') or from the text in the
  // box ('text'); from: the first token of the window the per-token views show; scale: the attention map's colours,
  // 'fixed' (0 to 1), 'log' (10^-3 to 1) or 'head' (0 to the head's largest weight)
}

function integer(v, fallback) {
  const n = Number.parseInt(v, 10);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

// The model a link names (the shipped model when it names none): known before the core's defaults are.
export function linkedModel(hash) {
  return new URLSearchParams(hash.replace(/^#/, '')).get('model') || SHIPPED_MODEL;
}

export function parseHash(hash) {
  const d = defaults();
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const t = Number.parseFloat(p.get('t'));
  return {
    model: linkedModel(hash),
    text: p.has('text') ? p.get('text') : d.text,
    // a link names both or neither
    layer: p.has('layer') && p.has('head') ? integer(p.get('layer'), 0) : d.layer,
    head: p.has('layer') && p.has('head') ? integer(p.get('head'), 0) : d.head,
    view: VIEWS.includes(p.get('view')) ? p.get('view') : d.view,
    t: Number.isFinite(t) && t > 0 ? t : d.t,
    averages: p.get('averages') === 'text' ? 'text' : d.averages,
    q: integer(p.get('q'), d.q),
    sample: p.get('sample') === 'text' ? 'text' : d.sample,
    from: integer(p.get('from'), d.from),
    scale: SCALES.includes(p.get('scale')) ? p.get('scale') : d.scale,
  };
}

export function formatHash(state) {
  const p = new URLSearchParams();
  p.set('model', state.model);
  p.set('text', state.text);
  if (state.layer !== null && state.head !== null) {
    p.set('layer', String(state.layer));
    p.set('head', String(state.head));
  }
  p.set('view', state.view);
  if (state.t !== defaults().t) p.set('t', String(state.t));
  if (state.averages === 'text') p.set('averages', 'text');
  if (Number.isInteger(state.q)) p.set('q', String(state.q));
  if (state.sample === 'text') p.set('sample', 'text');
  if (state.from > 0) p.set('from', String(state.from));
  if (state.scale !== 'fixed') p.set('scale', state.scale);
  return `#${p.toString()}`;
}

export function isEmbed(search) {
  return new URLSearchParams(search).get('embed') === '1';
}

// The one figure an embed shows (?embed=1&figure=NAME), or null for the whole view. A name is letters, digits and
// dashes (figure names are), anything else is ignored.
export function embedFigure(search) {
  const name = new URLSearchParams(search).get('figure');
  return name && /^[A-Za-z0-9-]{1,80}$/.test(name) ? name : null;
}
